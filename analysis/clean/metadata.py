"""Headline, publication date and byline read from an article's page header.

In: the article's lines (NFC, tidied). Out: ``read_header(lines)``, a ``Header``
saying which line is the headline, where the body starts, the publication date
and the byline the header states, and which header lines are page furniture;
and the small pure functions it is built from: ``parse_date_line`` (the date of
a line that is only a date), ``find_title`` (the headline's index) and
``parse_byline`` (the author of an author line).

Nothing is guessed. The headline is the first line that reads as one once
furniture (``chrome.yaml``), section bars and breadcrumbs, kickers ending in ":"
and date lines are passed over. The publication date is a date line of the
header: directly under the headline (alone or with the byline) first; else the
line directly above the headline; with no headline, a date line just before the
first paragraph. A date elsewhere above the headline may be the site's "today",
and a date inside the body is not the publication date. The vocabularies live in
``analysis/rules/header.yaml``.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import islice

from ..config import load_config_text
from ..patterns import phrase_union
from .chrome import cached_per_line, is_chrome_line, is_contact_line
from .normalize import match_form

HEADER_RULES = "header.yaml"
_LIST_KEYS = ("section_names", "header_chrome", "header_chrome_lines", "photo_credits", "date_words")
_WORD_KEYS = ("month_word", "year_word")


class HeaderRulesError(ValueError):
    """``header.yaml`` is malformed; the message says which key."""


@dataclass(frozen=True)
class HeaderVocabulary:
    """The compiled phrases of ``header.yaml`` (patterns run on match form)."""

    section: re.Pattern[str]  # one section name at the start of a text
    header_chrome: re.Pattern[str]  # a furniture phrase at the start of a text
    header_chrome_lines: frozenset[str]  # furniture lines, whole (match form, bare)
    photo_credit: re.Pattern[str]  # a photo credit at the start of a text
    date_words: re.Pattern[str]  # any date word
    spelled_date: re.Pattern[str]  # "7 tháng 11, 2020", "ngày 7 tháng 11 năm 2020", "3 tháng hai, 2020"
    month_first_date: re.Pattern[str]  # "tháng hai 3, 2020"
    month_names: dict[str, int]  # match form -> month number


def vocabulary_from(data: object, where: str = HEADER_RULES) -> HeaderVocabulary:
    """Check and compile header rules given as parsed YAML; errors say where."""
    if not isinstance(data, dict):
        raise HeaderRulesError(f"{where}: expected a mapping of {', '.join(_LIST_KEYS + _WORD_KEYS)}")
    lists: dict[str, list[str]] = {}
    for key in _LIST_KEYS:
        value = data.get(key)
        if not isinstance(value, list) or not value:
            raise HeaderRulesError(f"{where}: '{key}' must be a non-empty list of phrases")
        for n, phrase in enumerate(value, 1):
            if not isinstance(phrase, str) or not phrase.strip():
                raise HeaderRulesError(f"{where}: '{key}' item {n} must be a non-empty string, got {phrase!r}")
        lists[key] = [" ".join(match_form(p).split()) for p in value]
    words: dict[str, str] = {}
    for key in _WORD_KEYS:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            raise HeaderRulesError(f"{where}: '{key}' must be one word")
        words[key] = re.escape(match_form(value.strip()))
    months = data.get("month_names")
    if not isinstance(months, dict) or not months:
        raise HeaderRulesError(f"{where}: 'month_names' must map month words to month numbers")
    for name, number in months.items():
        if not isinstance(name, str) or not name.strip() or not isinstance(number, int) or not 1 <= number <= 12:
            raise HeaderRulesError(f"{where}: 'month_names' entry {name!r}: {number!r} must be a word and a month 1-12")
    month_names = {" ".join(match_form(k).split()): int(v) for k, v in months.items()}
    month = r"(\d{1,2}|" + phrase_union(month_names) + ")"
    unknown = set(data) - set(_LIST_KEYS) - set(_WORD_KEYS) - {"month_names"}
    if unknown:
        raise HeaderRulesError(f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}")
    return HeaderVocabulary(
        section=re.compile(phrase_union(lists["section_names"])),
        header_chrome=re.compile(phrase_union(lists["header_chrome"])),
        header_chrome_lines=frozenset(lists["header_chrome_lines"]),
        photo_credit=re.compile(phrase_union(lists["photo_credits"])),
        date_words=re.compile(phrase_union(lists["date_words"])),
        spelled_date=re.compile(
            rf"(?<!\d)(\d{{1,2}})\s+{words['month_word']}\s+{month}\s*(?:,\s*|\s+)(?:{words['year_word']}\s+)?(\d{{4}})(?!\d)"
        ),
        month_first_date=re.compile(rf"{words['month_word']}\s+{month}\s+(\d{{1,2}})\s*,\s*(\d{{4}})(?!\d)"),
        month_names=month_names,
    )


@lru_cache(maxsize=1)
def vocabulary() -> HeaderVocabulary:
    """The packaged header rules (cached: they are immutable)."""
    source = resources.files("analysis.rules").joinpath(HEADER_RULES)
    return vocabulary_from(load_config_text(source.read_text("utf-8"), {"type": "object"}, str(source)))


# Day-month-year with "/", "." or "-" ("07-11-2020", "7.11.2020"); year-month-day ("2015-04-02").
_DMY = re.compile(r"(?<!\d)(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})(?!\d)")
_YMD = re.compile(r"(?<![\d/.\-])(\d{4})\s*[/\-]\s*(\d{1,2})\s*[/\-]\s*(\d{1,2})(?![\d/])")
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_TIME = re.compile(r"(?<!\d)\d{1,2}\s*[:h]\s*\d{2}(?::\d{2})?(?!\d)", re.I)
_UTC_OFFSET = re.compile(r"[+-]\s*\d{1,2}(?::?\d{2})?(?!\d)")
_BYLINE_PREFIX = re.compile(
    r"^(?:bài\s*(?:,|và)\s*ảnh|tin\s*(?:,|-|và)\s*ảnh|bài|tin|ảnh|thực\s+hiện|nhóm\s+phóng\s+viên|"
    r"theo|nguồn|tác\s+giả|pv|ctv)\s*[:.\-]?\s+(?=\S)",
    re.I,
)
_SENTENCE_END = re.compile(r"[.!?;]\s*$")
_SEPARATORS = re.compile(r"[\s\-–—>»›|/:,•·]*")
_TRAILING_COLON = re.compile(r":\s*$")
_BRACKETS = re.compile(r"[\[\]()]")
_COUNT = re.compile(r"^[\d.,]+$")
_HEADER_LINE = 300  # characters: a longer line is a paragraph, never header furniture


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


def _month(text: str, words: HeaderVocabulary) -> int:
    text = " ".join(text.split())
    return int(text) if text.isdigit() else words.month_names.get(text, 0)


def _find_date(line: str) -> tuple[dt.date, int, int] | None:
    """The first full date written in ``line`` with its span, or None."""
    mf = match_form(line)
    found: list[tuple[int, int, dt.date]] = []
    for m in _DMY.finditer(line):
        value = _valid_date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        if value:
            found.append((m.start(), m.end(), value))
            break
    words = vocabulary()
    for m in words.spelled_date.finditer(mf):
        value = _valid_date(int(m.group(3)), _month(m.group(2), words), int(m.group(1)))
        if value:
            found.append((m.start(), m.end(), value))
            break
    for m in words.month_first_date.finditer(mf):
        value = _valid_date(int(m.group(3)), _month(m.group(1), words), int(m.group(2)))
        if value:
            found.append((m.start(), m.end(), value))
            break
    for m in _YMD.finditer(line):
        value = _valid_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if value:
            found.append((m.start(), m.end(), value))
            break
    if not found:
        return None
    start, end, value = min(found, key=lambda f: f[0])
    return value, start, end


def split_date_line(line: str) -> tuple[dt.date, str] | None:
    """A header date line as (date, the words left beside it), or None.

    The words left are what remains once the date, clock times, UTC offsets,
    date words ("Cập nhật lúc", "Thứ Hai", "gửi vào") and separators are
    removed: a label, a place or an author ("XUÂN TRUNG - 07/11/2020").
    """
    if len(line) > 120:
        return None
    hit = _find_date(line)
    if hit is None:
        return None
    value, start, end = hit
    rest = line[:start] + " " + line[end:]
    rest = _UTC_OFFSET.sub(" ", _TIME.sub(" ", rest))
    mf = match_form(rest)
    pieces, last = [], 0
    for m in vocabulary().date_words.finditer(mf):  # match form has the same offsets
        pieces.append(rest[last : m.start()])
        last = m.end()
    pieces.append(rest[last:])
    left = " ".join(_BRACKETS.sub(" ", " ".join(pieces)).split())
    return value, left.strip(" -–|,:")


def parse_date_line(line: str) -> dt.date | None:
    """The date of a line that is only a date ("13/11/2023", "Thứ Bảy, 7 tháng 11,
    2020", "Cập nhật, 08:15, Thứ Hai, 03/02/2020", "quantri gửi vào T5,
    2015-04-02 14:47", "Thời sự 16-06-2018"); None for a sentence that merely
    contains a date."""
    split = split_date_line(line)
    if split is None:
        return None
    value, left = split
    n = len([w for w in _words(left) if not _COUNT.match(w)])  # "Lượt xem: 1.234", "| 0"
    # A category label, a place or an author may stand beside the date; a clause may not.
    if n > 4 and not (n <= 8 and _BYLINE_PREFIX.match(left) and parse_byline(left)):
        return None
    if _SENTENCE_END.search(line.strip()) and n > 2:
        return None
    return value


def parse_iso_date(value: str) -> dt.date | None:
    """A full ISO date ("2025-09-19") or None (partial dates are not dates)."""
    m = _ISO_DATE.search(value or "")
    if not m:
        return None
    return _valid_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))


def _past_separators(text: str, pos: int) -> int:
    m = _SEPARATORS.match(text, pos)
    return m.end() if m else pos


def _strip_sections(line: str) -> tuple[int, str]:
    """How many section names open ``line`` (with separators between) and what follows them."""
    mf = match_form(line)
    section = vocabulary().section
    count, pos = 0, 0
    while (m := section.match(mf, _past_separators(mf, pos))) and m.end() > m.start():
        count, pos = count + 1, m.end()
    return count, line[_past_separators(mf, pos) :] if count else line


@cached_per_line
def is_section_line(line: str) -> bool:
    """A section bar or breadcrumb made only of section names ("Thời sự Chính trị",
    "Tin tức - Sự kiện Tin hoạt động", "Chỉ đạo, Điều hành")."""
    if len(line) > _HEADER_LINE:
        return False
    count, rest = _strip_sections(line)
    return count > 0 and not _words(rest)


@cached_per_line
def opens_with_breadcrumb(line: str) -> bool:
    """A line led by a section path ("Chi tiết - Huyện Vĩnh Linh", "Thời Sự - Chính trị
    Hướng tới Đại hội …"): two section names, or one and a separator."""
    if len(line) > _HEADER_LINE:
        return False
    count, rest = _strip_sections(line)
    if not count or not _words(rest):
        return False
    if count >= 2:
        return True
    head = line[: len(line) - len(rest)]
    return bool(re.search(r"[\-–—>»›|/:]\s*$", head))


@cached_per_line
def is_header_chrome(line: str) -> bool:
    """Page furniture: chrome lines (``chrome.yaml``) and the header's own
    (skip links, print buttons, weather widgets …)."""
    s = line.strip()
    if len(s) > _HEADER_LINE:  # a paragraph
        return False
    if is_chrome_line(s) or is_contact_line(s):
        return True
    if len(_words(s)) > 8:
        return False
    lead = match_form(s).lstrip("•·-*[( ")
    words = vocabulary()
    return " ".join(lead.strip("[]()|:.,>» ").split()) in words.header_chrome_lines or bool(words.header_chrome.match(lead))


@cached_per_line
def is_kicker(line: str) -> bool:
    """A short lead-in or label ending in ":" ("Kỷ niệm 95 năm thành lập Đảng:", "Độ ẩm:")."""
    s = line.strip()
    return len(s) <= _HEADER_LINE and bool(_TRAILING_COLON.search(s)) and len(_words(s)) <= 14


@cached_per_line
def is_photo_credit(line: str) -> bool:
    """A photo credit line ("Ảnh: Hoàng Luân", "(Ảnh minh họa)", "Nguồn ảnh: TTXVN")."""
    s = match_form(line.strip()).lstrip("([ ")
    m = vocabulary().photo_credit.match(s)
    if not m or len(_words(s)) > 8:
        return False
    rest = s[m.end() :].lstrip()
    return not rest or rest[0] in ":)]-–"


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
    return not is_header_chrome(s) and parse_date_line(s) is None and not is_kicker(s) and not is_section_line(s)


@cached_per_line
def is_time_line(line: str) -> bool:
    """A clock time alone ("08:15", "08:15 AM (GMT+7)"), printed apart from its date."""
    s = line.strip()
    if len(s) > 40 or not _TIME.search(s):
        return False
    rest = _UTC_OFFSET.sub(" ", _TIME.sub(" ", s))
    rest = vocabulary().date_words.sub(" ", match_form(rest))
    return not _words(rest)


def _skippable(line: str) -> bool:
    """Header lines passed over on the way to the headline: furniture, dates and times,
    section bars, kickers, and one-word lines ("Home", a menu item), which are no paragraph."""
    return (is_header_chrome(line) or parse_date_line(line) is not None or is_section_line(line) or is_kicker(line)
            or is_time_line(line) or (len(line) <= 60 and len(_words(line)) == 1))


def find_title(lines: list[str], limit: int = 20) -> int | None:
    """Index of the headline among the first ``limit`` non-blank lines, or None.

    Furniture, date lines, section bars and kickers are skipped; a short line
    (four words or fewer) or a line led by a breadcrumb is skipped when a longer
    headline follows it; a body paragraph met first means the text has no headline.
    """
    candidates = list(islice((i for i, line in enumerate(lines) if line.strip()), limit))
    for pos, i in enumerate(candidates):
        line = lines[i].strip()
        if _skippable(line):
            continue
        if not looks_like_headline(line):
            return None
        below = next((lines[j] for j in candidates[pos + 1 :]), None)
        if below is not None and is_photo_credit(below):
            return None  # a photo caption: the text opens with its first picture
        if len(_words(line)) <= 4 or opens_with_breadcrumb(line):
            later = (lines[j] for j in candidates[pos + 1 :])
            following = next((x for x in later if not _skippable(x)), None)
            if following is not None and looks_like_headline(following) and len(_words(following)) >= 5:
                continue  # a breadcrumb or section name before the real headline
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


@dataclass(frozen=True)
class Header:
    """What an article's header states, as indices into its lines."""

    title_at: int | None  # the headline's line, if the text has one
    body_start: int  # the first line of the body
    published: dt.date | None
    byline: str | None
    furniture: tuple[int, ...]  # header lines that are not article text (site bar, breadcrumbs, date lines)


def _byline_of(line: str) -> str | None:
    """The author of an author line under a headline (only lines that look like one)."""
    if "|" in line or ":" in line or line.isupper():
        name = parse_byline(line)
        return name.rstrip("| ").strip() if name else None
    return None


def _name_over_date(lines: list[str], j: int) -> str | None:
    """An author's name alone on a line ("Minh Thư") directly above the date line."""
    name = parse_byline(lines[j])
    if name is None:
        return None
    below = next((x for x in lines[j + 1 : j + 3] if x.strip()), None)
    return name if below is not None and parse_date_line(below) is not None else None


def read_header(lines: list[str], title_at: int | None = None, below: int = 6, limit: int = 20) -> Header:
    """Read the header of an article's lines: headline, date, byline, body start.

    ``title_at`` is the headline's index when the source named it; otherwise the
    headline is looked for (``find_title``).
    """
    if title_at is None:
        title_at = find_title(lines, limit)
    if title_at is None:
        return _header_without_title(lines, limit)
    furniture = [i for i in range(title_at) if lines[i].strip()]
    title = " ".join(lines[title_at].split())
    published: dt.date | None = None
    byline: str | None = None
    body_start = title_at + 1
    seen = 0
    for j in range(title_at + 1, len(lines)):
        line = lines[j]
        if not line.strip():
            continue
        seen += 1
        if seen > below:
            break
        split = split_date_line(line)
        if split is not None and parse_date_line(line) is not None:
            published = published or split[0]
            byline = byline or (parse_byline(split[1]) if split[1] else None)
        elif (is_header_chrome(line) or is_section_line(line) or is_time_line(line)
              or (opens_with_breadcrumb(line) and len(_words(line)) <= 8)):
            pass
        elif " ".join(line.split()) == title:  # the headline printed twice
            pass
        elif (name := _byline_of(line) or _name_over_date(lines, j)) is not None:
            byline = byline or name
        else:
            break
        furniture.append(j)
        body_start = j + 1
    if published is None:  # the line directly above the headline
        above = next((i for i in range(title_at - 1, -1, -1) if lines[i].strip()), None)
        if above is not None:
            published = parse_date_line(lines[above])
    return Header(title_at, body_start, published, byline, tuple(furniture))


def _header_without_title(lines: list[str], limit: int, near: int = 3) -> Header:
    """No headline: furniture and date lines before the first paragraph are the header;
    a date counts when it stands within ``near`` lines of the first paragraph."""
    furniture: list[int] = []
    dates: list[tuple[int, dt.date]] = []
    body_start = 0
    for i, line in enumerate(lines):
        if len(furniture) >= limit:
            break
        if not line.strip():
            continue
        date = parse_date_line(line)
        if date is not None:
            dates.append((len(furniture), date))
        elif not (is_header_chrome(line) or is_section_line(line) or is_time_line(line)):
            break
        furniture.append(i)
        body_start = i + 1
    published = next((d for at, d in reversed(dates) if len(furniture) - at <= near), None)
    if body_start >= len(lines) or not any(x.strip() for x in lines[body_start:]):
        return Header(None, 0, None, None, ())  # nothing but header: keep it as text
    return Header(None, body_start, published, None, tuple(furniture))
