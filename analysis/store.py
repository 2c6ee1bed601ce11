"""Store step: analysis tables as Parquet plus a DuckDB file of views over them.

In: batches of table rows from the build (Arrow tables that the workers made
from row dicts with ``rows_to_arrow``, or pandas frames). Out: a store
directory ``DIR`` holding ``generations/<id>/<table>/part-*.parquet``, a
``CURRENT`` link naming the complete generation, and ``analysis.duckdb`` with
one view per table. ``open_tables(DIR)`` reads them back as DataFrames;
``connect(DIR)`` gives a DuckDB connection for SQL and ``query_table`` a
query's rows typed like ``open_tables``.

Generations: a build writes a new generation beside the current one and
switches ``CURRENT`` (a symbolic link to ``generations/<id>``) with one atomic
rename only when it is complete: that rename is the commit point, so a run
killed at any point leaves the previous store readable and consistent. The
views of ``analysis.duckdb`` read through ``CURRENT`` and so always agree with
it. A failed build deletes its generation; one killed outright is deleted by
the next build.

Parts: the rows of one batch of documents are written, in every per-document
table, to part files of one name; ``index/`` lists each document of the
generation with its load order (``seq``), raw-text hash, record key (what
decides reuse), part, input file and id as read. A later build links a part
whose documents are all unchanged into its own generation (a hard link, no
copy) and copies only the unchanged rows of the others. ``files/`` lists the
input files with their size and times (``FILES_SCHEMA``), so that a later build
need not read the unchanged ones. A build that changes nothing writes nothing
(the lock file is opened, never written).

Old generations and readers: a ``connect()`` holds a shared lock on its
generation's ``READERS`` file while its connection lives. A build deletes an
old generation only when no reader holds it, it is not the one just before
the current one, and it was superseded more than ``GRACE_SECONDS`` ago
(readers of ``analysis.duckdb`` outside ``connect`` follow ``CURRENT`` and need
no grace). Hard links make a kept generation cost only the parts it does not
share.

Locking: a second concurrent build on the same store refuses with a clear
message. The lock is a POSIX record lock (``lockf``) on ``.lock``: it belongs to
the build's process alone (forked workers do not inherit it, unlike ``flock``)
and the kernel drops it when that process dies, even by ``kill -9``.

SQL: paths are quoted as SQL literals and their glob characters escaped
(``sql_path``), so a store under a path with ``'``, ``[`` or ``*`` works.
"""
from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import time
import uuid
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .extract import CITATION_COLUMNS, CITATION_CONTEXT, MENTION_COLUMNS, MENTION_CONTEXT, PEOPLE_COLUMNS
from .load import DOCUMENT_COLUMNS, REJECTED_COLUMNS
from .places import PLACE_COLUMNS

# Tables whose rows each belong to one document, written by batch and reused by part.
DOCUMENT_TABLES = ("documents", "mentions", "citations", "places", "people")
TABLES = (*DOCUMENT_TABLES, "rejected")
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
    "documents": _schema(["seq", *DOCUMENT_COLUMNS, "extra", *PLACE_COLUMNS, "fingerprint", "record_key"]),
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


# ``file``: the input file the document came from (``InputFile.name``); ``raw_id``: its id before ids were made unique.
INDEX_SCHEMA = pa.schema([("doc_id", S), ("seq", INT), ("sha256", S), ("record_key", S), ("part", S), ("file", S),
                          ("raw_id", S)])
# ``files/``: every input file a build read or found unchanged, with its size and times as the walk saw them,
# ``checked_ns``: when the build that read it started, ``rejected``: the rejections it gave, as JSON pairs, and
# ``records``: how many records it gave (the index must hold as many for the file to be trusted unchanged).
FILES_SCHEMA = pa.schema([("file", S), ("size", INT), ("mtime_ns", INT), ("ctime_ns", INT), ("checked_ns", INT),
                          ("rejected", S), ("records", INT)])
