"""Periods: when a figure stands — the date, year or span a sentence states for it.

In: a sentence (and where its figure is in it), the article's publication date
and the year the article is about (``document_year``). Out: ``period_of`` →
a ``Period``: its kind (``as_of`` a date, a calendar ``year``, a ``range`` of
years, ``months`` of a year, a ``date``), its first and last day, the words
that state it, and ``source`` — ``sentence`` (stated there), ``published``
(the sentence states none: the publication date), ``document`` (neither: the
year the article reports on), ``anniversary`` (only an anniversary date) or
``none``.

Anniversary spans ("kỷ niệm 105 năm … (7-11-1917 – 7-11-2022)",
"3/2/1930-3/2/2018") are not periods of a figure; "qua 5 năm" is a five-year
span ending in the reference year, not one year. The words are data
(``analysis/rules/facts.yaml``, section ``periods``); dates and numbers are read here.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .clean.normalize import match_form
from .patterns import phrase_union

_Y = r"(?:19|20)\d{2}"
_DMY = rf"(?P<d>\d{{1,2}})\s*[/.-]\s*(?P<m>\d{{1,2}})\s*[/.-]\s*(?P<y>{_Y})"
_WORDY_DATE = rf"ngày\s+(?P<d2>\d{{1,2}})\s+tháng\s+(?P<m2>\d{{1,2}})\s+năm\s+(?P<y2>{_Y})"
_DASH = r"\s*[-–—]\s*"
# A date or a bare year, either end of a span: "7-11-1917", "3/2/1930", "1930".
_END = rf"(?:\d{{1,2}}\s*[/.-]\s*\d{{1,2}}\s*[/.-]\s*)?{_Y}"
_SPAN = re.compile(rf"(?<![\d/.-])(?P<a>{_END}){_DASH}(?P<b>{_END})(?![\d/])")
_QUARTERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}


class PeriodRulesError(ValueError):
    """The periods vocabulary is not valid; the message says where."""


@dataclass(frozen=True)
class Period:
    """When a figure stands: ``start``..``end`` (both None when unknown)."""

    kind: str  # as_of, year, range, months, date, none
    start: dt.date | None
    end: dt.date | None
    text: str | None
    source: str  # sentence, published, document, anniversary, none

    @property
    def year(self) -> int | None:
        """The calendar year of the period, if it lies within one."""
        if self.start is None or self.end is None or self.start.year != self.end.year:
            return None
        return self.end.year

    @property
    def multi_year(self) -> bool:
        return self.start is not None and self.end is not None and self.start.year != self.end.year


NO_PERIOD = Period("none", None, None, None, "none")


@dataclass(frozen=True, eq=False)
class PeriodVocabulary:
    """The compiled ``periods`` section of the facts rules."""

    regexes: tuple[tuple[str, re.Pattern[str]], ...]  # (kind, regex) in the order they are tried
    anniversary: re.Pattern[str]
    comparison: re.Pattern[str]  # ends with a comparison word ("so với … cuối năm 2017")
    numbers: dict[str, int]
    earliest_year: int


def _union(words: list[str], where: str) -> str:
    if not words:
        raise PeriodRulesError(f"{where}: needs at least one phrase")
    return phrase_union(match_form(str(w)) for w in words)


def compile_periods(section: dict, where: str = "periods") -> PeriodVocabulary:
    """Compile the ``periods`` section (phrases in match form) into the regexes ``find_periods`` tries."""
    required = ("as_of", "now", "range_words", "years_before", "years_after", "first_months", "last_months",
                "year_to_date", "anniversary", "number_words")
    missing = [k for k in required if k not in (section or {})]
    if missing:
        raise PeriodRulesError(f"{where}: missing {', '.join(missing)}")
    numbers = {match_form(str(k)): int(v) for k, v in section["number_words"].items()}
    count = r"(?P<n>\d{1,2}|" + phrase_union(numbers) + ")"
    u = {k: _union(section[k], f"{where}.{k}") for k in required if k != "number_words"}
    regexes = (
        # "tính đến ngày 31/12/2022", "tính đến tháng 6/2023", "tính đến năm 2022", "đến ngày 31 tháng 12 năm 2022"
        ("as_of", re.compile(rf"(?:{u['as_of']})\s+(?:(?:ngày\s+)?{_DMY}|{_WORDY_DATE}|(?:tháng\s+)?(?P<mm>\d{{1,2}})\s*[/.-]\s*(?P<my>{_Y})"
                             rf"|(?:năm\s+)?(?P<yy>{_Y}))")),
        # "nhiệm kỳ 2015-2020", "giai đoạn 2021 – 2025", "từ năm 2015 đến năm 2020"
        ("range", re.compile(rf"(?:{u['range_words']})\s+(?:năm\s+)?(?P<a>{_Y})(?:{_DASH}|\s+(?:đến|tới)\s+(?:năm\s+)?)(?P<b>{_Y})")),
        # "6 tháng đầu năm 2023", "sáu tháng cuối năm"
        ("first_months", re.compile(rf"{count}\s+(?:{u['first_months']})(?:\s+(?P<y>{_Y}))?")),
        ("last_months", re.compile(rf"{count}\s+(?:{u['last_months']})(?:\s+năm)?(?:\s+(?P<y>{_Y}))?")),
        ("quarter", re.compile(rf"quý\s+(?P<q>iv|iii|ii|i|[1-4])(?!\w)(?:\s*[/-]\s*|\s+năm\s+)?(?P<y>{_Y})?")),
        ("year_to_date", re.compile(rf"(?:{u['year_to_date']})(?:\s+(?:năm\s+)?(?P<y>{_Y}))?\s+(?:đến|tới)\s+nay")),
        # "qua 5 năm", "5 năm qua", "sau hai năm", "sơ kết 5 năm thực hiện"
        ("years", re.compile(rf"(?:(?:{u['years_before']})\s+{count}\s+năm(?!\s+(?:tuổi|ngày|thành))"
                             rf"|{count.replace('?P<n>', '?P<n2>')}\s+năm\s+(?:{u['years_after']}))")),
        ("now", re.compile(u["now"])),
        ("date", re.compile(rf"(?:ngày\s+)?{_DMY}|{_WORDY_DATE}")),
        ("month", re.compile(rf"tháng\s+(?P<mm>\d{{1,2}})\s*(?:[/.-]|\s+năm\s+)\s*(?P<my>{_Y})")),
        ("year", re.compile(rf"(?<!\w)năm\s+(?P<y>{_Y})(?!\d)")),
    )
    comparison = re.compile(rf"(?:{_union(section.get('comparison') or ['so với'], f'{where}.comparison')})[^,;:()]{{0,40}}$")
    return PeriodVocabulary(regexes=regexes, anniversary=re.compile(u["anniversary"]), comparison=comparison, numbers=numbers,
                            earliest_year=int(section.get("earliest_year", 1975)))


def rules_path() -> Path:
    from .config import rules_file

    return rules_file("facts.yaml")


@lru_cache(maxsize=4)
def load_facts_rules(path: str | None = None) -> dict:
    """The facts vocabulary (``analysis/rules/facts.yaml`` unless another file is given), parsed."""
    from .config import ConfigError, load_config

    source = Path(path) if path else rules_path()
    try:  # the one safe loader (bounded aliases and depth, JSON types only)
        data = load_config(source, {"type": "object", "required": ["periods"], "properties": {"periods": {"type": "object"}}})
    except ConfigError as exc:
        raise PeriodRulesError(str(exc)) from None
    return data


@lru_cache(maxsize=4)
def vocabulary(path: str | None = None) -> PeriodVocabulary:
    """The compiled period vocabulary (cached)."""
    return compile_periods(load_facts_rules(path)["periods"], f"{path or rules_path()}: periods")


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _date(day: str | None, month: str | None, year: str | None) -> dt.date | None:
    if day is None or month is None or year is None:
        return None
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def _end_date(text: str) -> tuple[dt.date | None, int]:
    """A span's end as (date or None, year): "7-11-2022" → (2022-11-07, 2022); "2018" → (None, 2018)."""
    parts = re.findall(r"\d+", text)
    year = int(parts[-1])
    return (_date(parts[0], parts[1], parts[2]) if len(parts) == 3 else None), year


