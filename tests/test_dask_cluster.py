"""The build on a Dask cluster of several worker processes gives the local engine's tables, every one, row by row."""
from __future__ import annotations

import shutil
import subprocess
import sys

import pandas as pd
import pytest

from analysis.bench import generate_corpus
from analysis.build import build
from analysis.store import DERIVED_TABLES, TABLES, connect, open_tables

distributed = pytest.importorskip("dask.distributed")

ALL_TABLES = (*TABLES, *DERIVED_TABLES)


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=3, threads_per_worker=1, processes=True, dashboard_address=None) as running:
        yield running


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, sample_dir):
    """The sample pages, 16 synthetic pages made from them, an exact copy and a broken file (a rejection)."""
    folder = tmp_path_factory.mktemp("corpus")
    shutil.copytree(sample_dir, folder / "sample")
    generate_corpus(folder / "synthetic", 16, seed=7, source=sample_dir, shard=8)
    shutil.copy(sample_dir / "002_531ed475c210eb4f.txt", folder / "copy.txt")
    (folder / "broken.json").write_text("{not json", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def local_store(corpus, tmp_path_factory):
    store = tmp_path_factory.mktemp("local") / "store"
    return store, build(corpus, store=store, workers=1, quiet=True, batch_size=3)


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows in the order of all their values (as text, so missing values sort too)."""
    order = frame.astype(str).sort_values(list(frame.columns)).index
    return frame.loc[order].reset_index(drop=True)


def _tables(store) -> dict[str, pd.DataFrame]:
    """Every table of the store: the per-document ones typed by ``open_tables``, the derived ones as DuckDB gives them."""
    tables = open_tables(store, TABLES)
    with connect(store) as con:
        tables.update({name: con.execute(f"SELECT * FROM {name}").df() for name in DERIVED_TABLES})
    return tables


def _assert_same_tables(store_a, store_b) -> None:
    a, b = _tables(store_a), _tables(store_b)
    for name in ALL_TABLES:
        assert len(a[name]) > 0, name  # every table has rows to compare
        pd.testing.assert_frame_equal(_sorted(a[name]), _sorted(b[name]), obj=name)


def test_a_cluster_of_three_worker_processes_builds_the_local_engines_tables(cluster, corpus, local_store, tmp_path):
    store, local = local_store
    client = distributed.Client(cluster.scheduler_address)
    try:
        before = client.run(lambda dask_worker: dask_worker.state.executed_count)
        on_cluster = build(corpus, store=tmp_path / "dask", engine="dask", scheduler=cluster.scheduler_address, workers=3,
                           quiet=True, batch_size=3)
        after = client.run(lambda dask_worker: dask_worker.state.executed_count)
    finally:
        client.close()
    assert len(after) == 3 and sum(after[w] > before.get(w, 0) for w in after) >= 2  # the batches were spread
    assert (on_cluster.documents, on_cluster.rejected, on_cluster.mentions, on_cluster.people) == \
           (local.documents, local.rejected, local.mentions, local.people)
    assert local.documents == 22 and local.rejected == 1
    _assert_same_tables(store, tmp_path / "dask")
    docs = open_tables(tmp_path / "dask", ("documents",))["documents"].set_index("doc_id")
    copies = docs[docs.duplicate_of.notna()]
    assert len(copies) == 1 and "002_531ed475c210eb4f" in copies.index[0] and copies.duplicate_of.iloc[0] == "copy"


def test_the_build_command_takes_a_scheduler_address(cluster, corpus, local_store, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "analysis", "build", str(corpus), "--store", str(tmp_path / "dask"),
                           "--engine", "dask", "--scheduler", cluster.scheduler_address, "--workers", "3", "--batch-size", "3",
                           "--quiet"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "22 documents" in proc.stdout and "dask × 3" in proc.stdout
    _assert_same_tables(local_store[0], tmp_path / "dask")
