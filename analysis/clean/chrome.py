"""Page-chrome detection: which lines of a scraped article are not the article.

In: a list of text lines (NFC). Out: a per-line verdict (``is_chrome_line``) and
the index where the page footer begins (``footer_start``). The vocabulary lives
in ``analysis/rules/chrome.yaml``; the decisions also use general features of
chrome blocks — counters ("Tất cả: 3762383"), pagination ("1 2 3 4 5 ..."),
contact lines (phone numbers, e-mail, URLs), lines of bare punctuation.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

from .normalize import match_form

_PHONE = re.compile(r"(?<!\d)(?:\+?84|0)\d{1,4}(?:[ .\-]?\d{2,4}){2,4}(?!\d)")
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
    data = yaml.safe_load(resources.files("analysis.rules").joinpath("chrome.yaml").read_text("utf-8"))
    return ChromeVocabulary(
        footer_markers=tuple(match_form(p) for p in data["footer_markers"]),
        chrome_lines=tuple(match_form(p) for p in data["chrome_lines"]),
        contact_phrases=tuple(match_form(p) for p in data["contact_phrases"]),
    )


def _bare(line: str) -> str:
    """Match form without bullets, trailing ':'/'>>' and surrounding space."""
    s = match_form(line).strip()
    s = re.sub(r"^[•·\-*>\s]+", "", s)
    s = re.sub(r"[\s:>»|.…]+$", "", s)
    return s


def _starts_with_phrase(text: str, phrase: str) -> bool:
    return text == phrase or (text.startswith(phrase) and not text[len(phrase)].isalnum())


def is_footer_marker(line: str) -> bool:
    """A short line such as "Các tin khác", "Thống kê truy cập", "Xem thêm >>"."""
    if len(line) > 80:
        return False
    s = _bare(line)
    if not s or len(s.split()) > 6:
        return False
    return any(_starts_with_phrase(s, m) and len(s) <= len(m) + 12 for m in vocabulary().footer_markers)


def is_contact_line(line: str) -> bool:
    """A line of a site's contact/ownership block (phone, e-mail, URL, 'Địa chỉ:' …)."""
    if len(line) > 400:  # a paragraph, even if it quotes a phone number
        return False
    if _EMAIL.search(line) or _URL.search(line) or _PHONE.search(line):
        return True
    s = _bare(line[:300])  # a contact line states its kind at the start
    phrases = vocabulary().contact_phrases
    # "- Địa chỉ: …", "Điện thoại: …" open a contact line; elsewhere only a short line counts.
    return any(_starts_with_phrase(s, p) for p in phrases) or (
        len(s.split()) <= 15 and any(p in s for p in phrases)
    )


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
    if len(s.split()) <= 8 and any(_starts_with_phrase(s, p) for p in vocabulary().chrome_lines):
        return True
    # A short line with a phone number or e-mail is a contact strip ("Hotline: 0903…").
    return len(s.split()) <= 20 and bool(_EMAIL.search(stripped) or _PHONE.search(stripped))


def footer_start(lines: list[str], body_start: int = 0) -> int:
    """Index of the first line of the page footer, or ``len(lines)`` if none.

    The footer begins at the first footer-marker line after ``body_start``
    unless a real paragraph (a long line that is not a contact line) follows it
    — then the marker was inside the article and is skipped. Trailing short
    chrome (pagination, bare punctuation, counters) is also footer.
    """
    n = len(lines)
    for i in range(body_start, n):
        if is_footer_marker(lines[i]):
            rest = lines[i + 1 :]
            if not any(len(r.split()) >= 40 and not is_contact_line(r) for r in rest):
                n = i
                break
    # Walk back over trailing chrome lines and blanks.
    while n > body_start and (not lines[n - 1].strip() or is_chrome_line(lines[n - 1]) or is_contact_line(lines[n - 1])):
        n -= 1
    return n
