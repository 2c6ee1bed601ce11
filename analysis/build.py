"""Build step: a corpus in, a store of analysis-ready tables out.

``build(corpus, store="data/store")`` streams the corpus through load → clean
→ places → extract (indicators, citations, people) in batches and writes the
tables ``documents, mentions, citations, places, people, rejected`` with
``analysis.store``. Memory stays bounded: documents are read lazily, at most
``2 × workers`` batches are in flight, and each batch's tables are written as
part files as they arrive (readers sort them).

Incremental: a document whose raw-text hash and the fingerprint of the
package version and rules are unchanged since the last build is not processed
again; its rows are copied from the previous store. ``rebuild=True`` processes
everything. Documents whose source files are gone disappear from the tables.

Engines: ``local`` (processes on this machine, all cores by default) and
``dask`` (the same batches as Dask tasks on a LocalCluster or on an existing
cluster given by its scheduler address). Every engine writes the same rows.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from . import __version__
from .clean import nfc
from .load import DOCUMENT_COLUMNS, RawRecord, Rejection, UniqueIds, content_hash, iter_inputs
from .store import Generation, Store, rows_to_arrow

STAGES = ("places", "indicators", "citations", "people")


@dataclass
class BuildSummary:
    """What a build did."""

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

    def line(self) -> str:
        rate = self.processed / self.elapsed if self.elapsed else 0.0
        return (f"built {self.store}: {self.documents} documents ({self.processed} processed, {self.reused} unchanged), "
                f"{self.rejected} rejected, {self.mentions} mentions, {self.citations} citations, {self.people} people "
                f"in {self.elapsed:.1f}s ({rate:.0f} documents/s, {self.engine} × {self.workers})")


def indicator_rules_text(rules: str | os.PathLike | None = None) -> str:
    """The indicator rules a build uses: the file given, else the packaged one (read once
    per build, so the fingerprint and the workers see the same text)."""
    return Path(rules).read_text("utf-8") if rules else resources.files("analysis.rules").joinpath("indicators.yaml").read_text("utf-8")


def fingerprint(rules_text: str) -> str:
    """Package version and the hash of the indicator rules and of the other rules files."""
    digest = hashlib.sha256(__version__.encode())
    digest.update(rules_text.encode("utf-8"))
    for name in ("chrome.yaml", "people.yaml", "topic.yaml"):
        digest.update(resources.files("analysis.rules").joinpath(name).read_bytes())
    return f"{__version__}-{digest.hexdigest()[:16]}"


def process_batch(items: list[tuple[int, RawRecord]], stamp: str, rules_text: str | None = None,
                  stages: tuple[str, ...] = STAGES) -> dict[str, pa.Table]:
    """All tables for one batch of raw records (runs in a worker): clean, locate, extract.

    ``rules_text`` is the rules file as read when the build started, so a build uses one
    version of the rules from start to end even if the file is edited meanwhile. Rows
    are built as plain dicts, document by document, and come back as Arrow tables in the
    store's schema: converting them here, in the workers, leaves the main process only
    the writing.
    """
    from .extract import (
        CITATION_CONTEXT,
        MENTION_CONTEXT,
        context_of,
        document_citations,
        document_people,
        extract_document,
        load_rules,
    )
    from .extract.rules import rules_from_text
    from .load import document_row
    from .places import PLACE_COLUMNS, locate_text

    rules = rules_from_text(rules_text) if rules_text else load_rules()
    tables: dict[str, list[dict]] = {name: [] for name in ("documents", "places", "mentions", "citations", "people")}
    for seq, record in items:
        document = _row_for_store(document_row(record), seq, stamp)
        if "places" in stages:
            parts = [document["title"] or "", document["text"] or "", document["chrome_text"] or ""]
            document.update(locate_text(parts, document["source"]))
            tables["places"].append({"doc_id": document["doc_id"], **{c: document[c] for c in PLACE_COLUMNS}})
        else:
            tables["places"].append({"doc_id": document["doc_id"]})
        tables["documents"].append(document)
        doc_id, text, off_topic = document["doc_id"], document["text"], not document["party_building"]
        if "indicators" in stages:
            context = context_of(document, MENTION_CONTEXT)
            tables["mentions"].extend({**row, **context} for row in
                                      extract_document(doc_id, text, rules, references=False, off_topic=off_topic))
        if "citations" in stages:
            context = context_of(document, CITATION_CONTEXT)
            tables["citations"].extend({**row, **context} for row in
                                       document_citations(doc_id, text, rules, off_topic=off_topic))
        if "people" in stages:
            tables["people"].extend(document_people(doc_id, text))
    return {name: rows_to_arrow(name, rows) for name, rows in tables.items()
            if rows or name in ("documents", "places")}


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


def _row_for_store(row: dict, seq: int, stamp: str) -> dict:
    extra = {k: v for k, v in row.items() if k not in DOCUMENT_COLUMNS}
    clean = {k: row.get(k) for k in DOCUMENT_COLUMNS}
    clean.update(seq=seq, fingerprint=stamp, extra=json.dumps(extra, ensure_ascii=False, default=str) if extra else None)
    return clean


def _old_keys(store: Store) -> dict[str, tuple[str, str]]:
    """doc_id → (sha256, fingerprint) of the current store (empty if none)."""
    import duckdb

    current = store.current
    if current is None:
        return {}
    files = sorted((current / "documents").glob("*.parquet"))
    if not files:
        return {}
    with duckdb.connect() as con:
        rows = con.execute(f"SELECT doc_id, sha256, fingerprint FROM read_parquet({[str(f) for f in files]})").fetchall()
    return {doc_id: (sha, stamp) for doc_id, sha, stamp in rows}


def _copy_reused(old: Path, new: Generation, reused: list[tuple[str, int, str]]) -> None:
    """Copy the rows of unchanged documents from the previous generation."""
    import duckdb

    if not reused:
        return
    from .store import _bounded

    with duckdb.connect() as con:
        _bounded(con, new.path)
        con.execute("CREATE TEMP TABLE reused(doc_id VARCHAR, seq BIGINT)")
        con.executemany("INSERT INTO reused VALUES (?, ?)", [(doc_id, seq) for doc_id, seq, _ in reused])
        for table in ("documents", "mentions", "citations", "places", "people"):
            files = sorted((old / table).glob("*.parquet"))
            if not files:
                continue
            source = f"read_parquet({[str(f) for f in files]}, union_by_name = true)"
            select = "SELECT t.* REPLACE (r.seq AS seq)" if table == "documents" else "SELECT t.*"
            target = new.path / table
            target.mkdir(parents=True, exist_ok=True)
            con.execute(f"COPY ({select} FROM {source} t JOIN reused r USING (doc_id)) "
                        f"TO '{target / 'part-reused.parquet'}' (FORMAT parquet, COMPRESSION zstd)")


def _progress(quiet: bool):
    from tqdm import tqdm

    disabled = quiet or bool(os.environ.get("CI")) or not sys.stderr.isatty()
    return tqdm(unit=" doc", desc="build", disable=disabled, smoothing=0.1, dynamic_ncols=True)


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
    workers = workers or os.cpu_count() or 1
    rules_text = indicator_rules_text(rules)
    stamp = fingerprint(rules_text)
    counts = {"mentions": 0, "citations": 0, "people": 0}
    with Store(store) as target:
        previous = None if rebuild else target.current
        old = {} if previous is None else _old_keys(target)
        generation = target.new_generation()
        (generation.path / "rules.yaml").write_text(rules_text, "utf-8")  # the catalog the derived tables use
        rejected: list[Rejection] = []
        reused: list[tuple[str, int, str]] = []
        seen = 0

        def fresh_records() -> Iterator[tuple[int, RawRecord]]:
            """Records to process, numbered in load order; unchanged ones are only noted.

            This runs in the main process and does no more than the floor (read,
            decode, NFC, hash); cleaning and extraction happen in the workers.
            """
            nonlocal seen
            unique = UniqueIds()
            for item in iter_inputs(corpus, text_column=text_column):
                if isinstance(item, Rejection):
                    rejected.append(item)
                    continue
                seq = seen
                seen += 1
                progress.update(1)
                item.doc_id = unique(item.doc_id)
                item.raw_text = nfc(item.raw_text)
                sha = content_hash(item.raw_text)
                if old.get(item.doc_id) == (sha, stamp):
                    reused.append((item.doc_id, seq, sha))
                    continue
                yield seq, item

        with _progress(quiet) as progress:
            for tables in _run(engine, workers, scheduler, _batches(fresh_records(), batch_size), stamp, rules_text, stages):
                for name, frame in tables.items():
                    generation.write(name, frame)
                    if name in counts:
                        counts[name] += len(frame)
                generation.add_keys(tables["documents"])
        if previous is not None:
            _copy_reused(previous, generation, reused)
            generation.add_keys(pd.DataFrame(reused, columns=["doc_id", "seq", "sha256"]))
        generation.write("rejected", pd.DataFrame([(r.path, r.reason) for r in rejected], columns=["path", "reason"]))
        summary = BuildSummary(
            store=str(store), documents=seen, processed=seen - len(reused), reused=len(reused), rejected=len(rejected),
            mentions=counts["mentions"], citations=counts["citations"], people=counts["people"],
            elapsed=0.0, engine=engine, workers=workers,
        )
        target.commit(generation, {**asdict(summary), "fingerprint": stamp})
    summary.elapsed = time.perf_counter() - started
    if reused:  # counts of copied rows come from the finished store
        from .store import connect

        with connect(store) as con:
            for name in counts:
                setattr(summary, name, con.execute(f"SELECT count(*) FROM {name}").fetchone()[0])
    return summary


def _run(engine: str, workers: int, scheduler: str | None, batches: Iterable[list], stamp: str, rules: str | None,
         stages: tuple[str, ...]) -> Iterator[dict[str, pa.Table]]:
    if engine == "local":
        if workers == 1:
            for batch in batches:
                yield process_batch(batch, stamp, rules, stages)
            return
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        if multiprocessing.get_start_method() == "fork":
            _warm(rules, stages)  # forked workers inherit the loaded gazetteer and compiled rules
        with ProcessPoolExecutor(max_workers=workers) as pool:
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
