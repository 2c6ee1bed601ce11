"""Cleaning: tone placement, page chrome, headline, date and byline."""
from __future__ import annotations

import datetime as dt

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
