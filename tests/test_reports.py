"""Notebooks and reports: every notebook runs on the sample, the PDF has Vietnamese text, article text stays text;
each report's failure is contained and the index always written; names are folders, parameters never markup."""
from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import nbformat
import papermill as pm
import pytest
from conftest import write_notebook
from pypdf import PdfReader

from analysis import aggregate as agg
from analysis.build import build
from analysis.report import ReportError, run_config, run_report, to_pdf

NOTEBOOKS = ["corpus_overview", "indicators", "directives", "places", "report"]
EVIL_TITLE = "![x](file://{png}) [click](javascript:alert(1)) $\\undefinedcommand{{$ *end*"


@pytest.fixture(autouse=True, scope="module")
def kernels_import_this_checkout(root):
    """Kernels start in notebooks/: make them import the package under test, not another installed copy."""
    patch = pytest.MonkeyPatch()
    patch.setenv("PYTHONPATH", os.pathsep.join(p for p in (str(root), os.environ.get("PYTHONPATH")) if p))
    yield
    patch.undo()


def _tiny_notebook(path: Path, *cells: str) -> Path:
    """A notebook with a parameters cell (title, date_from) and the given code cells."""
    return write_notebook(path, 'title = "t"\ndate_from = None', *cells)


def _png(path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(1, 1))
    ax.plot([0, 1])
    fig.savefig(path)
    plt.close(fig)
    return path


@pytest.fixture(scope="module")
def store(tmp_path_factory, sample_dir):
    path = tmp_path_factory.mktemp("store")
    build(sample_dir, store=path, workers=1, quiet=True)
    return path


def _outputs(notebook: Path) -> tuple[str, int]:
    nb = nbformat.read(notebook, as_version=4)
    text, images = [], 0
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            images += "image/png" in data
            text.append(data.get("text/html", "") + data.get("text/markdown", "") + output.get("text", ""))
    return "\n".join(map(str, text)), images


def test_load_tables_selects_in_duckdb_and_leaves_out_article_text(store):
    import pandas as pd

    from analysis.store import open_tables

    everything = open_tables(store)
    docs = everything["documents"]
    province = docs["province"].dropna().iloc[0]
    expected = set(docs[(pd.to_datetime(docs["published"]) >= "2023-01-01") & (docs["province"] == province)]["doc_id"])
    chosen = agg.load_tables(str(store), date_from="2023-01-01", province=province)
    assert expected and set(chosen["documents"]["doc_id"]) == expected
    assert not set(agg.TEXT_COLUMNS) & set(chosen["documents"].columns)
    for name in ("mentions", "citations", "places", "people"):
        assert len(chosen[name]) == everything[name]["doc_id"].isin(expected).sum(), name
    assert len(agg.load_tables(str(store))["documents"]) == len(docs)  # no limits: every document, dated or not
    with pytest.raises(FileNotFoundError, match="build it first"):
        agg.load_tables(str(store / "nowhere"))


