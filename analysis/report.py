"""Report step: parameterized notebooks in, HTML and PDF reports and an index out.

``run_report(notebook, out_dir, parameters, name)`` validates the parameters
(unknown names, bad dates, unknown language, missing store: a clear error
before anything runs), executes the notebook with papermill into
``OUT_DIR/NAME/<run>/report.ipynb``, converts it to ``report.html`` with the
code hidden (nbconvert) and to ``report.pdf`` (WeasyPrint, from the HTML, no
LaTeX), then publishes them as ``OUT_DIR/NAME/latest.{html,pdf,json}``.

A failed run raises ``ReportError``, keeps the executed notebook with the
error in its run folder and leaves the previous ``latest`` files untouched.
With ``if_changed=True`` a report whose notebook, parameters, store and
package version are unchanged since its last good run is skipped.
``run_config(config)`` runs the named reports of ``reports/reports.yml``
(including one per province found in the store) and writes ``index.html``.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from . import __version__

LANGUAGES = ("vi", "en")
PATH_PARAMETERS = ("store", "corpus")

# The source table (document, indicator, value, matched text, sentence): fixed column widths on screen and on paper.
PROVENANCE_CSS = "table.provenance { table-layout: fixed; }\n" + " ".join(
    f"table.provenance th:nth-child({i}) {{ width: {w}%; }}" for i, w in enumerate((18, 13, 9, 12, 48), start=1)) + "\n"
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
                               overflow-wrap: anywhere; }
table.data th { background: #eef1f5; }
img { max-width: 100%; height: auto; break-inside: avoid; }
pre { white-space: pre-wrap; }
hr { border: none; border-top: 0.5pt solid #999; }
a.anchor-link { display: none; }
"""


class ReportError(RuntimeError):
    """The report could not be produced; the message says why and where."""


@dataclass
class ReportResult:
    name: str
    html: Path | None
    pdf: Path | None
    skipped: bool = False
    run_dir: Path | None = None


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


