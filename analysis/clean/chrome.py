"""Page-chrome detection: which lines of a scraped article are not the article.

In: a list of text lines (NFC). Out: a per-line verdict (``is_chrome_line``) and
the index where the page footer begins (``footer_start``). The vocabulary lives
in ``analysis/rules/chrome.yaml``; the decisions also use general features of
chrome blocks — counters ("Tất cả: 3762383"), pagination ("1 2 3 4 5 ..."),
contact lines (phone numbers, e-mail, URLs), lines of bare punctuation.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, update_wrapper

from ..config import CHROME_SCHEMA, load_config_text, rules_file
from ..patterns import phrase_union
from .normalize import match_form

# A phone number: +84 / 84 / 0 not preceded by a digit, then 9-10 more digits in groups. Each
# branch opens with its first character (the look-behind comes after it) so that a search
# jumps from one "+", "8" or "0" to the next instead of trying every position.
_PHONE = re.compile(r"(?:\+84(?<!\d\+84)|84(?<!\d84)|0(?<!\d0))\d{1,4}(?:[ .\-]?\d{2,4}){2,4}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
_URL = re.compile(r"https?://|www\.", re.I)
_COUNTER = re.compile(r"^[•·\-*\s]*[^\W\d_][^:]{0,30}:\s*[\d .,]+$")
_PAGINATION = re.compile(r"^[\d\s.…<>«»|/-]+$")
_PUNCT_ONLY = re.compile(r"^[\W_]+$")


@dataclass(frozen=True)
class ChromeVocabulary:
    """Phrases from ``chrome.yaml`` in match form."""

    footer_markers: tuple[str, ...]
    chrome_lines: tuple[str, ...]
    contact_phrases: tuple[str, ...]


@lru_cache(maxsize=1)
def vocabulary() -> ChromeVocabulary:
    """Load the packaged chrome vocabulary (cached: it is immutable)."""
    source = rules_file("chrome.yaml")
    data = load_config_text(source.read_text("utf-8"), CHROME_SCHEMA, str(source))
    return ChromeVocabulary(
        footer_markers=tuple(match_form(p) for p in data["footer_markers"]),
        chrome_lines=tuple(match_form(p) for p in data["chrome_lines"]),
        contact_phrases=tuple(match_form(p) for p in data["contact_phrases"]),
    )


class cached_per_line:  # noqa: N801 - used as a decorator, named like one
    """A line check with its answers for short lines cached: the header and footer checks
    ask them of the same lines several times per page, and a site repeats its chrome lines
    on every page. Only short lines (furniture is short) are kept, so the cache stays small
    whatever the pages hold."""

    def __init__(self, check: Callable[[str], bool]) -> None:
        self._check = check
        self._cached = lru_cache(maxsize=2048)(check)
        update_wrapper(self, check)

    def __call__(self, line: str) -> bool:
        return self._cached(line) if len(line) <= _CACHED_LINE else self._check(line)

    def cache_clear(self) -> None:
        self._cached.cache_clear()


_CACHED_LINE = 300  # characters


_LEADING_BULLETS = re.compile(r"^[•·\-*>\s]+")
_TRAILING_MARKS = re.compile(r"[\s:>»|.…]+$")


def _bare(line: str) -> str:
    """Match form without bullets, trailing ':'/'>>' and surrounding space."""
    s = match_form(line).strip()
    return _TRAILING_MARKS.sub("", _LEADING_BULLETS.sub("", s))


@lru_cache(maxsize=4)
def _opening(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """Matches, at the start of a text, the longest of ``phrases`` that is not followed by a
    letter or digit (one anchored match instead of a loop over the phrases)."""
    return re.compile(phrase_union(phrases, boundaries=False) + r"(?![^\W_])") if phrases else re.compile(r"(?!)")


def _opens_with(text: str, phrases: tuple[str, ...]) -> re.Match[str] | None:
    return _opening(phrases).match(text)


def _has_email(line: str) -> bool:
    return "@" in line and bool(_EMAIL.search(line))


def _has_url(line: str) -> bool:
    return ("://" in line or "ww." in line.lower()) and bool(_URL.search(line))


@cached_per_line
def is_footer_marker(line: str) -> bool:
    """A short line such as "Các tin khác", "Thống kê truy cập", "Xem thêm >>"."""
    if len(line) > 80:
        return False
    s = _bare(line)
    if not s or len(s.split()) > 6:
        return False
    marker = _opens_with(s, vocabulary().footer_markers)  # the longest: the length test is kindest to it
    return marker is not None and len(s) <= marker.end() + 12


@cached_per_line
def is_contact_line(line: str) -> bool:
    """A line of a site's contact/ownership block (phone, e-mail, URL, 'Địa chỉ:' …)."""
    if len(line) > 400:  # a paragraph, even if it quotes a phone number
        return False
    if _has_email(line) or _has_url(line) or _PHONE.search(line):
        return True
    s = _bare(line[:300])  # a contact line states its kind at the start
    phrases = vocabulary().contact_phrases
    # "- Địa chỉ: …", "Điện thoại: …" open a contact line; elsewhere only a short line counts.
    return _opens_with(s, phrases) is not None or (len(s.split()) <= 15 and any(p in s for p in phrases))


@cached_per_line
def is_chrome_line(line: str) -> bool:
    """True for a line that is page furniture wherever it appears."""
    stripped = line.strip()
    if not stripped or len(stripped) > 300:  # a paragraph, not furniture
        return False
    if _PUNCT_ONLY.match(stripped) or _PAGINATION.match(stripped):
        return True
    if _COUNTER.match(stripped) and len(stripped) < 50:
        return True
    if is_footer_marker(stripped):
        return True
    s = _bare(stripped)
    if len(s.split()) <= 8 and _opens_with(s, vocabulary().chrome_lines):
        return True
    # A short line with a phone number or e-mail is a contact strip ("Hotline: 0903…").
    return len(s.split()) <= 20 and bool(_has_email(stripped) or _PHONE.search(stripped))


def _is_paragraph(line: str) -> bool:
    """A long line that is not a contact line: article text, wherever it stands."""
    return len(line.split()) >= 40 and not is_contact_line(line)


def footer_start(lines: list[str], body_start: int = 0) -> int:
    """Index of the first line of the page footer, or ``len(lines)`` if none.

    The footer begins at the first footer-marker line after ``body_start``
    unless a real paragraph (a long line that is not a contact line) follows it
    — then the marker was inside the article and is skipped. Trailing short
    chrome (pagination, bare punctuation, counters) is also footer.
    """
    n = len(lines)
    # The last real paragraph, found once (testing the lines after every marker was
    # quadratic on a page of thousands of "Xem thêm" lines).
    last_paragraph = next((i for i in range(n - 1, body_start - 1, -1) if _is_paragraph(lines[i])), -1)
    for i in range(body_start, n):
        if i >= last_paragraph and is_footer_marker(lines[i]):
            n = i
            break
    # Walk back over trailing chrome lines and blanks.
    while n > body_start and (not lines[n - 1].strip() or is_chrome_line(lines[n - 1]) or is_contact_line(lines[n - 1])):
        n -= 1
    return n
