"""Command line: documents/extract contracts, errors without tracebacks."""
from __future__ import annotations

import json
import subprocess
import sys


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True, text=True, cwd=cwd)


def test_documents_command_writes_the_contract(tmp_path, sample_dir):
    out = tmp_path / "docs.jsonl"
    proc = run("documents", str(sample_dir), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert len(rows) == 5
    for row in rows:
        assert {"doc_id", "title", "published", "byline", "source", "n_chars", "province"} <= set(row)
    by_id = {r["doc_id"]: r for r in rows}
    assert by_id["000_f4d1bbf37d75d624"]["published"] == "2023-11-13"
    assert by_id["001_c6073d5bad957edc"]["published"] is None
    assert by_id["000_f4d1bbf37d75d624"]["province"] == "Bến Tre"


def test_extract_command_writes_mentions_in_each_format(tmp_path, sample_dir):
    for suffix in ("jsonl", "csv", "parquet"):
        out = tmp_path / f"m.{suffix}"
        proc = run("extract", str(sample_dir), "--out", str(out), "--quiet")
        assert proc.returncode == 0, proc.stderr
        assert out.stat().st_size > 0
    rows = [json.loads(line) for line in (tmp_path / "m.jsonl").read_text("utf-8").splitlines()]
    assert {"doc_id", "indicator", "value", "sentence", "start", "end", "rule_id"} <= set(rows[0])
    assert {"doc_id": "000_f4d1bbf37d75d624", "indicator": "party_members", "value": 192} in [
        {k: r[k] for k in ("doc_id", "indicator", "value")} for r in rows
    ]
    assert any(r["indicator"] == "reference" and r["value"] == "272-QĐ/TU" for r in rows)


def test_user_mistakes_are_one_line_errors(tmp_path):
    proc = run("documents", str(tmp_path / "nope"), "--out", str(tmp_path / "d.jsonl"))
    assert proc.returncode == 2
    assert "no such file or directory" in proc.stderr and "Traceback" not in proc.stderr
    proc = run("extract", str(tmp_path), "--out", str(tmp_path / "d.xlsx"))
    assert proc.returncode == 2
    assert "unknown output format" in proc.stderr and "Traceback" not in proc.stderr
    proc = run("--help")
    assert proc.returncode == 0 and "documents" in proc.stdout and "extract" in proc.stdout


def test_rejected_inputs_are_reported_not_fatal(tmp_path):
    (tmp_path / "ok.txt").write_text("Chi bộ có 30 đảng viên.", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    proc = run("documents", str(tmp_path), "--out", str(tmp_path / "d.jsonl"))
    assert proc.returncode == 0
    assert "rejected: " in proc.stderr and "empty file" in proc.stderr
    assert len((tmp_path / "d.jsonl").read_text("utf-8").splitlines()) == 1


def test_facts_command_writes_the_facts_of_a_province(tmp_path, sample_dir):
    store = tmp_path / "store"
    assert run("build", str(sample_dir), "--store", str(store), "--quiet", "--workers", "1").returncode == 0
    proc = run("facts", "--store", str(store), "--province", "ben tre", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert rows and {r["doc_id"] for r in rows} == {"000_f4d1bbf37d75d624"}  # Bến Tre's article only
    members = [r for r in rows if r["indicator"] == "party_members" and r["value"] == 192]
    assert members and members[0]["organization"] == "Đảng bộ xã Phú Sơn" and members[0]["counted"] is True
    assert members[0]["period_start"] == "2023-11-13" and "192 đảng viên" in members[0]["sentence"]
    assert "fact(s) of 1 document(s) (province=Bến Tre)" in proc.stderr

    proc = run("facts", "--store", str(store), "--counted", "--date-from", "2023-01-01")
    assert proc.returncode == 0, proc.stderr
    header, *lines = proc.stdout.splitlines()
    assert header.startswith("fact_id,doc_id,indicator") and lines
    assert "document(s) without a date left out by the date filter" in proc.stderr

    out = tmp_path / "facts.parquet"
    assert run("facts", "--store", str(store), "--out", str(out)).returncode == 0 and out.stat().st_size > 0
    for args, message in ((["--province", "Ben Tri"], "did you mean 'Bến Tre'"),
                          (["--date-from", "2023-02-01", "--date-to", "2023-01-01"], "date_to is before date_from")):
        proc = run("facts", "--store", str(store), *args)
        assert proc.returncode == 2 and message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_facts_command_mistakes_are_one_line_errors(tmp_path):
    for args, message in ((["--store", str(tmp_path / "nowhere")], "no store at"),
                          (["--store", str(tmp_path), "--out", str(tmp_path / "f.xlsx")], "unknown output format")):
        proc = run("facts", *args)
        assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr
