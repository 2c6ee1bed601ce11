"""Records: what the readers produce.

``RawRecord`` is one article as read (raw text and the metadata its source
carries), ``Rejection`` an input, or one line or row of one, that was not loaded,
with the reason.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class RawRecord:
    """One article as read, before cleaning; ``location`` is its file and line or row."""

    doc_id: str
    source: str
    path: str
    format: str
    raw_text: str
    title: str | None = None
    published: Any = None
    byline: str | None = None
    site: str | None = None
    warning: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    location: str | None = None

    def add_warning(self, message: str) -> None:
        self.warning = f"{self.warning}; {message}" if self.warning else message


@dataclass
class Rejection:
    """An input (file, or a line or row of one) that was not loaded."""

    path: str
    reason: str
