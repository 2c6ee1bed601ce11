"""Portal step: the reports folder in, a small static site out (``index.html``, ``provinces/<slug>.html``).

``summarize(parameters)`` computes a report's key figures from the store it reads,
with the report's own filters (``aggregate.load_tables``: province, dates):
documents, first and last date, undated documents (in the selection, and those a
date filter left out), headline figures with their labels in both languages,
the most cited directives and the provinces covered. The runner stores the
result as ``summary`` in the report's ``latest.json``, so the site never opens a
store. A summary that cannot be computed is ``{"error": ...}``, never a failed run.

``write_index(out_dir, failures, problems)`` reads what the runner left in each
report's folder (``NAME/latest.json``: name, notebook, parameters, key, run,
finished, version, summary; ``NAME/failed.json`` when its last run failed) and
writes the site: one card per report (title, status, the error of a failed run
with its last good output still linked, key figures, dates, provinces, links,
last run time), one page per province covered (its reports and figures), and a
client-side search over report titles, provinces and directives (plain
JavaScript from ``portal_assets/``, inlined: the pages load nothing). Every text
is NFC and HTML-escaped; the wording is the ``portal`` section of
``analysis/locales/<language>.yaml``. A page is replaced only when its content
changed, so a run that changed nothing leaves the site's files untouched.
"""
from __future__ import annotations

import datetime as dt
import html
import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from . import __version__
from .collation import sort_key

FAILED = "failed.json"
PATH_PARAMETERS = ("store", "corpus")
PROVINCE_FOLDER = "provinces"
ASSETS = Path(__file__).with_name("portal_assets")
LOCALES = Path(__file__).with_name("locales")
CARD_FIGURES = 4  # headline figures on a report's card (a province page shows them all)
CARD_PROVINCES = 8
TOP_DIRECTIVES = 5


# --- wording ---------------------------------------------------------------------------
@lru_cache(maxsize=4)
def portal_words(language: str = "vi") -> dict[str, str]:
    """The ``portal`` section of ``analysis/locales/<language>.yaml`` (checked: a mapping of texts)."""
    from .config import ConfigError, load_config

    schema = {"type": "object", "required": ["portal"],
              "properties": {"portal": {"type": "object", "additionalProperties": {"type": "string"}}}}
    path = LOCALES / f"{language}.yaml"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in LOCALES.glob("*.yaml")))
        raise ConfigError(f"no locale file {path} (languages: {known})")
    return dict(load_config(path, schema)["portal"])


# --- the summary of one report -------------------------------------------------------------
def summarize(parameters: dict[str, Any]) -> dict[str, Any]:
    """Key figures of a report for its card (see the module docstring); ``{}`` for a report without a store."""
    store = parameters.get("store")
    if not store:
        return {}
    try:
        return _summary(str(store), parameters)
    except Exception as exc:  # noqa: BLE001 - the report is already published: its card says what went wrong
        return {"error": f"{type(exc).__name__}: {exc}"}


