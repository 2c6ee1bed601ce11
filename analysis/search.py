"""Search step: full-text search over a store's articles, sentence by sentence, with keyword-in-context.

In: a store directory (the ``documents`` table of its current generation) and a
query. Out: ``search(query, store=...)`` → ``SearchResult`` with ``hits``
(one row per matching sentence, best first: the article's ``doc_id``,
``title``, ``published``, ``url``, ``province``, ``party_building``; the
``part`` matched (``title`` or ``text``), ``sentence_no``, ``start``/``end``
(offsets of the sentence in the article's cleaned text), ``sentence``,
``snippet`` (keyword-in-context, the match between « and »),
``match_start``/``match_end`` (offsets of the match in ``sentence``), ``gap``
and ``rank``) and ``articles`` (the same hits grouped: one row per article, in
order of its best hit, with its number of matching sentences).

Accent-insensitive: indexed text and query both go through the project's one
fold, ``ascii_fold`` ("Chỉ thị 05-CT/TW" and "chi thi 05" are the same words);
punctuation separates words, so "05–CT" (an en dash) still has the word "05";
the "TƯ" of a code is "TW" ("05-CT/TƯ" is found by "05-CT/TW" and the reverse).

Query: words must all occur in the sentence, in any order; a "quoted phrase"
must occur as written (consecutive words), and so must a code typed without
spaces ("05-CT/TW": the words 05, ct, tw in a row). Vietnamese words are syllables, so
the ranking puts first the sentences where the query's words stand closest
together: ``gap`` counts the words between them (0: exactly as typed; "Chỉ
thị số 05" has gap 1 for ``chi thi 05``), then SQLite's BM25.

The index is SQLite FTS5 (Python's standard library; DuckDB's ``fts``
extension is downloaded from DuckDB's site at run time, and no PyPI package
ships it for the DuckDB release in use). It is built on the first search of a
store generation from its ``documents`` table, into
``generations/<id>/search/index-<format>-<version>.sqlite``: written to a
temporary file and renamed when complete, so a search killed while indexing
leaves nothing half-made; a new build makes a new generation and so a new
index, and removing the old generation removes the old index. A store that
cannot be written is indexed in memory for the one search. Duplicates
(``duplicate_of`` set) are not indexed: their text is their original's.
"""
from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .clean.normalize import ascii_fold
from .extract.sentences import split_sentences
from .params import ParameterError, Province, fold_name, match_province, store_provinces

INDEX_FORMAT = 2  # bump when the index's tables or the folding change: older index files are then ignored
CANDIDATES = 20_000  # sentences taken by BM25 before the proximity ranking; enough for any query a person reads
CONTEXT = 60  # characters of context on each side of the match in a snippet
MARKS = ("«", "»")

HIT_COLUMNS = ["rank", "doc_id", "title", "published", "url", "province", "province_2025", "party_building", "part", "sentence_no",
               "start", "end", "sentence", "snippet", "match_start", "match_end", "gap"]
ARTICLE_COLUMNS = ["doc_id", "title", "published", "url", "province", "province_2025", "party_building", "hits", "best_rank", "snippet"]

# Characters that separate words: everything but letters, digits, blanks and combining marks. Replaced by a space
# before folding, because ascii_fold drops what has no ASCII form ("–", "“") and would glue "05–CT" into one word.
_SEPARATOR = re.compile(r"[^\w\s\u0300-\u036f]|_")
_WORD = re.compile(r"[a-z0-9]+")
_QUOTED = re.compile(r'["“]([^"“”]*)["”]')
# "TƯ" (Trung ương) in a document code is written "TW" as often: "05-CT/TƯ" and "05-CT/TW" are one code. Folded
# where it is a code's part — after a slash, or the word in capitals — never the word "tư" ("tư tưởng", "đầu tư").
_CENTRAL = re.compile(r"(?<=/)\s*[Tt][Ưư](?![\w\u0300-\u036f])|(?<![\w\u0300-\u036f])TƯ(?![\w\u0300-\u036f])")