def test_province_map_names_do_not_cover_each_other(store):
    import matplotlib

    matplotlib.use("Agg")
    from analysis.charts import province_map

    tables = agg.load_tables(str(store))
    points = agg.province_points(tables["documents"], tables["mentions"], "party_members")
    assert len(points) >= 4  # the sample's provinces lie close together in the Mekong delta
    fig = province_map(points, "Đảng viên", "largest")
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    boxes = [text.get_window_extent(renderer) for text in ax.texts]
    assert {text.get_text() for text in ax.texts} == set(points["province"])
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    (xmin, xmax), (ymin, ymax) = ax.get_xlim(), ax.get_ylim()
    assert xmin <= points["longitude"].min() and points["longitude"].max() <= xmax and xmax - xmin < 8  # zoomed in
    assert ymin <= points["latitude"].min() and points["latitude"].max() <= ymax


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_notebook_runs_on_the_sample(name, store, root, tmp_path):
    out = tmp_path / f"{name}.ipynb"
    pm.execute_notebook(str(root / "notebooks" / f"{name}.ipynb"), str(out), parameters={"store": str(store)},
                        cwd=str(root / "notebooks"), kernel_name="python3", progress_bar=False)
    text, images = _outputs(out)
    tables = agg.load_tables(str(store))
    assert images >= 1, f"{name} shows no figure"
    if name in ("indicators", "report"):
        # The headline figure is a province's own total from province_year (Long An's 51.349), not the largest of any level.
        headline = agg.headline_figures(tables["province_year"], tables["indicators"]).set_index("indicator").loc["party_members"]
        assert headline["level"] == "province" and not headline["partial"]
        assert agg.format_value(headline["value"], headline["qualifier"], "party_members") in text  # as the package computes it
        assert "2,1 tỷ" in text and "Đảng uỷ xã Phú Sơn có 11 chi bộ" in text
        sources = agg.sources_table(tables["facts"])
        assert len(tables["facts"]) and all(fact_id in text for fact_id in tables["facts"]["fact_id"])  # every fact, none cut off
        assert "CSV" in text and "Excel" in text and len(sources)
    if name in ("directives", "report"):
        assert "05-CT/TW" in text
    if name == "corpus_overview":
        for title in tables["documents"]["title"]:
            assert title in text


def test_paragraph_notebook_lists_each_figure_with_its_sentence(root, tmp_path):
    out = tmp_path / "p.ipynb"
    paragraph = "Năm 2023, Đảng bộ huyện kết nạp 156 đảng viên mới. Toàn huyện có 42 tổ chức cơ sở đảng."
    pm.execute_notebook(str(root / "notebooks" / "extract_paragraph.ipynb"), str(out), parameters={"paragraph": paragraph},
                        cwd=str(root / "notebooks"), kernel_name="python3", progress_bar=False)
    text, _ = _outputs(out)
    assert "new_members" in text and "156" in text and "Năm 2023, Đảng bộ huyện kết nạp 156 đảng viên mới." in text
    assert "party_organizations" in text and "42" in text


