"""Parameters: a province named as people type it, did-you-mean on a miss, empty date ranges refused, and the
undated documents a date filter leaves out counted."""
from __future__ import annotations

import datetime as dt
import unicodedata

import duckdb
import pytest

from analysis.params import ParameterError, Province, check_dates, check_flag, fold_name, match_province, select_documents

# The provinces of the bundled sample, as its store names them (pre-2025 and post-2025 columns).
SAMPLE = {"province": ["An Giang", "Bến Tre", "Hậu Giang", "Long An", "Trà Vinh"],
          "province_2025": ["An Giang", "Cần Thơ", "Tây Ninh", "Vĩnh Long"]}


@pytest.mark.parametrize("typed", ["Bến Tre", "Ben Tre", "ben-tre", "BẾN TRE", "  bến   tre ", "Tỉnh Bến Tre", "ben_tre",
                                   unicodedata.normalize("NFD", "Bến Tre")])  # decomposed, as some keyboards send it
def test_a_province_is_matched_without_case_diacritics_or_unit_word(typed):
    assert match_province(typed, SAMPLE) == Province("Bến Tre", "province")


def test_a_2025_name_selects_the_merged_province_when_the_store_has_none_of_the_old_one():
    assert match_province("vinh long", SAMPLE) == Province("Vĩnh Long", "province_2025")  # Bến Tre + Trà Vinh
    assert match_province("CAN THO", SAMPLE) == Province("Cần Thơ", "province_2025")  # Hậu Giang since 2025
    with_old = {**SAMPLE, "province": [*SAMPLE["province"], "Vĩnh Long"]}
    assert match_province("vinh long", with_old) == Province("Vĩnh Long", "province")  # the old province itself


def test_a_miss_says_did_you_mean_and_lists_the_store_provinces():
    with pytest.raises(ParameterError, match=r"no province is called 'Ben Trre'; did you mean 'Bến Tre'\? "
                                             r"provinces in the store: An Giang, Bến Tre, Hậu Giang, Long An, Trà Vinh"):
        match_province("Ben Trre", SAMPLE)
    with pytest.raises(ParameterError, match="did you mean 'Đà Nẵng'"):  # a gazetteer province, misspelt
        match_province("Da Nangg", SAMPLE)
    with pytest.raises(ParameterError, match="the store has no document of Hà Nội"):
        match_province("ha noi", SAMPLE)
    with pytest.raises(ParameterError, match="the store has no document of Thừa Thiên Huế"):  # an alias of the gazetteer
        match_province("TT-Huế", SAMPLE)
    with pytest.raises(ParameterError, match="not a province name"):
        match_province("  - ", SAMPLE)


def test_names_fold_to_plain_words():
    assert fold_name("Bà Rịa - Vũng Tàu") == "ba ria vung tau"
    assert fold_name("Thành phố Hồ Chí Minh") == fold_name("TP. Hồ Chí Minh") == "ho chi minh"
    assert fold_name("Đắk Lắk") == "dak lak" and fold_name(None) == ""


def test_dates_are_checked_and_an_empty_range_refused():
    assert check_dates("2023-01-01", "2023-12-31") == (dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    assert check_dates("2023-05-05", "2023-05-05") == (dt.date(2023, 5, 5),) * 2  # one day is a range
    assert check_dates(None, "") == (None, None)
    with pytest.raises(ParameterError, match="date_to is before date_from"):
        check_dates("2023-12-31", "2023-01-01")
    with pytest.raises(ParameterError, match="date_from: '2023-13-45' is not a date"):
        check_dates("2023-13-45")
    assert check_flag("True", "x") and not check_flag("no", "x") and check_flag(True, "x")
    with pytest.raises(ParameterError, match="include_undated: 'maybe' is not true or false"):
        check_flag("maybe", "include_undated")


@pytest.fixture
def documents():
    """A documents table shaped as the store's view: the sample's dates and provinces."""
    con = duckdb.connect()
    con.execute("CREATE TABLE documents (doc_id VARCHAR, published DATE, province VARCHAR, province_2025 VARCHAR)")
    con.executemany("INSERT INTO documents VALUES (?, ?, ?, ?)", [
        ("000", dt.date(2023, 11, 13), "Bến Tre", "Vĩnh Long"), ("001", None, "Trà Vinh", "Vĩnh Long"),
        ("002", None, "An Giang", "An Giang"), ("003", None, "Long An", "Tây Ninh"),
        ("004", dt.date(2022, 8, 12), "Hậu Giang", "Cần Thơ"), ("005", None, "Bến Tre", "Vĩnh Long")])
    return con


def _ids(con, selection) -> set[str]:
    return {d for (d,) in con.execute(f"SELECT doc_id FROM documents WHERE {selection.where}", list(selection.params)).fetchall()}


def test_a_date_filter_counts_the_undated_documents_it_leaves_out(documents):
    chosen = select_documents(documents, date_from="2023-01-01")
    assert _ids(documents, chosen) == {"000"} and chosen.documents == 1 and chosen.total == 6
    assert chosen.undated_left_out == 4 and "4 document(s) without a date left out" in chosen.message
    kept = select_documents(documents, date_from="2023-01-01", include_undated="true")
    assert _ids(documents, kept) == {"000", "001", "002", "003", "005"} and kept.undated_left_out == 0 and not kept.message
    everything = select_documents(documents)
    assert everything.documents == 6 and everything.undated_left_out == 0  # no date limit: nothing left out


def test_a_province_filter_uses_the_matched_name_and_counts_within_it(documents):
    ben_tre = select_documents(documents, date_to="2023-12-31", province="ben tre")
    assert ben_tre.province == Province("Bến Tre") and _ids(documents, ben_tre) == {"000"}
    assert ben_tre.undated_left_out == 1  # Bến Tre's own undated article, not the others'
    assert ben_tre.describe() == "province=Bến Tre, date_to=2023-12-31"
    merged = select_documents(documents, province="Vĩnh Long")
    assert _ids(documents, merged) == {"000", "001", "005"}
    with pytest.raises(ParameterError, match="did you mean 'Bến Tre'"):
        select_documents(documents, province="Ben Tri")
    with pytest.raises(ParameterError, match="empty"):
        select_documents(documents, date_from="2024-01-01", date_to="2023-01-01")
