"""Directive citations: coded and uncoded references to Party and state documents.

In: a document's cleaned text (and the ``references`` section of the rules).
Out: citation dicts (``CITATION_COLUMNS``) — the normalized code
("05-CT/TW", "272-QĐ/TU", "1436/QĐ-UBND", or "CT 03" for an uncoded
citation), its parts (number, type code, issuer, style), the type word as
written, the date and term ("khóa XII") when written next to it, and offsets.

Party documents are written NUMBER-TYPE/ISSUER ("01-KL/TW"); the central
issuer's "TƯ"/"T.Ư" is normalized to "TW". State documents keep their order
NUMBER[/YEAR]/TYPE-ISSUER ("1436/QĐ-UBND", "100/2019/NĐ-CP").
"""
from __future__ import annotations

import bisect
import re
from functools import lru_cache

from ..clean.normalize import match_form, unify_tone_placement
from ..patterns import phrase_union
from .organizations import organization_level
from .rules import Rules

CITATION_COLUMNS = [
    "doc_id", "code", "coded", "style", "number", "doc_type", "issuer", "issuer_level", "issued_by", "type_word",
    "date", "year", "term", "start", "end", "matched_text", "sentence",
]

# Party codes (NUMBER-TYPE/ISSUER, number of up to four digits and a letter) and state
# codes (NUMBER[/YEAR]/TYPE-ISSUER, up to five digits) in one pattern, Party first. It
# opens with a digit and checks what precedes it afterwards, so the regex engine jumps
# from digit to digit instead of trying every position.
_CODE = re.compile(
    r"(?P<number>\d(?<![\w/.-]\d)\d{0,4}[a-z]?)"
    r"(?:(?<!\d{5})(?<!\d{5}[a-z])(?:\s?[-–]\s?|/|\s{1,2})(?P<type>[A-Za-zĐđ]{1,6})(?:\s?/\s?|\s?–\s?|\s-\s)"
    r"(?P<issuer>(?:[A-ZĐƯ]\.?){1,12}(?:-[A-ZĐƯ]{1,8})?)(?![\w])"
    r"|(?<![a-z])(?:/(?P<year>(?:19|20)\d{2}))?/(?P<state_type>[A-ZĐ][A-Za-zĐđ]{0,5})-"
    r"(?P<state_issuer>[A-ZĐ][A-Za-zĐđ]{0,11}(?:-[A-ZĐ][A-Za-zĐđ]{0,8})?)(?![\w]))"
)
# Issuers that are Party committees: a code of theirs written NUMBER/TYPE-ISSUER is a Party code.
_PARTY_ISSUERS = frozenset({"TW", "TU", "THU", "HU", "QU", "TXU", "ĐU", "ĐUK"})
_DATE_AFTER = re.compile(r"^\s*,?\s*(?:ngày\s+)?(\d{1,2}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{4}|\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4})", re.I)
_TERM_AFTER = re.compile(r"\(?\s*kh[oó]a\s+([IVXL]+)\s*\)?")
_ISSUED_BY = re.compile(
    r"^[^;.]{0,40}?\bcủa\s+((?:Ban|Bộ|Ủy|Uỷ|Tỉnh|Huyện|Thành|Quận|Thị|Đảng|Chi|Chính|Thủ|UBND|HĐND|Hội|Văn)"
    r"[^,;.()“”\"]{2,60}?)(?=\s+(?:về|khóa|khoá|gắn|ngày|và|nhằm|trong|tiếp|đã|được|để|theo|với|cho|tại)\b|[,;.()“”\"]|$)"
)
_PLENUM = re.compile(r"(?i:nghị\s+quyết\s+(?:hội\s+nghị\s+)?(?:lần\s+thứ\s+(\d{1,2})\s+ban\s+chấp\s+hành\s+)?trung\s+ương(?:\s+đảng)?(?:\s+(\d{1,2}))?)"
                     r"(?:\s*[\(,]?\s*(?i:khóa|khoá)\s+([IVXL]+(?:\s*,\s*[IVXL]+)*))?")


def issuer_level(issuer: str | None, levels: dict[str, str]) -> str | None:
    """'BTGTW' -> 'central', 'TU' -> 'province', 'QĐ-UBND' issuer 'UBND' -> 'local government'."""
    if not issuer:
        return None
    code = issuer.upper().split("-")[-1]
    for ending in sorted(levels, key=len, reverse=True):
        if code.endswith(ending):
            return levels[ending]
    return None