def anniversary_spans(mf: str, vocab: PeriodVocabulary) -> list[tuple[int, int, dt.date]]:
    """Spans of dates or years that an anniversary names, with the anniversary's date.

    A span is an anniversary when both ends are the same day and month
    ("7-11-1917 – 7-11-2022"), or an anniversary word comes shortly before it
    ("kỷ niệm 93 năm Ngày thành lập Đảng (3/2/1930-3/2/2023)"), or it spans more
    than ten years inside parentheses ("(1930 - 2020)").
    """
    spans = []
    for m in _SPAN.finditer(mf):
        a, b = m.group("a"), m.group("b")
        (date_a, year_a), (date_b, year_b) = _end_date(a), _end_date(b)
        if year_b <= year_a:
            continue
        same_day = date_a is not None and date_b is not None and (date_a.day, date_a.month) == (date_b.day, date_b.month)
        worded = bool(vocab.anniversary.search(mf, max(0, m.start() - 80), m.start()))
        in_parentheses = mf[max(0, m.start() - 2) : m.start()].strip().endswith("(") and year_b - year_a > 10
        if same_day or (worded and year_b - year_a > 5) or in_parentheses:
            spans.append((m.start(), m.end(), date_b or dt.date(year_b, 12, 31)))
    return spans


def _count(m: re.Match, vocab: PeriodVocabulary) -> int | None:
    n = m.groupdict().get("n") or m.groupdict().get("n2")
    if n is None:
        return None
    return int(n) if n.isdigit() else vocab.numbers.get(" ".join(n.split()))


