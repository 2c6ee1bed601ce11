"""Load step: files in, one cleaned row per article out, every input accounted for.

``load_corpus(paths, text_column="text")`` reads files or directory trees of
``.txt``, ``.html``/``.htm``, ``.jsonl``/``.json``, ``.csv`` and ``.parquet``
and returns a pandas DataFrame with one row per document (columns in
``DOCUMENT_COLUMNS`` plus any extra fields of the source records). The inputs
that could not be loaded are in ``frame.attrs["rejected"]`` (columns ``path``,
``reason``); ``read_corpus`` returns both tables explicitly. ``iter_documents``
streams the same rows as dicts, for batch processing of large corpora.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import warnings
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..clean import clean_document, nfc
from ..clean.metadata import parse_date_line, parse_iso_date
from ..topic import TOPIC_COLUMNS, topic_columns
from .decode import RejectedInput, decode_bytes
from .readers import READERS, TABLE_READERS, RawRecord, Rejection

__all__ = ["DOCUMENT_COLUMNS", "LoadResult", "content_hash", "RejectedInput", "UniqueIds", "decode_bytes", "iter_documents", "iter_inputs", "load_corpus", "read_corpus"]

log = logging.getLogger(__name__)

DOCUMENT_COLUMNS = [
    "doc_id", "source", "title", "published", "byline", "text", "raw_text", "n_chars",
    "sha256", "duplicate_of", "format", "path", "site", "chrome_text", "warning", *TOPIC_COLUMNS,
]
REJECTED_COLUMNS = ["path", "reason"]

PathLike = str | os.PathLike


@dataclass
class LoadResult:
    """Loaded documents and rejected inputs: loaded + rejected = inputs."""

    documents: pd.DataFrame
    rejected: pd.DataFrame


def _as_paths(paths: PathLike | Iterable[PathLike]) -> list[Path]:
    if isinstance(paths, (str, os.PathLike)):
        return [Path(paths)]
    return [Path(p) for p in paths]


def _walk(root: Path) -> Iterator[tuple[Path, str]]:
    """(file, doc_id stem) for every file under ``root``, sorted for stable ids."""
    if root.is_dir():
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for name in sorted(filenames):
                file = Path(dirpath) / name
                rel = file.relative_to(root)
                yield file, rel.with_suffix("").as_posix()
    else:
        yield root, root.stem


def iter_inputs(paths: PathLike | Iterable[PathLike], text_column: str = "text") -> Iterator[RawRecord | Rejection]:
    """Every record and every rejection from the given files and directories."""
    for root in _as_paths(paths):
        if not root.exists():
            yield Rejection(str(root), "no such file or directory")
            continue
        for file, stem in _walk(root):
            reader = READERS.get(file.suffix.lower())
            if reader is None:
                yield Rejection(str(file), f"unsupported file type '{file.suffix or '(none)'}'")
                continue
            try:
                if reader in TABLE_READERS:
                    yield from reader(file, stem, text_column=text_column)
                else:
                    yield from reader(file, stem)
            except Exception as exc:  # a reader bug must not lose the other files
                log.exception("reader failed on %s", file)
                yield Rejection(str(file), f"could not be read: {type(exc).__name__}: {exc}")


def _parse_published(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date()
    text = str(value)
    return parse_iso_date(text) or parse_date_line(text)


def content_hash(raw_text: str) -> str:
    """SHA-256 of an article's NFC raw text: what duplicates and incremental builds compare."""
    return hashlib.sha256(raw_text.encode("utf-8")).hexdigest()


def document_row(record: RawRecord) -> dict[str, Any]:
    """Clean one raw record into a document row (without ``duplicate_of``)."""
    raw = nfc(record.raw_text)
    cleaned = clean_document(raw, title=record.title, published=_parse_published(record.published))
    row: dict[str, Any] = {
        "doc_id": record.doc_id,
        "source": record.source,
        "title": cleaned.title,
        "published": cleaned.published,
        "byline": record.byline or cleaned.byline,
        "text": cleaned.text,
        "raw_text": raw,
        "n_chars": len(cleaned.text),
        "sha256": content_hash(raw),
        "duplicate_of": None,
        "format": record.format,
        "path": record.path,
        "site": record.site,
        "chrome_text": cleaned.chrome_text,
        "warning": record.warning,
        **topic_columns(cleaned.title, cleaned.text),  # from the headline and body, never the chrome
    }
    for key, value in record.extra.items():
        row[key if key not in row else f"source_{key}"] = value
    return row


