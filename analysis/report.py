"""Report step: parameterized notebooks in, HTML and PDF reports out (the index is analysis.portal).

``run_report(notebook, out_dir, parameters, name)`` checks the name (a slug: the
report's folder under OUT_DIR, never a path) and the parameters (unknown names,
bad dates, unknown language, missing store: a clear error before anything
runs), executes the notebook with papermill into ``OUT_DIR/NAME/<run>/report.ipynb``
— every cell within ``timeout`` seconds —, converts it to ``report.html`` with
the code hidden (nbconvert; no script is loaded, nothing is typeset as LaTeX)
and to ``report.pdf`` (WeasyPrint, from the HTML, no LaTeX, fetching no file
or URL), then publishes them as ``OUT_DIR/NAME/latest.{html,pdf,json}``.

A failed run — an error in a cell, a cell over its time, a dead kernel, a full
disk — raises ``ReportError``, keeps the executed notebook with the error in
its run folder, records the failure in ``OUT_DIR/NAME/failed.json`` and leaves
the previous ``latest`` files untouched. With ``if_changed=True`` a report
whose notebook, parameters, store and package version are unchanged since its
last good run is skipped.

``run_config(config)`` runs the named reports of ``reports/reports.yml``
(validated by ``analysis.config``; including one per province found in the
store): each report's failure is recorded and the next one runs; the index
(``index.html``) is always written, failed reports marked as failed with their
last good output still linked.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import __version__
from .config import REPORT_NAME, REPORT_SCHEMA, REPORTS_SCHEMA, ConfigError, Document, check, read_yaml
from .portal import FAILED, PATH_PARAMETERS, summarize, write_index
from .portal import read_json as _read_json

LANGUAGES = ("vi", "en")
CELL_TIMEOUT = 600  # seconds one cell may run (a report's cells take seconds; a hung one is stopped)

# The source table (document, indicator, value, matched text, sentence): fixed column widths on screen and on paper.
PROVENANCE_CSS = "table.provenance { table-layout: fixed; }\n" + " ".join(
    f"table.provenance th:nth-child({i}) {{ width: {w}%; }}" for i, w in enumerate((18, 13, 9, 12, 48), start=1)) + "\n"
# The sources appendix (every fact: id, indicator, value, subject, level, province, period, counted, sentence,
# title, date, URL) has too many columns for a portrait page: on paper it gets landscape pages and fixed widths
# (``overflow-wrap: break-word`` elsewhere keeps a year or a number from being split between lines).
SOURCES_PRINT_CSS = "@page sources { size: A4 landscape; }\ntable.sources { page: sources; table-layout: fixed; font-size: 6.8pt; }\ntable.sources th, table.sources td { box-sizing: border-box; }\n" + " ".join(
    f"table.sources th:nth-child({i}) {{ width: {w}%; }}"
    for i, w in enumerate((9, 7, 5, 9, 5, 6, 7, 8, 23, 10, 5, 6), start=1)) + "\ntable.sources td { overflow-wrap: anywhere; }\n"
SCREEN_CSS = """
.jp-CodeCell .jp-Cell-inputWrapper, .jp-CodeCell .jp-InputArea { display: none !important; }
body { max-width: 1100px; margin: 0 auto; }
table.data { border-collapse: collapse; font-size: 0.85em; margin: 0.5em 0 1em; }
table.data th, table.data td { border: 1px solid #d0d7de !important; padding: 3px 6px !important; vertical-align: top;
                               text-align: left !important; }
