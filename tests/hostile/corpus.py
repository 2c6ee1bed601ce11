"""A deterministic corpus of hostile inputs, one directory per kind.

``write_corpus(root)`` writes every registered ``Case`` into ``root/<case name>/``
(and, for the links that point outside the corpus, into ``root.parent``) and
returns the cases. Each case states how many inputs it holds (files, JSON lines,
CSV or Parquet rows) and what must become of them, so a test can check that
inputs = loaded + rejected for each kind. Nothing is random: the same bytes are
written every time. ``encode_tcvn3`` and ``encode_vni`` write Vietnamese in the
two legacy 8-bit encodings, from their published byte tables.
"""
from __future__ import annotations

import json
import os
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

ARTICLE = (
    "Đảng bộ xã Tân Hòa kết nạp 12 đảng viên mới\n\n"
    "05/03/2024\n\n"
    "Năm 2023, Đảng bộ xã Tân Hòa có 18 chi bộ trực thuộc với 420 đảng viên. "
    "Đảng ủy xã đã kết nạp 12 đảng viên mới, khen thưởng 5 tập thể và 9 cá nhân. "
    "Các chi bộ được củng cố, những mô hình của xã là tốt; người dân đồng tình, ủng hộ.\n\n"
    "Minh Châu\n"
)
# Reading this as any other number means an invisible character was not removed.
INVISIBLE_NUMBER_TEXT = "Năm 2023, Đảng bộ xã có 1\u200b200 đảng viên và 3\u00ad4 chi bộ, kết nạp 1\u20605 đảng viên mới.\n"

# TCVN3 (ABC): one byte per lower-case letter with its marks; upper-case letters with a tone
# have no code in the one-font form and are written with the lower-case code, as the fonts do.
_TCVN3_LETTERS = "àảãáạăằẳẵắặâầẩẫấậđèẻẽéẹêềểễếệìỉĩíịòỏõóọôồổỗốộơờởỡớợùủũúụưừửữứựỳỷỹýỵ"
_TCVN3_CODES = bytes([
    0xB5, 0xB6, 0xB7, 0xB8, 0xB9, 0xA8, 0xBB, 0xBC, 0xBD, 0xBE, 0xC6, 0xA9, 0xC7, 0xC8, 0xC9, 0xCA, 0xCB, 0xAE,
    0xCC, 0xCE, 0xCF, 0xD0, 0xD1, 0xAA, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xDC, 0xDD, 0xDE,
    0xDF, 0xE1, 0xE2, 0xE3, 0xE4, 0xAB, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0xAC, 0xEA, 0xEB, 0xEC, 0xED, 0xEE,
    0xEF, 0xF1, 0xF2, 0xF3, 0xF4, 0xAD, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9, 0xFA, 0xFB, 0xFC, 0xFD, 0xFE,
])
_TCVN3 = dict(zip(_TCVN3_LETTERS, _TCVN3_CODES, strict=True)) | {"Ă": 0xA1, "Â": 0xA2, "Ê": 0xA3, "Ô": 0xA4, "Ơ": 0xA5, "Ư": 0xA6, "Đ": 0xA7}


def encode_tcvn3(text: str) -> bytes:
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        code = _TCVN3.get(ch, _TCVN3.get(ch.lower()))
        out.extend(bytes([code]) if code is not None else ch.encode("ascii"))
    return bytes(out)


# VNI: the base letter, then one byte for its modifier and tone together.
_GRAVE, _ACUTE, _HOOK, _TILDE, _DOT = "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"
_PLAIN = {_GRAVE: "ø", _ACUTE: "ù", _HOOK: "û", _TILDE: "õ", _DOT: "ï"}
_CIRCUMFLEX = {None: "â", _GRAVE: "à", _ACUTE: "á", _HOOK: "å", _TILDE: "ã", _DOT: "ä"}
_BREVE = {None: "ê", _GRAVE: "è", _ACUTE: "é", _HOOK: "ú", _TILDE: "ü", _DOT: "ë"}
_I = {_GRAVE: "ì", _ACUTE: "í", _HOOK: "æ", _TILDE: "ó", _DOT: "ò"}


