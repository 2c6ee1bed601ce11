"""Load step: files in, one cleaned row per article out, every input accounted for.

``load_corpus(paths, text_column="text")`` reads files or directory trees of
``.txt``, ``.html``/``.htm``, ``.jsonl``/``.json``, ``.csv`` and ``.parquet``
and returns a pandas DataFrame with one row per document (columns in
``DOCUMENT_COLUMNS`` plus any extra fields of the source records). The inputs
that could not be loaded are in ``frame.attrs["rejected"]`` (columns ``path``,
``reason``); ``read_corpus`` returns both tables explicitly. ``iter_documents``
streams the same rows as dicts, for batch processing of large corpora.
``iter_inputs`` streams the raw records and rejections; it is ``iter_files``
(the input files, with their size and times, nothing read) then ``read_file``
on each, so a caller can leave out files it knows.

Every input is accounted for: inputs = loaded rows + rejections. Special files,
unreadable directories, link loops, bad lines and rows are rejections; a text
longer than ``LoadLimits.max_text_chars`` is truncated with a warning in the
row's ``warning`` column (see ``analysis.load.files.LoadLimits``).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import re
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
from .files import DEFAULT_LIMITS, LoadLimits, walk_inputs
from .readers import READERS, RawRecord, Rejection

__all__ = [
    "DOCUMENT_COLUMNS", "InputFile", "LoadLimits", "LoadResult", "RawRecord", "Rejection", "content_hash", "RejectedInput",
    "UniqueIds", "decode_bytes", "iter_documents", "iter_files", "iter_inputs", "load_corpus", "read_corpus", "read_file",
]

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


@dataclass(frozen=True)
class InputFile:
    """One regular file of a corpus as the walk found it: ``name`` is its path as text
    (``path`` made showable, see ``_shown_name``), with its size and times then."""

    path: Path
    stem: str
    name: str
    size: int
    mtime_ns: int
    ctime_ns: int


def iter_files(paths: PathLike | Iterable[PathLike]) -> Iterator[InputFile | Rejection]:
    """Every input file of the given files and directories, in load order, and a ``Rejection``
    for every path that cannot be one (special files, loops, unsupported types …); nothing is read."""
    for root in _as_paths(paths):
        for entry in walk_inputs(root):
            if isinstance(entry, Rejection):
                entry.path, entry.reason = _shown_name(entry.path), _shown_name(entry.reason)
                yield entry
                continue
            file, stem, info = entry
            if file.suffix.lower() not in READERS:
                yield Rejection(_shown_name(str(file)), f"unsupported file type '{_shown_name(file.suffix) or '(none)'}'")
                continue
            yield InputFile(file, stem, _shown_name(str(file)), info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def read_file(file: InputFile, text_column: str = "text", limits: LoadLimits = DEFAULT_LIMITS) -> Iterator[RawRecord | Rejection]:
    """The records and rejections of one input file.

    Readers turn every problem of the data into a ``Rejection``; an exception that
    still comes out of one is a problem of the program or the machine and is raised.
    """
    items = READERS[file.path.suffix.lower()](file.path, file.stem, text_column=text_column, limits=limits)
    yield from (items if file.name == str(file.path) else map(_with_shown_names, items))


def iter_inputs(paths: PathLike | Iterable[PathLike], text_column: str = "text",
                limits: LoadLimits = DEFAULT_LIMITS) -> Iterator[RawRecord | Rejection]:
    """Every record and every rejection from the given files and directories (``iter_files``, then ``read_file``)."""
    for entry in iter_files(paths):
        if isinstance(entry, Rejection):
            yield entry
        else:
            yield from read_file(entry, text_column, limits)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _shown_name(name: str) -> str:
    """A file name as valid Unicode: bytes that are not UTF-8 (kept by the OS as lone
    surrogates, which no UTF-8 output can hold) become U+FFFD."""
    if _SURROGATE.search(name) is None:
        return name
    try:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", name)


def _with_shown_names(item: RawRecord | Rejection) -> RawRecord | Rejection:
    """A record or rejection from a file whose name is not UTF-8, with the name made showable."""
    item.path = _shown_name(item.path)
    if isinstance(item, Rejection):
        item.reason = _shown_name(item.reason)
    else:
        item.doc_id, item.source = _shown_name(item.doc_id), _shown_name(item.source)
        item.location = _shown_name(item.location) if item.location else item.location
        item.add_warning("file name is not UTF-8: shown with U+FFFD")
    return item


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

    def replay(self, raw_ids: list[str], expected: list[str]) -> bool:
        """Make ``raw_ids`` unique in turn, as calls would, if they come out as ``expected``
        (the ids a previous build gave them); if not, forget them again and return False."""
        before = {raw: self._repeats[raw] for raw in raw_ids}
        added: list[int] = []
        for raw, want in zip(raw_ids, expected, strict=True):
            got = self(raw)
            added.append(self._digest(got))
            if got != want:
                self._seen.difference_update(added)
                for name, count in before.items():
                    if count:
                        self._repeats[name] = count
                    else:
                        self._repeats.pop(name, None)
                return False
        return True


def iter_documents(
    paths: PathLike | Iterable[PathLike], text_column: str = "text", rejected: list[Rejection] | None = None,
    limits: LoadLimits = DEFAULT_LIMITS,
) -> Iterator[dict[str, Any]]:
    """Stream cleaned document rows; rejections are appended to ``rejected``.

    Document ids are made unique (a repeated id gets "#2", "#3" …) and a row
    whose raw text equals an earlier one gets that one's id in ``duplicate_of``.
    """
    unique = UniqueIds()
    first_by_hash: dict[str, str] = {}
    for item in iter_inputs(paths, text_column=text_column, limits=limits):
        if isinstance(item, Rejection):
            if rejected is not None:
                rejected.append(item)
            continue
        try:
            row = document_row(item)
        except (ValueError, TypeError, UnicodeError, RecursionError) as exc:  # what odd data can make cleaning raise
            log.exception("cleaning failed on %s", item.location or item.path)
            if rejected is not None:
                rejected.append(Rejection(item.location or item.path, f"could not be cleaned: {type(exc).__name__}: {exc}"))
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


def read_corpus(paths: PathLike | Iterable[PathLike], text_column: str = "text", warn: bool = True,
                limits: LoadLimits = DEFAULT_LIMITS) -> LoadResult:
    """Load every document and list every rejected input."""
    rejected: list[Rejection] = []
    rows = list(iter_documents(paths, text_column=text_column, rejected=rejected, limits=limits))
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


def load_corpus(paths: PathLike | Iterable[PathLike], text_column: str = "text", warn: bool = True,
                limits: LoadLimits = DEFAULT_LIMITS) -> pd.DataFrame:
    """One row per loaded document; ``.attrs["rejected"]`` lists rejected inputs."""
    result = read_corpus(paths, text_column=text_column, warn=warn, limits=limits)
    result.documents.attrs["rejected"] = result.rejected
    return result.documents
