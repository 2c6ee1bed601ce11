"""Extract step: cleaned documents in, indicator mentions and citations out.

``extract(documents)`` → one row per mention (``MENTION_COLUMNS``) for a
DataFrame from ``load_corpus``; with ``references=True`` directive citations
are added as rows with ``indicator == "reference"`` and the normalized code as
``value``. ``extract_text(text)`` does the same for a pasted paragraph.
``citations(documents)`` → the tidy citation table (one row per citation).
The per-document functions underneath (``extract_document``,
``document_citations``, ``document_people``, ``context_of``) give the same rows
as dicts; the build calls them directly and never makes a DataFrame.
Rules come from ``analysis/rules/indicators.yaml`` unless ``rules`` is given
(a ``Rules`` object or a path to another YAML file).

Topic: every mention and citation row carries ``off_topic`` — True when its
document is not about Party building (``analysis.topic``: the document's
``party_building`` column, or its score from title and text). ``extract`` and
``citations`` leave those rows out unless ``all_topics=True``; the build stores
them all, flagged. A pasted paragraph (``extract_text``) is taken as on topic.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..clean import nfc
from ..topic import score_topic
from .engine import MENTION_COLUMNS as ENGINE_MENTION_COLUMNS
from .engine import extract_mentions
from .numbers import find_numbers, parse_number
from .references import CITATION_COLUMNS as FOUND_CITATION_COLUMNS
from .references import extract_citations
from .rules import Rules, RulesError, load_rules, parse_rules

__all__ = [
    "CITATION_COLUMNS", "MAX_ROWS_PER_DOCUMENT", "MENTION_COLUMNS", "PEOPLE_COLUMNS", "Rules", "RulesError", "citations",
    "context_of", "cut_warning",
    "document_citations", "document_people", "extract", "extract_document", "extract_text", "is_off_topic",
    "people_table", "find_numbers", "load_rules", "parse_number", "parse_rules",
]


# Rows of a document that is not about Party building are kept, flagged (see analysis.topic).
MENTION_COLUMNS = [*ENGINE_MENTION_COLUMNS, "off_topic"]
CITATION_COLUMNS = [*FOUND_CITATION_COLUMNS, "off_topic"]
# At most this many mention rows and citation rows are read from one document: a real article has
# well under a hundred, and a page that repeats one sentence a hundred thousand times would otherwise
# cost seconds and a table of copies. A document that reaches it says so (``cut_warning``).
MAX_ROWS_PER_DOCUMENT = 5_000


def cut_warning(kind: str, rows: list) -> str | None:
    """The warning a document gets when its ``kind`` rows reached ``MAX_ROWS_PER_DOCUMENT``."""
    return f"{kind} cut at the first {MAX_ROWS_PER_DOCUMENT:,} rows (limit per document)" if len(rows) >= MAX_ROWS_PER_DOCUMENT else None


def _rules(rules: Rules | str | Path | None) -> Rules:
    return rules if isinstance(rules, Rules) else load_rules(rules)


def _reference_rows(doc_id: str | None, text: str, rules: Rules) -> list[dict]:
    rows = []
    for c in extract_citations(text, rules, doc_id, max_rows=MAX_ROWS_PER_DOCUMENT):
        if not c["coded"] and not c.get("scored"):
            continue
        rows.append({
            "doc_id": doc_id, "indicator": "reference", "value": c["code"], "unit": "citation",
            "qualifier": "exact", "flags": "" if c["coded"] else "uncoded", "organization": c.get("issued_by"),
            "organization_level": c.get("issuer_level"), "organization_source": "citation" if c.get("issued_by") else None,
            "year": None, "period": None, "sentence": None, "matched_text": c["matched_text"],
            "start": c["start"], "end": c["end"], "rule_id": f"reference.{c['style']}",
            "unit_text": c["type_word"], "lower_bound": None,
        })
    return rows


def _sentences_of(text: str, starts: list[int]) -> list[str]:
    """The sentence around each offset (sentences are split once per text)."""
    from .sentences import sentence_at, split_sentences

    if not starts:
        return []
    spans = split_sentences(text)
    return [text[span[0] : span[1]] if (span := sentence_at(spans, s)) else "" for s in starts]


def _mentions_frame(rows: list[dict], context: list[str] | None = None) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=MENTION_COLUMNS + (context or []))
    return frame.astype({"start": "int64", "end": "int64"}) if len(frame) else frame


def _headline_rows(doc_id: str | None, title: str, rules: Rules, body: list[dict]) -> list[dict]:
    """Mentions read from the headline that the body does not state: a headline that
    repeats a body figure (exactly, or rounded: "gần 9.100" for 9.096) is the same fact.
    They are flagged ``headline`` and their offsets are offsets into the title."""
    stated: dict[str, list[float]] = {}
    for row in body:
        if isinstance(row["value"], (int, float)):
            stated.setdefault(row["indicator"], []).append(float(row["value"]))
    rows = []
    for row in extract_mentions(title, rules, doc_id):
        value = float(row["value"]) if isinstance(row["value"], (int, float)) else None
        same = stated.get(row["indicator"], [])
        tolerance = 0.0 if row["qualifier"] == "exact" else 0.02
        if value is None or any(abs(value - v) <= tolerance * max(abs(v), 1.0) for v in same):
            continue
        row["flags"] = ",".join([f for f in row["flags"].split(",") if f] + ["headline"])
        rows.append(row)
    return rows


def extract_document(doc_id: str | None, text: str, rules: Rules, references: bool = True,
                     off_topic: bool = False, title: str | None = None) -> list[dict]:
    """Mention rows of one document, in text order, each with the document's ``off_topic`` flag;
    with ``title``, the headline's figures the body does not repeat come first (flag
    ``headline``, offsets into the title)."""
    text = nfc(text or "")
    rows = extract_mentions(text, rules, doc_id, max_rows=MAX_ROWS_PER_DOCUMENT)
    if references:
        refs = _reference_rows(doc_id, text, rules)
        for r, sentence in zip(refs, _sentences_of(text, [r["start"] for r in refs]), strict=False):
            r["sentence"] = sentence
        rows.extend(refs)
    rows.sort(key=lambda r: (r["start"], r["indicator"]))
    headline = title if isinstance(title, str) and title.strip() else None
    rows = (_headline_rows(doc_id, nfc(headline), rules, rows) if headline else []) + rows
    for row in rows:
        row["off_topic"] = off_topic
    return rows


def document_citations(doc_id: str | None, text: str, rules: Rules, off_topic: bool = False) -> list[dict]:
    """Citation rows (``CITATION_COLUMNS``) of one document, each with its sentence and ``off_topic`` flag."""
    text = nfc(text or "")
    found = extract_citations(text, rules, doc_id, max_rows=MAX_ROWS_PER_DOCUMENT)
    for c, sentence in zip(found, _sentences_of(text, [c["start"] for c in found]), strict=False):
        c["sentence"] = sentence
        c["off_topic"] = off_topic
        c.pop("scored", None)
    return found


def document_people(doc_id: str | None, text: str) -> list[dict]:
    """People rows of one document, titles joined by "; "."""
    from .people import find_people

    return [{"doc_id": doc_id, **person, "titles": "; ".join(person["titles"])} for person in find_people(nfc(text or ""))]


PEOPLE_COLUMNS = ["doc_id", "name", "titles", "evidence", "sentence", "start", "end"]
# What the citing document adds to its mentions and citations, when it has them.
MENTION_CONTEXT = ("province", "district", "commune", "province_2025")
CITATION_CONTEXT = ("province", "district", "published")


def context_of(document: dict, names: tuple[str, ...]) -> dict:
    """The document's values of ``names`` (those it has); ``published`` brings ``published_year``."""
    context = {name: document[name] for name in names if name in document}
    if "published" in context:
        context["published_year"] = _year_of(context["published"])
    return context