table.data th { background: #f2f4f7; }
table.data td.num, table.data th.num { text-align: right !important; }
a.anchor-link { display: none; }
table.provenance { width: 100%; }
""" + PROVENANCE_CSS
PRINT_CSS = PROVENANCE_CSS + """
@page { size: A4; margin: 15mm 13mm 16mm; @bottom-right { content: counter(page) " / " counter(pages);
        font-family: "DejaVu Sans"; font-size: 7.5pt; color: #666; } }
html, body { font-family: "DejaVu Sans", "Noto Sans", sans-serif; font-size: 9pt; line-height: 1.35; color: #1f2328; }
.jp-CodeCell .jp-Cell-inputWrapper, .jp-CodeCell .jp-InputArea, .jp-InputPrompt, .jp-OutputPrompt { display: none; }
h1 { font-size: 16pt; font-weight: normal; margin: 0 0 6pt; } h2 { font-size: 12.5pt; font-weight: normal; margin: 14pt 0 4pt; }
h3 { font-size: 10.5pt; margin: 10pt 0 3pt; }
h1, h2, h3 { break-after: avoid; }
table.data { border-collapse: collapse; width: 100%; font-size: 7.5pt; margin: 3pt 0 8pt; }
table.data tr { break-inside: avoid; }
table.data th, table.data td { border: 0.5pt solid #c8ced6; padding: 2pt 3pt; vertical-align: top; text-align: left;
                               overflow-wrap: break-word; }
table.data th { background: #eef1f5; }
img { max-width: 100%; height: auto; break-inside: avoid; }
pre { white-space: pre-wrap; }
hr { border: none; border-top: 0.5pt solid #999; }
a.anchor-link { display: none; }
""" + SOURCES_PRINT_CSS


class ReportError(RuntimeError):
    """The report could not be produced; the message says why and where."""


@dataclass
class ReportResult:
    name: str
    html: Path | None
    pdf: Path | None
    skipped: bool = False
    run_dir: Path | None = None


def check_name(name: str) -> str:
    """A report name names a folder under the reports folder: refuse anything else (``../x``, ``/tmp/x``)."""
    if not isinstance(name, str) or not re.fullmatch(REPORT_NAME, name):
        raise ReportError(f"report name {name!r}: use letters, digits, '-' and '_' (it names a folder, never a path)")
    return name


def notebook_parameters(notebook: str | Path) -> dict[str, Any]:
    """Names and defaults of the notebook's ``parameters`` cell."""
    import papermill as pm

    return {name: spec["default"] for name, spec in pm.inspect_notebook(str(notebook)).items()}


def validate_parameters(notebook: Path, parameters: dict[str, Any]) -> dict[str, Any]:
    """Check parameters before execution; return them with paths made absolute."""
    from .aggregate import parse_date

    known = notebook_parameters(notebook)
    unknown = sorted(set(parameters) - set(known))
    if unknown:
        raise ReportError(f"unknown parameter(s) {', '.join(unknown)} for {notebook.name}; known: {', '.join(known)}")
    checked = dict(parameters)
    for name in ("date_from", "date_to"):
        try:
            parse_date(checked.get(name), name)
        except ValueError as exc:
            raise ReportError(str(exc)) from None
    if checked.get("language", "vi") not in LANGUAGES:
        raise ReportError(f"parameter language: '{checked['language']}' is not one of {', '.join(LANGUAGES)}")
    for name in PATH_PARAMETERS:
        if checked.get(name):
            checked[name] = str(Path(checked[name]).resolve())
    if checked.get("store"):
        _require_store(checked["store"])
    return checked


def _require_store(store: str) -> None:
    from .store import require_current

    try:
        require_current(store)
    except FileNotFoundError as exc:
        raise ReportError(str(exc)) from None


def _notebook_without_code(executed: Path):
    """The executed notebook as readers see it: no code, no cells tagged "remove-cell"
    (the notebook's own introduction for JupyterLab users)."""
    import nbformat

    notebook = nbformat.read(executed, as_version=4)
    notebook.cells = [c for c in notebook.cells if "remove-cell" not in c.get("metadata", {}).get("tags", [])
                      and not (c.cell_type == "code" and not c.get("outputs"))]
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.source = ""  # readers see outputs and prose, never code
    return notebook


# The reader's page: JupyterLab's look without the scripts it would load from the web
# (require.js, MathJax, Mermaid). Reports hold no widgets, formulas or diagrams, and
# MathJax would typeset "$…$" in article text as LaTeX.
READER_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""


def to_html(notebook, target: Path) -> Path:
    """Standalone HTML (JupyterLab look, no scripts) of a reader's notebook (``_notebook_without_code``)."""
    import jinja2
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(extra_loaders=[jinja2.DictLoader({"reader.html.j2": READER_TEMPLATE})],
                            template_file="reader.html.j2", exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(notebook)
    body = body.replace("</head>", f"<style>{SCREEN_CSS}</style></head>", 1)
    target.write_text(body, encoding="utf-8")
    return target


def to_pdf(notebook, target: Path, title: str = "Report") -> Path:
    """PDF with WeasyPrint from a plain HTML rendering of the notebook (A4, DejaVu Sans, no LaTeX).

    The JupyterLab page styles are made for screens; the print page uses nbconvert's
    unstyled "basic" template and only PRINT_CSS, so tables wrap within the page.
    WeasyPrint fetches nothing but the page's own ``data:`` images: no local file, no URL.
    """
    import logging

    from nbconvert import HTMLExporter
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    exporter = HTMLExporter(template_name="basic", exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(notebook)
    page = (f'<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{PRINT_CSS}</style></head><body>{body}</body></html>")
    HTML(string=page, base_url=str(target.parent), url_fetcher=URLFetcher(allowed_protocols=("data",))).write_pdf(str(target))
    return target


def _store_state(parameters: dict[str, Any]) -> str:
    """The store's current generation (a new build changes it), or "" without a store."""
    from .store import Store

    current = Store(parameters["store"]).current if parameters.get("store") else None
    return current.name if current else ""


def _run_key(notebook: Path, parameters: dict[str, Any]) -> str:
    digest = hashlib.sha256(notebook.read_bytes())
    digest.update(json.dumps(parameters, sort_keys=True, default=str).encode())
    digest.update(_store_state(parameters).encode())
    digest.update(__version__.encode())
    return digest.hexdigest()


def _execute(notebook: Path, executed: Path, parameters: dict[str, Any], name: str, timeout: float) -> None:
    """Run the notebook with papermill; every way a run can fail becomes a ``ReportError`` that says which."""
    import papermill as pm
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    kept = f"(executed notebook kept at {executed})"
    try:
        pm.execute_notebook(str(notebook), str(executed), parameters=parameters, cwd=str(notebook.parent.resolve()),
                            kernel_name="python3", progress_bar=False, log_output=False, execution_timeout=timeout)
    except pm.PapermillExecutionError as exc:
        raise ReportError(f"{name}: notebook failed in cell {exc.exec_count}: {exc.ename}: {exc.evalue} {kept}") from None
    except CellTimeoutError:
        raise ReportError(f"{name}: a cell ran longer than {timeout:g} s and was stopped {kept}") from None
    except DeadKernelError as exc:
        raise ReportError(f"{name}: the notebook's kernel died ({exc}) {kept}") from None
    except RuntimeError as exc:  # the kernel did not start or stopped answering
        raise ReportError(f"{name}: the notebook's kernel failed: {exc} {kept}") from None


def run_report(notebook: str | Path, out_dir: str | Path, parameters: dict[str, Any], name: str = "report",
               formats: tuple[str, ...] = ("html", "pdf"), if_changed: bool = False,
               timeout: float = CELL_TIMEOUT) -> ReportResult:
    """Execute one report; see the module docstring."""
    check_name(name)
    notebook = Path(notebook)
    if not notebook.exists():
        raise ReportError(f"no such notebook: {notebook}")
    parameters = validate_parameters(notebook, parameters)
    folder = Path(out_dir) / name
    key = _run_key(notebook, parameters)
    latest = folder / "latest.json"
    previous = _read_json(latest) if if_changed else None
    if previous:
        if previous.get("key") == key and all((folder / f"latest.{f}").exists() for f in formats):
            (folder / FAILED).unlink(missing_ok=True)  # the published files are those of these very inputs
            return ReportResult(name, folder / "latest.html", folder / "latest.pdf" if "pdf" in formats else None, skipped=True)
    run_dir = folder / dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    executed = run_dir / "report.ipynb"
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
        _execute(notebook, executed, parameters, name, timeout)
        readers_view = _notebook_without_code(executed)
        html_file = to_html(readers_view, run_dir / "report.html")
        pdf_file = to_pdf(readers_view, run_dir / "report.pdf", str(parameters.get("title") or name)) if "pdf" in formats else None
        # Publish only now that every output exists.
        for produced, suffix in ((html_file, "html"), (pdf_file, "pdf")):
            if produced:
                shutil.copyfile(produced, folder / f"latest.{suffix}.tmp")
                (folder / f"latest.{suffix}.tmp").replace(folder / f"latest.{suffix}")
        record = {"name": name, "notebook": str(notebook), "parameters": parameters, "key": key, "run": run_dir.name,
                  "finished": dt.datetime.now().isoformat(timespec="seconds"), "version": __version__,
                  "summary": summarize(parameters)}
        (folder / "latest.json.tmp").write_text(json.dumps(record, ensure_ascii=False, indent=1), "utf-8")
        (folder / "latest.json.tmp").replace(latest)
    except ReportError as exc:
        record_failure(out_dir, name, str(exc), run_dir)
        raise
    except OSError as exc:  # a full disk, a folder that cannot be written
        for suffix in ("html", "pdf", "json"):
            (folder / f"latest.{suffix}.tmp").unlink(missing_ok=True)
        message = f"{name}: could not write {exc.filename or 'its output'}: {exc.strerror or exc} (run folder {run_dir})"
        record_failure(out_dir, name, message, run_dir)
        raise ReportError(message) from None
    (folder / FAILED).unlink(missing_ok=True)
    return ReportResult(name, folder / "latest.html", folder / "latest.pdf" if pdf_file else None, run_dir=run_dir)


def record_failure(out_dir: str | Path, name: str, message: str, run_dir: Path | None = None) -> None:
    """Note a report's failure in ``OUT_DIR/NAME/failed.json`` (for the index) when its folder exists.

    Best effort: when the disk is full the note cannot be written either, and the
    error is still reported by the caller.
    """
    folder = Path(out_dir) / name
    if not folder.is_dir():
        return
    record = {"name": name, "error": message, "failed": dt.datetime.now().isoformat(timespec="seconds"),
              "run": run_dir.name if run_dir and run_dir.exists() else None}
    try:
        (folder / f"{FAILED}.tmp").write_text(json.dumps(record, ensure_ascii=False, indent=1), "utf-8")
        (folder / f"{FAILED}.tmp").replace(folder / FAILED)
    except OSError:
        (folder / f"{FAILED}.tmp").unlink(missing_ok=True)


def expand_config(document: Document, root: Path, timeout: float | None = None) -> tuple[list[dict], dict[str, str]]:
    """The named reports of a checked config, with ``for_each: province`` expanded from the store.

    Returns the reports to run and the failures of entries that cannot be run
    (invalid entry, no store to find provinces in), by report name.
    """
    config = document.data
    defaults = config.get("defaults") or {}
    reports: list[dict] = []
    failures: dict[str, str] = {}
    for index, entry in enumerate(config.get("reports") or []):
        given = entry.get("name") if isinstance(entry, dict) else None
        name = given if isinstance(given, str) and re.fullmatch(REPORT_NAME, given) else f"reports[{index}]"
        try:
            spec = check(document, REPORT_SCHEMA, ("reports", index))
        except ConfigError as exc:
            failures[name] = str(exc)
            continue
        notebook = root / spec.get("notebook", defaults.get("notebook", "notebooks/report.ipynb"))
        parameters = {**(defaults.get("parameters") or {}), **(spec.get("parameters") or {})}
        seconds = timeout or spec.get("timeout") or defaults.get("timeout") or CELL_TIMEOUT
        if "store" in parameters:
            parameters["store"] = str((root / parameters["store"]).resolve())
        if spec.get("for_each") != "province":
            reports.append({"name": name, "notebook": notebook, "parameters": parameters, "timeout": seconds})
            continue
        try:
            provinces = _provinces(parameters.get("store") or "")
        except ReportError as exc:
            failures[name] = f"{name}: {exc}"
            continue
        for province in provinces:
            # Plain replacement, not str.format: a title may hold braces of its own.
            filled = {k: (v.replace("{province}", province) if isinstance(v, str) else v) for k, v in parameters.items()}
            reports.append({"name": f"{name}-{_slug(province)}", "notebook": notebook,
                            "parameters": {**filled, "province": province}, "timeout": seconds})
    return reports, failures


def _provinces(store: str) -> list[str]:
    from .store import connect

    _require_store(store)
    with connect(store) as con:
        return sorted(p for (p,) in con.execute("SELECT DISTINCT province FROM documents WHERE province IS NOT NULL").fetchall())


def _slug(text: str) -> str:
    from .clean.normalize import ascii_fold

    return re.sub(r"[^a-z0-9]+", "-", ascii_fold(text)).strip("-")


def run_config(config_path: str | Path, out_dir: str | Path, only: list[str] | None = None,
               if_changed: bool = False, formats: tuple[str, ...] = ("html", "pdf"),
               timeout: float | None = None) -> tuple[list[ReportResult], list[str]]:
    """Run every report of the config (or those named in ``only``); write the index. Returns results and errors.

    One report's failure, whatever it is, is recorded and the next report runs; the
    index is written in the end in every case (unless the disk refuses it: then that
    is one more error).
    """
    config_path = Path(config_path)
    results: list[ReportResult] = []
    failures: dict[str, str] = {}
    problems: list[str] = []
    try:
        document = read_yaml(config_path)
        check(document, REPORTS_SCHEMA, apart=("reports",))
    except ConfigError as exc:
        problems.append(str(exc))
        specs: list[dict] = []
    else:
        specs, failures = expand_config(document, config_path.resolve().parent.parent, timeout)
    if only:
        specs = [s for s in specs if s["name"] in only]
        failures = {k: v for k, v in failures.items() if k in only}
        problems += [f"no report named {n!r} in {config_path}" for n in only
                     if not problems and n not in {s["name"] for s in specs} | set(failures)]
    for name, message in failures.items():
        record_failure(out_dir, name, message)
    for spec in specs:
        try:
            results.append(run_report(spec["notebook"], out_dir, spec["parameters"], spec["name"], formats, if_changed,
                                      spec["timeout"]))
        except ReportError as exc:
            failures[spec["name"]] = str(exc)
        except Exception as exc:  # noqa: BLE001 - one report's failure, whatever it is, must not stop the others
            failures[spec["name"]] = f"{spec['name']}: {type(exc).__name__}: {exc}"
            record_failure(out_dir, spec["name"], failures[spec["name"]])
    try:
        write_index(out_dir, failures, problems)
    except OSError as exc:
        (Path(out_dir) / "index.html.tmp").unlink(missing_ok=True)
        problems.append(f"could not write the index in {out_dir}: {exc.strerror or exc}")
    return results, problems + list(failures.values())
