"""Aggregate step: store tables in, report-ready tables out.

In: the tables of a store (``load_tables`` selects a date range and a province
in DuckDB, without the article texts) or of ``load_corpus``/``extract``.
Out: small frames for notebooks and reports, with readable column names in
Vietnamese or English (``label``). The counting rule is in ``facts``:

* a mention flagged as a subset, proposal, ratio, lumped count or vague
  quantity, and every change, target or per-unit amount, is never summed;
* the same fact reported by several articles counts once: a fact is the
  indicator, the value, the organization (else the province) and the year;
* organizations nest (a province's members include its districts'), so a
  province's figure for a year is the largest figure any of its organizations
  reported, not a sum; the table says how many facts it was chosen from.
"""
from __future__ import annotations

import datetime as dt
from urllib.parse import urlparse

import pandas as pd

from .store import connect, query_table

INDICATORS = ["party_members", "new_members", "disciplined_members", "badges", "party_cells", "party_organizations",
              "commended_collectives", "commended_individuals", "models", "new_models", "money_vnd"]
NOT_SUMMED_FLAGS = {"subset", "proposal", "ratio", "ratio_total", "lumped", "vague"}

LABELS = {
    "vi": {
        "party_members": "Đảng viên", "new_members": "Đảng viên mới kết nạp", "disciplined_members": "Đảng viên bị kỷ luật",
        "badges": "Huy hiệu Đảng được trao", "party_cells": "Chi bộ", "party_organizations": "Tổ chức đảng, đảng bộ",
        "commended_collectives": "Tập thể được khen thưởng", "commended_individuals": "Cá nhân được khen thưởng",
        "models": "Mô hình", "new_models": "Mô hình mới", "money_vnd": "Giá trị (đồng)",
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
        "rule": ("Cách tính: số liệu là tập con, đề nghị, tỷ lệ hoặc gộp chung tập thể và cá nhân không được cộng; "
                 "một dữ kiện (cùng chỉ tiêu, giá trị, tổ chức và năm) được nhiều bài đưa tin chỉ tính một lần; "
                 "vì các tổ chức lồng nhau, số liệu của một tỉnh trong một năm là số lớn nhất được báo cáo. "
                 "Dấu ~ là số xấp xỉ, ≥ là số tối thiểu."),
    },
    "en": {
        "party_members": "Party members", "new_members": "New members admitted", "disciplined_members": "Members disciplined",
        "badges": "Party badges awarded", "party_cells": "Party cells", "party_organizations": "Party organizations",
        "commended_collectives": "Collectives commended", "commended_individuals": "Individuals commended",
        "models": "Models", "new_models": "New models", "money_vnd": "Value (VND)",
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
        "rule": ("Counting rule: subsets, proposals, ratios and counts that lump collectives with individuals are never "
                 "summed; a fact (same indicator, value, organization and year) reported by several articles counts once; "
                 "because organizations nest, a province's figure for a year is the largest one reported. "
                 "~ marks an approximate value, ≥ an at-least value."),
    },
}
LEVELS = {
    "vi": {"central": "Trung ương", "province": "Tỉnh", "district": "Huyện", "grassroots": "Cơ sở", "bloc": "Khối",
           "cell": "Chi bộ", "central government": "Chính phủ", "local government": "Chính quyền địa phương"},
    "en": {"central": "Central", "province": "Province", "district": "District", "grassroots": "Grassroots", "bloc": "Bloc",
           "cell": "Cell", "central government": "Central government", "local government": "Local government"},
}


def label(key: str, language: str = "vi") -> str:
    """The reader-facing name of a column or indicator."""
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
    docs["published"] = pd.to_datetime(docs["published"])
    return out


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


def coverage(documents: pd.DataFrame, mentions: pd.DataFrame) -> dict:
    """How many documents yielded at least one indicator figure."""
    with_figures = mentions.loc[mentions["indicator"].isin(INDICATORS), "doc_id"].nunique()
    total = len(documents)
    return {"documents": total, "with_indicator": with_figures, "share": with_figures / total if total else 0.0}


def facts(mentions: pd.DataFrame) -> pd.DataFrame:
    """Countable mentions with repeated facts removed (see the module docstring)."""
    m = mentions[mentions["indicator"].isin(INDICATORS) & mentions["value"].notna()].copy()
    excluded = m["flags"].fillna("").astype(str).map(lambda fs: bool(NOT_SUMMED_FLAGS & set(fs.split(","))))
    m = m.loc[~excluded.astype(bool)]
    subject = m["organization"].where(m["organization_source"] == "sentence").fillna(m.get("province"))
    m["fact_subject"] = subject.fillna("")
    m["year"] = m["year"].astype("Int64")
    key = ["indicator", "value", "fact_subject", "year"]
    m["reports"] = m.groupby(key, dropna=False)["doc_id"].transform("nunique")
    return m.drop_duplicates(key)