def _reference_year(reference: dt.date | None, text_year: str | None) -> int | None:
    if text_year:
        return int(text_year)
    return reference.year if reference else None


def _read(kind: str, m: re.Match, reference: dt.date | None, vocab: PeriodVocabulary) -> Period | None:
    """The period one match states (None when it cannot be dated)."""
    g = m.groupdict()
    text = m.group(0)
    if kind == "as_of":
        if g.get("y") or g.get("y2"):
            day = _date(g.get("d") or g.get("d2"), g.get("m") or g.get("m2"), g.get("y") or g.get("y2"))
        elif g.get("my"):
            month = int(g["mm"])
            day = _month_end(int(g["my"]), month) if 1 <= month <= 12 else None
        else:
            day = dt.date(int(g["yy"]), 12, 31)
        return Period("as_of", day, day, text, "sentence") if day else None
    if kind == "range":
        a, b = int(g["a"]), int(g["b"])
        if b <= a:
            return None
        return Period("range", dt.date(a, 1, 1), dt.date(b, 12, 31), text, "sentence")
    if kind in ("first_months", "last_months"):
        n, year = _count(m, vocab), _reference_year(reference, g.get("y"))
        if not n or not 1 <= n <= 12 or year is None:
            return None
        if kind == "first_months":
            return Period("months", dt.date(year, 1, 1), _month_end(year, n), text, "sentence")
        return Period("months", dt.date(year, 13 - n, 1), dt.date(year, 12, 31), text, "sentence")
    if kind == "quarter":
        q, year = _QUARTERS[g["q"]], _reference_year(reference, g.get("y"))
        if year is None:
            return None
        return Period("months", dt.date(year, 3 * q - 2, 1), _month_end(year, 3 * q), text, "sentence")
    if kind == "year_to_date":
        year = _reference_year(reference, g.get("y"))
        if year is None:
            return None
        end = reference if reference and reference.year == year else dt.date(year, 12, 31)
        return Period("months", dt.date(year, 1, 1), end, text, "sentence")
    if kind == "years":
        n = _count(m, vocab)
        if not n or n > 50:
            return None
        if reference is None:  # "qua 5 năm" in an undated article: several years, which ones unknown
            return Period("range", None, None, text, "sentence") if n > 1 else None
        return Period("range" if n > 1 else "year", dt.date(reference.year - n + 1, 1, 1), reference, text, "sentence")
    if kind == "now":
        return Period("as_of", reference, reference, text, "sentence") if reference else None
    if kind == "date":
        day = _date(g.get("d") or g.get("d2"), g.get("m") or g.get("m2"), g.get("y") or g.get("y2"))
        return Period("date", day, day, text, "sentence") if day else None
    if kind == "month":
        month = int(g["mm"])
        if not 1 <= month <= 12:
            return None
        year = int(g["my"])
        return Period("months", dt.date(year, month, 1), _month_end(year, month), text, "sentence")
    if kind == "year":
        year = int(g["y"])
        return Period("year", dt.date(year, 1, 1), dt.date(year, 12, 31), text, "sentence")
    raise KeyError(kind)


