"""analysis: indicators of Vietnamese Party-building news, with provenance.

The package follows the data: ``load`` (files → document rows) → ``clean``
(raw text → body and header metadata) → ``extract`` (body → indicator
mentions and directive citations) → later steps store, aggregate and report.
"""
from __future__ import annotations

from .load import load_corpus, read_corpus

__version__ = "0.1.0"

__all__ = ["__version__", "load_corpus", "read_corpus"]
