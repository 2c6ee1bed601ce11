"""Writing tables: one function that writes a DataFrame as JSONL, CSV or Parquet.

In: a DataFrame and an output path. Out: the file, in the format its extension
names (``.jsonl``/``.json`` → JSON Lines, ``.csv``, ``.parquet``); dates are
written as ISO strings and missing values as null.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

FORMATS = (".jsonl", ".json", ".csv", ".parquet")


def _jsonable(value: Any) -> Any:
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date().isoformat() if value == value.normalize() else value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return _jsonable(value.item())
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "tolist"):
        return _jsonable(value.tolist())
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def write_table(frame: pd.DataFrame, out: str | Path) -> Path:
    """Write ``frame`` to ``out`` in the format of its extension."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"unknown output format '{out.suffix}': use one of {', '.join(FORMATS)}")
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix in (".jsonl", ".json"):
        with out.open("w", encoding="utf-8") as handle:
            for record in frame.to_dict("records"):
                clean = {k: _jsonable(v) for k, v in record.items()}
                handle.write(json.dumps(clean, ensure_ascii=False) + "\n")
    elif suffix == ".csv":
        frame.to_csv(out, index=False)
    else:
        frame = frame.copy()
        for column in frame.columns[frame.dtypes == object]:
            kinds = {type(v) for v in frame[column] if v is not None and v == v}
            if len(kinds) > 1:  # e.g. numbers and citation codes in `value`: Parquet needs one type
                frame[column] = frame[column].map(lambda v: None if v is None or v != v else str(v))
        frame.to_parquet(out, index=False)
    return out
