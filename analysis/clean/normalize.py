"""Unicode normalization for Vietnamese text.

In: any ``str``. Out: ``nfc(text)`` — the canonical composed form that every
stored text uses (NFC, and no invisible characters inside numbers: a zero-width
space, joiner or non-joiner, word joiner, soft hyphen or BOM between digits, or
between a digit and its thousands/decimal separator, is removed, so "1\u200b200"
reads as 1200, not as 1 and 200); ``match_form(text)`` — a same-length lower-cased form with one
tone placement (``uỷ``/``ủy``, ``hoà``/``hòa``, ``thuỷ``/``thủy`` all become the
second spelling), used only for matching so that character offsets found in it
are valid offsets into the NFC text.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Tone marks as combining characters, in the order grave, acute, hook, tilde, dot.
_TONES = ("\u0300", "\u0301", "\u0309", "\u0303", "\u0323")


# Characters that show nothing: zero-width space, non-joiner, joiner, word joiner, soft hyphen, BOM.
INVISIBLE = ("\u200b", "\u200c", "\u200d", "\u2060", "\u00ad", "\ufeff")
_INVISIBLE_IN_NUMBER = re.compile(
    "(?<=\\d)[{0}]+(?=[.,]?\\d)|(?<=\\d[.,])[{0}]+(?=\\d)".format("".join(INVISIBLE))
)


def nfc(text: str) -> str:
    """Return ``text`` in Unicode NFC (composed) form, without invisible characters inside numbers."""
    text = unicodedata.normalize("NFC", text)
    if any(ch in text for ch in INVISIBLE):  # str.find scans are far faster than the regex
        text = _INVISIBLE_IN_NUMBER.sub("", text)
    return text


def _tone_moves() -> dict[str, str]:
    """Map 'oà' -> 'òa', 'uỷ' -> 'ủy', … for both cases.

    Old-style orthography puts the tone on the second vowel of the open
    syllables oa/oe/uy (hoà, thuỷ); newer texts put it on the first (hòa, thủy).
    Both occur inside one article, so matching must treat them as equal.
    """
    moves: dict[str, str] = {}
    for first, second in (("o", "a"), ("o", "e"), ("u", "y")):
        for tone in _TONES:
            for f, s in ((first, second), (first.upper(), second.upper()), (first.upper(), second)):
                old = f + nfc(s + tone)
                new = nfc(f + tone) + s
                moves[old] = new
    return moves


_MOVES = _tone_moves()
# Only open syllables (no letter follows) and not after 'q' ("quý" has no old form).
# Candidates: o/u followed by a toned vowel at a syllable's end (the pair is checked in _MOVES).
# The pattern opens with a character class (the look-behind comes after it) so that the
# regex engine can skip ahead to the next o/u instead of trying every position.
_MOVE_RE = re.compile(
    r"[oOuU](?<![qQ].)[" + "".join(sorted({pair[1] for pair in _MOVES})) + r"](?!\w)"
)


_OLD_STYLE = {new: old for old, new in _MOVES.items() if old[0].islower() == new[0].islower()}
_OLD_STYLE_RE = re.compile("|".join(sorted(_OLD_STYLE, key=len, reverse=True)) + r"(?!\w)")


def tone_spellings(text: str) -> set[str]:
    """``text`` with either tone placement ("Khánh Hòa" -> {"Khánh Hòa", "Khánh Hoà"})."""
    new = unify_tone_placement(text)
    return {text, new, _OLD_STYLE_RE.sub(lambda m: _OLD_STYLE[m.group(0)], new)}


def unify_tone_placement(text: str) -> str:
    """Move tone marks of open oa/oe/uy syllables to the first vowel (length-preserving)."""
    return _MOVE_RE.sub(lambda m: _MOVES.get(m.group(0), m.group(0)), text)


def ascii_fold(text: str) -> str:
    """Lower-case ASCII without diacritics: "Bến Tre" -> "ben tre", "Đà Nẵng" -> "da nang"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


@lru_cache(maxsize=1024)
def match_form(text: str) -> str:
    """Lower-cased, tone-unified NFC text of the same length as ``nfc(text)``.

    Offsets found in the result are offsets into ``nfc(text)``; if a rare
    character changes length when lower-cased, it is kept as it was. Cached:
    each step of the pipeline asks for the same document's match form.
    """
    text = nfc(text)
    lowered = text.lower()
    if len(lowered) != len(text):
        lowered = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
    return unify_tone_placement(lowered)


# A regex character class of the upper-case letters Vietnamese uses (ranges such as
# À-Ỹ would also take lower-case letters, which Unicode interleaves with them).
UPPER = "[" + "".join(re.escape(c) for c in map(chr, range(0x41, 0x1F00)) if c.isalpha() and c.isupper()) + "]"
