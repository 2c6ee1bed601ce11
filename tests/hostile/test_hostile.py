"""Every hostile input is loaded or rejected with a reason, by the loader, the build and the CLI."""
from __future__ import annotations

import json
import subprocess
import sys
import time
import warnings
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from analysis.load import read_corpus

from .corpus import CASES, INVISIBLE_NUMBER_TEXT, Case, write_corpus

ROOT = Path(__file__).resolve().parents[2]


def _case_of(path: str, root: Path) -> str:
    return path[len(str(root)) + 1 :].split("/")[0].split(":")[0]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, list[Case]]:
    root = tmp_path_factory.mktemp("hostile") / "corpus"
    return root, write_corpus(root)


@pytest.fixture(scope="module")
def loaded(corpus):
    root, _ = corpus
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_corpus(root)


def test_the_corpus_has_forty_kinds_of_bad_input():
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)


def test_every_input_is_loaded_or_rejected_with_a_reason(corpus, loaded):
    root, cases = corpus
    documents, rejected = loaded.documents, loaded.rejected
    assert rejected["reason"].str.strip().str.len().gt(0).all()
    loaded_by_case = Counter(_case_of(p, root) for p in documents["path"])
    rejected_by_case = Counter(_case_of(p, root) for p in rejected["path"])
    assert set(loaded_by_case) | set(rejected_by_case) <= {c.name for c in cases}
    for item in cases:
        accounted = loaded_by_case[item.name] + rejected_by_case[item.name]
        assert accounted == item.inputs, f"{item.name}: {item.inputs} inputs, {accounted} accounted for"
        if item.loaded is not None:
            assert loaded_by_case[item.name] == item.loaded, item.name
        if item.reason is not None:
            reasons = rejected.loc[rejected["path"].map(lambda p, n=item.name: _case_of(p, root) == n), "reason"]
            assert reasons.str.contains(item.reason, regex=False).all(), (item.name, list(reasons))
    assert len(documents) + len(rejected) == sum(c.inputs for c in cases)


def test_what_is_loaded_is_the_right_text(corpus, loaded):
    root, _ = corpus
    docs = loaded.documents.assign(case=lambda f: f["path"].map(lambda p: _case_of(p, root))).set_index("doc_id")
    for name in ("utf16_bom", "utf16le_without_bom", "utf16be_without_bom", "utf32_bom", "utf32le_without_bom", "utf8_bom", "cp1258"):
        row = docs[docs["case"] == name].iloc[0]
        assert row["title"] == "Đảng bộ xã Tân Hòa kết nạp 12 đảng viên mới", name
        assert "có 18 chi bộ trực thuộc với 420 đảng viên" in row["text"], name
    assert "cp1258" in docs[docs["case"] == "cp1258"].iloc[0]["warning"]
    huge = docs[docs["case"] == "oversized_text"].iloc[0]
    assert len(huge["raw_text"]) <= 2_000_000 and "truncated" in huge["warning"]
    assert "\ufffd" in docs.loc["s1", "text"] and "lone surrogate" in docs.loc["s1", "warning"]
    assert docs.loc["s3", "text"].endswith("\U0001f600.")  # a proper surrogate pair is one character
    assert "\u2028" in docs.loc["u1", "raw_text"] and "Kết nạp 2 đảng viên" in docs.loc["u2", "raw_text"]
    assert {"before", "after", "fine", "c1", "c2", "b1", "b3", "w1", "w2", "1", "2", "t7", "t8"} <= set(docs.index)
    assert docs.loc["1", "title"] == "5" and docs.loc["2", "byline"] == "7"
    scripts = docs[docs["case"] == "html_with_scripts"].iloc[0]
    assert "khen thưởng 20 tập thể" in scripts["text"] and "999" not in scripts["text"] and "777" not in scripts["text"]
    assert "1200 đảng viên" in docs[docs["case"] == "invisible_characters_in_numbers"].iloc[0]["text"]
    rejected = loaded.rejected.assign(case=lambda f: f["path"].map(lambda p: _case_of(p, root)))
    extra = rejected[rejected["case"] == "csv_wrong_field_counts"]
    assert sorted(extra["path"].str.extract(r"(line \d+)")[0]) == ["line 3", "line 4"]


def test_invisible_characters_do_not_change_numbers(corpus, loaded):
    from analysis.extract import extract

    root, _ = corpus
    docs = loaded.documents[loaded.documents["path"].map(lambda p: _case_of(p, root)) == "invisible_characters_in_numbers"]
    mentions = extract(docs, references=False)
    values = set(mentions["value"])
    assert {1200, 34, 15} <= values, (INVISIBLE_NUMBER_TEXT, values)
    assert not values & {200, 4, 5}


def test_build_loads_or_rejects_everything(corpus, tmp_path):
    from analysis.build import build
    from analysis.store import connect

    root, cases = corpus
    summary = build(root, store=tmp_path / "store", workers=1, quiet=True)
    assert summary.documents + summary.rejected == sum(c.inputs for c in cases)
    with connect(tmp_path / "store") as con:
        documents = con.execute("SELECT doc_id, warning FROM documents").df()
        rejected = con.execute("SELECT path, reason FROM rejected").df()
    assert len(documents) == summary.documents and len(rejected) == summary.rejected
    assert documents["warning"].str.contains("truncated", na=False).sum() == 1


def test_documents_command_neither_crashes_nor_loses_an_input(corpus, tmp_path):
    root, cases = corpus
    out = tmp_path / "documents.jsonl"
    run = subprocess.run([sys.executable, "-m", "analysis", "documents", str(root), "--out", str(out)],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "Traceback" not in run.stderr
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    rejected = [line for line in run.stderr.splitlines() if line.startswith("rejected: ")]
    assert len(rows) + len(rejected) == sum(c.inputs for c in cases)
    assert pd.Series([r["doc_id"] for r in rows]).is_unique


@pytest.mark.parametrize("item", [c for c in CASES if c.timed], ids=lambda c: c.name)
def test_repetitive_one_megabyte_shapes_finish_in_seconds(item, tmp_path):
    from analysis.build import build

    if item.pending:
        pytest.skip(item.pending)
    root = tmp_path / "corpus"
    write_corpus(root, [item])
    # CPU time of this process (the build runs here with one worker): the machine may be shared.
    started = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = read_corpus(root)
    loaded_in = time.process_time() - started
    assert len(result.documents) == item.loaded
    started = time.process_time()
    summary = build(root, store=tmp_path / "store", workers=1, quiet=True)
    built_in = time.process_time() - started
    assert summary.documents == item.loaded
    # Generous regression bounds (the target is 5 s each): quadratic work took minutes.
    assert loaded_in < 5 and built_in < 10, (loaded_in, built_in)
