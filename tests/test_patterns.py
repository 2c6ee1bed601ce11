"""The fast forms of the matching machinery give the same answers as their plain definitions.

Speed work (see BENCHMARKS.md) replaced several obvious regular expressions by
faster equivalents: phrase lists as tries, periods as two regexes, numbers read
between offsets, rows converted straight to Arrow. Each test here states the
plain definition and checks the fast one against it, on generated input and on
the sentences of the bundled articles.
"""
from __future__ import annotations

import re

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.clean.normalize import match_form, tone_spellings, unify_tone_placement
from analysis.extract import extract_document, load_rules
from analysis.extract.engine import _year_and_period
from analysis.extract.numbers import find_numbers
from analysis.extract.sentences import split_sentences
from analysis.patterns import phrase_union
from analysis.store import rows_to_arrow, to_arrow


def _plain_union(phrases: list[str]) -> re.Pattern[str]:
    """The obvious form: whole words, any blank space between them, longest phrase first."""
    alternatives = sorted({r"\s+".join(map(re.escape, p.split())) for p in phrases}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")


_words = st.text(alphabet="abđơ ", min_size=1, max_size=7).map(lambda s: " ".join(s.split())).filter(bool)


@settings(max_examples=300, deadline=None)
@given(phrases=st.lists(_words, min_size=1, max_size=6), text=st.text(alphabet="abđơ ,.\n", max_size=40))
def test_phrase_union_finds_what_a_longest_first_alternation_finds(phrases, text):
    fast = re.compile(phrase_union(phrases))
    assert [m.span() for m in fast.finditer(text)] == [m.span() for m in _plain_union(phrases).finditer(text)]


def test_phrase_union_on_the_unit_phrases_of_the_rules(sample_documents):
    rules = load_rules()
    plain = _plain_union(list(rules.units))
    for text in sample_documents["text"]:
        mf = match_form(text)
        assert [m.span() for m in rules.unit_anywhere.finditer(mf)] == [m.span() for m in plain.finditer(mf)]


def test_tone_spellings_give_both_placements():
    assert tone_spellings("Khánh Hòa") == {"Khánh Hòa", "Khánh Hoà"}
    assert tone_spellings("Thanh Hoá") == {"Thanh Hóa", "Thanh Hoá"}
    assert {unify_tone_placement(s) for s in tone_spellings("Thừa Thiên Huế")} == {"Thừa Thiên Huế"}
    assert tone_spellings("quý") == {"quý"}  # "qu" is a consonant: nothing to move


_PERIOD_PLAIN = re.compile(  # the single regex the two fast ones replace (quarters in Roman numerals of either case)
    r"(?i:(?:\d+|sáu|chín|ba)\s+tháng(?:\s+(?:đầu|cuối))?\s+năm(?:\s+(?:19|20)\d{2})?"
    r"|quý\s+[IV]+(?!\w)(?:[/\s]+(?:năm\s+)?(?:19|20)\d{2})?"
    r"|(?:từ\s+)?đầu\s+năm(?:\s+(?:19|20)\d{2})?(?:\s+(?:đến|tới)\s+nay)?"
    r"|(?:giai\s+đoạn|nhiệm\s+kỳ)\s+(?:19|20)\d{2}\s*[-–]\s*(?:19|20)\d{2}"
    r"|tính\s+đến\s+(?:ngày\s+)?\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{4})?"
    r"|năm\s+(?:19|20)\d{2}"
    r"|\d+\s+năm\s+(?:qua|thực\s+hiện))"
)
_YEAR_PLAIN = re.compile(r"(?:(?<!\w)năm\s+|(?<=\d)[/.-])((?:19|20)\d{2})(?!\d)", re.I)

_PERIOD_SENTENCES = [
    "Trong 6 tháng đầu năm 2023, toàn Đảng bộ kết nạp 120 đảng viên.", "Quý III/2023, có 12 chi bộ.",
    "Từ đầu năm đến nay, huyện kết nạp 30 đảng viên.", "Nhiệm kỳ 2020 - 2025, Đảng bộ có 45 chi bộ.",
    "Tính đến ngày 30/6/2023, toàn tỉnh có 51.349 đảng viên.", "Năm 2022, tỉnh khen thưởng 20 tập thể.",
    "Sau 5 năm thực hiện, có 1.200 mô hình.", "Chín tháng năm 2024 kết nạp 15 đảng viên.", "tháng 10/2023 có 3 chi bộ.",
]


def test_year_and_period_agree_with_the_single_regexes(sample_documents):
    sentences = list(_PERIOD_SENTENCES)
    for text in sample_documents["text"]:
        sentences.extend(text[a:b] for a, b in split_sentences(text))
    for sentence in sentences:
        period = _PERIOD_PLAIN.search(sentence)
        year = _YEAR_PLAIN.search(sentence)
        expected = (int(year.group(1)) if year else None, period.group(0) if period else None)
        assert _year_and_period(sentence, match_form(sentence)) == expected, sentence


def test_numbers_between_offsets_are_those_of_the_slice(sample_documents):
    for text in sample_documents["text"]:
        mf = match_form(text)
        for a, b in split_sentences(text):
            between = [(n.start - a, n.end - a, n.value, n.kind, n.qualifier) for n in find_numbers(text, mf, a, b)]
            sliced = [(n.start, n.end, n.value, n.kind, n.qualifier) for n in find_numbers(text[a:b])]
            assert between == sliced, text[a:b]


def test_rows_go_to_arrow_as_a_frame_would(sample_documents):
    rules = load_rules()
    rows = [row for doc_id, text in zip(sample_documents["doc_id"], sample_documents["text"], strict=False)
            for row in extract_document(doc_id, text, rules)]
    assert len(rows) > 20
    direct = rows_to_arrow("mentions", rows)
    assert direct.equals(to_arrow("mentions", pd.DataFrame(rows)))
    # A value of the wrong type (a year written as text) takes the coercing path, not an error.
    odd = rows_to_arrow("mentions", [{**rows[0], "year": "2023", "value": "12"}])
    assert odd.column("year").to_pylist() == [2023] and odd.column("value").to_pylist() == [12.0]


@settings(max_examples=500, deadline=None)
@given(text=st.text(alphabet="0123456789+84 .-a", max_size=30))
def test_phone_pattern_finds_what_its_plain_form_finds(text):
    from analysis.clean.chrome import _PHONE

    plain = re.compile(r"(?<!\d)(?:\+?84|0)\d{1,4}(?:[ .\-]?\d{2,4}){2,4}(?!\d)")
    assert [m.span() for m in _PHONE.finditer(text)] == [m.span() for m in plain.finditer(text)]


@settings(max_examples=300, deadline=None)
@given(phrases=st.lists(_words, min_size=1, max_size=5), text=_words)
def test_a_line_opens_with_a_phrase_as_the_plain_loop_says(phrases, text):
    from analysis.clean.chrome import _opens_with

    def plain(s: str, p: str) -> bool:
        return s == p or (s.startswith(p) and not s[len(p)].isalnum())

    assert (_opens_with(text, tuple(phrases)) is not None) == any(plain(text, p) for p in phrases)


_phrase_texts = st.text(alphabet="abđơ _,/:.\n", min_size=1, max_size=9).map(lambda s: " ".join(s.split())).filter(bool)


@settings(max_examples=400, deadline=None)
@given(phrases=st.lists(_phrase_texts, min_size=1, max_size=5), text=st.text(alphabet="abđơ _,/:.\n\t", max_size=40))
def test_a_text_ends_with_a_phrase_as_the_end_anchored_search_says(phrases, text):
    from analysis.extract.rules import PhraseSet

    phrase_set = PhraseSet.of(phrases)
    if not phrase_set:
        return
    assert phrase_set.ends(text) == bool(phrase_set.end_regex.search(text)), (phrases, text)


def test_ends_agrees_with_the_end_anchored_search_on_the_rules_and_real_text(sample_documents):
    from analysis.extract.rules import PhraseSet

    rules = load_rules()
    sets = [rules.linkers, rules.breakdown, rules.passive, rules.fixed_phrases]
    sets += [ps for indicator in rules.indicators for pattern in indicator.patterns
             for ps in (*pattern.conditions.values(), *pattern.negated.values())]
    sets = [ps for ps in sets if isinstance(ps, PhraseSet) and ps]
    heads = []
    for text in sample_documents["text"]:
        mf = match_form(text)
        for a, b in split_sentences(text):
            # every text a condition may be asked about ends somewhere in a sentence: cut at each blank
            heads.extend(mf[a:at] for at in range(a, b) if mf[at] in " ,")
    found = 0
    for phrase_set in sets:
        for head in heads:
            plain = bool(phrase_set.end_regex.search(head))
            assert phrase_set.ends(head) == plain, (phrase_set.phrases[:3], head[-60:])
            found += plain
    assert found > 100  # the test compares both answers, not only "no"


def _plain_is_abbreviation(text: str, dot: int) -> bool:
    """The abbreviation check as first written: walk back from the dot to the word's start."""
    from analysis.extract.sentences import _ABBREVIATIONS

    if text[dot] != ".":
        return False
    start, limit = dot, max(0, dot - 24)
    while start > limit and not text[start - 1].isspace():
        start -= 1
    if start == dot:
        return False
    word = text[start:dot].lower().lstrip("(\"“")
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


@settings(max_examples=400, deadline=None)
@given(text=st.text(alphabet="TPtpđ/(“ .\n\u00a0\u2003x", min_size=1, max_size=40))
def test_abbreviation_check_agrees_with_the_walk_back(text):
    from analysis.extract.sentences import _is_abbreviation

    for dot in range(len(text)):
        assert _is_abbreviation(text, dot) == _plain_is_abbreviation(text, dot), (text, dot)


@settings(max_examples=300, deadline=None)
@given(line=st.text(alphabet="aàv,ó cgồmtrên\u00a0", max_size=30))
def test_open_line_ending_is_read_from_the_line_tail(line):
    from analysis.extract import sentences

    plain = bool(sentences._OPEN_ENDINGS.search(line.rstrip())) and not line.rstrip().endswith(sentences._TERMINAL)
    assert sentences._continues(line, "Tiếp", False) == (bool(line.strip()) and plain)


_cased_words = st.text(alphabet="tTđĐôÔbBkK/ ", min_size=1, max_size=6).filter(lambda s: s.strip() == s and s)


@settings(max_examples=400, deadline=None)
@given(words=st.lists(_cased_words, min_size=1, max_size=5), text=st.text(alphabet="tTđĐôÔbBkK\u212a/ .x\n", max_size=30),
       ignore_case=st.booleans())
def test_word_union_finds_what_the_look_behind_alternation_finds(words, text, ignore_case):
    from analysis.patterns import word_union

    alternation = "|".join(map(re.escape, words))
    plain = re.compile(rf"(?<!\w)(?i:{alternation})" if ignore_case else rf"(?<!\w)(?:{alternation})")
    fast = re.compile(word_union(words, ignore_case=ignore_case))
    assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)]
    assert [m.span() for m in fast.finditer(text, 2, 20)] == [m.span() for m in plain.finditer(text, 2, 20)]


