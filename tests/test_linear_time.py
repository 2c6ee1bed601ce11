"""Work per document grows linearly with its length, and the fast forms answer as the plain ones.

A review found repetitive pages of about 1 MB that took a minute or more (issue 10,
item 5): every marker line of a footer rescanned the lines after it, every citation
and every person was checked against all those found before, every mention looked
for its organization from the first one of the document, and a title chain after a
name ran on into the next person's. Each test below builds one such page (half a
megabyte) and bounds the CPU time of the stage it hit with a generous limit: the
quadratic forms took 30 s and more at this size, the linear ones take about a second.
The bounds are regression guards, not speed targets (those live in ``python -m
analysis bench``).

The second half states, for each shortcut taken, the plain definition it replaces
and checks the two agree on generated text.
"""
from __future__ import annotations

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.clean import clean_document
from analysis.clean.chrome import footer_start, is_contact_line, is_footer_marker
from analysis.clean.normalize import match_form, unify_tone_placement
from analysis.extract import document_citations, document_people, extract_document, load_rules
from analysis.extract.organizations import find_organizations
from analysis.extract.people import _SEGMENT_LIMIT, MAX_TITLES, _Sentence, _title_before, find_people, people_rules
from analysis.extract.references import _BARE_NUMBER, _type_before, _type_word_before, extract_citations
from analysis.extract.rules import parse_rules
from analysis.extract.sentences import MAX_SENTENCE, split_sentences
from analysis.patterns import phrase_union

SIZE = 500_000  # characters of each repetitive page
BOUND = 20.0  # CPU seconds: generous (linear: about 1 s; quadratic: 30 s and more)


