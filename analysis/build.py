"""Build step: a corpus in, a store of analysis-ready tables out.

``build(corpus, store="data/store")`` streams the corpus through load → clean
→ places → extract (indicators, citations, people) in batches and writes the
tables ``documents, mentions, citations, places, people, rejected`` with
``analysis.store``. Memory stays bounded: documents are read lazily, at most
``2 × workers`` batches are in flight, and each batch's tables are written as
part files as they arrive (readers sort them).

Incremental: a record is processed again only if its record key changed: the
hash of everything that goes into its rows (id, path, source, format, title,
date, byline, site, extra fields, raw text) and of the fingerprint (package
version, rules files, table schemas, stages). The rows of unchanged records
are carried over from the previous generation by part (see ``analysis.store``):
a part whose documents are all unchanged is hard-linked, the others are
filtered one part file at a time, so the work and the memory of a rebuild grow
with what changed, not with the store. ``rebuild=True`` processes everything.
Documents whose source records are gone disappear from the tables.

Unchanged files are not read: the store records every input file's size,
mtime and ctime as the walk saw them (``files/``), and a file whose three are
the same, that was last modified at least ``SETTLED_NS`` before the build that
read it, and whose mtime is not in the future, gives its records (ids made
unique as before, else it is read) and its rejections without being opened.
When unsure (a write in the same second as the read, times in the future, a
changed ctime) the file is read and its records compared by key as above.

Nothing changed (the same fingerprint and reading settings, every document
unchanged at its old place in load order, the same rejections): the build
writes nothing, not even a new generation, and says "no change: generation X
kept"; CURRENT, ``analysis.duckdb`` and every report key stay as they were.
When something changed, the derived tables are linked from the previous
generation if their inputs are the same (``analysis.facts.write_derived``).

Failure: a record whose cleaning or extraction raises becomes a rejection (its
file and line, the step, the error) and the rest is built, in every engine;
errors of the environment (``ENVIRONMENT_ERRORS``) stop the build. A build
that fails deletes its unfinished generation; worker processes die with the
build (``PR_SET_PDEATHSIG`` on Linux), so a ``kill -9`` leaves neither workers
nor a held lock behind.

Engines: ``local`` (processes on this machine, all cores by default) and
``dask`` (the same batches as Dask tasks on a LocalCluster or on an existing
cluster given by its scheduler address). Every engine writes the same rows.
"""
from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field, fields
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import __version__
from .clean import nfc
from .load import DOCUMENT_COLUMNS, InputFile, LoadLimits, RawRecord, Rejection, UniqueIds, iter_files, read_file
from .load.files import DEFAULT_LIMITS
from .store import (
    DOCUMENT_TABLES,
    FILES_SCHEMA,
    INDEX_SCHEMA,
    SCHEMAS,
    Generation,
    Store,
    read_files,
    read_index,
    rows_to_arrow,
    table_rows,
)

STAGES = ("places", "indicators", "citations", "people")
log = logging.getLogger(__name__)


@dataclass
class BuildSummary:
    """What a build did; ``kept`` names the generation kept when nothing had changed."""

    store: str
    documents: int
    processed: int
    reused: int
    rejected: int
    mentions: int
    citations: int
    people: int
    elapsed: float
    engine: str
    workers: int
    kept: str | None = None
    failed: int = 0  # records rejected because processing them raised (counted in ``rejected``)

    def line(self) -> str:
        rejected = f"{self.rejected} rejected" + (f" ({self.failed} failed in processing: see the rejected table)"
                                                  if self.failed else "")
        if self.kept:
            return (f"{self.store}: no change: generation {self.kept} kept ({self.documents} documents, {rejected}) "
                    f"in {self.elapsed:.1f}s")
        rate = self.processed / self.elapsed if self.elapsed else 0.0
        return (f"built {self.store}: {self.documents} documents ({self.processed} processed, {self.reused} unchanged), "
                f"{rejected}, {self.mentions} mentions, {self.citations} citations, {self.people} people "
                f"in {self.elapsed:.1f}s ({rate:.0f} documents/s, {self.engine} × {self.workers})")


def indicator_rules_text(rules: str | os.PathLike | None = None) -> str:
    """The indicator rules a build uses: the file given, else the packaged one (read once
    per build, so the fingerprint and the workers see the same text)."""
    return Path(rules).read_text("utf-8") if rules else resources.files("analysis.rules").joinpath("indicators.yaml").read_text("utf-8")


