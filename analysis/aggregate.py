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
from functools import lru_cache
from urllib.parse import urlparse

import pandas as pd

from .store import connect, query_table

LABELS = {
    "vi": {
        "document": "Bài viết", "title": "Tiêu đề", "published": "Ngày đăng", "byline": "Tác giả", "chars": "Số ký tự",
        "province": "Tỉnh/thành", "district": "Huyện", "duplicate_of": "Trùng với", "year": "Năm", "month": "Tháng",
        "documents": "Số bài", "indicator": "Chỉ tiêu", "value": "Giá trị", "facts": "Số dữ kiện", "sentence": "Câu gốc",
        "matched": "Cụm số liệu", "organization": "Tổ chức", "code": "Văn bản", "citations": "Số lần trích dẫn",
        "localities": "Số địa phương", "level": "Cấp ban hành", "source": "Nguồn", "path": "Tệp", "reason": "Lý do",
        "mentions": "Số liệu trích xuất", "share": "Tỷ lệ", "with_indicator": "Bài có số liệu",
        "latitude": "Vĩ độ", "longitude": "Kinh độ",
        "no_date": "không rõ", "unknown": "không rõ", "articles": "bài viết", "all": "toàn bộ dữ liệu",
        "summary": "Tóm tắt", "key_figures": "Số liệu chính theo tỉnh và năm", "directives": "Văn bản được trích dẫn",
        "sources": "Nguồn của số liệu", "quality": "Chất lượng dữ liệu", "rejected": "Tệp bị loại",
        "undated": "Bài không rõ ngày", "unlocated": "Bài không xác định được tỉnh", "footer": "Dữ liệu",
        "parameters": "tham số", "run": "chạy lúc", "fingerprint": "dấu vân tay kho",
        "subject_level": "Cấp", "how": "Cách tính", "n_facts": "Số dữ kiện", "partial": "Chưa đầy đủ", "period": "Thời kỳ",
        "counted": "Được tính", "url": "Địa chỉ", "fact": "Dữ kiện", "kind": "Loại", "measure": "Đơn vị",
        "definition": "Định nghĩa", "stock": "tồn (số lượng tại một thời điểm)", "flow": "phát sinh (sự kiện trong kỳ)",
        "yes": "có", "no": "không", "by_year": "Theo năm", "dictionary": "Từ điển dữ liệu", "organizations": "Theo tổ chức",
        "headline": "Số liệu nổi bật (mỗi số kèm cấp, năm, cách tính và mã dữ kiện trong phần nguồn)",
        "dictionary_note": ("Mỗi dữ kiện là một số liệu trong một câu, kèm tổ chức (chuẩn hóa: “Đảng uỷ xã Phú Sơn” và “Đảng bộ "
                            "xã Phú Sơn” là một), cấp (toàn quốc, vùng, tỉnh, khối, huyện, doanh nghiệp/cơ quan, xã, cơ sở, chi bộ), "
                            "đơn vị hành chính và thời kỳ (ngày, năm, khoảng thời gian; không ghi trong câu thì lấy ngày đăng). "
                            "Không được tính: tập con (trong đó), đề nghị, tỷ lệ, gộp tập thể và cá nhân, số không chính xác, "
                            "hộ gia đình, số thay đổi, chỉ tiêu, bình quân, bài lạc đề, bài đăng lại, dữ kiện lặp lại, số cộng dồn "
                            "nhiều năm, phần của một số lớn hơn, số không rõ thời gian. Ví dụ: trong một năm có bài nêu tỉnh Bến Tre "
                            "có 51.000 đảng viên, bài khác nêu huyện Chợ Lách 4.000 và xã Phú Sơn (thuộc Chợ Lách) 192: số của "
                            "tỉnh là 51.000 (tỉnh báo cáo); nếu không có bài của tỉnh, là 4.000 (tổng của 1 đơn vị, chưa đầy đủ) "
                            "vì xã nằm trong huyện."),
        "rule": ("Cách tính: số liệu là tập con, đề nghị, tỷ lệ, gộp chung tập thể và cá nhân, số thay đổi, chỉ tiêu "
                 "phấn đấu hoặc bình quân không được cộng; một dữ kiện được nhiều bài (hoặc bài đăng lại) đưa tin chỉ tính "
                 "một lần. Số tồn (đảng viên, chi bộ, tổ chức đảng) là số mới nhất trong năm, không cộng dồn theo thời gian; "
                 "số phát sinh (kết nạp, khen thưởng, mô hình, tiền) là tổng các sự kiện khác nhau trong năm, số cộng dồn "
                 "nhiều năm không phải số của một năm. Số của một tỉnh là số tỉnh tự báo cáo; nếu không có, là tổng của các "
                 "đơn vị trực thuộc có báo cáo (ghi rõ “chưa đầy đủ” và số đơn vị). Dấu ~ là số xấp xỉ, ≥ là số tối thiểu."),
        # how a table value was obtained (how_text)
        "how_events": "tỉnh báo cáo, tổng {events} sự kiện", "how_province": "tỉnh báo cáo",
        "how_units": "tổng của {n} đơn vị có báo cáo (chưa đầy đủ)", "how_sum": "tổng {n_facts} sự kiện",
        "how_reported": "được báo cáo", "how_as_of": ", số mới nhất tính đến {date}",
    },
    "en": {
        "document": "Article", "title": "Headline", "published": "Published", "byline": "Author", "chars": "Characters",
        "province": "Province", "district": "District", "duplicate_of": "Duplicate of", "year": "Year", "month": "Month",
        "documents": "Articles", "indicator": "Indicator", "value": "Value", "facts": "Facts", "sentence": "Source sentence",
        "matched": "Matched text", "organization": "Organization", "code": "Document", "citations": "Citations",
        "localities": "Localities", "level": "Issuer level", "source": "Source", "path": "File", "reason": "Reason",
        "mentions": "Figures extracted", "share": "Share", "with_indicator": "Articles with figures",
        "latitude": "Latitude", "longitude": "Longitude",
        "no_date": "unknown", "unknown": "unknown", "articles": "articles", "all": "all provinces",
        "summary": "Summary", "key_figures": "Key figures by province and year", "directives": "Directives cited",
        "sources": "Sources of the figures", "quality": "Data quality", "rejected": "Rejected inputs",
        "undated": "Articles without a date", "unlocated": "Articles without a province", "footer": "Data",
        "parameters": "parameters", "run": "run", "fingerprint": "corpus fingerprint",
        "subject_level": "Level", "how": "How obtained", "n_facts": "Facts", "partial": "Partial", "period": "Period",
        "counted": "Counted", "url": "URL", "fact": "Fact", "kind": "Kind", "measure": "Unit",
        "definition": "Definition", "stock": "stock (a level at a date)", "flow": "flow (events in a period)",
        "yes": "yes", "no": "no", "by_year": "By year", "dictionary": "Data dictionary", "organizations": "By organization",
        "headline": "Headline figures (each with its level, year, how it was obtained and its facts in the sources)",
        "dictionary_note": ("A fact is one figure in one sentence, with its organization (normalized: “Đảng uỷ xã Phú Sơn” and "
                            "“Đảng bộ xã Phú Sơn” are one), level (national, region, province, bloc, district, enterprise/agency, "
                            "commune, grassroots, cell), administrative unit and period (a date, a year, a span; when the sentence "
                            "states none, the publication date). Not counted: subsets (“trong đó”), proposals, ratios, counts "
                            "lumping collectives with individuals, inexact counts, households, changes, targets, per-unit amounts, "
                            "off-topic or copied articles, repeated facts, multi-year totals, parts of a larger figure, undated "
                            "figures. Example: in one year one article gives Bến Tre province 51,000 members, another Chợ Lách "
                            "district 4,000 and Phú Sơn commune (in Chợ Lách) 192: the province's figure is 51,000 (reported by "
                            "the province); without the province's article it is 4,000 (sum of 1 unit, partial), the commune "
                            "being inside the district."),
        "rule": ("Counting rule: subsets, proposals, ratios, counts lumping collectives with individuals, changes, targets "
                 "and per-unit amounts are never summed; a fact reported by several articles (or by a copied article) counts "
                 "once. A stock (members, cells, organizations) is the latest level in the year, never summed over time; a "
                 "flow (admissions, awards, models, money) is the sum of distinct events in the year, and a multi-year total "
                 "is not a year's figure. A province's figure is its own reported total; without one, the sum of the units "
                 "that report (marked partial, with the number of units). ~ marks an approximate value, ≥ an at-least value."),
        "how_events": "reported by the province, sum of {events} distinct events", "how_province": "reported by the province",
        "how_units": "sum of {n} unit(s) that report (partial)", "how_sum": "sum of {n_facts} distinct events",
        "how_reported": "reported", "how_as_of": ", latest as of {date}",
    },
}
LEVELS = {
    "vi": {"central": "Trung ương", "province": "Tỉnh", "district": "Huyện", "grassroots": "Cơ sở", "bloc": "Khối",
           "cell": "Chi bộ", "central government": "Chính phủ", "local government": "Chính quyền địa phương",
           "national": "Toàn quốc", "region": "Vùng", "commune": "Xã", "enterprise": "Doanh nghiệp, cơ quan"},
    "en": {"central": "Central", "province": "Province", "district": "District", "grassroots": "Grassroots", "bloc": "Bloc",
           "cell": "Cell", "central government": "Central government", "local government": "Local government",
           "national": "National", "region": "Region", "commune": "Commune", "enterprise": "Enterprise or agency"},
}


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
    """The reader-facing name of a column or indicator (indicators: from the catalog)."""
    cat = default_catalog() if catalog is None else catalog
    column = "label_en" if language == "en" else "label_vi"
    hit = cat.loc[cat["indicator"] == key, column] if len(cat) else pd.Series(dtype=object)
    if len(hit) and isinstance(hit.iloc[0], str) and hit.iloc[0]:
        return hit.iloc[0]
    return LABELS.get(language, LABELS["vi"]).get(key, key.replace("_", " "))


