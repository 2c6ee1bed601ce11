"""Vietnamese numbers: find and parse the quantities written in news text.

In: text (any case; offsets refer to the string given). Out: ``NumberMatch``
records — value, kind (``count``, ``percent``, ``ratio``, ``vague``), the
qualifier written before it (``exact``, ``approx``, ``at_least``, ``at_most``)
and character offsets. ``parse_number`` parses one number phrase.

Written forms handled: thousands dots ("51.349", "1.250.000") or spaces
("1 155"), decimal commas ("2,1", "71,33%"), leading zeros ("03"), scale words
("2,1 tỷ", "1 tỷ 200 triệu", "500 nghìn"), number words ("hai mươi mốt",
"mười lăm", "một trăm linh năm"), vague quantities ("hàng chục"), percents and
ratios ("229/321"). Not numbers: parts of dates (10/11/2023), times (08:04),
phone numbers (02943.825.017), document codes (01-KL/TW), section numbers
("3.6"), and anything inside a short quoted name or slogan ("2 an").
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..clean.normalize import match_form
from ..patterns import phrase_union

SCALES = {"nghìn": 1_000, "ngàn": 1_000, "triệu": 1_000_000, "tỷ": 1_000_000_000, "tỉ": 1_000_000_000}
DIGIT_WORDS = {
    "không": 0, "một": 1, "mốt": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5, "lăm": 5, "nhăm": 5,
    "sáu": 6, "bảy": 7, "bẩy": 7, "tám": 8, "chín": 9,
}
VAGUE = {"hàng chục": 10, "hàng trăm": 100, "hàng nghìn": 1_000, "hàng ngàn": 1_000, "hàng vạn": 10_000,
         "hàng triệu": 1_000_000, "vài chục": 20, "vài trăm": 200, "vài nghìn": 2_000, "mấy chục": 20, "mấy trăm": 200}
QUALIFIERS = [  # longest first; matched right before the number
    ("trên dưới", "approx"), ("xấp xỉ", "approx"), ("khoảng", "approx"), ("gần", "approx"), ("chừng", "approx"),
    ("ước tính", "approx"), ("ước", "approx"), ("ngót", "approx"),
    ("không dưới", "at_least"), ("ít nhất", "at_least"), ("tối thiểu", "at_least"), ("hơn", "at_least"),
    ("trên", "at_least"),
    ("không quá", "at_most"), ("không đến", "at_most"), ("chưa đến", "at_most"), ("chưa tới", "at_most"),
    ("tối đa", "at_most"), ("dưới", "at_most"),
]

_DIGITS = (
    r"(?<![\w.,/\-:])"
    r"(?P<int>\d{1,3}(?:\.\d{3})+|\d{1,3}(?: \d{3})+(?![\d.,])|\d+)"
    r"(?:,(?P<frac>\d+))?"
    r"(?![\w]|[.,/:\-]\d|\s*-\s*[^\W\d])"
)
_SCALE_WORDS = "|".join(SCALES)
_WORDS = "|".join(sorted(list(DIGIT_WORDS) + ["mười", "mươi", "trăm", "linh", "lẻ"] + list(SCALES), key=len, reverse=True))
# Every word a number phrase can contain ("hai", "mươi", "nghìn", "hàng", "chục" …).
NUMBER_WORDS = frozenset(_WORDS.split("|")) | {word for phrase in VAGUE for word in phrase.split()}
NUMBER_RE = re.compile(
    rf"(?P<ratio>(?<![\w.,/\-])(?P<num>\d[\d.]*)/(?P<den>\d[\d.]*)(?![\w/]|[.,]\d))"
    rf"|(?P<vague>(?<!\w)(?:{'|'.join(VAGUE)})(?!\w))"
    rf"|(?P<digits>{_DIGITS}(?P<scale>(?:\s+(?:{_SCALE_WORDS})(?!\s*lệ)(?!\w)(?:\s+\d{{1,3}}(?:,\d+)?\s+(?:{_SCALE_WORDS})(?!\w))*)?))"
    rf"|(?P<words>(?<!\w)(?:(?:{_WORDS})(?:\s+|(?!\w))){{1,8}})",
    re.IGNORECASE,
)
# Where a number can start: a run of digits, or a number or vague-quantity word (in
# match form). ``find_numbers`` tries NUMBER_RE only there: the regex itself opens
# with look-behinds, so scanning a whole text with it tries every position.
_DIGIT_RUN = re.compile(r"\d+")
_WORD_START = re.compile(phrase_union([*VAGUE, *_WORDS.split("|")]))
_NOT_LEADING = {"không", "linh", "lẻ", "mươi", "mốt", "lăm", "nhăm", "tư", "trăm", "nghìn", "ngàn", "triệu", "tỷ", "tỉ"}
# "năm" is five and year: after these words (and after a number, "2 năm") it is the year
# ("6 tháng đầu năm Đảng bộ …", "hằng năm chi bộ …").
_YEAR_BEFORE_NAM = frozenset({"đầu", "cuối", "giữa", "hằng", "hàng", "mỗi", "trong", "cả", "các", "những", "nhiều", "từng",
                              "sang", "qua", "năm", "tháng", "quý", "vào", "của", "này", "nay", "trước", "sau", "tết"})
_WORD_BEFORE = re.compile(r"(\w+)\W*$")
_YEAR = re.compile(r"(?:19|20)\d{2}")
_YEAR_AFTER = re.compile(r"\s+(?:19|20)\d{2}(?!\d)")
_QUOTE_SPAN = re.compile(r"“[^”\n]{1,80}”|\"[^\"\n]{1,80}\"|‘[^’\n]{1,80}’")


@dataclass(frozen=True)
class NumberMatch:
    """One number in a text: value and how it was written."""

    start: int
    end: int
    text: str
    value: float | None
    kind: str = "count"  # count | percent | ratio | vague
    qualifier: str = "exact"
    qualifier_start: int | None = None
    denominator: float | None = None
    lower_bound: float | None = None


def _int_part(s: str) -> float:
    return float(s.replace(".", "").replace(" ", ""))


def parse_digits(integer: str, fraction: str | None = None) -> float:
    """'51.349' -> 51349; '2', '1' -> 2.1; '1 155' -> 1155; '03' -> 3."""
    value = _int_part(integer)
    if fraction:
        value += float("0." + fraction)
    return value


def parse_words(phrase: str) -> float | None:
    """Number words to a value: 'hai mươi mốt' -> 21, 'mười lăm' -> 15,
    'một trăm linh năm' -> 105, 'hai nghìn' -> 2000; None if not a number."""
    words = match_form(phrase).split()
    if not words:
        return None
    total = current = 0.0
    last_digit = 0.0
    seen = False
    for word in words:
        if word in DIGIT_WORDS:
            current += DIGIT_WORDS[word]
            last_digit = DIGIT_WORDS[word]
            seen = True
        elif word == "mười":
            current += 10
            last_digit = 0
            seen = True
        elif word == "mươi":
            current += last_digit * 9  # turn the last digit d into d*10
            last_digit = 0
        elif word == "trăm":
            current += last_digit * 99 if last_digit else (100 if not seen else 0)
            last_digit = 0
        elif word in ("linh", "lẻ"):
            continue
        elif word in SCALES:
            total += (current or 1) * SCALES[word]
            current = 0
            last_digit = 0
        else:
            return None
    return total + current if seen else None


def parse_number(phrase: str) -> float | None:
    """Parse one number phrase ("gần 500 triệu", "51.349", "hai mươi mốt");
    None unless the phrase holds exactly one number."""
    numbers = find_numbers(phrase)
    return numbers[0].value if len(numbers) == 1 else None


def _scaled(value: float, scale_text: str) -> float:
    """Apply '2,1 tỷ' / '1 tỷ 200 triệu' scale sequences to ``value``."""
    parts = re.findall(rf"(\d{{1,3}}(?:,\d+)?)?\s*({_SCALE_WORDS})", scale_text, re.IGNORECASE)
    total = 0.0
    current = value
    for number, scale in parts:
        if number:
            current = parse_digits(*number.split(",")) if "," in number else float(number)
        total += current * SCALES[scale.lower()]
    return total


def _from_match(m: re.Match[str], text: str, qualifier: str, qualifier_start: int | None, limit: int) -> NumberMatch | None:
    """The number a NUMBER_RE match reads (None if it is not one), built once with its qualifier."""
    start, end = m.span()
    kind = m.lastgroup  # the alternative that matched (its group closes last)
    if kind == "ratio":
        num, den = m.group("num"), m.group("den")
        if not (_GROUPED.fullmatch(num) and _GROUPED.fullmatch(den)):
            return None
        numerator, denominator = _int_part(num), _int_part(den)
        if denominator == 0 or numerator > denominator:
            return None  # "3/2" in "dịp 3/2" is a date, not a share
        return NumberMatch(start, end, m.group(0), numerator, "ratio", qualifier, qualifier_start, denominator=denominator)
    if kind == "vague":
        low = VAGUE[match_form(m.group("vague"))]
        return NumberMatch(start, end, m.group(0), None, "vague", "at_least", lower_bound=low)
    if kind == "digits":
        value = parse_digits(m.group("int"), m.group("frac"))
        scale = m.group("scale") or ""
        if not scale.strip() and _YEAR.fullmatch(m.group(0)) and _year_word(text, start, {"năm"}):
            return None  # "năm 2021" is a year, even when a unit word follows it ("… năm 2021\nĐảng bộ …")
        if scale.strip():
            value = _scaled(value, scale)
        after = text[end : min(end + 2, limit)]
        if after[:1] == "%" or after == " %":
            end = text.index("%", end) + 1
            return NumberMatch(start, end, text[start:end], value, "percent", qualifier, qualifier_start)
        return NumberMatch(start, end, text[start:end], value, "count", qualifier, qualifier_start)
    if kind == "words":
        phrase = m.group("words").rstrip()
        if match_form(phrase).split()[0] in _NOT_LEADING:
            return None  # "không quá", "tư tưởng", "mươi": not a number on their own
        if match_form(phrase) == "năm" and (_year_word(text, start) or _YEAR_AFTER.match(text, start + len(phrase))):
            return None
        words_value = parse_words(phrase)
        if words_value is None:
            return None
        value = words_value
        return NumberMatch(start, start + len(phrase), phrase, value, "count", qualifier, qualifier_start)
    return None


_GROUPED = re.compile(r"\d{1,3}(?:\.\d{3})*")


def _year_word(text: str, start: int, words: frozenset[str] | set[str] = _YEAR_BEFORE_NAM) -> bool:
    """Whether the word before ``start`` is one of ``words`` (by default: one after which a
    lone "năm" is the year, not five; a number before it counts too, "2 năm")."""
    m = _WORD_BEFORE.search(text[max(0, start - 20) : start])
    if m is None:
        return False
    word = match_form(m.group(1))
    return word in words or (words is _YEAR_BEFORE_NAM and (word.isdigit() or word in DIGIT_WORDS))


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """Spans of short quoted names and slogans, whose numbers are not counts."""
    return [m.span() for m in _QUOTE_SPAN.finditer(text)]


# Matched on the reversed text before a number: an anchored match, where a search for a
# qualifier that ends exactly at the number would try every position before it.
_QUALIFIER_REVERSED = re.compile(r"\s+(?P<q>" + phrase_union(p[::-1] for p, _ in QUALIFIERS) + ")")
_QUALIFIER_KIND = dict(QUALIFIERS)


def _qualifier(low: str, start: int, floor: int = 0) -> tuple[str, int | None]:
    """The qualifier written just before offset ``start`` ("gần", "hơn", …) of match-form
    text, looking no further back than ``floor``."""
    m = _QUALIFIER_REVERSED.match(low[max(floor, start - 16) : start][::-1])
    if m:
        return _QUALIFIER_KIND[" ".join(m.group("q")[::-1].split())], start - m.end()
    return "exact", None


def find_numbers(text: str, low: str | None = None, start: int = 0, end: int | None = None,
                 followed_by: re.Pattern[str] | None = None) -> list[NumberMatch]:
    """All numbers in ``text[start:end]`` with their qualifiers, outside quoted names.

    Offsets are offsets into ``text``; the numbers are those the slice alone would
    give. ``low`` is ``match_form(text)`` when the caller has it already. With
    ``followed_by``, only numbers that this pattern matches right after (in ``low``)
    are read: the extractor wants only numbers followed by a unit phrase in most
    sentences, and reading the others was half its time here.
    """
    low = match_form(text) if low is None else low
    end = len(text) if end is None else end
    quotes = [m.span() for m in _QUOTE_SPAN.finditer(text, start, end)]
    found: list[NumberMatch] = []
    starts = sorted([m.start() for m in _DIGIT_RUN.finditer(text, start, end)] +
                    [m.start() for m in _WORD_START.finditer(low, start, end)])
    covered = start
    for at in starts:
        # Like NUMBER_RE.finditer, but tried only where a number can start.
        m = NUMBER_RE.match(text, at, end) if at >= covered else None
        if m is None:
            continue
        covered = max(m.end(), at + 1)
        if any(a <= at < b for a, b in quotes) or (followed_by is not None and not followed_by.match(low, m.end(), end)):
            continue
        qualifier, qualifier_start = _qualifier(low, at, start)
        number = _from_match(m, text, qualifier, qualifier_start, end)
        if number is not None:
            found.append(number)
    return found
