"""Aggregate step: store tables in, report-ready tables out.

In: the tables of a store (``load_tables`` selects a date range and a province
in DuckDB, without the article texts) or of ``load_corpus``/``extract``, and
the facts of ``analysis.facts``. Out: small frames for notebooks and reports,
with readable column names in Vietnamese or English (``label``; indicator
names, kinds and units come from the catalog in the rules file).

The counting model (``organization_year``, ``province_year``), over counted facts:

* an organization's figure for a year: for a *stock* (members, cells,
  organizations) its latest level as of a date in that year, never a sum over
  time; for a *flow* (admissions, awards, models, money) the sum of its distinct
  events in that year — a figure for the whole year stands for the smaller
  periods inside it, and a multi-year total is not a year's figure;
* a province's figure for a year is its own reported total when it reports one
  (``how``: reported); otherwise the sum over its units that report, each unit
  counted once and no unit inside another (a commune inside a reported
  district, a cell inside a reported unit), marked ``partial`` with the number
  of units; a region or the nation is never a province;
* facts already excluded (``analysis.facts``: subsets, proposals, ratios,
  lumped or vague counts, changes, targets, per-unit amounts, off-topic and
  copied articles, repeated facts) never enter the sums.
"""
from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from urllib.parse import urlparse

import pandas as pd

from . import locales
from .collation import sort_key, sorted_frame
from .params import check_dates, select_documents
from .store import connect, query_table


@lru_cache(maxsize=1)
def default_catalog() -> pd.DataFrame:
    """The catalog of the packaged rules (``analysis.facts.catalog``)."""
    from .facts import catalog

    return catalog()


def indicator_names(catalog: pd.DataFrame | None = None) -> list[str]:
    """The catalog's indicators, in the rules file's order."""
    cat = default_catalog() if catalog is None else catalog
    return cat.sort_values("order")["indicator"].tolist()


def label(key: str, language: str = "vi", catalog: pd.DataFrame | None = None) -> str:
    """The reader-facing name of a column or indicator (indicators: from the catalog; the rest: ``locales``)."""
    cat = default_catalog() if catalog is None else catalog
    column = "label_en" if language == "en" else "label_vi"
    if column in cat.columns and len(cat):
        hit = cat.loc[cat["indicator"] == key, column]
        if len(hit) and isinstance(hit.iloc[0], str) and hit.iloc[0]:
            return hit.iloc[0]
    return locales.section("labels", language).get(key, key.replace("_", " "))


def qualifier_label(qualifier: object, language: str = "vi") -> str:
    """How exact a figure is, in words ("xấp xỉ", "at least")."""
    if not isinstance(qualifier, str) or not qualifier:
        return "—"
    return locales.section("qualifiers", language).get(qualifier, qualifier)


def flags_label(flags: object, language: str = "vi") -> str:
    """A mention's flags ("subset,headline") in words, comma-separated; "—" when it has none."""
    names = [part.strip() for part in str(flags or "").replace(";", ",").split(",") if part.strip()] if isinstance(flags, str) else []
    if not names:
        return "—"
    words = locales.section("flags", language)
    return ", ".join(words.get(name, name) for name in names)


# The articles' own text (cleaned, raw, page chrome) is most of a store's bytes and no
# report shows it: load_tables leaves it out (open_tables and the DuckDB views have it).
TEXT_COLUMNS = ("text", "raw_text", "chrome_text")