def test_people_patterns_find_what_their_plain_forms_find(sample_documents):
    from importlib import resources

    from analysis.config import PEOPLE_SCHEMA, load_config_text
    from analysis.extract.people import _WORD, people_rules

    data = load_config_text((resources.files("analysis.rules") / "people.yaml").read_text("utf-8"), PEOPLE_SCHEMA)
    honorifics = "|".join(re.escape(h) for h in sorted(data["honorifics"], key=len, reverse=True))
    titles = "|".join(re.escape(unify_tone_placement(t)) for t in sorted(data["title_words"], key=len, reverse=True))
    plain_honorific = re.compile(rf"(?<!\w)(?i:{honorifics})\s+(?P<name>{_WORD}(?:\s+{_WORD}){{1,4}})")
    plain_title = re.compile(rf"(?<!\w)(?:{titles})(?!\w)")
    rules = people_rules()
    found = 0
    for text in sample_documents["text"]:
        for shown in (text, text.upper(), text.lower()):
            honorific = [(m.span(), m.group("name")) for m in rules.honorific.finditer(shown)]
            assert honorific == [(m.span(), m.group("name")) for m in plain_honorific.finditer(shown)]
            unified = unify_tone_placement(shown)
            titles_found = [m.span() for m in rules.title_search.finditer(unified)]
            assert titles_found == [m.span() for m in plain_title.finditer(unified)]
            found += len(honorific) + len(titles_found)
    assert found > 20


def test_no_character_beyond_the_basic_plane_folds_to_a_first_letter_of_the_people_words():
    from importlib import resources

    from analysis.config import PEOPLE_SCHEMA, load_config_text
    from analysis.patterns import same_letter

    data = load_config_text((resources.files("analysis.rules") / "people.yaml").read_text("utf-8"), PEOPLE_SCHEMA)
    astral = "".join(map(chr, range(0x10000, 0x110000)))
    for first in {word[0] for word in data["honorifics"]}:
        assert not re.findall("(?i)" + re.escape(first), astral)
        assert set(same_letter(first)) >= {first, first.lower(), first.upper()} - {""}