def _summary(store: str, parameters: dict[str, Any]) -> dict[str, Any]:
    import pandas as pd

    from .aggregate import format_value, headline_figures, load_tables

    date_from, date_to, province = parameters.get("date_from"), parameters.get("date_to"), parameters.get("province")
    tables = load_tables(store, date_from=date_from, date_to=date_to, province=province,
                         include_undated=bool(parameters.get("include_undated", False)))
    documents, catalog = tables["documents"], tables["indicators"]
    published = pd.to_datetime(documents["published"], errors="coerce")
    labels = {row["indicator"]: {"vi": row["label_vi"], "en": row["label_en"]} for row in catalog.to_dict("records")}
    kinds = dict(zip(catalog["indicator"], catalog["kind"], strict=False))

    def figure(row: dict) -> dict:
        indicator = row["indicator"]
        return {"indicator": indicator, "kind": kinds.get(indicator), "label": labels.get(indicator, {}),
                "value": float(row["value"]), "qualifier": row["qualifier"],
                "text": {lang: format_value(row["value"], row["qualifier"], indicator, lang) for lang in ("vi", "en")},
                "province": row["province"], "year": int(row["year"]), "partial": bool(row["partial"])}

    by_year = tables["province_year"]
    latest = by_year.sort_values("year", kind="stable").groupby(["province", "indicator"], sort=False).tail(1)
    order = {name: i for i, name in enumerate(catalog.sort_values("order")["indicator"])}
    by_province: dict[str, list[dict]] = {}
    for row in sorted(latest.to_dict("records"), key=lambda r: order.get(r["indicator"], len(order))):
        by_province.setdefault(row["province"], []).append(figure(row))
    coded = tables["citations"][tables["citations"]["coded"].fillna(False).astype(bool)]
    cited = (coded.groupby("code").agg(citations=("doc_id", "size"), documents=("doc_id", "nunique"),
                                       doc_type=("doc_type", "first"))
             .sort_values(["citations", "documents"], ascending=False, kind="stable").head(TOP_DIRECTIVES))
    type_words = directive_type_words()
    directives = [{"code": code, "citations": int(row.citations), "documents": int(row.documents),
                   "type_words": type_words.get(str(row.doc_type), [])} for code, row in cited.iterrows()]
    counts = documents["province"].dropna().value_counts()
    provinces = sorted(counts.items(), key=lambda item: (-item[1], sort_key(item[0])))
    return {
        "documents": len(documents),
        "first": published.min().date().isoformat() if published.notna().any() else None,
        "last": published.max().date().isoformat() if published.notna().any() else None,
        "undated": int(published.isna().sum()),
        "undated_left_out": int(documents.attrs.get("undated_left_out") or 0),
        "unlocated": int(documents["province"].isna().sum()),
        "figures": [figure(row) for row in headline_figures(by_year, catalog).to_dict("records")],
        "by_province": by_province,  # each province's latest year of every indicator
        "directives": directives,
        "provinces": [{"name": name, "documents": int(n)} for name, n in provinces],
    }


@lru_cache(maxsize=1)
def directive_type_words() -> dict[str, list[str]]:
    """Type code → the words that name it in the rules ("CT" → ["chỉ thị"]), so a search for
    "chi thi 05" finds 05-CT/TW."""
    from .config import read_yaml
    from .extract.rules import default_rules_path

    words: dict[str, list[str]] = {}
    for word, code in ((read_yaml(default_rules_path()).data.get("references") or {}).get("types") or {}).items():
        words.setdefault(str(code), []).append(str(word))
    return words


# --- what the runner left in the reports folder ---------------------------------------------
@dataclass
class Card:
    """One report as the site shows it."""

    name: str
    title: str
    record: dict[str, Any]  # latest.json of its last good run ({} when there is none)
    error: str | None = None  # the last run's failure
    failed_at: str | None = None
    kept_notebook: str | None = None  # the failed run's notebook, relative to the reports folder
    outputs: list[str] = field(default_factory=list)  # "html", "pdf": files of the last good run

    @property
    def summary(self) -> dict[str, Any]:
        return self.record.get("summary") or {}

    @property
    def parameters(self) -> dict[str, Any]:
        return self.record.get("parameters") or {}

    @property
    def provinces(self) -> list[str]:
        """The provinces its articles come from (or the one it is filtered to, before any summary)."""
        named = [p["name"] for p in self.summary.get("provinces") or [] if isinstance(p, dict) and p.get("name")]
        chosen = self.parameters.get("province")
        return named or ([chosen] if isinstance(chosen, str) and chosen else [])


def read_cards(out_dir: Path, failures: dict[str, str]) -> list[Card]:
    """Every report of the folder, with its state: the runner's records, and this run's failures."""
    names = {p.parent.name for pattern in ("*/latest.json", f"*/{FAILED}") for p in out_dir.glob(pattern)} | set(failures)
    cards = []
    for name in names:
        folder = out_dir / name
        record = read_json(folder / "latest.json") or {}
        failure = read_json(folder / FAILED) or {}
        error = failures.get(name) or failure.get("error")
        kept = failure.get("run") if error else None
        notebook = f"{name}/{kept}/report.ipynb" if kept and (folder / kept / "report.ipynb").exists() else None
        title = (record.get("parameters") or {}).get("title")
        cards.append(Card(name=name, title=str(title) if title not in (None, "") else name, record=record,
                          error=str(error) if error else None, failed_at=failure.get("failed") if error else None,
                          kept_notebook=notebook,
                          outputs=[s for s in ("html", "pdf") if record and (folder / f"latest.{s}").exists()]))
    return sorted(cards, key=lambda c: (bool(c.parameters.get("province")), sort_key(c.title), c.name))