def load_tables(store: str, date_from: str | None = None, date_to: str | None = None,
                province: str | None = None, include_undated: bool = False) -> dict[str, pd.DataFrame]:
    """The store's tables restricted to a date range and a province, without the article texts.

    A date limit leaves out the documents without a stated date unless
    ``include_undated``; how many it left out is ``documents.attrs["undated_left_out"]``
    (``undated_message`` says it to readers). The selection runs in DuckDB over the
    store's Parquet files, so only the chosen rows (and no article text) are read
    into memory, however large the store.
    """
    check_dates(date_from, date_to)  # a bad date or an empty range is refused before the store is opened
    with connect(store) as con:
        # One selection for notebooks, the runner and search: a province is matched without case or diacritics,
        # pre- or post-2025 ("ben tre" and "Bến Tre" select the same documents).
        selection = select_documents(con, date_from, date_to, province, include_undated)
        where, params, undated_left_out = selection.where, list(selection.params), selection.undated_left_out
        docs = query_table(con, "documents", f"SELECT * EXCLUDE ({', '.join(TEXT_COLUMNS)}) FROM documents WHERE {where}", params)
        out = {"documents": docs, "rejected": query_table(con, "rejected", "SELECT * FROM rejected")}
        for name in ("mentions", "citations", "places", "people"):
            out[name] = query_table(con, name, f"SELECT * FROM {name} WHERE doc_id IN (SELECT doc_id FROM documents WHERE {where})",
                                    params)
        views = {row[0] for row in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        if {"facts", "indicators"} <= views:
            out["indicators"] = con.sql("SELECT * FROM indicators ORDER BY \"order\"").df()
            facts = con.sql(f"SELECT * FROM facts WHERE doc_id IN (SELECT doc_id FROM documents WHERE {where})",
                            params=params).df()
            out["facts"] = _typed_facts(facts)
    docs["published"] = pd.to_datetime(docs["published"])
    docs.attrs["undated_left_out"] = undated_left_out
    if "facts" not in out:  # a store built before facts existed: made from its mentions (no near-duplicate search)
        from .facts import build_facts

        out["facts"] = build_facts(out["mentions"], docs)
        out["indicators"] = default_catalog()
    # The tables of the selection (the store's province_year view covers every document).
    out["province_year"] = province_year(out["facts"], out["indicators"])
    out["organization_year"] = organization_year(out["facts"], out["indicators"])
    return out


def undated_message(documents: pd.DataFrame, language: str = "vi") -> str:
    """What a date filter left out, for readers ("" when it left out nothing)."""
    n = int(documents.attrs.get("undated_left_out") or 0)
    return locales.text("text", "undated_left_out", language, n=n) if n else ""


def _typed_facts(facts: pd.DataFrame) -> pd.DataFrame:
    facts = facts.astype({"year": "Int64", "counted": "boolean", "start": "Int64"})
    for column in ("period_start", "period_end", "published"):
        facts[column] = pd.to_datetime(facts[column], errors="coerce").dt.date
    return facts


def document_overview(documents: pd.DataFrame, language: str = "vi") -> pd.DataFrame:
    """One row per document: id, headline, date, author, size, place, duplicate."""
    columns = {"doc_id": "document", "title": "title", "published": "published", "byline": "byline",
               "n_chars": "chars", "province": "province", "duplicate_of": "duplicate_of"}
    present = [c for c in columns if c in documents.columns]
    out = documents[present].copy()
    order = {}
    if "published" in out:
        published = pd.to_datetime(out["published"])
        order[label("published", language)] = _date_order(published)
        out["published"] = published.dt.strftime("%d/%m/%Y")
    out = out.rename(columns={c: label(columns[c], language) for c in present}).fillna("—")
    out.attrs["order"] = order
    return out


def _date_order(dates: pd.Series) -> list[str]:
    """Sort keys of dates shown as "dd/mm/yyyy" (ISO text; missing dates last)."""
    return [d.strftime("%Y-%m-%d") if pd.notna(d) else "9999" for d in pd.to_datetime(dates, errors="coerce")]


def _value_order(values: pd.Series) -> list[float]:
    """Sort keys of formatted numbers ("51.349", "≥ 2,1 tỷ"): the numbers, missing ones first."""
    return [float(v) if pd.notna(v) else float("-inf") for v in values]


def documents_by(documents: pd.DataFrame, what: str, language: str = "vi") -> pd.DataFrame:
    """Document counts by ``month``, ``province`` or ``source`` (the site).

    By month: every month from the first dated document to the last, months
    without a document included (0), then one row for the undated documents
    when there are any (``documents_by_month`` has the month as a date too).
    """
    if what == "month":
        months = documents_by_month(documents, language)
        return months[["label", "documents"]].rename(columns={"label": label("month", language),
                                                              "documents": label("documents", language)})
    if what == "source":
        keys = documents["source"].map(lambda s: source_site(s) or label("unknown", language))
    else:
        keys = documents[what].fillna(label("unknown", language))
    counts = keys.value_counts().rename_axis(label(what, language)).reset_index(name=label("documents", language))
    # Most documents first; names with as many documents in Vietnamese order.
    return sorted_frame(counts, [label("documents", language), label(what, language)], names=[label(what, language)],
                        ascending=[False, True]).reset_index(drop=True)


def documents_by_month(documents: pd.DataFrame, language: str = "vi") -> pd.DataFrame:
    """Documents per month over the whole dated range (empty months as 0), and the undated ones.

    Columns: ``month`` (a ``pandas.Period``, missing on the undated row), ``label``
    ("2023-07", or "không rõ ngày" / "undated"), ``documents``, ``undated`` (True on that row).
    """
    published = pd.to_datetime(documents["published"], errors="coerce")
    dated = published.dropna().dt.to_period("M")
    rows = []
    if len(dated):
        counts = dated.value_counts()
        for month in pd.period_range(dated.min(), dated.max(), freq="M"):
            rows.append({"month": month, "label": str(month), "documents": int(counts.get(month, 0)), "undated": False})
    undated = int(published.isna().sum())
    if undated:
        rows.append({"month": None, "label": label("no_date", language), "documents": undated, "undated": True})
    return pd.DataFrame(rows, columns=["month", "label", "documents", "undated"]).astype({"documents": "int64",
                                                                                       "undated": bool})


def source_site(source: object) -> str | None:
    """Where a document came from: the site of a URL, else the folder of a file ("data/sample")."""
    text = str(source or "")
    if "://" in text:
        return urlparse(text).hostname
    folder = text.rsplit("/", 1)[0] if "/" in text else ""
    return folder.split(":", 1)[0] or None  # "corpus.jsonl:12" → the file's folder


def coverage(documents: pd.DataFrame, mentions: pd.DataFrame, catalog: pd.DataFrame | None = None) -> dict:
    """How many documents yielded at least one indicator figure."""
    with_figures = mentions.loc[mentions["indicator"].isin(indicator_names(catalog)), "doc_id"].nunique()
    total = len(documents)
    return {"documents": total, "with_indicator": with_figures, "share": with_figures / total if total else 0.0}


def facts_of(tables: dict[str, pd.DataFrame], rules=None) -> pd.DataFrame:
    """The facts of loaded tables: the store's ``facts`` when it has them, else built from the mentions."""
    if "facts" in tables:
        return tables["facts"]
    from .facts import build_facts

    return build_facts(tables["mentions"], tables["documents"], rules)


def format_value(value: float, qualifier: str, indicator: str, language: str = "vi") -> str:
    """'51.349', '≥ 2,1 tỷ', '~500 triệu' in Vietnamese; '51,349', '≥ 2.1 billion' in English; qualifier marked."""
    if value is None or value != value:
        return "—"
    mark = {"approx": "~", "at_least": "≥ ", "at_most": "≤ "}.get(qualifier, "")
    english = language == "en"
    if indicator == "money_vnd":
        words = (("billion", "million", "thousand") if english else ("tỷ", "triệu", "nghìn"))
        for scale, word in zip((1e9, 1e6, 1e3), words, strict=False):
            if value >= scale:
                number = f"{value / scale:,.2f}".rstrip("0").rstrip(".")
                number = number if english else number.replace(",", " ").replace(".", ",")
                return f"{mark}{number} {word}"
    number = f"{value:,.0f}"
    return mark + (number if english else number.replace(",", "."))


# --- the counting model ------------------------------------------------------------
TABLE_COLUMNS = ["indicator", "kind", "value", "qualifier", "how", "method", "n_units", "as_of", "level", "n_facts",
                 "partial", "fact_ids"]
ORGANIZATION_YEAR_COLUMNS = ["org_key", "organization", "province", "province_2025", "unit_code", "year", *TABLE_COLUMNS]
PROVINCE_YEAR_COLUMNS = ["province", "province_2025", "year", *TABLE_COLUMNS]


def _kinds(catalog: pd.DataFrame | None) -> dict[str, str]:
    cat = default_catalog() if catalog is None else catalog
    return dict(zip(cat["indicator"], cat["kind"], strict=False))


def _qualifier(qualifiers: list) -> str:
    """The weakest qualifier of the figures a value is made of ("≥" if any is an at-least value)."""
    values = {q for q in qualifiers if isinstance(q, str)}
    for q in ("at_least", "approx", "at_most"):
        if q in values:
            return q
    return "exact"


def _organization_cell(group: list[dict], kind: str) -> dict:
    """One organization, indicator and year: the stock's latest level or the flow's distinct events."""
    if kind == "stock":
        dated = [g["period_end"] for g in group if isinstance(g["period_end"], dt.date)]
        latest = max(dated) if dated else None
        at_latest = [g for g in group if g["period_end"] == latest] or group
        chosen = [max(at_latest, key=lambda g: g["value"])]
        how, method = (f"latest as of {latest.isoformat()}" if latest else "reported"), "latest"
    else:
        whole = [g for g in group if g["period_kind"] == "year" and g["period_source"] == "sentence"]
        chosen = whole or group  # a figure for the whole year stands for the periods inside it
        how = "reported" if len(chosen) == 1 else f"sum of {len(chosen)} events"
        method = "reported" if len(chosen) == 1 else "sum"
        latest = None
    return {"value": float(sum(g["value"] for g in chosen)), "qualifier": _qualifier([g["qualifier"] for g in chosen]),
            "how": how, "method": method, "n_units": 1, "as_of": latest, "n_facts": len(group), "partial": False,
            "fact_ids": ",".join(g["fact_id"] for g in chosen)}


def organization_year(facts: pd.DataFrame, catalog: pd.DataFrame | None = None) -> pd.DataFrame:
    """Organization × year × indicator over counted facts with a subject and a year (see the module docstring)."""
    from itertools import groupby

    kinds = _kinds(catalog)
    f = facts[facts["counted"].fillna(False).astype(bool) & facts["org_key"].notna() & facts["year"].notna()
              & facts["indicator"].isin(kinds)]
    columns = ["org_key", "organization", "province", "province_2025", "unit_code", "year", "indicator", "level", "value",
               "qualifier", "period_end", "period_kind", "period_source", "fact_id"]
    records = sorted(f[columns].astype(object).where(f[columns].notna(), None).to_dict("records"),
                     key=lambda r: (r["org_key"], int(r["year"]), r["indicator"]))
    rows = []
    for (org_key, year, indicator), items in groupby(records, key=lambda r: (r["org_key"], int(r["year"]), r["indicator"])):
        group = list(items)
        first = group[0]
        rows.append({"org_key": org_key, "organization": first["organization"], "province": first["province"],
                     "province_2025": first["province_2025"], "unit_code": first["unit_code"], "year": year,
                     "indicator": indicator, "kind": kinds[indicator], "level": first["level"],
                     **_organization_cell(group, kinds[indicator])})
    return _ordered(pd.DataFrame(rows, columns=ORGANIZATION_YEAR_COLUMNS), catalog, ["province", "org_key"])


def _ordered(frame: pd.DataFrame, catalog: pd.DataFrame | None, keys: list[str]) -> pd.DataFrame:
    order = {name: i for i, name in enumerate(indicator_names(catalog))}
    frame = frame.astype({"year": "Int64", "n_facts": "Int64", "n_units": "Int64", "partial": "boolean"})
    frame["as_of"] = pd.to_datetime(frame["as_of"], errors="coerce").dt.date
    ranked = frame.assign(_order=frame["indicator"].map(order))
    return sorted_frame(ranked, [*keys, "year", "_order"], names=[k for k in keys if k == "province"]).drop(
        columns="_order").reset_index(drop=True)


_SMALL = ("cell", "grassroots")  # units that belong to a larger one


def _top_units(units: list[dict]) -> list[dict]:
    """The units of a province that are not inside another reported unit.

    A commune inside a reported district is left out (gazetteer codes nest as
    prefixes: "83.831.29005" is inside "83.831"); cells and grassroots
    organizations are left out when any larger unit reports (they belong to
    one); blocs, enterprises and units of unknown level stand on their own.
    """
    codes = {u["unit_code"] for u in units if isinstance(u["unit_code"], str)}
    larger = any(u["level"] not in _SMALL for u in units if isinstance(u["level"], str))
    kept = []
    for u in units:
        code = u["unit_code"]
        if isinstance(code, str) and any(code.startswith(other + ".") for other in codes if other != code):
            continue
        if u["level"] in _SMALL and larger:
            continue
        kept.append(u)
    return kept


def province_year(facts: pd.DataFrame, catalog: pd.DataFrame | None = None) -> pd.DataFrame:
    """Province × year × indicator over counted facts (see the module docstring).

    ``how`` says how each value was obtained ("reported by the province, latest
    as of 2018-09-10", "sum of 3 units (partial)"), ``level`` the level of the
    figures used, ``n_facts`` how many counted facts of that province, year and
    indicator there are, and ``fact_ids`` which facts the value is made of.
    Region and national figures have no province and are not here (they are in
    ``organization_year``).
    """
    from itertools import groupby

    from .periods import load_facts_rules

    nesting = list(load_facts_rules().get("nesting") or [])
    kinds = _kinds(catalog)
    f = facts[facts["counted"].fillna(False).astype(bool) & facts["province"].notna() & facts["year"].notna()
              & ~facts["level"].isin(["national", "region"]) & facts["indicator"].isin(kinds)].copy()
    # Facts without a stated subject stand as units of their own (one per fact).
    f["org_key"] = f["org_key"].fillna("unstated:" + f["fact_id"])
    per_org = organization_year(f, catalog)
    records = per_org.astype(object).where(per_org.notna(), None).to_dict("records")
    records.sort(key=lambda r: (r["province"], r["year"], r["indicator"]))
    rows = []
    for (province, year, indicator), items in groupby(records, key=lambda r: (r["province"], r["year"], r["indicator"])):
        group = list(items)
        n_facts = sum(int(g["n_facts"]) for g in group)
        kind = kinds[indicator]
        base = {"province": province, "year": int(year), "indicator": indicator, "kind": kind, "n_facts": n_facts}
        own = [g for g in group if g["level"] == "province"]
        if own:
            cell = max(own, key=lambda g: g["value"])
            rows.append({**base, "province_2025": cell["province_2025"], "value": cell["value"], "qualifier": cell["qualifier"],
                         "how": "reported by the province" + (f", {cell['how']}" if kind == "stock" or cell["method"] == "sum" else ""),
                         "method": "reported", "n_units": 1, "as_of": cell["as_of"], "level": "province",
                         "partial": False, "fact_ids": cell["fact_ids"]})
            continue
        units = _top_units(group)
        present = {u["level"] for u in units}
        levels = [lv for lv in nesting if lv in present]
        dates = [u["as_of"] for u in units if isinstance(u["as_of"], dt.date)]
        n = len(units)
        rows.append({**base, "province_2025": next((u["province_2025"] for u in units if u["province_2025"]), None),
                     "value": float(sum(u["value"] for u in units)), "qualifier": "at_least",
                     "how": f"sum of {n} unit{'s' if n > 1 else ''} (partial)", "method": "units", "n_units": n,
                     "as_of": max(dates) if kind == "stock" and dates else None,
                     "level": ",".join(levels) if levels else None, "partial": True,
                     "fact_ids": ",".join(u["fact_ids"] for u in units)})
    return _ordered(pd.DataFrame(rows, columns=PROVINCE_YEAR_COLUMNS), catalog, ["province"])


def how_text(row: pd.Series | dict, language: str = "vi") -> str:
    """How a table value was obtained, for readers ("tỉnh báo cáo, số mới nhất tính đến 10/09/2018")."""
    as_of = row.get("as_of")
    date = as_of.strftime("%d/%m/%Y") if isinstance(as_of, dt.date) and pd.notna(as_of) else None
    method, n = row.get("method"), row.get("n_units")
    ids = row.get("fact_ids")
    events = len(ids.split(",")) if isinstance(ids, str) and ids and row.get("kind") == "flow" and method == "reported" else 0
    how = locales.section("how", language)
    if events > 1:  # the province's own figure made of several distinct events
        return how["events"].format(events=events)
    if method == "reported" and row.get("level") == "province":
        key = "province"
    else:
        key = {"units": "units", "sum": "sum"}.get(str(method), "reported")
    text = how[key].format(n=n, n_facts=row.get("n_facts"))
    return text + (how["as_of"].format(date=date) if date else "")


def level_label(level: object, language: str = "vi") -> str:
    if not isinstance(level, str) or not level:
        return label("unknown", language)
    levels = locales.section("levels", language)
    return ", ".join(levels.get(part, part) for part in level.split(","))


def province_year_table(table: pd.DataFrame, language: str = "vi", catalog: pd.DataFrame | None = None) -> pd.DataFrame:
    """``province_year`` with readable columns: province, year, indicator, value, level, how, facts."""
    return _with_order(table, language, pd.DataFrame({
        label("province", language): table["province"],
        label("year", language): table["year"].astype("string").fillna("—"),
        label("indicator", language): table["indicator"].map(lambda k: label(k, language, catalog)),
        label("value", language): [format_value(v, q, i, language) for v, q, i in
                                    zip(table["value"], table["qualifier"], table["indicator"], strict=False)],
        label("subject_level", language): table["level"].map(lambda v: level_label(v, language)),
        label("how", language): [how_text(r, language) for r in table.to_dict("records")],
        label("n_facts", language): table["n_facts"],
    }))


def _with_order(table: pd.DataFrame, language: str, shown: pd.DataFrame) -> pd.DataFrame:
    """``shown`` with the sort keys of its formatted value column (``charts.table_html`` sorts by them)."""
    shown.attrs["order"] = {label("value", language): _value_order(table["value"])}
    return shown


def organization_table(table: pd.DataFrame, language: str = "vi", catalog: pd.DataFrame | None = None) -> pd.DataFrame:
    """``organization_year`` with readable columns: organization, level, province, year, indicator, value, how."""
    return _with_order(table, language, pd.DataFrame({
        label("organization", language): table["organization"].fillna("—"),
        label("subject_level", language): table["level"].map(lambda v: level_label(v, language)),
        label("province", language): table["province"].fillna("—"),
        label("year", language): table["year"].astype("string").fillna("—"),
        label("indicator", language): table["indicator"].map(lambda k: label(k, language, catalog)),
        label("value", language): [format_value(v, q, i, language) for v, q, i in
                                    zip(table["value"], table["qualifier"], table["indicator"], strict=False)],
        label("how", language): [how_text(r, language) for r in table.to_dict("records")],
    }))


def headline_figures(table: pd.DataFrame, catalog: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per indicator, the province × year cell with the largest value that the province reported itself
    (else the largest partial one): the figure a summary can cite, with its level, period and facts."""
    if table.empty:
        return table
    ranked = table.assign(_own=~table["partial"].fillna(True).astype(bool)).sort_values(
        ["_own", "value"], ascending=False, kind="stable")
    best = ranked.groupby("indicator", sort=False).head(1).drop(columns="_own")
    order = {name: i for i, name in enumerate(indicator_names(catalog))}
    return best.assign(_o=best["indicator"].map(order)).sort_values("_o").drop(columns="_o").reset_index(drop=True)


def period_label(fact: pd.Series | dict, language: str = "vi") -> str:
    """A fact's period for readers: "31/12/2022", "2023", "01/2023–06/2023", "2015–2020"."""
    start, end = fact.get("period_start"), fact.get("period_end")
    start = start if isinstance(start, dt.date) and pd.notna(start) else None
    if not isinstance(end, dt.date) or pd.isna(end):
        return label("unknown", language)
    if fact.get("period_kind") in ("as_of", "date") or start == end:
        text = end.strftime("%d/%m/%Y")
    elif isinstance(start, dt.date) and start.year != end.year:
        text = f"{start.year}–{end.year}"
    elif fact.get("period_kind") == "year":
        text = str(end.year)
    else:
        text = f"{start.strftime('%m/%Y') if isinstance(start, dt.date) else '?'}–{end.strftime('%m/%Y')}"
    source = fact.get("period_source")
    if source and source != "sentence":
        text += f" ({locales.section('period_sources', language).get(source, source)})"
    return text


@lru_cache(maxsize=8)
def _reason_templates(language: str) -> tuple[tuple[re.Pattern, str], ...]:
    """The ``reasons`` catalog as (pattern of the English reason, the language's text) pairs:
    each ``{field}`` of an English reason matches its variable part ("total over {start}–{end}, …")."""
    import string

    templates = []
    for english, text in locales.section("reasons", language).items():
        pattern = "".join(re.escape(literal) + (f"(?P<{name}>.+?)" if name else "")
                          for literal, name, _, _ in string.Formatter().parse(english))
        templates.append((re.compile(pattern + r"\Z"), text))
    return tuple(templates)


def reason_label(reason: object, language: str = "vi") -> str:
    """Why a fact is not counted, in the reader's language (the ``reasons`` catalog; an unknown reason as written)."""
    if not isinstance(reason, str) or not reason:
        return ""
    for pattern, text in _reason_templates(language):
        hit = pattern.match(reason)
        if hit:
            return text.format(**hit.groupdict())
    return reason


def sources_table(facts: pd.DataFrame, language: str = "vi", catalog: pd.DataFrame | None = None,
                  indicator: str | None = None) -> pd.DataFrame:
    """Every fact with its article (title, date, URL), sentence, subject, period and counted-or-not with the reason."""
    f = facts if indicator is None else facts[facts["indicator"] == indicator]
    yes, no = label("yes", language), label("no", language)
    published = pd.to_datetime(f["published"], errors="coerce")
    shown = pd.DataFrame({
        label("fact", language): f["fact_id"],
        label("indicator", language): f["indicator"].map(lambda k: label(k, language, catalog)),
        label("value", language): [format_value(v, q, i.split("_change")[0], language) for v, q, i in
                                    zip(f["value"], f["qualifier"], f["indicator"], strict=False)],
        label("organization", language): f["organization"].fillna("—"),
        label("subject_level", language): f["level"].map(lambda v: level_label(v, language)),
        label("province", language): f["province"].fillna("—"),
        label("period", language): [period_label(r, language) for r in f.to_dict("records")],
        label("counted", language): [yes if c else f"{no}: {reason_label(r, language)}"
                                     for c, r in zip(f["counted"].fillna(False), f["reason"], strict=False)],
        label("sentence", language): f["sentence"].fillna(""),
        label("title", language): f["title"].where(f["title"].notna() & (f["title"].astype(str).str.strip() != ""), f["doc_id"]),
        label("published", language): published.dt.strftime("%d/%m/%Y").fillna("—"),
        label("url", language): f["url"].fillna("—"),
    })
    shown.attrs["order"] = {label("value", language): _value_order(f["value"]), label("published", language): _date_order(published),
                            label("period", language): _date_order(f["period_end"])}
    return shown


def data_dictionary(catalog: pd.DataFrame | None = None, language: str = "vi") -> pd.DataFrame:
    """The catalog for readers: indicator, name, kind (stock/flow) and unit."""
    cat = (default_catalog() if catalog is None else catalog).sort_values("order")
    lang = "en" if language == "en" else "vi"
    return pd.DataFrame({
        label("indicator", language): cat["indicator"],
        label("definition", language): cat[f"label_{lang}"],
        label("kind", language): cat["kind"].map(lambda k: label(k, language)),
        label("measure", language): cat[f"measure_{lang}"],
    })


def year_series(table: pd.DataFrame, indicator: str) -> pd.DataFrame:
    """Year × province values of one indicator (for a year-by-year chart)."""
    t = table[table["indicator"] == indicator]
    return sorted_frame(t[["year", "province", "value", "partial"]], ["year", "province"]).reset_index(drop=True)


def facts_per_indicator(facts: pd.DataFrame, language: str = "vi", catalog: pd.DataFrame | None = None) -> pd.DataFrame:
    """How many facts each indicator has, and how many are counted (labelled columns, catalog order)."""
    names = indicator_names(catalog)
    f = facts[facts["indicator"].isin(names)]
    counts = f.groupby("indicator").size().reindex(names).dropna().astype(int)
    counted = f[f["counted"].fillna(False).astype(bool)].groupby("indicator").size().reindex(counts.index).fillna(0).astype(int)
    return pd.DataFrame({label("indicator", language): [label(k, language, catalog) for k in counts.index],
                         label("facts", language): counts.to_numpy(), label("counted", language): counted.to_numpy()})


def citation_counts(citations: pd.DataFrame, language: str = "vi", coded_only: bool = True) -> pd.DataFrame:
    """Directives by number of citations and of citing localities."""
    c = citations[citations["coded"]] if coded_only else citations
    if c.empty:
        return pd.DataFrame(columns=[label(k, language) for k in ("code", "level", "citations", "documents", "localities")])
    table = c.groupby("code").agg(level=("issuer_level", "first"), citations=("doc_id", "size"),
                                  documents=("doc_id", "nunique"), localities=("province", "nunique"))
    table = table.sort_values(["citations", "documents"], ascending=False).reset_index()
    table["level"] = table["level"].map(lambda v: level_label(v, language) if isinstance(v, str) else "—")
    return table.rename(columns={k: label(k, language) for k in table.columns})


def citations_by_year(citations: pd.DataFrame, language: str = "vi") -> pd.DataFrame:
    """Coded citations by year of the citing article and directive (undated articles as one "year")."""
    c = citations[citations["coded"].fillna(False).astype(bool)]
    if c.empty:
        return pd.DataFrame(columns=[label(k, language) for k in ("year", "code", "citations")])
    years = c["published_year"].astype("Int64")
    table = (c.assign(year=years).groupby(["year", "code"], dropna=False).size().reset_index(name="citations")
             .sort_values(["year", "citations", "code"], ascending=[True, False, True], na_position="last"))
    order = {label("year", language): [int(y) if pd.notna(y) else 10_000 for y in table["year"]]}
    table["year"] = table["year"].astype("string").fillna(label("no_date", language))
    out = table.rename(columns={k: label(k, language) for k in ("year", "code", "citations")}).reset_index(drop=True)
    out.attrs["order"] = order
    return out


def uncoded_citations(citations: pd.DataFrame, language: str = "vi") -> pd.DataFrame:
    """Citations without a document number: the article, the normalized name, the words cited and the issuer."""
    c = citations[~citations["coded"].fillna(False).astype(bool)]
    columns = {"doc_id": "document", "code": "code", "matched_text": "matched", "issued_by": "issued_by"}
    return c[list(columns)].rename(columns={k: label(v, language) for k, v in columns.items()}).fillna("—").reset_index(drop=True)


def localities_by_directive(citations: pd.DataFrame, top: int = 15) -> pd.DataFrame:
    """Province × directive matrix of citation counts (the most cited directives)."""
    c = citations[citations["coded"]].copy()
    c["province"] = c["province"].fillna("—")
    codes = c["code"].value_counts().head(top).index
    matrix = pd.crosstab(c.loc[c["code"].isin(codes), "province"], c.loc[c["code"].isin(codes), "code"])
    return matrix.reindex(sorted(matrix.index, key=sort_key))


def province_comparison(table: pd.DataFrame, indicator: str) -> pd.DataFrame:
    """One row per province: the indicator's ``province_year`` value of its latest year with one.

    Columns: province, year, value, qualifier, partial (a sum of units, not the
    province's own figure), how, n_facts; largest value first, equal values in
    Vietnamese order of the names. Provinces without a figure are not rows.
    """
    t = table[(table["indicator"] == indicator) & table["value"].notna()]
    columns = ["province", "province_2025", "year", "indicator", "kind", "value", "qualifier", "partial", "how", "method",
               "n_units", "as_of", "level", "n_facts", "fact_ids"]
    if t.empty:
        return pd.DataFrame(columns=columns)
    latest = t.sort_values("year", kind="stable").groupby("province").tail(1)
    return sorted_frame(latest[columns], ["value", "province"], names=["province"], ascending=[False, True]).reset_index(drop=True)


def province_points(documents: pd.DataFrame, facts: pd.DataFrame, indicator: str, era: str = "pre2025",
                    catalog: pd.DataFrame | None = None) -> pd.DataFrame:
    """One point per province (pre-2025 or post-2025) with coordinates, its number of documents and the
    indicator's figure of its latest year in ``province_year``, with that ``year`` (regions and the nation have no point).

    A province whose documents give no figure has ``value`` missing (NaN), never 0: no data is not
    a count of zero. Provinces are in Vietnamese order. ``facts`` may also be a mentions frame: its
    facts are built first.
    """
    if era not in ("pre2025", "post2025"):
        raise ValueError(f"era must be 'pre2025' or 'post2025', not {era!r}")
    if "counted" not in facts.columns:
        from .facts import build_facts

        facts = build_facts(facts, documents)
    name, lat, lon = ("province", "latitude", "longitude") if era == "pre2025" else ("province_2025", "latitude_2025", "longitude_2025")
    docs = documents.dropna(subset=[name])
    points = docs.groupby(name).agg(latitude=(lat, "first"), longitude=(lon, "first"), documents=("doc_id", "nunique"))
    latest = province_comparison(province_year(facts[facts["indicator"] == indicator], catalog), indicator)
    if era != "pre2025" and len(latest):  # post-2025 provinces: the sum of their pre-2025 provinces' latest figures
        grouped = latest.groupby("province_2025")
        values, years = grouped["value"].sum(min_count=1), grouped["year"].max()
    else:
        values, years = latest.set_index("province")["value"], latest.set_index("province")["year"]
    points["value"] = values.reindex(points.index).astype(float)
    points["year"] = years.reindex(points.index).astype("Int64")
    points = points.reset_index().rename(columns={name: "province"})
    return sorted_frame(points, ["province"]).reset_index(drop=True)
