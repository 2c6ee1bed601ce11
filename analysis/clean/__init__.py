"""Clean step: raw article text in, article body and header metadata out.

``clean_document(raw_text, title=None, published=None)`` returns a
``CleanDocument`` with the NFC body ``text`` (page chrome, headline, date line
and byline removed), the ``title``, ``published`` date and ``byline`` the text
states, and ``chrome_text`` (the removed furniture, kept because a site's name
in it says where the article comes from). The raw text itself is never changed
here; the loader keeps it next to the cleaned text.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .chrome import footer_start, is_chrome_line, is_contact_line
from .metadata import parse_byline, parse_iso_date, read_header
from .normalize import match_form, nfc, unify_tone_placement

__all__ = ["CleanDocument", "clean_document", "match_form", "nfc", "unify_tone_placement"]

# Crawlers sometimes prefix the text with " date 2021-12 " (the crawl's metadata).
_META_DATE_PREFIX = re.compile(r"^\s*date\s+(\d{4}-\d{2}(?:-\d{2})?)\s+")
# Blanks other than the plain space: tab, no-break, the typographic spaces, ideographic space.
_ODD_SPACES = ("\t", "\u00a0", "\u202f", "\u3000", *map(chr, range(0x2000, 0x200C)))
# Blank space to rewrite as one space: runs of two or more, and any lone odd blank (a lone
# plain space needs no rewrite, and matching every one made cleaning slow).
_ODD_SPACE = re.compile("[ {0}]{{2,}}|[{0}]".format("".join(_ODD_SPACES)))


def _needs_spacing(line: str) -> bool:
    # str.find-based checks skip through a line far faster than a regex scan.
    return "  " in line or any(space in line for space in _ODD_SPACES)


@dataclass(frozen=True)
class CleanDocument:
    """What the clean step knows about one article."""

    text: str
    title: str | None
    published: dt.date | None
    byline: str | None
    chrome_text: str


def _tidy_lines(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Most lines have only single ordinary spaces: two fast checks spare them the rewrite.
    if not _needs_spacing(text):
        return [line.strip() for line in text.split("\n")]
    return [_ODD_SPACE.sub(" ", line).strip() for line in text.split("\n")]


def clean_document(raw_text: str, title: str | None = None, published: dt.date | None = None) -> CleanDocument:
    """Split a raw article into body, headline, date, byline and chrome.

    ``title``/``published`` given by the source record win over what the text
    says; the headline line is still removed from the body when it is found.
    """
    text = nfc(raw_text)
    meta = _META_DATE_PREFIX.match(text)
    if meta:
        published = published or parse_iso_date(meta.group(1))
        text = text[meta.end() :]
    lines = _tidy_lines(text)
    chrome: list[str] = []
    byline: str | None = None

    title_at: int | None = None
    if title:
        # The source named the headline: remove it from the body if the text repeats it.
        wanted = " ".join(nfc(title).split())
        title_at = next((i for i, x in enumerate(lines[:10]) if x and x == wanted), None)
    given_title = title_at is not None or bool(title)
    header = read_header(lines, title_at) if title_at is not None or not title else None
    body_start = 0
    if header is not None:
        published = published or header.published
        byline = header.byline
        body_start = header.body_start
        # Header furniture (site bar, today's date, breadcrumbs, date line) is not body.
        chrome.extend(lines[i] for i in header.furniture)
        if header.title_at is not None:
            title = title or lines[header.title_at]

    end = footer_start(lines, body_start)
    if header is not None and header.title_at is not None and not given_title and not any(lines[body_start:end]):
        # Only a headline-like line and no body: that line is the text, not a headline.
        title, body_start = None, header.title_at
        chrome = [lines[i] for i in header.furniture if i < header.title_at]
        end = footer_start(lines, body_start)
    chrome.extend(x for x in lines[end:] if x)
    body = lines[body_start:end]
    # The last body line is the author line when it reads as one.
    while body and not body[-1]:
        body.pop()
    if body:
        name = parse_byline(body[-1])
        if name:
            byline = byline or name
            body.pop()
    kept: list[str] = []
    for line in body:
        if line and len(line) < 200 and (is_chrome_line(line) or (is_contact_line(line) and len(line.split()) <= 12)):
            chrome.append(line)
        else:
            kept.append(line)
    body_text = "\n".join(kept)
    if "\n\n\n" in body_text:
        body_text = re.sub(r"\n{3,}", "\n\n", body_text)
    body_text = body_text.strip()
    return CleanDocument(
        text=body_text,
        title=nfc(title).strip() if title else None,
        published=published,
        byline=byline,
        chrome_text="\n".join(chrome),
    )
