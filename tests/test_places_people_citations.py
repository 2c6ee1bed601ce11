"""Places, organizations, people and citations: who reported what, where."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from analysis.extract import citations, extract
from analysis.extract.organizations import find_organizations
from analysis.extract.people import find_people
from analysis.places import locate_documents, locate_text


@pytest.mark.parametrize(
    "text, source, province, district, commune",
    [
        ("Đảng ủy xã Phú Sơn (Chợ Lách) có 11 chi bộ với 192 đảng viên.", None, "Bến Tre", "Huyện Chợ Lách", "Xã Phú Sơn"),
        # Phú Tân is a district of both An Giang and Cà Mau: the communes decide.
        ("Phú Tân đẩy mạnh học tập và làm theo Bác. Đảng ủy xã Phú Lâm triển khai mô hình; tại xã Hiệp Xương, các chi bộ đăng ký.",
         None, "An Giang", "Huyện Phú Tân", None),
        ("Huyện ủy Phú Tân biểu dương các chi bộ ở xã Tân Hưng Tây và xã Việt Thắng.", None, "Cà Mau", "Huyện Phú Tân", None),
        ("Quận ủy Hà Đông tổ chức hội nghị sơ kết.", None, "Hà Nội", "Quận Hà Đông", None),
        ("Thành ủy TP Hồ Chí Minh trao Huy hiệu Đảng cho 500 đảng viên.", None, "Hồ Chí Minh", None, None),
        ("Ban Thường vụ Tỉnh ủy Sóc Trăng làm việc với Đoàn công tác.", None, "Sóc Trăng", None, None),
        ("Đảng bộ huyện Lục Yên có 543 mô hình.", None, "Yên Bái", "Huyện Lục Yên", None),
        ("Đảng bộ xã Việt Hưng trao Huy hiệu Đảng.", "https://vanlam.hungyen.gov.vn/portal/p=1", "Hưng Yên", None, "Xã Việt Hưng"),
    ],
)
def test_provinces_districts_communes(text, source, province, district, commune):
    place = locate_text(text, source)
    assert place["province"] == province
    if district:
        assert place["district"] == district
    if commune:
        assert place["commune"] == commune


def test_post_2025_province_and_coordinates():
    place = locate_text("Tỉnh ủy Hậu Giang tổ chức hội nghị.")
    assert place["province"] == "Hậu Giang" and place["province_2025"] == "Cần Thơ"
    assert 9 < place["latitude"] < 11 and 104 < place["longitude"] < 107
    assert locate_text("Thành ủy Hà Nội họp.")["province_2025"] == "Hà Nội"


@pytest.mark.parametrize("text, province, district", [
    # A district named like a province belongs to another province.
    ("Đảng bộ huyện Quảng Ninh kết nạp 120 đảng viên mới; Huyện ủy Quảng Ninh biểu dương 9 chi bộ.", "Quảng Bình", "Huyện Quảng Ninh"),
    ("Huyện ủy Hòa Bình trao Huy hiệu Đảng cho 35 đảng viên.", "Bạc Liêu", "Huyện Hòa Bình"),
    # The province Huế was before 2025: Thừa Thiên Huế, in any spelling.
    ("Ban Thường vụ Tỉnh ủy Thừa Thiên Huế làm việc với Đảng ủy Khối.", "Thừa Thiên Huế", None),
    ("Đảng bộ tỉnh TT-Huế có 820 tổ chức cơ sở đảng.", "Thừa Thiên Huế", None),
    ("Thành ủy Huế tổ chức lễ kết nạp đảng viên.", "Thừa Thiên Huế", None),
])
def test_district_and_province_names_that_look_alike(text, province, district):
    place = locate_text(text)
    assert place["province"] == province
    assert place["district"] == district


@pytest.mark.parametrize("text, source, province, province_2025, commune", [
    # 2025 wards and communes read back through the conversion table to their pre-2025 province.
    ("Đảng ủy phường Thủ Dầu Một, TP.HCM trao Huy hiệu Đảng cho 86 đảng viên. Thành ủy TP.HCM ghi nhận.", None,
     "Bình Dương", "Hồ Chí Minh", "Phường Thủ Dầu Một"),
    ("Đảng bộ phường Chánh Hiệp (TPHCM) kết nạp 14 đảng viên mới.", None, "Bình Dương", "Hồ Chí Minh", "Phường Chánh Hiệp"),
    ("Tỉnh ủy Đồng Tháp biểu dương. Đảng ủy phường Mỹ Tho có 42 chi bộ; Đảng ủy xã Tân Phước 1 có 18 chi bộ.", None,
     "Tiền Giang", "Đồng Tháp", None),
    ("Đảng ủy phường Quy Nhơn Đông, tỉnh Gia Lai tổng kết công tác xây dựng Đảng.", None, "Bình Định", "Gia Lai", None),
    ("Đảng ủy phường Bắc Nha Trang (Khánh Hòa) trao Huy hiệu Đảng.", None, "Khánh Hòa", "Khánh Hòa", None),
    # The host name says which of the merged provinces it is.
    ("Đảng ủy phường Thủ Dầu Một tổ chức hội nghị; Thành ủy TP.HCM chỉ đạo.", "https://baobinhduong.vn/bai-1.html",
     "Bình Dương", "Hồ Chí Minh", None),
    # After the reform the merged province's own paper covers all of it: the commune decides.
    ("Đảng ủy xã Mỹ Hạnh, tỉnh Tây Ninh kết nạp 9 đảng viên; Tỉnh ủy Tây Ninh ghi nhận.", "https://baotayninh.vn/tin-1.html",
     "Long An", "Tây Ninh", None),
    # A constituent's name that the merged province did not keep is unambiguous.
    ("Đảng ủy phường Chánh Hiệp kết nạp 14 đảng viên; Bình Dương cũ có hơn 100.000 đảng viên. TP.HCM chỉ đạo.", None,
     "Bình Dương", "Hồ Chí Minh", None),
    # A merged province named alone is the province of that name.
    ("Tỉnh ủy An Giang kết nạp 1.200 đảng viên trong 6 tháng đầu năm 2026 sau sáp nhập.", None, "An Giang", "An Giang", None),
])
def test_places_of_the_2025_map_keep_their_pre_2025_province(text, source, province, province_2025, commune):
    place = locate_text(text, source)
    assert (place["province"], place["province_2025"]) == (province, province_2025)
    if commune:
        assert place["commune"] == commune


def test_a_dated_article_after_the_reform_reads_province_names_as_the_merged_province():
    text = "Tỉnh ủy Đồng Tháp tổ chức hội nghị. Đảng ủy xã Mỹ Hạnh, tỉnh Tây Ninh kết nạp 9 đảng viên; Tỉnh ủy Tây Ninh ghi nhận."
    assert locate_text(text, published=dt.date(2025, 10, 2))["province"] == "Long An"
    # Before the reform Tây Ninh is Tây Ninh.
    assert locate_text("Tỉnh ủy Tây Ninh biểu dương 12 tập thể.", published=dt.date(2024, 3, 1))["province"] == "Tây Ninh"
    assert locate_text("Tỉnh ủy Tây Ninh biểu dương 12 tập thể.", published=dt.date(2025, 9, 1))["province"] == "Tây Ninh"
    # Undated, but written of the two-level local government: a commune of the old map decides.
    text = ("Sau 3 tháng vận hành chính quyền địa phương hai cấp, Tỉnh ủy Vĩnh Long biểu dương Đảng ủy xã Phú Sơn; "
            "Tỉnh ủy Vĩnh Long ghi nhận. Huyện Chợ Lách (cũ) có 10 xã.")
    assert locate_text(text)["province"] == "Bến Tre"


@pytest.mark.parametrize("source, province", [
    ("https://baocamau.vn/bai-viet-1.html", "Cà Mau"),  # a five-letter name at a label's end
    ("https://kimbang.hanam.gov.vn/Pages/tin-1.aspx", "Hà Nam"),
    ("https://hanoimoi.vn/tin-1", "Hà Nội"),
    ("https://laodongbinhduong.vn/tin-1", "Bình Dương"),
    ("https://baodaklak.vn/channel/1/tin-1", "Đắk Lắk"),
    ("https://dangcongsan.vn/tin-1.html", None),  # a national site names no province
    ("https://thanhnien.vn/tin-1.html", None),
])
def test_the_site_address_names_the_province(source, province):
    assert locate_text("Đảng ủy xã tổ chức lễ kết nạp 5 đảng viên mới.", source)["province"] == province


def test_older_spellings_of_province_names():
    assert locate_text("Ban Thường vụ Tỉnh ủy Đăk Lăk biểu dương 20 tập thể.")["province"] == "Đắk Lắk"
    assert locate_text("Tỉnh ủy Bà Rịa – Vũng Tàu kết nạp 300 đảng viên.")["province"] == "Bà Rịa - Vũng Tàu"


def test_regions_and_the_nation_are_not_provinces():
    for text in ("Các tỉnh Tây Nguyên kết nạp hơn 5.000 đảng viên người dân tộc thiểu số.",
                 "Vùng Đồng bằng sông Cửu Long có 13 tỉnh, thành phố với hơn 800.000 đảng viên.",
                 "Toàn quốc có hơn 5,6 triệu đảng viên; Việt Nam kết nạp 200.000 đảng viên mỗi năm."):
        assert locate_text(text)["province"] is None, text


def test_place_rules_are_validated_with_errors_that_say_where():
    from analysis.places import PlaceRulesError, place_rules_from

    good = {"renamed": {"thanhphohue": {"name": "Thừa Thiên Huế", "full": "Tỉnh Thừa Thiên Huế"}},
            "aliases": {"thanhphohue": ["TT-Huế"]}, "needs_unit_word": ["hòa bình"], "reform_cues": ["(cũ)"]}
    assert place_rules_from(good).renamed["thanhphohue"]["name"] == "Thừa Thiên Huế"
    for broken, message in (({**good, "extra": 1}, "expected exactly the keys"),
                            ({**good, "renamed": {"x": {"name": "X"}}}, "renamed.x must have exactly"),
                            ({**good, "aliases": {"tinhdaklak": "Đăk Lăk"}}, "aliases.tinhdaklak must be a list"),
                            ({**good, "needs_unit_word": ["", "hà nam"]}, "'needs_unit_word' must be a list")):
        with pytest.raises(PlaceRulesError, match=message):
            place_rules_from(broken, "places.yaml")


def test_undecidable_place_stays_missing():
    assert locate_text("Đảng bộ xã có 25 chi bộ. Công tác xây dựng Đảng được quan tâm.")["province"] is None
    # Two provinces named equally: a careful reader cannot tell.
    assert locate_text("Tỉnh ủy Gia Lai và Tỉnh ủy Lâm Đồng ban hành kế hoạch.")["province"] is None
    # "tư tưởng Hồ Chí Minh" names no place.
    assert locate_text("Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh.")["province"] is None


def test_site_chrome_is_evidence(sample_documents):
    located = locate_documents(sample_documents).set_index("doc_id")
    assert located.loc["001_c6073d5bad957edc", "province"] == "Trà Vinh"
    assert located.loc["001_c6073d5bad957edc", "district"] == "Huyện Cầu Ngang"
    assert located.loc["002_531ed475c210eb4f", "province"] == "An Giang"
    assert located.loc["004_7403d5d63bb36fa2", "province"] == "Hậu Giang"


def test_organizations_with_levels():
    text = ("Ban Thường vụ Tỉnh ủy Nghệ An, Huyện ủy Cầu Ngang, Thành ủy Tân An, Thành ủy Hà Nội, Đảng ủy xã Phú Sơn, "
            "Đảng ủy Khối các cơ quan tỉnh, Chi bộ ấp 3, Bộ Chính trị và Ủy ban Kiểm tra Huyện ủy.")
    levels = {o["name"]: (o["level"], o["kind"]) for o in find_organizations(text)}
    assert levels["Ban Thường vụ Tỉnh ủy Nghệ An"] == ("province", "standing_committee")
    assert levels["Huyện ủy Cầu Ngang"][0] == "district"
    assert levels["Thành ủy Tân An"][0] == "district"
    assert levels["Thành ủy Hà Nội"][0] == "province"
    assert levels["Đảng ủy xã Phú Sơn"][0] == "commune"
    assert levels["Đảng ủy Khối"][0] == "bloc"
    assert levels["Bộ Chính trị"][0] == "central"
    assert levels["Ủy ban Kiểm tra Huyện ủy"] == ("district", "board")


def test_organization_names_go_on_over_the_lowercase_syllables_of_a_word():
    # Only a word's first syllable is capitalised in a name: the name does not stop inside "Chính trị" or "Công an".
    text = ("Đảng bộ Trường Chính trị tỉnh tổ chức hội nghị. Đảng bộ Công an tỉnh Bến Tre có 20 chi bộ. "
            "Đảng ủy Bộ Chỉ huy Quân sự tỉnh kết nạp 12 đảng viên. Chi bộ Công ty Điện lực Long An họp. "
            "Đảng ủy Khối các cơ quan tỉnh và Huyện ủy Cầu Ngang.")
    names = [o["name"] for o in find_organizations(text)]
    assert names[:4] == ["Đảng bộ Trường Chính trị tỉnh", "Đảng bộ Công an tỉnh Bến Tre", "chi bộ",
                         "Đảng ủy Bộ Chỉ huy Quân sự tỉnh"]
    assert "Chi bộ Công ty Điện lực Long An" in names
    assert "Đảng ủy Khối" in names and "Huyện ủy Cầu Ngang" in names  # a lowercase word that is no compound still ends a name


def test_mentions_carry_their_organization():
    docs = pd.DataFrame({"doc_id": ["d"], "text": [
        "Huyện ủy Tam Bình tổ chức hội nghị. Đảng ủy xã Phú Sơn có 11 chi bộ với 192 đảng viên. Toàn huyện kết nạp 25 đảng viên mới."]})
    m = extract(docs, references=False).set_index("value")
    assert m.loc[192, "organization"] == "Đảng ủy xã Phú Sơn" and m.loc[192, "organization_level"] == "commune"
    assert m.loc[192, "organization_source"] == "sentence"
    assert m.loc[25, "organization"] == "Toàn huyện"


@pytest.mark.parametrize(
    "text, name, titles",
    [
        ("Đoàn do đồng chí Cao Văn Dũng, Ủy viên Ban Thường vụ Tỉnh ủy, Trưởng Ban Tuyên giáo Tỉnh ủy, Hiệu trưởng Trường "
         "Chính trị tỉnh làm trưởng đoàn.", "Cao Văn Dũng",
         ["Ủy viên Ban Thường vụ Tỉnh ủy", "Trưởng Ban Tuyên giáo Tỉnh ủy", "Hiệu trưởng Trường Chính trị tỉnh"]),
        ("Bí thư Tỉnh ủy Long An Nguyễn Văn Được phát biểu.", "Nguyễn Văn Được", ["Bí thư Tỉnh ủy Long An"]),
        ("Theo bà Nguyễn Thị Tuyết Loan, Bí thư Đảng ủy, Hiệu trưởng Trường Chính trị tỉnh, công tác được quan tâm.",
         "Nguyễn Thị Tuyết Loan", ["Bí thư Đảng ủy", "Hiệu trưởng Trường Chính trị tỉnh"]),
        ("Phó Bí thư Đảng ủy xã Phú Lâm Nhan Thị Ngọc Minh cho biết.", "Nhan Thị Ngọc Minh", ["Phó Bí thư Đảng ủy xã Phú Lâm"]),
    ],
)
def test_people_with_chains_of_titles(text, name, titles):
    people = {p["name"]: p["titles"] for p in find_people(text)}
    assert people[name] == titles


def test_citation_table_groups_by_locality_and_year():
    docs = pd.DataFrame({
        "doc_id": ["a", "b", "c"],
        "text": [
            "Thực hiện Chỉ thị số 05-CT/TW ngày 15-5-2016 của Bộ Chính trị (khóa XII); Quy định số 272-QĐ/TU của Tỉnh ủy.",
            "Sơ kết Chỉ thị 05-CT/TƯ và Kết luận 01-KL/TW; Chỉ thị số 03 của Bộ Chính trị; Nghị quyết Trung ương 4 (khóa XII).",
            "Quyết định số 1436/QĐ-UBND tặng bằng khen; Kế hoạch số 76-KH/HU, ngày 24/3/2022 của Ban Thường vụ Huyện ủy.",
        ],
        "province": ["Bến Tre", "Hà Nội", "Bến Tre"],
        "published": pd.to_datetime(["2023-11-13", "2021-04-12", "2022-05-01"]),
    })
    table = citations(docs)
    counts = table[table.code == "05-CT/TW"].groupby(["province", "published_year"]).size()
    assert counts.to_dict() == {("Bến Tre", 2023): 1, ("Hà Nội", 2021): 1}
    row = table[(table.doc_id == "a") & (table.code == "05-CT/TW")].iloc[0]
    assert (row.type_word, row.date, row.term, row.issuer_level, row.issued_by) == ("chỉ thị", "2016-05-15", "XII", "central", "Bộ Chính trị")
    assert table.set_index("code").loc["272-QĐ/TU", "issuer_level"] == "province"
    assert table.set_index("code").loc["76-KH/HU", "date"] == "2022-03-24"
    assert table.set_index("code").loc["1436/QĐ-UBND", "style"] == "state"
    uncoded = table[~table.coded].set_index("code")
    assert uncoded.loc["CT 03", "issuer_level"] == "central"
    assert uncoded.loc["NQ TW4 khóa XII", "style"] == "plenum"
    docs_text = docs.set_index("doc_id")["text"]
    for r in table.itertuples():
        assert docs_text[r.doc_id][r.start : r.end] == r.matched_text


def test_documents_command_reports_both_provinces_and_reads_the_date(tmp_path):
    import json
    import subprocess
    import sys

    corpus = tmp_path / "c.jsonl"
    rows = [
        {"id": "after", "url": None, "text": "Thứ Năm, 02/10/2025\nĐảng ủy phường Thủ Dầu Một kết nạp 20 đảng viên\n"
         "Sáng 1/10, Đảng ủy phường Thủ Dầu Một tổ chức lễ kết nạp 20 đảng viên. Thành ủy TP.HCM chỉ đạo."},
        {"id": "before", "url": "https://baotayninh.vn/a-1.html", "text": "Tỉnh ủy Tây Ninh biểu dương 12 tập thể\n"
         "Cập nhật ngày: 05/03/2021 - 10:00\nSáng 4/3, Tỉnh ủy Tây Ninh biểu dương 12 tập thể tiêu biểu."},
    ]
    corpus.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
    out = tmp_path / "d.jsonl"
    proc = subprocess.run([sys.executable, "-m", "analysis", "documents", str(corpus), "--out", str(out), "--quiet"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    got = {r["doc_id"]: r for r in map(json.loads, out.read_text("utf-8").splitlines())}
    assert (got["after"]["province"], got["after"]["province_2025"], got["after"]["published"]) == ("Bình Dương", "Hồ Chí Minh", "2025-10-02")
    assert (got["before"]["province"], got["before"]["province_2025"], got["before"]["published"]) == ("Tây Ninh", "Tây Ninh", "2021-03-05")
