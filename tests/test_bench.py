"""The benchmark: synthetic pages made from a corpus's own pages, every build stage timed, bad parameters refused."""
from __future__ import annotations

import functools
import importlib
import json
import random
import subprocess
import sys

import pytest

from analysis import bench
from analysis.bench import (
    STAGE_FUNCTIONS,
    TARGET_BYTES,
    BenchError,
    generate_corpus,
    sentence_pool,
    stage_table,
    stage_timers,
)
from analysis.build import STAGES, build
from analysis.extract.sentences import split_sentences

BODY = (
    "Đảng ủy xã Phú Sơn có 11 chi bộ với 192 đảng viên, trong đó có 3 chi bộ đạt trong sạch vững mạnh toàn diện "
    "và nhiều đảng viên hoàn thành xuất sắc nhiệm vụ được giao trong năm qua. Ông Nguyễn Văn An, Bí thư Đảng ủy xã, "
    "cho biết năm 2023 đã kết nạp 12 đảng viên mới theo Chỉ thị số 05-CT/TW của Bộ Chính trị về học tập và làm theo Bác."
)


@pytest.fixture()
def page_corpus(tmp_path):
    """Two pages as the gold set has them: a header, running text and page chrome around it."""
    folder = tmp_path / "pages"
    folder.mkdir()
    pages = [
        {"id": "a", "url": "https://baobentre.vn/a", "title": "Phú Sơn kết nạp đảng viên",
         "text": "Trang chủ | Xây dựng Đảng\nPhú Sơn kết nạp đảng viên\n13/11/2023\n" + BODY
                 + "\nẢnh: Tư liệu\n" + BODY + "\nTHANH THANH\nTin liên quan"},
        {"id": "b", "url": "https://baolongan.vn/b", "published": "2022-05-01",
         "text": "Chính trị\n" + BODY.replace("Phú Sơn", "Tân Hòa") + "\nVăn Tài\nXem thêm"},
    ]
    for page in pages:
        (folder / f"{page['id']}.json").write_text(json.dumps(page, ensure_ascii=False), encoding="utf-8")
    return folder


def test_the_pool_keeps_each_pages_frame_and_splits_its_running_text(page_corpus):
    pool = sentence_pool(page_corpus)
    frames = {page.head: page.tail for page in pool.pages}
    assert frames[("Trang chủ | Xây dựng Đảng", "Phú Sơn kết nạp đảng viên", "13/11/2023")] == ("THANH THANH", "Tin liên quan")
    assert frames[("Chính trị",)] == ("Văn Tài", "Xem thêm")
    assert pool.short_lines == ("Ảnh: Tư liệu",)  # a caption between paragraphs
    assert {page.host for page in pool.pages} == {"baobentre.vn", "baolongan.vn"}
    expected = {BODY[a:b] for a, b in split_sentences(BODY)} | {
        BODY.replace("Phú Sơn", "Tân Hòa")[a:b] for a, b in split_sentences(BODY.replace("Phú Sơn", "Tân Hòa"))}
    assert set(pool.sentences) == expected


def test_synthetic_articles_are_real_pages_frames_around_recombined_sentences(page_corpus, tmp_path):
    pool = sentence_pool(page_corpus)
    files, size = generate_corpus(tmp_path / "out", 7, seed=3, source=page_corpus, shard=3)
    shards = sorted((tmp_path / "out").glob("*.jsonl"))
    assert files == len(shards) == 3
    records = [json.loads(line) for shard in shards for line in shard.read_text("utf-8").splitlines()]
    assert [r["id"] for r in records] == [f"synthetic-{i:07d}" for i in range(7)]
    assert size == sum(shard.stat().st_size for shard in shards)
    sentences, heads = set(pool.sentences), {page.head: page for page in pool.pages}
    for record in records:
        blocks = record["text"].split("\n\n")
        page = next(p for head, p in heads.items() if tuple(blocks[: len(head)]) == head)
        assert tuple(blocks[len(blocks) - len(page.tail):]) == page.tail
        assert record["url"].startswith(f"https://{page.host}/")
        assert record.get("title") == page.title and record.get("published") == page.published
        body = blocks[len(page.head): len(blocks) - len(page.tail)]
        assert all(b in pool.short_lines or all(b[x:y] in sentences for x, y in split_sentences(b)) for b in body)
        assert len(record["text"].encode("utf-8")) >= TARGET_BYTES
    again = tmp_path / "again"
    generate_corpus(again, 7, seed=3, source=page_corpus, shard=3)
    assert [p.read_bytes() for p in sorted(again.glob("*.jsonl"))] == [p.read_bytes() for p in shards]


def test_a_corpus_without_running_text_or_a_missing_one_is_refused(tmp_path):
    (tmp_path / "menu.txt").write_text("Trang chủ\nXây dựng Đảng\nLiên hệ", encoding="utf-8")
    with pytest.raises(BenchError, match="no page with running text"):
        sentence_pool(tmp_path)
    with pytest.raises(BenchError, match="no such file"):
        sentence_pool(tmp_path / "missing")