def find_periods(sentence: str, reference: dt.date | None = None,
                 vocab: PeriodVocabulary | None = None) -> list[tuple[int, int, Period]]:
    """Every period the sentence states, as (start, end, Period), in text order.

    Anniversary spans are left out (and come back as periods of source
    ``anniversary``); a phrase inside a longer one already read ("năm 2023" in
    "6 tháng đầu năm 2023") is not read again. ``reference`` dates relative
    phrases ("qua 5 năm", "hiện nay").
    """
    vocab = vocab or vocabulary()
    mf = match_form(sentence)
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, int, Period]] = []
    for start, end, day in anniversary_spans(mf, vocab):
        taken.append((start, end))
        found.append((start, end, Period("date", day, day, sentence[start:end], "anniversary")))
    for kind, regex in vocab.regexes:
        for m in regex.finditer(mf):
            if any(m.start() < b and a < m.end() for a, b in taken):
                continue
            if kind in ("year", "date", "month") and vocab.comparison.search(mf, max(0, m.start() - 60), m.start()):
                taken.append((m.start(), m.end()))  # "so với cuối năm 2017": a point of comparison
                continue
            period = _read(kind, m, reference, vocab)
            if period is None:
                continue
            period = Period(period.kind, period.start, period.end, sentence[m.start() : m.end()], period.source)
            if period.start is not None and period.start.year < vocab.earliest_year:
                continue
            taken.append((m.start(), m.end()))
            found.append((m.start(), m.end(), period))
    return sorted(found, key=lambda f: f[0])


def period_of(sentence: str, at: int | None = None, published: dt.date | None = None, document_year: int | None = None,
              vocab: PeriodVocabulary | None = None) -> Period:
    """The period of the figure at offset ``at`` of ``sentence``.

    The stated period nearest to the figure wins (one before it on a tie); without
    one, the publication date; without that, the year the article reports on
    (``document_year``); an anniversary date only when nothing else is known.
    """
    reference = published or (dt.date(document_year, 12, 31) if document_year else None)
    found = find_periods(sentence, reference, vocab)
    stated = [f for f in found if f[2].source == "sentence"]
    if stated:
        at = len(sentence) if at is None else at
        before = [f for f in stated if f[1] <= at or f[0] <= at < f[1]]
        after = [f for f in stated if f[0] > at]
        near_before = min(before, key=lambda f: at - f[1]) if before else None
        near_after = min(after, key=lambda f: f[0] - at) if after else None
        if near_before and near_after:
            return (near_before if at - near_before[1] <= near_after[0] - at else near_after)[2]
        chosen = near_before or near_after
        assert chosen is not None
        return chosen[2]
    if published:
        return Period("date", published, published, None, "published")
    if document_year:
        return Period("year", dt.date(document_year, 1, 1), dt.date(document_year, 12, 31), None, "document")
    anniversaries = [f[2] for f in found if f[2].source == "anniversary"]
    return anniversaries[-1] if anniversaries else NO_PERIOD


def document_year(text: str, vocab: PeriodVocabulary | None = None, latest: int | None = None) -> int | None:
    """The year an undated article reports on: the latest single year or date its text states
    (anniversary spans, years before ``earliest_year`` and after ``latest`` — default this year — left out)."""
    vocab = vocab or vocabulary()
    latest = latest or dt.date.today().year
    years, anniversaries = [], []
    for _, _, period in find_periods(text or "", None, vocab):
        if period.end is None or not vocab.earliest_year <= period.end.year <= latest:
            continue
        if period.source == "anniversary":
            anniversaries.append(period.end.year)
        elif period.kind in ("year", "date", "as_of", "months"):
            years.append(period.end.year)
    # Without any other year, an article written for an anniversary reports on the anniversary's year.
    return max(years) if years else (max(anniversaries) if anniversaries else None)


_URL_DATE = re.compile(r"(?<!\d)(?P<y>20\d{2})(?:[/-]?)(?P<m>0[1-9]|1[0-2])(?:(?:[/-]?)(?P<d>0[1-9]|[12]\d|3[01]))?(?!\d)")


def url_date(url: object) -> dt.date | None:
    """The date a site writes into an article's address ("/202308/", "/2023/08/15/"), if any.

    Only the path is read (host names carry no dates); a year alone ("nhiem-ky-2020-2025") is not a date.
    """
    if not isinstance(url, str) or "://" not in url:
        return None
    path = url.split("://", 1)[1].partition("/")[2]
    for m in _URL_DATE.finditer(path):
        try:
            return dt.date(int(m.group("y")), int(m.group("m")), int(m.group("d") or 1))
        except ValueError:
            continue
    return None
