"""Party organizations named in a text, with their level.

In: a document's text. Out: ``find_organizations(text)`` → dicts with the
organization's ``name`` as written ("Đảng ủy xã Phú Sơn", "Ban Tuyên giáo
Tỉnh ủy", "Huyện ủy Phú Tân"), its ``kind`` (committee, party_committee,
party_organization, cell, board, standing_committee) and ``level`` (central,
province, district, commune, bloc, cell), and character offsets.
``main_organization(orgs)`` is the one an article is mostly about.
"""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from ..clean.normalize import UPPER, match_form
from ..patterns import phrase_union

# Found in two steps for speed: the committee word in match form (lower case, one
# tone placement), then the words around it in the original text.
_CORE = re.compile(phrase_union(
    ["đảng ủy", "đảng bộ", "huyện ủy", "tỉnh ủy", "thành ủy", "quận ủy", "thị ủy", "chi bộ", "trung ương", "bộ chính trị", "ban bí thư"]
))
# The bodies written before the committee word ("Ban Thường vụ Ban Tuyên giáo Tỉnh ủy"),
# matched on the reversed text before it: an anchored match instead of a backward search.
_PREFIXES = (("ban tuyên giáo", "ban tổ chức", "ban dân vận", "ban nội chính", "ủy ban kiểm tra", "văn phòng"),
             ("ban thường vụ", "ban chấp hành", "thường trực"))
_PREFIX_LAST_WORDS = tuple(sorted({p.split()[-1] for group in _PREFIXES for p in group}))
_PREFIX_REVERSED = re.compile(
    r"(?:\s+(?:" + phrase_union([w[::-1] for w in _PREFIXES[0]]) + "))?"
    r"(?:\s+(?:" + phrase_union([w[::-1] for w in _PREFIXES[1]]) + "))?"
)
# The words that name a level, written after a committee word ("Đảng ủy xã") or before a
# place ("huyện Châu Thành"), in match form.
LEVEL_WORDS = ("khối", "xã", "phường", "thị trấn", "huyện", "quận", "thị xã", "thành phố", "tỉnh", "tp", "tp.", "cơ sở")
_LEVEL_WORD = re.compile(r"\s+(?:" + phrase_union(LEVEL_WORDS, boundaries=False) + r")(?!\w)")
_REST = re.compile(r"(?:\s+" + UPPER + r"[^\s,.;:()“”\"]*)*")  # the capitalised name that follows


@lru_cache(maxsize=1)
def _compound_tails() -> dict[str, re.Pattern[str]]:
    """First syllable of a listed compound word → the rest of it, as a regex over the match form
    (rules/organizations.yaml: "chính trị" lets "Trường Chính" go on over "trị")."""
    from ..config import ORGANIZATIONS_SCHEMA, load_config, rules_file

    path = rules_file("organizations.yaml")
    tails: dict[str, list[str]] = {}
    for word in load_config(path, ORGANIZATIONS_SCHEMA)["name_compounds"]:
        first, *rest = match_form(word).split()
        if rest:
            tails.setdefault(first, []).append(" ".join(rest))
    return {first: re.compile(r"\s+(?:" + phrase_union(rest) + ")") for first, rest in tails.items()}


def _name_end(text: str, mf: str, end: int) -> int:
    """Where a name read up to ``end`` really ends: past the rest of a compound word its last
    capitalised syllable opens, then a level word and the capitalised place name after it."""
    while True:  # "Bộ Chỉ huy Quân sự tỉnh": one compound after another
        last = mf[mf.rfind(" ", 0, end) + 1 : end]
        tail = _compound_tails().get(last)
        found = tail.match(mf, end) if tail else None
        if not found:
            return end
        end = found.end()
        level = _LEVEL_WORD.match(mf, end)
        if level:
            end = level.end()
        rest = _REST.match(text, end)
        end = rest.end() if rest else end

_LEVELS = [
    (re.compile(r"trung ương|bộ chính trị|ban bí thư"), "central"),
    (re.compile(r"đảng (?:ủy|bộ) khối"), "bloc"),
    (re.compile(r"tỉnh ủy|đảng bộ tỉnh|đảng ủy tỉnh"), "province"),
    (re.compile(r"huyện ủy|quận ủy|thị ủy|đảng bộ (?:huyện|quận|thị xã)"), "district"),
    (re.compile(r"đảng (?:ủy|bộ) (?:xã|phường|thị trấn)"), "commune"),
    (re.compile(r"chi bộ"), "cell"),
    (re.compile(r"đảng (?:ủy|bộ) cơ sở"), "grassroots"),
]
_KINDS = [
    (re.compile(r"^ban thường vụ"), "standing_committee"),
    (re.compile(r"^thường trực"), "standing_office"),
    (re.compile(r"^ban chấp hành"), "executive_committee"),
    (re.compile(r"^(?:ban tuyên giáo|ban tổ chức|ban dân vận|ban nội chính|ủy ban kiểm tra|văn phòng)"), "board"),
    (re.compile(r"chi bộ"), "cell"),
    (re.compile(r"đảng bộ"), "party_organization"),
]


# The five centrally run cities: their Thành ủy is provincial, any other city's is district-level.
_CENTRAL_CITIES = {"hà nội", "hồ chí minh", "hải phòng", "đà nẵng", "cần thơ"}


@lru_cache(maxsize=4096)
def organization_level(name: str) -> str | None:
    """central, bloc, province, district, commune, cell or grassroots (None if unclear)."""
    low = match_form(name)
    if "thành ủy" in low:
        city = low.split("thành ủy", 1)[1].strip().removeprefix("tp").strip(". ")
        return "province" if not city or city in _CENTRAL_CITIES else "district"
    for pattern, level in _LEVELS:
        if pattern.search(low):
            return level
    return None


@lru_cache(maxsize=4096)
def organization_kind(name: str) -> str:
    low = match_form(name)
    for pattern, kind in _KINDS:
        if pattern.search(low):
            return kind
    return "committee"


def find_organizations(text: str) -> list[dict]:
    """Every Party organization the text names, in order."""
    mf = match_form(text)
    rows = []
    covered = 0
    for m in _CORE.finditer(mf):
        core, end = m.span()
        if core < covered:
            continue
        start = core
        if mf[max(0, start - 8) : start].rstrip().endswith(_PREFIX_LAST_WORDS):  # most have no prefix
            prefix = _PREFIX_REVERSED.match(mf[max(0, start - 45) : start][::-1])
            start -= prefix.end() if prefix else 0
            while start < core and mf[start].isspace():
                start += 1
        level = _LEVEL_WORD.match(mf, end)
        if level:
            end = level.end()
        rest = _REST.match(text, end)  # always matches, perhaps nothing
        assert rest is not None
        end = _name_end(text, mf, rest.end()) if rest.end() > end else end
        proper = " ".join(text[rest.start() : end].split())
        name = " ".join(text[start:end].split())
        covered = end
        if " " not in name:
            continue
        kind, level_name = _describe(name)
        rows.append({"name": name, "kind": kind, "level": level_name, "proper_name": proper or None, "start": start, "end": end})
    return rows


@lru_cache(maxsize=4096)
def _describe(name: str) -> tuple[str, str | None]:
    return organization_kind(name), organization_level(name)


def main_organization(orgs: list[dict]) -> str | None:
    """The most often named specific organization (one with a proper name), if any."""
    specific = [o["name"] for o in orgs if o["proper_name"]]
    if not specific:
        return None
    (name, count), *_ = Counter(specific).most_common(1)
    return name