def test_report_pdf_has_vietnamese_text_figures_and_fonts(store, root, tmp_path):
    result = run_report(root / "notebooks" / "report.ipynb", tmp_path, {"store": str(store)}, name="sample")
    assert result.html.exists() and result.pdf.exists()
    reader = PdfReader(str(result.pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for words in ("Số liệu chính theo tỉnh và năm", "Đảng viên", "Chất lượng dữ liệu", "Bến Tre"):
        assert words in text, words
    for figure in ("51.349", "05-CT/TW", "2,1 tỷ"):
        assert figure in text, figure
    fonts = {str(font["/BaseFont"]) for page in reader.pages for font in (page["/Resources"].get("/Font") or {}).values()
             for font in [font.get_object()]}
    assert any("DejaVu" in f for f in fonts), fonts
    html = result.html.read_text("utf-8")
    assert "import analysis" not in html  # code hidden


def test_english_report_speaks_english(store, root, tmp_path):
    result = run_report(root / "notebooks" / "report.ipynb", tmp_path, {"store": str(store), "language": "en",
                        "title": "Party-building work"}, name="en", formats=("html",))
    html = result.html.read_text("utf-8")
    for words in ("Key figures by province and year", "Party members", "51,349", "≥ 2.1 billion", "Counting rule"):
        assert words in html, words
    assert "Số liệu chính" not in html


def test_article_text_is_escaped_not_markup(tmp_path, root):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "evil.jsonl").write_text(json.dumps({
        "id": "evil", "title": "Tin <script>alert(1)</script> <b>đậm</b>",
        "text": "Đảng bộ xã có 11 chi bộ với 192 đảng viên <script>alert(2)</script>. Chỉ thị 05-CT/TW <img src=x onerror=alert(3)>.",
    }, ensure_ascii=False) + "\n" + json.dumps({  # LaTeX in an id: matplotlib would read "$…$" as a formula
        "id": "$\\undefinedcommand{$", "title": "Tin $\\frac{$ toán",
        "text": "Chi bộ ấp có 25 đảng viên $\\undefinedcommand{$. Thực hiện Chỉ thị 05-CT/TW.",
    }, ensure_ascii=False), encoding="utf-8")
    build(corpus, store=tmp_path / "store", workers=1, quiet=True)
    for name in ("corpus_overview", "report"):
        result = run_report(root / "notebooks" / f"{name}.ipynb", tmp_path / "out", {"store": str(tmp_path / "store")},
                            name=name, formats=("html",))
        html = result.html.read_text("utf-8")
        assert "<script>alert(" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(" in html
        assert "$\\undefinedcommand{$" in html and "mathjax" not in html.lower()  # shown, and nothing typesets it


def test_parameters_are_checked_before_execution(store, root, tmp_path):
    notebook = root / "notebooks" / "report.ipynb"
    with pytest.raises(ReportError, match="unknown parameter.*colour"):
        run_report(notebook, tmp_path, {"store": str(store), "colour": "red"}, name="x")
    with pytest.raises(ReportError, match="date_from.*not a date"):
        run_report(notebook, tmp_path, {"store": str(store), "date_from": "2023-13-45"}, name="x")
    with pytest.raises(ReportError, match="language"):
        run_report(notebook, tmp_path, {"store": str(store), "language": "fr"}, name="x")
    with pytest.raises(ReportError, match="no store"):
        run_report(notebook, tmp_path, {"store": str(tmp_path / "missing")}, name="x")
    assert not (tmp_path / "x").exists()  # nothing ran


def test_failed_run_keeps_the_notebook_and_the_previous_report(store, root, tmp_path):
    notebook = root / "notebooks" / "report.ipynb"
    good = run_report(notebook, tmp_path, {"store": str(store)}, name="r", formats=("html",))
    before = good.html.read_bytes()
    broken = tmp_path / "broken.ipynb"
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("raise RuntimeError('boom')"))
    nbformat.write(nb, broken)
    with pytest.raises(ReportError, match="RuntimeError: boom") as failure:
        run_report(broken, tmp_path, {"store": str(store)}, name="r", formats=("html",))
    kept = Path(str(failure.value).split("kept at ")[1].rstrip(")"))
    assert kept.exists() and "boom" in kept.read_text("utf-8")
    assert (tmp_path / "r" / "latest.html").read_bytes() == before
    again = run_report(notebook, tmp_path, {"store": str(store)}, name="r", formats=("html",), if_changed=True)
    assert again.skipped


def test_config_runs_one_report_per_province_and_writes_the_index(store, root, tmp_path):
    config = tmp_path / "reports" / "reports.yml"
    config.parent.mkdir()
    shutil.copytree(root / "notebooks", tmp_path / "notebooks")
    config.write_text(
        "defaults:\n  notebook: notebooks/report.ipynb\n  parameters:\n"
        f"    store: {store}\n"
        "reports:\n  - name: all\n    parameters: {title: Tất cả}\n"
        "  - name: province\n    for_each: province\n    parameters: {title: 'Báo cáo {province}'}\n",
        encoding="utf-8")
    results, errors = run_config(config, tmp_path / "out", formats=("html",))
    assert not errors
    names = {r.name for r in results}
    assert {"all", "province-ben-tre", "province-tra-vinh", "province-an-giang"} <= names
    index = (tmp_path / "out" / "index.html").read_text("utf-8")
    assert 'href="province-ben-tre/latest.html"' in index and "Báo cáo Bến Tre" in index
    ben_tre = (tmp_path / "out" / "province-ben-tre" / "latest.html").read_text("utf-8")
    assert "192" in ben_tre and "51.349" not in ben_tre  # Long An's figure is not in Bến Tre's report


def test_chart_labels_with_dollars_are_drawn_as_text():
    import matplotlib

    matplotlib.use("Agg")
    import pandas as pd

    from analysis.charts import bar, heatmap, province_map

    label = "$\\undefinedcommand{$"
    figures = [
        bar(pd.DataFrame({"doc_id": [label, "b"], "n": [3, 1]}), "n", "doc_id", "Độ dài $\\frac{$"),
        heatmap(pd.DataFrame({"05-CT/TW": [1, 2]}, index=[label, "Bến Tre"]), "$x$"),
        province_map(pd.DataFrame({"province": [label, "Bến Tre"], "longitude": [106.0, 106.4],
                                   "latitude": [10.0, 10.2], "value": [5, 3]}), "$\\frac{$", "đảng viên"),
    ]
    for fig in figures:
        fig.canvas.draw()  # mathtext would fail here on \undefinedcommand
        texts = [t.get_text() for ax in fig.axes for t in [*ax.texts, *ax.get_yticklabels(), ax.title]]
        assert any("undefinedcommand" in t or "frac" in t or "$x" in t for t in texts)


def test_markup_in_parameters_stays_text(store, root, tmp_path):
    png = _png(tmp_path / "secret.png")
    title = EVIL_TITLE.format(png=png)
    result = run_report(root / "notebooks" / "report.ipynb", tmp_path / "out", {"store": str(store), "title": title},
                        name="evil")
    html = result.html.read_text("utf-8")
    assert 'src="file:' not in html and 'href="javascript:' not in html and "<em>end</em>" not in html
    assert "[click](javascript:alert(1))" in html and "*end*" in html  # the title as written
    assert "<script src=" not in html and "mathjax" not in html.lower()  # the page loads nothing, typesets nothing
    reader = PdfReader(str(result.pdf))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "[click](javascript:alert(1))" in "".join(text.split())  # as text (the line may wrap anywhere)
    assert (100, 100) not in [image.image.size for page in reader.pages for image in page.images]  # secret.png not embedded


def test_pdf_fetches_no_file_and_no_url(tmp_path):
    import base64

    png = _png(tmp_path / "local.png")
    inline = base64.b64encode(png.read_bytes()).decode()
    html = (f'<p>local <img src="file://{png}"> relative <img src="local.png"> remote <img src="http://127.0.0.1:9/x.png">'
            f' inline <img src="data:image/png;base64,{inline}"></p>')
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("", outputs=[
        nbformat.v4.new_output("display_data", data={"text/html": html})])])
    pdf = to_pdf(nb, tmp_path / "out.pdf")
    assert sum(len(page.images) for page in PdfReader(str(pdf)).pages) == 1  # the page's own data: image only