# --- text helpers ----------------------------------------------------------------------------
def fold(text: str) -> str:
    """Search form of a text, as ``portal.js`` folds a query: no tones or marks, đ → d, lower case,
    words of letters and digits separated by one space ("05-CT/TW" → "05 ct tw", "Bến Tre" → "ben tre")."""
    text = re.sub("[\u0300-\u036f]", "", unicodedata.normalize("NFD", text)).replace("\u0111", "d").replace("\u0110", "d")
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def province_slug(province: str) -> str:
    """A province's page name: "Bà Rịa - Vũng Tàu" → "ba-ria-vung-tau"."""
    return fold(province).replace(" ", "-") or "province"


def _e(value: object) -> str:
    """A text as HTML: NFC, escaped (quotes too, so it is safe in attributes)."""
    return html.escape(unicodedata.normalize("NFC", str(value)), quote=True)


def _href(*parts: str) -> str:
    return _e("/".join(quote(part) for part in parts))


def _when(stamp: object) -> str:
    """An ISO timestamp for readers: "02/12/2026 01:30" (the text itself when it is no timestamp)."""
    try:
        return dt.datetime.fromisoformat(str(stamp)).strftime("%d/%m/%Y %H:%M")
    except ValueError:
        return str(stamp)


def _day(iso: object) -> str:
    try:
        return dt.date.fromisoformat(str(iso)).strftime("%d/%m/%Y")
    except ValueError:
        return str(iso)


def _first_line(text: str, limit: int = 400) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[:limit] + " …"


# --- rendering ------------------------------------------------------------------------------
def _figure_order(figure: dict) -> tuple:
    """Cards show a province's own figures first, stocks (members, cells) before flows, in catalog order."""
    return (bool(figure.get("partial")), figure.get("kind") != "stock")


def _figure(figure: dict, words: dict[str, str], language: str) -> str:
    label = (figure.get("label") or {}).get(language) or figure.get("indicator", "")
    where = words["figure_where"].format(province=figure.get("province", ""), year=figure.get("year", ""))
    if figure.get("partial"):
        where += f" · {words['partial']}"
    return (f'<div class="figure"><div class="value">{_e((figure.get("text") or {}).get(language, figure.get("value")))}</div>'
            f'<div class="label">{_e(label)}</div><div class="where">{_e(where)}</div></div>')


def _filters(parameters: dict[str, Any], words: dict[str, str]) -> list[str]:
    shown = []
    for key, word in (("province", "filter_province"), ("date_from", "filter_from"), ("date_to", "filter_to"),
                      ("language", "filter_language")):
        value = parameters.get(key)
        if value not in (None, "") and not (key == "language" and value == "vi"):
            shown.append(words[word].format(value=_day(value) if key.startswith("date") else value))
    return shown


