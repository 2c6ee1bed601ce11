"""Report step: a parameterized notebook in, an executed notebook and HTML out.

``run_report(notebook, out_dir, parameters, name)`` validates the parameters
against the notebook's tagged ``parameters`` cell, executes it with papermill
into ``OUT_DIR/NAME/<run>/report.ipynb`` and converts it to ``report.html``
with the code hidden (nbconvert). A failed run raises ``ReportError`` and
keeps the executed notebook, with the error, for debugging.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any


class ReportError(RuntimeError):
    """The report could not be produced; the message says why and where."""


def notebook_parameters(notebook: str | Path) -> dict[str, Any]:
    """Names and defaults of the notebook's ``parameters`` cell."""
    import papermill as pm

    return {name: spec["default"] for name, spec in pm.inspect_notebook(str(notebook)).items()}


def to_html(executed: Path, html: Path) -> Path:
    """Convert an executed notebook to standalone HTML without code cells."""
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nbformat.read(executed, as_version=4))
    html.write_text(body, encoding="utf-8")
    return html


def run_report(notebook: str | Path, out_dir: str | Path, parameters: dict[str, Any], name: str = "report") -> Path:
    """Execute ``notebook`` with ``parameters``; return the HTML path."""
    import papermill as pm

    notebook = Path(notebook)
    if not notebook.exists():
        raise ReportError(f"no such notebook: {notebook}")
    known = notebook_parameters(notebook)
    unknown = sorted(set(parameters) - set(known))
    if unknown:
        raise ReportError(f"unknown parameter(s) {', '.join(unknown)} for {notebook.name}; known: {', '.join(known)}")
    run = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = Path(out_dir) / name / run
    target.mkdir(parents=True, exist_ok=True)
    executed = target / "report.ipynb"
    try:
        pm.execute_notebook(
            str(notebook), str(executed), parameters=parameters, cwd=str(notebook.parent),
            kernel_name="python3", progress_bar=False,
        )
    except pm.PapermillExecutionError as exc:
        raise ReportError(f"notebook failed in cell {exc.exec_count}: {exc.ename}: {exc.evalue} (see {executed})") from None
    html = to_html(executed, target / "report.html")
    latest = Path(out_dir) / name / "latest.html"
    latest.write_text(html.read_text("utf-8"), encoding="utf-8")
    return html
