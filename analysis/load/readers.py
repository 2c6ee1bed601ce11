"""Readers: one function per input format, each turning a file into records.

In: a path, its doc_id stem, the text column and ``LoadLimits``. Out: an iterator
of ``RawRecord`` (one article with its raw text and whatever metadata the source
carries) and ``Rejection`` (an input, or one line/row of it, that could not be
loaded, with the reason and the line or row in its path). A reader never raises
for bad input: every problem of the data becomes a ``Rejection`` (errors of the
environment, such as a missing module or no memory, are not input problems and
are raised). Values are made safe here, once, for every later step: lone
surrogates become U+FFFD (with a warning), numbers in text fields become text,
other non-text values in text fields reject the record, and a text longer than
``max_text_chars`` is truncated with a warning on the row.
"""
from __future__ import annotations

import codecs
import csv
import io
import json
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from .decode import Decoded, RejectedInput, decode_bytes, legacy_mojibake
from .files import DEFAULT_LIMITS, LoadLimits, open_regular, read_capped
from .records import RawRecord, Rejection

__all__ = ["READERS", "RawRecord", "Rejection", "read_csv", "read_html", "read_json", "read_jsonl", "read_parquet", "read_txt"]

Item = RawRecord | Rejection
RECORD_FIELDS = {"id", "url", "title", "published", "text", "byline", "author", "date", "source"}
_SURROGATE = re.compile("[\ud800-\udfff]")
_WIDE_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


class _BadRecord(Exception):
    """A record that cannot be loaded; ``str(exc)`` is the reason."""


def _none_if_blank(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN from pandas or JSON
        return None
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _scrub(value: Any, replaced: list[int]) -> Any:
    """``value`` with lone surrogates (invalid in UTF-8, so unwritable) replaced by U+FFFD."""
    if isinstance(value, str):
        if _SURROGATE.search(value):
            replaced[0] += len(_SURROGATE.findall(value))
            return _SURROGATE.sub("\ufffd", value)
        return value
    if isinstance(value, dict):
        return {_scrub(k, replaced): _scrub(v, replaced) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, replaced) for v in value]
    return value


def _as_text(value: Any, name: str) -> str | None:
    """A metadata field as text: numbers and booleans become text, other kinds reject the record."""
    value = _none_if_blank(value)
    if value is None or isinstance(value, str):
        return value
    if hasattr(value, "item") and not hasattr(value, "__len__"):  # numpy scalars from Parquet
        value = value.item()
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return str(int(value)) if value.is_integer() else str(value)
    raise _BadRecord(f"field '{name}' is {type(value).__name__}, not text")


def _bounded(text: str, limits: LoadLimits) -> tuple[str, str | None]:
    """The text cut to ``max_text_chars`` (at a line end near the limit if there is one) and the warning."""
    limit = limits.max_text_chars
    if len(text) <= limit:
        return text, None
    cut = text.rfind("\n", int(limit * 0.9), limit)
    kept = text[: cut if cut > 0 else limit]
    return kept, f"text truncated to {len(kept):,} of {len(text):,} characters (limit max_text_chars={limit:,})"


def _finish(record: RawRecord, limits: LoadLimits) -> RawRecord:
    record.raw_text, warning = _bounded(record.raw_text, limits)
    if warning:
        record.add_warning(warning)
    return record


def _rejected_file(path: Path, exc: RejectedInput) -> Rejection:
    return Rejection(str(path), str(exc))


def _read_text(path: Path, cap: int) -> Decoded:
    return decode_bytes(read_capped(path, cap))


