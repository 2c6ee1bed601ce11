"""Aggregate step: document and mention tables in, report-ready tables out.

In: documents from ``load_corpus`` (optionally with place columns) and
mentions from ``extract``. Out: small pandas frames for notebooks —
``document_overview`` (one row per document, readable column names),
``indicator_counts`` (mentions per indicator, with and without flags).
"""
from __future__ import annotations

import pandas as pd

from .extract.rules import load_rules


def document_overview(documents: pd.DataFrame) -> pd.DataFrame:
    """One row per document: id, headline, date, author, size, place, duplicate."""
    columns = {
        "doc_id": "Document", "title": "Headline", "published": "Published", "byline": "Author",
        "n_chars": "Characters", "province": "Province", "duplicate_of": "Duplicate of",
    }
    present = [c for c in columns if c in documents.columns]
    out = documents[present].rename(columns=columns)
    if "Published" in out:
        out["Published"] = pd.to_datetime(out["Published"]).dt.strftime("%d/%m/%Y").fillna("—")
    return out.fillna("—")


def indicator_counts(mentions: pd.DataFrame) -> pd.DataFrame:
    """Mentions per indicator: all, plain (no flag), flagged; labels from the rules."""
    labels = {i.name: i.label for i in load_rules().indicators}
    labels["reference"] = "Directive citations"
    if mentions.empty:
        return pd.DataFrame(columns=["Indicator", "Mentions", "Plain", "Flagged", "Documents"])
    flagged = mentions["flags"].fillna("").astype(str).ne("")
    table = (
        mentions.assign(flagged=flagged)
        .groupby("indicator")
        .agg(Mentions=("value", "size"), Flagged=("flagged", "sum"), Documents=("doc_id", "nunique"))
        .reset_index()
    )
    table["Plain"] = table["Mentions"] - table["Flagged"]
    table["Indicator"] = table["indicator"].map(lambda n: labels.get(n, n.replace("_", " ")))
    return table[["Indicator", "Mentions", "Plain", "Flagged", "Documents"]].sort_values("Mentions", ascending=False)