def parse_date(value: str | dt.date | None, name: str) -> dt.date | None:
    """An ISO date parameter, or a clear error naming the parameter."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"parameter {name}: '{value}' is not a date (use YYYY-MM-DD)") from None


# The articles' own text (cleaned, raw, page chrome) is most of a store's bytes and no
# report shows it: load_tables leaves it out (open_tables and the DuckDB views have it).
TEXT_COLUMNS = ("text", "raw_text", "chrome_text")


def load_tables(store: str, date_from: str | None = None, date_to: str | None = None,
                province: str | None = None) -> dict[str, pd.DataFrame]:
    """The store's tables restricted to a date range and a province, without the article texts.

    Documents without a stated date are kept only when no date limit is set. The
    selection runs in DuckDB over the store's Parquet files, so only the chosen
    rows (and no article text) are read into memory, however large the store.
    """
    start, end = parse_date(date_from, "date_from"), parse_date(date_to, "date_to")
    conditions: list[str] = []
    params: list[object] = []
    if start:
        conditions.append("published >= ?")
        params.append(start)
    if end:
        conditions.append("published <= ?")
        params.append(end)
    if province:
        conditions.append("province = ?")
        params.append(province)
    where = " AND ".join(conditions) or "TRUE"
    with connect(store) as con:
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
    if "facts" not in out:  # a store built before facts existed: made from its mentions (no near-duplicate search)
        from .facts import build_facts

        out["facts"] = build_facts(out["mentions"], docs)
        out["indicators"] = default_catalog()
    # The tables of the selection (the store's province_year view covers every document).
    out["province_year"] = province_year(out["facts"], out["indicators"])
    out["organization_year"] = organization_year(out["facts"], out["indicators"])
    return out


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
    if "published" in out:
        out["published"] = pd.to_datetime(out["published"]).dt.strftime("%d/%m/%Y")
    out = out.rename(columns={c: label(columns[c], language) for c in present})
    return out.fillna("—")


def documents_by(documents: pd.DataFrame, what: str, language: str = "vi") -> pd.DataFrame:
    """Document counts by ``month``, ``province`` or ``source`` (the site)."""
    if what == "month":
        keys = pd.to_datetime(documents["published"]).dt.to_period("M").astype(str).replace("NaT", label("no_date", language))
    elif what == "source":
        keys = documents["source"].map(lambda s: source_site(s) or label("unknown", language))
    else:
        keys = documents[what].fillna(label("unknown", language))
    counts = keys.value_counts().rename_axis(label(what, language)).reset_index(name=label("documents", language))
    return counts.sort_values(label(what, language)) if what == "month" else counts


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
    return (frame.assign(_order=frame["indicator"].map(order)).sort_values([*keys, "year", "_order"], kind="stable")
            .drop(columns="_order").reset_index(drop=True))


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
    if events > 1:  # the province's own figure made of several distinct events
        return label("how_events", language).format(events=events)
    if method == "reported" and row.get("level") == "province":
        key = "how_province"
    else:
        key = {"units": "how_units", "sum": "how_sum"}.get(str(method), "how_reported")
    text = label(key, language).format(n=n, n_facts=row.get("n_facts"))
    return text + (label("how_as_of", language).format(date=date) if date else "")


def level_label(level: object, language: str = "vi") -> str:
    if not isinstance(level, str) or not level:
        return label("unknown", language)
    return ", ".join(LEVELS.get(language, LEVELS["vi"]).get(part, part) for part in level.split(","))


def province_year_table(table: pd.DataFrame, language: str = "vi", catalog: pd.DataFrame | None = None) -> pd.DataFrame:
    """``province_year`` with readable columns: province, year, indicator, value, level, how, facts."""
    return pd.DataFrame({
        label("province", language): table["province"],
        label("year", language): table["year"].astype("string").fillna("—"),
        label("indicator", language): table["indicator"].map(lambda k: label(k, language, catalog)),
        label("value", language): [format_value(v, q, i, language) for v, q, i in
                                    zip(table["value"], table["qualifier"], table["indicator"], strict=False)],
        label("subject_level", language): table["level"].map(lambda v: level_label(v, language)),
        label("how", language): [how_text(r, language) for r in table.to_dict("records")],
        label("n_facts", language): table["n_facts"],
    })


def organization_table(table: pd.DataFrame, language: str = "vi", catalog: pd.DataFrame | None = None) -> pd.DataFrame:
    """``organization_year`` with readable columns: organization, level, province, year, indicator, value, how."""
    return pd.DataFrame({
        label("organization", language): table["organization"].fillna("—"),
        label("subject_level", language): table["level"].map(lambda v: level_label(v, language)),
        label("province", language): table["province"].fillna("—"),
        label("year", language): table["year"].astype("string").fillna("—"),
        label("indicator", language): table["indicator"].map(lambda k: label(k, language, catalog)),
        label("value", language): [format_value(v, q, i, language) for v, q, i in
                                    zip(table["value"], table["qualifier"], table["indicator"], strict=False)],
        label("how", language): [how_text(r, language) for r in table.to_dict("records")],
    })


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
        names = {"vi": {"published": "ngày đăng", "document": "năm của bài", "anniversary": "ngày kỷ niệm"},
                 "en": {"published": "publication date", "document": "article's year", "anniversary": "anniversary date"}}
        text += f" ({names.get(language, names['vi']).get(source, source)})"
    return text


def sources_table(facts: pd.DataFrame, language: str = "vi", catalog: pd.DataFrame | None = None,
                  indicator: str | None = None) -> pd.DataFrame:
    """Every fact with its article (title, date, URL), sentence, subject, period and counted-or-not with the reason."""
    f = facts if indicator is None else facts[facts["indicator"] == indicator]
    yes, no = label("yes", language), label("no", language)
    published = pd.to_datetime(f["published"], errors="coerce")
    return pd.DataFrame({
        label("fact", language): f["fact_id"],
        label("indicator", language): f["indicator"].map(lambda k: label(k, language, catalog)),
        label("value", language): [format_value(v, q, i.split("_change")[0], language) for v, q, i in
                                    zip(f["value"], f["qualifier"], f["indicator"], strict=False)],
        label("organization", language): f["organization"].fillna("—"),
        label("subject_level", language): f["level"].map(lambda v: level_label(v, language)),
        label("province", language): f["province"].fillna("—"),
        label("period", language): [period_label(r, language) for r in f.to_dict("records")],
        label("counted", language): [yes if c else f"{no}: {r}" for c, r in zip(f["counted"].fillna(False), f["reason"], strict=False)],
        label("sentence", language): f["sentence"].fillna(""),
        label("title", language): f["title"].where(f["title"].notna() & (f["title"].astype(str).str.strip() != ""), f["doc_id"]),
        label("published", language): published.dt.strftime("%d/%m/%Y").fillna("—"),
        label("url", language): f["url"].fillna("—"),
    })


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
    return t[["year", "province", "value", "partial"]].sort_values(["year", "province"]).reset_index(drop=True)


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
    table["level"] = table["level"].map(lambda v: LEVELS[language].get(v, v) if isinstance(v, str) else "—")
    return table.rename(columns={k: label(k, language) for k in table.columns})


def localities_by_directive(citations: pd.DataFrame, top: int = 15) -> pd.DataFrame:
    """Province × directive matrix of citation counts (the most cited directives)."""
    c = citations[citations["coded"]].copy()
    c["province"] = c["province"].fillna("—")
    codes = c["code"].value_counts().head(top).index
    return pd.crosstab(c.loc[c["code"].isin(codes), "province"], c.loc[c["code"].isin(codes), "code"])


def province_points(documents: pd.DataFrame, facts: pd.DataFrame, indicator: str, era: str = "pre2025",
                    catalog: pd.DataFrame | None = None) -> pd.DataFrame:
    """One point per province (pre-2025 or post-2025) with coordinates and the indicator's figure
    of its latest year in ``province_year`` (0 where there is none; regions and the nation have no point).

    ``facts`` may also be a mentions frame: its facts are built first.
    """
    if "counted" not in facts.columns:
        from .facts import build_facts

        facts = build_facts(facts, documents)
    name, lat, lon = ("province", "latitude", "longitude") if era == "pre2025" else ("province_2025", "latitude_2025", "longitude_2025")
    docs = documents.dropna(subset=[name])
    points = docs.groupby(name).agg(latitude=(lat, "first"), longitude=(lon, "first"), documents=("doc_id", "nunique"))
    table = province_year(facts[facts["indicator"] == indicator], catalog)
    if era != "pre2025" and len(table):  # post-2025 provinces: the sum of their pre-2025 provinces' latest figures
        latest = table.sort_values("year").groupby("province").tail(1)
        values = latest.groupby("province_2025")["value"].sum()
    else:
        values = table.sort_values("year").groupby("province")["value"].last() if len(table) else pd.Series(dtype=float)
    points["value"] = values.reindex(points.index).fillna(0)
    return points.reset_index().rename(columns={name: "province"})
