"""Extract step: cleaned documents in, indicator mentions and citations out.

``extract(documents)`` → one row per mention (``MENTION_COLUMNS``) for a
DataFrame from ``load_corpus``; with ``references=True`` directive citations
are added as rows with ``indicator == "reference"`` and the normalized code as
``value``. ``extract_text(text)`` does the same for a pasted paragraph.
``citations(documents)`` → the tidy citation table (one row per citation).
Rules come from ``analysis/rules/indicators.yaml`` unless ``rules`` is given
(a ``Rules`` object or a path to another YAML file).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..clean import nfc
from .engine import MENTION_COLUMNS, extract_mentions
from .numbers import find_numbers, parse_number
from .references import CITATION_COLUMNS, extract_citations
from .rules import Rules, RulesError, load_rules, parse_rules

__all__ = [
    "CITATION_COLUMNS", "MENTION_COLUMNS", "Rules", "RulesError", "citations", "extract", "extract_text", "people_table",
    "find_numbers", "load_rules", "parse_number", "parse_rules",
]


def _rules(rules: Rules | str | Path | None) -> Rules:
    return rules if isinstance(rules, Rules) else load_rules(rules)


def _reference_rows(doc_id: str | None, text: str, rules: Rules) -> list[dict]:
    rows = []
    for c in extract_citations(text, rules, doc_id):
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


def _mentions_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=MENTION_COLUMNS)
    return frame.astype({"start": "int64", "end": "int64"}) if len(frame) else frame


def extract_document(doc_id: str | None, text: str, rules: Rules, references: bool = True) -> list[dict]:
    """Mention rows of one document, in text order."""
    text = nfc(text or "")
    rows = extract_mentions(text, rules, doc_id)
    if references:
        refs = _reference_rows(doc_id, text, rules)
        for r, sentence in zip(refs, _sentences_of(text, [r["start"] for r in refs])):
            r["sentence"] = sentence
        rows.extend(refs)
    rows.sort(key=lambda r: (r["start"], r["indicator"]))
    return rows


def extract(documents: pd.DataFrame, rules: Rules | str | Path | None = None, references: bool = True) -> pd.DataFrame:
    """Indicator mentions (and citations) of every document in ``documents``.

    ``documents`` needs ``doc_id`` and ``text`` columns (as ``load_corpus``
    gives). Rows are ordered by document, then position in its text.
    """
    compiled = _rules(rules)
    rows: list[dict] = []
    for doc_id, text in zip(documents["doc_id"].tolist(), documents["text"].tolist()):
        rows.extend(extract_document(doc_id, text, compiled, references))
    return _with_places(_mentions_frame(rows), documents)


def _with_places(mentions: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """Add the document's place columns (when it has them) to its mentions."""
    present = [c for c in ("province", "district", "commune", "province_2025") if c in documents.columns]
    if not present:
        return mentions
    return mentions.merge(documents[["doc_id", *present]], on="doc_id", how="left")


def people_table(documents: pd.DataFrame) -> pd.DataFrame:
    """One row per person named in each document, titles joined by "; "."""
    from .people import find_people

    rows = []
    for doc_id, text in zip(documents["doc_id"].tolist(), documents["text"].tolist()):
        for person in find_people(nfc(text or "")):
            rows.append({"doc_id": doc_id, **person, "titles": "; ".join(person["titles"])})
    return pd.DataFrame(rows, columns=["doc_id", "name", "titles", "evidence", "sentence", "start", "end"])


def extract_text(text: str, rules: Rules | str | Path | None = None, references: bool = True) -> pd.DataFrame:
    """Mentions in a pasted paragraph; ``doc_id`` is None."""
    return _mentions_frame(extract_document(None, text, _rules(rules), references))


def citations(documents: pd.DataFrame, rules: Rules | str | Path | None = None) -> pd.DataFrame:
    """One row per directive citation (coded or not), with doc_id and position.

    The citing document's ``province`` and ``published`` date are added when
    ``documents`` has them, so "which localities cite 05-CT/TW, by year" is one
    groupby: ``table[table.code == "05-CT/TW"].groupby(["province", "published_year"]).size()``.
    """
    compiled = _rules(rules)
    rows: list[dict] = []
    for doc_id, text in zip(documents["doc_id"].tolist(), documents["text"].tolist()):
        text = nfc(text or "")
        found = extract_citations(text, compiled, doc_id)
        for c, sentence in zip(found, _sentences_of(text, [c["start"] for c in found])):
            c["sentence"] = sentence
            c.pop("scored", None)
            rows.append(c)
    table = pd.DataFrame(rows, columns=CITATION_COLUMNS)
    context = [c for c in ("province", "district", "published") if c in documents.columns]
    if context:
        table = table.merge(documents[["doc_id", *context]], on="doc_id", how="left")
        if "published" in context:
            table["published_year"] = pd.to_datetime(table["published"]).dt.year.astype("Int64")
    return table
