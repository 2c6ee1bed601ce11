"""Facts and the counting model: subjects, levels, periods, and tables without double counting."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from analysis import aggregate as agg
from analysis.extract import extract
from analysis.facts import FACT_COLUMNS, build_facts, find_subjects, identify, near_duplicates, subject_at, subject_vocabulary
from analysis.periods import document_year, period_of, url_date

GOLD_DEV = Path("/work/shared/gold/dev")


def articles(*items: dict) -> pd.DataFrame:
    """Documents as the store holds them (the text is the cleaned body)."""
    rows = []
    for i, item in enumerate(items):
        rows.append({"doc_id": item.get("doc_id", f"a{i}"), "text": item["text"], "title": item.get("title"),
                     "published": pd.Timestamp(item["published"]) if item.get("published") else pd.NaT,
                     "source": item.get("source", f"https://bao.example.vn/{i}.html"), "province": item.get("province"),
                     "province_2025": item.get("province_2025"), "district": item.get("district"),
                     "commune": item.get("commune"), "duplicate_of": None})
    return pd.DataFrame(rows)


def mentions_of(docs: pd.DataFrame) -> pd.DataFrame:
    """Mentions of every document, whatever its topic, without the topic flag (a missing column means on topic)."""
    return extract(docs, references=False, all_topics=True).drop(columns="off_topic", errors="ignore")


def facts_of(*items: dict) -> pd.DataFrame:
    docs = articles(*items)
    return build_facts(mentions_of(docs), docs)


def fact(**values) -> dict:
    """A fact as ``build_facts`` makes it, with the given values (counted, one year)."""
    year = values.get("year", 2023)
    row = dict.fromkeys(FACT_COLUMNS)
    row.update(fact_id=f"f{id(values)}", doc_id="d", indicator="party_members", kind="stock", qualifier="exact",
               counted=True, period_kind="as_of", period_start=dt.date(year, 12, 31), period_end=dt.date(year, 12, 31),
               period_source="sentence", province="Bến Tre", province_2025="Vĩnh Long", year=year)
    row.update(values)
    return row


def table(*rows: dict) -> pd.DataFrame:
    frame = pd.DataFrame([{**r, "fact_id": f"f{i}"} for i, r in enumerate(rows)], columns=FACT_COLUMNS)
    return frame.astype({"year": "Int64", "counted": "boolean", "value": "float64"})


# --- subjects and levels -------------------------------------------------------
def test_party_committee_and_party_organization_of_a_commune_are_one_identity():
    gia = {"province": "Bến Tre", "district": "Huyện Chợ Lách"}
    vocab = subject_vocabulary()
    keys = set()
    for sentence in ("Đảng uỷ xã Phú Sơn có 11 chi bộ.", "Đảng bộ xã Phú Sơn có 192 đảng viên."):
        identity = identify(subject_at(sentence, sentence.index("có")), gia, vocab)
        assert identity.level == "commune" and identity.province == "Bến Tre"
        keys.add(identity.org_key)
        assert identity.organization == "Đảng bộ xã Phú Sơn"
    assert len(keys) == 1 and next(iter(keys)).startswith("commune:83.")  # the gazetteer code of a Bến Tre commune


def test_a_region_is_not_the_province_of_the_article():
    text = ("Hiện nay, toàn vùng Tây Nguyên có 89 đảng bộ trực thuộc, 3.549 tổ chức cơ sở đảng, "
            "7.805 chi bộ trực thuộc đảng bộ cơ sở, 194.545 đảng viên.")
    f = facts_of({"text": text, "province": "Gia Lai", "published": "2023-05-04"})
    members = f[f["indicator"] == "party_members"].iloc[0]
    assert members["value"] == 194545 and members["level"] == "region" and members["organization"] == "Vùng Tây Nguyên"
    assert pd.isna(members["province"])
    table = agg.province_year(f)
    assert "Gia Lai" not in set(table["province"])


def test_national_figures_and_a_mere_mention_of_the_nation():
    assert subject_at("Cả nước hiện có hơn 5,3 triệu đảng viên.", 20).level == "national"
    sentence = "Quảng Ninh là tỉnh đầu tiên trong cả nước ban hành quy định, với 7.300 mô hình."
    assert subject_at(sentence, sentence.index("7.300")) is None  # the nation is named, the figure is the province's


def test_levels_of_committees_blocs_enterprises_and_cells():
    levels = {s.written: s.level for s in find_subjects(
        "Huyện ủy Chợ Lách, Đảng bộ Khối Doanh nghiệp, Đảng bộ Công ty Điện lực Bến Tre, Chi bộ Ấp 3 và Tỉnh ủy Bến Tre")}
    assert levels == {"Huyện ủy Chợ Lách": "district", "Đảng bộ Khối Doanh nghiệp": "bloc", "Đảng bộ Công ty Điện lực Bến Tre": "enterprise",
                      "Chi bộ Ấp": "cell", "Tỉnh ủy Bến Tre": "province"}


def test_a_unit_after_a_number_is_not_a_subject():
    sentence = "Đảng bộ huyện có 45 chi bộ trực thuộc đảng bộ cơ sở, 1.590 đảng viên."
    assert subject_at(sentence, sentence.index("1.590")).written == "Đảng bộ huyện"


# --- periods -------------------------------------------------------------------
PUBLISHED = dt.date(2023, 11, 13)


def test_anniversary_spans_are_not_periods():
    for sentence in ("Nhân dịp kỷ niệm 105 năm Cách mạng Tháng Mười Nga (7-11-1917 – 7-11-2022), trao Huy hiệu Đảng cho 220 đảng viên.",
                     "Nhân kỷ niệm 88 năm Ngày thành lập Đảng (3/2/1930-3/2/2018), 44 đảng viên được tặng huy hiệu Đảng."):
        period = period_of(sentence, sentence.index("đảng viên"), PUBLISHED)
        assert period.source == "published" and period.year == 2023
        undated = period_of(sentence, None, None, None)  # only the anniversary's date is known
        assert undated.source == "anniversary" and undated.year in (2022, 2018)


def test_as_of_date_term_and_months():
    period = period_of("Tính đến ngày 31/12/2022, toàn tỉnh có 51.349 đảng viên.", 30, PUBLISHED)
    assert (period.kind, period.end, period.source) == ("as_of", dt.date(2022, 12, 31), "sentence")
    term = period_of("Nhiệm kỳ 2020-2025, Đảng bộ kết nạp 300 đảng viên.", 30, PUBLISHED)
    assert (term.start, term.end, term.year, term.multi_year) == (dt.date(2020, 1, 1), dt.date(2025, 12, 31), None, True)
    half = period_of("6 tháng đầu năm 2023, toàn huyện kết nạp 120 đảng viên.", 40, PUBLISHED)
    assert (half.start, half.end, half.year) == (dt.date(2023, 1, 1), dt.date(2023, 6, 30), 2023)
    unstated_year = period_of("Sáu tháng đầu năm, toàn huyện kết nạp 120 đảng viên.", 40, dt.date(2021, 7, 2))
    assert (unstated_year.start, unstated_year.end) == (dt.date(2021, 1, 1), dt.date(2021, 6, 30))


def test_years_before_now_are_a_span_not_one_year():
    two = period_of("Qua 2 năm thực hiện, toàn tỉnh có 543 mô hình.", 30, PUBLISHED)
    assert two.multi_year and two.start.year == 2022 and two.year is None
    five = period_of("Qua 5 năm, đã khen thưởng 12.921 tập thể.", 20, PUBLISHED)
    assert five.start.year == 2019 and five.end == PUBLISHED


def test_no_stated_period_falls_back_to_publication_then_the_article():
    period = period_of("Đảng bộ xã có 192 đảng viên.", 15, PUBLISHED)
    assert (period.source, period.end) == ("published", PUBLISHED)
    assert period_of("Đảng bộ xã có 192 đảng viên.", 15, None, 2021).source == "document"
    assert period_of("Đảng bộ xã có 192 đảng viên.", 15, None, None).source == "none"
    assert document_year("Năm 2021 … theo Chỉ thị ngày 15/5/2016 … đến tháng 3/2023 đạt 90%.") == 2023
    assert url_date("https://baobariavungtau.com.vn/chinh-tri/202308/thanh-lap-chi-bo-988238/") == dt.date(2023, 8, 1)
    assert url_date("http://x.vn/dai-hoi-nhiem-ky-2020-2025-707.html") is None


def test_a_comparison_year_is_not_the_period():
    sentence = "kết nạp 2.270 đảng viên, đạt 2,98% so với tổng số đảng viên cuối năm 2017, nâng tổng số đảng viên toàn tỉnh lên 78.047 đảng viên."
    assert period_of(sentence, sentence.index("78.047"), dt.date(2018, 10, 8)).source == "published"


# --- counting: facts excluded, repeated, copied -----------------------------------
def test_proposal_and_subset_are_not_counted():
    f = facts_of({"text": "Năm 2023, Đảng bộ xã Phú Sơn có 192 đảng viên, trong đó có 50 đảng viên nữ. "
                          "Đảng ủy đề nghị huyện khen thưởng 3 tập thể.", "province": "Bến Tre"})
    reasons = dict(zip(f["value"], f["reason"], strict=True))
    assert f.set_index("value").loc[192, "counted"]
    assert "subset" in reasons[50] and "proposal" in reasons[3]


def test_two_articles_reporting_the_same_event_count_once():
    one = "Ngày 2/9/2023, Huyện ủy Chợ Lách tổ chức lễ trao Huy hiệu Đảng cho 71 đảng viên. Lãnh đạo huyện dự."
    other = "Sáng 2/9/2023, tại hội trường, Huyện ủy Chợ Lách đã trao Huy hiệu Đảng cho 71 đảng viên cao tuổi đảng."
    f = facts_of({"text": one, "province": "Bến Tre"}, {"text": other, "province": "Bến Tre"})
    badges = f[f["indicator"] == "badges"]
    assert badges["counted"].tolist() == [True, False]
    assert badges["reason"].iloc[1] == "the same fact in another article" and badges["same_as"].iloc[1] == badges["fact_id"].iloc[0]
    assert agg.province_year(f).set_index("indicator").loc["badges", "value"] == 71


def test_a_syndicated_copy_counts_once():
    text = ("Năm 2023, Đảng bộ xã Phú Sơn kết nạp 12 đảng viên mới, khen thưởng 7 tập thể và 33 cá nhân có thành tích "
            "xuất sắc trong học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh; xây dựng 5 mô hình mới. "
            "Đồng chí Bí thư Đảng ủy xã yêu cầu các chi bộ tiếp tục đổi mới nội dung, phương thức sinh hoạt, nâng cao chất "
            "lượng đảng viên, gắn việc học tập và làm theo Bác với nhiệm vụ phát triển kinh tế - xã hội của địa phương, "
            "chăm lo đời sống nhân dân, xây dựng Đảng bộ trong sạch, vững mạnh.")
    copy = "Theo báo Đồng Khởi. " + text.replace("xuất sắc", "xuất sắc,") + " (Nguồn: Đồng Khởi)"
    assert near_duplicates({"a": text, "b": copy, "c": "Năm 2022, huyện Chợ Lách trao Huy hiệu Đảng cho 40 đảng viên."}) == {"b": "a"}
    f = facts_of({"text": text, "province": "Bến Tre"}, {"text": copy, "province": "Bến Tre"})
    assert set(f.loc[f["doc_id"] == "a1", "reason"]) == {"copy of another article"}
    assert f.loc[f["doc_id"] == "a0", "counted"].all()


def test_off_topic_articles_are_not_counted_and_a_missing_column_is_false():
    docs = articles({"text": "Năm 2023, Đảng bộ xã Phú Sơn có 192 đảng viên.", "province": "Bến Tre"})
    mentions = mentions_of(docs)
    assert "off_topic" not in mentions.columns and build_facts(mentions, docs)["counted"].all()
    flagged = build_facts(mentions.assign(off_topic=True), docs)
    assert not flagged["counted"].any() and set(flagged["reason"]) == {"article off topic"}


# --- counting: nesting, stocks, flows ------------------------------------------------
def test_a_province_reports_its_own_total_else_its_units_are_summed_partially():
    commune = fact(value=192, org_key="commune:83.831.29005", level="commune", unit_code="83.831.29005", organization="Đảng bộ xã Phú Sơn")
    other_commune = fact(value=150, org_key="commune:83.835.29100", level="commune", unit_code="83.835.29100")
    district = fact(value=4000, org_key="district:83.831", level="district", unit_code="83.831", organization="Đảng bộ huyện Chợ Lách")
    province = fact(value=51000, org_key="province:83", level="province", unit_code="83", organization="Đảng bộ tỉnh Bến Tre")
    own = agg.province_year(table(commune, district, province)).iloc[0]
    assert (own["value"], own["level"], own["partial"], own["n_facts"]) == (51000, "province", False, 3)
    assert own["how"].startswith("reported by the province")
    units = agg.province_year(table(commune, other_commune, district)).iloc[0]
    # The commune inside the reported district is not added again; the other district's commune is.
    assert (units["value"], units["n_units"], units["partial"]) == (4150, 2, True)
    assert units["how"] == "sum of 2 units (partial)" and units["level"] == "district,commune"
    assert set(units["fact_ids"].split(",")) == {"f1", "f2"}


def test_a_stock_is_the_latest_level_never_a_sum_over_time():
    early = fact(value=50000, org_key="province:83", level="province", year=2022, period_end=dt.date(2022, 6, 30),
                 period_start=dt.date(2022, 6, 30))
    late = fact(value=51349, org_key="province:83", level="province", year=2022)
    next_year = fact(value=52000, org_key="province:83", level="province", year=2023)
    t = agg.province_year(table(early, late, next_year)).set_index("year")
    assert t.loc[2022, "value"] == 51349 and t.loc[2023, "value"] == 52000
    assert t.loc[2022, "as_of"] == dt.date(2022, 12, 31) and "latest as of 2022-12-31" in t.loc[2022, "how"]


def test_a_five_year_total_beside_yearly_figures():
    f = facts_of({"text": "Qua 5 năm thực hiện Chỉ thị 05, Đảng bộ huyện Chợ Lách đã khen thưởng 500 tập thể. "
                          "Trong năm 2023, Đảng bộ huyện Chợ Lách khen thưởng 100 tập thể.",
                  "province": "Bến Tre", "published": "2023-12-20"},
                 {"text": "Năm 2022, Huyện ủy Chợ Lách khen thưởng 90 tập thể.", "province": "Bến Tre"})
    five = f[f["value"] == 500].iloc[0]
    assert not five["counted"] and five["reason"] == "total over 2019–2023, not one year"
    t = agg.province_year(f).set_index("year")
    assert t.loc[2023, "value"] == 100 and t.loc[2022, "value"] == 90  # a flow per year, the five-year total apart


def test_flows_of_one_organization_are_summed_over_distinct_events():
    first = fact(indicator="badges", kind="flow", value=70, org_key="province:83", level="province", period_kind="date",
                 period_start=dt.date(2023, 2, 3), period_end=dt.date(2023, 2, 3))
    second = fact(indicator="badges", kind="flow", value=455, org_key="province:83", level="province", period_kind="date",
                  period_start=dt.date(2023, 9, 2), period_end=dt.date(2023, 9, 2))
    row = agg.province_year(table(first, second)).iloc[0]
    assert row["value"] == 525 and row["how"] == "reported by the province, sum of 2 events"
    assert agg.organization_year(table(first, second)).iloc[0]["how"] == "sum of 2 events"


# --- catalog ---------------------------------------------------------------------
def test_the_catalog_gives_kinds_and_labels(tmp_path):
    catalog = agg.default_catalog().set_index("indicator")
    assert catalog.loc["party_members", "kind"] == "stock" and catalog.loc["badges", "kind"] == "flow"
    assert agg.label("party_members", "en") == "Party members" and agg.label("party_members", "vi") == "Đảng viên"
    import yaml

    from analysis.extract.rules import RulesError, default_rules_path, parse_rules

    data = yaml.safe_load(default_rules_path().read_text("utf-8"))
    data["indicators"]["models"]["kind"] = "level"
    with pytest.raises(RulesError, match=r"indicators\.models\.kind: 'level' is not one of stock, flow"):
        parse_rules(data, "my.yaml")


# --- the dev store ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def dev_store(tmp_path_factory):
    if not GOLD_DEV.is_dir():
        pytest.skip("the gold dev articles are not on this machine")
    from analysis.build import build

    folder = tmp_path_factory.mktemp("dev")
    corpus = folder / "dev.jsonl"
    with corpus.open("w", encoding="utf-8") as out:
        for path in sorted(GOLD_DEV.glob("*.json")):
            article = json.loads(path.read_text("utf-8"))
            out.write(json.dumps({"id": article["id"], "url": article["url"], "text": article["text"]}, ensure_ascii=False) + "\n")
    rules = folder / "rules.yaml"
    text = Path("analysis/rules/indicators.yaml").read_text("utf-8")
    rules.write_text(text.replace("\nindicators:\n", "\nindicators:\n  houses_built:\n    label: Houses built\n    kind: flow\n"
                                  "    labels: {vi: Nhà được xây, en: Houses built}\n    patterns:\n"
                                  "      - id: houses_built.built\n        units: [house]\n"
                                  "        before: [cất, xây dựng, bàn giao, khánh thành, xây mới]\n", 1)
                     .replace("\nunits:\n", "\nunits:\n  house: [căn nhà, ngôi nhà, nhà đại đoàn kết, nhà tình nghĩa]\n", 1), "utf-8")
    build([corpus], store=folder / "store", workers=1, quiet=True, rules=rules)
    return folder / "store"


def test_dev_store_facts_have_years_and_regions(dev_store):
    from analysis.store import connect

    with connect(dev_store) as con:
        counted, with_year, early = con.execute(
            "SELECT count(*), count(year), count(*) FILTER (WHERE year < 1975) FROM facts WHERE counted").fetchone()
        region = con.execute("SELECT level, province FROM facts WHERE indicator = 'party_members' AND value = 194545").fetchall()
        houses = con.execute("SELECT count(*) FROM facts WHERE indicator = 'houses_built'").fetchone()[0]
        catalog = {row[0] for row in con.execute("SELECT indicator FROM indicators").fetchall()}
        py = con.execute("SELECT province, year, indicator, value, how, level, n_facts, partial FROM province_year").df()
    assert counted > 50 and with_year / counted >= 0.95 and early == 0
    assert region == [("region", None)]
    assert "houses_built" in catalog and houses >= 1
    assert not ((py["province"] == "Gia Lai") & (py["value"] == 194545)).any()


def test_fact_ids_of_an_article_do_not_depend_on_the_articles_before_it():
    # Reports key on what they read: a new article must not renumber the facts of every later one.
    later = {"doc_id": "later", "text": "Đảng bộ xã có 320 đảng viên, sinh hoạt tại 18 chi bộ.", "published": "2024-03-01"}
    earlier = {"doc_id": "earlier", "text": "Năm 2023, huyện kết nạp 145 đảng viên mới.", "published": "2024-01-05"}
    alone = facts_of(later)
    after_another = facts_of(earlier, later)
    assert len(alone) == 2 and len(after_another) > len(alone)
    assert list(alone["fact_id"]) == list(after_another.loc[after_another["doc_id"] == "later", "fact_id"])


def test_near_duplicates_sign_only_the_first_words_of_a_huge_page():
    # Bounded work per document: a page longer than max_words is signed by its beginning.
    from analysis.facts import NearDuplicates

    opening = " ".join(f"từ{i} chi bộ đảng viên" for i in range(300))
    finder = NearDuplicates(max_words=1000)
    assert finder.add("a", opening + " " + "khác hẳn " * 5000) is None
    assert finder.add("b", opening + " " + "một đoạn khác " * 5000) == "a"  # the same first 1 000 words
    assert NearDuplicates().add("c", opening) is None and finder.add("d", "ngắn quá") is None