def _year_of(value: object) -> int | None:
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "year"):  # date, datetime, Timestamp
        return int(value.year)
    parsed = pd.to_datetime(value, errors="coerce")
    return None if pd.isna(parsed) else int(parsed.year)


def _records(documents: pd.DataFrame, names: tuple[str, ...]) -> list[dict]:
    """Document rows as dicts of doc_id, text and the present ``names`` (plain lists:
    iterating a pandas string column value by value is slow)."""
    columns = ["doc_id", "text", *[n for n in names if n in documents.columns]]
    return [dict(zip(columns, values, strict=False)) for values in zip(*(documents[c].tolist() for c in columns), strict=False)]


# What the topic flag is read (or scored) from.
TOPIC_SOURCE = ("party_building", "title")


def is_off_topic(document: dict) -> bool:
    """True when the document is not about Party building: its ``party_building``
    column when it has one (as ``load_corpus`` gives), else scored from title and text."""
    flag = document.get("party_building")
    if flag is None or flag is pd.NA or (isinstance(flag, float) and flag != flag):
        flag = score_topic(document.get("title"), document.get("text")).party_building
    return not bool(flag)


def extract(documents: pd.DataFrame, rules: Rules | str | Path | None = None, references: bool = True,
            all_topics: bool = False) -> pd.DataFrame:
    """Indicator mentions (and citations) of every document in ``documents``.

    ``documents`` needs ``doc_id`` and ``text`` columns (as ``load_corpus``
    gives); its place columns, when present, are added to each mention. Rows
    are ordered by document, then position in its text. Documents that are not
    about Party building are left out unless ``all_topics`` (their rows then
    come with ``off_topic`` True).
    """
    compiled = _rules(rules)
    present = [c for c in MENTION_CONTEXT if c in documents.columns]
    rows: list[dict] = []
    for document in _records(documents, MENTION_CONTEXT + TOPIC_SOURCE):
        off_topic = is_off_topic(document)
        if off_topic and not all_topics:
            continue
        context = context_of(document, MENTION_CONTEXT)
        rows.extend({**row, **context} for row in
                    extract_document(document["doc_id"], document["text"], compiled, references, off_topic=off_topic,
                                     title=document.get("title")))
    return _mentions_frame(rows, present)


