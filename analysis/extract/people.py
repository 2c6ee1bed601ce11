"""People and their titles, as the text names them.

In: a document's text (and ``analysis/rules/people.yaml``: honorifics, title
words, family names). Out: ``find_people(text)`` → dicts with the person's
``name``, their ``titles`` (a list, in the order written), the sentence and
offsets. "đồng chí Cao Văn Dũng, Ủy viên Ban Thường vụ Tỉnh ủy, Trưởng Ban
Tuyên giáo Tỉnh ủy, Hiệu trưởng Trường Chính trị tỉnh" is one person with
three titles; "Bí thư Tỉnh ủy Long An Nguyễn Văn Được" is a title before a name.

Title patterns and the closed list of family names decide; a capitalised run
right after a lower-case level word ("huyện Châu Thành A") is a place, not a
person. No tagger runs by default: underthesea's part-of-speech check (proper
noun, "Np") is an option of ``find_people`` — it cost 2-60 ms a sentence and
rejected nothing the rules pass on the gold articles. Work per document is
linear in its length: title chains are read through a bounded window
(``_SEGMENT_LIMIT`` characters a segment, ``MAX_TITLES`` titles a person).
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

from ..clean.normalize import UPPER, unify_tone_placement
from ..config import PEOPLE_SCHEMA, load_config_text, rules_file
from ..patterns import word_union
from .organizations import LEVEL_WORDS
from .sentences import split_sentences

_WORD = UPPER + r"[^\s,.;:()“”\"]*"


@dataclass(frozen=True)
class PeopleRules:
    honorific: re.Pattern[str]
    title_start: re.Pattern[str]
    title_search: re.Pattern[str]
    family_names: frozenset[str]


@lru_cache(maxsize=1)
def people_rules() -> PeopleRules:
    source = rules_file("people.yaml")
    data = load_config_text(source.read_text("utf-8"), PEOPLE_SCHEMA, str(source))
    honorifics = sorted(data["honorifics"], key=len, reverse=True)
    titles = [unify_tone_placement(t) for t in sorted(data["title_words"], key=len, reverse=True)]
    return PeopleRules(
        # word_union(…) is (?<!\w)(?:…|…), shaped so that the regex engine skips through a text
        honorific=re.compile(rf"{word_union(honorifics, ignore_case=True)}\s+(?P<name>{_WORD}(?:\s+{_WORD}){{1,4}})"),
        title_start=re.compile(rf"^(?:{'|'.join(map(re.escape, titles))})(?!\w)"),
        title_search=re.compile(rf"{word_union(titles)}(?!\w)"),
        family_names=frozenset(data["family_names"]),
    )


# A title segment: what follows a comma or dash after a name, up to the next , ; . ( ).
# Read at most _SEGMENT_LIMIT characters (no title is that long): the rest of a text with
# no such mark after every name made the work per document quadratic.
_SEGMENT_LIMIT = 400
_SEGMENT = re.compile(r"\s*[,–-]\s*([^,;.()]+)")
MAX_TITLES = 12  # titles kept per person; more are a run-on list, not one person's titles


def _title_step(text: str, at: int, rules: PeopleRules) -> tuple[str, int | None] | None:
    """The title segment that begins at ``at`` (after a name or a title), if it is one:
    the title, and where the next one may begin (None: the chain ends with this one)."""
    limit = min(len(text), at + _SEGMENT_LIMIT)
    m = _SEGMENT.match(text, at, limit)
    if not m:
        return None
    segment = m.group(1).strip()
    if not rules.title_start.match(unify_tone_placement(segment[:40])):  # longer than any title word
        return None
    truncated = m.end() == limit < len(text) and text[limit] not in ",;.()"
    # A title ends where the sentence's verb begins ("… Tỉnh ủy làm trưởng đoàn").
    words = segment.split()[:-1] if truncated else segment.split()  # the last word may be cut
    cut = next((i for i, w in enumerate(words) if i >= 2 and w[:1].islower() and not _is_title_inner(w)), None)
    if cut:
        return " ".join(words[:cut]), None
    return (" ".join(words), None) if truncated else (segment, m.end())


def _titles_after(text: str, end: int, rules: PeopleRules, known: dict[int, list[str]] | None = None) -> list[str]:
    """The comma-separated title segments right after a name (at most ``MAX_TITLES``).

    ``known`` holds the chains already read in this text, by where they begin: a chain
    that runs into the next person's ("…, Bí thư Chi bộ Nguyễn Văn An, Bí thư …") is
    then read once, not once per person.
    """
    known = {} if known is None else known
    walked: list[tuple[int, str]] = []
    at: int | None = end
    tail: list[str] = []
    while at is not None:
        if at in known:
            tail = known[at]
            break
        step = _title_step(text, at, rules)
        if step is None:
            break
        walked.append((at, step[0]))
        at = step[1]
    for begin, title in reversed(walked):
        tail = [title, *tail[: MAX_TITLES - 1]]
        known[begin] = tail
    return list(tail)


_TITLE_INNER = {"ban", "thường", "vụ", "viên", "tịch", "thư", "trưởng", "phó", "giáo", "chức", "tra", "kiểm", "hành",
                "chấp", "trực", "trị", "chính", "dân", "vận", "đảng", "ủy", "uỷ", "nhân", "tỉnh", "huyện", "xã", "phường",
                "thị", "trấn", "thành", "phố", "quận", "khối", "cơ", "quan", "và", "doanh", "nghiệp", "đoàn", "phòng",
                "văn", "hóa", "thông", "tin", "tuyên", "tổ", "nội", "ương", "trung", "nước", "hội", "đồng", "sở", "mặt", "trận",
                "tổ quốc", "quốc", "các", "trường", "bộ"}


@lru_cache(maxsize=8192)  # a few thousand distinct words; the tone rewrite per word was most of a title chain's cost
def _is_title_inner(word: str) -> bool:
    """A word that can stand inside a title ("thường", "vụ", "tỉnh"), in any case and tone placement."""
    return unify_tone_placement(word.lower()) in _TITLE_INNER


# Where the clause of a title before a name begins.
_CLAUSE_MARK = re.compile(r",|;|:|\svà\s|\svới\s")
_NAME_RUN = re.compile(rf"{_WORD}(?:\s+{_WORD}){{1,7}}")


class _Sentence:
    """One sentence, with what the candidates in it ask for computed once, on first need."""

    def __init__(self, text: str, start: int, end: int) -> None:
        self.text, self.start, self.end = text, start, end
        self.tags: list[tuple[str, str]] | None = None  # underthesea's tags
        self.first_title: dict[int, re.Match[str] | None] = {}  # by clause start

    @cached_property
    def unified(self) -> str:
        """The sentence in one tone placement (same length: offsets carry over)."""
        return unify_tone_placement(self.text[self.start : self.end])

    @cached_property
    def clause_ends(self) -> list[int]:
        """Offsets just after each clause mark."""
        return [m.end() for m in _CLAUSE_MARK.finditer(self.text, self.start, self.end)]


def _title_before(sentence: _Sentence, name_start: int, rules: PeopleRules) -> str | None:
    """The title written just before a name, within its clause ("Bí thư Tỉnh ủy Long An")."""
    i = bisect.bisect_right(sentence.clause_ends, name_start) - 1
    clause_start = (sentence.clause_ends[i] if i >= 0 else sentence.start) - sentence.start
    name_at = name_start - sentence.start
    # The first title of the clause, searched once per clause: it is the answer unless it
    # overlaps the name, or a title could end right at the name (no blank between them).
    if clause_start not in sentence.first_title:
        sentence.first_title[clause_start] = rules.title_search.search(sentence.unified, clause_start)
    m = sentence.first_title[clause_start]
    if m is not None and m.start() < name_at < m.end() or name_at and sentence.unified[name_at - 1].isalnum():
        m = rules.title_search.search(sentence.unified, clause_start, name_at)
    elif m is not None and m.start() >= name_at:
        m = None
    return sentence.text[sentence.start + m.start() : name_start].strip() if m else None


def _name_after_title(text: str, sentence: _Sentence, rules: PeopleRules) -> list[tuple[int, int, str, str]]:
    """Names written right after a title: (start, end, name, title)."""
    found = []
    for m in _NAME_RUN.finditer(text, sentence.start, sentence.end):
        words = m.group(0).split()
        for i, word in enumerate(words):
            if word in rules.family_names and 2 <= len(words) - i <= 4:
                a = m.start() + (len(" ".join(words[:i])) + 1 if i else 0)
                title = _title_before(sentence, a, rules)
                if title:
                    found.append((a, m.end(), " ".join(words[i:]), title))
                break
    return found


# A level word written in lower case (or "TP.") just before a capitalised run makes it a
# place ("Chủ tịch UBND huyện Châu Thành A"), however much it looks like a name.
_PLACE_WORDS = [w for w in LEVEL_WORDS if w not in ("khối", "cơ sở")]
_PLACE_BEFORE = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in sorted([*_PLACE_WORDS, "TP", "TP."], key=len, reverse=True))
                           + r")\s+$")


def _after_place_word(text: str, sentence: _Sentence, name_start: int) -> bool:
    return _PLACE_BEFORE.search(text, max(sentence.start, name_start - 16), name_start) is not None


def find_people(text: str, confirm_with_pos: bool = False) -> list[dict]:
    """People named in ``text`` with their titles, in order of appearance.

    A name after a title must start with a family name and not follow a level word
    (then it is a place). ``confirm_with_pos`` also asks underthesea's tagger for a
    proper noun, as the people stage once did: it rejected none of the names the rules
    pass in the gold articles, at 2-60 ms a sentence (seconds on a long one).
    """
    rules = people_rules()
    people: dict[tuple[int, int], dict] = {}
    chains: dict[int, list[str]] = {}
    for s_start, s_end in split_sentences(text):
        sentence_text = text[s_start:s_end]
        here: list[tuple[int, int]] = []  # spans found in this sentence: only they can overlap a candidate
        for m in rules.honorific.finditer(text, s_start, s_end):
            words = m.group("name").split()
            if words[0] not in rules.family_names and len(words) > 4:
                continue
            here.append((m.start("name"), m.end("name")))
            people[here[-1]] = {
                "name": m.group("name"), "titles": _titles_after(text, m.end("name"), rules, chains), "sentence": sentence_text,
                "start": m.start("name"), "end": m.end("name"), "evidence": "honorific",
            }
        sentence = _Sentence(text, s_start, s_end)
        for a, b, name, title in _name_after_title(text, sentence, rules):
            if any(a < y and x < b for x, y in here):
                continue
            if _after_place_word(text, sentence, a):
                continue
            if confirm_with_pos and not _proper_noun(sentence, sentence_text, name):
                continue
            here.append((a, b))
            people[(a, b)] = {"name": name, "titles": [title, *_titles_after(text, b, rules, chains)[: MAX_TITLES - 1]],
                              "sentence": sentence_text, "start": a, "end": b, "evidence": "title"}
    return [people[k] for k in sorted(people)]


def _proper_noun(sentence: _Sentence, sentence_text: str, name: str) -> bool:
    """underthesea tags the name's words as proper nouns (Np); the sentence is tagged once."""
    from underthesea import pos_tag

    if sentence.tags is None:
        sentence.tags = pos_tag(sentence_text)
    words = set(name.split())
    return any(tag == "Np" and set(token.split()) & words for token, tag in sentence.tags)