def test_report_names_are_folders_never_paths(tmp_path, root):
    from analysis.cli import main

    notebook = _tiny_notebook(tmp_path / "nb" / "ok.ipynb", "print(title)")
    out = tmp_path / "deep" / "out"
    for name in ("../../x", str(tmp_path / "abs"), "a/b", "..", "", "-rf", "provinces"):
        with pytest.raises(ReportError, match="report name"):
            run_report(notebook, out, {}, name=name, formats=("html",))
    assert not out.exists() and not (tmp_path / "x").exists() and not (tmp_path / "abs").exists()
    assert main(["report", "--notebook", str(notebook), "--name", "../../x", "--out-dir", str(out), "--html-only"]) == 2
    assert not out.exists() and not (tmp_path / "x").exists()


def test_config_run_contains_each_failure_and_always_writes_the_index(tmp_path):
    from analysis.cli import main

    _tiny_notebook(tmp_path / "notebooks" / "ok.ipynb", "print(title, date_from)")
    _tiny_notebook(tmp_path / "notebooks" / "dies.ipynb", "import os\nos._exit(1)")
    _tiny_notebook(tmp_path / "notebooks" / "hangs.ipynb", "import time\ntime.sleep(120)")
    config = tmp_path / "reports" / "reports.yml"
    config.parent.mkdir()
    entries = """  - name: first
  - name: dies
    notebook: notebooks/dies.ipynb
  - name: hangs
    notebook: notebooks/hangs.ipynb
    timeout: 2
  - name: dated
    parameters: {date_from: 2023-01-01}
  - name: binary
    parameters: {title: !!binary aGVsbG8=}
  - name: ../escape
  - name: last
"""
    config.write_text("defaults:\n  notebook: notebooks/ok.ipynb\nreports:\n" + entries, encoding="utf-8")
    out = tmp_path / "out"
    started = time.perf_counter()
    results, errors = run_config(config, out, formats=("html",))
    assert time.perf_counter() - started < 100  # the hanging cell was stopped
    assert {r.name for r in results} == {"first", "dated", "last"}
    assert len(errors) == 4, errors
    for words in ("dies: the notebook's kernel died", "hangs: a cell ran longer than 2 s", "!!binary value is not allowed",
                  "'../escape' is not a report name"):
        assert any(words in e for e in errors), (words, errors)
    assert not (tmp_path / "escape").exists()
    index = (out / "index.html").read_text("utf-8")
    for name in ("first", "dated", "last"):
        assert f'href="{name}/latest.html"' in index
    assert index.count('class="status failed"') == 4 and 'href="hangs/' in index  # the kept notebook of the run that hung
    assert json.loads((out / "dies" / "failed.json").read_text("utf-8"))["error"].startswith("dies: the notebook's kernel")

    # The next night "first" breaks: it is shown as failed, its last good report still linked and untouched.
    good = (out / "first" / "latest.html").read_bytes()
    config.write_text("defaults:\n  notebook: notebooks/ok.ipynb\nreports:\n"
                      + entries.replace("  - name: first\n", "  - name: first\n    notebook: notebooks/dies.ipynb\n"),
                      encoding="utf-8")
    assert main(["report", "--only", "first", "--config", str(config), "--out-dir", str(out), "--html-only"]) == 1
    index = (out / "index.html").read_text("utf-8")
    card = index[index.index('id="r-first"'):].split("</article>")[0]
    assert 'class="status failed"' in card and "kernel died" in card and 'href="first/latest.html"' in card
    assert (out / "first" / "latest.html").read_bytes() == good