GRACE_SECONDS = 3600  # an old generation is kept this long after it stops being current (and while a reader holds it)
DUCKDB_MEMORY = "128MB"


def sql_path(path: str | os.PathLike, glob: str = "") -> str:
    """``path`` (made absolute), followed by the glob pattern ``glob``, as a DuckDB string literal:
    quotes doubled, and the path's own glob characters escaped so that they match only themselves."""
    text = str(Path(path).absolute())
    if glob:
        text = re.sub(r"([\[\]*?])", r"[\1]", text) + "/" + glob
    return "'" + text.replace("'", "''") + "'"


def link_or_copy(source: Path, target: Path) -> None:
    """A hard link (instant, no space) where the file system allows it, else a copy."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


@dataclass
class Generation:
    """A generation being written: part files per table, one part name per batch of documents."""

    path: Path
    batches: int = 0
    _keys: Any = None  # Parquet writer of keys.parquet, opened on first use
    _pending: list = field(default_factory=list)  # key batches not yet written

    KEYS_PER_WRITE = 5_000

    def write_batch(self, tables: Mapping[str, pd.DataFrame | pa.Table]) -> str:
        """Write one batch's rows of each table as a part file, all under one new part name; return the name."""
        self.batches += 1
        part = f"part-{self.path.name[-8:]}-{self.batches:06d}"
        for table, frame in tables.items():
            if frame is None or len(frame) == 0:
                continue
            folder = self.path / table
            folder.mkdir(parents=True, exist_ok=True)
            data = frame if isinstance(frame, pa.Table) else to_arrow(table, frame)
            # zstd: article text compresses several times better than with the default snappy, at no extra cost.
            pq.write_table(data, folder / f"{part}.parquet", compression="zstd", compression_level=1)
        return part

    def write(self, table: str, frame: pd.DataFrame | pa.Table) -> None:
        """Add one part file to ``table`` (a frame is converted to the table's schema first)."""
        self.write_batch({table: frame})

    def link_part(self, source: Path, part: str) -> None:
        """Take the part ``part`` of every per-document table from the generation at ``source`` as it is."""
        for table in DOCUMENT_TABLES:
            file = source / table / f"{part}.parquet"
            if file.exists():
                (self.path / table).mkdir(parents=True, exist_ok=True)
                link_or_copy(file, self.path / table / file.name)

    def add_keys(self, keys: pa.Table) -> None:
        """Record the index columns (``INDEX_SCHEMA``) of documents in ``keys.parquet``.

        The index and duplicates are made from it at commit; a file written as the build
        goes keeps the build's memory flat where a Python dict would not. Keys are written
        in row groups of ``KEYS_PER_WRITE`` (under 1 MB held meanwhile).
        """
        if keys is None or len(keys) == 0:
            return
        self._pending.append(keys.select(INDEX_SCHEMA.names).cast(INDEX_SCHEMA))
        if sum(len(batch) for batch in self._pending) >= self.KEYS_PER_WRITE:
            self.flush_keys()

    def flush_keys(self) -> None:
        """Write the pending keys."""
        if not self._pending:
            return
        if self._keys is None:
            self._keys = pq.ParquetWriter(self.path / "keys.parquet", INDEX_SCHEMA, compression="zstd")
        self._keys.write_table(pa.concat_tables(self._pending))
        self._pending = []

    def close(self) -> None:
        """Finish the keys file (if any)."""
        if self._keys is not None:
            self._keys.close()
            self._keys = None

    def files(self, table: str) -> list[Path]:
        return sorted((self.path / table).glob("*.parquet"))

    def write_files(self, files: pa.Table) -> None:
        """``files/``: the input files of this generation (``FILES_SCHEMA``)."""
        (self.path / "files").mkdir(parents=True, exist_ok=True)
        pq.write_table(files.cast(FILES_SCHEMA), self.path / "files" / "data.parquet", compression="zstd")


