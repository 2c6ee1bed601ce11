"""Bytes to text for Vietnamese files of unknown encoding.

In: the bytes of one file. Out: ``Decoded(text, encoding, warning)`` or a
``RejectedInput`` exception whose message is the reason shown to the user.
Order tried: a byte-order mark (UTF-32 before UTF-16, whose mark is a prefix of
UTF-32's; UTF-8); UTF-16/UTF-32 without a mark, recognised by charset-normalizer
(a maintained detector, better at this than any NUL-byte count); UTF-8, also with a
few damaged bytes (replaced by U+FFFD, with a warning); then
Windows-1258, accepted with a warning only if the result reads as Vietnamese
(charset-normalizer cannot tell cp1258 from mojibake in other code pages, so the
Vietnamese-word check decides). Text in the legacy 8-bit Vietnamese encodings
TCVN3 (ABC) and VNI is recognised and rejected with that reason: no maintained
converter for them is packaged.
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


# Frequent Vietnamese words with diacritics: text that contains several of them is Vietnamese.
# (Only words with non-ASCII letters: "cho" or "trong" survive any 8-bit mis-decoding, so they
# would let TCVN3 or VNI text pass as cp1258.)
_COMMON_WORDS = re.compile(
    r"(?<!\w)(?:của|và|các|được|những|người|đảng|với|là|có|năm|này|đã|một|bộ|về|để|xã|huyện|tỉnh|viên|công|tác)(?!\w)"
)
# VNI writes a base letter followed by a tone byte: "Ñaûng" for "Đảng".
_VNI = re.compile(r"[aeiouyAEIOUY\xf4\xd4\xf6\xd6][\xf8\xf9\xfb\xf5\xef\xd8\xd9\xdb\xd5\xcf]|[\xf1\xd1][a-z]")
# TCVN3 maps precomposed letters to single bytes in 0xA1-0xFF, often mid-word ("§¶ng").
_TCVN3_BYTES = set(range(0xA1, 0x100)) - set(range(0xC0, 0xC4))
_WIDE = ["utf_32", "utf_32_le", "utf_32_be", "utf_16", "utf_16_le", "utf_16_be"]
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
_SAMPLE = 65536


def _vietnamese_score(text: str) -> int:
    return len(_COMMON_WORDS.findall(nfc(text).lower()))


def _control_share(chars: str | bytes) -> float:
    """Share of control characters other than tab, newline, form feed and carriage return."""
    codes = [ord(c) for c in chars] if isinstance(chars, str) else chars
    control = sum(1 for code in codes if code < 32 and code not in (9, 10, 12, 13))
    return control / max(1, len(codes))


def _looks_binary(data: bytes) -> bool:
    sample = data[:4096]
    return b"\x00" in sample or _control_share(sample) > 0.05


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


def legacy_mojibake(text: str) -> str | None:
    """'VNI' or 'TCVN3' when an already decoded text is one of them read as Latin-1/cp1252.

    JSON and CSV sources sometimes carry "Ñaûng" for "Đảng": valid Unicode, wrong letters.
    """
    try:
        data = text.encode("cp1252")
    except UnicodeEncodeError:
        try:
            data = text.encode("latin-1")
        except UnicodeEncodeError:
            return None  # letters outside both code pages: real Unicode text
    if data.isascii():
        return None
    return _legacy_encoding(data)


def _decode(data: bytes, encoding: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise RejectedInput(f"undecodable {encoding.upper()} text (offset {exc.start})") from None
    if not text.strip():
        raise RejectedInput("empty file")
    if _control_share(text[:4096]) > 0.05 or "\x00" in text[:4096]:
        raise RejectedInput(f"binary file (not text; control characters in {encoding.upper()})")
    return text


def _wide_unicode(data: bytes) -> str | None:
    """The codec of UTF-16/UTF-32 text without a byte-order mark, if that is what ``data`` is."""
    import charset_normalizer

    sample = data[: _SAMPLE - _SAMPLE % 4]
    best = charset_normalizer.from_bytes(sample, cp_isolation=_WIDE).best()
    if best is None or best.chaos > 0.2:
        return None
    return best.encoding.replace("_", "-")


def _damaged_utf8(data: bytes) -> Decoded | None:
    """UTF-8 text with a few bad bytes (a file cut mid-character, a stray byte), bad bytes as U+FFFD.

    Valid multi-byte UTF-8 sequences are rare in 8-bit text (its high bytes seldom
    follow the lead/continuation pattern), so many of them and few errors mean UTF-8.
    """
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.decode("utf-8", errors="ignore").count("\ufffd")
    valid = sum(1 for ch in text if ord(ch) > 127) - bad
    if bad == 0 or valid < 10 * bad:
        return None
    return Decoded(text, "utf-8", f"{bad} invalid UTF-8 byte sequence(s) replaced by U+FFFD")


def decode_bytes(data: bytes) -> Decoded:
    """Decode one file's bytes or raise ``RejectedInput`` with the reason."""
    if not data.strip():
        raise RejectedInput("empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return Decoded(_decode(data, encoding), encoding)
    if b"\x00" in data[:4096]:
        wide = _wide_unicode(data)
        if wide is not None:
            return Decoded(_decode(data, wide), wide, f"no byte-order mark; decoded as {wide.upper()}")
    if _looks_binary(data):
        raise RejectedInput("binary file (not text)")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    damaged = _damaged_utf8(data)
    if damaged is not None:
        return damaged
    try:
        as_cp1258: str | None = data.decode("cp1258")
    except UnicodeDecodeError:
        as_cp1258 = None
    # Windows-1258 first: legacy 8-bit text decoded that way does not contain Vietnamese words.
    if as_cp1258 is not None and _vietnamese_score(as_cp1258) >= 3:
        return Decoded(nfc(as_cp1258), "cp1258", "not UTF-8; decoded as Windows-1258 (cp1258)")
    legacy = _legacy_encoding(data)
    if legacy:
        raise RejectedInput(f"legacy Vietnamese encoding {legacy} (convert the file to UTF-8)")
    raise RejectedInput(f"undecodable bytes: not UTF-8 (first bad byte at offset {first_bad}), UTF-16/32 or cp1258 Vietnamese")
