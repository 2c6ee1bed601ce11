"""Regular-expression building blocks shared by the steps.

In: lists of phrases (match form: lower case, one tone placement). Out: regex
source text — ``phrase_union(phrases)`` is one whole-word pattern for all of
them, shaped so that Python's regex engine can scan a long text quickly;
``word_union(words)`` the same for words matched as written (or in any case) in the text itself.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from itertools import chain


def _pieces(phrase: str) -> list[str]:
    """A phrase as regex pieces, one per character: a space is any run of
    whitespace, a comma may have space around it."""
    pieces: list[str] = []
    for ch in re.sub(r"\s*,\s*", ", ", " ".join(phrase.split())):
        if ch == ",":
            pieces.append(r"\s*,")
        elif ch == " ":
            pieces.append(r"\s*" if pieces and pieces[-1] == r"\s*," else r"\s+")
        else:
            pieces.append(re.escape(ch))
    return pieces


def phrase_union(phrases: Iterable[str], boundaries: bool = True) -> str:
    """One regex for many phrases, shaped as a trie (shared beginnings written once).

    Why not a plain alternation: Python's regex engine tries every alternative at
    every position, but when each branch opens with a plain character it jumps
    straight to the next position where one could start. So the trie opens with
    the first character and only then checks, with ``boundaries``, that the phrase
    does not start inside a word (and, at the end, that it does not stop inside one).
    Where phrases share a beginning the longer one is tried first, as in a
    longest-first alternation. (The ``retrie`` package builds such tries but
    cannot express "any whitespace between words".)
    """
    trie: dict = {}
    for phrase in phrases:
        node = trie
        for piece in _pieces(phrase):
            node = node.setdefault(piece, {})
        node[""] = {}

    def emit(root: dict) -> str:
        # Post-order over the trie with an explicit stack: a phrase of thousands of
        # characters is a chain of thousands of nodes, too deep for recursion.
        done: dict[int, str] = {}
        stack: list[tuple[dict, bool]] = [(root, False)]
        while stack:
            node, expanded = stack.pop()
            if not expanded:
                stack.append((node, True))
                stack.extend((child, False) for piece, child in node.items() if piece)
                continue
            branches = [piece + done.pop(id(child)) for piece, child in node.items() if piece]
            if not branches:
                done[id(node)] = ""
                continue
            body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
            done[id(node)] = f"(?:{body})?" if "" in node else body  # greedy: the longer phrase first
        return done[id(root)]

    first = []
    for piece, child in trie.items():
        if not piece:
            continue
        # A word character as the regex engine sees one (\w, "_" included), as the end boundary does:
        # reversed (PhraseSet.ends) the one becomes the other.
        word_start = boundaries and re.fullmatch(r"\w", piece[-1:]) is not None
        first.append(piece + (r"(?<!\w.)" if word_start else "") + emit(child))
    if not first:
        raise ValueError("phrase_union needs at least one phrase")
    body = first[0] if len(first) == 1 else "(?:" + "|".join(first) + ")"
    if not boundaries:
        return body
    # The end boundary applies only after phrases that end in a letter or digit.
    return body + r"(?!(?<=\w)\w)"


@lru_cache(maxsize=1)
def _bmp() -> str:
    """Every character of the Basic Multilingual Plane but the surrogates."""
    return "".join(map(chr, chain(range(0xD800), range(0xE000, 0x10000))))


@lru_cache(maxsize=512)
def same_letter(ch: str) -> tuple[str, ...]:
    """The characters the regex engine takes for ``ch`` when it ignores case ("t" → "T", "t";
    "k" → "K", "k" and the Kelvin sign), as it says itself; outside the Basic Multilingual
    Plane no character folds to a letter Vietnamese uses."""
    return tuple(sorted(set(re.findall("(?i)" + re.escape(ch), _bmp())) | {ch}))


def word_union(words: Iterable[str], ignore_case: bool = False) -> str:
    r"""Regex source equal to ``(?<!\w)(?:w1|w2|…)`` — ``(?<!\w)(?i:w1|w2|…)`` with
    ``ignore_case`` — (``words`` in the order given, written as they are: a blank is one
    blank), shaped so that the regex engine skips ahead to a possible first character.

    A pattern that opens with a look-behind, or with a letter under ``(?i)``, is tried at
    every position of the text; this one opens with one plain branch per first character
    (per spelling of it, with ``ignore_case``) and checks the start of the word and the
    rest only there. (The look-behind ``(?<!\w.)`` after the first character is the
    word-start check before it.)
    """
    groups: dict[tuple[str, ...], list[str]] = {}
    for word in words:
        if not word:
            raise ValueError("word_union needs non-empty words")
        groups.setdefault(same_letter(word[0]) if ignore_case else (word[0],), []).append(word)
    if not groups:
        raise ValueError("word_union needs at least one word")
    branches: list[str] = []
    for spellings, members in groups.items():
        rest = "|".join(re.escape(word[1:]) for word in members)
        rest = f"(?i:{rest})" if ignore_case else f"(?:{rest})"
        branches.extend(f"{re.escape(first)}(?s:(?<!\\w.)){rest}" for first in spellings)
    return "(?:" + "|".join(branches) + ")"
