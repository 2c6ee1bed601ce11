"""Writing tables: one function that writes a DataFrame as JSONL, CSV or Parquet.

In: a DataFrame and an output path. Out: the file, in the format its extension
names (``.jsonl``/``.json`` → JSON Lines, ``.csv``, ``.parquet``); dates are
written as ISO strings and missing values as null. Text that cannot be written
as UTF-8 (a lone surrogate, which only a bad JSON escape can produce) is written
with U+FFFD in its place rather than failing the whole file; values JSON has no
form for are written as their text.
"""
from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import pandas as pd

FORMATS = (".jsonl", ".json", ".csv", ".parquet")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _scrub(value: Any) -> Any:
    """``value`` with lone surrogates replaced by U+FFFD, in nested lists and dicts too."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value) if _SURROGATE.search(value) else value
    if isinstance(value, dict):
        return {_scrub(k): _scrub(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_scrub(v) for v in value]
    return value


def _jsonable(value: Any) -> Any:
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, str):
        return _scrub(value)
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date().isoformat() if value == value.normalize() else value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return _jsonable(value.item())
    if isinstance(value, dict):
        return {str(_scrub(k)): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "tolist"):
        return _jsonable(value.tolist())
    return value


def _scrubbed(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with surrogate-free column names and text columns."""
    frame = frame.rename(columns=lambda c: _scrub(c) if isinstance(c, str) else c)
    for column in frame.columns[frame.dtypes == object]:
        values = frame[column]
        if values.map(lambda v: isinstance(v, (str, dict, list, tuple)) and v != _scrub(v)).any():
            frame[column] = values.map(_scrub)
    return frame


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
                clean = {str(_scrub(k)): _jsonable(v) for k, v in record.items()}
                handle.write(json.dumps(clean, ensure_ascii=False, default=str) + "\n")
    elif suffix == ".csv":
        _scrubbed(frame).to_csv(out, index=False)
    else:
        frame = _scrubbed(frame)
        for column in frame.columns[frame.dtypes == object]:
            kinds = {type(v) for v in frame[column] if v is not None and v == v}
            if len(kinds) > 1:  # e.g. numbers and citation codes in `value`: Parquet needs one type
                frame[column] = frame[column].map(lambda v: None if v is None or v != v else str(v))
        frame.to_parquet(out, index=False)
    return out
