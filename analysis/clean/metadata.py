"""Headline, publication date and byline read from an article's own text.

In: the article's lines (NFC). Out: small pure functions that find the headline
line (``find_title``), a date line that states the publication date
(``parse_date_line``), and the author line (``parse_byline``). Nothing is
guessed: a date counts only when a line of the page header states it.
"""
from __future__ import annotations

import datetime as dt
import re

from .chrome import is_chrome_line, is_contact_line

_DATE = re.compile(r"(?<!\d)(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})(?!\d)")
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_TIME = re.compile(r"(?<!\d)\d{1,2}[:h]\d{2}(?::\d{2})?\s*(?:AM|PM|SA|CH)?", re.I)
_DATE_NOISE = re.compile(
    r"\b(?:thứ\s+(?:hai|ba|tư|năm|sáu|bảy)|chủ\s+nhật|cập\s+nhật(?:\s+lúc)?|ngày|đăng\s+lúc|"
    r"gmt\s*[+-]\s*\d+|lúc|giờ|utc)\b|[|,()\-–:]",
    re.I,
)
_BYLINE_PREFIX = re.compile(
    r"^(?:bài\s*(?:,|và)\s*ảnh|tin\s*(?:,|-|và)\s*ảnh|bài|tin|ảnh|thực\s+hiện|nhóm\s+phóng\s+viên|"
    r"theo|nguồn|tác\s+giả|pv|ctv)\s*[:.\-]?\s+(?=\S)",
    re.I,
)
_SENTENCE_END = re.compile(r"[.!?;]\s*$")


def _words(line: str) -> list[str]:
    """Tokens that contain a letter or digit (a lone "-" or "|" is not a word)."""
    return [w for w in line.split() if any(ch.isalnum() for ch in w)]


def _valid_date(year: int, month: int, day: int, today: dt.date | None = None) -> dt.date | None:
    try:
        value = dt.date(year, month, day)
    except ValueError:
        return None
    today = today or dt.date.today()
    return value if dt.date(1945, 1, 1) <= value <= today + dt.timedelta(days=1) else None


def parse_date_line(line: str) -> dt.date | None:
    """The date of a header line that is only a date ("13/11/2023",
    "12/08/2022 | 08:04 GMT+7", "Cập nhật lúc 22:38, Thứ Hai, 08/10/2018 (GMT+7)",
    "Thời sự 16-06-2018"); None for a sentence that merely contains a date."""
    if len(line) > 100:
        return None
    m = _DATE.search(line)
    if not m:
        return None
    rest = _DATE_NOISE.sub(" ", _TIME.sub(" ", line[: m.start()] + " " + line[m.end() :]))
    # A category label or a place may precede the date; a clause may not.
    if len(_words(rest)) > 4 or _SENTENCE_END.search(line.strip()) and len(_words(rest)) > 2:
        return None
    day, month, year = (int(g) for g in m.groups())
    return _valid_date(year, month, day)


def parse_iso_date(value: str) -> dt.date | None:
    """A full ISO date ("2025-09-19") or None (partial dates are not dates)."""
    m = _ISO_DATE.search(value or "")
    if not m:
        return None
    return _valid_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))


def looks_like_headline(line: str) -> bool:
    """A single short line that does not read as a body paragraph."""
    s = line.strip()
    if len(s) > 250:
        return False
    n = len(_words(s))
    if n < 2:
        return False
    if s.endswith(".") and not s.endswith("..."):
        return False
    return not is_chrome_line(s) and not is_contact_line(s) and parse_date_line(s) is None


def find_title(lines: list[str], limit: int = 8) -> int | None:
    """Index of the headline among the first ``limit`` non-blank lines, or None.

    Chrome lines, date lines and short breadcrumbs ("Chỉ đạo, Điều hành",
    "Thời sự Chính trị": four words or fewer, followed by a longer headline) are
    skipped; a body paragraph met first means the text has no headline.
    """
    candidates = [i for i, line in enumerate(lines) if line.strip()][:limit]
    for pos, i in enumerate(candidates):
        line = lines[i].strip()
        if is_chrome_line(line) or is_contact_line(line) or parse_date_line(line) is not None:
            continue
        if not looks_like_headline(line):
            return None
        if len(_words(line)) <= 4:
            later = [lines[j] for j in candidates[pos + 1 :]]
            following = next((x for x in later if not is_chrome_line(x) and parse_date_line(x) is None), None)
            if following is not None and looks_like_headline(following) and len(_words(following)) >= 5:
                continue  # breadcrumb before the real headline
        return i
    return None


def parse_byline(line: str) -> str | None:
    """The author of an author line ("Bài, ảnh: TRƯỜNG SƠN", "Tôn Đức Tài",
    "BẢO NGUYÊN |", "Theo VOV"), or None if the line is not one."""
    s = line.strip().strip("|").strip()
    if not s or len(s) > 60 or any(ch.isdigit() for ch in s) or _SENTENCE_END.search(s):
        return None
    m = _BYLINE_PREFIX.match(s)
    if m:
        name = s[m.end() :].strip()
        return s if name and len(_words(name)) <= 6 else None
    words = _words(s)
    if not 1 <= len(words) <= 5 or is_chrome_line(s):
        return None
    # Names: every word capitalised ("Phú Lũy", "LÊ SÁU"), at most one connector.
    capitalised = [w for w in words if w[:1].isupper()]
    return s if len(capitalised) == len(words) and len(words) >= 2 else None
