"""The portal: report summaries from a real store, the site of a reports folder the runner filled (an ok and a
failed report), province pages, the search data, escaping, Vietnamese typography and order, no-change runs."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from conftest import write_notebook

from analysis import portal
from analysis.build import build
from analysis.collation import sort_key
from analysis.report import ReportError, run_report


@pytest.fixture(scope="module")
def store(tmp_path_factory, sample_dir):
    path = tmp_path_factory.mktemp("store")
    build(sample_dir, store=path, workers=1, quiet=True)
    return path


@pytest.fixture(scope="module")
def sample_tables(store):
    from analysis.aggregate import load_tables

    return load_tables(str(store))


def _notebook(path: Path, *cells: str) -> Path:
    """A notebook with the report parameters the runner passes (store, province, dates, title, language)."""
    return write_notebook(path, 'store = None\nprovince = None\ndate_from = None\ndate_to = None\ntitle = "t"\nlanguage = "vi"',
                          *cells)


def _search_data(page: str) -> dict:
    found = re.search(r'<script type="application/json" id="portal-data">(.*?)</script>', page, re.S)
    assert found, "the page carries its search data"
    return json.loads(found.group(1))


def _card(page: str, name: str) -> str:
    start = page.index(f'id="r-{name}"')
    return page[start:page.index("</article>", start)]


# --- summaries -----------------------------------------------------------------------------
def test_summary_has_the_key_figures_of_the_store(store, sample_tables):
    summary = portal.summarize({"store": str(store), "title": "x"})
    docs = sample_tables["documents"]
    assert summary["documents"] == len(docs)
    dated = docs["published"].dropna()
    assert (summary["first"], summary["last"]) == (dated.min().date().isoformat(), dated.max().date().isoformat())
    assert summary["undated"] == int(docs["published"].isna().sum()) and summary["undated_left_out"] == 0
    assert {p["name"] for p in summary["provinces"]} == set(docs["province"].dropna())
    assert sum(p["documents"] for p in summary["provinces"]) == docs["province"].notna().sum()
    # Directives: the most cited coded directive of the store comes first, with its count.
    coded = sample_tables["citations"][sample_tables["citations"]["coded"]]
    top = coded["code"].value_counts()
    first = coded[coded["code"] == top.index[0]]
    assert summary["directives"][0] == {"code": top.index[0], "citations": int(top.iloc[0]), "documents": first["doc_id"].nunique(),
                                        "type_words": portal.directive_type_words()[first["doc_type"].iloc[0]]}
    assert portal.directive_type_words()["CT"] == ["chỉ thị"]  # from the rules' references.types
    # Headline figures: the province × year values of the counting model, labelled in both languages.
    members = next(f for f in summary["figures"] if f["indicator"] == "party_members")
    table = sample_tables["province_year"]
    row = table[(table["indicator"] == "party_members") & (table["province"] == members["province"])
                & (table["year"] == members["year"])].iloc[0]
    assert members["value"] == row["value"] and members["label"] == {"vi": "Đảng viên", "en": "Party members"}
    assert members["text"]["vi"].replace(".", "") == f"{row['value']:.0f}"
    latest = summary["by_province"][members["province"]]
    assert any(f["indicator"] == "party_members" and f["year"] == members["year"] for f in latest)
    json.dumps(summary)  # what the runner stores in latest.json


def test_summary_follows_the_report_filters(store, sample_tables):
    docs = sample_tables["documents"]
    province = docs.loc[docs["published"].notna(), "province"].dropna().iloc[0]
    own = portal.summarize({"store": str(store), "province": province})
    assert own["documents"] == int((docs["province"] == province).sum())
    assert [p["name"] for p in own["provinces"]] == [province]
    assert all(f["province"] == province for f in own["figures"])
    first = docs["published"].dropna().min().date()
    dated = portal.summarize({"store": str(store), "date_from": first.isoformat()})
    assert dated["documents"] == int(docs["published"].notna().sum())  # undated articles are left out…
    assert dated["undated"] == 0 and dated["undated_left_out"] == int(docs["published"].isna().sum())  # …and counted


def test_a_summary_that_cannot_be_made_is_a_record_not_a_crash(tmp_path):
    assert portal.summarize({"title": "no store"}) == {}
    missing = portal.summarize({"store": str(tmp_path / "nowhere")})
    assert set(missing) == {"error"} and "nowhere" in missing["error"]


# --- the site of a reports folder --------------------------------------------------------------
@pytest.fixture(scope="module")
def site(store, root, tmp_path_factory):
    """A reports folder the runner filled: Bến Tre's report and the whole store's (ok), one that has never run
    well, and the whole store's report failing on its next run (its last good output stays linked)."""
    patch = pytest.MonkeyPatch()  # kernels import the package under test, not another installed copy
    patch.setenv("PYTHONPATH", os.pathsep.join(p for p in (str(root), os.environ.get("PYTHONPATH")) if p))
    work = tmp_path_factory.mktemp("site")
    ok = _notebook(work / "nb" / "ok.ipynb", "print(title)")
    broken = _notebook(work / "nb" / "broken.ipynb", "raise ValueError('no such column: khen_thuong')")
    out = work / "reports"
    run_report(ok, out, {"store": str(store), "province": "Bến Tre", "title": "Báo cáo Bến Tre"}, name="province-ben-tre")
    run_report(ok, out, {"store": str(store), "title": "Toàn bộ dữ liệu"}, name="all", formats=("html",))
    for name in ("never", "all"):
        with pytest.raises(ReportError):
            run_report(broken, out, {"store": str(store), "title": "Tiêu đề"}, name=name, formats=("html",))
    patch.undo()
    portal.write_index(out)
    return out