def test_a_full_disk_fails_that_report_only(tmp_path):
    notebook = _tiny_notebook(tmp_path / "nb" / "ok.ipynb", "print(title)")
    out = tmp_path / "out"
    good = run_report(notebook, out, {"title": "one"}, name="r", formats=("html",))
    before = good.html.read_bytes()
    (out / "r" / "latest.html.tmp").symlink_to("/dev/full")  # every write there fails with ENOSPC
    with pytest.raises(ReportError, match="No space left on device"):
        run_report(notebook, out, {"title": "two"}, name="r", formats=("html",))
    assert (out / "r" / "latest.html").read_bytes() == before and not (out / "r" / "latest.html.tmp").exists()
    assert "No space left" in json.loads((out / "r" / "failed.json").read_text("utf-8"))["error"]
    run_report(notebook, out, {"title": "three"}, name="r", formats=("html",))
    assert not (out / "r" / "failed.json").exists()


# -- scheduling: content keys, parallel runs, pruning, the command line's overrides --------------------------------

def _counting_notebook(path: Path) -> Path:
    """A notebook with the report parameters that prints what ``load_tables`` selects (fast: no charts, no PDF)."""
    return write_notebook(path, 'store = None\ntitle = "t"\nprovince = None\ndate_from = None\ndate_to = None',
                          "from analysis.aggregate import load_tables\n"
                          "tables = load_tables(store, date_from, date_to, province)\n"
                          "print(title, province, sorted(tables['documents']['doc_id']), len(tables['facts']))")


def _counting_config(root: Path, store: Path) -> Path:
    _counting_notebook(root / "notebooks" / "count.ipynb")
    config = root / "reports" / "reports.yml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f"defaults:\n  notebook: notebooks/count.ipynb\n  parameters: {{store: '{store}'}}\n"
                      "reports:\n  - name: all\n  - name: province\n    for_each: province\n"
                      "    parameters: {title: 'Báo cáo {province}'}\n", encoding="utf-8")
    return config


def _published(out: Path) -> dict[str, tuple[int, bytes]]:
    """Every published file (latest.*, the index) with its modification time and content."""
    files = [*out.glob("*/latest.*"), out / "index.html"]
    return {str(p.relative_to(out)): (p.stat().st_mtime_ns, p.read_bytes()) for p in files}


def _printed(notebook: Path) -> str:
    return _outputs(notebook)[0]


