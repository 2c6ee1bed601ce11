"""Vietnamese number parsing: written forms, qualifiers, non-numbers, and a round-trip property."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.extract.numbers import find_numbers, parse_number, parse_words


@pytest.mark.parametrize(
    "phrase, value",
    [
        ("51.349", 51349), ("3.085", 3085), ("1.250.000", 1250000), ("1 155", 1155), ("2,1", 2.1), ("03", 3),
        ("07", 7), ("2,1 tỷ", 2_100_000_000), ("gần 500 triệu", 500_000_000), ("1 tỷ 200 triệu", 1_200_000_000),
        ("3 tỉ", 3_000_000_000), ("500 nghìn", 500_000), ("12 ngàn", 12_000), ("hai", 2), ("mười lăm", 15),
        ("hai mươi mốt", 21), ("một trăm", 100), ("một trăm linh năm", 105), ("ba mươi tư", 34),
        ("hai trăm năm mươi", 250), ("hai nghìn", 2000),
    ],
)
def test_written_forms(phrase, value):
    assert parse_number(phrase) == pytest.approx(value)


def test_kinds_and_qualifiers():
    (pct,) = find_numbers("99,2% đảng viên")
    assert pct.kind == "percent" and pct.value == pytest.approx(99.2)
    (ratio,) = find_numbers("229/321 chi bộ")
    assert ratio.kind == "ratio" and ratio.value == 229 and ratio.denominator == 321
    (vague,) = find_numbers("hàng chục mô hình")
    assert vague.kind == "vague" and vague.value is None and vague.lower_bound == 10
    qualifiers = {n.text: n.qualifier for n in find_numbers(
        "gần 500 triệu, khoảng 20, xấp xỉ 30, hơn 2,1 tỷ, trên 45, ít nhất 1, dưới 10, không quá 5, đúng 7")}
    assert qualifiers == {"500 triệu": "approx", "20": "approx", "30": "approx", "2,1 tỷ": "at_least", "45": "at_least",
                          "1": "at_least", "10": "at_most", "5": "at_most", "7": "exact"}


@pytest.mark.parametrize(
    "text",
    [
        "ngày 10/11/2023", "lúc 08:04", "Điện thoại: 02943.825.017", "Kết luận số 01-KL/TW", "Kế hoạch 76-KH/HU",
        "chỉ tiêu 3.6 của Chương trình", "mô hình “2 an” (an ninh trật tự và an sinh xã hội)",
        "“Mỗi tháng 1 câu chuyện ý nghĩa, 1 cuốn sách hay”", "dịp 3/2",
    ],
)
def test_not_numbers_of_interest(text):
    assert [n for n in find_numbers(text) if n.kind in ("count", "ratio") and n.text[0].isdigit()] == []


def test_words_that_are_not_numbers():
    assert parse_words("một số") is None
    assert parse_number("tập thể") is None


DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]


def say(n: int) -> str:
    """Read 0-999 999 aloud the way Vietnamese news writes it (independent of the parser)."""
    if n >= 1000:
        thousands, rest = divmod(n, 1000)
        head = say(thousands) + " nghìn"
        if rest == 0:
            return head
        if rest < 100:
            return head + " không trăm " + (("linh " + DIGITS[rest]) if rest < 10 else say(rest))
        return head + " " + say(rest)
    if n < 10:
        return DIGITS[n]
    if n < 20:
        ones = n - 10
        return "mười" + ("" if ones == 0 else " lăm" if ones == 5 else " " + DIGITS[ones])
    if n < 100:
        tens, ones = divmod(n, 10)
        tail = "" if ones == 0 else " mốt" if ones == 1 else " lăm" if ones == 5 else " " + DIGITS[ones]
        return DIGITS[tens] + " mươi" + tail
    hundreds, rest = divmod(n, 100)
    head = DIGITS[hundreds] + " trăm"
    if rest == 0:
        return head
    return head + (" linh " + DIGITS[rest] if rest < 10 else " " + say(rest))


def dotted(n: int) -> str:
    return f"{n:,}".replace(",", ".")


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=99_999_999))
def test_dotted_integers_round_trip(n):
    assert parse_number(dotted(n)) == n


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=999), st.integers(min_value=0, max_value=9),
       st.sampled_from([("nghìn", 1_000), ("triệu", 1_000_000), ("tỷ", 1_000_000_000)]),
       st.sampled_from(["", "gần ", "hơn ", "khoảng "]))
def test_scaled_decimals_round_trip(whole, tenth, scale, qualifier):
    word, factor = scale
    text = f"{qualifier}{whole},{tenth} {word} đồng" if tenth else f"{qualifier}{whole} {word} đồng"
    (number,) = [n for n in find_numbers(text) if n.kind == "count"]
    assert number.value == pytest.approx((whole + tenth / 10) * factor)
    assert number.qualifier == {"": "exact", "gần ": "approx", "hơn ": "at_least", "khoảng ": "approx"}[qualifier]


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=999), st.integers(min_value=0, max_value=999))
def test_compound_scales_round_trip(billions, millions):
    text = f"{billions} tỷ {millions} triệu" if millions else f"{billions} tỷ"
    assert parse_number(text) == billions * 1_000_000_000 + millions * 1_000_000


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=999_999))
def test_number_words_round_trip(n):
    assert parse_words(say(n)) == n


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1, max_value=9))
def test_leading_zeros(n):
    assert parse_number(f"0{n}") == n
