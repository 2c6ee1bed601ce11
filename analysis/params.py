"""Parameters of a report or a search: one place where a province name, a date range and a filter are checked.

In: what a person types — a province name with or without diacritics or case ("Ben Tre", "ben-tre", "BẾN TRE",
"Tỉnh Bến Tre"), pre- or post-2025 ("Vĩnh Long" since the 2025 merger also covers Bến Tre and Trà Vinh), ISO dates,
``include_undated`` — and a store. Out: ``match_province`` → ``Province`` (the store's own spelling and which
column it names), ``check_dates`` → the dates, ``select_documents`` → ``Selection`` (the SQL condition over the
store's ``documents``, how many documents it keeps and how many undated ones a date limit left out). A name that
matches nothing raises ``ParameterError`` with the closest name (difflib) and the store's provinces; a province of
the gazetteer that the store has no document of says so.

Province names are read from the store's ``province``/``province_2025`` columns first (no gazetteer load when
the name is there) and then from the gazetteer (analysis.places: full names, aliases, 2025 names). A name of a pre-2025 province the store has
documents of selects the ``province`` column (a report per province is a report per pre-2025 province); else a
name of a 2025 province the store has documents of selects ``province_2025`` ("Cần Thơ" in a store with Hậu
Giang's articles but none of the old Cần Thơ's: the merged province).
"""
from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass
from typing import Any

from .clean.normalize import ascii_fold
from .collation import sorted_names

# A unit word before a province name ("Tỉnh Bến Tre", "TP. Hồ Chí Minh"): names are compared without it.
_UNIT_WORDS = re.compile(r"^(?:tinh|thanh pho|tp)\s+")
_NON_WORD = re.compile(r"[^a-z0-9]+")


class ParameterError(ValueError):
    """A parameter that cannot be used: the message says which, why, and what would work."""


def fold_name(name: object) -> str:
    """A name as compared: lower-case ASCII words ("Bà Rịa - Vũng Tàu" → "ba ria vung tau"), no unit word."""
    if not isinstance(name, str):
        return ""
    folded = _NON_WORD.sub(" ", ascii_fold(name)).strip()
    return _UNIT_WORDS.sub("", folded)


@dataclass(frozen=True)
class Province:
    """A province as the store names it, and the column that name selects (``province`` or ``province_2025``)."""

    name: str
    column: str = "province"

    @property
    def key(self) -> str:
        return fold_name(self.name)


def _gazetteer_names() -> dict[str, tuple[str, str]]:
    """Folded name → (store name, column) for every province of the gazetteer: short and full names, aliases,
    2025 names (only where the name is not also a pre-2025 province's)."""
    from .places import gazetteer

    provinces = gazetteer().provinces.values()
    names: dict[str, tuple[str, str]] = {}
    for p in provinces:
        for written in (p["name"], p["full"], *p.get("aliases", ())):
            names.setdefault(fold_name(written), (p["name"], "province"))
    for p in provinces:
        if p.get("province_2025"):
            names.setdefault(fold_name(p["province_2025"]), (p["province_2025"], "province_2025"))
    return names


def store_provinces(con: Any) -> dict[str, list[str]]:
    """The province names of a store's documents, by column (``province``, ``province_2025``), on a connection."""
    found: dict[str, list[str]] = {}
    for column in ("province", "province_2025"):
        found[column] = [n for (n,) in con.execute(
            f"SELECT DISTINCT {column} FROM documents WHERE {column} IS NOT NULL ORDER BY 1").fetchall()]
    return found


def _listed(names: list[str]) -> str:
    return ", ".join(sorted_names(set(names))) or "none"


def match_province(name: str, known: dict[str, list[str]]) -> Province:
    """The province ``name`` means, among the store's names ``known`` (``store_provinces``).

    ParameterError when the name is no province ("did you mean …?", with the store's provinces) or when the store
    has no document of that province.
    """
    if not isinstance(name, str) or not fold_name(name):
        raise ParameterError(f"parameter province: {name!r} is not a province name")
    key = fold_name(name)
    # The store's pre-2025 names first, then its 2025 names, then the gazetteer's (loaded only then).
    pre = {fold_name(n): (n, "province") for n in known.get("province", [])}
    post = {fold_name(n): (n, "province_2025") for n in known.get("province_2025", [])}
    everywhere = _gazetteer_names() if key not in pre and key not in post else {}
    hit = pre.get(key) or post.get(key) or everywhere.get(key)
    listed = _listed(known.get("province", []))
    if hit is None:
        candidates = {k: v[0] for table in (everywhere, post, pre) for k, v in table.items()}
        close = difflib.get_close_matches(key, list(candidates), n=1, cutoff=0.6)
        hint = f"did you mean '{candidates[close[0]]}'? " if close else ""
        raise ParameterError(f"parameter province: no province is called '{name}'; {hint}provinces in the store: {listed}")
    store_name, column = hit
    if store_name not in known.get(column, []):
        raise ParameterError(f"parameter province: the store has no document of {store_name}"
                             f"{' (2025 province)' if column == 'province_2025' else ''}; provinces in the store: {listed}")
    return Province(store_name, column)


