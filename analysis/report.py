"""Report step: parameterized notebooks in, HTML and PDF reports out (the index is analysis.portal).

``run_report(notebook, out_dir, parameters, name)`` = ``prepare_report`` + ``run_job``. ``prepare_report``
checks the name (a slug: the report's folder under OUT_DIR, never a path) and the parameters before anything
runs — unknown names, bad dates, an empty date range, a bad ``include_undated``, an unknown language, a missing
store, a province the store has no document of (matched by analysis.params: "ben tre" is "Bến Tre", with "did
you mean" on a miss), filters that keep no document — and computes the report's key: the notebook, the
parameters, a digest of the store data the report reads (``_read_store``: the selected documents' record keys,
their facts, the rejected inputs, the catalog; not the store's generation, so a rebuild of the same data keeps
every report) and of the package's code. ``run_job`` executes the notebook with papermill into
``OUT_DIR/NAME/<run>/report.ipynb`` — every cell within ``timeout`` seconds, the kernel talking over private IPC
sockets —, converts it to ``report.html`` with the code hidden (nbconvert; no script is loaded, nothing is
typeset as LaTeX) and to ``report.pdf`` (WeasyPrint, from the HTML, no LaTeX, fetching no file or URL), publishes
them as ``OUT_DIR/NAME/latest.{html,pdf,json}`` and removes all but the newest ``keep_runs`` run folders (and the
last failure's, while it is the last failure).

A failed run — an error in a cell, a cell over its time, a dead kernel, a full
disk — raises ``ReportError``, keeps the executed notebook with the error in
its run folder, records the failure in ``OUT_DIR/NAME/failed.json`` and leaves
the previous ``latest`` files untouched. With ``if_changed=True`` a report
whose key is unchanged since its last good run is skipped, its files untouched.

``run_config(config)`` runs the named reports of ``reports/reports.yml``
(validated by ``analysis.config``; including one per province found in the
store), with the command line's store and parameters over the config's: all are
prepared first, the changed ones run ``jobs`` at a time in worker processes,
each report's failure is recorded and the others run; the index
(``index.html``) is written — failed reports marked as failed with their last
good output still linked — unless nothing ran, failed or was cleared.
"""
from __future__ import annotations

import ast
import datetime as dt
import hashlib
import html
import json
import os
import re
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import __version__
from .collation import sorted_names
from .config import REPORT_NAME, REPORT_SCHEMA, REPORTS_SCHEMA, ConfigError, Document, check, read_yaml
from .locales import LANGUAGES
from .params import ParameterError, Selection, check_dates, check_flag, select_documents
from .portal import FAILED, PATH_PARAMETERS, PROVINCE_FOLDER, summarize, write_index
from .portal import read_json as _read_json

CELL_TIMEOUT = 600  # seconds one cell may run (a report's cells take seconds; a hung one is stopped)
KEEP_RUNS = 3  # run folders kept per report (the newest; and the last failure's while it is the last failure)
RUN_FOLDER = re.compile(r"\d{8}-\d{6}-\d{6}")  # a run folder's name: the time it started

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


@dataclass(frozen=True)
class ReportJob:
    """A checked report, ready to run (in this process or a worker): what to execute, where, and its key."""

    name: str
    notebook: Path
    out_dir: Path
    parameters: dict[str, Any]
    key: str
    formats: tuple[str, ...] = ("html", "pdf")
    timeout: float = CELL_TIMEOUT
    keep_runs: int = KEEP_RUNS

    @property
    def folder(self) -> Path:
        return self.out_dir / self.name


def check_name(name: str) -> str:
    """A report name names a folder under the reports folder: refuse anything else (``../x``, ``/tmp/x``)."""
    if not isinstance(name, str) or not re.fullmatch(REPORT_NAME, name):
        raise ReportError(f"report name {name!r}: use letters, digits, '-' and '_' (it names a folder, never a path)")
    if name == PROVINCE_FOLDER:
        raise ReportError(f"report name {name!r} is the portal's folder of province pages: choose another name")
    return name