def _iso_date(raw: str | None) -> str | None:
    if not raw:
        return None
    numbers = [int(x) for x in re.findall(r"\d+", raw)]
    if len(numbers) != 3:
        return None
    day, month, year = numbers
    try:
        import datetime as dt

        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def normalize_issuer(issuer: str, aliases: dict[str, str]) -> str:
    """'T.Ư' -> 'TW', 'BTGTƯ' -> 'BTGTW', 'tu' -> 'TU'."""
    compact = issuer.replace(".", "").upper()
    for spelling, normalized in aliases.items():
        if compact == spelling:
            return normalized
        if compact.endswith(spelling) and len(spelling) >= 2:
            return compact[: -len(spelling)] + normalized
    return compact


@lru_cache(maxsize=8)
def _type_before(words: tuple[str, ...]) -> re.Pattern[str]:
    """A type word, optionally followed by "số", then blank space — matched on the
    reversed text before an offset. (Anchored at the start of the reversed text,
    the match is immediate; searching forwards for a phrase that ends exactly at the
    offset tries every position before it.)"""
    return re.compile(r"\s+(?P<so>ốs\s+)?(?P<word>" + phrase_union(w[::-1] for w in words) + ")")


# A bare number that may follow a type word ("Chỉ thị số 05", "Nghị quyết 35"): not
# part of a code ("05-CT"), a date or a decimal.
_BARE_NUMBER = re.compile(r"\d(?<!\w\d)\d{0,3}(?![\d\w]|\s*[-/]\s*\w|[.,]\d)")



def _type_word_before(mf: str, start: int, type_before: re.Pattern[str]) -> tuple[str, int, bool] | None:
    """The type word written just before ``start`` of match-form text: (word, its offset,
    whether "số" stands between), or None. ``type_before`` is ``_type_before`` of the types."""
    head = mf[max(0, start - 40) : start]
    word_end = head.rstrip()
    if len(word_end) == len(head) or not word_end[-1:].isalpha():
        return None  # a type word ends in a letter, then blank space: most numbers have none
    m = type_before.match(head[::-1])
    if m is None:
        return None
    return " ".join(m.group("word")[::-1].split()), start - m.end(), bool(m.group("so"))


def _details(text: str, end: int) -> dict:
    """Date, term and issuing body written right after a citation."""
    tail = unify_tone_placement(text[end : end + 160])
    date = _DATE_AFTER.match(tail)
    clause = re.split(r"[;.]|\s(?:và|gắn với)\s", tail, maxsplit=1)[0]
    term = _TERM_AFTER.search(clause[:70])
    issued = _ISSUED_BY.match(tail)
    iso = _iso_date(date.group(1)) if date else None
    return {
        "date": iso, "year": int(iso[:4]) if iso else None, "term": term.group(1) if term else None,
        "issued_by": " ".join(issued.group(1).split()) if issued else None,
    }


def _level_of_body(body: str | None) -> str | None:
    """The level of an issuing body: a Party organization's level, else central government."""
    if not body:
        return None
    if any(k in match_form(body) for k in ("chính phủ", "thủ tướng")):
        return "central government"
    return organization_level(body)


