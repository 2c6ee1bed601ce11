"""Exploration: Vietnamese order of names, documents by month, provinces compared, the map without false
zeros, interactive tables with a plain twin for print, and the undated count of a date filter."""
from __future__ import annotations

import datetime as dt
import json
import re

import matplotlib
import pandas as pd
import pytest

from analysis import aggregate as agg
from analysis.build import build
from analysis.collation import sort_key, sorted_frame, sorted_names

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def store(tmp_path_factory, sample_dir):
    path = tmp_path_factory.mktemp("store")
    build(sample_dir, store=path, workers=1, quiet=True)
    return path


def test_names_sort_in_vietnamese_order():
    names = ["Đồng Nai", "Bình Dương", "Zeta", "Bến Tre", None, "Đà Nẵng", "Dĩ An", "An Giang", "Bạc Liêu", "Bắc Ninh"]
    assert sorted_names(names) == ["An Giang", "Bạc Liêu", "Bắc Ninh", "Bến Tre", "Bình Dương", "Dĩ An", "Đà Nẵng", "Đồng Nai",
                                   "Zeta", None]
    assert sorted(names[:4]) != sorted_names(names[:4])  # code-point order differs (Bình Dương first, Đồng Nai after Zeta)
    frame = pd.DataFrame({"province": ["Đồng Nai", "Bến Tre", "Bình Dương", "Bến Tre"], "year": [2020, 2021, 2020, 2019]})
    assert sorted_frame(frame, ["province", "year"])[["province", "year"]].values.tolist() == [
        ["Bến Tre", 2019], ["Bến Tre", 2021], ["Bình Dương", 2020], ["Đồng Nai", 2020]]
    assert sort_key("bến tre") < sort_key("Bình Dương") < sort_key("Dĩ An") < sort_key("Đà Nẵng")


def test_counts_by_province_break_ties_in_vietnamese_order():
    docs = pd.DataFrame({"province": ["Đồng Nai", "Bình Dương", "Bến Tre", "Đồng Nai", None], "doc_id": list("abcde")})
    table = agg.documents_by(docs, "province", "vi")
    assert table["Tỉnh/thành"].tolist() == ["Đồng Nai", "Bến Tre", "Bình Dương", "không rõ"]
    assert table["Số bài"].tolist() == [2, 1, 1, 1]


def test_documents_by_month_has_every_month_and_an_undated_bar():
    from analysis.charts import month_chart

    docs = pd.DataFrame({"doc_id": list("abcde"),
                         "published": pd.to_datetime(["2023-01-05", "2023-01-20", "2023-04-02", None, None])})
    months = agg.documents_by_month(docs, "en")
    assert months["label"].tolist() == ["2023-01", "2023-02", "2023-03", "2023-04", "undated"]
    assert months["documents"].tolist() == [2, 0, 0, 1, 2] and months["undated"].tolist() == [False] * 4 + [True]
    assert agg.documents_by(docs, "month", "vi")["Tháng"].tolist()[-1] == "không rõ ngày"
    fig = month_chart(months, "Articles by month", "en")
    ax, side = fig.axes
    assert [p.get_height() for p in ax.patches] == [2, 0, 0, 1]  # every month of the range, the empty ones too
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2023-01", "2023-02", "2023-03", "2023-04"]
    assert [p.get_height() for p in side.patches] == [2] and [t.get_text() for t in side.get_xticklabels()] == ["undated"]
    assert side.patches[0].get_facecolor() != ax.patches[0].get_facecolor()  # the undated bar stands apart
    assert len(month_chart(months[~months["undated"]], "t", "en").axes) == 1  # no undated panel without undated documents
    assert agg.documents_by_month(docs.iloc[:0], "vi").empty


def test_a_date_filter_says_how_many_undated_documents_it_left_out(store):
    everything = agg.load_tables(str(store))["documents"]
    undated = int(everything["published"].isna().sum())
    first = everything["published"].min().date().isoformat()
    chosen = agg.load_tables(str(store), date_from=first)["documents"]
    assert chosen.attrs["undated_left_out"] == undated and chosen["published"].notna().all()
    message = agg.undated_message(chosen, "vi")
    assert (str(undated) in message) == bool(undated) and (message == "") == (undated == 0)
    kept = agg.load_tables(str(store), date_from=first, include_undated=True)["documents"]
    assert len(kept) == len(everything) and kept.attrs["undated_left_out"] == 0 and agg.undated_message(kept) == ""


