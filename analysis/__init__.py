"""analysis: indicators of Vietnamese Party-building news, with provenance.

The package follows the data: ``load`` (files → document rows) → ``clean``
(raw text → body and header metadata) → ``extract`` (body → indicator
mentions and directive citations) → ``facts`` (mentions → facts: subject,
level, unit, period, counted or the reason) → later steps store, aggregate
(the counting model) and report; ``search`` finds the sentences of a store's
articles that match a query (accent-insensitive, in context).
"""
from __future__ import annotations

from .extract import citations, extract, extract_text, load_rules, people_table
from .facts import build_facts
from .load import load_corpus, read_corpus
from .places import locate_documents
from .search import search

__version__ = "0.1.0"

__all__ = [
    "__version__", "build_facts", "citations", "extract", "extract_text", "load_corpus", "load_rules", "locate_documents",
    "people_table", "read_corpus", "search",
]