def _record_from_mapping(obj: Any, path: Path, fmt: str, where: str, fallback_id: str, text_column: str,
                         limits: LoadLimits) -> Item:
    location = f"{path}:{where}"
    if not isinstance(obj, dict):
        return Rejection(location, f"not a JSON object (got {type(obj).__name__})")
    replaced = [0]
    obj = _scrub(obj, replaced)
    text = _none_if_blank(obj.get(text_column))
    if text is None:
        return Rejection(location, f"no text in field '{text_column}'")
    if not isinstance(text, str):
        return Rejection(location, f"field '{text_column}' is not text (got {type(text).__name__})")
    legacy = legacy_mojibake(text)
    if legacy:
        return Rejection(location, f"field '{text_column}' is legacy Vietnamese encoding {legacy} read as Latin-1 (convert the source to Unicode)")
    published = _none_if_blank(obj.get("published"))
    if published is None:
        published = _none_if_blank(obj.get("date"))
    try:
        record_id = _as_text(obj.get("id"), "id")
        record = RawRecord(
            doc_id=record_id if record_id is not None else fallback_id,
            source=_as_text(obj.get("url"), "url") or _as_text(obj.get("source"), "source") or location,
            path=str(path),
            format=fmt,
            raw_text=text,
            title=_as_text(obj.get("title"), "title"),
            published=published,
            byline=_as_text(obj.get("byline"), "byline") or _as_text(obj.get("author"), "author"),
            extra={k: v for k, v in obj.items() if k not in RECORD_FIELDS and k != text_column},
            location=location,
        )
    except _BadRecord as exc:
        return Rejection(location, str(exc))
    if isinstance(record.published, (dict, list)):
        return Rejection(location, f"field 'published' is {type(record.published).__name__}, not a date")
    if replaced[0]:
        record.add_warning(f"{replaced[0]} lone surrogate(s) (invalid Unicode) replaced by U+FFFD")
    return _finish(record, limits)


def read_txt(path: Path, doc_id: str, text_column: str = "text", limits: LoadLimits = DEFAULT_LIMITS) -> Iterator[Item]:
    """A plain-text article (the sample corpus format)."""
    try:
        decoded = _read_text(path, limits.max_document_bytes)
    except RejectedInput as exc:
        yield _rejected_file(path, exc)
        return
    record = RawRecord(doc_id, str(path), str(path), "txt", decoded.text, warning=decoded.warning, location=str(path))
    yield _finish(record, limits)


def read_html(path: Path, doc_id: str, text_column: str = "text", limits: LoadLimits = DEFAULT_LIMITS) -> Iterator[Item]:
    """An HTML page: main text and metadata through trafilatura."""
    import trafilatura  # imported here: it is slow to import and only HTML needs it
    from lxml.etree import LxmlError

    try:
        decoded = _read_text(path, limits.max_document_bytes)
    except RejectedInput as exc:
        yield _rejected_file(path, exc)
        return
    try:
        result = trafilatura.bare_extraction(
            decoded.text,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            # Never a guessed date: only dates the page states as its own.
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except (LxmlError, ValueError, TypeError, RecursionError) as exc:  # what broken markup makes lxml/trafilatura raise
        yield Rejection(str(path), f"HTML could not be parsed: {type(exc).__name__}: {exc}")
        return
    data = result.as_dict() if result is not None and hasattr(result, "as_dict") else (result or {})
    text = data.get("text") or ""
    if not text.strip():
        yield Rejection(str(path), "HTML page has no article text")
        return
    record = RawRecord(
        doc_id=doc_id,
        source=data.get("url") or str(path),
        path=str(path),
        format="html",
        raw_text=text,
        title=data.get("title"),
        published=data.get("date"),
        byline=data.get("author"),
        site=data.get("sitename") or data.get("hostname"),
        warning=decoded.warning,
        location=str(path),
    )
    yield _finish(record, limits)


def _utf8_lines(handle: BinaryIO, cap: int) -> Iterator[tuple[int, str | None, str | None]]:
    """(line number, text or None, reason or None) per line, split on "\\n" only, read line by line."""
    number = 0
    while True:
        raw = handle.readline(cap + 1)
        if not raw:
            return
        number += 1
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8):]
        if len(raw) > cap and not raw.endswith(b"\n"):
            while True:  # skip the rest of the line
                chunk = handle.readline(2**20)
                if not chunk or chunk.endswith(b"\n"):
                    break
            yield number, None, f"line {number} longer than the limit of {cap:,} bytes, not read"
            continue
        try:
            yield number, raw.decode("utf-8"), None
        except UnicodeDecodeError as exc:
            yield number, None, f"line {number} is not UTF-8 (bad byte at offset {exc.start} of the line)"