def _vni_letter(ch: str) -> str:
    if ch in "đĐ":
        return "ñ" if ch == "đ" else "Ñ"
    parts = unicodedata.normalize("NFD", ch)
    base, marks = parts[0], parts[1:]
    if not marks:
        return ch
    upper = base.isupper()
    tone = next((m for m in marks if m in _PLAIN), None)
    if "\u031b" in marks:  # horn: ơ and ư are single bytes
        base = {"o": "ô", "u": "ö"}[base.lower()]
        out = base + (_PLAIN[tone] if tone else "")
    elif "\u0302" in marks:
        out = base + _CIRCUMFLEX[tone]
    elif "\u0306" in marks:
        out = base + _BREVE[tone]
    elif base in "iI" and tone:
        out = _I[tone]
    elif base in "yY" and tone == _DOT:
        out = "î"
    else:
        out = base + (_PLAIN[tone] if tone else "")
    return out.upper() if upper else out


def encode_vni(text: str) -> bytes:
    return "".join(_vni_letter(ch) for ch in unicodedata.normalize("NFC", text)).encode("latin-1")


def encode_cp1258(text: str) -> bytes:
    """Windows-1258 as it writes Vietnamese: base letters composed, tones as combining marks."""
    tones = {_GRAVE, _ACUTE, _HOOK, _TILDE, _DOT}
    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        out.append(unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones)) + "".join(c for c in parts if c in tones))
    return "".join(out).encode("cp1258")


def _fill(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def _bytes(seed: int, n: int) -> bytes:
    """Deterministic noise (a linear congruential sequence): bytes no text encoding makes."""
    out = bytearray()
    state = seed
    for _ in range(n):
        state = (state * 1103515245 + 12345) % 2**31
        out.append(state >> 16 & 0xFF)
    return bytes(out)


def _jsonl(records: list) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in records)


@dataclass(frozen=True)
class Case:
    """One kind of bad input: ``inputs`` files/lines/rows, of which ``loaded`` load (None: any number).

    ``reason``: a text every rejection of the case contains. ``timed``: one of the 1 MB
    adversarial shapes that must finish ``documents`` and ``build`` in seconds.
    ``pending``: why the case is left out of the corpus for now (work another change is
    doing); delete it to turn the case on.
    """

    name: str
    write: Callable[[Path], None]
    inputs: int
    loaded: int | None
    reason: str | None = None
    timed: bool = False
    pending: str | None = None


CASES: list[Case] = []


def case(inputs: int, loaded: int | None, reason: str | None = None, timed: bool = False, pending: str | None = None):
    def register(write: Callable[[Path], None]) -> Callable[[Path], None]:
        CASES.append(Case(write.__name__, write, inputs, loaded, reason, timed, pending))
        return write
    return register


# --- encodings and bytes -------------------------------------------------------------------------

@case(1, 1)
def good_utf8(d: Path) -> None:
    (d / "good.txt").write_text(ARTICLE, encoding="utf-8")


@case(1, 0, "empty file")
def empty(d: Path) -> None:
    (d / "empty.txt").write_bytes(b"")


@case(1, 0, "empty file")
def whitespace_only(d: Path) -> None:
    (d / "blank.txt").write_bytes(b" \n\t\r\n  \n")


@case(1, 0, "binary file")
def random_bytes(d: Path) -> None:
    (d / "noise.txt").write_bytes(_bytes(1, 8192))


@case(1, 0, "binary file")
def nul_bytes_in_text(d: Path) -> None:
    (d / "nul.txt").write_bytes(ARTICLE.encode("utf-8").replace(b" ", b"\x00", 7))


@case(1, 0, "binary file")
def control_characters(d: Path) -> None:
    (d / "control.txt").write_bytes(bytes(range(1, 9)) * 200 + ARTICLE.encode("utf-8"))


@case(1, 0, "undecodable bytes")
def invalid_utf8(d: Path) -> None:
    (d / "garbage.txt").write_bytes(b"abc \xff\xfe\x81\x8d\x8f\x90\x9d more \x81\x81 text")


@case(1, 1)
def cp1258(d: Path) -> None:
    (d / "cp1258.txt").write_bytes(encode_cp1258(ARTICLE))


@case(1, 0, "legacy Vietnamese encoding TCVN3")
def tcvn3(d: Path) -> None:
    (d / "tcvn3.txt").write_bytes(encode_tcvn3(ARTICLE * 2))


@case(1, 0, "legacy Vietnamese encoding VNI")
def vni(d: Path) -> None:
    (d / "vni.txt").write_bytes(encode_vni(ARTICLE * 2))


