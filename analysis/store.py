"""Store step: analysis tables as Parquet plus a DuckDB file of views over them.

In: batches of table rows from the build (Arrow tables that the workers made
from row dicts with ``rows_to_arrow``, or pandas frames). Out: a store
directory ``DIR`` holding ``generations/<id>/<table>/part-*.parquet``, a
``CURRENT`` file naming the complete generation, and ``analysis.duckdb`` with
one view per table. ``open_tables(DIR)`` reads them back as DataFrames;
``connect(DIR)`` gives a DuckDB connection for SQL and ``query_table`` a
query's rows typed like ``open_tables``.

Why generations: a build writes a new generation beside the current one and
switches ``CURRENT`` (and the DuckDB file) with an atomic rename only when it
is complete, so a run killed at any point leaves the previous store readable
and consistent. A lock file (``flock``) makes a second concurrent build on the
same store refuse with a clear message; the kernel drops the lock if the
holder dies, even by ``kill -9``.
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .extract import CITATION_COLUMNS, CITATION_CONTEXT, MENTION_COLUMNS, MENTION_CONTEXT, PEOPLE_COLUMNS
from .load import DOCUMENT_COLUMNS, REJECTED_COLUMNS
from .places import PLACE_COLUMNS

TABLES = ("documents", "mentions", "citations", "places", "people", "rejected")
DERIVED_TABLES = ("facts", "province_year", "organization_year", "indicators")  # written by analysis.facts at commit

S, F, INT, D, B = pa.string(), pa.float64(), pa.int64(), pa.date32(), pa.bool_()
# Every column is text except these. A column name means the same in every table.
NOT_TEXT = {
    "seq": INT, "n_chars": INT, "published": D, "published_year": INT, "latitude": F, "longitude": F, "latitude_2025": F,
    "longitude_2025": F, "value": F, "lower_bound": F, "year": INT, "start": INT, "end": INT, "coded": B,
    "party_building": B, "relevance": F, "off_topic": B,
}


def _schema(names: list[str]) -> pa.Schema:
    return pa.schema([(name, NOT_TEXT.get(name, S)) for name in names])


# The columns come from the steps that make them, so a column added there is stored without a second list here.
SCHEMAS: dict[str, pa.Schema] = {
    "documents": _schema(["seq", *DOCUMENT_COLUMNS, "extra", *PLACE_COLUMNS, "fingerprint"]),
    "mentions": _schema([*MENTION_COLUMNS, *MENTION_CONTEXT]),
    "citations": _schema([*CITATION_COLUMNS, *CITATION_CONTEXT, "published_year"]),
    "places": _schema(["doc_id", *PLACE_COLUMNS]),
    "people": _schema(PEOPLE_COLUMNS),
    "rejected": _schema(REJECTED_COLUMNS),
}
# Sort keys that make a table's order independent of how the work was split (applied by readers).
ORDER = {
    "documents": ["seq"], "mentions": ["doc_id", "start", "indicator", "value"], "citations": ["doc_id", "start"],
    "places": ["doc_id"], "people": ["doc_id", "start"], "rejected": ["path", "reason"],
}


class StoreBusy(RuntimeError):
    """Another build holds the store's lock."""


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _arrow_column(values: pd.Series, kind: pa.DataType) -> pa.Array:
    """One column in the schema's type; values that do not convert become null."""
    if kind == S:
        try:  # the common case, all str or missing: converted by Arrow in one call
            return pa.array(values, type=S, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            return pa.array([None if _missing(v) else str(v) for v in values], type=S)
    if kind in (INT, F):
        numbers = pd.to_numeric(values, errors="coerce")
        if kind == INT:
            numbers = numbers.astype("Int64")  # integers with missing values stay integers
        return pa.array(numbers, type=kind, from_pandas=True)
    if kind == D:
        return pa.array(pd.to_datetime(values, errors="coerce"), from_pandas=True).cast(D)
    if kind == B:
        return pa.array(values.astype("boolean"), type=B, from_pandas=True)
    raise TypeError(f"no conversion to {kind}")


def rows_to_arrow(table: str, rows: list[dict]) -> pa.Table:
    """Row dicts as an Arrow table of the table's fixed schema (missing keys null).

    Each column goes to Arrow in one call; a column whose values are not already of
    the schema's type takes the slower, coercing path of ``to_arrow``.
    """
    schema = SCHEMAS[table]
    columns = []
    for name, kind in zip(schema.names, schema.types, strict=False):
        values = [row.get(name) for row in rows]
        try:
            columns.append(pa.array(values, type=kind, from_pandas=True))
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
            columns.append(_arrow_column(pd.Series(values, dtype=object), kind))
    return pa.Table.from_arrays(columns, schema=schema)


def to_arrow(table: str, frame: pd.DataFrame) -> pa.Table:
    """A frame as an Arrow table of the table's fixed schema (missing columns null)."""
    schema = SCHEMAS[table]
    columns = [
        _arrow_column(frame[name], kind) if name in frame.columns else pa.nulls(len(frame), type=kind)
        for name, kind in zip(schema.names, schema.types, strict=False)
    ]
    return pa.Table.from_arrays(columns, schema=schema)


@dataclass
class Generation:
    """A generation being written: part files per table, numbered in write order."""

    path: Path
    parts: dict[str, int] = field(default_factory=dict)
    _keys: Any = None  # DuckDB connection to keys.duckdb, opened on first use
    _pending: list = field(default_factory=list)  # key batches not yet inserted

    KEYS_PER_INSERT = 5_000  # one INSERT per this many documents: each costs ~10 ms, whatever its size

    def add_keys(self, frame: pd.DataFrame | pa.Table) -> None:
        """Record (doc_id, sha256, seq) of documents in an on-disk DuckDB table.

        Duplicates are found from it at commit; a disk-backed table keeps the
        build's memory flat where thousands of small files or a Python dict would not.
        Keys are inserted in blocks of ``KEYS_PER_INSERT`` (under 1 MB held meanwhile).
        """
        if frame is None or len(frame) == 0:
            return
        self._connect_keys()  # at once, so that the connection's memory is there from the start of every build
        keys = frame.select(["doc_id", "sha256", "seq"]) if isinstance(frame, pa.Table) else (
            pa.Table.from_pandas(frame[["doc_id", "sha256", "seq"]], preserve_index=False))
        self._pending.append(keys.cast(pa.schema([("doc_id", S), ("sha256", S), ("seq", INT)])))
        if sum(len(batch) for batch in self._pending) >= self.KEYS_PER_INSERT:
            self.flush_keys()

    def _connect_keys(self) -> None:
        import duckdb

        if self._keys is None:
            self._keys = duckdb.connect(str(self.path / "keys.duckdb"))
            _bounded(self._keys, self.path)
            self._keys.execute("SET memory_limit = '24MB'")  # the table lives on disk; keep few pages cached
            self._keys.execute("CREATE TABLE keys (doc_id VARCHAR, sha256 VARCHAR, seq BIGINT)")

    def flush_keys(self) -> None:
        """Insert the pending keys."""
        if not self._pending:
            return
        self._connect_keys()
        batch = pa.concat_tables(self._pending)
        self._pending = []
        self._keys.register("batch", batch)
        self._keys.execute("INSERT INTO keys SELECT doc_id, sha256, seq FROM batch")
        self._keys.unregister("batch")

    def write(self, table: str, frame: pd.DataFrame | pa.Table) -> None:
        """Add one part file to ``table`` (a frame is converted to the table's schema first)."""
        if frame is None or len(frame) == 0:
            return
        number = self.parts.get(table, 0) + 1
        self.parts[table] = number
        folder = self.path / table
        folder.mkdir(parents=True, exist_ok=True)
        data = frame if isinstance(frame, pa.Table) else to_arrow(table, frame)
        # zstd: article text compresses several times better than with the default snappy, at no extra cost.
        pq.write_table(data, folder / f"part-{number:06d}.parquet", compression="zstd", compression_level=1)

    def files(self, table: str) -> list[Path]:
        return sorted((self.path / table).glob("*.parquet"))


class Store:
    """A store directory; use as a context manager to hold its build lock."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        self._lock_handle: IO[str] | None = None

    # -- locking -------------------------------------------------------------
    def __enter__(self) -> Store:
        self.root.mkdir(parents=True, exist_ok=True)
        handle = open(self.root / ".lock", "a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise StoreBusy(f"another build is running on {self.root} ({holder}); try again when it has finished") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S')}")
        handle.flush()
        self._lock_handle = handle
        return self

    def __exit__(self, *exc) -> None:
        if self._lock_handle:
            fcntl.flock(self._lock_handle, fcntl.LOCK_UN)
            self._lock_handle.close()
            self._lock_handle = None

    # -- generations ---------------------------------------------------------
    @property
    def current(self) -> Path | None:
        """The complete generation readers should use, or None for an empty store."""
        pointer = self.root / "CURRENT"
        if not pointer.exists():
            return None
        path = self.root / "generations" / pointer.read_text("utf-8").strip()
        return path if (path / "COMPLETE").exists() else None

    def new_generation(self) -> Generation:
        name = time.strftime("%Y%m%d-%H%M%S") + "-" + uuid.uuid4().hex[:8]
        path = self.root / "generations" / name
        path.mkdir(parents=True)
        return Generation(path)

    def commit(self, generation: Generation, summary: dict) -> None:
        """Finish ``generation``: find duplicates, write views, switch CURRENT atomically.

        Part files stay as written (no rewrite of wide rows, so memory does not grow
        with the corpus); readers sort them (``ORDER``).
        """
        import duckdb

        for table in TABLES:
            if not generation.files(table):  # an empty table still has a schema
                (generation.path / table).mkdir(parents=True, exist_ok=True)
                pq.write_table(SCHEMAS[table].empty_table(), generation.path / table / "part-empty.parquet")
        _find_duplicates(generation)
        from .facts import write_derived  # facts, province_year, organization_year, indicators

        write_derived(generation.path)
        (generation.path / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1), "utf-8")
        (generation.path / "COMPLETE").write_text("ok", "utf-8")
        database = self.root / f".analysis-{generation.path.name}.duckdb"
        with duckdb.connect(str(database)) as con:
            _create_views(con, generation.path)
        pointer = self.root / "CURRENT.tmp"
        pointer.write_text(generation.path.name, "utf-8")
        os.replace(database, self.root / "analysis.duckdb")
        os.replace(pointer, self.root / "CURRENT")
        self._remove_old_generations(keep=generation.path)

    def _remove_old_generations(self, keep: Path) -> None:
        for path in (self.root / "generations").iterdir():
            if path != keep:
                shutil.rmtree(path, ignore_errors=True)
        for stale in self.root.glob(".analysis-*.duckdb*"):
            stale.unlink(missing_ok=True)


DUCKDB_MEMORY = "128MB"


def _bounded(con, spill: Path) -> None:
    """Cap DuckDB's memory (it spills to disk beyond it) so a build's peak memory does not grow with the corpus."""
    con.execute(f"SET memory_limit = '{DUCKDB_MEMORY}'")
    con.execute(f"SET temp_directory = '{spill / '.spill'}'")
    con.execute("SET threads = 1")


def _find_duplicates(generation: Generation) -> None:
    """``duplicates/``: for each document, the first one (in load order) with the same raw text, if any."""
    target = generation.path / "duplicates"
    target.mkdir(parents=True, exist_ok=True)
    generation.flush_keys()
    con = generation._keys
    if con is None:
        pq.write_table(pa.schema([("doc_id", S), ("duplicate_of", S)]).empty_table(), target / "data.parquet")
        return
    con.execute(
        f"COPY (SELECT doc_id, CASE WHEN first_value(doc_id) OVER w <> doc_id THEN first_value(doc_id) OVER w END "
        f"AS duplicate_of FROM keys WINDOW w AS (PARTITION BY sha256 ORDER BY seq)) "
        f"TO '{target / 'data.parquet'}' (FORMAT parquet)"
    )
    con.close()
    generation._keys = None
    for leftover in (generation.path / "keys.duckdb", generation.path / "keys.duckdb.wal"):
        leftover.unlink(missing_ok=True)
    shutil.rmtree(generation.path / ".spill", ignore_errors=True)


def query_table(con, table: str, sql: str, params: list | None = None) -> pd.DataFrame:
    """The rows of ``table`` that ``sql`` selects (on a ``connect`` connection), typed
    and ordered as ``open_tables`` gives them; the query may leave columns out."""
    relation = con.sql(sql, params=params or [])
    # DuckDB 2 names it to_arrow_table, DuckDB 1 fetch_arrow_table.
    frame = (relation.to_arrow_table() if hasattr(relation, "to_arrow_table") else relation.fetch_arrow_table()).to_pandas()
    order = [c for c in ORDER[table] if c in frame.columns]
    return _nullable(frame, SCHEMAS[table]).sort_values(order, kind="stable").reset_index(drop=True)


def _nullable(frame: pd.DataFrame, schema: pa.Schema) -> pd.DataFrame:
    """Integer and boolean columns as pandas' nullable types: a missing year stays
    missing instead of turning the column into floats."""
    kinds = {name: {INT: "Int64", B: "boolean"}.get(kind) for name, kind in zip(schema.names, schema.types, strict=False)}
    return frame.astype({name: kind for name, kind in kinds.items() if kind and name in frame.columns})


def open_tables(root: str | os.PathLike, tables: tuple[str, ...] = TABLES) -> dict[str, pd.DataFrame]:
    """The current tables of a store as DataFrames, read through its DuckDB views
    (empty frames for an empty store)."""
    if Store(root).current is None:
        return {table: _nullable(SCHEMAS[table].empty_table().to_pandas(), SCHEMAS[table]) for table in tables}
    with connect(root) as con:
        return {table: query_table(con, table, f"SELECT * FROM {table}") for table in tables}


def _create_views(con, generation: Path) -> None:
    """One view per table over the generation's Parquet files (absolute paths: DuckDB reads
    relative ones from its working directory, not from the database's)."""
    generation = generation.resolve()
    for table in TABLES:
        files = f"read_parquet('{generation / table}/*.parquet', union_by_name = true)"
        if table == "documents":
            duplicates = f"read_parquet('{generation / 'duplicates'}/*.parquet')"
            con.execute(f"CREATE VIEW documents AS SELECT d.* REPLACE (x.duplicate_of AS duplicate_of) "
                        f"FROM {files} d LEFT JOIN {duplicates} x USING (doc_id)")
        else:
            con.execute(f"CREATE VIEW {table} AS SELECT * FROM {files}")
    for table in DERIVED_TABLES:  # made from the tables above at commit (analysis.facts.write_derived)
        if (generation / table).is_dir():
            con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{generation / table}/*.parquet')")


def require_current(root: str | os.PathLike) -> Path:
    """The store's current generation, or FileNotFoundError saying how to make one."""
    current = Store(root).current
    if current is None:
        raise FileNotFoundError(f"no store at {root}: build it first (python -m analysis build CORPUS --store {root})")
    return current


def connect(root: str | os.PathLike):
    """A DuckDB connection with one view per table of the store's current generation.

    The views are made afresh for where the store is now, so a store that was moved
    or copied, or is read from another working directory, still opens. (The
    ``analysis.duckdb`` file in the store has the same views, for the DuckDB shell.)
    """
    import duckdb

    current = require_current(root)
    con = duckdb.connect()
    _create_views(con, current)
    return con