def people_table(documents: pd.DataFrame) -> pd.DataFrame:
    """One row per person named in each document, titles joined by "; "."""
    rows = [row for document in _records(documents, ()) for row in document_people(document["doc_id"], document["text"])]
    return pd.DataFrame(rows, columns=PEOPLE_COLUMNS)


def extract_text(text: str, rules: Rules | str | Path | None = None, references: bool = True) -> pd.DataFrame:
    """Mentions in a pasted paragraph; ``doc_id`` is None."""
    return _mentions_frame(extract_document(None, text, _rules(rules), references))


def citations(documents: pd.DataFrame, rules: Rules | str | Path | None = None, all_topics: bool = False) -> pd.DataFrame:
    """One row per directive citation (coded or not), with doc_id and position.

    Citations of documents that are not about Party building are left out
    unless ``all_topics`` (as in ``extract``).

    The citing document's ``province`` and ``published`` date are added when
    ``documents`` has them, so "which localities cite 05-CT/TW, by year" is one
    groupby: ``table[table.code == "05-CT/TW"].groupby(["province", "published_year"]).size()``.
    """
    compiled = _rules(rules)
    present = [c for c in CITATION_CONTEXT if c in documents.columns]
    rows: list[dict] = []
    for document in _records(documents, CITATION_CONTEXT + TOPIC_SOURCE):
        off_topic = is_off_topic(document)
        if off_topic and not all_topics:
            continue
        context = context_of(document, CITATION_CONTEXT)
        rows.extend({**row, **context} for row in
                    document_citations(document["doc_id"], document["text"], compiled, off_topic=off_topic))
    columns = CITATION_COLUMNS + present + (["published_year"] if "published" in present else [])
    table = pd.DataFrame(rows, columns=columns)
    if "published_year" in table.columns:
        table["published_year"] = table["published_year"].astype("Int64")
    return table