def render_card(card: Card, words: dict[str, str], language: str, base: str = "") -> str:
    """One report's card; ``base`` leads from the page to the reports folder ("" or "../")."""
    summary = card.summary
    parts = [f'<article class="card{" is-failed" if card.error else ""}" id="r-{_e(card.name)}" '
             f'data-search="{_e(card_search_text(card))}">',
             f'<div><span class="status {"failed" if card.error else "ok"}">'
             f'{_e(words["status_failed" if card.error else "status_ok"])}</span></div>',
             f'<h3>{_e(card.title)}</h3><div class="name">{_e(card.name)}</div>']
    if card.error:
        failed = words["failed_at"].format(time=_when(card.failed_at)) if card.failed_at else ""
        kept = (words["last_good"].format(time=_when(card.record.get("finished", ""))) if card.outputs
                else words["no_good_run"])
        parts.append(f'<div class="error"><div>{_e(failed)}</div><div>{_e(_first_line(card.error))}</div>'
                     f"<div>{_e(kept)}</div></div>")
    filters = _filters(card.parameters, words)
    if filters:
        parts.append(f'<div class="meta">{_e(" · ".join(filters))}</div>')
    if summary.get("error"):
        parts.append(f'<div class="meta">{_e(words["summary_error"].format(error=_first_line(summary["error"], 200)))}</div>')
    elif card.record and "summary" not in card.record:  # published before the runner kept summaries
        parts.append(f'<div class="meta">{_e(words["no_summary"])}</div>')
    if "documents" in summary:
        parts.append(_facts(summary, words))
        figures = sorted(summary.get("figures") or [], key=_figure_order)[:CARD_FIGURES]
        if figures:
            parts.append('<div class="figures">' + "".join(_figure(f, words, language) for f in figures) + "</div>")
        directives = summary.get("directives") or []
        if directives:
            parts.append(f'<div class="meta">{_e(words["directives"])}</div><ul class="chips">'
                         + "".join(f'<li>{_e(d["code"])} <span class="meta">{_e(words["times_cited"].format(n=d["citations"]))}'
                                   "</span></li>" for d in directives) + "</ul>")
    if card.provinces:
        shown = card.provinces[:CARD_PROVINCES]
        more = len(card.provinces) - len(shown)
        parts.append(f'<div class="meta">{_e(words["provinces"])}</div><ul class="chips">'
                     + "".join(f'<li><a href="{base}{_href(PROVINCE_FOLDER, province_slug(p) + ".html")}">{_e(p)}</a></li>'
                               for p in shown)
                     + (f'<li>{_e(words["more"].format(n=more))}</li>' if more > 0 else "") + "</ul>")
    links = [f'<a href="{base}{_href(card.name, f"latest.{s}")}">{s.upper()}</a>' for s in card.outputs]
    if card.kept_notebook:
        links.append(f'<a href="{base}{_href(*card.kept_notebook.split("/"))}">{_e(words["failed_notebook"])}</a>')
    if card.record.get("finished"):
        links.append(f'<span class="when">{_e(words["last_run"].format(time=_when(card.record["finished"])))}</span>')
    parts.append(f'<div class="links">{"".join(links)}</div></article>')
    return "\n".join(parts)


def _facts(summary: dict[str, Any], words: dict[str, str]) -> str:
    dates = (f"{_day(summary['first'])} – {_day(summary['last'])}" if summary.get("first") else words["no_dates"])
    notes = [words["undated"].format(n=summary["undated"])] if summary.get("undated") else []
    if summary.get("undated_left_out"):
        notes.append(words["undated_left_out"].format(n=summary["undated_left_out"]))
    return (f'<dl class="facts"><dt>{_e(words["dates"])}</dt><dd>{_e(dates)}</dd>'
            f'<dt>{_e(summary.get("documents", 0))}</dt><dd>{_e(words["documents"])}'
            + (f" ({_e('; '.join(notes))})" if notes else "") + "</dd></dl>")


def card_search_text(card: Card) -> str:
    directives = [" ".join([d.get("code", ""), *(d.get("type_words") or [])]) for d in card.summary.get("directives") or []]
    return fold(" ".join([card.title, card.name, *card.provinces, *directives]))


def search_entries(cards: list[Card], words: dict[str, str]) -> list[dict[str, str]]:
    """What the search box finds: reports (by title and name), provinces (their pages), directives (the reports citing them).

    ``h`` is relative to the reports folder; ``f`` is the folded text matched against the query.
    """
    entries = []
    for card in cards:
        href = f"{card.name}/latest.html" if "html" in card.outputs else f"index.html#r-{card.name}"
        entries.append({"k": "report", "t": card.title, "d": card.name, "h": href, "f": fold(f"{card.title} {card.name}")})
    for province, reports in provinces_of(cards).items():
        entries.append({"k": "province", "t": province, "d": words["province_in"].format(n=len(reports)),
                        "h": f"{PROVINCE_FOLDER}/{province_slug(province)}.html", "f": fold(province)})
    cited: dict[str, list[int]] = {}  # code → its citation counts in the reports that list it
    named: dict[str, list[str]] = {}  # code → the words of its type ("chỉ thị")
    for card in cards:
        for directive in card.summary.get("directives") or []:
            cited.setdefault(directive["code"], []).append(int(directive.get("citations", 0)))
            named[directive["code"]] = [str(w) for w in directive.get("type_words") or []]
    for code in sorted(cited, key=lambda c: (-max(cited[c]), sort_key(c))):
        entries.append({"k": "directive", "t": code, "d": words["cited_in"].format(reports=len(cited[code])),
                        "h": f"index.html?q={quote(code, safe='')}", "f": fold(" ".join([code, *named[code]]))})
    return entries


