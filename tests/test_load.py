"""Corpus loading: every format, stable ids, duplicates, and every kind of bad input."""
from __future__ import annotations

import json
import os

import pandas as pd
import pytest

from analysis import load_corpus, read_corpus

ARTICLE = (
    "Đảng bộ xã Tân Hòa kết nạp 12 đảng viên mới\n\n"
    "05/03/2024\n\n"
    "Năm 2023, Đảng bộ xã Tân Hòa có 18 chi bộ trực thuộc với 420 đảng viên. "
    "Đảng ủy xã đã kết nạp 12 đảng viên mới.\n\n"
    "Minh Châu\n"
)


def test_sample_corpus_loads_all_five_with_titles_dates_and_sizes(sample_documents):
    docs = sample_documents
    assert len(docs) == 5
    assert docs.attrs["rejected"].empty
    assert list(docs["doc_id"]) == sorted(docs["doc_id"])
    by_id = docs.set_index("doc_id")
    assert by_id.loc["000_f4d1bbf37d75d624", "title"] == "Trưởng Ban Tuyên giáo Tỉnh uỷ làm việc với Đảng uỷ xã Phú Sơn"
    assert by_id.loc["000_f4d1bbf37d75d624", "published"] == pd.Timestamp("2023-11-13")
    assert by_id.loc["004_7403d5d63bb36fa2", "published"] == pd.Timestamp("2022-08-12")
    # The breadcrumb line above the headline is not the title.
    assert by_id.loc["003_0589c90960558e0b", "title"].startswith("Long An: Nhiều đổi mới")
    assert pd.isna(by_id.loc["001_c6073d5bad957edc", "published"])  # no date stated: none guessed
    assert by_id.loc["004_7403d5d63bb36fa2", "byline"] == "Bài, ảnh: TRƯỜNG SƠN"
    assert by_id.loc["000_f4d1bbf37d75d624", "byline"] == "Tôn Đức Tài"
    assert (docs["n_chars"] == docs["text"].str.len()).all()
    assert docs["sha256"].str.fullmatch(r"[0-9a-f]{64}").all()
    assert docs["duplicate_of"].isna().all()
    assert (docs["raw_text"].str.len() > docs["text"].str.len()).all()