def fingerprint(rules_text: str, stages: tuple[str, ...] = STAGES) -> str:
    """Package version and the hash of the indicator rules, every other packaged rules file
    (chrome, header, places, people, topic, facts …), the table schemas and the stages run:
    what makes the same record give other rows or other derived tables."""
    digest = hashlib.sha256(__version__.encode())
    digest.update(rules_text.encode("utf-8"))
    packaged = resources.files("analysis.rules")
    for name in sorted(p.name for p in packaged.iterdir() if p.name.endswith(".yaml") and p.name != "indicators.yaml"):
        digest.update(name.encode("utf-8") + b"\0" + packaged.joinpath(name).read_bytes())
    digest.update(repr(sorted((name, str(schema)) for name, schema in SCHEMAS.items())).encode("utf-8"))
    digest.update(repr(sorted(stages)).encode("utf-8"))
    return f"{__version__}-{digest.hexdigest()[:16]}"


# Every field of a raw record but its text (hashed apart, as bytes): a field the loader adds is keyed too.
_RECORD_FIELDS = tuple(f.name for f in fields(RawRecord) if f.name != "raw_text")


def record_key(record: RawRecord, stamp: str) -> str:
    """Hash of everything that goes into a record's rows (every field of the raw record,
    its text included) and of the build's fingerprint: equal keys give equal rows.

    The fields are described by their ``repr`` (exact for the str, number, date, None
    and dict values a reader gives, dict order included, which the stored ``extra`` keeps).
    """
    described = repr((stamp, *(getattr(record, name) for name in _RECORD_FIELDS)))
    digest = hashlib.blake2b(described.encode("utf-8", "surrogatepass"), digest_size=16)
    digest.update(b"\0")
    digest.update(str(record.raw_text).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


# Errors of the environment, not of one record: they stop the build instead of rejecting every record in turn.
ENVIRONMENT_ERRORS = (ImportError, OSError, MemoryError)


def process_batch(items: list[tuple[int, RawRecord, str]], stamp: str, rules_text: str | None = None,
                  stages: tuple[str, ...] = STAGES) -> dict[str, pa.Table]:
    """All tables for one batch of (load order, raw record, record key) (runs in a worker): clean, locate, extract.

    ``rules_text`` is the rules file as read when the build started, so a build uses one
    version of the rules from start to end even if the file is edited meanwhile. Rows
    are built as plain dicts, document by document, and come back as Arrow tables in the
    store's schema: converting them here, in the workers, leaves the main process only
    the writing.

    One record whose cleaning or extraction raises becomes a row of the ``rejected``
    table (its file and line, the step and the error) and adds nothing to the others;
    the rest of the batch is built. Errors of the environment (``ENVIRONMENT_ERRORS``)
    are raised.
    """
    from .extract import load_rules
    from .extract.rules import rules_from_text

    rules = rules_from_text(rules_text) if rules_text else load_rules()
    tables: dict[str, list[dict]] = {name: [] for name in ("documents", "places", "mentions", "citations", "people")}
    rejected: list[dict] = []
    for seq, record, key in items:
        step = ["cleaning"]
        try:
            rows = _record_rows(record, seq, stamp, key, rules, stages, step)
        except ENVIRONMENT_ERRORS:
            raise
        except Exception as exc:  # a fault one record triggers must not cost the others theirs
            log.exception("%s failed on %s", step[0], record.location or record.path)
            rejected.append({"seq": seq, "path": record.location or record.path,
                             "reason": f"could not be processed ({step[0]}): {type(exc).__name__}: {exc}"})
            continue
        for name, found in rows.items():
            tables[name].extend(found)
    out = {name: rows_to_arrow(name, rows) for name, rows in tables.items() if rows or name in ("documents", "places")}
    if rejected:  # with the load order, which tells the build the record's file
        out["rejected"] = pa.Table.from_pylist(rejected, schema=pa.schema([("seq", pa.int64()), ("path", pa.string()),
                                                                            ("reason", pa.string())]))
    return out


def _record_rows(record: RawRecord, seq: int, stamp: str, key: str, rules: Any, stages: tuple[str, ...],
                 step: list[str]) -> dict[str, list[dict]]:
    """The rows one record gives in each per-document table; ``step[0]`` names the step under way."""
    from .extract import (
        CITATION_CONTEXT,
        MENTION_CONTEXT,
        context_of,
        cut_warning,
        document_citations,
        document_people,
        extract_document,
    )
    from .load import document_row
    from .places import PLACE_COLUMNS, locate_text

    rows: dict[str, list[dict]] = {}
    document = _row_for_store(document_row(record), seq, stamp, key)
    if "places" in stages:
        step[0] = "locating"
        parts = [document["title"] or "", document["text"] or "", document["chrome_text"] or ""]
        document.update(locate_text(parts, document["source"], document["published"]))
        rows["places"] = [{"doc_id": document["doc_id"], **{c: document[c] for c in PLACE_COLUMNS}}]
    else:
        rows["places"] = [{"doc_id": document["doc_id"]}]
    rows["documents"] = [document]
    doc_id, text, off_topic = document["doc_id"], document["text"], not document["party_building"]
    warnings: list[str | None] = [document.get("warning")]
    if "indicators" in stages:
        step[0] = "extracting indicators"
        context = context_of(document, MENTION_CONTEXT)
        mentions = extract_document(doc_id, text, rules, references=False, off_topic=off_topic, title=document["title"])
        rows["mentions"] = [{**row, **context} for row in mentions]
        warnings.append(cut_warning("mentions", mentions))
    if "citations" in stages:
        step[0] = "extracting citations"
        context = context_of(document, CITATION_CONTEXT)
        cited = document_citations(doc_id, text, rules, off_topic=off_topic)
        rows["citations"] = [{**row, **context} for row in cited]
        warnings.append(cut_warning("citations", cited))
    document["warning"] = "; ".join(w for w in warnings if w) or None
    if "people" in stages:
        step[0] = "finding people"
        rows["people"] = document_people(doc_id, text)
    return rows


def _warm(rules_text: str | None, stages: tuple[str, ...]) -> None:
    """Load what every worker needs (about 1.5 s of imports, gazetteer and rules)."""
    from .extract.rules import rules_from_text
    from .places import gazetteer

    if rules_text:
        rules_from_text(rules_text)
    if "places" in stages:
        gazetteer()


def _batches(rows: Iterable, size: int) -> Iterator[list]:
    batch: list = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _bounded_map(submit: Callable[[list], Any], result: Callable[[Any], dict], batches: Iterable[list], window: int):
    """Results of ``submit`` over batches, in order, with at most ``window`` in flight."""
    pending: deque = deque()
    for batch in batches:
        pending.append(submit(batch))
        if len(pending) >= window:
            yield result(pending.popleft())
    while pending:
        yield result(pending.popleft())


def _row_for_store(row: dict, seq: int, stamp: str, key: str) -> dict:
    extra = {k: v for k, v in row.items() if k not in DOCUMENT_COLUMNS}
    clean = {k: row.get(k) for k in DOCUMENT_COLUMNS}
    clean.update(seq=seq, fingerprint=stamp, record_key=key,
                 extra=json.dumps(extra, ensure_ascii=False, default=str) if extra else None)
    return clean


def _id_digest(doc_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(doc_id.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")


# A file is trusted unchanged by its size and times only if it was last modified this long before the build that
# read it started: a write in the same clock tick as that read could otherwise leave size and times as they were.
SETTLED_NS = 2_000_000_000


@dataclass
class KnownFile:
    """An input file as the previous generation recorded it, with the index rows of its records in load order."""

    size: int
    mtime_ns: int
    ctime_ns: int
    checked_ns: int
    rejected: str | None  # JSON list of [path, reason]
    positions: np.ndarray  # rows of Reuse.index
    raw_ids: list[str]
    doc_ids: list[str]


class Reuse:
    """The previous generation's documents: which incoming records are unchanged, and
    carrying their rows over into the new generation.

    Held as NumPy arrays (sorted 8-byte id digests, record keys, part codes, the old
    and the new load order) and Arrow columns, about 200 bytes a document, not as
    Python objects; plus, when the previous build read the corpus the same way, its
    input files, so that an unchanged file need not be read at all.
    """

    def __init__(self, source: Path, index: pa.Table, summary: dict, files: pa.Table | None = None):
        self.source = source
        self.summary = summary
        digests = np.fromiter((_id_digest(d) for d in index.column("doc_id").to_pylist()), dtype=np.uint64,
                              count=len(index))
        order = np.argsort(digests, kind="stable")
        self.ids = digests[order]
        self.index = index.take(pa.array(order))
        self.keys = np.asarray(self.index.column("record_key").to_pylist(), dtype="S32")
        parts = self.index.column("part").combine_chunks().dictionary_encode()
        self.part_names: list[str] = parts.dictionary.to_pylist()
        self.part_codes = np.asarray(parts.indices, dtype=np.int64)
        self.old_seq = np.asarray(self.index.column("seq").fill_null(-1), dtype=np.int64)
        self.seq = np.full(len(index), -1, dtype=np.int64)  # load order in this build; -1: not reused
        # A record key covers the file's path, so a reused record's file is the index's; an older index has none.
        self.unknown_origin = np.asarray(self.index.column("file").is_null(), dtype=bool)
        self.moved: dict[int, tuple[str, str]] = {}  # row → (file, raw id) of a reused record the index has none for
        self.files = self._known_files(files) if files is not None else {}

    @classmethod
    def of(cls, source: Path | None, stamp: str, reading: str) -> Reuse | None:
        """What the generation at ``source`` offers (None without one, or without an index).
        Its files are offered only if it was built with the same fingerprint and reading settings."""
        if source is None:
            return None
        index = read_index(source, list(INDEX_SCHEMA.names))
        if index is None:
            return None
        try:
            summary = json.loads((source / "summary.json").read_text("utf-8"))
        except (OSError, ValueError):
            summary = {}
        same = summary.get("fingerprint") == stamp and summary.get("reading") == reading
        return cls(source, index, summary, read_files(source) if same else None)

    def _known_files(self, files: pa.Table) -> dict[str, KnownFile]:
        if set(FILES_SCHEMA.names) - set(files.column_names):  # written by another version: its files are read
            return {}
        names = self.index.column("file").combine_chunks().dictionary_encode()
        codes = np.asarray(names.indices.fill_null(-1), dtype=np.int64)
        order = np.lexsort((self.old_seq, codes))
        bounds = np.searchsorted(codes[order], np.arange(len(names.dictionary) + 1))
        raw_ids, doc_ids = self.index.column("raw_id").to_pylist(), self.index.column("doc_id").to_pylist()
        rows: dict[str, np.ndarray] = {name: order[bounds[code]:bounds[code + 1]]
                                       for code, name in enumerate(names.dictionary.to_pylist())}
        known: dict[str, KnownFile] = {}
        empty = np.zeros(0, dtype=np.int64)
        columns = [files.column(name).to_pylist() for name in FILES_SCHEMA.names]
        doubled: set[str] = set()
        for name, size, mtime, ctime, checked, rejected, records in zip(*columns, strict=True):
            positions = rows.get(name, empty)
            ids = [raw_ids[i] for i in positions]
            if name in known or name in doubled or None in ids or len(positions) != records:
                # two files shown under one name, an index without raw ids, or not all its records at hand: read it
                known.pop(name, None)
                doubled.add(name)
                continue
            known[name] = KnownFile(size, mtime, ctime, checked, rejected, positions, ids, [doc_ids[i] for i in positions])
        return known

    def unchanged_file(self, file: InputFile, now_ns: int) -> KnownFile | None:
        """The previous build's record of ``file`` if the file is surely as it was then (same size and
        times, settled before that build read it, not in the future, none of its records taken yet)."""
        known = self.files.get(file.name)
        if known is None or (known.size, known.mtime_ns, known.ctime_ns) != (file.size, file.mtime_ns, file.ctime_ns):
            return None
        if file.mtime_ns > known.checked_ns - SETTLED_NS or file.mtime_ns > now_ns or (self.seq[known.positions] >= 0).any():
            return None
        return known

    def take_file(self, known: KnownFile, first_seq: int) -> None:
        """Note the records of an unchanged file for copying, at load order ``first_seq`` on."""
        self.seq[known.positions] = np.arange(first_seq, first_seq + len(known.positions))

    def take(self, doc_id: str, key: str, seq: int, file: str, raw_id: str) -> bool:
        """Whether the record ``doc_id`` with this key is unchanged; if so, note it for copying at ``seq``
        (from ``file``, read with the id ``raw_id``)."""
        digest = np.uint64(_id_digest(doc_id))
        i = int(np.searchsorted(self.ids, digest))
        if i < len(self.ids) and self.ids[i] == digest and self.seq[i] < 0 and self.keys[i] == key.encode("ascii"):
            self.seq[i] = seq
            if self.unknown_origin[i]:  # an older store's index, without them
                self.moved[i] = (file, raw_id)
            return True
        return False

    @property
    def count(self) -> int:
        return int((self.seq >= 0).sum())

    def same_generation(self, stamp: str, rejected: list[Rejection]) -> bool:
        """Whether this build would write the previous generation again: the same fingerprint, every
        document taken at its old place in load order, and the same rejections."""
        if self.summary.get("fingerprint") != stamp or not np.array_equal(self.seq, self.old_seq):
            return False
        before = pq.read_table(self.source / "rejected", columns=["path", "reason"]).to_pylist()
        return sorted((r["path"], r["reason"]) for r in before) == sorted((r.path, r.reason) for r in rejected)

    def copy_into(self, generation: Generation, batch_size: int) -> None:
        """Carry the rows of the noted documents over, part by part, and add them to the new index.

        A part whose documents are all unchanged (and that is not small) is linked as it is;
        from the others the unchanged rows are gathered, one old part file at a time, into
        new parts of about ``batch_size`` documents (which also merges small parts).
        """
        taken = self.seq >= 0
        if not taken.any():
            return
        by_part = np.argsort(self.part_codes, kind="stable")
        bounds = np.searchsorted(self.part_codes[by_part], np.arange(len(self.part_names) + 1))
        gathered: dict[str, list[pa.Table]] = {table: [] for table in DOCUMENT_TABLES}
        gathered_rows: list[np.ndarray] = []

        def flush() -> None:
            rows = np.concatenate(gathered_rows)
            part = generation.write_batch({table: pa.concat_tables(found, promote_options="default")
                                           for table, found in gathered.items() if found})
            self._add_keys(generation, rows, part)
            for found in gathered.values():
                found.clear()
            gathered_rows.clear()

        for code, part in enumerate(self.part_names):
            rows = by_part[bounds[code]:bounds[code + 1]]
            kept = rows[taken[rows]]
            if len(kept) == 0:
                continue
            if len(kept) == len(rows) and len(rows) >= max(1, batch_size // 4):
                generation.link_part(self.source, part)
                self._add_keys(generation, kept, part)
                continue
            wanted = self.index.column("doc_id").take(pa.array(kept))
            for table in DOCUMENT_TABLES:
                file = self.source / table / f"{part}.parquet"
                if file.exists():
                    rows_of_part = pq.read_table(file)
                    gathered[table].append(rows_of_part.filter(pc.is_in(rows_of_part.column("doc_id"), value_set=wanted)))
            gathered_rows.append(kept)
            if sum(len(r) for r in gathered_rows) >= batch_size:
                flush()
        if gathered_rows:
            flush()

    def _add_keys(self, generation: Generation, rows: np.ndarray, part: str) -> None:
        positions = pa.array(rows)
        columns = {name: self.index.column(name).take(positions) for name in INDEX_SCHEMA.names}
        if self.moved:
            origins = [self.moved.get(int(i)) for i in rows]
            for at, name in enumerate(("file", "raw_id")):
                columns[name] = pa.array([o[at] if o else v for o, v in zip(origins, columns[name].to_pylist(), strict=True)],
                                         type=pa.string())
        generation.add_keys(pa.table({
            **columns, "seq": pa.array(self.seq[rows], type=pa.int64()), "part": pa.array([part] * len(rows), type=pa.string()),
        }, schema=INDEX_SCHEMA))


@dataclass
class _Inputs:
    """The input files of the generation being built (``FILES_SCHEMA`` columns), and where each
    record being processed came from (by load order) until its rows are written."""

    rows: list[list] = field(default_factory=list)
    origin: dict[int, tuple[int, str]] = field(default_factory=dict)  # seq → (row in ``rows``, raw id)

    def add(self, file: InputFile, checked_ns: int, rejected: str | list[Rejection] | None, records: int = 0) -> int:
        self.rows.append([file.name, file.size, file.mtime_ns, file.ctime_ns, checked_ns, rejected, records])
        return len(self.rows) - 1

    def table(self) -> pa.Table:
        def described(rejected: str | list[Rejection] | None) -> str | None:
            if rejected is None or isinstance(rejected, str):  # carried over as the previous build wrote it
                return rejected
            return json.dumps([[r.path, r.reason] for r in rejected], ensure_ascii=False) if rejected else None

        columns = [[row[i] for row in self.rows] for i in range(5)] + [[described(row[5]) for row in self.rows],
                                                                       [row[6] for row in self.rows]]
        return pa.Table.from_arrays([pa.array(c, type=t) for c, t in zip(columns, FILES_SCHEMA.types, strict=True)],
                                    schema=FILES_SCHEMA)


def _progress(quiet: bool):
    from tqdm import tqdm

    disabled = quiet or bool(os.environ.get("CI")) or not sys.stderr.isatty()
    return tqdm(unit=" doc", desc="build", disable=disabled, smoothing=0.1, dynamic_ncols=True)


def reading_settings(text_column: str, limits: LoadLimits = DEFAULT_LIMITS) -> str:
    """How the inputs are read: a file's records depend on these besides its bytes."""
    return f"text_column={text_column!r} {limits!r}"


def build(
    corpus: str | os.PathLike | Iterable[str | os.PathLike],
    store: str | os.PathLike = "data/store",
    workers: int | None = None,
    engine: str = "local",
    scheduler: str | None = None,
    rebuild: bool = False,
    quiet: bool = False,
    batch_size: int = 200,
    rules: str | os.PathLike | None = None,
    stages: tuple[str, ...] = STAGES,
    text_column: str = "text",
) -> BuildSummary:
    """Build (or update) the store from the corpus; see the module docstring."""
    started = time.perf_counter()
    scan_ns = time.time_ns()
    workers = workers or os.cpu_count() or 1
    rules_text = indicator_rules_text(rules)
    stamp = fingerprint(rules_text, stages)
    reading = reading_settings(text_column)
    counts = {"mentions": 0, "citations": 0, "people": 0}
    with Store(store) as target:
        reuse = None if rebuild else Reuse.of(target.current, stamp, reading)
        made: list[Generation] = []  # the new generation, made when there is something to write
        rejected: list[Rejection] = []
        inputs = _Inputs()
        seen = failed = written = 0

        def generation() -> Generation:
            if not made:
                made.append(target.new_generation())
                (made[0].path / "rules.yaml").write_text(rules_text, "utf-8")  # the catalog the derived tables use
            return made[0]

        def fresh_records() -> Iterator[tuple[int, RawRecord, str]]:
            """Records to process, numbered in load order; unchanged ones are only noted,
            and the records of an unchanged file are not even read.

            This runs in the main process and does no more than the floor (read,
            decode, NFC, hash); cleaning and extraction happen in the workers.
            """
            nonlocal seen
            unique = UniqueIds()
            for entry in iter_files(corpus):
                if isinstance(entry, Rejection):
                    rejected.append(entry)
                    continue
                known = reuse.unchanged_file(entry, scan_ns) if reuse is not None else None
                if known is not None and unique.replay(known.raw_ids, known.doc_ids):
                    assert reuse is not None
                    reuse.take_file(known, seen)
                    seen += len(known.positions)
                    progress.update(len(known.positions))
                    rejected.extend(Rejection(path, reason) for path, reason in json.loads(known.rejected or "[]"))
                    inputs.add(entry, known.checked_ns, known.rejected, len(known.positions))
                    continue
                file_rejections: list[Rejection] = []
                row = inputs.add(entry, scan_ns, file_rejections)
                for item in read_file(entry, text_column=text_column):
                    if isinstance(item, Rejection):
                        rejected.append(item)
                        file_rejections.append(item)
                        continue
                    seq = seen
                    seen += 1
                    progress.update(1)
                    inputs.rows[row][6] += 1
                    raw_id = item.doc_id
                    item.doc_id = unique(item.doc_id)
                    item.raw_text = nfc(item.raw_text)
                    key = record_key(item, stamp)
                    if reuse is not None and reuse.take(item.doc_id, key, seq, entry.name, raw_id):
                        continue
                    inputs.origin[seq] = (row, raw_id)
                    yield seq, item, key

        try:
            with _progress(quiet) as progress:
                for tables in _run(engine, workers, scheduler, _batches(fresh_records(), batch_size), stamp, rules_text,
                                   stages):
                    for fault in (tables.pop("rejected").to_pylist() if "rejected" in tables else []):
                        failure = Rejection(fault["path"], fault["reason"])
                        rejected.append(failure)
                        row = inputs.rows[inputs.origin.pop(fault["seq"])[0]]
                        row[5].append(failure)
                        row[4] = 0  # never trusted unchanged: a record that made the program fail is retried every build
                        failed += 1
                    documents = tables["documents"]
                    if len(documents) == 0:
                        continue
                    part = generation().write_batch(tables)
                    written += len(documents)
                    for name, frame in tables.items():
                        if name in counts:
                            counts[name] += len(frame)
                    origins = [inputs.origin.pop(seq) for seq in documents.column("seq").to_pylist()]
                    generation().add_keys(documents.select(["doc_id", "seq", "sha256", "record_key"]).append_column(
                        "part", pa.array([part] * len(documents), type=pa.string())).append_column(
                        "file", pa.array([inputs.rows[row][0] for row, _ in origins], type=pa.string())).append_column(
                        "raw_id", pa.array([raw for _, raw in origins], type=pa.string())))
            reused = reuse.count if reuse is not None else 0
            summary = BuildSummary(
                store=str(store), documents=seen - failed, processed=written, reused=reused, rejected=len(rejected),
                mentions=0, citations=0, people=0, elapsed=0.0, engine=engine, workers=workers, failed=failed,
            )
            if not made and reuse is not None and reuse.same_generation(stamp, rejected):
                # Nothing changed: the current generation stays, and nothing of the store is written.
                summary.kept = reuse.source.name
                for name in counts:
                    setattr(summary, name, table_rows(reuse.source, name))
            else:
                if reuse is not None:
                    reuse.copy_into(generation(), batch_size)
                generation().write("rejected", pd.DataFrame([(r.path, r.reason) for r in rejected], columns=["path", "reason"]))
                generation().write_files(inputs.table())
                for name in counts:  # copied rows included
                    setattr(summary, name, table_rows(generation().path, name) if reused else counts[name])
                target.commit(generation(), {**asdict(summary), "fingerprint": stamp, "reading": reading})
        except BaseException:
            if made:
                target.discard(made[0])  # a failed build leaves no half-written generation (nor a full disk)
            raise
    summary.elapsed = time.perf_counter() - started
    return summary


def _die_with_parent(parent: int | None) -> None:
    """Worker initializer: the kernel kills this worker when the build's process dies
    (even by kill -9), so no orphan keeps working or holding the store's files."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if parent is not None and os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _run(engine: str, workers: int, scheduler: str | None, batches: Iterable[list], stamp: str, rules: str | None,
         stages: tuple[str, ...]) -> Iterator[dict[str, pa.Table]]:
    batches = iter(batches)
    first = next(batches, None)
    if first is None:  # nothing changed: no workers to start (nor rules and gazetteer to load)
        return
    second = next(batches, None)
    batches = itertools.chain([first] if second is None else [first, second], batches)
    if engine == "local":
        if workers == 1 or second is None:  # one batch: starting a pool would cost more than it saves
            for batch in batches:
                yield process_batch(batch, stamp, rules, stages)
            return
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        forked = multiprocessing.get_start_method() == "fork"
        if forked:
            _warm(rules, stages)  # forked workers inherit the loaded gazetteer and compiled rules
        with ProcessPoolExecutor(max_workers=workers, initializer=_die_with_parent,
                                 initargs=(os.getpid() if forked else None,)) as pool:
            yield from _bounded_map(lambda b: pool.submit(process_batch, b, stamp, rules, stages), lambda f: f.result(),
                                    batches, 2 * workers)
        return
    if engine == "dask":
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise RuntimeError("the dask engine needs the 'dask' extra: pip install 'analysis[dask]'") from None
        cluster = None if scheduler else LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                                      dashboard_address=None)
        client = Client(scheduler or cluster)
        try:
            yield from _bounded_map(lambda b: client.submit(process_batch, b, stamp, rules, stages, pure=False),
                                    lambda f: f.result(), batches, 2 * workers)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
        return
    raise ValueError(f"unknown engine '{engine}': use 'local' or 'dask'")