def test_index_has_a_card_per_report_with_its_state_and_figures(site):
    page = (site / "index.html").read_text("utf-8")
    ben_tre = _card(page, "province-ben-tre")
    assert 'class="status ok"' in ben_tre and "Báo cáo Bến Tre" in ben_tre
    assert 'href="province-ben-tre/latest.html"' in ben_tre and 'href="province-ben-tre/latest.pdf"' in ben_tre
    summary = json.loads((site / "province-ben-tre" / "latest.json").read_text("utf-8"))["summary"]
    assert summary["documents"] >= 1 and f"<dt>{summary['documents']}</dt>" in ben_tre
    for figure in summary["figures"][:portal.CARD_FIGURES]:
        assert f'<div class="value">{figure["text"]["vi"]}</div>' in ben_tre.replace("&gt;", ">")
    assert 'href="provinces/ben-tre.html"' in ben_tre

    failed = _card(page, "all")  # failed now, its last good run still linked
    assert 'class="status failed"' in failed and "ValueError: no such column: khen_thuong" in failed
    assert 'href="all/latest.html"' in failed and re.search(r'href="all/\d{8}-\d{6}-\d{6}/report.ipynb"', failed)
    assert "05-CT/TW" in failed  # the key figures of the last good run
    never = _card(page, "never")
    assert 'class="status failed"' in never and "latest.html" not in never
    assert page.count('class="status failed"') == 2 and page.count('class="status ok"') == 1


def test_province_pages_list_the_province_reports_and_figures(site):
    page = (site / "provinces" / "ben-tre.html").read_text("utf-8")
    assert "<h2>Bến Tre</h2>" in page and 'href="../province-ben-tre/latest.html"' in page
    assert 'id="r-all"' in page  # the whole store's report has Bến Tre's articles too
    summary = json.loads((site / "province-ben-tre" / "latest.json").read_text("utf-8"))["summary"]
    for figure in summary["by_province"]["Bến Tre"]:
        assert f"<td>{figure['label']['vi']}</td>" in page
    assert 'href="../index.html"' in page
    # One page per province of the reports, and none other.
    provinces = {p["name"] for p in json.loads((site / "all" / "latest.json").read_text("utf-8"))["summary"]["provinces"]}
    assert {p.name for p in (site / "provinces").iterdir()} == {f"{portal.province_slug(p)}.html" for p in provinces}


def test_search_data_finds_reports_provinces_and_directives(site):
    data = _search_data((site / "index.html").read_text("utf-8"))
    entries = {(e["k"], e["t"]): e for e in data["entries"]}
    assert entries[("province", "Bến Tre")]["h"] == "provinces/ben-tre.html"
    assert entries[("province", "Bến Tre")]["f"] == portal.fold("BẾN TRE") == "ben tre"
    assert set(portal.fold("chỉ thị 05").split()) <= set(entries[("directive", "05-CT/TW")]["f"].split())  # its type words
    assert entries[("directive", "05-CT/TW")]["h"] == "index.html?q=05-CT%2FTW"  # the cards that cite it
    assert entries[("report", "Báo cáo Bến Tre")]["h"] == "province-ben-tre/latest.html"
    assert entries[("report", "never")]["h"] == "index.html#r-never"  # no good run (so no title): its card
    on_province_page = _search_data((site / "provinces" / "ben-tre.html").read_text("utf-8"))
    assert on_province_page["entries"] == data["entries"]  # the same site-relative links, from ../