def table_rows(generation: Path, table: str) -> int:
    """How many rows ``table`` has in a generation (from the part files' footers, nothing else read)."""
    return sum(pq.read_metadata(file).num_rows for file in (generation / table).glob("*.parquet"))


def read_files(generation: Path) -> pa.Table | None:
    """The input files of a generation (None for one written before builds recorded them)."""
    file = generation / "files" / "data.parquet"
    return pq.read_table(file) if file.exists() else None


def read_index(generation: Path, columns: list[str] | None = None) -> pa.Table | None:
    """The index of a complete generation (None for a generation written before there was one);
    a column asked for that an older index lacks comes back null."""
    file = generation / "index" / "data.parquet"
    if not file.exists():
        return None
    have = set(pq.read_schema(file).names)
    index = pq.read_table(file, columns=[c for c in columns if c in have] if columns else None)
    for name in columns or []:
        if name not in have:
            index = index.append_column(name, pa.nulls(len(index), type=INDEX_SCHEMA.field(name).type))
    return index.select(columns) if columns else index


# Build locks held by this process, by lock file: a POSIX lock is per process, so a second
# Store on the same directory in the same process would otherwise get it again.
_HELD_LOCKS: set[tuple[int, int]] = set()


def _lock_holder(handle: IO[str]) -> str:
    """Who holds the POSIX lock on ``handle``'s file, as the kernel knows it (never stale)."""
    import struct

    query = struct.pack("hhqqi4x", fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0)  # struct flock on Linux (64-bit off_t)
    try:
        l_type, _, _, _, pid = struct.unpack("hhqqi4x", fcntl.fcntl(handle, fcntl.F_GETLK, query))
    except (OSError, struct.error):
        return "another process"
    return f"pid {pid}" if l_type != fcntl.F_UNLCK and pid > 0 else "another process"


def _is_committed(path: Path) -> bool:
    return (path / "COMPLETE").exists()