def parse_date(value: object, name: str) -> dt.date | None:
    """An ISO date parameter (``YYYY-MM-DD``, a date, or None/"" for no limit), or a ParameterError naming it."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ParameterError(f"parameter {name}: '{value}' is not a date (use YYYY-MM-DD)") from None


def check_dates(date_from: object = None, date_to: object = None) -> tuple[dt.date | None, dt.date | None]:
    """Both dates parsed; ParameterError for a bad date or an empty range (``date_to`` before ``date_from``)."""
    start, end = parse_date(date_from, "date_from"), parse_date(date_to, "date_to")
    if start and end and end < start:
        raise ParameterError(f"parameters date_from={start.isoformat()} and date_to={end.isoformat()}: "
                             "the range is empty (date_to is before date_from)")
    return start, end


def check_flag(value: object, name: str) -> bool:
    """A yes/no parameter: a boolean, or its text from a command line ("true", "false", "1", "0", "yes", "no")."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no", "none", ""):
        return False
    raise ParameterError(f"parameter {name}: {value!r} is not true or false")


@dataclass(frozen=True)
class Selection:
    """The documents a report reads: the SQL condition over ``documents`` and what it keeps and leaves out."""

    where: str  # a condition over the documents view, with ? placeholders
    params: tuple[Any, ...]
    date_from: dt.date | None
    date_to: dt.date | None
    province: Province | None
    include_undated: bool
    documents: int  # documents the selection keeps
    undated_left_out: int  # undated documents (of the province, if any) that the date limits left out
    total: int  # documents in the store

    @property
    def message(self) -> str:
        """What the selection left out that a reader would not guess ("" when nothing): the undated documents."""
        if not self.undated_left_out:
            return ""
        return (f"{self.undated_left_out} document(s) without a date left out by the date filter "
                "(include_undated=True keeps them)")

    def describe(self) -> str:
        """The filters, as written in an error message ("province=Bến Tre, date_from=2023-01-01")."""
        parts = [f"province={self.province.name}"] if self.province else []
        parts += [f"{name}={value.isoformat()}" for name, value in (("date_from", self.date_from), ("date_to", self.date_to)) if value]
        return ", ".join(parts) or "no filter"


def select_documents(con: Any, date_from: object = None, date_to: object = None, province: str | None = None,
                     include_undated: object = False) -> Selection:
    """The selection of a store's documents for these filters, on a ``store.connect`` connection.

    Dates and the province are checked first (ParameterError); a date limit keeps undated documents only with
    ``include_undated``, and the count of those it left out is in ``Selection.undated_left_out``.
    """
    start, end = check_dates(date_from, date_to)
    keep_undated = check_flag(include_undated, "include_undated")
    place = match_province(province, store_provinces(con)) if province not in (None, "") else None
    dated: list[str] = []
    params: list[Any] = []
    if start:
        dated.append("published >= ?")
        params.append(start)
    if end:
        dated.append("published <= ?")
        params.append(end)
    conditions = []
    if dated:
        conditions.append(f"(({' AND '.join(dated)}){' OR published IS NULL' if keep_undated else ''})")
    place_condition, place_params = (f"{place.column} = ?", [place.name]) if place else ("TRUE", [])
    if place:
        conditions.append(place_condition)
        params += place_params
    where = " AND ".join(conditions) or "TRUE"
    kept = con.execute(f"SELECT count(*) FROM documents WHERE {where}", params).fetchall()[0][0]
    undated = 0
    if dated and not keep_undated:
        undated = con.execute(f"SELECT count(*) FROM documents WHERE published IS NULL AND {place_condition}",
                              place_params).fetchall()[0][0]
    total = con.execute("SELECT count(*) FROM documents").fetchall()[0][0]
    return Selection(where, tuple(params), start, end, place, keep_undated, kept, undated, total)


__all__ = ["ParameterError", "Province", "Selection", "check_dates", "check_flag", "fold_name", "match_province",
           "parse_date", "select_documents", "store_provinces"]