def provinces_of(cards: list[Card]) -> dict[str, list[Card]]:
    """Each province covered by some report, in Vietnamese order, with the reports that cover it."""
    covered: dict[str, list[Card]] = {}
    for card in cards:
        for province in card.provinces:
            covered.setdefault(unicodedata.normalize("NFC", province), []).append(card)
    # A province's own report first, then the others in the site's order.
    return {p: sorted(covered[p], key=lambda c: c.parameters.get("province") != p) for p in sorted(covered, key=sort_key)}


@lru_cache(maxsize=1)
def _assets() -> tuple[str, str]:
    return (ASSETS / "portal.css").read_text("utf-8"), (ASSETS / "portal.js").read_text("utf-8")


def _script_json(value: object) -> str:
    """NFC JSON that cannot end its <script> element or open another: <, > and & written as escapes."""
    text = unicodedata.normalize("NFC", json.dumps(value, ensure_ascii=False, sort_keys=True))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _page(title: str, body: str, entries: list[dict[str, str]], words: dict[str, str], language: str, base: str) -> str:
    css, js = _assets()
    data = {"entries": entries, "none": words["search_none"],
            "kinds": {k: words[f"search_kind_{k}"] for k in ("report", "province", "directive")}}
    search = (f'<div class="search"><label for="search">{_e(words["search_label"])}</label>'
              f'<input id="search" type="search" autocomplete="off" placeholder="{_e(words["search_placeholder"])}">'
              '<ul id="search-results" aria-live="polite"></ul></div>')
    return (f'<!doctype html>\n<html lang="{_e(language)}" class="no-js"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{_e(title)}</title>'
            f"<style>{css}</style></head>\n"
            f'<body data-base="{_e(base)}"><header class="site"><h1><a href="{base}index.html">{_e(words["site_title"])}</a></h1>'
            f'<p>{_e(words["site_intro"])}</p></header>'
            f'<nav class="site"><a href="{base}index.html#reports">{_e(words["nav_reports"])}</a>'
            f'<a href="{base}index.html#provinces">{_e(words["nav_provinces"])}</a></nav>\n'
            f"<main>{search}\n{body}</main>\n"
            f'<footer class="site">{_e(words["footer"].format(version=__version__))}</footer>\n'
            f'<script type="application/json" id="portal-data">{_script_json(data)}</script>\n'
            f"<script>{js}</script></body></html>\n")


def render_index(cards: list[Card], problems: list[str], words: dict[str, str], language: str) -> str:
    provinces = provinces_of(cards)
    finished = [c.record["finished"] for c in cards if c.record.get("finished")]
    meta = words["counts"].format(reports=len(cards), failed=sum(1 for c in cards if c.error), provinces=len(provinces))
    if finished:
        meta += " · " + words["updated"].format(time=_when(max(finished)))
    banner = "".join(f'<div class="banner"><b>{_e(words["config_error"])}</b><br>{_e(p)}</div>' for p in problems)
    chips = "".join(f'<li><a href="{_href(PROVINCE_FOLDER, province_slug(p) + ".html")}">{_e(p)}</a> '
                    f'<span class="meta">{_e(words["province_in"].format(n=len(r)))}</span></li>' for p, r in provinces.items())
    body = (f'<p class="meta">{_e(meta)}</p>{banner}'
            f'<h2 id="reports">{_e(words["nav_reports"])}</h2>\n<div class="cards">\n'
            + "\n".join(render_card(c, words, language) for c in cards) + "\n</div>\n"
            + (f'<h2 id="provinces">{_e(words["nav_provinces"])}</h2><ul class="chips">{chips}</ul>' if chips else ""))
    return _page(words["site_title"], body, search_entries(cards, words), words, language, "")


def _documents_in(card: Card, province: str) -> int:
    return next((int(p.get("documents", 0)) for p in card.summary.get("provinces") or []
                 if isinstance(p, dict) and unicodedata.normalize("NFC", str(p.get("name", ""))) == province), 0)