@case(1, 1)
def utf8_bom(d: Path) -> None:
    (d / "bom.txt").write_bytes(b"\xef\xbb\xbf" + ARTICLE.encode("utf-8"))


@case(1, 1)
def utf16_bom(d: Path) -> None:
    (d / "utf16.txt").write_bytes(ARTICLE.encode("utf-16"))


@case(1, 1)
def utf16le_without_bom(d: Path) -> None:
    (d / "utf16le.txt").write_bytes(ARTICLE.encode("utf-16-le"))


@case(1, 1)
def utf16be_without_bom(d: Path) -> None:
    (d / "utf16be.txt").write_bytes(ARTICLE.encode("utf-16-be"))


@case(1, 1)
def utf32_bom(d: Path) -> None:
    (d / "utf32.txt").write_bytes(ARTICLE.encode("utf-32"))


@case(1, 1)
def utf32le_without_bom(d: Path) -> None:
    (d / "utf32le.txt").write_bytes(ARTICLE.encode("utf-32-le"))


@case(1, 1)
def utf8_cut_mid_character(d: Path) -> None:
    (d / "cut.txt").write_bytes(ARTICLE.encode("utf-8")[:-3] + "ộ".encode()[:2])


@case(1, 1)
def invisible_characters_in_numbers(d: Path) -> None:
    (d / "invisible.txt").write_text(INVISIBLE_NUMBER_TEXT, encoding="utf-8")


@case(1, 1)
def bidi_and_odd_spaces(d: Path) -> None:
    (d / "bidi.txt").write_text("\u202e" + ARTICLE.replace(" ", "\u00a0\u2009", 5) + "\u202c\u3000", encoding="utf-8")


# --- sizes and shapes ----------------------------------------------------------------------------

@case(1, 1)
def oversized_text(d: Path) -> None:
    # Over the default max_text_chars (2 000 000): loaded truncated, with a warning on the row.
    # (Words without sentences or lines: the shape that costs the later steps least.)
    (d / "huge.txt").write_text(ARTICLE + _fill("abcdefghijklmnopqrstuvwxyz0123456789 ", 2_100_000), encoding="utf-8")


@case(1, 1)
def one_line_no_breaks(d: Path) -> None:
    (d / "one-line.txt").write_text(_fill("Chi bộ sinh hoạt đều đặn ", 300_000), encoding="utf-8")


@case(1, 1, timed=True)
def repeated_xem_them_lines(d: Path) -> None:
    (d / "xem-them.txt").write_text(ARTICLE + _fill("Xem thêm: Bài viết liên quan\n", 1_000_000), encoding="utf-8")


@case(1, 1, timed=True)
def repeated_directive_codes(d: Path) -> None:
    (d / "directives.txt").write_text(_fill("Thực hiện Nghị quyết số 21-NQ/TW, ", 1_000_000), encoding="utf-8")


@case(1, 1, timed=True)
def repeated_secretary_phrase(d: Path) -> None:
    (d / "bi-thu.txt").write_text(_fill("Ông Nguyễn Văn An, Bí thư Chi bộ, ", 1_000_000), encoding="utf-8")


@case(1, 1, timed=True)
def repeated_cell_count(d: Path) -> None:
    (d / "xa-co.txt").write_text(_fill("Xã có 12 chi bộ. ", 1_000_000), encoding="utf-8")


# --- files that are not plain files --------------------------------------------------------------

@case(1, 0, "named pipe")
def fifo(d: Path) -> None:
    os.mkfifo(d / "pipe.txt")


@case(2, 0, "character device")
def character_devices(d: Path) -> None:
    os.symlink("/dev/zero", d / "zero.txt")
    os.symlink("/dev/urandom", d / "random.jsonl")


@case(1, 0, "broken symbolic link")
def dangling_link(d: Path) -> None:
    os.symlink(d / "missing-target.txt", d / "dangling.txt")


@case(2, 0, "symbolic link loop")
def file_link_loop(d: Path) -> None:
    os.symlink(d / "b.txt", d / "a.txt")
    os.symlink(d / "a.txt", d / "b.txt")


@case(3, 1, "symbolic link loop")
def directory_link_loop(d: Path) -> None:
    (d / "sub").mkdir()
    (d / "sub" / "article.txt").write_text(ARTICLE, encoding="utf-8")
    os.symlink("..", d / "sub" / "up")
    os.symlink(d, d / "sub" / "self")


