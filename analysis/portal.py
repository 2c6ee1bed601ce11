"""Portal step: the reports folder in, ``reports/index.html`` out.

``write_index(out_dir, failures, problems)`` reads what the report runner left in
each report's folder (``NAME/latest.json``: name, notebook, parameters, key, run,
finished, version and ``summary``; ``NAME/failed.json`` when its last run failed)
and renders the index. ``summarize(parameters)`` computes a report's key figures
(documents, date range, undated documents, headline figures, directives,
provinces) from the store it reads, with the report's own filters; the runner
stores the result as ``summary`` in ``latest.json`` so the index never opens a store.
"""
from __future__ import annotations

import datetime as dt
import html
import json
from pathlib import Path
from typing import Any

from . import __version__

FAILED = "failed.json"
PATH_PARAMETERS = ("store", "corpus")


def summarize(parameters: dict[str, Any]) -> dict[str, Any]:
    """Key figures of a report for its card on the index (empty until the portal computes them)."""
    return {}


def _first_line(text: str, limit: int = 400) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[:limit] + " …"


def write_index(out_dir: str | Path, failures: dict[str, str] | None = None, problems: list[str] | None = None) -> Path:
    """``index.html`` listing every report with its state, date, parameters and links.

    A report whose last run failed (``failures`` of this run, or ``failed.json``
    from an earlier one) is shown as failed, with the error and a link to the kept
    notebook, next to the links to its last good output.
    """
    out_dir = Path(out_dir)
    failures = dict(failures or {})
    names = {p.parent.name for pattern in ("*/latest.json", f"*/{FAILED}") for p in out_dir.glob(pattern)} | set(failures)
    rows = []
    for name in sorted(names):
        folder = out_dir / name
        record = read_json(folder / "latest.json") or {}
        failure = read_json(folder / FAILED)
        error = failures.get(name) or (failure or {}).get("error")
        shown = {k: v for k, v in (record.get("parameters") or {}).items() if k not in PATH_PARAMETERS and v not in (None, "")}
        links = [f'<a href="{html.escape(name)}/latest.{s}">{s.upper()}</a>'
                 for s in ("html", "pdf") if record and (folder / f"latest.{s}").exists()]
        if error:
            kept = (failure or {}).get("run")
            if kept and (folder / kept / "report.ipynb").exists():
                links.append(f'<a href="{html.escape(name)}/{html.escape(kept)}/report.ipynb">failed notebook</a>')
            state = (f'<td class="failed"><b>failed</b> {html.escape((failure or {}).get("failed", "").replace("T", " "))}'
                     f"<br><small>{html.escape(_first_line(error))}</small>"
                     + ("<br><small>HTML/PDF: the last good run</small>" if record else "") + "</td>")
        else:
            state = '<td class="ok">ok</td>'
        rows.append(f"<tr><td>{html.escape(name)}</td>{state}<td>{html.escape(str(shown.get('title', '')))}</td>"
                    f"<td>{html.escape(str(record.get('finished', '—')).replace('T', ' '))}</td>"
                    f"<td><code>{html.escape(json.dumps(shown, ensure_ascii=False))}</code></td>"
                    f"<td>{' · '.join(links) or '—'}</td></tr>")
    banner = "".join(f'<p class="failed"><b>Configuration error</b><br><small>{html.escape(p)}</small></p>'
                     for p in problems or [])
    page = f"""<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Reports</title>
<style>body{{font-family:"DejaVu Sans",sans-serif;margin:2em;}} table{{border-collapse:collapse;}}
td,th{{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top;}} th{{background:#f2f4f7;}}
.failed{{background:#fdecea;color:#8a1c12;}} .ok{{color:#1a7f37;}}</style></head>
<body><h1>Báo cáo / Reports</h1><p>analysis {html.escape(__version__)} · {dt.datetime.now():%Y-%m-%d %H:%M}</p>{banner}
<table><tr><th>Name</th><th>State</th><th>Title</th><th>Last good run</th><th>Parameters</th><th>Files</th></tr>
{''.join(rows)}</table></body></html>"""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "index.html.tmp").write_text(page, encoding="utf-8")
    (out_dir / "index.html.tmp").replace(out_dir / "index.html")
    return out_dir / "index.html"


def read_json(path: Path) -> dict | None:
    """A small JSON record, or None when it is missing or unreadable (a run killed while writing it)."""
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