def test_the_map_draws_provinces_without_figures_as_rings_not_zeros(store):
    from analysis.charts import province_map

    tables = agg.load_tables(str(store))
    points = agg.province_points(tables["documents"], tables["facts"], "party_members")
    assert points["province"].tolist() == sorted_names(points["province"])
    without = points[points["value"].isna()]
    with_figure = points[points["value"].notna()]
    assert len(with_figure) and len(without), "the sample has provinces with and without members' figures"
    assert not (points["value"] == 0).any()  # no data is not a zero
    assert with_figure["year"].notna().all() and without["year"].isna().all()
    fig = province_map(points, "Đảng viên", "Đảng viên", "vi")
    ax = fig.axes[0]
    filled, rings = ax.collections[0], ax.collections[1]
    assert len(filled.get_offsets()) == len(with_figure) and len(rings.get_offsets()) == len(without)
    assert len(rings.get_facecolors()) == 0 or rings.get_facecolors()[0][3] == 0  # hollow
    legend = ax.get_legend()
    assert legend is not None and "Kích thước theo Đảng viên" in legend.get_title().get_text()
    texts = [t.get_text() for t in legend.get_texts()]
    assert "tỉnh chưa có số liệu" in texts and any(re.fullmatch(r"[\d.]+", t) for t in texts)  # sizes, then the ring


def test_provinces_compared_on_their_latest_year():
    table = pd.DataFrame({
        "province": ["Bến Tre", "Bến Tre", "Đồng Nai", "Bình Dương"], "province_2025": [None] * 4, "year": [2020, 2022, 2021, 2021],
        "indicator": ["party_members"] * 4, "kind": ["stock"] * 4, "value": [50.0, 60.0, 60.0, 70.0],
        "qualifier": ["exact"] * 4, "partial": [False, False, True, False], "how": [""] * 4, "method": ["reported"] * 4,
        "n_units": [1] * 4, "as_of": [None] * 4, "level": ["province"] * 4, "n_facts": [1] * 4, "fact_ids": list("abcd")})
    comparison = agg.province_comparison(table, "party_members")
    assert comparison[["province", "year", "value"]].values.tolist() == [
        ["Bình Dương", 2021, 70.0], ["Bến Tre", 2022, 60.0], ["Đồng Nai", 2021, 60.0]]  # ties in Vietnamese order
    from analysis.charts import province_chart

    fig = province_chart(comparison, "Đảng viên", "Đảng viên", "vi")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Đồng Nai", "Bến Tre", "Bình Dương"]  # largest at the top
    assert [p.get_hatch() for p in ax.patches[:3]] == ["///", None, None]  # Đồng Nai's is a sum of units
    assert any(t.get_text() == "70 (2021)" for t in ax.texts)
    assert agg.province_comparison(table, "badges").empty


def test_tables_are_interactive_on_screen_and_plain_on_paper():
    from analysis.charts import TABLE_MEDIA_CSS, table_html

    frame = pd.DataFrame({"Tỉnh/thành": ["Đồng Nai", "Bến Tre", "Bình Dương"],
                          "Giá trị": ["2.000", "51.349", "≥ 300"],
                          "Tiêu đề": ["Tin <script>alert(1)</script>", "b", "c"]})
    frame.attrs["order"] = {"Giá trị": [2000.0, 51349.0, 300.0]}
    page = table_html(frame, max_rows=2, language="vi")
    interactive, static = page.split('<div class="table-static">')
    assert '<div class="table-interactive">' in interactive and "<script" in interactive
    assert "<script>alert(" not in page and "&lt;script&gt;alert(1)" in static  # escaped in both tables
    assert static.count("<tr") == 3 and "… và 1 dòng nữa" in static  # header + 2 rows on paper, then what is left out
    args = json.loads(re.search(r"let dt_args = (\{.*?\n\s*\});", interactive, re.S).group(1))
    rows = json.loads(args["data_json"])
    assert len(rows) == 3  # on screen, every row
    value_column = next(d for d in args["columnDefs"] if d.get("targets") == 1)["orderData"][0]
    assert [row[value_column] for row in rows] == [1, 2, 0]  # ranks of the numbers, not of the text
    province_column = next(d for d in args["columnDefs"] if d.get("targets") == 0)["orderData"][0]
    assert [row[province_column] for row in rows] == [2, 0, 1]  # Bến Tre, Bình Dương, Đồng Nai
    assert rows[0][-1].startswith("dong nai")  # the folded text the filter box also matches
    assert args["language"]["search"] == "Lọc:" and "connected" not in args
    assert "unpkg" not in interactive and "<script src=" not in interactive  # nothing is fetched from a CDN
    assert "@media print" in TABLE_MEDIA_CSS and ".table-interactive" in TABLE_MEDIA_CSS


def test_the_itables_bundle_is_in_the_page_not_on_a_cdn():
    from itables import options
    from itables.javascript import generate_init_offline_itables_html

    init = generate_init_offline_itables_html(options.dt_bundle)
    assert "injectModule(" in init and len(init) > 100_000 and "<script src=" not in init


def test_formatted_columns_carry_their_sort_keys(store):
    tables = agg.load_tables(str(store))
    shown = agg.province_year_table(tables["province_year"], "vi")
    assert shown.attrs["order"]["Giá trị"] == tables["province_year"]["value"].tolist()
    sources = agg.sources_table(tables["facts"], "en")
    dates = sources.attrs["order"]["Published"]
    shown_dates = sources["Published"].tolist()
    for key, text in zip(dates, shown_dates, strict=True):
        assert text == "—" or dt.date.fromisoformat(key).strftime("%d/%m/%Y") == text