def _central_as_tw(text: str) -> str:
    """``text`` with the code part "TƯ" written "TW" (same length: offsets are kept)."""
    return _CENTRAL.sub(lambda m: m.group()[:-2] + "TW", text) if "ư" in text or "Ư" in text else text


class SearchError(ValueError):
    """A search that cannot run: empty query, missing store, unknown province, bad limit."""


def search_words(text: str) -> list[str]:
    """The words of ``text`` as the index holds them: folded, lower-case ASCII letters and digits."""
    return _WORD.findall(ascii_fold(_SEPARATOR.sub(" ", _central_as_tw(text))))


def _folded_with_offsets(text: str) -> tuple[str, list[int]]:
    """``text`` folded character by character, and for each folded character the offset of its original.

    Folding each character alone gives the same words as ``search_words`` (the decomposition that
    ``ascii_fold`` applies works character by character), and lets a match be mapped back to the text.
    """
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(_central_as_tw(text)):
        folded = " " if _SEPARATOR.match(ch) else ascii_fold(ch)
        out.append(folded)
        origin.extend([i] * len(folded))
    return "".join(out), origin


# -- the query ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Query:
    """A parsed query: its parts (a word, or a quoted phrase: a tuple of words), all required."""

    text: str
    parts: tuple[tuple[str, ...], ...]

    def fts(self) -> str:
        """The FTS5 expression: each part a quoted string, all required (words are letters and digits only)."""
        return " ".join('"' + " ".join(part) + '"' for part in self.parts)

    @property
    def n_words(self) -> int:
        return sum(len(part) for part in self.parts)


def parse_query(text: str) -> Query:
    """Words and "quoted phrases" of ``text``; SearchError if it has no word to look for."""
    if not isinstance(text, str) or not text.strip():
        raise SearchError("empty query: give the words to look for, e.g. 'chi thi 05' or '\"kết nạp đảng viên\"'")
    parts: list[tuple[str, ...]] = []
    for phrase in _QUOTED.findall(text):
        words = tuple(search_words(phrase))
        if words:
            parts.append(words)
    for chunk in re.sub('["“”]', " ", _QUOTED.sub(" ", text)).split():  # "05-CT/TW": one chunk, a phrase of 3 words
        words = tuple(search_words(chunk))
        if words:
            parts.append(words)
    unique = tuple(dict.fromkeys(parts))  # a word typed twice is looked for once
    if not unique:
        raise SearchError(f"query {text!r} has no letters or digits to look for")
    return Query(text, unique)


# -- the index ---------------------------------------------------------------------------------------------------

def index_path(generation: Path) -> Path:
    """Where the search index of a store generation lives."""
    from . import __version__

    return generation / "search" / f"index-{INDEX_FORMAT}-{__version__}.sqlite"


def _documents(store: str | os.PathLike, batch: int = 500) -> Iterator[list[tuple]]:
    """The store's non-duplicate documents in batches (streamed, not sorted: memory stays flat)."""
    from .store import connect

    con = connect(store)
    try:
        cursor = con.execute(
            "SELECT doc_id, title, published, source, province, province_2025, party_building, text "
            "FROM documents WHERE duplicate_of IS NULL")
        while rows := cursor.fetchmany(batch):
            yield rows
    finally:
        con.close()


