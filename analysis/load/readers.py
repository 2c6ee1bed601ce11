"""Readers: one function per input format, each turning a file into records.

In: a path (and options). Out: an iterator of ``RawRecord`` (one article with
its raw text and whatever metadata the source carries) and ``Rejection`` (an
input, or one line/row of it, that could not be loaded, with the reason).
A reader never raises for bad input: every problem becomes a ``Rejection``.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .decode import Decoded, RejectedInput, decode_bytes


@dataclass
class RawRecord:
    """One article as read, before cleaning."""

    doc_id: str
    source: str
    path: str
    format: str
    raw_text: str
    title: str | None = None
    published: Any = None
    byline: str | None = None
    site: str | None = None
    warning: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Rejection:
    """An input (file, or a line or row of one) that was not loaded."""

    path: str
    reason: str


Item = RawRecord | Rejection
RECORD_FIELDS = {"id", "url", "title", "published", "text", "byline", "author", "date", "source"}


def _read_text(path: Path) -> Decoded:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RejectedInput(f"unreadable: {exc.strerror or exc}") from None
    return decode_bytes(data)


def _none_if_blank(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN from pandas
        return None
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _decoded_or_rejection(path: Path) -> Decoded | Rejection:
    try:
        return _read_text(path)
    except RejectedInput as exc:
        return Rejection(str(path), str(exc))


def read_txt(path: Path, doc_id: str) -> Iterator[Item]:
    """A plain-text article (the sample corpus format)."""
    decoded = _decoded_or_rejection(path)
    if isinstance(decoded, Rejection):
        yield decoded
        return
    yield RawRecord(doc_id, str(path), str(path), "txt", decoded.text, warning=decoded.warning)


def read_html(path: Path, doc_id: str) -> Iterator[Item]:
    """An HTML page: main text and metadata through trafilatura."""
    import trafilatura  # imported here: it is slow to import and only HTML needs it

    decoded = _decoded_or_rejection(path)
    if isinstance(decoded, Rejection):
        yield decoded
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
    except Exception as exc:  # noqa: BLE001 -- trafilatura raises many kinds on broken markup
        yield Rejection(str(path), f"HTML could not be parsed: {type(exc).__name__}: {exc}")
        return
    data = result.as_dict() if result is not None and hasattr(result, "as_dict") else (result or {})
    text = data.get("text") or ""
    if not text.strip():
        yield Rejection(str(path), "HTML page has no article text")
        return
    yield RawRecord(
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
    )


def _record_from_mapping(obj: dict[str, Any], path: Path, fmt: str, where: str, fallback_id: str, text_column: str) -> Item:
    if not isinstance(obj, dict):
        return Rejection(f"{path}:{where}", f"not a JSON object (got {type(obj).__name__})")
    text = _none_if_blank(obj.get(text_column))
    if text is None:
        return Rejection(f"{path}:{where}", f"no text in field '{text_column}'")
    if not isinstance(text, str):
        return Rejection(f"{path}:{where}", f"field '{text_column}' is not text")
    record_id = _none_if_blank(obj.get("id"))
    extra = {k: v for k, v in obj.items() if k not in RECORD_FIELDS and k != text_column}
    return RawRecord(
        doc_id=str(record_id) if record_id is not None else fallback_id,
        source=str(_none_if_blank(obj.get("url")) or _none_if_blank(obj.get("source")) or f"{path}:{where}"),
        path=str(path),
        format=fmt,
        raw_text=text,
        title=_none_if_blank(obj.get("title")),
        published=_none_if_blank(obj.get("published")) or _none_if_blank(obj.get("date")),
        byline=_none_if_blank(obj.get("byline")) or _none_if_blank(obj.get("author")),
        extra=extra,
    )


def read_jsonl(path: Path, doc_id: str, text_column: str = "text") -> Iterator[Item]:
    """JSON Lines: one record per line; bad lines are rejected by line number."""
    decoded = _decoded_or_rejection(path)
    if isinstance(decoded, Rejection):
        yield decoded
        return
    for number, line in enumerate(decoded.text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Rejection(f"{path}:{number}", f"malformed JSON on line {number}: {exc.msg}")
            continue
        yield _record_from_mapping(obj, path, "jsonl", str(number), f"{doc_id}:{number}", text_column)


def read_json(path: Path, doc_id: str, text_column: str = "text") -> Iterator[Item]:
    """A JSON file holding one record or a list of records."""
    decoded = _decoded_or_rejection(path)
    if isinstance(decoded, Rejection):
        yield decoded
        return
    try:
        data = json.loads(decoded.text)
    except json.JSONDecodeError as exc:
        # A .json file is sometimes JSON Lines in disguise.
        if decoded.text.lstrip().startswith("{") and "\n{" in decoded.text:
            yield from read_jsonl(path, doc_id, text_column)
            return
        yield Rejection(str(path), f"malformed JSON: {exc.msg} at line {exc.lineno}")
        return
    records = data if isinstance(data, list) else [data]
    for number, obj in enumerate(records, start=1):
        fallback = doc_id if len(records) == 1 else f"{doc_id}:{number}"
        yield _record_from_mapping(obj, path, "json", f"record {number}", fallback, text_column)


def _read_table(path: Path, doc_id: str, fmt: str, text_column: str) -> Iterator[Item]:
    import pandas as pd

    try:
        if fmt == "csv":
            decoded = _read_text(path)
            import io

            frame = pd.read_csv(io.StringIO(decoded.text), dtype=str, keep_default_na=False)
        else:
            frame = pd.read_parquet(path)
    except RejectedInput as exc:
        yield Rejection(str(path), str(exc))
        return
    except Exception as exc:  # noqa: BLE001 -- pandas/pyarrow raise many kinds for broken files
        yield Rejection(str(path), f"unreadable {fmt.upper()}: {type(exc).__name__}: {exc}")
        return
    if text_column not in frame.columns:
        yield Rejection(str(path), f"no text column '{text_column}' (columns: {', '.join(map(str, frame.columns))})")
        return
    for number, row in enumerate(frame.to_dict("records"), start=1):
        yield _record_from_mapping(row, path, fmt, f"row {number}", f"{doc_id}:{number}", text_column)


def read_csv(path: Path, doc_id: str, text_column: str = "text") -> Iterator[Item]:
    """CSV with a header row; the text column is configurable."""
    yield from _read_table(path, doc_id, "csv", text_column)


def read_parquet(path: Path, doc_id: str, text_column: str = "text") -> Iterator[Item]:
    """Parquet table; the text column is configurable."""
    yield from _read_table(path, doc_id, "parquet", text_column)


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
TABLE_READERS = {read_jsonl, read_json, read_csv, read_parquet}