@pytest.fixture(scope="module")
def corpus_copy(tmp_path_factory, sample_dir):
    target = tmp_path_factory.mktemp("corpus") / "sample"
    shutil.copytree(sample_dir, target)
    return target


def test_an_unchanged_store_rewrites_nothing_and_a_changed_article_reruns_only_its_reports(corpus_copy, tmp_path):
    store = tmp_path / "store"
    build(corpus_copy, store=store, workers=1, quiet=True)
    config = _counting_config(tmp_path, store)
    out = tmp_path / "out"
    results, errors = run_config(config, out, if_changed=True, formats=("html",), jobs=2)
    assert not errors and not any(r.skipped for r in results)
    names = [r.name for r in results]
    assert names[0] == "all" and {"province-ben-tre", "province-an-giang", "province-long-an"} <= set(names)
    before = _published(out)

    # A second run in a row, then one after a rebuild (a new generation of the same data): nothing is rewritten.
    for rebuild in (False, True):
        if rebuild:
            build(corpus_copy, store=store, workers=1, quiet=True, rebuild=True)
        again, errors = run_config(config, out, if_changed=True, formats=("html",), jobs=2)
        assert not errors and all(r.skipped for r in again) and [r.name for r in again] == names
        assert _published(out) == before  # every latest.* and the index: same bytes, same mtimes

    # One Bến Tre article changes: the reports that read it run again, the others stay as they were. (The new
    # sentence has no figure: a new fact would renumber the fact ids of the articles after it, which their
    # reports show, so those would rightly run again too.)
    article = corpus_copy / "000_f4d1bbf37d75d624.txt"
    article.write_text(article.read_text("utf-8") + "\nHội nghị đã thành công tốt đẹp.\n", encoding="utf-8")
    build(corpus_copy, store=store, workers=1, quiet=True)
    changed, errors = run_config(config, out, if_changed=True, formats=("html",), jobs=2)
    assert not errors
    assert {r.name for r in changed if not r.skipped} == {"all", "province-ben-tre"}
    after = _published(out)
    assert after["province-an-giang/latest.html"] == before["province-an-giang/latest.html"]
    assert after["province-ben-tre/latest.html"] != before["province-ben-tre/latest.html"]


def test_reports_run_in_parallel_give_what_they_give_one_after_the_other(store, tmp_path):
    config = _counting_config(tmp_path, store)
    serial, errors = run_config(config, tmp_path / "serial", formats=("html",), jobs=1)
    assert not errors
    parallel, errors = run_config(config, tmp_path / "parallel", formats=("html",), jobs=2)
    assert not errors and [r.name for r in parallel] == [r.name for r in serial]
    for one, other in zip(serial, parallel, strict=True):
        assert _printed(one.run_dir / "report.ipynb") == _printed(other.run_dir / "report.ipynb")
        keys = [json.loads((r.html.parent / "latest.json").read_text("utf-8"))["key"] for r in (one, other)]
        assert keys[0] == keys[1]
    assert "Báo cáo Bến Tre Bến Tre ['000_f4d1bbf37d75d624']" in _printed(
        next(r for r in parallel if r.name == "province-ben-tre").run_dir / "report.ipynb")


def test_run_folders_are_pruned_and_the_last_failure_kept_while_it_is_last(tmp_path):
    notebook = _tiny_notebook(tmp_path / "nb" / "ok.ipynb", "print(title)")
    broken = _tiny_notebook(tmp_path / "nb" / "broken.ipynb", "raise RuntimeError('boom')")
    out = tmp_path / "out"

    def runs() -> list[str]:
        return sorted(p.name for p in (out / "r").iterdir() if p.is_dir())

    made = [run_report(notebook, out, {"title": str(i)}, name="r", formats=("html",), keep_runs=2).run_dir.name
            for i in range(3)]
    assert runs() == made[1:]
    with pytest.raises(ReportError, match="boom"):
        run_report(broken, out, {}, name="r", formats=("html",), keep_runs=2)
    failed_run = json.loads((out / "r" / "failed.json").read_text("utf-8"))["run"]
    assert runs() == [made[2], failed_run]  # the failed notebook the index links to is there
    with pytest.raises(ReportError, match="boom"):
        run_report(broken, out, {}, name="r", formats=("html",), keep_runs=1)
    last_failure = json.loads((out / "r" / "failed.json").read_text("utf-8"))["run"]
    assert runs() == [last_failure]
    good = run_report(notebook, out, {"title": "ok"}, name="r", formats=("html",), keep_runs=1)
    assert runs() == [good.run_dir.name] and not (out / "r" / "failed.json").exists()
    with pytest.raises(ReportError, match="keep_runs"):
        run_report(notebook, out, {}, name="r", formats=("html",), keep_runs=0)