def to_html(notebook, target: Path) -> Path:
    """Standalone HTML (JupyterLab look) of a reader's notebook (``_notebook_without_code``)."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(notebook)
    body = body.replace("</head>", f"<style>{SCREEN_CSS}</style></head>", 1)
    target.write_text(body, encoding="utf-8")
    return target


def to_pdf(notebook, target: Path, title: str = "Report") -> Path:
    """PDF with WeasyPrint from a plain HTML rendering of the notebook (A4, DejaVu Sans, no LaTeX).

    The JupyterLab page styles are made for screens; the print page uses nbconvert's
    unstyled "basic" template and only PRINT_CSS, so tables wrap within the page.
    """
    import logging

    from nbconvert import HTMLExporter
    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    exporter = HTMLExporter(template_name="basic", exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(notebook)
    page = (f'<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{PRINT_CSS}</style></head><body>{body}</body></html>")
    HTML(string=page, base_url=str(target.parent)).write_pdf(str(target))
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


def run_report(notebook: str | Path, out_dir: str | Path, parameters: dict[str, Any], name: str = "report",
               formats: tuple[str, ...] = ("html", "pdf"), if_changed: bool = False) -> ReportResult:
    """Execute one report; see the module docstring."""
    import papermill as pm

    notebook = Path(notebook)
    if not notebook.exists():
        raise ReportError(f"no such notebook: {notebook}")
    parameters = validate_parameters(notebook, parameters)
    folder = Path(out_dir) / name
    key = _run_key(notebook, parameters)
    latest = folder / "latest.json"
    if if_changed and latest.exists():
        previous = json.loads(latest.read_text("utf-8"))
        if previous.get("key") == key and all((folder / f"latest.{f}").exists() for f in formats):
            return ReportResult(name, folder / "latest.html", folder / "latest.pdf" if "pdf" in formats else None, skipped=True)
    run_dir = folder / dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    run_dir.mkdir(parents=True, exist_ok=True)
    executed = run_dir / "report.ipynb"
    try:
        pm.execute_notebook(str(notebook), str(executed), parameters=parameters, cwd=str(notebook.parent.resolve()),
                            kernel_name="python3", progress_bar=False, log_output=False)
    except pm.PapermillExecutionError as exc:
        raise ReportError(f"{name}: notebook failed in cell {exc.exec_count}: {exc.ename}: {exc.evalue} "
                          f"(executed notebook kept at {executed})") from None
    readers_view = _notebook_without_code(executed)
    html_file = to_html(readers_view, run_dir / "report.html")
    pdf_file = to_pdf(readers_view, run_dir / "report.pdf", str(parameters.get("title") or name)) if "pdf" in formats else None
    # Publish only now that every output exists.
    for produced, suffix in ((html_file, "html"), (pdf_file, "pdf")):
        if produced:
            shutil.copyfile(produced, folder / f"latest.{suffix}.tmp")
            (folder / f"latest.{suffix}.tmp").replace(folder / f"latest.{suffix}")
    record = {"name": name, "notebook": str(notebook), "parameters": parameters, "key": key, "run": run_dir.name,
              "finished": dt.datetime.now().isoformat(timespec="seconds"), "version": __version__}
    (folder / "latest.json.tmp").write_text(json.dumps(record, ensure_ascii=False, indent=1), "utf-8")
    (folder / "latest.json.tmp").replace(latest)
    return ReportResult(name, folder / "latest.html", folder / "latest.pdf" if pdf_file else None, run_dir=run_dir)


def expand_config(config: dict, root: Path) -> list[dict]:
    """The named reports of a config, with ``for_each: province`` expanded from the store."""
    defaults = config.get("defaults") or {}
    reports = []
    for spec in config.get("reports") or []:
        notebook = root / spec.get("notebook", defaults.get("notebook", "notebooks/report.ipynb"))
        parameters = {**(defaults.get("parameters") or {}), **(spec.get("parameters") or {})}
        if "store" in parameters:
            parameters["store"] = str((root / parameters["store"]).resolve())
        if spec.get("for_each") == "province":
            from .store import connect

            _require_store(parameters.get("store", ""))
            with connect(parameters["store"]) as con:
                provinces = sorted(p for (p,) in con.execute(
                    "SELECT DISTINCT province FROM documents WHERE province IS NOT NULL").fetchall())
            for province in provinces:
                filled = {k: (v.format(province=province) if isinstance(v, str) else v) for k, v in parameters.items()}
                reports.append({"name": f"{spec['name']}-{_slug(province)}", "notebook": notebook,
                                "parameters": {**filled, "province": province}})
        else:
            reports.append({"name": spec["name"], "notebook": notebook, "parameters": parameters})
    return reports


def _slug(text: str) -> str:
    import re

    from .clean.normalize import ascii_fold

    return re.sub(r"[^a-z0-9]+", "-", ascii_fold(text)).strip("-")


def run_config(config_path: str | Path, out_dir: str | Path, only: list[str] | None = None,
               if_changed: bool = False, formats: tuple[str, ...] = ("html", "pdf")) -> tuple[list[ReportResult], list[str]]:
    """Run every report of the config (or those named in ``only``); write the index. Returns results and errors."""
    config_path = Path(config_path)
    config = yaml.safe_load(config_path.read_text("utf-8")) or {}
    root = config_path.resolve().parent.parent
    results, errors = [], []
    for spec in expand_config(config, root):
        if only and spec["name"] not in only:
            continue
        try:
            results.append(run_report(spec["notebook"], out_dir, spec["parameters"], spec["name"], formats, if_changed))
        except ReportError as exc:
            errors.append(str(exc))
    write_index(out_dir)
    return results, errors


def write_index(out_dir: str | Path) -> Path:
    """``index.html`` listing every published report with its date, parameters and links."""
    out_dir = Path(out_dir)
    rows = []
    for record_file in sorted(out_dir.glob("*/latest.json")):
        record = json.loads(record_file.read_text("utf-8"))
        name = record_file.parent.name
        shown = {k: v for k, v in record["parameters"].items() if k not in PATH_PARAMETERS and v not in (None, "")}
        links = " · ".join(f'<a href="{html.escape(name)}/latest.{s}">{s.upper()}</a>'
                           for s in ("html", "pdf") if (record_file.parent / f"latest.{s}").exists())
        rows.append(f"<tr><td>{html.escape(name)}</td><td>{html.escape(str(shown.get('title', '')))}</td>"
                    f"<td>{html.escape(record['finished'].replace('T', ' '))}</td>"
                    f"<td><code>{html.escape(json.dumps(shown, ensure_ascii=False))}</code></td><td>{links}</td></tr>")
    page = f"""<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Reports</title>
<style>body{{font-family:"DejaVu Sans",sans-serif;margin:2em;}} table{{border-collapse:collapse;}}
td,th{{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top;}} th{{background:#f2f4f7;}}</style></head>
<body><h1>Báo cáo / Reports</h1><p>analysis {html.escape(__version__)} · {dt.datetime.now():%Y-%m-%d %H:%M}</p>
<table><tr><th>Name</th><th>Title</th><th>Run</th><th>Parameters</th><th>Files</th></tr>
{''.join(rows)}</table></body></html>"""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "index.html").write_text(page, encoding="utf-8")
    return out_dir / "index.html"