def _decoded_lines(text: str) -> Iterator[tuple[int, str | None, str | None]]:
    for number, line in enumerate(text.split("\n"), start=1):
        yield number, line, None


def read_jsonl(path: Path, doc_id: str, text_column: str = "text", limits: LoadLimits = DEFAULT_LIMITS) -> Iterator[Item]:
    """JSON Lines: one record per line (split on "\\n" only, so U+2028 or U+0085 inside a
    record is text), read line by line; bad lines are rejected by line number."""
    try:
        handle = open_regular(path)
    except RejectedInput as exc:
        yield _rejected_file(path, exc)
        return
    with handle:
        head = handle.read(4096)
        handle.seek(0)
        lines: Iterator[tuple[int, str | None, str | None]]
        if head.startswith(_WIDE_BOMS) or b"\x00" in head:  # UTF-16/32: decoded whole
            try:
                data = handle.read(limits.max_file_bytes + 1)
                if len(data) > limits.max_file_bytes:
                    raise RejectedInput(f"file larger than the limit of {limits.max_file_bytes:,} bytes, not read")
                lines = _decoded_lines(decode_bytes(data).text)
            except RejectedInput as exc:
                yield _rejected_file(path, exc)
                return
        else:
            lines = _utf8_lines(handle, limits.max_document_bytes)
        seen = False
        for number, line, problem in lines:
            if problem is not None:
                seen = True
                yield Rejection(f"{path}:{number}", problem)
                continue
            assert line is not None
            if not line.strip():
                continue
            seen = True
            yield _parse_line(line, path, number, doc_id, text_column, limits)
    if not seen:
        yield Rejection(str(path), "empty file")


def _parse_line(line: str, path: Path, number: int, doc_id: str, text_column: str, limits: LoadLimits) -> Item:
    try:
        obj = json.loads(line)
    except RecursionError:
        return Rejection(f"{path}:{number}", f"malformed JSON on line {number}: nested too deeply")
    except json.JSONDecodeError as exc:
        return Rejection(f"{path}:{number}", f"malformed JSON on line {number}: {exc.msg}")
    except ValueError as exc:  # e.g. an integer of more than 4 300 digits
        return Rejection(f"{path}:{number}", f"malformed JSON on line {number}: {exc}")
    return _record_from_mapping(obj, path, "jsonl", str(number), f"{doc_id}:{number}", text_column, limits)


def read_json(path: Path, doc_id: str, text_column: str = "text", limits: LoadLimits = DEFAULT_LIMITS) -> Iterator[Item]:
    """A JSON file holding one record or a list of records."""
    try:
        decoded = _read_text(path, limits.max_file_bytes)
    except RejectedInput as exc:
        yield _rejected_file(path, exc)
        return
    try:
        data = json.loads(decoded.text)
    except RecursionError:
        yield Rejection(str(path), "malformed JSON: nested too deeply")
        return
    except json.JSONDecodeError as exc:
        # A .json file is sometimes JSON Lines in disguise.
        if decoded.text.lstrip().startswith("{") and "\n{" in decoded.text:
            yield from read_jsonl(path, doc_id, text_column, limits)
            return
        yield Rejection(str(path), f"malformed JSON: {exc.msg} at line {exc.lineno}")
        return
    except ValueError as exc:
        yield Rejection(str(path), f"malformed JSON: {exc}")
        return
    records = data if isinstance(data, list) else [data]
    if not records:
        yield Rejection(str(path), "no records (an empty JSON list)")
    for number, obj in enumerate(records, start=1):
        fallback = doc_id if len(records) == 1 else f"{doc_id}:{number}"
        yield _record_from_mapping(obj, path, "json", f"record {number}", fallback, text_column, limits)


