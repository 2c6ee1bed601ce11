"""People and their titles, as the text names them.

In: a document's text (and ``analysis/rules/people.yaml``: honorifics, title
words, family names). Out: ``find_people(text)`` → dicts with the person's
``name``, their ``titles`` (a list, in the order written), the sentence and
offsets. "đồng chí Cao Văn Dũng, Ủy viên Ban Thường vụ Tỉnh ủy, Trưởng Ban
Tuyên giáo Tỉnh ủy, Hiệu trưởng Trường Chính trị tỉnh" is one person with
three titles; "Bí thư Tỉnh ủy Long An Nguyễn Văn Được" is a title before a name.

Title patterns decide; underthesea's part-of-speech tags (proper noun, "Np")
confirm a name that follows no honorific. underthesea runs only on sentences
that contain a candidate, because it is slow (about 10 000 characters/s).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..clean.normalize import UPPER, unify_tone_placement
from ..config import PEOPLE_SCHEMA, load_config_text
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
    source = resources.files("analysis.rules").joinpath("people.yaml")
    data = load_config_text(source.read_text("utf-8"), PEOPLE_SCHEMA, str(source))
    honorifics = "|".join(re.escape(h) for h in sorted(data["honorifics"], key=len, reverse=True))
    titles = "|".join(re.escape(unify_tone_placement(t)) for t in sorted(data["title_words"], key=len, reverse=True))
    return PeopleRules(
        honorific=re.compile(rf"(?<!\w)(?i:{honorifics})\s+(?P<name>{_WORD}(?:\s+{_WORD}){{1,4}})"),
        title_start=re.compile(rf"^(?:{titles})(?!\w)"),
        title_search=re.compile(rf"(?<!\w)(?:{titles})(?!\w)"),
        family_names=frozenset(data["family_names"]),
    )


def _titles_after(text: str, end: int, rules: PeopleRules) -> list[str]:
    """The comma-separated title segments right after a name."""
    titles = []
    rest = text[end:]
    while True:
        m = re.match(r"\s*[,–-]\s*([^,;.()]+)", rest)
        if not m or not rules.title_start.match(unify_tone_placement(m.group(1).strip())):
            break
        segment = m.group(1).strip()
        # A title ends where the sentence's verb begins ("… Tỉnh ủy làm trưởng đoàn").
        words = segment.split()
        cut = next((i for i, w in enumerate(words) if i >= 2 and w[:1].islower() and not _continues_title(words, i)), None)
        titles.append(" ".join(words[:cut]) if cut else segment)
        if cut:
            break
        rest = rest[m.end():]
    return titles


_TITLE_INNER = {"ban", "thường", "vụ", "viên", "tịch", "thư", "trưởng", "phó", "giáo", "chức", "tra", "kiểm", "hành",
                "chấp", "trực", "trị", "chính", "dân", "vận", "đảng", "ủy", "uỷ", "nhân", "tỉnh", "huyện", "xã", "phường",
                "thị", "trấn", "thành", "phố", "quận", "khối", "cơ", "quan", "và", "doanh", "nghiệp", "đoàn", "phòng",
                "văn", "hóa", "thông", "tin", "tuyên", "tổ", "nội", "ương", "trung", "nước", "hội", "đồng", "sở", "mặt", "trận",
                "tổ quốc", "quốc", "các", "trường", "bộ"}


def _continues_title(words: list[str], i: int) -> bool:
    return unify_tone_placement(words[i].lower()) in _TITLE_INNER


def _title_before(text: str, start: int, name_start: int, rules: PeopleRules) -> str | None:
    """The title written just before a name, within its clause ("Bí thư Tỉnh ủy Long An")."""
    segment = re.split(r",|;|:|\svà\s|\svới\s", text[start:name_start])[-1]
    m = rules.title_search.search(unify_tone_placement(segment))
    return segment[m.start():].strip() if m else None


def _name_after_title(text: str, start: int, end: int, rules: PeopleRules) -> list[tuple[int, int, str, str]]:
    """Names written right after a title: (start, end, name, title)."""
    found = []
    for m in re.finditer(rf"{_WORD}(?:\s+{_WORD}){{1,7}}", text[start:end]):
        words = m.group(0).split()
        for i, word in enumerate(words):
            if word in rules.family_names and 2 <= len(words) - i <= 4:
                a = start + m.start() + (len(" ".join(words[:i])) + 1 if i else 0)
                title = _title_before(text, start, a, rules)
                if title:
                    found.append((a, start + m.end(), " ".join(words[i:]), title))
                break
    return found


def find_people(text: str, confirm_with_pos: bool = True) -> list[dict]:
    """People named in ``text`` with their titles, in order of appearance."""
    rules = people_rules()
    people: dict[tuple[int, int], dict] = {}
    for s_start, s_end in split_sentences(text):
        sentence = text[s_start:s_end]
        for m in rules.honorific.finditer(text, s_start, s_end):
            words = m.group("name").split()
            if words[0] not in rules.family_names and len(words) > 4:
                continue
            people[(m.start("name"), m.end("name"))] = {
                "name": m.group("name"), "titles": _titles_after(text, m.end("name"), rules), "sentence": sentence,
                "start": m.start("name"), "end": m.end("name"), "evidence": "honorific",
            }
        for a, b, name, title in _name_after_title(text, s_start, s_end, rules):
            if any(a < y and x < b for x, y in people):
                continue
            if confirm_with_pos and not _proper_noun(sentence, name):
                continue
            people[(a, b)] = {"name": name, "titles": [title] + _titles_after(text, b, rules),
                              "sentence": sentence, "start": a, "end": b, "evidence": "title"}
    return [people[k] for k in sorted(people)]


def _proper_noun(sentence: str, name: str) -> bool:
    """underthesea tags the name's words as proper nouns (Np)."""
    from underthesea import pos_tag

    tagged = pos_tag(sentence)
    words = set(name.split())
    return any(tag == "Np" and set(token.split()) & words for token, tag in tagged)