class UniqueIds:
    """Makes document ids unique: a repeated id gets "#2", "#3" … in load order.

    Seen ids are kept as 8-byte digests (a tenth of the memory of the strings, which
    matters for corpora of millions); a digest collision between two different ids
    (odds about 1e-8 at a million documents) would only add a "#2" to the second one.
    """

    def __init__(self) -> None:
        self._seen: set[int] = set()
        self._repeats: Counter[str] = Counter()

    @staticmethod
    def _digest(doc_id: str) -> int:
        return int.from_bytes(hashlib.blake2b(doc_id.encode("utf-8"), digest_size=8).digest(), "little")

    def __call__(self, doc_id: str) -> str:
        unique = doc_id
        while self._digest(unique) in self._seen:
            self._repeats[doc_id] += 1
            unique = f"{doc_id}#{self._repeats[doc_id] + 1}"
        self._seen.add(self._digest(unique))
        return unique


def iter_documents(
    paths: PathLike | Iterable[PathLike], text_column: str = "text", rejected: list[Rejection] | None = None
) -> Iterator[dict[str, Any]]:
    """Stream cleaned document rows; rejections are appended to ``rejected``.

    Document ids are made unique (a repeated id gets "#2", "#3" …) and a row
    whose raw text equals an earlier one gets that one's id in ``duplicate_of``.
    """
    unique = UniqueIds()
    first_by_hash: dict[str, str] = {}
    for item in iter_inputs(paths, text_column=text_column):
        if isinstance(item, Rejection):
            if rejected is not None:
                rejected.append(item)
            continue
        try:
            row = document_row(item)
        except Exception as exc:  # cleaning must never lose a file silently
            log.exception("cleaning failed on %s", item.source)
            if rejected is not None:
                rejected.append(Rejection(item.path, f"could not be cleaned: {type(exc).__name__}: {exc}"))
            continue
        row["doc_id"] = unique(row["doc_id"])
        row["duplicate_of"] = first_by_hash.setdefault(row["sha256"], row["doc_id"])
        if row["duplicate_of"] == row["doc_id"]:
            row["duplicate_of"] = None
        yield row


def _summarise(rejected: list[Rejection]) -> str:
    reasons = Counter(r.reason.split(":")[0].split(" (")[0] for r in rejected)
    parts = ", ".join(f"{n} {reason}" for reason, n in reasons.most_common())
    return f"{len(rejected)} input(s) rejected: {parts}"


def read_corpus(paths: PathLike | Iterable[PathLike], text_column: str = "text", warn: bool = True) -> LoadResult:
    """Load every document and list every rejected input."""
    rejected: list[Rejection] = []
    rows = list(iter_documents(paths, text_column=text_column, rejected=rejected))
    documents = pd.DataFrame(rows)
    for column in DOCUMENT_COLUMNS:
        if column not in documents.columns:
            documents[column] = pd.Series(dtype="object")
    extra = [c for c in documents.columns if c not in DOCUMENT_COLUMNS]
    documents = documents[DOCUMENT_COLUMNS + extra]
    documents["published"] = pd.to_datetime(documents["published"], errors="coerce")
    documents["n_chars"] = documents["n_chars"].astype("int64")
    rejected_frame = pd.DataFrame([(r.path, r.reason) for r in rejected], columns=REJECTED_COLUMNS)
    if warn and rejected:
        warnings.warn(_summarise(rejected), stacklevel=3)
    if warn:
        for row in rows:
            if row.get("warning"):
                warnings.warn(f"{row['path']}: {row['warning']}", stacklevel=3)
    return LoadResult(documents, rejected_frame)


def load_corpus(paths: PathLike | Iterable[PathLike], text_column: str = "text", warn: bool = True) -> pd.DataFrame:
    """One row per loaded document; ``.attrs["rejected"]`` lists rejected inputs."""
    result = read_corpus(paths, text_column=text_column, warn=warn)
    result.documents.attrs["rejected"] = result.rejected
    return result.documents