def notebook_parameters(notebook: str | Path) -> dict[str, Any]:
    """Names and defaults of the notebook's ``parameters`` cell (a default that is not a literal is None).

    Read from the notebook's JSON with ``ast``: deciding whether a report must run costs no kernel and no
    papermill import.
    """
    try:
        cells = json.loads(Path(notebook).read_text("utf-8")).get("cells", [])
    except (OSError, ValueError, AttributeError) as exc:
        raise ReportError(f"{notebook}: not a readable notebook ({exc})") from None
    for cell in cells:
        if cell.get("cell_type") == "code" and "parameters" in (cell.get("metadata") or {}).get("tags", []):
            source = cell.get("source", "")
            try:
                tree = ast.parse("".join(source) if isinstance(source, list) else source)
            except SyntaxError as exc:
                raise ReportError(f"{notebook}: its parameters cell is not Python ({exc.msg}, line {exc.lineno})") from None
            found: dict[str, Any] = {}
            for node in tree.body:
                if isinstance(node, ast.Assign):
                    targets, value = node.targets, node.value
                elif isinstance(node, ast.AnnAssign) and node.value is not None:
                    targets, value = [node.target], node.value
                else:
                    continue
                for target in targets:
                    if isinstance(target, ast.Name):
                        try:
                            found[target.id] = ast.literal_eval(value)
                        except ValueError:
                            found[target.id] = None
            return found
    return {}


def validate_parameters(notebook: Path, parameters: dict[str, Any]) -> dict[str, Any]:
    """Check parameters before execution; return them with paths made absolute and flags as booleans."""
    known = notebook_parameters(notebook)
    unknown = sorted(set(parameters) - set(known))
    if unknown:
        raise ReportError(f"unknown parameter(s) {', '.join(unknown)} for {notebook.name}; known: {', '.join(known)}")
    checked = dict(parameters)
    effective = {**known, **checked}  # what the notebook will see
    try:
        check_dates(effective.get("date_from"), effective.get("date_to"))
        if "include_undated" in checked:
            checked["include_undated"] = check_flag(checked["include_undated"], "include_undated")
    except ParameterError as exc:
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


class Connections(dict):
    """Open store connections by store path, shared by the reports of one run (opening one makes its views);
    a context manager that closes them."""

    def get_connection(self, store: str) -> Any:
        from .store import connect

        if store not in self:
            self[store] = connect(store)
        return self[store]

    def __enter__(self) -> Connections:
        return self

    def __exit__(self, *exc: object) -> None:
        for con in self.values():
            con.close()
        self.clear()


def _read_store(notebook: Path, parameters: dict[str, Any], connections: Connections) -> str:
    """Check the report's filters against its store and return a digest of what the report will read there.

    The province is replaced by the store's name for it ("ben tre" → "Bến Tre"); a filter that keeps no document
    is an error. The digest covers the selected documents (id, record key — the content of the record and the
    rules it was read with —, load order, duplicate), their facts, the store's rejected inputs and indicator
    catalog, and the undated documents a date filter left out: the same data in a new generation (a rebuild
    with nothing changed) gives the same digest, any change the report could show gives another.
    """
    effective = {**notebook_parameters(notebook), **parameters}
    con = connections.get_connection(parameters["store"])
    try:
        selection = select_documents(con, effective.get("date_from"), effective.get("date_to"),
                                     effective.get("province"), effective.get("include_undated") or False)
    except ParameterError as exc:
        raise ReportError(str(exc)) from None
    if selection.documents == 0:
        left_out = f", {selection.message}" if selection.message else ""
        raise ReportError(f"no document of the store matches {selection.describe()} "
                          f"({selection.total} document(s) in {parameters['store']}{left_out})")
    if selection.province:
        parameters["province"] = selection.province.name
    return _content_digest(con, selection)


