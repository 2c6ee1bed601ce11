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


def _reasons(result) -> dict[str, str]:
    return dict(zip(result.rejected["path"].map(os.path.basename), result.rejected["reason"], strict=False))


def _read_in_thread(path, seconds: float = 60):
    """read_corpus in a thread, so that a loader that blocks fails the test instead of hanging it."""
    import threading

    out: list = []
    worker = threading.Thread(target=lambda: out.append(read_corpus(path, warn=False)), daemon=True)
    worker.start()
    worker.join(seconds)
    assert out, f"read_corpus blocked for {seconds} s"
    return out[0]


def test_special_files_are_rejected_without_blocking_or_reading(tmp_path):
    (tmp_path / "good.txt").write_text(ARTICLE, encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.txt")  # opening a FIFO for reading waits for a writer
    os.symlink("/dev/zero", tmp_path / "zero.jsonl")  # endless bytes
    result = _read_in_thread(tmp_path)
    reasons = _reasons(result)
    assert reasons["pipe.txt"] == "not a regular file: a named pipe (FIFO), not read"
    assert reasons["zero.jsonl"] == "not a regular file: a character device, not read"
    assert list(result.documents["doc_id"]) == ["good"]
    direct = _read_in_thread([tmp_path / "pipe.txt", "/dev/zero"])
    assert list(direct.rejected["reason"].str.extract(r"(a named pipe|a character device)")[0]) == ["a named pipe", "a character device"]


def test_linked_and_unreadable_directories_are_followed_or_rejected(tmp_path, monkeypatch):
    corpus, outside = tmp_path / "corpus", tmp_path / "outside"
    (corpus / "real").mkdir(parents=True)
    outside.mkdir()
    (corpus / "real" / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (outside / "b.txt").write_text(ARTICLE.replace("12 đảng viên mới", "13 đảng viên mới"), encoding="utf-8")
    (corpus / "locked").mkdir()
    (corpus / "locked" / "c.txt").write_text(ARTICLE, encoding="utf-8")
    os.symlink(outside, corpus / "linked")  # followed: a link to a directory elsewhere
    os.symlink(corpus / "real", corpus / "z-alias")  # the same directory again: not read twice
    os.symlink("..", corpus / "real" / "up")  # a loop
    # Tests run as root, who can list any directory: a chmod 000 would not stop it, so the
    # refusal a user gets (PermissionError from scandir) is made here.
    real_scandir = os.scandir

    def scandir(path):
        if os.path.basename(path) == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = read_corpus(corpus, warn=False)
    reasons = _reasons(result)
    assert sorted(result.documents["doc_id"]) == ["linked/b", "real/a"]
    assert reasons["locked"] == "unreadable directory: Permission denied"
    assert reasons["up"].startswith("symbolic link loop")
    assert reasons["z-alias"] == f"the same directory as {corpus / 'real'}, already read"


def test_loops_of_file_links_are_rejected(tmp_path):
    os.symlink(tmp_path / "b.txt", tmp_path / "a.txt")
    os.symlink(tmp_path / "a.txt", tmp_path / "b.txt")
    assert set(_reasons(read_corpus(tmp_path, warn=False)).values()) == {"unreadable: symbolic link loop"}


def test_wide_unicode_legacy_encodings_and_damaged_utf8(tmp_path):
    from hostile.corpus import encode_tcvn3, encode_vni

    # ASCII words ("trong", "cho") survive any 8-bit decoding: they made TCVN3 pass as cp1258.
    text = ARTICLE + "Trong năm, chi bộ cho rằng trong công tác cho thấy trong đó cho nên.\n"
    (tmp_path / "utf32.txt").write_bytes(text.encode("utf-32"))
    (tmp_path / "utf32be.txt").write_bytes(text.encode("utf-32-be"))
    (tmp_path / "utf16le.txt").write_bytes(text.encode("utf-16-le"))
    (tmp_path / "tcvn3.txt").write_bytes(encode_tcvn3(text))
    (tmp_path / "vni.txt").write_bytes(encode_vni(text))
    (tmp_path / "cut.txt").write_bytes(text.encode("utf-8") + "ộ".encode()[:2])
    result = read_corpus(tmp_path, warn=False)
    reasons = _reasons(result)
    assert reasons == {
        "tcvn3.txt": "legacy Vietnamese encoding TCVN3 (convert the file to UTF-8)",
        "vni.txt": "legacy Vietnamese encoding VNI (convert the file to UTF-8)",
    }
    docs = result.documents.set_index("doc_id")
    for doc_id in ("utf32", "utf32be", "utf16le", "cut"):
        assert docs.loc[doc_id, "title"] == "Đảng bộ xã Tân Hòa kết nạp 12 đảng viên mới", doc_id
        assert "chi bộ cho rằng" in docs.loc[doc_id, "text"]
    assert docs.loc["utf16le", "warning"] == "no byte-order mark; decoded as UTF-16-LE"
    assert "1 invalid UTF-8 byte sequence(s) replaced" in docs.loc["cut", "warning"]


def test_bad_lines_and_rows_are_rejected_one_by_one(tmp_path):
    deep = '{"id": "deep", "text": "x", "n": ' + "[" * 100_000 + "]" * 100_000 + "}"
    lines = [
        json.dumps({"id": "sep", "text": "Chi bộ có 30 đảng viên.\u2028Có 5 chi bộ.\u0085Kết nạp 2 đảng viên."}, ensure_ascii=False),
        deep,
        '{"id": "sur", "title": 5, "text": "C\\u00f3 3 chi b\\u1ed9 \\ud800."}',
        json.dumps({"id": "list", "title": ["a"], "text": "Có 4 chi bộ."}),
        json.dumps({"id": "after", "text": "Có 6 chi bộ."}),
    ]
    (tmp_path / "r.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "t.csv").write_text("id,text\nc1,Có 3 chi bộ.\nc2,Có 4 chi bộ.,Có 5 chi bộ.\n\"c3\",\"Có, 6 chi bộ.\"\n", encoding="utf-8")
    result = read_corpus(tmp_path, warn=False)
    rejected = dict(zip(result.rejected["path"].map(os.path.basename), result.rejected["reason"], strict=False))
    assert rejected == {
        "r.jsonl:2": "malformed JSON on line 2: nested too deeply",
        "r.jsonl:4": "field 'title' is list, not text",
        "t.csv:row 2 (line 3)": "row has 3 fields, the header has 2",
    }
    docs = result.documents.set_index("doc_id")
    assert sorted(docs.index) == ["after", "c1", "c3", "sep", "sur"]
    assert "\u2028" in docs.loc["sep", "raw_text"] and "Kết nạp 2 đảng viên." in docs.loc["sep", "raw_text"]
    assert docs.loc["sur", "title"] == "5"
    assert docs.loc["sur", "raw_text"].endswith("\ufffd.") and "lone surrogate" in docs.loc["sur", "warning"]
    assert docs.loc["c3", "raw_text"] == "Có, 6 chi bộ."


def test_limits_truncate_long_texts_with_a_warning_and_reject_big_files(tmp_path):
    from analysis.load import LoadLimits

    (tmp_path / "long.txt").write_text(ARTICLE + "Chi bộ có 30 đảng viên.\n" * 100, encoding="utf-8")
    (tmp_path / "short.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "r.jsonl").write_text(json.dumps({"id": "big", "text": "x" * 5000}) + "\n" + json.dumps({"id": "ok", "text": "Có 3 chi bộ."}) + "\n",
                                      encoding="utf-8")
    limits = LoadLimits(max_text_chars=1000, max_document_bytes=4000)
    result = read_corpus(tmp_path, warn=False, limits=limits)
    docs = result.documents.set_index("doc_id")
    assert len(docs.loc["long", "raw_text"]) <= 1000 and docs.loc["long", "raw_text"].endswith("đảng viên.")
    assert docs.loc["long", "warning"].startswith("text truncated to ") and "limit max_text_chars=1,000" in docs.loc["long", "warning"]
    assert pd.isna(docs.loc["short", "warning"])
    assert _reasons(result) == {"r.jsonl:1": "line 1 longer than the limit of 4,000 bytes, not read"}
    assert "ok" in docs.index
    big = read_corpus(tmp_path / "long.txt", warn=False, limits=LoadLimits(max_document_bytes=100))
    assert big.rejected["reason"].tolist() == ["file larger than the limit of 100 bytes, not read"]
    with pytest.raises(ValueError, match="max_text_chars must be a positive integer"):
        LoadLimits(max_text_chars=0)


def test_errors_of_the_environment_are_raised_not_reported_as_bad_input(tmp_path, monkeypatch):
    import trafilatura

    (tmp_path / "page.html").write_text("<html><body><p>Chi bộ có 30 đảng viên.</p></body></html>", encoding="utf-8")

    def no_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(trafilatura, "bare_extraction", no_memory)
    with pytest.raises(MemoryError):
        read_corpus(tmp_path, warn=False)


def test_invisible_characters_inside_numbers_are_removed_elsewhere_kept():
    from analysis.clean.normalize import match_form, nfc

    assert nfc("có 1\u200b200 đảng viên, 3\u00ad4 chi bộ, 1.\u2060500 người, 2\ufeff,5 tỷ") == "có 1200 đảng viên, 34 chi bộ, 1.500 người, 2,5 tỷ"
    assert nfc("Chi bộ\u200bcó 3") == "Chi bộ\u200bcó 3"  # between words it may stand for a space: kept
    text = "Có 1\u200d2 chi bộ"
    assert len(match_form(text)) == len(nfc(text)) == len("Có 12 chi bộ")


def test_write_table_writes_lone_surrogates_as_replacement_characters(tmp_path):
    from analysis.io import write_table

    frame = pd.DataFrame({"doc_id": ["a", "b"], "text": pd.Series(["x\ud800y", "ok"], dtype=object),
                          "extra": pd.Series([{"k": "v\udfff"}, None], dtype=object)})
    for suffix in (".jsonl", ".csv", ".parquet"):
        out = write_table(frame, tmp_path / f"out{suffix}")
        back = pd.read_parquet(out) if suffix == ".parquet" else None
        content = back.to_json() if back is not None else out.read_text("utf-8")
        assert "x\ufffdy" in content or "x\\ufffdy" in content, suffix
    assert json.loads((tmp_path / "out.jsonl").read_text("utf-8").splitlines()[0])["extra"] == {"k": "v\ufffd"}
