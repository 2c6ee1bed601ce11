"""Regular-expression building blocks shared by the steps.

In: lists of phrases (match form: lower case, one tone placement). Out: regex
source text — ``phrase_union(phrases)`` is one whole-word pattern for all of
them, shaped so that Python's regex engine can scan a long text quickly.
"""
from __future__ import annotations

import re
from collections.abc import Iterable


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
        word_start = boundaries and piece[-1:].isalnum()
        first.append(piece + (r"(?<!\w.)" if word_start else "") + emit(child))
    if not first:
        raise ValueError("phrase_union needs at least one phrase")
    body = first[0] if len(first) == 1 else "(?:" + "|".join(first) + ")"
    if not boundaries:
        return body
    # The end boundary applies only after phrases that end in a letter or digit.
    return body + r"(?!(?<=\w)\w)"