@case(2, 1, "already read")
def same_directory_twice(d: Path) -> None:
    (d / "real").mkdir()
    (d / "real" / "article.txt").write_text(ARTICLE, encoding="utf-8")
    os.symlink(d / "real", d / "z-alias")


@case(1, 1)
def linked_directory_outside(d: Path) -> None:
    outside = d.parent.parent / f"outside-{d.name}"
    outside.mkdir()
    (outside / "article.txt").write_text(ARTICLE.replace("12 đảng viên mới", "14 đảng viên mới"), encoding="utf-8")
    os.symlink(outside, d / "linked")


@case(1, None)
def unreadable_file(d: Path) -> None:
    # Loaded when the tests run as root (root reads any file), rejected otherwise.
    (d / "locked.txt").write_text(ARTICLE, encoding="utf-8")
    os.chmod(d / "locked.txt", 0)


@case(1, None)
def unreadable_directory(d: Path) -> None:
    (d / "locked").mkdir()
    (d / "locked" / "article.txt").write_text(ARTICLE.replace("Tân Hòa", "Tân Phú"), encoding="utf-8")
    os.chmod(d / "locked", 0)


@case(2, 0, "unsupported file type")
def unsupported_types(d: Path) -> None:
    (d / "notes.docx").write_bytes(b"PK\x03\x04")
    (d / "README").write_text(ARTICLE, encoding="utf-8")


@case(3, 2, "not a JSON object")
def non_utf8_file_names(d: Path) -> None:
    # Linux names are bytes: Python gives the non-UTF-8 ones as lone surrogates, which no output can hold.
    (d / os.fsdecode(b"bad\xffname.txt")).write_text(ARTICLE, encoding="utf-8")
    (d / os.fsdecode(b"dir\xfe")).mkdir()
    (d / os.fsdecode(b"dir\xfe") / "r.jsonl").write_text(_jsonl([{"id": "nu1", "text": "Có 3 chi bộ."}, "[1]"]), encoding="utf-8")


@case(1, 1)
def deep_directories(d: Path) -> None:
    deep = d.joinpath(*["d"] * 60)
    deep.mkdir(parents=True)
    (deep / "article.txt").write_text(ARTICLE, encoding="utf-8")


# --- JSON Lines and JSON -------------------------------------------------------------------------

@case(4, 2, "line")
def jsonl_malformed_lines(d: Path) -> None:
    (d / "lines.jsonl").write_text(_jsonl([
        {"id": "ok1", "text": "Chi bộ có 30 đảng viên."}, "{not json", {"id": "ok2", "text": "Có 5 chi bộ."}, '{"id": "cut", "text": "Chi',
    ]), encoding="utf-8")


@case(3, 3)
def jsonl_lone_surrogates(d: Path) -> None:
    (d / "surrogate.jsonl").write_text(
        '{"id": "s1", "text": "Chi b\\u1ed9 c\\u00f3 30 \\u0111\\u1ea3ng vi\\u00ean \\ud800."}\n'
        '{"id": "s2", "title": "\\udfff", "text": "C\\u00f3 5 chi b\\u1ed9.", "note\\ud801": "\\ud802"}\n'
        '{"id": "s3", "text": "K\\u1ebft n\\u1ea1p 7 \\u0111\\u1ea3ng vi\\u00ean \\ud83d\\ude00."}\n',
        encoding="utf-8",
    )


@case(8, 4, "field")
def jsonl_wrong_types(d: Path) -> None:
    (d / "types.jsonl").write_text(_jsonl([
        {"id": 1, "title": 5, "text": "Chi bộ có 30 đảng viên."},
        {"id": 2.0, "title": True, "byline": 7, "published": 20240102, "text": "Có 5 chi bộ."},
        {"id": "t3", "title": ["a", "b"], "text": "Có 6 chi bộ."},
        {"id": "t4", "text": 42},
        {"id": {"x": 1}, "text": "Có 7 chi bộ."},
        {"id": "t6", "published": {"y": 2024}, "text": "Có 8 chi bộ."},
        {"id": "t7", "url": 3.5, "section": {"nested": [1, 2]}, "text": "Có 9 chi bộ."},
        {"id": "t8", "published": "không phải ngày", "date": None, "text": "Có 10 chi bộ."},
    ]), encoding="utf-8")