def format_value(value: float, qualifier: str, indicator: str, language: str = "vi") -> str:
    """'51.349', '≥ 2,1 tỷ', '~500 triệu' in Vietnamese; '51,349', '≥ 2.1 billion' in English; qualifier marked."""
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


def indicator_table(mentions: pd.DataFrame, language: str = "vi") -> pd.DataFrame:
    """Province × year × indicator: the largest reported figure (qualifier marked) and the facts behind it."""
    f = facts(mentions)
    if f.empty:
        return pd.DataFrame(columns=[label(k, language) for k in ("province", "year", "indicator", "value", "facts")])
    f["province"] = f["province"].fillna(label("unknown", language)) if "province" in f else label("unknown", language)
    best = f.sort_values("value").groupby(["province", "year", "indicator"], dropna=False).tail(1)
    counts = f.groupby(["province", "year", "indicator"], dropna=False).size().rename("facts")
    best = best.join(counts, on=["province", "year", "indicator"])
    order = {name: i for i, name in enumerate(INDICATORS)}
    best = best.assign(order=best["indicator"].map(order)).sort_values(["province", "year", "order"])
    return pd.DataFrame({
        label("province", language): best["province"],
        label("year", language): best["year"].astype("string").fillna("—"),
        label("indicator", language): best["indicator"].map(lambda k: label(k, language)),
        label("value", language): [format_value(v, q, i, language) for v, q, i in zip(best["value"], best["qualifier"], best["indicator"], strict=False)],
        label("facts", language): best["facts"],
    })


def facts_per_indicator(mentions: pd.DataFrame, language: str = "vi") -> pd.DataFrame:
    """How many distinct facts each indicator has (labelled columns, indicator order)."""
    counts = facts(mentions).groupby("indicator").size().reindex(INDICATORS).dropna().astype(int)
    return pd.DataFrame({label("indicator", language): [label(k, language) for k in counts.index],
                         label("facts", language): counts.to_numpy()})


def indicator_totals(mentions: pd.DataFrame) -> pd.DataFrame:
    """Per indicator: facts, largest value, and the sum over provinces of each province's largest value."""
    f = facts(mentions)
    per_province = f.groupby(["indicator", "province"], dropna=False)["value"].max().reset_index()
    out = per_province.groupby("indicator")["value"].agg(["sum", "max"]).join(f.groupby("indicator").size().rename("facts"))
    return out.reindex([i for i in INDICATORS if i in out.index])


def provenance(mentions: pd.DataFrame, documents: pd.DataFrame, indicator: str | None = None,
               language: str = "vi", limit: int | None = None) -> pd.DataFrame:
    """Document, sentence and matched text behind each figure."""
    m = mentions[mentions["indicator"].isin(INDICATORS if indicator is None else [indicator])]
    titles = documents.set_index("doc_id")["title"]
    out = pd.DataFrame({
        label("document", language): m["doc_id"].map(lambda d: f"{d} — {titles.get(d) or ''}".strip(" —")),
        label("indicator", language): m["indicator"].map(lambda k: label(k, language)),
        label("value", language): [format_value(v, q, i, language) for v, q, i in zip(m["value"], m["qualifier"], m["indicator"], strict=False)],
        label("matched", language): m["matched_text"],
        label("sentence", language): m["sentence"],
    })
    return out.head(limit) if limit else out


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


def province_points(documents: pd.DataFrame, mentions: pd.DataFrame, indicator: str, era: str = "pre2025") -> pd.DataFrame:
    """One point per province (pre-2025 or post-2025) with coordinates and the indicator's largest figure."""
    name, lat, lon = ("province", "latitude", "longitude") if era == "pre2025" else ("province_2025", "latitude_2025", "longitude_2025")
    docs = documents.dropna(subset=[name])
    points = docs.groupby(name).agg(latitude=(lat, "first"), longitude=(lon, "first"), documents=("doc_id", "nunique"))
    f = facts(mentions[mentions["indicator"] == indicator]).merge(docs[["doc_id", name]], on="doc_id", how="inner",
                                                                   suffixes=("_mention", ""))
    values = f.groupby(name)["value"].max()
    points["value"] = values.reindex(points.index).fillna(0)
    return points.reset_index().rename(columns={name: "province"})