class Store:
    """A store directory; use as a context manager to hold its build lock."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        self._lock_handle: IO[str] | None = None
        self._lock_id: tuple[int, int] | None = None

    # -- locking -------------------------------------------------------------
    def __enter__(self) -> Store:
        self.root.mkdir(parents=True, exist_ok=True)
        lock = self.root / ".lock"
        try:  # looked at without opening it: closing any descriptor of the file drops this process's POSIX lock
            info = os.stat(lock)
            if (info.st_dev, info.st_ino) in _HELD_LOCKS:
                raise StoreBusy(f"another build is running on {self.root} (this process); try again when it has finished")
        except FileNotFoundError:
            pass
        # Opened without truncating or writing: a build that changes nothing leaves every file of the store as it was.
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        info = os.fstat(fd)
        lock_id = (info.st_dev, info.st_ino)
        handle = os.fdopen(fd, "r+")
        try:
            fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = _lock_holder(handle)
            handle.close()
            raise StoreBusy(f"another build is running on {self.root} ({holder}); try again when it has finished") from None
        self._lock_handle, self._lock_id = handle, lock_id
        _HELD_LOCKS.add(lock_id)
        self._remove_failed_generations()
        return self

    def __exit__(self, *exc) -> None:
        if self._lock_handle:
            fcntl.lockf(self._lock_handle, fcntl.LOCK_UN)
            self._lock_handle.close()
            self._lock_handle = None
            if self._lock_id is not None:
                _HELD_LOCKS.discard(self._lock_id)

    # -- generations ---------------------------------------------------------
    @property
    def current(self) -> Path | None:
        """The complete generation readers should use, or None for an empty store."""
        pointer = self.root / "CURRENT"
        if pointer.is_symlink():
            path = self.root / "generations" / Path(os.readlink(pointer)).name
        elif pointer.is_dir():  # a copy of the store that followed the link
            path = pointer
        elif pointer.is_file():  # a store written before CURRENT was a link
            path = self.root / "generations" / pointer.read_text("utf-8").strip()
        else:
            return None
        return path if _is_committed(path) else None

    def new_generation(self) -> Generation:
        name = time.strftime("%Y%m%d-%H%M%S") + "-" + uuid.uuid4().hex[:8]
        path = self.root / "generations" / name
        path.mkdir(parents=True)
        return Generation(path)

    def discard(self, generation: Generation) -> None:
        """Delete a generation that will not be committed (a failed build), so that it takes no space."""
        generation.close()
        shutil.rmtree(generation.path, ignore_errors=True)

    def commit(self, generation: Generation, summary: dict) -> None:
        """Finish ``generation``: write the index, switch CURRENT atomically, refresh the views.

        Part files stay as written (no rewrite of wide rows, so memory does not grow
        with the corpus); readers sort them (``ORDER``).
        """
        for table in TABLES:
            if not generation.files(table):  # an empty table still has a schema
                (generation.path / table).mkdir(parents=True, exist_ok=True)
                pq.write_table(SCHEMAS[table].empty_table(), generation.path / table / "part-empty.parquet")
        _write_index(generation)
        from .facts import write_derived  # facts, province_year, organization_year, indicators

        write_derived(generation.path, previous=self.current)
        (generation.path / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1), "utf-8")
        (generation.path / "READERS").touch()
        (generation.path / "COMPLETE").write_text("ok", "utf-8")
        pointer = self.root / f".CURRENT-{generation.path.name}"
        pointer.unlink(missing_ok=True)
        os.symlink(Path("generations") / generation.path.name, pointer)
        current = self.root / "CURRENT"
        if current.is_dir() and not current.is_symlink():  # a copied store: its CURRENT is a folder, not a link
            shutil.rmtree(current)
        os.replace(pointer, current)  # the commit point
        self._write_database()
        self._remove_old_generations(keep=generation.path)

    def _write_database(self) -> None:
        """``analysis.duckdb``: the views, reading through CURRENT (so they never disagree with it)."""
        import tempfile

        import duckdb

        # Made in a temporary folder and copied: DuckDB cannot write a database whose path has a '?'.
        with tempfile.TemporaryDirectory(prefix="analysis-views-") as folder:
            made = Path(folder) / "analysis.duckdb"
            with duckdb.connect(str(made)) as con:
                _create_views(con, self.root.absolute() / "CURRENT")
            database = self.root / ".analysis.duckdb.tmp"
            shutil.copyfile(made, database)
        os.replace(database, self.root / "analysis.duckdb")

    def _remove_failed_generations(self) -> None:
        """Generations that never became current: left by a build killed before its commit point
        (unfinished, or finished but not switched to). The lock is held, so no build is running."""
        folder = self.root / "generations"
        current = self.current
        since = (current / "COMPLETE").stat().st_mtime if current is not None else None
        if folder.is_dir():
            for path in folder.iterdir():
                if not path.is_dir() or path == current:
                    continue
                if not _is_committed(path) or (since is not None and (path / "COMPLETE").stat().st_mtime > since):
                    shutil.rmtree(path, ignore_errors=True)
        for stale in [*self.root.glob(".analysis-*.duckdb*"), *self.root.glob(".CURRENT-*"),
                      *self.root.glob(".analysis.duckdb.tmp*")]:
            stale.unlink(missing_ok=True)

    def _remove_old_generations(self, keep: Path) -> None:
        """Delete superseded generations no reader needs (see the module docstring)."""
        committed = sorted((p for p in (self.root / "generations").iterdir() if _is_committed(p) and p != keep),
                           key=lambda p: (p / "COMPLETE").stat().st_mtime, reverse=True)
        successor_committed = (keep / "COMPLETE").stat().st_mtime
        for number, path in enumerate(committed):
            superseded_for = time.time() - successor_committed
            successor_committed = (path / "COMPLETE").stat().st_mtime
            if number == 0 or superseded_for < GRACE_SECONDS:
                continue
            _remove_unless_read(path)


def _remove_unless_read(path: Path) -> None:
    """Delete a generation unless a ``connect()`` holds its READERS lock."""
    try:
        handle = open(path / "READERS", "a")
    except OSError:
        shutil.rmtree(path, ignore_errors=True)
        return
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return  # a reader is still using it: the next build looks again
        shutil.rmtree(path, ignore_errors=True)


def _bounded(con, spill: Path) -> None:
    """Cap DuckDB's memory (it spills to disk beyond it) so a build's peak memory does not grow with the corpus."""
    con.execute(f"SET memory_limit = '{DUCKDB_MEMORY}'")
    con.execute(f"SET temp_directory = {sql_path(spill / '.spill')}")
    con.execute("SET threads = 1")


def _write_index(generation: Generation) -> None:
    """``index/``: every document of the generation with its keys and part, and ``duplicate_of``:
    the first document (in load order) with the same raw text, if any."""
    import duckdb

    target = generation.path / "index"
    target.mkdir(parents=True, exist_ok=True)
    generation.flush_keys()
    generation.close()
    keys = generation.path / "keys.parquet"
    if not keys.exists():
        pq.write_table(INDEX_SCHEMA.append(pa.field("duplicate_of", S)).empty_table(), target / "data.parquet")
        return
    with duckdb.connect() as con:
        _bounded(con, generation.path)
        con.execute(
            f"COPY (SELECT *, CASE WHEN first_value(doc_id) OVER w <> doc_id THEN first_value(doc_id) OVER w END "
            f"AS duplicate_of FROM read_parquet({sql_path(keys)}) WINDOW w AS (PARTITION BY sha256 ORDER BY seq) "
            f"ORDER BY seq) TO {sql_path(target / 'data.parquet')} (FORMAT parquet)"
        )
    keys.unlink()
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
    relative ones from its working directory, not from the database's). ``documents`` takes
    ``seq`` and ``duplicate_of`` from the generation's index: a part linked from an earlier
    generation keeps the load order of the build that wrote it."""
    for table in TABLES:
        files = f"read_parquet({sql_path(generation / table, '*.parquet')}, union_by_name = true)"
        if table == "documents" and (generation / "index").exists():
            index = f"read_parquet({sql_path(generation / 'index', '*.parquet')})"
            con.execute(f"CREATE VIEW documents AS SELECT d.* REPLACE (x.seq AS seq, x.duplicate_of AS duplicate_of) "
                        f"FROM {files} d JOIN {index} x USING (doc_id)")
        elif table == "documents":  # a generation written before there was an index
            duplicates = f"read_parquet({sql_path(generation / 'duplicates', '*.parquet')})"
            con.execute(f"CREATE VIEW documents AS SELECT d.* REPLACE (x.duplicate_of AS duplicate_of) "
                        f"FROM {files} d LEFT JOIN {duplicates} x USING (doc_id)")
        else:
            con.execute(f"CREATE VIEW {table} AS SELECT * FROM {files}")
    for table in DERIVED_TABLES:  # made from the tables above at commit (analysis.facts.write_derived)
        if (generation / table).is_dir():
            con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet({sql_path(generation / table, '*.parquet')})")


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
    The connection keeps reading the generation it opened, also after later builds:
    it holds a shared lock on the generation's ``READERS`` file until it is garbage
    collected, and builds do not delete a generation so held.
    """
    import duckdb

    current = require_current(root)
    con = duckdb.connect()
    _create_views(con, current)
    _hold_for_reading(con, current)
    return con


def _hold_for_reading(con: Any, generation: Path) -> None:
    try:
        handle = open(generation / "READERS", "a")
    except OSError:  # a read-only store, or a generation written before there were reader locks
        return
    try:
        fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:  # being deleted right now: only the views' later reads can fail, as without the lock
        handle.close()
        return
    weakref.finalize(con, handle.close)