def _resolve(module: str, attribute: str):
    return functools.reduce(getattr, attribute.split("."), importlib.import_module(module))


def test_stage_timers_cover_every_stage_the_build_runs_and_are_exclusive(sample_dir, tmp_path):
    assert set(STAGES) <= {stage for stage, _, _ in STAGE_FUNCTIONS}  # people included
    originals = [_resolve(m, a) for _, m, a in STAGE_FUNCTIONS]
    with stage_timers() as totals:
        summary = build(sample_dir, store=tmp_path / "store", workers=1, quiet=True)
    assert summary.people > 0 and summary.mentions > 0
    assert {stage for stage, _, _ in STAGE_FUNCTIONS} == set(totals)
    assert all(seconds > 0 for seconds in totals.values())
    # Exclusive: nested timed calls are not counted twice, so the stages sum to less than the build.
    assert sum(totals.values()) < summary.elapsed
    after = [_resolve(m, a) for _, m, a in STAGE_FUNCTIONS]
    assert after == originals  # the wrappers are removed
    per_stage, total = stage_table({"docs": 5, "seconds": summary.elapsed, "stages": dict(totals)})
    assert abs(sum(per_stage.values()) - total) < 1e-9 and per_stage[bench.REST] > 0


def test_a_stage_function_that_moved_is_reported(monkeypatch):
    monkeypatch.setattr(bench, "STAGE_FUNCTIONS", (("people", "analysis.extract", "no_such_function"),))
    with pytest.raises(RuntimeError, match="people stage is no longer analysis.extract.no_such_function"):
        with stage_timers():
            pass


def test_the_benchmark_prints_every_stage_floor_build_and_ratios(page_corpus, tmp_path, capsys):
    figures = bench.run_benchmark(docs=12, workers=2, keep=str(tmp_path / "work"), peer_sample=0, repeat=1,
                                  source=page_corpus, stage_docs=12)
    out = capsys.readouterr().out
    for stage, _, _ in STAGE_FUNCTIONS:
        assert f"  {stage} " in out
    assert "build/floor" in out and "documents/s per core" in out and out.strip().splitlines()[-1].startswith("summary: 12 docs")
    assert figures["stages"]["docs"] == 12 and figures["build"]["docs"] == 12 and figures["floor"]["docs"] == 12
    assert figures["stages"]["ms_per_doc"]["people"] > 0


def test_scale_builds_a_tenth_and_all_and_compares_memory(page_corpus, tmp_path, capsys):
    figures = bench.run_scale(docs=20, workers=2, keep=str(tmp_path / "work"), source=page_corpus)
    assert [run["docs"] for run in figures["runs"].values()] == [2, 20]
    assert set(figures["rss_ratio"]) == {"rss_main_mb", "rss_worker_mb"} and figures["rss_ratio"]["rss_main_mb"] > 0
    assert "1 000 000 documents at this rate" in capsys.readouterr().out


@pytest.mark.parametrize("call, message", [
    (lambda keep: bench.run_benchmark(docs=0, keep=keep), "--docs must be at least 1"),
    (lambda keep: bench.run_benchmark(docs=5, repeat=0, keep=keep), "--repeat must be at least 1"),
    (lambda keep: bench.run_benchmark(docs=5, workers=0, keep=keep), "--workers must be at least 1"),
    (lambda keep: bench.run_benchmark(docs=5, stage_docs=0, keep=keep), "--stage-docs must be at least 1"),
    (lambda keep: bench.run_scale(docs=5, keep=keep), "--scale needs --docs of at least 10"),
    (lambda keep: bench.run_incremental(docs=5, source="/no/such/corpus", keep=keep), "no such file or directory"),
])
def test_bad_benchmark_parameters_are_refused_before_work(call, message, tmp_path):
    keep = tmp_path / "work"
    with pytest.raises(BenchError, match=message):
        call(str(keep))
    assert not keep.exists()  # nothing was generated


@pytest.mark.parametrize("args, message", [
    (["--from", "/no/such/corpus"], "no such file or directory"),
    (["--scale", "--incremental"], "two different runs"),
])
def test_the_command_says_what_is_wrong_without_a_traceback(args, message, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "analysis", "bench", *args, "--keep", str(tmp_path / "work")],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "work").exists()


def test_recombination_is_deterministic_for_a_seed(page_corpus):
    pool = sentence_pool(page_corpus)
    first = [bench.synthetic_record(i, pool, random.Random(5)) for i in range(3)]
    assert first == [bench.synthetic_record(i, pool, random.Random(5)) for i in range(3)]


def test_a_phases_figures_are_read_after_other_output_on_its_line():
    figures = {"docs": 3, "seconds": 1.5}
    printed = "100% ▕████████████▏ " + bench.RESULT_MARK + json.dumps(figures) + "\n"  # DuckDB's bar, no newline
    assert bench.read_result("log line\n" + printed) == figures
    with pytest.raises(RuntimeError, match="printed no figures"):
        bench.read_result("Traceback …")
