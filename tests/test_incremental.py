"""Incremental builds: reuse by record key and by part, equal tables to a clean build,
kill -9 at several points, readers across builds, failed builds, odd store paths."""
from __future__ import annotations

import gc
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from analysis import store as store_module
from analysis.build import build
from analysis.store import TABLES, Store, connect, open_tables

TEXT = "Đảng bộ xã có 18 chi bộ với {n} đảng viên. Năm 2023 kết nạp {k} đảng viên mới theo Chỉ thị 05-CT/TW."


def _record(i: int, site: str = "https://baobentre.com.vn", **fields) -> dict:
    return {"id": f"doc-{i:03d}", "url": f"{site}/tin-{i}.html", "title": f"Tin số {i}", "published": "2023-05-01",
            "text": TEXT.format(n=100 + i, k=i % 7 + 1), **fields}


def _write(corpus: Path, records: list[dict]) -> None:
    corpus.mkdir(parents=True, exist_ok=True)
    for old in corpus.glob("*.jsonl"):
        old.unlink()
    for record in records:  # one file each: a record's path is part of its row, and stays put
        (corpus / f"{record['id']}.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")


def _sorted(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    from analysis.store import ORDER

    return {name: frame.sort_values(ORDER[name] if name != "documents" else ["doc_id"]).reset_index(drop=True)
            for name, frame in tables.items()}


def _assert_equal_to_clean_build(corpus: Path, store: Path, tmp_path: Path) -> None:
    """The store's tables (load order included) are those of a fresh build of the same corpus."""
    clean = tmp_path / f"clean-{time.monotonic_ns()}"
    build(corpus, store=clean, workers=1, quiet=True)
    got, want = _sorted(open_tables(store)), _sorted(open_tables(clean))
    for name in TABLES:
        if name == "rejected":
            continue
        pd.testing.assert_frame_equal(got[name], want[name], check_dtype=False, obj=name)
    shutil.rmtree(clean)


def test_rebuild_links_unchanged_parts_copies_the_rest_and_equals_a_clean_build(tmp_path):
    corpus, store = tmp_path / "corpus", tmp_path / "store"
    records = [_record(i) for i in range(40)]
    _write(corpus, records)
    first = build(corpus, store=store, workers=1, quiet=True, batch_size=8)
    assert first.processed == 40
    generation = Store(store).current
    again = build(corpus, store=store, workers=1, quiet=True, batch_size=8)
    # nothing changed: the generation is kept, no new one is written
    assert (again.processed, again.reused, again.kept) == (0, 40, generation.name)
    assert list((store / "generations").iterdir()) == [generation] and "no change" in again.line()
    # a new bad input changes only the rejected table: every part and every derived table is the previous
    # generation's file, linked, not rewritten (nor recomputed)
    (corpus / "zz-broken.jsonl").write_text("{not json\n", encoding="utf-8")
    changed = build(corpus, store=store, workers=1, quiet=True, batch_size=8)
    assert (changed.processed, changed.reused, changed.rejected, changed.kept) == (0, 40, 1, None)
    previous, current = sorted((store / "generations").iterdir(), key=lambda p: (p / "COMPLETE").stat().st_mtime)
    for table in ("mentions", "documents", "facts", "province_year", "organization_year"):
        files = list((current / table).glob("*.parquet"))
        assert files and all(os.path.samefile(file, previous / table / file.name) for file in files), table
    (corpus / "zz-broken.jsonl").unlink()
    _assert_equal_to_clean_build(corpus, store, tmp_path)

    records[3]["text"] = records[3]["text"].replace("đảng viên.", "đảng viên, 2 tổ chức cơ sở đảng.")
    records[17]["title"] = "Một tiêu đề mới"
    del records[25]
    records.insert(0, {**_record(99), "id": "a-new"})  # loaded first: every later record moves one place in load order
    _write(corpus, records)
    third = build(corpus, store=store, workers=1, quiet=True, batch_size=8)
    assert (third.documents, third.processed, third.reused) == (40, 3, 37)
    tables = open_tables(store)
    assert "doc-025" not in set(tables["documents"].doc_id) and "doc-025" not in set(tables["mentions"].doc_id)
    assert tables["documents"].set_index("doc_id").loc["doc-017", "title"] == "Một tiêu đề mới"
    assert list(tables["documents"].doc_id[:2]) == ["a-new", "doc-000"]
    _assert_equal_to_clean_build(corpus, store, tmp_path)


def test_reuse_is_keyed_on_the_whole_record_not_only_its_text(tmp_path):
    corpus, store = tmp_path / "corpus", tmp_path / "store"
    records = [_record(i) for i in range(6)]
    _write(corpus, records)
    build(corpus, store=store, workers=1, quiet=True)
    docs = open_tables(store)["documents"].set_index("doc_id")
    assert docs.loc["doc-001", "province"] == "Bến Tre"
    # the same text, moved to another paper's site, dated and titled anew, with a new extra field
    records[1].update(url="https://www.baotravinh.vn/tin-1.html", title="Tin đã sửa", published="2024-02-03")
    records[2]["category"] = "xây dựng Đảng"
    _write(corpus, records)
    summary = build(corpus, store=store, workers=1, quiet=True)
    assert (summary.processed, summary.reused) == (2, 4)
    tables = open_tables(store)
    docs = tables["documents"].set_index("doc_id")
    assert docs.loc["doc-001", "province"] == "Trà Vinh" and docs.loc["doc-001", "title"] == "Tin đã sửa"
    assert str(docs.loc["doc-001", "published"])[:10] == "2024-02-03"
    assert docs.loc["doc-001", "source"] == "https://www.baotravinh.vn/tin-1.html"
    assert json.loads(docs.loc["doc-002", "extra"]) == {"category": "xây dựng Đảng"}
    assert set(tables["mentions"][tables["mentions"].doc_id == "doc-001"].province) == {"Trà Vinh"}
    _assert_equal_to_clean_build(corpus, store, tmp_path)


def test_a_changed_fingerprint_reprocesses_everything(tmp_path):
    corpus, store = tmp_path / "corpus", tmp_path / "store"
    _write(corpus, [_record(i) for i in range(5)])
    build(corpus, store=store, workers=1, quiet=True)
    assert build(corpus, store=store, workers=1, quiet=True, stages=("places",)).processed == 5
    assert len(open_tables(store)["mentions"]) == 0  # no indicator stage: no mentions, none carried over


def test_a_reader_opened_before_builds_keeps_reading_and_old_generations_are_pruned(tmp_path, monkeypatch):
    corpus, store = tmp_path / "corpus", tmp_path / "store"
    records = [_record(i) for i in range(5)]
    _write(corpus, records)
    build(corpus, store=store, workers=1, quiet=True)
    reader = connect(store)
    monkeypatch.setattr(store_module, "GRACE_SECONDS", 0)
    for round_ in range(3):  # each build changes the corpus, so each makes new parts
        records.append(_record(50 + round_))
        _write(corpus, records)
        build(corpus, store=store, workers=1, quiet=True)
    # the reader still sees its generation, whole
    assert reader.execute("SELECT count(*) FROM documents").fetchone()[0] == 5
    assert reader.execute("SELECT count(*) FROM mentions").fetchone()[0] > 0
    generations = store / "generations"
    assert len(list(generations.iterdir())) == 3  # the reader's, the previous and the current one
    del reader
    gc.collect()
    records.append(_record(60))
    _write(corpus, records)
    build(corpus, store=store, workers=1, quiet=True)
    assert len(list(generations.iterdir())) == 2  # the current and the previous one, for readers opened just before


def test_analysis_duckdb_follows_current_even_if_killed_right_after_the_commit_point(tmp_path):
    corpus, store = tmp_path / "corpus", tmp_path / "store"
    records = [_record(i) for i in range(5)]
    _write(corpus, records)
    build(corpus, store=store, workers=1, quiet=True)
    shutil.copy(store / "analysis.duckdb", tmp_path / "first.duckdb")
    _write(corpus, records[:3])
    build(corpus, store=store, workers=1, quiet=True)
    # a kill between the switch of CURRENT and the rewrite of analysis.duckdb leaves the old file
    shutil.copy(tmp_path / "first.duckdb", store / "analysis.duckdb")
    with duckdb.connect(str(store / "analysis.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == 3
    with connect(store) as con:
        assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == 3


def test_a_failed_build_removes_its_generation(tmp_path, monkeypatch):
    corpus, store = tmp_path / "corpus", tmp_path / "store"
    _write(corpus, [_record(i) for i in range(30)])
    build(corpus, store=store, workers=1, quiet=True, batch_size=5)
    before = set((store / "generations").iterdir())
    written = []
    real = store_module.Generation.write_batch

    def disk_fills_up(self, tables):
        if written:
            raise OSError(28, "No space left on device")
        written.append(1)
        return real(self, tables)

    monkeypatch.setattr(store_module.Generation, "write_batch", disk_fills_up)
    with pytest.raises(OSError, match="No space left"):
        build(corpus, store=store, workers=1, quiet=True, batch_size=5, rebuild=True)
    assert set((store / "generations").iterdir()) == before
    assert len(open_tables(store)["documents"]) == 30


def test_a_lock_is_not_held_by_orphaned_children(tmp_path):
    """The build's lock dies with the build's process, whatever its children do."""
    store = tmp_path / "store"
    script = textwrap.dedent(f"""
        import os, sys, time
        from analysis.store import Store
        with Store({str(store)!r}):
            if os.fork() == 0:
                time.sleep(60)
                os._exit(0)
            print("locked", flush=True)
            time.sleep(60)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
        with pytest.raises(store_module.StoreBusy):
            Store(store).__enter__()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        with Store(store):  # the orphaned child lives on, yet the store is free
            pass
    finally:
        os.killpg(proc.pid, signal.SIGKILL)


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found.update(int(p) for p in task.read_text().split())
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("moment", ["started", "processing", "reusing"])
def test_kill_9_at_any_point_leaves_no_workers_and_the_next_build_is_clean(tmp_path, moment):
    corpus, store = tmp_path / "corpus", tmp_path / "store"
    records = [_record(i) for i in range(300)]
    _write(corpus, records)
    if moment == "reusing":
        build(corpus, store=store, workers=1, quiet=True, batch_size=10)
        for i in range(0, 300, 7):
            records[i]["title"] = f"Sửa {i}"
        _write(corpus, records)
    proc = subprocess.Popen([sys.executable, "-m", "analysis", "build", str(corpus), "--store", str(store), "--quiet",
                             "--workers", "2", "--batch-size", "10"])
    generations = store / "generations"
    deadline = time.time() + 120
    workers: set[int] = set()
    while time.time() < deadline and proc.poll() is None:
        workers |= _children(proc.pid)
        new = [g for g in generations.glob("*") if not (g / "COMPLETE").exists()] if generations.exists() else []
        if new and (moment == "started" or any(new[0].glob("mentions/part-*.parquet"))):
            break
        time.sleep(0.01)
    assert proc.poll() is None, "the build finished before it could be killed"
    workers |= _children(proc.pid)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.time() + 20
    while time.time() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.05)
    assert not any(_alive(w) for w in workers), "workers outlived the killed build"
    summary = build(corpus, store=store, workers=2, quiet=True, batch_size=10)  # no manual clean-up
    assert summary.documents == 300
    assert all((g / "COMPLETE").exists() for g in generations.iterdir())
    _assert_equal_to_clean_build(corpus, store, tmp_path)


def test_a_store_path_with_quotes_and_brackets_works(tmp_path):
    from analysis.aggregate import load_tables

    corpus, store = tmp_path / "corpus", tmp_path / "it's [a] *store?"
    records = [_record(i) for i in range(6)]
    _write(corpus, records)
    build(corpus, store=store, workers=1, quiet=True)
    records[0]["title"] = "Khác"
    _write(corpus, records)
    assert build(corpus, store=store, workers=1, quiet=True).processed == 1
    assert len(open_tables(store)["documents"]) == 6
    assert len(load_tables(str(store), province="Bến Tre")["documents"]) == 6
    with duckdb.connect(str(store / "analysis.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == 6
    _assert_equal_to_clean_build(corpus, store, tmp_path)


def test_the_incremental_benchmark_changes_the_stated_share_of_texts_in_place(tmp_path):
    from analysis.bench import change_corpus, generate_corpus

    corpus = tmp_path / "corpus"
    generate_corpus(corpus, 300, seed=3)
    before = {p.name: p.read_text("utf-8").splitlines() for p in corpus.glob("*.jsonl")}
    assert change_corpus(corpus, 0.02, seed=3) == 6
    after = {p.name: p.read_text("utf-8").splitlines() for p in corpus.glob("*.jsonl")}
    assert before.keys() == after.keys()
    changed = [(json.loads(a), json.loads(b)) for name in before for a, b in zip(before[name], after[name], strict=True)
               if a != b]
    assert len(changed) == 6 and all(old["id"] == new["id"] and old["text"] != new["text"] for old, new in changed)


def test_the_benchmark_refuses_a_changed_share_outside_0_1():
    proc = subprocess.run([sys.executable, "-m", "analysis", "bench", "--incremental", "--changed", "2"],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "--changed" in proc.stderr and "Traceback" not in proc.stderr


def test_a_generation_finished_but_never_switched_to_is_removed_by_the_next_build(tmp_path):
    corpus, store = tmp_path / "corpus", tmp_path / "store"
    _write(corpus, [_record(i) for i in range(4)])
    build(corpus, store=store, workers=1, quiet=True)
    with Store(store) as target:  # a build killed after writing COMPLETE, before the switch of CURRENT
        orphan = target.new_generation()
        (orphan.path / "COMPLETE").write_text("ok", "utf-8")
    assert build(corpus, store=store, workers=1, quiet=True).reused == 4
    assert not orphan.path.exists() and len(list((store / "generations").iterdir())) == 1  # nothing changed: kept


def _snapshot(root: Path) -> dict[str, tuple]:
    """Every file, link and folder under ``root`` (itself included) with its mtime, size and bytes or link target."""
    found: dict[str, tuple] = {}
    for path in [root, *sorted(root.rglob("*"))]:
        info = path.lstat()
        if path.is_symlink():
            content: object = os.readlink(path)
        elif path.is_file():
            content = path.read_bytes()
        else:
            content = None
        found[str(path.relative_to(root))] = (info.st_mtime_ns, info.st_size, content)
    return found


def test_a_build_with_nothing_changed_keeps_its_generation_and_leaves_every_file_as_it_was(tmp_path, sample_dir):
    corpus, store = tmp_path / "corpus", tmp_path / "store"
    shutil.copytree(sample_dir, corpus)
    (corpus / "broken.json").write_text("{not json", encoding="utf-8")
    first = build(corpus, store=store, workers=1, quiet=True)
    before = _snapshot(store)
    generation = Store(store).current
    assert generation is not None
    time.sleep(0.05)  # a file written again would get a later mtime
    again = build(corpus, store=store, workers=1, quiet=True)
    assert again.kept == generation.name and (again.documents, again.processed, again.reused, again.rejected) == (5, 0, 5, 1)
    assert (again.mentions, again.citations, again.people) == (first.mentions, first.citations, first.people)
    assert _snapshot(store) == before
    proc = subprocess.run([sys.executable, "-m", "analysis", "build", str(corpus), "--store", str(store), "--quiet"],
                          capture_output=True, text=True)
    assert proc.returncode == 0 and f"no change: generation {generation.name} kept" in proc.stdout
    assert _snapshot(store) == before


@pytest.mark.parametrize("change", ["load order", "new rejection", "rules", "stages", "rebuild"])
def test_a_build_after_any_change_writes_a_new_generation(tmp_path, change):
    first, second, store = tmp_path / "a", tmp_path / "b", tmp_path / "store"
    _write(first, [_record(i) for i in range(3)])
    _write(second, [_record(i) for i in range(3, 6)])
    build([first, second], store=store, workers=1, quiet=True)
    kept = Store(store).current
    corpus: list[Path] = [first, second]
    options: dict = {}
    if change == "load order":  # the same records, read in another order
        corpus = [second, first]
    elif change == "new rejection":
        (first / "broken.jsonl").write_text("{not json\n", encoding="utf-8")
    elif change == "rules":
        from importlib import resources

        rules = tmp_path / "indicators.yaml"
        text = resources.files("analysis.rules").joinpath("indicators.yaml").read_text("utf-8")
        rules.write_text(text + "\n# edited\n", encoding="utf-8")
        options["rules"] = rules
    elif change == "stages":
        options["stages"] = ("places", "indicators")
    else:
        options["rebuild"] = True
    summary = build(corpus, store=store, workers=1, quiet=True, **options)
    assert summary.kept is None and Store(store).current != kept
    if change == "load order":
        assert (summary.processed, summary.reused) == (0, 6)
        assert list(open_tables(store, ("documents",))["documents"].doc_id[:3]) == ["doc-003", "doc-004", "doc-005"]
    if change in ("load order", "new rejection", "rebuild"):  # (the others build other tables than a default build)
        _assert_equal_to_clean_build(corpus, store, tmp_path)


def _age(paths, seconds: float = 3600) -> None:
    """Set the files' mtime ``seconds`` in the past: settled long before any build reads them."""
    then = time.time() - seconds
    for path in paths:
        os.utime(path, (then, then))


@pytest.fixture()
def counted_reads(monkeypatch):
    """The files the loader reads, in order."""
    from analysis.load import readers

    reads: list[str] = []
    for suffix, reader in list(readers.READERS.items()):
        def counting(path, *args, _reader=reader, **kwargs):
            reads.append(Path(path).name)
            return _reader(path, *args, **kwargs)

        monkeypatch.setitem(readers.READERS, suffix, counting)
    return reads


def test_unchanged_files_are_not_read_again_and_changed_or_unsure_ones_are(tmp_path, counted_reads):
    corpus, store = tmp_path / "corpus", tmp_path / "store"
    records = [_record(i) for i in range(6)]
    _write(corpus, records)
    shard = corpus / "shard.jsonl"  # a container: several records and a bad line in one file
    shard.write_text("\n".join([json.dumps({**_record(10), "id": "dup"}, ensure_ascii=False), "{not json",
                                json.dumps({**_record(11), "id": "dup"}, ensure_ascii=False)]) + "\n", encoding="utf-8")
    _age(corpus.iterdir())
    build(corpus, store=store, workers=1, quiet=True)
    assert len(counted_reads) == 7
    counted_reads.clear()
    again = build(corpus, store=store, workers=1, quiet=True)
    assert counted_reads == [] and again.kept and (again.documents, again.rejected) == (8, 1)  # nothing read, all known

    changed = corpus / "doc-002.jsonl"  # a new text: new size and mtime
    records[2]["text"] += " Chi bộ có thêm 2 đảng viên."
    changed.write_text(json.dumps(records[2], ensure_ascii=False) + "\n", encoding="utf-8")
    _age([changed], 1800)
    same_size = corpus / "doc-004.jsonl"  # a new text of the same size with its old mtime put back: ctime tells
    old = same_size.stat()
    same_size.write_text(same_size.read_text("utf-8").replace("104 đảng viên", "105 đảng viên"), encoding="utf-8")
    os.utime(same_size, ns=(old.st_atime_ns, old.st_mtime_ns))
    assert same_size.stat().st_size == old.st_size
    future = corpus / "doc-005.jsonl"  # an mtime in the future: no telling when it was written, so it is read
    os.utime(future, (time.time() + 86_400, time.time() + 86_400))
    counted_reads.clear()
    third = build(corpus, store=store, workers=1, quiet=True)
    assert sorted(counted_reads) == ["doc-002.jsonl", "doc-004.jsonl", "doc-005.jsonl"]
    assert (third.processed, third.reused, third.rejected) == (2, 6, 1)
    counted_reads.clear()
    build(corpus, store=store, workers=1, quiet=True)
    assert counted_reads == ["doc-005.jsonl"]  # still in the future; the other two are settled now
    ids = list(open_tables(store, ("documents",))["documents"].doc_id)
    assert ids[-2:] == ["dup", "dup#2"]  # ids made unique as when the file was read
    _assert_equal_to_clean_build(corpus, store, tmp_path)


def test_a_file_written_just_before_the_build_that_read_it_is_read_again(tmp_path, counted_reads):
    corpus, store = tmp_path / "corpus", tmp_path / "store"
    _write(corpus, [_record(i) for i in range(3)])
    _age([corpus / "doc-000.jsonl", corpus / "doc-001.jsonl"])
    build(corpus, store=store, workers=1, quiet=True)  # doc-002 was written within the same second or two
    counted_reads.clear()
    assert build(corpus, store=store, workers=1, quiet=True).kept
    assert counted_reads == ["doc-002.jsonl"]


def test_a_file_whose_ids_would_change_is_read_again(tmp_path, counted_reads):
    corpus, store = tmp_path / "corpus", tmp_path / "store"
    _write(corpus, [_record(i) for i in range(3)])
    _age(corpus.iterdir())
    build(corpus, store=store, workers=1, quiet=True)
    # a new file read first holds the id of a later, unchanged one, which must now become "doc-001#2"
    (corpus / "a-first.jsonl").write_text(json.dumps(_record(1), ensure_ascii=False) + "\n", encoding="utf-8")
    counted_reads.clear()
    summary = build(corpus, store=store, workers=1, quiet=True)
    assert counted_reads == ["a-first.jsonl", "doc-001.jsonl"]
    assert "doc-001#2" in set(open_tables(store, ("documents",))["documents"].doc_id) and summary.documents == 4
    _assert_equal_to_clean_build(corpus, store, tmp_path)


def test_a_store_from_before_files_were_recorded_is_read_then_skipped_without_losing_records(tmp_path, counted_reads):
    import pyarrow.parquet as pq

    corpus, store = tmp_path / "corpus", tmp_path / "store"
    records = [_record(i) for i in range(5)]
    _write(corpus, records)
    _age(corpus.iterdir())
    build(corpus, store=store, workers=1, quiet=True)
    current = Store(store).current
    assert current is not None
    index = current / "index" / "data.parquet"  # as an older build wrote it: no files/, no file or raw id per document
    pq.write_table(pq.read_table(index).drop_columns(["file", "raw_id"]), index)
    shutil.rmtree(current / "files")
    records.append(_record(7))
    _write(corpus, records)
    _age(corpus.iterdir())
    counted_reads.clear()
    assert build(corpus, store=store, workers=1, quiet=True).processed == 1
    assert len(counted_reads) == 6  # nothing known about the files: all read
    counted_reads.clear()
    summary = build(corpus, store=store, workers=1, quiet=True)
    assert counted_reads == [] and summary.kept and summary.documents == 6
    _assert_equal_to_clean_build(corpus, store, tmp_path)