def test_a_run_that_changes_nothing_rewrites_nothing(site):
    files = [site / "index.html", *sorted((site / "provinces").iterdir())]
    before = {f: (f.stat().st_mtime_ns, f.read_bytes()) for f in files}
    portal.write_index(site)
    assert {f: (f.stat().st_mtime_ns, f.read_bytes()) for f in files} == before
    # A new failure changes the index (and the pages that show that report), nothing else.
    portal.write_index(site, {"province-ben-tre": "province-ben-tre: a cell ran longer than 600 s"})
    assert before[site / "index.html"][1] != (site / "index.html").read_bytes()
    assert before[site / "provinces" / "ben-tre.html"][1] != (site / "provinces" / "ben-tre.html").read_bytes()
    assert (site / "provinces" / "long-an.html").stat().st_mtime_ns == before[site / "provinces" / "long-an.html"][0]
    portal.write_index(site)  # back as it was
    assert (site / "index.html").read_bytes() == before[site / "index.html"][1]


def test_a_province_no_report_covers_loses_its_page(tmp_path):
    folder = tmp_path / "r"
    folder.mkdir()
    record = {"name": "r", "parameters": {"title": "x"}, "finished": "2026-12-02T01:00:00",
              "summary": {"documents": 1, "provinces": [{"name": "Trà Vinh", "documents": 1}]}}
    (folder / "latest.json").write_text(json.dumps(record), "utf-8")
    portal.write_index(tmp_path)
    assert (tmp_path / "provinces" / "tra-vinh.html").exists()
    record["summary"]["provinces"] = [{"name": "Vĩnh Long", "documents": 1}]
    (folder / "latest.json").write_text(json.dumps(record), "utf-8")
    portal.write_index(tmp_path)
    assert sorted(p.name for p in (tmp_path / "provinces").iterdir()) == ["vinh-long.html"]


# --- escaping and typography ---------------------------------------------------------------------
EVIL = '</script><script>alert(1)</script> "quoted" <b>bold</b> [click](javascript:alert(1)) *end* & ${x}'


def test_markup_in_titles_and_figures_stays_text(tmp_path):
    folder = tmp_path / "evil"
    folder.mkdir()
    (folder / "latest.html").write_text("x", "utf-8")
    record = {"name": "evil", "parameters": {"title": EVIL, "province": "<i>Bến Tre</i>"}, "finished": "2026-12-02T01:00:00",
              "summary": {"documents": 1, "provinces": [{"name": "<i>Bến Tre</i>", "documents": 1}],
                          "directives": [{"code": "</script>05-CT/TW", "citations": 1, "documents": 1}],
                          "figures": [{"indicator": "x", "label": {"vi": "<img src=x onerror=alert(1)>"}, "value": 1,
                                       "text": {"vi": "<u>1</u>"}, "province": "<i>Bến Tre</i>", "year": 2023}]}}
    (folder / "latest.json").write_text(json.dumps(record), "utf-8")
    portal.write_index(tmp_path, {"evil": "evil: <script>boom()</script>"}, ["reports.yml: <b>bad</b>"])
    pages = [tmp_path / "index.html", *(tmp_path / "provinces").iterdir()]
    assert len(pages) == 2
    for path in pages:
        page = path.read_text("utf-8")
        assert page.count("<script") == 2  # the search data and the search code, nothing else
        for raw in ("<script>alert", "<b>bold", "<img src=x", "<u>1", "<i>Bến", "<b>bad", "<script>boom"):
            assert raw not in page, (path.name, raw)
        assert 'href="javascript' not in page and "<em>" not in page
        entries = {(e["k"], e["t"]) for e in _search_data(page)["entries"]}  # the JSON parses back to the very texts
        assert ("report", EVIL) in entries and ("directive", "</script>05-CT/TW") in entries
    index = (tmp_path / "index.html").read_text("utf-8")
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &quot;quoted&quot; &lt;b&gt;bold&lt;/b&gt;" in index


def test_pages_are_vietnamese_nfc_in_a_sans_font(tmp_path):
    folder = tmp_path / "r"
    folder.mkdir()
    decomposed = unicodedata.normalize("NFD", "Công tác xây dựng Đảng — Bến Tre")
    record = {"name": "r", "parameters": {"title": decomposed}, "finished": "2026-12-02T01:00:00",
              "summary": {"documents": 1, "provinces": [{"name": unicodedata.normalize("NFD", "Bến Tre"), "documents": 1}]}}
    (folder / "latest.json").write_text(json.dumps(record), "utf-8")
    portal.write_index(tmp_path)
    for path in (tmp_path / "index.html", tmp_path / "provinces" / "ben-tre.html"):
        page = path.read_text("utf-8")
        assert page == unicodedata.normalize("NFC", page) and "Công tác xây dựng Đảng — Bến Tre" in page
        assert '<html lang="vi"' in page
        fonts = re.findall(r"font(?:-family)?:([^;}]+)", page)
        assert fonts and not any("monospace" in f for f in fonts) and not re.search(r"<(code|pre|tt|kbd|samp)\b", page)
        assert '"Noto Sans"' in fonts[0] and fonts[0].strip().endswith("sans-serif")
        assert "http://" not in page and "https://" not in page  # nothing to fetch