def figures_source(province: str, cards: list[Card]) -> Card | None:
    """The report a province page takes its figures from: the one made for that province, else the one
    with most of its articles (a report without figures for it is never chosen)."""
    with_figures = [c for c in cards if (c.summary.get("by_province") or {}).get(province)]
    ranked = sorted(with_figures, key=lambda c: (c.parameters.get("province") != province, -_documents_in(c, province),
                                                 c.parameters.get("language", "vi") != "vi", c.name))
    return ranked[0] if ranked else None


def render_province(province: str, cards: list[Card], all_cards: list[Card], words: dict[str, str], language: str) -> str:
    """A province's page: its latest figures (from ``figures_source``) and every report that covers it."""
    source = figures_source(province, cards)
    rows = []
    for figure in (source.summary.get("by_province") or {}).get(province, []) if source else []:
        label = (figure.get("label") or {}).get(language) or figure.get("indicator", "")
        value = (figure.get("text") or {}).get(language, figure.get("value"))
        rows.append(f'<tr><td>{_e(label)}</td><td class="num">{_e(value)}'
                    + (f' <span class="meta">({_e(words["partial"])})</span>' if figure.get("partial") else "")
                    + f'</td><td>{_e(figure.get("year", ""))}</td></tr>')
    table = (f'<table class="figures-table"><tr><th>{_e(words["figure_indicator"])}</th><th>{_e(words["figure_value"])}</th>'
             f'<th>{_e(words["figure_year"])}</th></tr>{"".join(rows)}</table>'
             if rows else f'<p class="meta">{_e(words["no_figures"])}</p>')
    if source:
        link = f'<a href="../{_href(source.name, "latest.html")}">{_e(source.title)}</a>' if "html" in source.outputs else _e(source.title)
        table += f'<p class="meta">{_e(words["figures_from"])} {link}</p>'
    documents = max((_documents_in(c, province) for c in cards), default=0)
    body = (f'<p><a href="../index.html">{_e(words["back"])}</a></p>'
            f'<h2>{_e(words["province_title"].format(province=province))}</h2>'
            f'<p class="meta">{_e(words["province_documents"].format(n=documents, reports=len(cards)))}</p>'
            f'<h2>{_e(words["province_figures"])}</h2>{table}'
            f'<h2>{_e(words["province_reports"])}</h2>\n<div class="cards">\n'
            + "\n".join(render_card(c, words, language, base="../") for c in cards) + "\n</div>")
    return _page(f"{province} — {words['site_title']}", body, search_entries(all_cards, words), words, language, "../")


def write_if_changed(path: Path, text: str) -> bool:
    """Replace ``path`` by ``text`` (atomically) only when it differs; True when it was written."""
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_bytes(data)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return True


def write_index(out_dir: str | Path, failures: dict[str, str] | None = None, problems: list[str] | None = None,
                language: str = "vi") -> Path:
    """Write the site (see the module docstring); returns ``index.html``.

    A report whose last run failed (``failures`` of this run, or ``failed.json``
    from an earlier one) is shown as failed, with the error and a link to the kept
    notebook, next to the links to its last good output. Province pages of
    provinces no report covers any more are removed.
    """
    out_dir = Path(out_dir)
    words = portal_words(language)
    cards = read_cards(out_dir, dict(failures or {}))
    pages = {Path("index.html"): render_index(cards, list(problems or []), words, language)}
    for province, covering in provinces_of(cards).items():
        pages[Path(PROVINCE_FOLDER) / f"{province_slug(province)}.html"] = render_province(province, covering, cards, words, language)
    out_dir.mkdir(parents=True, exist_ok=True)
    for relative, text in pages.items():
        write_if_changed(out_dir / relative, text)
    # Only pages this step writes are removed: a report named like the folder keeps its latest.html.
    for stale in (out_dir / PROVINCE_FOLDER).glob("*.html"):
        if stale.relative_to(out_dir) not in pages and not stale.name.startswith("latest."):
            stale.unlink()
    return out_dir / "index.html"


def read_json(path: Path) -> dict | None:
    """A small JSON record, or None when it is missing or unreadable (a run killed while writing it)."""
    try:
        value = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None