def _page(unit: str, size: int = SIZE) -> str:
    return "Tiêu đề bài viết về công tác xây dựng Đảng\n\n" + unit * (size // len(unit))


def _cpu(work) -> tuple[float, object]:
    start = time.process_time()
    result = work()
    return time.process_time() - start, result


@pytest.fixture(scope="module")
def rules():
    return load_rules()


_PARAGRAPH = "Đảng ủy xã Phú Sơn có 11 chi bộ với 192 đảng viên, " * 5 + "đạt kết quả tốt."


def test_see_more_lines_before_a_last_paragraph_are_cleaned_in_linear_time():
    # Every marker line asked whether a real paragraph follows it: the last line answered each.
    page = _page("Xem thêm\n") + _PARAGRAPH
    seconds, cleaned = _cpu(lambda: clean_document(page))
    assert seconds < BOUND
    assert cleaned.text == _PARAGRAPH  # the markers are chrome, the paragraph after them is article text


def test_see_more_lines_between_paragraphs_keep_the_paragraphs():
    seconds, cleaned = _cpu(lambda: clean_document(_page(f"Xem thêm >>\n{_PARAGRAPH}\n", SIZE // 2)))
    assert seconds < BOUND
    assert cleaned.text.count(_PARAGRAPH) > 500


@pytest.mark.parametrize("unit", ["05-CT/TW ", "Chỉ thị số 05-CT/TW, ", "Chỉ thị số 05 ", "05-CT/TW và Chỉ thị số 05 "])
def test_repeated_directive_codes_are_read_in_linear_time(rules, unit):
    page = _page(unit)
    seconds, found = _cpu(lambda: document_citations("page", page, rules))
    assert seconds < BOUND
    assert len(found) >= page.count("05")  - 1  # every code is one citation (one may be cut at the end)
    assert all(len(c["sentence"]) <= MAX_SENTENCE for c in found)


@pytest.mark.parametrize("unit", ["Ông Nguyễn Văn An, Bí thư Chi bộ, ", "Bí thư Chi bộ Nguyễn Văn An, ", "Nguyễn ",
                                  "Đảng ủy xã Phú Sơn "])
def test_repeated_officials_are_read_in_linear_time(unit):
    page = _page(unit)
    seconds, people = _cpu(lambda: document_people("page", page))
    assert seconds < BOUND
    if "An" in unit:
        assert len(people) >= page.count("Nguyễn Văn An") - 1
        assert all(len(p["titles"].split("; ")) <= MAX_TITLES for p in people)


@pytest.mark.parametrize("unit", ["Xã có 12 chi bộ. ", "Đảng ủy xã Phú Sơn có 12 chi bộ, "])
def test_repeated_cell_counts_are_read_in_linear_time(rules, unit):
    page = _page(unit, SIZE // 2)  # the matcher costs about 0.1 ms a mention: half a page is 15 000 of them
    seconds, mentions = _cpu(lambda: extract_document("page", page, rules))
    assert seconds < BOUND
    assert sum(m["indicator"] == "party_cells" for m in mentions) >= page.count("12 chi bộ") - 1
    seconds, orgs = _cpu(lambda: find_organizations(page))
    assert seconds < BOUND


def test_a_very_long_phrase_compiles():
    phrase = "chi bộ " + " ".join(["ấp"] * 5000)
    pattern = re.compile(phrase_union([phrase, "chi bộ", "chi bộ ấp"]))
    assert pattern.search(f"xem {phrase} nữa").span() == (4, 4 + len(phrase))
    assert pattern.search("xem chi bộ ấp 3").group(0) == "chi bộ ấp"


def test_rules_with_a_very_long_phrase_load():
    rules = parse_rules({"units": {"party_cells": ["chi bộ", "chi bộ " + " ".join(["ấp"] * 3000)]},
                        "indicators": {"party_cells": {"label": "Chi bộ", "patterns": [{"units": ["party_cells"]}]}}})
    assert rules.unit_anywhere.search("có 12 chi bộ.") is not None


# --- the shortcuts agree with their plain definitions ---------------------------------------------------------

def test_overlong_sentences_are_cut_into_bounded_pieces_that_keep_every_word():
    text = "Ông A, " * 1000 + "x" * 5000 + " và " + "ấp " * 1500
    spans = split_sentences(text)
    assert max(b - a for a, b in spans) <= MAX_SENTENCE
    assert "".join(text[a:b] for a, b in spans).replace(" ", "") == text.replace(" ", "")
    assert all(text[a:b].endswith(",") for a, b in spans[:3])  # cut after a comma when there is one


def test_sentences_of_real_articles_are_not_cut(sample_documents):
    for text in sample_documents["text"]:
        lines = [line for line in text.split("\n") if line.strip()]
        joined = "".join(text[a:b] for a, b in split_sentences(text))
        assert joined.replace(" ", "") == "".join(lines).replace(" ", "")


_LINES = st.sampled_from([
    "Xem thêm", "Các tin khác", "", "Điện thoại: 0903 123 456",
    "Đảng ủy xã Phú Sơn có 11 chi bộ với 192 đảng viên, " * 5 + "đạt kết quả tốt.", "Tin liên quan >>",
    "Ngắn thôi.", "1 2 3 4 5",
])


def _plain_footer_start(lines: list[str], body_start: int) -> int:
    """The definition: the first marker with no real paragraph after it, then trailing chrome."""
    from analysis.clean.chrome import is_chrome_line

    n = len(lines)
    for i in range(body_start, n):
        if is_footer_marker(lines[i]) and not any(len(r.split()) >= 40 and not is_contact_line(r) for r in lines[i + 1:]):
            n = i
            break
    while n > body_start and (not lines[n - 1].strip() or is_chrome_line(lines[n - 1]) or is_contact_line(lines[n - 1])):
        n -= 1
    return n


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(_LINES, max_size=14), body_start=st.integers(0, 3))
def test_footer_start_is_the_plain_definition(lines, body_start):
    body_start = min(body_start, len(lines))
    assert footer_start(lines, body_start) == _plain_footer_start(lines, body_start)


_TOKENS = st.sampled_from(["Bí thư", "Tỉnh ủy", "Long", "An", "Nguyễn", "Văn", "Được", "Phó Chủ tịch", "huyện", "Châu",
                           "Thành", ",", "và", "với", ":", "ông", "phát biểu", "Lê", "Thị", "Hoà", "Uỷ viên", "Bí"])


def _plain_title_before(text: str, start: int, name_start: int) -> str | None:
    """The definition: the first title word of the clause before the name, from there to the name."""
    segment = re.split(r",|;|:|\svà\s|\svới\s", text[start:name_start])[-1]
    m = people_rules().title_search.search(unify_tone_placement(segment))
    return segment[m.start():].strip() if m else None


@settings(max_examples=300, deadline=None)
@given(tokens=st.lists(_TOKENS, min_size=1, max_size=16), glue=st.sampled_from([" ", " ", "  "]))
def test_title_before_a_name_is_the_plain_definition(tokens, glue):
    text = "Hôm qua " + glue.join(tokens) + " nói."
    sentence = _Sentence(text, 0, len(text))
    for m in re.finditer(r"[A-ZĐÂ]", text):
        assert _title_before(sentence, m.start(), people_rules()) == _plain_title_before(text, 0, m.start())


@settings(max_examples=300, deadline=None)
@given(tokens=st.lists(st.sampled_from(["Chỉ thị", "số", "05", "12", "kết luận", "Nghị quyết", ",", "đảng viên", "1.200",
                                        "05-CT", "/", "(", "  ", "\n", "Số"]), max_size=14), glue=st.sampled_from([" ", ""]))
def test_uncoded_citations_are_those_of_the_plain_scan(tokens, glue):
    """The plain scan: every bare number with a type word before it, none overlapping another citation."""
    rules = load_rules()
    text = glue.join(tokens)
    mf = match_form(text)
    type_before = _type_before(tuple(rules.citations.types))
    coded = [c for c in extract_citations(text, rules) if c["coded"]]
    plain = []
    for m in _BARE_NUMBER.finditer(mf):
        before = _type_word_before(mf, m.start(), type_before)
        if before is None or any(c["start"] < m.end() and before[1] < c["end"] for c in coded + plain):
            continue
        if before[2] or text[before[1]].isupper():
            plain.append({"start": before[1], "end": m.end()})
    fast = [(c["start"], c["end"]) for c in extract_citations(text, rules) if c["style"] == "uncoded"]
    assert fast == [(p["start"], p["end"]) for p in plain]


def test_a_title_chain_is_the_same_read_once_or_per_person():
    text = "Ông Nguyễn Văn An, Bí thư Chi bộ Trần Văn Bình, Phó Bí thư Đảng ủy, Chủ tịch UBND xã Phú Sơn, phát biểu."
    people = {p["name"]: p["titles"] for p in find_people(text)}
    assert people["Nguyễn Văn An"] == ["Bí thư Chi bộ Trần Văn Bình", "Phó Bí thư Đảng ủy", "Chủ tịch UBND xã Phú Sơn"]
    assert people["Trần Văn Bình"] == ["Bí thư Chi bộ", "Phó Bí thư Đảng ủy", "Chủ tịch UBND xã Phú Sơn"]


def test_a_title_segment_is_read_through_a_bounded_window():
    long_title = "Bí thư Chi bộ " + " ".join(["Ấp"] * (_SEGMENT_LIMIT // 2))
    people = find_people(f"Ông Nguyễn Văn An, {long_title}, Phó Chủ tịch xã, phát biểu.")
    assert people[0]["titles"][0].startswith("Bí thư Chi bộ Ấp")
    assert len(people[0]["titles"]) == 1  # cut at the window: the chain stops there


def test_a_name_after_a_level_word_is_a_place():
    text = "1.141 cá nhân được Chủ tịch Ủy ban nhân dân huyện Châu Thành A tặng giấy khen."
    assert find_people(text) == []
    assert [p["name"] for p in find_people("Chủ tịch UBND huyện Châu Thành Nguyễn Văn Tư tặng giấy khen.")] == ["Nguyễn Văn Tư"]