def test_vietnamese_order_and_search_fold():
    names = ["Đồng Nai", "Bình Dương", "Bến Tre", "Đà Nẵng", "Dĩ An", "An Giang", "Ưng Hòa", "Uông Bí", "Cần Thơ", "Cà Mau"]
    assert sorted(names, key=sort_key) == [
        "An Giang", "Bến Tre", "Bình Dương", "Cà Mau", "Cần Thơ", "Dĩ An", "Đà Nẵng", "Đồng Nai", "Uông Bí", "Ưng Hòa"]
    assert sorted(["Ba", "Bá", "Bà", "Bả", "Bã", "Bạ"], key=sort_key) == ["Ba", "Bà", "Bả", "Bã", "Bá", "Bạ"]
    assert portal.fold("Bà Rịa – Vũng Tàu") == "ba ria vung tau" == portal.province_slug("Bà Rịa – Vũng Tàu").replace("-", " ")
    assert portal.fold(unicodedata.normalize("NFD", "ĐỒNG THÁP")) == "dong thap"


def test_both_languages_word_the_same_portal_keys():
    vi, en = portal.portal_words("vi"), portal.portal_words("en")
    assert set(vi) == set(en)
    for key in vi:  # the same placeholders in both
        assert set(re.findall(r"{(\w+)}", vi[key])) == set(re.findall(r"{(\w+)}", en[key])), key
    from analysis.config import ConfigError

    with pytest.raises(ConfigError, match="no locale file .*fr.yaml"):
        portal.portal_words("fr")


@pytest.mark.skipif(not shutil.which("node"), reason="needs Node.js to run the page's script")
def test_the_page_script_folds_a_query_as_python_folds_the_data():
    source = (portal.ASSETS / "portal.js").read_text("utf-8")
    fold_js = re.search(r"function fold\(text\) \{.*?\n  \}", source, re.S).group(0)
    texts = ["Bà Rịa – Vũng Tàu", "ĐỒNG THÁP", unicodedata.normalize("NFD", "Thừa Thiên Huế"), "05-CT/TW", "272-QĐ/TU",
             "Kỷ niệm 93 năm ngày thành lập Đảng (3/2/1930–3/2/2023)", "Tiền Giang\u00a0— “Dân vận khéo”"]
    script = f"{fold_js}\nconsole.log(JSON.stringify({json.dumps(texts, ensure_ascii=False)}.map(fold)));"
    result = subprocess.run(["node", "-e", script], capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(result.stdout) == [portal.fold(t) for t in texts]


def test_a_card_says_when_its_summary_is_missing_or_failed(tmp_path):
    records = {"old": {"name": "old", "parameters": {"title": "Trước khi có tóm tắt"}, "finished": "2026-12-01T23:00:00"},
               "bad": {"name": "bad", "parameters": {"title": "Kho hỏng"}, "finished": "2026-12-02T01:00:00",
                       "summary": {"error": "FileNotFoundError: no store at /x"}},
               "plain": {"name": "plain", "parameters": {"title": "Không có kho"}, "finished": "2026-12-02T01:00:00",
                         "summary": {}}}
    for name, record in records.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "latest.json").write_text(json.dumps(record), "utf-8")
    (tmp_path / "torn").mkdir()
    (tmp_path / "torn" / "latest.json").write_text('{"name": "torn", "param', "utf-8")  # a run killed while writing it
    page = portal.write_index(tmp_path).read_text("utf-8")
    words = portal.portal_words("vi")
    assert words["no_summary"] in _card(page, "old")
    assert words["summary_error"].format(error="FileNotFoundError: no store at /x") in _card(page, "bad")
    plain = _card(page, "plain")
    assert words["no_summary"] not in plain and words["summary_error"].split(":")[0] not in plain and 'class="status ok"' in plain
    assert 'id="r-torn"' in page  # listed by name, without output links
    assert "Lần chạy gần nhất: 02/12/2026 01:00" in page  # the latest run of any report, not the time the page was made