def _content_digest(con: Any, selection: Selection) -> str:
    where, params = selection.where, list(selection.params)
    chosen = f"doc_id IN (SELECT doc_id FROM documents WHERE {where})"
    views = {name for (name,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    queries = [(f"SELECT md5(string_agg(doc_id || ':' || coalesce(record_key, sha256, '') || ':' || coalesce(CAST(seq AS VARCHAR), '')"
                f" || ':' || coalesce(duplicate_of, ''), '|' ORDER BY doc_id)) FROM documents WHERE {where}", params)]
    queries += [(f"SELECT md5(string_agg(t::VARCHAR, '|' ORDER BY t::VARCHAR)) FROM {table} t"
                 f"{' WHERE ' + chosen if table == 'facts' else ''}", params if table == "facts" else [])
                for table in ("facts", "rejected", "indicators") if table in views]
    import duckdb

    digest = hashlib.sha256(str(selection.undated_left_out).encode())
    try:
        for sql, values in queries:
            digest.update(str(con.execute(sql, values).fetchall()[0][0]).encode())
    except duckdb.Error:  # a store written before record keys: what it holds is unknown, so the report runs
        return f"unknown-{uuid.uuid4().hex}"
    return digest.hexdigest()


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A digest of the package's code and data files (Python, YAML): a report made by other code is made again."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(p for pattern in ("**/*.py", "**/*.yaml", "**/*.yml") for p in package.glob(pattern)):
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


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


def _run_key(notebook: Path, parameters: dict[str, Any], content: str) -> str:
    """What a report's output depends on: the notebook, the parameters, the content it reads, the code."""
    digest = hashlib.sha256(notebook.read_bytes())
    digest.update(json.dumps(parameters, sort_keys=True, default=str).encode())
    digest.update(content.encode())
    digest.update(code_fingerprint().encode())
    return digest.hexdigest()


def _kernel_config(sockets: Path):
    """The kernel's sockets are local IPC files in ``sockets`` (a private folder, one per run) instead of TCP ports
    on localhost: nothing else on the machine can connect to them, and ipykernel has no reason to warn that it runs
    over TCP without encryption. Each run needs its own folder: jupyter_client numbers IPC sockets 1, 2, … after
    the files it finds, so two kernels started at once in one folder would take the same sockets."""
    from traitlets.config import Config

    return Config({"KernelManager": {"transport": "ipc", "ip": str(sockets / "kernel")}})


def _execute(notebook: Path, executed: Path, parameters: dict[str, Any], name: str, timeout: float) -> None:
    """Run the notebook with papermill; every way a run can fail becomes a ``ReportError`` that says which."""
    import papermill as pm
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    kept = f"(executed notebook kept at {executed})"
    # The sockets' folder: a short path (a socket's path has at most ~100 bytes), removed with what the kernel leaves.
    with tempfile.TemporaryDirectory(prefix="analysis-kernel-") as sockets:
        try:
            pm.execute_notebook(str(notebook), str(executed), parameters=parameters, cwd=str(notebook.parent.resolve()),
                                kernel_name="python3", progress_bar=False, log_output=False, execution_timeout=timeout,
                                config=_kernel_config(Path(sockets)))
        except pm.PapermillExecutionError as exc:
            raise ReportError(f"{name}: notebook failed in cell {exc.exec_count}: {exc.ename}: {exc.evalue} {kept}") from None
        except CellTimeoutError:
            raise ReportError(f"{name}: a cell ran longer than {timeout:g} s and was stopped {kept}") from None
        except DeadKernelError as exc:
            raise ReportError(f"{name}: the notebook's kernel died ({exc}) {kept}") from None
        except RuntimeError as exc:  # the kernel did not start or stopped answering
            raise ReportError(f"{name}: the notebook's kernel failed: {exc} {kept}") from None


def prepare_report(notebook: str | Path, out_dir: str | Path, parameters: dict[str, Any], name: str = "report",
                   formats: tuple[str, ...] = ("html", "pdf"), timeout: float = CELL_TIMEOUT,
                   keep_runs: int = KEEP_RUNS, connections: Connections | None = None) -> ReportJob:
    """Check a report (name, notebook, parameters, filters against the store) and compute its key; nothing runs.
    ``connections``: store connections to reuse (else one is opened and closed for this report)."""
    check_name(name)
    if not isinstance(keep_runs, int) or isinstance(keep_runs, bool) or keep_runs < 1:
        raise ReportError(f"keep_runs must be a whole number of at least 1, not {keep_runs!r}")
    notebook = Path(notebook)
    if not notebook.exists():
        raise ReportError(f"no such notebook: {notebook}")
    checked = validate_parameters(notebook, parameters)
    with Connections() as own:
        content = _read_store(notebook, checked, connections if connections is not None else own) if checked.get("store") else ""
    return ReportJob(name, notebook, Path(out_dir), checked, _run_key(notebook, checked, content), formats, timeout,
                     keep_runs)


def unchanged(job: ReportJob) -> ReportResult | None:
    """The published result, if it was made from these very inputs (same key, every file there), else None.
    A failure noted since is cleared: the published files are those of these inputs."""
    previous = _read_json(job.folder / "latest.json")
    if not previous or previous.get("key") != job.key or not all((job.folder / f"latest.{f}").exists() for f in job.formats):
        return None
    (job.folder / FAILED).unlink(missing_ok=True)
    return ReportResult(job.name, job.folder / "latest.html", job.folder / "latest.pdf" if "pdf" in job.formats else None,
                        skipped=True)


def run_report(notebook: str | Path, out_dir: str | Path, parameters: dict[str, Any], name: str = "report",
               formats: tuple[str, ...] = ("html", "pdf"), if_changed: bool = False,
               timeout: float = CELL_TIMEOUT, keep_runs: int = KEEP_RUNS) -> ReportResult:
    """Execute one report; see the module docstring."""
    job = prepare_report(notebook, out_dir, parameters, name, formats, timeout, keep_runs)
    published = unchanged(job) if if_changed else None
    return published or run_job(job)


def run_job(job: ReportJob) -> ReportResult:
    """Execute a prepared report, publish its output, prune its old run folders (see the module docstring)."""
    name, folder, formats, parameters = job.name, job.folder, job.formats, job.parameters
    run_dir = folder / dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    executed = run_dir / "report.ipynb"
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
        _execute(job.notebook, executed, parameters, name, job.timeout)
        readers_view = _notebook_without_code(executed)
        html_file = to_html(readers_view, run_dir / "report.html")
        pdf_file = to_pdf(readers_view, run_dir / "report.pdf", str(parameters.get("title") or name)) if "pdf" in formats else None
        # Publish only now that every output exists.
        for produced, suffix in ((html_file, "html"), (pdf_file, "pdf")):
            if produced:
                shutil.copyfile(produced, folder / f"latest.{suffix}.tmp")
                (folder / f"latest.{suffix}.tmp").replace(folder / f"latest.{suffix}")
        record = {"name": name, "notebook": str(job.notebook), "parameters": parameters, "key": job.key, "run": run_dir.name,
                  "finished": dt.datetime.now().isoformat(timespec="seconds"), "version": __version__,
                  "summary": summarize(parameters)}
        (folder / "latest.json.tmp").write_text(json.dumps(record, ensure_ascii=False, indent=1), "utf-8")
        (folder / "latest.json.tmp").replace(folder / "latest.json")
    except ReportError as exc:
        record_failure(job.out_dir, name, str(exc), run_dir)
        prune_runs(folder, job.keep_runs)
        raise
    except OSError as exc:  # a full disk, a folder that cannot be written
        for suffix in ("html", "pdf", "json"):
            (folder / f"latest.{suffix}.tmp").unlink(missing_ok=True)
        message = f"{name}: could not write {exc.filename or 'its output'}: {exc.strerror or exc} (run folder {run_dir})"
        record_failure(job.out_dir, name, message, run_dir)
        prune_runs(folder, job.keep_runs)
        raise ReportError(message) from None
    (folder / FAILED).unlink(missing_ok=True)
    prune_runs(folder, job.keep_runs)
    return ReportResult(name, folder / "latest.html", folder / "latest.pdf" if pdf_file else None, run_dir=run_dir)


def prune_runs(folder: Path, keep: int = KEEP_RUNS) -> list[Path]:
    """Remove a report's run folders but the newest ``keep`` and the one of its last failure (``failed.json``),
    kept while it is the last failure; returns the folders removed. Best effort: a folder that cannot be removed
    stays until the next run."""
    failure = _read_json(folder / FAILED) or {}
    runs = sorted(p for p in folder.glob("*") if RUN_FOLDER.fullmatch(p.name) and p.is_dir())
    removed = [p for p in runs[:-keep] if p.name != failure.get("run")]
    for path in removed:
        shutil.rmtree(path, ignore_errors=True)
    return removed


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


def expand_config(document: Document, root: Path, timeout: float | None = None, overrides: dict[str, Any] | None = None,
                  connections: Connections | None = None) -> tuple[list[dict], dict[str, str]]:
    """The named reports of a checked config, with ``for_each: province`` expanded from the store.

    ``overrides`` (the command line's ``--store`` and ``-p``) replace the config's parameters of every report
    (a ``for_each: province`` entry still sets each report's province). Returns the reports to run — each with
    its ``entry``, the config entry it comes from — and the failures of entries that cannot be run (invalid
    entry, no store to find provinces in, a name used twice), by report name.
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
        if "store" in parameters:
            parameters["store"] = str((root / parameters["store"]).resolve())
        parameters.update(overrides or {})
        common = {"entry": name, "notebook": notebook, "timeout": timeout or spec.get("timeout") or defaults.get("timeout") or CELL_TIMEOUT,
                  "keep_runs": spec.get("keep_runs") or defaults.get("keep_runs") or KEEP_RUNS}
        if spec.get("for_each") != "province":
            reports.append({**common, "name": name, "parameters": parameters})
            continue
        try:
            with Connections() as own:
                provinces = _provinces(parameters.get("store") or "", connections if connections is not None else own)
        except ReportError as exc:
            failures[name] = f"{name}: {exc}"
            continue
        for province in provinces:
            # Plain replacement, not str.format: a title may hold braces of its own.
            filled = {k: (v.replace("{province}", province) if isinstance(v, str) else v) for k, v in parameters.items()}
            reports.append({**common, "name": f"{name}-{_slug(province)}", "parameters": {**filled, "province": province}})
    seen: set[str] = set()
    unique = []
    for report in reports:
        if report["name"] in seen or report["name"] in failures:
            failures.setdefault(report["name"], f"{report['name']}: the name is used by two reports of the config "
                                                f"(from entry {report['entry']!r}); each report needs its own folder")
        else:
            seen.add(report["name"])
            unique.append(report)
    return unique, failures


def _provinces(store: str, connections: Connections) -> list[str]:
    _require_store(store)
    con = connections.get_connection(store)
    return sorted_names(p for (p,) in con.execute("SELECT DISTINCT province FROM documents WHERE province IS NOT NULL").fetchall())


def _slug(text: str) -> str:
    from .clean.normalize import ascii_fold

    return re.sub(r"[^a-z0-9]+", "-", ascii_fold(text)).strip("-")


def default_jobs() -> int:
    """Reports run at once by default: one per core this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def run_config(config_path: str | Path, out_dir: str | Path, only: list[str] | None = None,
               if_changed: bool = False, formats: tuple[str, ...] = ("html", "pdf"),
               timeout: float | None = None, overrides: dict[str, Any] | None = None,
               jobs: int | None = None, keep_runs: int | None = None) -> tuple[list[ReportResult], list[str]]:
    """Run every report of the config (or those named in ``only``); write the index. Returns results and errors.

    A name in ``only`` that is neither a report nor a config entry (``province`` runs every province's) is a
    ``ReportError`` before anything runs, with the names there are. Every report is checked and its key
    computed first; with ``if_changed`` those whose key is unchanged are skipped; the others run ``jobs`` at a
    time (default: one per core), each in a worker process with its own kernel, and their results are the
    same as when run one after the other. One report's failure, whatever it is, is recorded and the others
    run; the index is then written (unless the disk refuses it: then that is one more error) — but left as
    it is when nothing ran, nothing failed and no failure was cleared.
    """
    config_path = Path(config_path)
    out_dir = Path(out_dir)
    jobs = default_jobs() if jobs is None else jobs
    if not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1:
        raise ReportError(f"jobs must be a whole number of at least 1, not {jobs!r}")
    results: dict[str, ReportResult] = {}
    failures: dict[str, str] = {}
    problems: list[str] = []
    with Connections() as connections:  # closed before the reports run
        try:
            document = read_yaml(config_path)
            check(document, REPORTS_SCHEMA, apart=("reports",))
        except ConfigError as exc:
            problems.append(str(exc))
            specs: list[dict] = []
        else:
            specs, failures = expand_config(document, config_path.resolve().parent.parent, timeout, overrides, connections)
        if only and not problems:
            known = [s["name"] for s in specs] + list(failures)
            entries = {s["entry"] for s in specs} | set(failures)
            missing = [n for n in only if n not in known and n not in entries]
            if missing:
                listed = ", ".join(dict.fromkeys([*sorted(entries), *known]))
                raise ReportError(f"no report named {', '.join(repr(n) for n in missing)} in {config_path}; "
                                  f"reports: {listed or 'none'}")
            specs = [s for s in specs if s["name"] in only or s["entry"] in only]
            failures = {k: v for k, v in failures.items() if k in only}
        for name, message in failures.items():
            record_failure(out_dir, name, message)
        pending: list[ReportJob] = []
        cleared = False
        for spec in specs:
            try:
                job = prepare_report(spec["notebook"], out_dir, spec["parameters"], spec["name"], formats, spec["timeout"],
                                     keep_runs or spec["keep_runs"], connections)
            except ReportError as exc:
                failures[spec["name"]] = str(exc)
                record_failure(out_dir, spec["name"], str(exc))
                continue
            except Exception as exc:  # noqa: BLE001 - one report's failure, whatever it is, must not stop the others
                failures[spec["name"]] = f"{spec['name']}: {type(exc).__name__}: {exc}"
                record_failure(out_dir, spec["name"], failures[spec["name"]])
                continue
            had_failure = (job.folder / FAILED).exists()
            published = unchanged(job) if if_changed else None
            if published:
                results[job.name] = published
                cleared |= had_failure
            else:
                pending.append(job)
    for job, outcome in _run_jobs(pending, jobs):
        if isinstance(outcome, ReportResult):
            results[job.name] = outcome
        else:
            failures[job.name] = outcome
    index = out_dir / "index.html"
    if pending or failures or problems or cleared or not index.exists():
        try:
            write_index(out_dir, failures, problems)
        except OSError as exc:
            (out_dir / "index.html.tmp").unlink(missing_ok=True)
            problems.append(f"could not write the index in {out_dir}: {exc.strerror or exc}")
    ordered = [results[s["name"]] for s in specs if s["name"] in results]
    return ordered, problems + [failures[s["name"]] for s in specs if s["name"] in failures] + \
        [m for n, m in failures.items() if n not in {s["name"] for s in specs}]


def _run_contained(job: ReportJob) -> ReportResult | str:
    """``run_job``, its failure — whatever it is — as the message to report (a worker sends back only these)."""
    try:
        return run_job(job)
    except ReportError as exc:
        return str(exc)
    except Exception as exc:  # noqa: BLE001 - one report's failure must not stop the others
        message = f"{job.name}: {type(exc).__name__}: {exc}"
        record_failure(job.out_dir, job.name, message)
        return message


def _run_jobs(pending: list[ReportJob], jobs: int):
    """(job, result or error message) for each job, in their order: here one after the other, or ``jobs`` at a
    time in worker processes (started fresh — "spawn" — so that no lock or thread of this process is copied)."""
    if jobs == 1 or len(pending) < 2:
        return [(job, _run_contained(job)) for job in pending]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    outcomes: list[tuple[ReportJob, ReportResult | str]] = []
    with ProcessPoolExecutor(max_workers=min(jobs, len(pending)), mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [(job, pool.submit(_run_contained, job)) for job in pending]
        for job, future in futures:
            try:
                outcomes.append((job, future.result()))
            except BrokenProcessPool as exc:  # the worker itself died (killed, out of memory)
                message = f"{job.name}: the worker process running it died ({exc})"
                record_failure(job.out_dir, job.name, message)
                outcomes.append((job, message))
    return outcomes