class _Taken:
    """Spans already given to citations of one kind, none overlapping another and added
    in text order: an overlap test is a binary search, not a scan of them all."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def add(self, start: int, end: int) -> None:
        self.starts.append(start)
        self.ends.append(end)

    def overlaps(self, start: int, end: int) -> bool:
        """Whether a taken span (a, b) has a < end and start < b."""
        i = bisect.bisect_left(self.starts, end) - 1  # the last span that starts before ``end`` ends last
        return i >= 0 and self.ends[i] > start


def extract_citations(text: str, rules: Rules, doc_id: str | None = None, max_rows: int | None = None) -> list[dict]:
    """Every coded citation, and uncoded ones of the types the rules list; with ``max_rows``, the first
    ``max_rows`` coded ones at most (a bound on the work a hostile page costs)."""
    types, uncoded, aliases, levels = (rules.citations.types, rules.citations.uncoded, rules.citations.aliases,
                                       rules.citations.levels)
    mf = match_form(text)
    rows: list[dict] = []
    type_before = _type_before(tuple(types))
    # A citation's parts depend on a few strings only: each is worked out once per text
    # (a page that repeats one code thousands of times costs no more than the rows).
    issuers: dict[str, str] = {}
    levels_of: dict[str | None, str | None] = {}
    details: dict[str, dict] = {}

    def details_at(end: int) -> dict:
        tail = text[end : end + 160]
        if tail not in details:
            details[tail] = _details(tail, 0)
        return details[tail]

    coded, bare = _Taken(), _Taken()  # each in text order; a bare citation never overlaps a coded one
    # Every code has a "/" or a dash between its type and issuer ("03 CT – TW").
    for m in _CODE.finditer(text) if ("/" in text or "–" in text or " - " in text) else ():
        if max_rows is not None and len(rows) >= max_rows:
            break
        if m.group("type"):
            style, doc_type = "party", m.group("type").upper()
            raw_issuer = m.group("issuer")
            if raw_issuer not in issuers:
                issuers[raw_issuer] = normalize_issuer(raw_issuer, aliases)
            issuer = issuers[raw_issuer]
            code = f"{m.group('number')}-{doc_type}/{issuer}"
        else:
            style, doc_type, issuer, year = "state", m.group("state_type").upper(), m.group("state_issuer"), m.group("year")
            code = f"{m.group('number')}/{year + '/' if year else ''}{doc_type}-{issuer}"
            party_issuer = normalize_issuer(issuer, aliases)
            if not year and party_issuer in _PARTY_ISSUERS:  # "03/CT-TW": a Party code written in the state order
                style, issuer = "party", party_issuer
                code = f"{m.group('number')}-{doc_type}/{issuer}"
        coded.add(*m.span())
        before = _type_word_before(mf, m.start(), type_before)
        type_word, start = before[:2] if before else (None, m.start())
        if issuer not in levels_of:
            levels_of[issuer] = issuer_level(issuer, levels)
        rows.append({
            "doc_id": doc_id, "code": code, "coded": True, "style": style, "number": m.group("number"),
            "doc_type": doc_type, "issuer": issuer, "issuer_level": levels_of[issuer],
            "type_word": type_word, "start": start, "end": m.end(), "matched_text": text[start : m.end()],
            **details_at(m.end()),
        })
    if types:
        for m in _BARE_NUMBER.finditer(mf):
            if not mf[m.start() - 1 : m.start()].isspace():
                continue  # a type word is followed by blank space: most numbers have none before them
            number, end = m.group(0), m.end()
            before = _type_word_before(mf, m.start(), type_before)
            if before is None:
                continue
            type_word, start, with_so = before
            if coded.overlaps(start, end) or bare.overlaps(start, end):
                continue
            if not with_so and not text[start].isupper():
                continue  # "kết luận 12 đảng viên …" is the verb, not a document
            code_type = types[type_word]
            found = details_at(end)
            bare.add(start, end)
            rows.append({
                "doc_id": doc_id, "code": f"{code_type} {number}", "coded": False, "style": "uncoded",
                "number": number, "doc_type": code_type, "issuer": None,
                "issuer_level": _level_of_body(found["issued_by"]), "type_word": type_word,
                "start": start, "end": end, "matched_text": text[start:end],
                "scored": code_type in uncoded, **found,
            })
    # Plenum resolutions have no number of their own: "Nghị quyết Trung ương 4 (khóa XII)".
    for m in (_PLENUM.finditer(text) if "trung ương" in mf else ()):
        plenum = m.group(1) or m.group(2)
        if not plenum or coded.overlaps(m.start(), m.end()) or bare.overlaps(m.start(), m.end()):
            continue
        term = m.group(3)
        rows.append({
            "doc_id": doc_id, "code": f"NQ TW{plenum}" + (f" khóa {term.replace(' ', '')}" if term else ""), "coded": False,
            "style": "plenum", "number": plenum, "doc_type": "NQ", "issuer": "TW", "issuer_level": "central",
            "issued_by": "Ban Chấp hành Trung ương", "type_word": "nghị quyết", "date": None, "year": None, "term": term,
            "start": m.start(), "end": m.end(), "matched_text": m.group(0), "scored": False,
        })
    # "Kết luận số 01" after "Kết luận 01-KL/TW" is the same document named again, not another one.
    coded_numbers = {(r["doc_type"], r["number"].lstrip("0")) for r in rows if r["coded"]}
    for r in rows:
        if r["style"] == "uncoded" and (r["doc_type"], r["number"].lstrip("0")) in coded_numbers:
            r["scored"] = False
    rows.sort(key=lambda r: r["start"])
    return rows
