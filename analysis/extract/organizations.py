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

from ..clean.normalize import UPPER, match_form

_U = r"(?:ủy|uỷ|Ủy|Uỷ)"
_ORG = re.compile(
    r"(?P<kw>"
    r"(?:(?i:ban\s+thường\s+vụ|ban\s+chấp\s+hành|thường\s+trực)\s+)?"
    r"(?:(?i:ban\s+tuyên\s+giáo|ban\s+tổ\s+chức|ban\s+dân\s+vận|ban\s+nội\s+chính|" + _U + r"\s+ban\s+kiểm\s+tra|văn\s+phòng)\s+)?"
    r"(?i:đảng\s+" + _U + r"|đảng\s+bộ|huyện\s+" + _U + r"|tỉnh\s+" + _U + r"|thành\s+" + _U + r"|quận\s+" + _U +
    r"|thị\s+" + _U + r"|chi\s+bộ|trung\s+ương|bộ\s+chính\s+trị|ban\s+bí\s+thư)"
    r"(?:\s+(?P<level_word>Khối|khối|xã|phường|thị\s+trấn|huyện|quận|thị\s+xã|thành\s+phố|tỉnh|TP\.?|cơ\s+sở))?)"
    r"(?P<rest>(?:\s+" + UPPER + r"[^\s,.;:()“”\"]*)*)"  # the capitalised name that follows
)

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


def _proper_name(m: re.Match[str]) -> str:
    """The capitalised name after the organization words ("Phú Sơn"), possibly empty."""
    return " ".join(m.group("rest").split())


def organization_level(name: str, province_names: frozenset[str] = frozenset()) -> str | None:
    """central, bloc, province, district, commune, cell or grassroots (None if unclear)."""
    low = match_form(name)
    if low.startswith(("thành ủy", "ban thường vụ thành ủy")) or " thành ủy" in low:
        city = low.split("thành ủy", 1)[1].strip().removeprefix("tp").strip(". ")
        # Thành ủy of a centrally run city is provincial; of a provincial city, district-level.
        return "province" if not city or city in province_names or city in {"hà nội", "hồ chí minh", "hải phòng", "đà nẵng", "cần thơ"} else "district"
    for pattern, level in _LEVELS:
        if pattern.search(low):
            return level
    return None


def organization_kind(name: str) -> str:
    low = match_form(name)
    for pattern, kind in _KINDS:
        if pattern.search(low):
            return kind
    return "committee"


def find_organizations(text: str) -> list[dict]:
    """Every Party organization the text names, in order."""
    rows = []
    for m in _ORG.finditer(text):
        proper = _proper_name(m)
        name = " ".join([" ".join(m.group("kw").split()), proper]).strip()
        if len(name.split()) < 2:
            continue
        rows.append({"name": name, "kind": organization_kind(name), "level": organization_level(name),
                     "proper_name": proper or None, "start": m.start(), "end": m.end()})
    return rows


def main_organization(orgs: list[dict]) -> str | None:
    """The most often named specific organization (one with a proper name), if any."""
    specific = [o["name"] for o in orgs if o["proper_name"]]
    if not specific:
        return None
    (name, count), *_ = Counter(specific).most_common(1)
    return name
