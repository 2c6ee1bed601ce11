"""Vietnamese collation: names sorted as a Vietnamese reader expects.

In: names (provinces, organizations, headlines). Out: sort keys and sorted
sequences or frames. Code-point order puts "Bình Dương" before "Bến Tre" (ì
sorts after ế as a code point) and every "Đ" after "Z"; Vietnamese order
compares letters first (a ă â b c d đ e ê … with đ right after d), then tone
marks, then case: Bến Tre, Bình Dương; Dĩ An, Đà Nẵng, Đồng Nai.

The order is ICU's Vietnamese collation (PyICU, the maintained binding of the
Unicode collation algorithm); one collator is made on first use.
"""
from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import pandas as pd

# Missing names (None, NaN) sort after every name.
_LAST = b"\xff\xff\xff\xff"


@lru_cache(maxsize=1)
def _collator():
    import icu

    return icu.Collator.createInstance(icu.Locale("vi_VN"))


def sort_key(name: object) -> bytes:
    """The Vietnamese collation key of a name (bytes; compare keys to order names); missing names last."""
    if name is None or (isinstance(name, float) and name != name) or name is pd.NA:
        return _LAST
    return bytes(_collator().getSortKey(str(name)))


def sorted_names(names: Iterable[object]) -> list:
    """Names in Vietnamese order (missing ones last)."""
    return sorted(names, key=sort_key)


def sorted_frame(frame: pd.DataFrame, by: list[str], names: Iterable[str] | None = None,
                 ascending: bool | list[bool] = True) -> pd.DataFrame:
    """``frame.sort_values(by)`` with the columns ``names`` (default: every text column of ``by``) in Vietnamese order.

    The sort is stable, so rows equal on ``by`` keep their order.
    """
    text_columns = set(names) if names is not None else {c for c in by if frame[c].dtype == object or
                                                         pd.api.types.is_string_dtype(frame[c])}

    def key(column: pd.Series) -> pd.Series:
        return column.map(sort_key) if column.name in text_columns else column

    return frame.sort_values(by, key=key, kind="stable", ascending=ascending)