def _fill(db: sqlite3.Connection, store: str | os.PathLike) -> None:
    try:
        db.execute("CREATE VIRTUAL TABLE fts5_check USING fts5(x)")
        db.execute("DROP TABLE fts5_check")
    except sqlite3.OperationalError as exc:
        raise SearchError(f"this Python's SQLite {sqlite3.sqlite_version} has no FTS5 full-text index ({exc}); "
                          "use a Python built with it (python.org, conda-forge and Debian's all are)") from None
    db.executescript("""
        CREATE TABLE docs (id INTEGER PRIMARY KEY, doc_id TEXT, title TEXT, published TEXT, url TEXT, province TEXT,
                           province_2025 TEXT, province_key TEXT, province_2025_key TEXT, party_building INTEGER);
        CREATE TABLE sentences (id INTEGER PRIMARY KEY, doc INTEGER, part TEXT, sentence_no INTEGER,
                                start INTEGER, "end" INTEGER, sentence TEXT);
        -- contentless: the words are kept only in the index; snippets are made from the sentence itself
        CREATE VIRTUAL TABLE sentence_words USING fts5(words, content='', tokenize='unicode61');
    """)
    db.execute("PRAGMA journal_mode = OFF")  # a temporary file, renamed only when complete: no journal needed
    db.execute("PRAGMA synchronous = OFF")
    doc_number = sentence_id = 0
    for rows in _documents(store):
        docs, sentences, words = [], [], []
        for doc_id, title, published, url, province, province_2025, party_building, text in rows:
            doc_number += 1
            docs.append((doc_number, doc_id, title, published.isoformat() if published else None, url, province,
                         province_2025, fold_name(province), fold_name(province_2025),
                         None if party_building is None else int(party_building)))
            pieces = [("title", 0, 0, 0, title)] if title else []
            text = text or ""
            pieces += [("text", n, a, b, text[a:b]) for n, (a, b) in enumerate(split_sentences(text), start=1)]
            for part, n, a, b, sentence in pieces:
                sentence_id += 1
                sentences.append((sentence_id, doc_number, part, n, a, b, sentence))
                words.append((sentence_id, " ".join(search_words(sentence))))
        db.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", docs)
        db.executemany("INSERT INTO sentences VALUES (?, ?, ?, ?, ?, ?, ?)", sentences)
        db.executemany("INSERT INTO sentence_words (rowid, words) VALUES (?, ?)", words)


def open_index(store: str | os.PathLike) -> sqlite3.Connection:
    """The search index of the store's current generation, built first if there is none yet."""
    from .store import require_current

    try:
        generation = require_current(store)
    except FileNotFoundError as exc:
        raise SearchError(str(exc)) from None
    path = index_path(generation)
    if path.exists():
        return _read_only(path)
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(partial)
        try:
            _fill(db, store)
            db.commit()
        finally:
            db.close()
        os.replace(partial, path)  # concurrent first searches each write their own file; either result is whole
    except (OSError, sqlite3.OperationalError):  # a store that cannot be written (a read-only copy, a full disk)
        memory = sqlite3.connect(":memory:")
        _fill(memory, store)
        return memory
    finally:
        with contextlib.suppress(OSError):  # renamed, never made, or its folder is not one
            partial.unlink()
    return _read_only(path)


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)


# -- ranking and keyword-in-context ------------------------------------------------------------------------------

def _shortest_cover(words: list[str], query: Query) -> tuple[int, int] | None:
    """(first, last) word of the shortest run of ``words`` that holds every part of ``query``, or None."""
    found = sorted((i, i + len(part) - 1, p) for p, part in enumerate(query.parts)
                   for i in range(len(words) - len(part) + 1) if tuple(words[i:i + len(part)]) == part)
    best: tuple[int, int] | None = None
    for left, (start, _, _) in enumerate(found):
        seen: set[int] = set()
        last = start
        for _, end, p in found[left:]:
            seen.add(p)
            last = max(last, end)
            if len(seen) == len(query.parts):
                if best is None or last - start < best[1] - best[0]:
                    best = (start, last)
                break
    return best


def _gap(cover: tuple[int, int], query: Query) -> int:
    """Words between the query's words in ``cover`` (0: as typed)."""
    return max(0, cover[1] - cover[0] + 1 - query.n_words)


def _match(sentence: str, query: Query) -> tuple[int, int] | None:
    """Offsets in ``sentence`` of the shortest stretch that holds every part of ``query``."""
    folded, origin = _folded_with_offsets(sentence)
    spans = [(m.start(), m.end()) for m in _WORD.finditer(folded)]
    cover = _shortest_cover([folded[a:b] for a, b in spans], query)
    if cover is None:
        return None
    return origin[spans[cover[0]][0]], origin[spans[cover[1]][1] - 1] + 1


