"""Sentences and clauses of Vietnamese news text, with character offsets.

In: a document's cleaned text. Out: ``split_sentences(text)`` → list of
``(start, end)`` spans; ``split_clauses(text, start, end)`` → the clause spans
of one sentence (split at ";" and at parentheses, which in these reports hold
breakdowns: "(có 18 mô hình mới)"). Offsets index the text given, so every
mention keeps its exact position in the document.

A sentence ends at a line break (unless the next line carries on in lower case,
or the text is hard-wrapped mid-sentence at a fixed width) or at ".", "!", "?", "…" followed by space and
a capital letter, digit or opening quote — except after abbreviations such as
"TP.", "Q." or a single capital ("Đ/c", "TS."), and never inside numbers.
A run of text longer than ``MAX_SENTENCE`` characters without such an end
(no real sentence is: the longest line of the gold articles has 1 320) is cut
into pieces at its last ";", "," or blank before the limit, so that the work
per sentence, and the sentence each row carries, stay bounded.
"""
from __future__ import annotations

import re
from functools import lru_cache

_ABBREVIATIONS = {"tp", "tx", "tt", "q", "p", "ts", "ths", "pgs", "gs", "bs", "ks", "th", "đ/c", "đc", "st", "tr", "nxb", "ct", "ubnd", "hđnd"}
# Opens with the punctuation itself (not a look-behind) so the regex engine skips to it.
_BOUNDARY = re.compile(r"[.!?…](?P<gap>[\"”’)]*\s+)(?=[\"“‘(]?[A-ZÀ-ỸĐ0-9])")
_CLAUSE_BREAK = re.compile(r"[;()\[\]]")
MAX_SENTENCE = 2000


def _is_abbreviation(text: str, dot: int) -> bool:
    """Whether the '.' at ``dot`` closes an abbreviation like 'TP.'."""
    if text[dot] != ".":
        return False
    before = text[max(0, dot - 24) : dot]  # the word before the dot, at most 24 characters of it
    if not before or before[-1].isspace():
        return False
    word = before.rsplit(None, 1)[-1].lower().lstrip("(\"“")
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of ``text``, blank space trimmed.

    Cached per text: mentions and citations of one document ask for the same spans.
    """
    return list(_sentence_spans(text))


_TERMINAL = tuple('.!?:;…"”’)»')


def _wrapped(lines: list[str]) -> bool:
    """Text hard-wrapped at a fixed width (copied from a PDF or print layout): most of its
    long lines end without closing punctuation, mid-sentence."""
    long = [x.rstrip() for x in lines if len(x.strip()) >= 50]
    open_ended = [x for x in long if not x.endswith(_TERMINAL)]
    return len(open_ended) >= 8 and len(open_ended) >= 0.6 * len(long)


# Words no headline or paragraph ends with: a line ending with one runs on.
_OPEN_ENDING_WORDS = ("và", "có", "với", "của", "cho", "gồm", "là", "được", "các", "những", "trong", "tại", "hơn", "gần", "trên")
_OPEN_ENDINGS = re.compile(rf"(?:,|\s(?:{'|'.join(_OPEN_ENDING_WORDS)}))$", re.I)
# Only a line's last characters can hold such an ending: searching them alone spares a scan
# of the whole line for an end-anchored pattern (a blank and the longest word).
_OPEN_ENDING_TAIL = 1 + max(map(len, _OPEN_ENDING_WORDS))


def _continues(line: str, following: str, wrapped: bool) -> bool:
    """Whether the sentence of ``line`` runs on into the next line: the line does not
    close a sentence and the next one opens in lower case, or the line ends with a word
    that cannot end one ("và", ","), or the text is hard-wrapped."""
    stripped, nxt = line.rstrip(), following.lstrip()
    if not stripped or not nxt or stripped.endswith(_TERMINAL):
        return False
    return wrapped or nxt[0].islower() or bool(_OPEN_ENDINGS.search(stripped[-_OPEN_ENDING_TAIL:]))


@lru_cache(maxsize=16)  # the steps of one document ask in turn; a large cache would hold large texts
def _sentence_spans(text: str) -> tuple[tuple[int, int], ...]:
    spans: list[tuple[int, int]] = []
    line_start = 0
    lines = text.split("\n")
    wrapped = _wrapped(lines)
    cut = 0
    for i, line in enumerate(lines):
        line_end = line_start + len(line)
        if i == 0 or not _continues(lines[i - 1], line, wrapped):
            cut = line_start
        for m in _BOUNDARY.finditer(text, line_start, line_end):
            if _is_abbreviation(text, m.start()):
                continue
            spans.append((cut, m.start("gap")))
            cut = m.end()
        if i + 1 == len(lines) or not _continues(line, lines[i + 1], wrapped):
            spans.append((cut, line_end))
        line_start = line_end + 1
    trimmed = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b - a > MAX_SENTENCE:
            trimmed.extend(_pieces(text, a, b))
        elif b > a:
            trimmed.append((a, b))
    return tuple(trimmed)


def _pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """An overlong span cut into spans of at most ``MAX_SENTENCE`` characters, each
    ending after the last ";", "," or blank of its second half (else at the limit)."""
    pieces = []
    while end - start > MAX_SENTENCE:
        limit, half = start + MAX_SENTENCE, start + MAX_SENTENCE // 2
        cut = max(text.rfind(";", half, limit), text.rfind(",", half, limit)) + 1
        if cut <= 0:
            blank = max(text.rfind(" ", half, limit), text.rfind("\t", half, limit))
            cut = blank if blank > 0 else limit
        piece_end = cut
        while piece_end > start and text[piece_end - 1].isspace():
            piece_end -= 1
        if piece_end > start:
            pieces.append((start, piece_end))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        pieces.append((start, end))
    return pieces


def sentence_at(spans: list[tuple[int, int]], offset: int) -> tuple[int, int] | None:
    """The span in ``spans`` (sorted) that contains ``offset``."""
    import bisect

    i = bisect.bisect_right(spans, (offset, float("inf"))) - 1
    if i >= 0 and spans[i][0] <= offset < spans[i][1]:
        return spans[i]
    return None


def split_clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Clause spans inside the sentence ``text[start:end]``."""
    spans = []
    cut = start
    for m in _CLAUSE_BREAK.finditer(text, start, end):
        spans.append((cut, m.start()))
        cut = m.end()
    spans.append((cut, end))
    return [(a, b) for a, b in spans if text[a:b].strip()]