def test_txt_html_jsonl_json_csv_parquet(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "b.html").write_text(
        "<html><head><title>Khen thưởng 20 tập thể</title><meta name='author' content='Lan Anh'></head><body>"
        "<nav><a href='/'>Trang chủ</a></nav><article><h1>Khen thưởng 20 tập thể</h1>"
        + "".join(f"<p>Huyện ủy đã khen thưởng 20 tập thể, 40 cá nhân có thành tích xuất sắc trong năm {y}. "
                  "Các chi bộ đăng ký thực hiện nhiều mô hình hay, cách làm hiệu quả.</p>" for y in range(2015, 2023))
        + "</article><footer>Bản quyền thuộc Báo X</footer></body></html>",
        encoding="utf-8",
    )
    records = [
        {"id": "r1", "url": "https://baoabc.vn/r1", "title": "Bài một", "published": "2024-01-02", "text": ARTICLE, "section": "Xây dựng Đảng"},
        {"id": "r2", "url": "https://baoabc.vn/r2", "title": "Bài hai", "published": None, "text": "Chi bộ có 30 đảng viên."},
    ]
    (tmp_path / "c.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
    (tmp_path / "d.json").write_text(json.dumps(records[0] | {"id": "j1"}, ensure_ascii=False), encoding="utf-8")
    pd.DataFrame({"body": ["Đảng bộ có 12 chi bộ.", "Kết nạp 5 đảng viên."], "id": ["c1", "c2"]}).to_csv(tmp_path / "e.csv", index=False)
    pd.DataFrame({"body": ["Đảng bộ có 12 chi bộ."], "id": ["p1"]}).to_parquet(tmp_path / "f.parquet")

    docs = load_corpus(tmp_path, text_column="text")
    rejected = docs.attrs["rejected"]
    # CSV and Parquet have no 'text' column: rejected with that reason, not dropped.
    assert set(rejected["reason"].str.extract(r"(no text column 'text')")[0].dropna()) == {"no text column 'text'"}
    assert len(docs) + len(rejected) == 6 + 1  # six files, the JSONL holds two records
    by_id = docs.set_index("doc_id")
    assert by_id.loc["a", "title"] == "Đảng bộ xã Tân Hòa kết nạp 12 đảng viên mới"
    assert by_id.loc["a", "published"] == pd.Timestamp("2024-03-05")
    assert by_id.loc["a", "byline"] == "Minh Châu"
    assert by_id.loc["r1", "source"] == "https://baoabc.vn/r1"
    assert by_id.loc["r1", "section"] == "Xây dựng Đảng"  # other fields are kept as columns
    assert by_id.loc["r1", "published"] == pd.Timestamp("2024-01-02")
    assert "j1" in by_id.index
    assert by_id.loc["b", "format"] == "html"
    assert "khen thưởng 20 tập thể" in by_id.loc["b", "text"]
    assert "Trang chủ" not in by_id.loc["b", "text"]

    tables = load_corpus([tmp_path / "e.csv", tmp_path / "f.parquet"], text_column="body")
    assert sorted(tables["doc_id"]) == ["c1", "c2", "p1"]
    assert tables.attrs["rejected"].empty


def test_duplicates_and_repeated_ids(tmp_path):
    (tmp_path / "one.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "two.txt").write_text(ARTICLE, encoding="utf-8")
    records = [{"id": "x", "text": "Chi bộ có 30 đảng viên."}, {"id": "x", "text": "Chi bộ có 31 đảng viên."}]
    (tmp_path / "r.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
    docs = load_corpus(tmp_path).set_index("doc_id")
    assert docs.loc["two", "duplicate_of"] == "one"
    assert pd.isna(docs.loc["one", "duplicate_of"])
    assert {"x", "x#2"} <= set(docs.index)


def _vietnamese_cp1258() -> bytes:
    """Vietnamese as Windows-1258 writes it: base letters composed, tones as combining marks."""
    import unicodedata

    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    text = "Đảng bộ huyện có 25 chi bộ và 1.200 đảng viên. Các chi bộ được củng cố, những mô hình của xã là tốt."
    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out.append(base + "".join(c for c in parts if c in tones))
    return "".join(out).encode("cp1258")


def test_every_bad_input_is_rejected_with_a_reason(tmp_path):
    (tmp_path / "good.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_bytes(b"   \n\n ")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "garbage.txt").write_bytes(b"abc \xff\xfe\x81\x8d\x8f\x90\x9d more \x81\x81 text")
    (tmp_path / "vni.txt").write_bytes("Ñaûng boä xaõ coù 25 chi boä vaø 300 ñaûng vieân. Ñaûng uûy ñaõ keát naïp".encode("latin-1"))
    (tmp_path / "legacy.txt").write_bytes(_vietnamese_cp1258())
    (tmp_path / "utf16.txt").write_bytes(ARTICLE.encode("utf-16"))
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbf" + ARTICLE.encode("utf-8"))
    (tmp_path / "lines.jsonl").write_text('{"id": "ok1", "text": "Chi bộ có 30 đảng viên."}\n{not json\n{"id": "ok2", "text": "Có 5 chi bộ."}\n{"id": "no-text"}\n', encoding="utf-8")
    (tmp_path / "table.csv").write_text("id,body\n1,Chi bộ có 30 đảng viên.\n", encoding="utf-8")
    (tmp_path / "broken.parquet").write_bytes(b"PAR1 this is not parquet")
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04")
    os.symlink(tmp_path / "missing-target.txt", tmp_path / "dangling.txt")

    with pytest.warns(UserWarning, match=r"input\(s\) rejected"):
        result = read_corpus([tmp_path, tmp_path / "does-not-exist"])
    docs, rejected = result.documents, result.rejected
    reasons = dict(zip(rejected["path"].map(lambda p: os.path.basename(p)), rejected["reason"], strict=False))
    assert reasons["empty.txt"] == "empty file"
    assert reasons["blank.txt"] == "empty file"
    assert reasons["binary.txt"].startswith("binary file")
    assert reasons["garbage.txt"].startswith("undecodable bytes")
    assert "legacy Vietnamese encoding VNI" in reasons["vni.txt"]
    assert reasons["lines.jsonl:2"].startswith("malformed JSON on line 2")
    assert reasons["lines.jsonl:4"] == "no text in field 'text'"
    assert reasons["table.csv"].startswith("no text column 'text'")
    assert reasons["broken.parquet"].startswith("unreadable PARQUET")
    assert reasons["notes.docx"] == "unsupported file type '.docx'"
    assert reasons["dangling.txt"].startswith("unreadable")
    assert reasons["does-not-exist"] == "no such file or directory"
    loaded = set(docs["doc_id"])
    assert {"good", "utf16", "bom", "legacy", "ok1", "ok2"} <= loaded
    legacy = docs.set_index("doc_id").loc["legacy"]
    assert "cp1258" in legacy["warning"] and "Đảng bộ huyện có 25 chi bộ" in legacy["text"]
    assert docs.set_index("doc_id").loc["utf16", "title"].startswith("Đảng bộ xã Tân Hòa")
    # 13 single-item files + lines.jsonl (2 documents, 2 rejected lines) + the missing path.
    assert len(docs) + len(rejected) == 13 + 4 + 1