def keyword_in_context(sentence: str, start: int, end: int, context: int = CONTEXT, marks: tuple[str, str] = MARKS) -> str:
    """``sentence`` cut to ``context`` characters either side of ``start:end`` (at word boundaries), the match marked."""
    left = max(0, start - context)
    if left > 0 and sentence[left - 1] != " ":  # in the middle of a word: start after it
        space = sentence.find(" ", left, start)
        left = space + 1 if space != -1 else left
    right = min(len(sentence), end + context)
    if right < len(sentence) and sentence[right] != " ":
        space = sentence.rfind(" ", end, right)
        right = space if space != -1 else right
    return ("…" if left > 0 else "") + sentence[left:start] + marks[0] + sentence[start:end] + marks[1] + \
        sentence[end:right] + ("…" if right < len(sentence) else "")


# -- the search --------------------------------------------------------------------------------------------------

@dataclass
class SearchResult:
    """Sentence hits (best first, at most ``limit``), the same grouped by article, and a one-line summary."""

    query: str
    hits: pd.DataFrame
    articles: pd.DataFrame
    total_hits: int = 0  # matching sentences in the whole store (or province), before the limit
    total_articles: int = 0
    message: str = ""
    province: str | None = None

    def __len__(self) -> int:
        return len(self.hits)


def _province(store: str | os.PathLike, province: str) -> Province:
    """The province ``province`` names (analysis.params: without case or diacritics, pre- or post-2025, did you
    mean…?); SearchError if none. Read from the store's tables, so a bad name is refused before indexing."""
    from .store import connect

    con = connect(store)
    try:
        return match_province(province, store_provinces(con))
    except ParameterError as exc:
        raise SearchError(str(exc).replace("parameter province: ", "")) from None
    finally:
        con.close()


def _check(query: str, store: str | os.PathLike, limit: int, context: int) -> Query:
    from .store import require_current

    parsed = parse_query(query)
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise SearchError(f"limit must be a whole number of at least 1, not {limit!r}")
    if not isinstance(context, int) or isinstance(context, bool) or context < 0:
        raise SearchError(f"context must be a number of characters (0 or more), not {context!r}")
    try:
        require_current(store)
    except FileNotFoundError as exc:
        raise SearchError(str(exc)) from None
    return parsed


