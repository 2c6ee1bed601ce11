"""Places step (filled in by the places work): documents in, province columns out."""
from __future__ import annotations

import pandas as pd


def locate_documents(documents: pd.DataFrame) -> pd.DataFrame:
    """Add ``province``, ``district``, ``commune`` columns (missing when unknown)."""
    out = documents.copy()
    for column in ("province", "district", "commune"):
        if column not in out.columns:
            out[column] = None
    return out
