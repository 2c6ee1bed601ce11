"""Places, organizations, people and citations: who reported what, where."""
from __future__ import annotations

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