def search(query: str, store: str | os.PathLike = "data/store", *, limit: int = 20, province: str | None = None,
           context: int = CONTEXT, marks: tuple[str, str] = MARKS) -> SearchResult:
    """The ``limit`` sentences of the store's articles that best match ``query``, with their articles.

    ``province`` keeps articles of one province, named with or without diacritics or case, pre- or post-2025
    ("ben tre", "Vĩnh Long"). Bad parameters raise SearchError before any work; no match is an empty result
    whose ``message`` says so.
    """
    parsed = _check(query, store, limit, context)
    place = _province(store, province) if province else None
    province = place.name if place else None
    con = open_index(store)
    try:
        where, params = "sentence_words MATCH ?", [parsed.fts()]
        if province:
            where += " AND (d.province_key = ? OR d.province_2025_key = ?)"
            params += [place.key] * 2 if place else []
        rows = con.execute(
            "SELECT d.doc_id, d.title, d.published, d.url, d.province, d.province_2025, d.party_building, s.part, s.sentence_no, "
            "s.start, s.\"end\", s.sentence "
            f"FROM sentence_words JOIN sentences s ON s.id = sentence_words.rowid JOIN docs d ON d.id = s.doc "
            f"WHERE {where} ORDER BY bm25(sentence_words), d.doc_id, s.sentence_no LIMIT ?", [*params, CANDIDATES]).fetchall()
        in_province = " WHERE d.province_key = ? OR d.province_2025_key = ?" if province else ""
        n_articles = con.execute(f"SELECT count(*) FROM docs d{in_province}", params[1:]).fetchone()[0]
    finally:
        con.close()
    # closest words first, then BM25 (the order of rows); one part is always "as typed"
    ranked = []
    for row in rows:
        cover = _shortest_cover(search_words(row[-1]), parsed) if len(parsed.parts) > 1 else (0, len(parsed.parts[0]) - 1)
        if cover is not None:  # FTS5 and the cover agree on the words; this only guards against a mismatch
            ranked.append((_gap(cover, parsed), row))
    ranked.sort(key=lambda item: item[0])  # stable: BM25 order within a gap
    records = []
    for rank, (gap, row) in enumerate(ranked[:limit], start=1):
        doc_id, title, published, url, prov, prov_2025, party_building, part, n, start, end, sentence = row
        a, b = _match(sentence, parsed) or (0, 0)
        records.append({
            "rank": rank, "doc_id": doc_id, "title": title, "published": published, "url": url, "province": prov,
            "province_2025": prov_2025, "party_building": None if party_building is None else bool(party_building), "part": part,
            "sentence_no": n, "start": start, "end": end, "sentence": sentence,
            "snippet": keyword_in_context(sentence, a, b, context, marks), "match_start": a, "match_end": b, "gap": gap,
        })
    hits = pd.DataFrame.from_records(records, columns=HIT_COLUMNS)
    hits["published"] = pd.to_datetime(hits["published"]).dt.date
    counts = pd.Series([row[0] for _, row in ranked], dtype=object).value_counts()
    total_articles = len(counts)
    where_text = f" in {province}" if province else ""
    if not ranked:
        message = f"no sentence matches {query!r}{where_text} ({n_articles} article(s) searched)"
    else:
        at_least = "at least " if len(rows) == CANDIDATES else ""  # only the best CANDIDATES by BM25 were ranked
        message = (f"{len(hits)} of {at_least}{len(ranked)} matching sentence(s) in {total_articles} article(s){where_text}"
                   f" for {query!r}")
    return SearchResult(query, hits, _group(hits, counts), len(ranked), total_articles, message, province)


def _group(hits: pd.DataFrame, counts: pd.Series) -> pd.DataFrame:
    """One row per article of ``hits``, in order of its best hit; ``hits`` counts all its matching sentences."""
    if hits.empty:
        return pd.DataFrame(columns=ARTICLE_COLUMNS)
    first = hits.drop_duplicates("doc_id").copy()
    first["hits"] = first["doc_id"].map(counts).astype(int)
    first["best_rank"] = first["rank"]
    return first[ARTICLE_COLUMNS].reset_index(drop=True)


def format_result(result: SearchResult) -> str:
    """The result as text for a terminal: each article (title, date, province, link), then its sentences in context."""
    lines = []
    for article in result.articles.itertuples():
        published = article.published.isoformat() if pd.notna(article.published) else "no date"
        title = article.title if pd.notna(article.title) else "(no title)"
        province = article.province if pd.notna(article.province) else "no province"
        if pd.notna(article.province_2025) and article.province_2025 != article.province:
            province += f" (since 2025: {article.province_2025})"
        lines.append(f"{title}  [{article.doc_id}; {published}; {province}]")
        if pd.notna(article.url):
            lines.append(f"  {article.url}")
        for hit in result.hits[result.hits.doc_id == article.doc_id].itertuples():
            where = "title" if hit.part == "title" else f"sentence {hit.sentence_no}"
            lines.append(f"  {hit.rank:>3}. ({where}) {hit.snippet}")
        more = article.hits - int((result.hits.doc_id == article.doc_id).sum())
        if more > 0:
            lines.append(f"       … and {more} more sentence(s) in this article")
    return "\n".join(lines)


__all__ = ["SearchError", "SearchResult", "format_result", "keyword_in_context", "open_index", "parse_query", "search",
           "search_words"]