@case(2, 2)
def jsonl_unicode_line_separators(d: Path) -> None:
    (d / "separators.jsonl").write_text(_jsonl([
        {"id": "u1", "text": "Chi bộ có 30 đảng viên.\u2028Đảng bộ có 5 chi bộ."},
        {"id": "u2", "text": "Chi bộ có 31 đảng viên.\u0085Kết nạp 2 đảng viên.\u2029"},
    ]), encoding="utf-8")


@case(3, 2, "nested too deeply")
def jsonl_deeply_nested_line(d: Path) -> None:
    deep = '{"id": "deep", "text": "x", "n": ' + "[" * 200_000 + "]" * 200_000 + "}"
    (d / "deep.jsonl").write_text(_jsonl([{"id": "before", "text": "Có 3 chi bộ."}, deep, {"id": "after", "text": "Có 4 chi bộ."}]),
                                  encoding="utf-8")


@case(2, 1, "malformed JSON")
def jsonl_huge_integer(d: Path) -> None:
    (d / "bigint.jsonl").write_text(_jsonl(['{"id": "big", "text": "x", "n": ' + "9" * 5000 + "}", {"id": "fine", "text": "Có 4 chi bộ."}]),
                                    encoding="utf-8")


@case(4, 0, "not a JSON object")
def jsonl_not_objects(d: Path) -> None:
    (d / "scalars.jsonl").write_text(_jsonl(["[1, 2]", '"text"', "42", "null"]), encoding="utf-8")


@case(2, 2)
def jsonl_crlf_and_blank_lines(d: Path) -> None:
    (d / "crlf.jsonl").write_bytes(b'{"id": "c1", "text": "C\xc3\xb3 3 chi b\xe1\xbb\x99."}\r\n\r\n\r\n{"id": "c2", "text": "C\xc3\xb3 4."}\r\n')


@case(3, 2, "not UTF-8")
def jsonl_bad_bytes_on_one_line(d: Path) -> None:
    (d / "bytes.jsonl").write_bytes(b'{"id": "b1", "text": "ok 1"}\n{"id": "b2", "text": "\xff\xfe bad"}\n{"id": "b3", "text": "ok 3"}\n')


@case(2, 2)
def jsonl_utf16(d: Path) -> None:
    (d / "wide.jsonl").write_bytes(_jsonl([{"id": "w1", "text": "Chi bộ có 30 đảng viên."}, {"id": "w2", "text": "Có 5 chi bộ."}])
                                   .encode("utf-16"))


@case(1, 0, "legacy Vietnamese encoding VNI")
def jsonl_vni_mojibake(d: Path) -> None:
    (d / "vni.jsonl").write_text(_jsonl([{"id": "v1", "text": encode_vni(ARTICLE).decode("latin-1")}]), encoding="utf-8")


@case(1, 0, "malformed JSON")
def json_malformed(d: Path) -> None:
    (d / "broken.json").write_text('{"id": "x", "text": "Chi bộ có 30', encoding="utf-8")


@case(1, 0, "nested too deeply")
def json_deeply_nested(d: Path) -> None:
    (d / "deep.json").write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")


@case(1, 0, "no records")
def json_empty_list(d: Path) -> None:
    (d / "empty-list.json").write_text("[]", encoding="utf-8")


@case(4, 2)
def json_list_mixed(d: Path) -> None:
    (d / "mixed.json").write_text(json.dumps([{"id": "m1", "text": "Có 3 chi bộ."}, 7, {"text": ""}, {"id": "m4", "text": "Có 4 chi bộ."}],
                                             ensure_ascii=False), encoding="utf-8")


# --- CSV and Parquet -----------------------------------------------------------------------------

@case(4, 2, "fields")
def csv_wrong_field_counts(d: Path) -> None:
    (d / "fields.csv").write_text("id,text\nc1,Chi bộ có 30 đảng viên.\nc2,Có 5 chi bộ.,extra field\nc3\nc4,\"Có, trong ngoặc, 6 chi bộ.\"\n",
                                  encoding="utf-8")


@case(1, 0, "no text column")
def csv_no_text_column(d: Path) -> None:
    (d / "body.csv").write_text("id,body\n1,Chi bộ có 30 đảng viên.\n", encoding="utf-8")