def _unique_names(header: list[str]) -> list[str]:
    """Repeated column names get ".1", ".2" … (as pandas names them)."""
    seen: dict[str, int] = {}
    names = []
    for name in header:
        if name in seen:
            seen[name] += 1
            names.append(f"{name}.{seen[name]}")
        else:
            seen[name] = 0
            names.append(name)
    return names


def read_csv(path: Path, doc_id: str, text_column: str = "text", limits: LoadLimits = DEFAULT_LIMITS) -> Iterator[Item]:
    """CSV with a header row; the text column is configurable. A row whose number of
    fields differs from the header's is rejected with its line number (never shifted)."""
    try:
        decoded = _read_text(path, limits.max_file_bytes)
    except RejectedInput as exc:
        yield _rejected_file(path, exc)
        return
    # An article is one field: the default limit of 131 072 characters is far too small.
    csv.field_size_limit(max(csv.field_size_limit(), limits.max_file_bytes))
    reader = csv.reader(io.StringIO(decoded.text, newline=""))
    header: list[str] | None = None
    number = 0
    while True:
        start = reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            number += header is not None
            yield Rejection(f"{path}:line {start}", f"malformed CSV on line {start}: {exc}")
            continue
        if not fields or (len(fields) == 1 and not fields[0].strip()):
            continue
        if header is None:
            header = _unique_names(fields)
            if text_column not in header:
                yield Rejection(str(path), f"no text column '{text_column}' (columns: {', '.join(header)})")
                return
            continue
        number += 1
        where = f"row {number} (line {start})"
        if len(fields) != len(header):
            yield Rejection(f"{path}:{where}", f"row has {len(fields)} fields, the header has {len(header)}")
            continue
        record = _record_from_mapping(dict(zip(header, fields, strict=True)), path, "csv", where, f"{doc_id}:{number}",
                                      text_column, limits)
        yield record
    if header is None:
        yield Rejection(str(path), "empty file" if not decoded.text.strip() else "no header row")
    elif number == 0:
        yield Rejection(str(path), "no rows (only a header)")


def read_parquet(path: Path, doc_id: str, text_column: str = "text", limits: LoadLimits = DEFAULT_LIMITS) -> Iterator[Item]:
    """Parquet table; the text column is configurable."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        handle = open_regular(path)
    except RejectedInput as exc:
        yield _rejected_file(path, exc)
        return
    with handle:
        size = handle.seek(0, io.SEEK_END)
        handle.seek(0)
        if size > limits.max_file_bytes:
            yield Rejection(str(path), f"file larger than the limit of {limits.max_file_bytes:,} bytes, not read")
            return
        try:
            table = pq.read_table(handle)
        except (pa.ArrowException, OSError, ValueError) as exc:  # what pyarrow raises for a broken file
            yield Rejection(str(path), f"unreadable PARQUET: {type(exc).__name__}: {exc}")
            return
    if text_column not in table.column_names:
        yield Rejection(str(path), f"no text column '{text_column}' (columns: {', '.join(map(str, table.column_names))})")
        return
    if table.num_rows == 0:
        yield Rejection(str(path), "no rows")
        return
    number = 0
    for batch in table.to_batches(max_chunksize=1000):
        try:
            rows = batch.to_pylist()
        except (pa.ArrowException, ValueError, OverflowError) as exc:  # e.g. a timestamp beyond year 9999
            yield Rejection(f"{path}:rows {number + 1}-{number + batch.num_rows}", f"unreadable values: {type(exc).__name__}: {exc}")
            number += batch.num_rows
            continue
        for row in rows:
            number += 1
            yield _record_from_mapping(row, path, "parquet", f"row {number}", f"{doc_id}:{number}", text_column, limits)


READERS = {
    ".txt": read_txt,
    ".html": read_html,
    ".htm": read_html,
    ".jsonl": read_jsonl,
    ".ndjson": read_jsonl,
    ".json": read_json,
    ".csv": read_csv,
    ".parquet": read_parquet,
}
