"""Cleaning: tone placement, page chrome, headline, date and byline."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from analysis.clean import clean_document, match_form, nfc, unify_tone_placement
from analysis.clean.chrome import is_chrome_line
from analysis.clean.metadata import parse_byline, parse_date_line


def test_tone_placement_is_unified_and_length_preserving():
    assert match_form("Tỉnh uỷ") == match_form("Tỉnh ủy") == "tỉnh ủy"
    assert unify_tone_placement("hoà bình") == "hòa bình"
    assert unify_tone_placement("Thuỷ, khoẻ, Hoá") == "Thủy, khỏe, Hóa"
    assert unify_tone_placement("quý") == "quý"  # "qu" + ý has no old form
    assert unify_tone_placement("hoàng, thuyền") == "hoàng, thuyền"  # closed syllables keep their mark
    old = "Đảng uỷ xã Phú Sơn, Uỷ viên Ban Thường vụ Tỉnh uỷ, tận tuỵ"
    assert len(match_form(old)) == len(nfc(old))
    # Decomposed input (NFD) is composed first.
    import unicodedata

    assert match_form(unicodedata.normalize("NFD", "Đảng ủy")) == "đảng ủy"


def test_sample_chrome_is_stripped(sample_documents):
    by_id = sample_documents.set_index("doc_id")
    cau_ngang = by_id.loc["001_c6073d5bad957edc"]
    for chrome in ("Thống kê truy cập", "Đang online", "Tất cả: 3762383", "Bản đồ hành chính", "image advertisement",
                   "02943.825.017", "bbtwebsite.caungang@travinh.gov.vn", "Chung nhan Tin Nhiem Mang"):
        assert chrome not in cau_ngang["text"], chrome
        assert chrome in cau_ngang["raw_text"]
    assert "1 2 3 4 5" not in cau_ngang["text"]  # pagination
    assert "TRANG THÔNG TIN ĐIỆN TỬ HUYỆN CẦU NGANG" in cau_ngang["chrome_text"]  # kept as place evidence
    assert cau_ngang["text"].rstrip().endswith("trách nhiệm người đứng đầu cấp ủy, cơ quan, đơn vị.")
    assert cau_ngang["byline"] == "Phú Lũy"
    phu_tan = by_id.loc["002_531ed475c210eb4f"]
    for chrome in ("Phản hồi", "Các tin khác", "Liên kết website"):
        assert chrome not in phu_tan["text"]
    hau_giang = by_id.loc["004_7403d5d63bb36fa2"]
    for chrome in ("Viết bình luận mới", "Tin cùng chuyên mục", "Xem thêm >>"):
        assert chrome not in hau_giang["text"]
    assert "12/08/2022 | 08:04 GMT+7" not in hau_giang["text"]
    # Article text is never cut: every body paragraph survives.
    assert "229/321 chi bộ" in hau_giang["text"]


def test_chrome_of_other_sites_is_stripped_but_article_kept():
    raw = "\n".join([
        "Thứ Ba, 14/05/2024 09:12",
        "Hotline: 0912.345.678 | Email: toasoan@baoxyz.vn",
        "Xây dựng Đảng",
        "Thành ủy Vị Thanh biểu dương 15 tập thể, 30 cá nhân tiêu biểu",
        "Cập nhật lúc 10:30, Thứ Ba, 14/05/2024 (GMT+7)",
        "Sáng 13/5, Thành ủy Vị Thanh tổ chức hội nghị sơ kết, biểu dương 15 tập thể, 30 cá nhân tiêu biểu.",
        "Dịp này, Thành ủy cũng trao Huy hiệu Đảng cho 22 đảng viên.",
        "NGỌC TRÂM",
        "Chia sẻ",
        "In bài",
        "Tin liên quan",
        "Hội nghị Ban Chấp hành Đảng bộ lần thứ 12",
        "Kết nạp đảng viên mới ở vùng đồng bào",
        "Lượt truy cập: 1.234.567",
        "© Bản quyền thuộc Báo XYZ. Giấy phép số 123/GP-BTTTT. Địa chỉ: 12 Trần Hưng Đạo, phường 5, TP Vị Thanh.",
    ])
    doc = clean_document(raw)
    assert doc.title == "Thành ủy Vị Thanh biểu dương 15 tập thể, 30 cá nhân tiêu biểu"
    assert doc.published == dt.date(2024, 5, 14)
    assert doc.byline == "NGỌC TRÂM"
    assert doc.text.startswith("Sáng 13/5, Thành ủy Vị Thanh")
    assert doc.text.endswith("trao Huy hiệu Đảng cho 22 đảng viên.")
    for chrome in ("Hotline", "Chia sẻ", "Tin liên quan", "Lượt truy cập", "Bản quyền", "Kết nạp đảng viên mới ở vùng"):
        assert chrome not in doc.text


def test_date_lines_and_bylines():
    assert parse_date_line("13/11/2023") == dt.date(2023, 11, 13)
    assert parse_date_line("12/08/2022 | 08:04 GMT+7") == dt.date(2022, 8, 12)
    assert parse_date_line("Thứ Năm, 29/03/2018") == dt.date(2018, 3, 29)
    assert parse_date_line("Thời sự 16-06-2018") == dt.date(2018, 6, 16)
    # A sentence that contains a date is not a date line; an impossible date is none.
    assert parse_date_line("Sáng 21/7/2023, Đảng bộ xã Việt Hưng tổ chức Lễ trao tặng Huy hiệu Đảng cho 11 đồng chí.") is None
    assert parse_date_line("31/02/2023") is None
    assert parse_byline("Bài, ảnh: TRƯỜNG SƠN") == "Bài, ảnh: TRƯỜNG SƠN"
    assert parse_byline("Tôn Đức Tài") == "Tôn Đức Tài"
    assert parse_byline("Theo VOV") == "Theo VOV"
    assert parse_byline("Quang cảnh hội nghị.") is None
    assert parse_byline("Nhân rộng các mô hình hay") is None
    assert is_chrome_line("• Trong tuần: 1 155")
    assert not is_chrome_line("Đảng ủy xã Phú Sơn có 11 chi bộ với 192 đảng viên.")


def test_no_title_when_text_starts_with_a_paragraph():
    raw = ("Năm 2021, toàn tỉnh có 2.071 mô hình, điển hình “Dân vận khéo” được đăng ký xây dựng, trong đó có 1.808 mô hình "
           "được triển khai hiệu quả. Chủ tịch UBND tỉnh đã tặng Bằng khen 28 tập thể, 12 cá nhân.")
    doc = clean_document(raw)
    assert doc.title is None and doc.published is None
    assert doc.text == raw


# --- Page headers of other layouts: breadcrumbs, section bars, portal chrome, kickers, date forms.

_BODY = ("Sáng 5/3, Đảng ủy xã Tân Phước tổ chức hội nghị sơ kết công tác xây dựng Đảng, biểu dương 6 tập thể "
         "và 14 cá nhân tiêu biểu.")
_HEADLINE = "Đảng ủy xã Tân Phước biểu dương 6 tập thể, 14 cá nhân tiêu biểu"


@pytest.mark.parametrize("above", [
    ["Thời sự - Chính trị Hướng tới Đại hội Đảng bộ các cấp nhiệm kỳ 2025 - 2030"],  # section path + series name
    ["Trang chủ > Tin tức > Xây dựng Đảng"],
    ["Chi tiết - UBND xã Tân Phước"],
    ["Chính trị - Xã hội Theo dòng thời sự"],
    ["Skip Ribbon Commands", "Skip to main content"],  # SharePoint portals
    ["Nhiệt độ:", "Độ ẩm:", "Gió:"],  # a weather widget
    ["Kỷ niệm 95 năm Ngày thành lập Đảng Cộng sản Việt Nam:"],  # a kicker
    ["Print", "Cỡ chữ", "Tin tức - Sự kiện"],
])
def test_headline_is_found_past_breadcrumbs_sections_chrome_and_kickers(above):
    doc = clean_document("\n".join([*above, _HEADLINE, _BODY]))
    assert doc.title == _HEADLINE
    assert doc.text == _BODY
    assert doc.published is None  # none of these lines states a date


def test_breadcrumb_and_repeated_headline_under_the_headline_are_not_body():
    raw = "\n".join(["Skip to main content", _HEADLINE, "Tin tức - Sự kiện Tin hoạt động", _HEADLINE, _BODY, "Đài Truyền thanh xã"])
    doc = clean_document(raw)
    assert doc.title == _HEADLINE
    assert doc.text.startswith("Sáng 5/3") and "Tin hoạt động" not in doc.text


@pytest.mark.parametrize("line, date", [
    ("Thứ Bảy, 7 tháng 11, 2020", dt.date(2020, 11, 7)),
    ("Chủ nhật, ngày 15 tháng 3 năm 2015", dt.date(2015, 3, 15)),
    ("Cập nhật, 08:15, Thứ Hai, 03/02/2020", dt.date(2020, 2, 3)),
    ("ngày 7/11/2020", dt.date(2020, 11, 7)),
    ("07-11-2020 08:15", dt.date(2020, 11, 7)),
    ("Thứ hai, 03/02/2020 - 08:15", dt.date(2020, 2, 3)),
    ("[Đăng ngày: 17/06/2019]", dt.date(2019, 6, 17)),
    ("admin gửi vào T3, 2019-10-22 09:30", dt.date(2019, 10, 22)),
    ("Print Thứ Tư, 15/01/2020 08:22 Gốc", dt.date(2020, 1, 15)),
    ("Ngày đăng: 21.04.2020 | Lượt xem: 312", dt.date(2020, 4, 21)),
    ("Hà Nội, ngày 23-10-2021", dt.date(2021, 10, 23)),
    ("22:38 | 08/10/2018 (GMT+7)", dt.date(2018, 10, 8)),
    ("3 Tháng Hai, 2020", dt.date(2020, 2, 3)),  # WordPress in Vietnamese
    ("Tháng Mười Một 7, 2020", dt.date(2020, 11, 7)),
    ("Thứ Hai, 03/02/2020, 08:15 (GMT+07:00)", dt.date(2020, 2, 3)),
    ("2020-02-03T08:15:00+07:00", dt.date(2020, 2, 3)),
])
def test_vietnamese_date_lines(line, date):
    assert parse_date_line(line) == date


@pytest.mark.parametrize("line", [
    "Ngày 7/11/2020, Ban Thường vụ Huyện ủy tổ chức hội nghị sơ kết.",
    "Chiều 7 tháng 11 năm 2020, Đảng bộ xã kết nạp 5 đảng viên mới vào Đảng",
    "Thứ Bảy, 7 tháng 11",  # no year: not a full date
    "Kỷ niệm 90 năm ngày thành lập Đảng (3/2/1930 - 3/2/2020) tại huyện Phú Tân",
    "Thứ Hai, 31/04/2020",  # April has 30 days
])
def test_sentences_and_partial_dates_are_not_date_lines(line):
    assert parse_date_line(line) is None


def test_date_under_the_headline_wins_over_the_sites_today():
    raw = "\n".join(["Thứ Ba, 02/12/2025 10:05", "Hotline: 0912.345.678", "Xây dựng Đảng", _HEADLINE,
                     "14/03/2021 15:07 | 0", _BODY])
    doc = clean_document(raw)
    assert doc.title == _HEADLINE and doc.published == dt.date(2021, 3, 14)
    # The same page with the today line directly above the headline.
    raw = "\n".join(["Xây dựng Đảng", "Long An, ngày 02-12-2025", _HEADLINE, "Cập nhật lúc 09:12, Chủ nhật, 14/03/2021", _BODY])
    assert clean_document(raw).published == dt.date(2021, 3, 14)


def test_date_directly_above_the_headline_counts_but_a_distant_one_does_not():
    assert clean_document("\n".join(["Thứ Bảy, 7 tháng 11, 2020", _HEADLINE, _BODY])).published == dt.date(2020, 11, 7)
    assert clean_document("\n".join(["Chính trị - Xã hội", "14/04/2022 - 12:51", _HEADLINE, _BODY])).published == dt.date(2022, 4, 14)
    # Menus between the date and the headline: the site's "today", not the article's date.
    raw = "\n".join(["Thứ Hai, 01/12/2025", "Trang chủ", "Giới thiệu", "Tin tức - Sự kiện", _HEADLINE, _BODY])
    doc = clean_document(raw)
    assert doc.title == _HEADLINE and doc.published is None


def test_byline_with_its_date_under_the_headline():
    doc = clean_document("\n".join([_HEADLINE, "THU HÀ - 07/11/2020 08:15", _BODY]))
    assert doc.published == dt.date(2020, 11, 7) and doc.byline == "THU HÀ"
    assert doc.text == _BODY


def test_date_in_the_body_is_not_the_publication_date():
    raw = "\n".join([_HEADLINE, _BODY, "Ngày 20/3/2021", "Các chi bộ tiếp tục đăng ký mô hình học tập và làm theo Bác."])
    assert clean_document(raw).published is None


def test_date_line_before_the_first_paragraph_of_a_page_without_headline():
    doc = clean_document("\n".join(["Độ ẩm:", "Gió:", "[Đăng ngày: 17/06/2019]", _BODY]))
    assert doc.title is None and doc.published == dt.date(2019, 6, 17) and doc.text == _BODY
    doc = clean_document("\n".join(["Print Thứ Tư, 15/01/2020 08:22 Gốc", _BODY]))
    assert doc.published == dt.date(2020, 1, 15) and doc.text == _BODY


def test_a_lone_paragraph_without_final_period_stays_the_body():
    raw = "Đảng bộ xã Tân Phước kết nạp 12 đảng viên mới, đạt 120% chỉ tiêu nghị quyết đề ra trong năm"
    doc = clean_document(raw)
    assert doc.title is None and doc.text == raw
    doc = clean_document("Skip to main content\n" + raw + "\nChia sẻ")
    assert doc.text == raw


def test_photo_caption_at_the_top_is_not_a_headline():
    raw = "\n".join(["Đại hội Đảng bộ xã Tân Phước lần thứ XV, nhiệm kỳ 2025-2030", "Ảnh: Minh Khoa", _BODY])
    doc = clean_document(raw)
    assert doc.title is None and doc.byline is None
    assert doc.text.startswith("Đại hội Đảng bộ xã Tân Phước")


def test_header_rules_are_validated_with_errors_that_say_where():
    from analysis.clean.metadata import HeaderRulesError, vocabulary_from

    good = {"section_names": ["thời sự"], "header_chrome": ["skip to main content"], "header_chrome_lines": ["print"],
            "photo_credits": ["ảnh"], "date_words": ["ngày"],
            "month_word": "tháng", "year_word": "năm", "month_names": {"hai": 2}}
    assert vocabulary_from(good).section.match("thời sự")
    for broken, message in (({**good, "section_names": []}, "'section_names'"),
                            ({**good, "date_words": ["ngày", 7]}, "'date_words' item 2"),
                            ({k: v for k, v in good.items() if k != "month_word"}, "'month_word'"),
                            ({**good, "sections": ["x"]}, "unknown key(s) sections"),
                            ({**good, "month_names": {"hai": 13}}, "'month_names' entry 'hai'"),
                            (["thời sự"], "expected a mapping")):
        with pytest.raises(HeaderRulesError, match=re.escape(message)):
            vocabulary_from(broken, "header.yaml")


@pytest.mark.parametrize("under", [
    ["Minh Thư", "Thứ Hai, 03/02/2020 - 08:15"],  # the author's name, then the date
    ["Bài và ảnh: Minh Thư | 03/02/2020 08:15"],
    ["Facebook", "Zalo", "Email", "03/02/2020 08:15"],  # share buttons before the date
    ["A- A A+", "Nghe đọc bài", "Cập nhật: 08:15, 03/02/2020"],
])
def test_date_under_the_headline_past_bylines_and_buttons(under):
    doc = clean_document("\n".join([_HEADLINE, *under, _BODY]))
    assert doc.title == _HEADLINE and doc.published == dt.date(2020, 2, 3)
    assert doc.text == _BODY


def test_headline_words_that_are_also_furniture_words_keep_the_headline():
    for headline in ("Gió đổi chiều ở vùng đất khó", "Giới thiệu 5 mô hình dân vận khéo tiêu biểu", "Gốc rễ của phong trào thi đua"):
        assert clean_document(headline + "\n" + _BODY).title == headline


def test_site_name_and_a_counter_beside_the_date_are_header():
    raw = "\n".join(["BÁO ĐIỆN TỬ ĐẢNG BỘ TỈNH TÂN PHƯỚC", "Xây dựng Đảng", _HEADLINE,
                     "Ngày đăng: 03/02/2020 | Lượt xem: 1.234 | Tác giả: Minh Thư", _BODY])
    doc = clean_document(raw)
    assert doc.title == _HEADLINE and doc.published == dt.date(2020, 2, 3) and doc.text == _BODY


def test_one_word_menu_lines_and_a_time_apart_from_its_date_are_header():
    raw = "\n".join(["Skip Navigation Links", "Home", "Thông tin", _HEADLINE, "16/12/2024", "08:15 (GMT+7)", _BODY])
    doc = clean_document(raw)
    assert doc.title == _HEADLINE and doc.published == dt.date(2024, 12, 16) and doc.text == _BODY


def test_a_huge_paragraph_is_no_header_and_is_read_quickly():
    import time

    raw = "Đảng bộ xã có 11 chi bộ với 192 đảng viên " * 40_000  # one 1.7 MB line without final period
    started = time.perf_counter()
    doc = clean_document(raw)
    assert time.perf_counter() - started < 5
    assert doc.title is None and doc.text == raw.strip()


def test_cached_line_checks_answer_as_the_checks_themselves(sample_documents):
    from analysis.clean import chrome, metadata

    checks = [chrome.is_chrome_line, chrome.is_contact_line, chrome.is_footer_marker, metadata.is_header_chrome,
              metadata.is_section_line, metadata.opens_with_breadcrumb, metadata.is_kicker, metadata.is_photo_credit,
              metadata.is_time_line]
    lines = [line for text in sample_documents["raw_text"] for line in text.split("\n")]
    lines += ["Xem thêm >>", "Điện thoại: 0903 123 456", "Kỷ niệm 95 năm thành lập Đảng:", "Ảnh: Hoàng Luân",
              "Thời sự Chính trị", "Thời Sự - Chính trị Hướng tới Đại hội Đảng bộ tỉnh", "08:15 AM (GMT+7)",
              "Xem thêm >> " + "x " * 400]  # the last is too long to be kept
    answers = {}
    for _ in range(2):  # the second round is answered from the caches
        for check in checks:
            for line in lines:
                answer = check(line)
                assert answer == check.__wrapped__(line), (check.__name__, line[:80])
                answers.setdefault(check.__name__, set()).add(answer)
    assert {name for name, seen in answers.items() if seen != {True, False}} == set()