@case(1, 0, "no rows")
def csv_header_only(d: Path) -> None:
    (d / "header.csv").write_text("id,text\n", encoding="utf-8")


@case(2, 2)
def csv_multiline_and_huge_field(d: Path) -> None:
    (d / "big.csv").write_text("id,text\nh1,\"" + _fill("Người dân ở đây rất hiếu khách.\n", 200_000) + "\"\nh2,\"Dòng một\nDòng hai, 3 chi bộ\"\n",
                               encoding="utf-8")


@case(1, None)
def csv_unclosed_quote(d: Path) -> None:
    (d / "quote.csv").write_text('id,text\nq1,"Chi bộ có 30 đảng viên.\n', encoding="utf-8")


@case(1, 0, "unreadable PARQUET")
def parquet_broken(d: Path) -> None:
    (d / "broken.parquet").write_bytes(b"PAR1 this is not parquet")


@case(1, 0, "unreadable PARQUET")
def parquet_truncated(d: Path) -> None:
    pd.DataFrame({"id": ["p1"], "text": [ARTICLE]}).to_parquet(d / "full.parquet")
    data = (d / "full.parquet").read_bytes()
    (d / "full.parquet").unlink()
    (d / "cut.parquet").write_bytes(data[: len(data) // 2])


@case(3, 1, "text")
def parquet_wrong_types_and_nulls(d: Path) -> None:
    pd.DataFrame({"id": [1, 2, 3], "text": ["Có 3 chi bộ.", None, ""], "title": [1.5, None, 2.0]}).to_parquet(d / "nulls.parquet")


@case(2, 0, "not text")
def parquet_numeric_text_column(d: Path) -> None:
    pd.DataFrame({"id": ["n1", "n2"], "text": [1, 2]}).to_parquet(d / "numbers.parquet")


@case(1, 0, "no rows")
def parquet_no_rows(d: Path) -> None:
    pd.DataFrame({"id": pd.Series([], dtype=str), "text": pd.Series([], dtype=str)}).to_parquet(d / "empty.parquet")


# --- HTML ----------------------------------------------------------------------------------------

_PARAGRAPHS = "".join(f"<p>Huyện ủy đã khen thưởng 20 tập thể, 40 cá nhân có thành tích xuất sắc trong năm {y}. "
                      "Các chi bộ đăng ký thực hiện nhiều mô hình hay, cách làm hiệu quả.</p>" for y in range(2015, 2023))


@case(1, 1)
def html_with_scripts(d: Path) -> None:
    (d / "scripts.html").write_text(
        "<html><head><title>Khen thưởng</title><script>alert('x'); document.write('999 đảng viên')</script>"
        "<style>p{color:red}</style></head><body onload=\"alert(1)\"><article><h1>Khen thưởng</h1>"
        + _PARAGRAPHS + "<script>var n = '777 chi bộ';</script><a href=\"javascript:alert(1)\">xem</a></article></body></html>",
        encoding="utf-8",
    )


@case(1, None)
def html_malformed(d: Path) -> None:
    (d / "malformed.html").write_text("<html><body><div><p>Chi bộ có 30 đảng viên<div><<<>>><p><b><i>" + _PARAGRAPHS[:400] + "</x></html",
                                      encoding="utf-8")


@case(1, 0, "no article text")
def html_without_text(d: Path) -> None:
    (d / "blank.html").write_text("<html><head><title>t</title></head><body><script>var a=1;</script></body></html>", encoding="utf-8")


@case(1, None)
def html_deeply_nested(d: Path) -> None:
    (d / "nested.html").write_text("<html><body>" + "<div>" * 5000 + _PARAGRAPHS + "</div>" * 5000 + "</body></html>", encoding="utf-8")


@case(1, 0, "binary file")
def html_binary(d: Path) -> None:
    (d / "image.html").write_bytes(b"\x89PNG\r\n\x1a\n" + _bytes(2, 4000))


def write_corpus(root: Path, cases: list[Case] | None = None) -> list[Case]:
    """Write the cases under ``root``; return them.

    By default every case but the ``pending`` and the ``timed`` ones (each of those is
    built alone, against a time bound, so that a slow one names itself).
    """
    chosen = [c for c in CASES if c.pending is None and not c.timed] if cases is None else cases
    for item in chosen:
        folder = root / item.name
        folder.mkdir(parents=True)
        item.write(folder)
    return chosen