def test_kernels_do_not_warn_about_tcp(tmp_path, capfd):
    notebook = _tiny_notebook(tmp_path / "nb" / "ok.ipynb", "print(title)")
    run_report(notebook, tmp_path / "out", {"title": "x"}, name="r", formats=("html",))
    captured = capfd.readouterr()
    assert "running over TCP" not in captured.err + captured.out


def test_all_takes_the_store_parameters_and_only_from_the_command_line(corpus_copy, tmp_path, sample_dir):
    from analysis.cli import main

    two = tmp_path / "two"
    two.mkdir()
    for name in ("000_f4d1bbf37d75d624.txt", "002_531ed475c210eb4f.txt"):  # Bến Tre and An Giang
        shutil.copy(sample_dir / name, two / name)
    other = tmp_path / "other-store"
    build(two, store=other, workers=1, quiet=True)
    config = _counting_config(tmp_path, tmp_path / "no-store-here")
    out = tmp_path / "out"
    common = ["report", "--config", str(config), "--out-dir", str(out), "--html-only", "--jobs", "1"]

    assert main([*common, "--all", "--store", str(other), "--only", "nosuch"]) == 2
    assert not out.exists()  # refused before anything ran
    assert main([*common, "--all", "--store", str(other), "-p", "title=Thử", "--only", "province"]) == 0
    folders = sorted(p.parent.name for p in out.glob("*/latest.json"))
    assert folders == ["province-an-giang", "province-ben-tre"]  # the provinces of --store, not of the config's store
    record = json.loads((out / "province-ben-tre" / "latest.json").read_text("utf-8"))
    assert record["parameters"]["store"] == str(other.resolve()) and record["parameters"]["title"] == "Thử"


def test_only_an_unknown_name_lists_the_known_ones(store, tmp_path):
    config = _counting_config(tmp_path, store)
    with pytest.raises(ReportError, match=r"no report named 'nosuch' in .*reports: all, province, province-an-giang"):
        run_config(config, tmp_path / "out", only=["nosuch"], formats=("html",))
    assert not (tmp_path / "out").exists()


def test_filters_are_forgiven_or_refused_before_execution(store, tmp_path):
    notebook = _counting_notebook(tmp_path / "nb" / "count.ipynb")
    out = tmp_path / "out"
    refusals = [
        ({"date_from": "2023-06-01", "date_to": "2023-01-01"}, "date_to is before date_from"),
        ({"province": "Ben Trre"}, "did you mean 'Bến Tre'"),
        ({"province": "Hà Nội"}, "the store has no document of Hà Nội"),
        ({"date_from": "2030-01-01"}, r"no document of the store matches date_from=2030-01-01 \(5 document\(s\) in .*"
                                      r"3 document\(s\) without a date left out"),
    ]
    for parameters, message in refusals:
        with pytest.raises(ReportError, match=message):
            run_report(notebook, out, {"store": str(store), **parameters}, name="x", formats=("html",))
    assert not out.exists()  # nothing ran
    result = run_report(notebook, out, {"store": str(store), "province": "BEN-TRE"}, name="x", formats=("html",))
    assert "Bến Tre ['000_f4d1bbf37d75d624']" in _printed(result.run_dir / "report.ipynb")
    assert json.loads((out / "x" / "latest.json").read_text("utf-8"))["parameters"]["province"] == "Bến Tre"
