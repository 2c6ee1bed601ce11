"""Bytes to text for Vietnamese files of unknown encoding.

In: the bytes of one file. Out: ``Decoded(text, encoding, warning)`` or a
``RejectedInput`` exception whose message is the reason shown to the user.
Order tried: UTF-8 (with or without BOM), UTF-16 with BOM, then Windows-1258
(accepted with a warning only if the result reads as Vietnamese). Text in the
legacy 8-bit Vietnamese encodings TCVN3 (ABC) and VNI is recognised and
rejected with that reason: no maintained converter for them is packaged.
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from ..clean.normalize import nfc


class RejectedInput(Exception):
    """An input that cannot be loaded; ``str(exc)`` is the reason."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    warning: str | None = None


# Frequent Vietnamese words: text that contains several of them is Vietnamese.
_COMMON_WORDS = re.compile(r"(?<!\w)(?:của|và|các|được|những|trong|người|đảng|cho|với|là|có|năm|này|đã)(?!\w)")
# VNI writes a base letter followed by a tone byte: "Ñaûng" for "Đảng".
_VNI = re.compile(r"[aeiouyAEIOUY\xf4\xd4\xf6\xd6][\xf8\xf9\xfb\xf5\xef\xd8\xd9\xdb\xd5\xcf]|[\xf1\xd1][a-z]")
# TCVN3 maps precomposed letters to single bytes in 0xA1-0xFF, often mid-word ("§¶ng").
_TCVN3_BYTES = set(range(0xA1, 0x100)) - set(range(0xC0, 0xC4))


def _vietnamese_score(text: str) -> int:
    return len(_COMMON_WORDS.findall(nfc(text).lower()))


def _looks_binary(data: bytes) -> bool:
    sample = data[:4096]
    if b"\x00" in sample:
        return True
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return control > len(sample) * 0.05


def _legacy_encoding(data: bytes) -> str | None:
    """'VNI' or 'TCVN3' when the bytes read as that legacy encoding."""
    latin = data.decode("latin-1")
    words = re.findall(r"\S+", latin)
    if not words:
        return None
    vni = sum(1 for w in words if _VNI.search(w))
    if vni >= max(3, len(words) * 0.1):
        return "VNI"
    tcvn = sum(1 for w in words if any(ord(c) in _TCVN3_BYTES for c in w) and re.search(r"[a-zA-Z]", w))
    if tcvn >= max(3, len(words) * 0.15):
        return "TCVN3"
    return None


def decode_bytes(data: bytes) -> Decoded:
    """Decode one file's bytes or raise ``RejectedInput`` with the reason."""
    if not data.strip():
        raise RejectedInput("empty file")
    if data.startswith(codecs.BOM_UTF8):
        try:
            return Decoded(data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig")
        except UnicodeDecodeError as exc:
            raise RejectedInput(f"undecodable bytes after a UTF-8 byte-order mark (offset {exc.start})") from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise RejectedInput(f"undecodable UTF-16 text (offset {exc.start})") from None
        if not text.strip():
            raise RejectedInput("empty file")
        return Decoded(text, "utf-16")
    if _looks_binary(data):
        raise RejectedInput("binary file (not text)")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    try:
        as_cp1258: str | None = data.decode("cp1258")
    except UnicodeDecodeError:
        as_cp1258 = None
    # Windows-1258 first: legacy 8-bit text decoded that way does not read as Vietnamese.
    if as_cp1258 is not None and _vietnamese_score(as_cp1258) >= 3:
        return Decoded(nfc(as_cp1258), "cp1258", "not UTF-8; decoded as Windows-1258 (cp1258)")
    legacy = _legacy_encoding(data)
    if legacy:
        raise RejectedInput(f"legacy Vietnamese encoding {legacy} (convert the file to UTF-8)")
    raise RejectedInput(f"undecodable bytes: not UTF-8 (first bad byte at offset {first_bad}), UTF-16 or cp1258 Vietnamese")
