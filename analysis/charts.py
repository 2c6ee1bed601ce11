"""Charts and table display for notebooks (matplotlib/seaborn; escaped HTML tables).

In: frames from ``analysis.aggregate``. Out: matplotlib figures with readable
labels (DejaVu Sans, which has every Vietnamese glyph), and ``show_table`` —
an HTML table whose cell text is always escaped, so an article that contains
``<script>`` shows it as text.

Article text, ids and parameters are data, never markup, wherever they are
shown: ``escape`` makes text safe for Markdown prose (HTML, Markdown and the
``$`` of LaTeX formulas), and every label drawn by matplotlib goes through
``_plain`` (matplotlib reads ``$…$`` as a formula and fails on unknown commands).
"""
from __future__ import annotations

import html
import re
from functools import lru_cache

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

THEME = {"style": "whitegrid", "font": "DejaVu Sans", "rc": {"figure.dpi": 110, "axes.titleweight": "bold"}}


# Characters that open Markdown (or LaTeX, "$") constructs inside a line; "&", "<" and ">" are left to html.escape.
_MARKDOWN_ACTIVE = re.compile(r"([\\`*_{}\[\]()#+!|~$])")


def escape(text: object) -> str:
    """Text for Markdown prose: article words and parameters are data, never markup.

    HTML is escaped, Markdown's punctuation (links, images, emphasis, code …) and
    "$" (a formula) are backslash-escaped, and line breaks become spaces (a new line
    could start a heading or a list); the text reads as written.
    """
    flat = " ".join(("" if text is None else str(text)).split())
    return _MARKDOWN_ACTIVE.sub(r"\\\1", html.escape(flat, quote=False))


def _plain(text: object) -> str:
    """A label as matplotlib should draw it: literally, never as a "$…$" formula."""
    return str(text).replace("$", r"\$")


def _plain_labels(value: object) -> object:
    """``_plain`` for the text values of a column or index (numbers stay numbers)."""
    return _plain(value) if isinstance(value, str) else value


# Interactive tables (itables, DataTables) on screen; the plain table on paper. The PDF is
# made from HTML by WeasyPrint, which runs no script and lays out for print media, so each
# table is written twice and a media query keeps one: no setting of the runner needed.
# On paper, also: no download links (a PDF cannot download); charts at most ~half a page high, so
# that a chart never leaves most of a page blank by moving whole to the next one; rows of the
# long sources appendix may break across pages instead of leaving the rest of a page empty.
TABLE_MEDIA_CSS = ("<style>@media screen { .table-static { display: none; }"
                   # the sources table on screen: long ids and URLs wrap anywhere, so the sentence keeps its width
                   " .table-interactive table.sources td:nth-child(1), .table-interactive table.sources td:nth-child(12)"
                   " { overflow-wrap: anywhere; min-width: 7em; }"
                   " .table-interactive table.sources td:nth-child(9) { min-width: 22em; } }"
                   " @media print { .table-interactive, .table-interactive-init, p.downloads { display: none !important; }"
                   " img { max-height: 120mm; width: auto; max-width: 100%; }"
                   " table.sources tr { break-inside: auto; } }</style>")
PAGE_LENGTH = 15  # rows per page of an interactive table; a shorter table has no pager


@lru_cache(maxsize=1)
def interactive_tables() -> bool:
    """Load itables' DataTables bundle into the notebook once (offline: the script is in the page, no CDN)."""
    from IPython.display import HTML, display
    from itables import options
    from itables.javascript import generate_init_offline_itables_html

    options.display_logo_when_loading = False
    display(HTML(f'{TABLE_MEDIA_CSS}<div class="table-interactive-init">'
                 f"{generate_init_offline_itables_html(options.dt_bundle)}</div>"))
    return True


def _order_ranks(values: pd.Series | list) -> list[int]:
    """Dense ranks of sort keys (an order column DataTables sorts by, as numbers)."""
    keys = list(values)
    ranking = {key: rank for rank, key in enumerate(sorted(set(keys)))}
    return [ranking[key] for key in keys]


def table_html(frame: pd.DataFrame, max_rows: int | None = None, kind: str = "", language: str = "vi") -> str:
    """A frame as HTML: an interactive table (sortable, filterable) and the same table plain, for print.

    Cells are escaped in both. Text columns sort in Vietnamese order; a column of
    formatted values sorts by the keys given in ``frame.attrs["order"]`` ({column:
    keys}, e.g. the numbers behind "51.349" or the dates behind "10/09/2018").
    ``max_rows`` limits the printed table (the interactive one pages through all rows).
    """
    from itables import to_html_datatable

    from . import locales
    from .clean.normalize import ascii_fold
    from .collation import sort_key

    frame = frame.reset_index(drop=True)
    frame.columns = [str(c) for c in frame.columns]
    given = frame.attrs.get("order") or {}
    shown = frame.head(max_rows) if max_rows else frame
    static = shown.to_html(index=False, escape=True, classes=f"data {kind}".strip(), na_rep="—", border=0)
    if max_rows and len(frame) > max_rows:
        static += f"<p><em>{escape(locales.text('text', 'more_rows', language, n=len(frame) - max_rows))}</em></p>"
    interactive = frame.astype(object).where(frame.notna(), "—")
    column_defs: list[dict] = []
    hidden: list[int] = []
    for position, column in enumerate(frame.columns):
        if column in given:
            keys = list(given[column])
        elif frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            keys = [sort_key(v) for v in frame[column]]
        else:
            continue
        order_column = f"_order_{position}"
        interactive[order_column] = _order_ranks(keys)
        column_defs.append({"targets": position, "orderData": [len(frame.columns) + len(hidden)]})
        hidden.append(len(frame.columns) + len(hidden))
    if hidden:
        column_defs.append({"targets": hidden, "visible": False, "searchable": False})
    # The filter box matches without diacritics too ("dong nai" finds "Đồng Nai"; DataTables folds
    # combining marks, but "đ" is a letter of its own): a hidden column holds each row's folded text.
    texts = frame.astype("string").fillna("")
    interactive["_folded"] = [ascii_fold(" ".join(row)) for row in texts.itertuples(index=False, name=None)]
    column_defs.append({"targets": [len(interactive.columns) - 1], "visible": False, "searchable": True})
    paging = len(frame) > PAGE_LENGTH
    layout = {"topStart": "pageLength" if paging else None, "topEnd": "search",
              "bottomStart": "info", "bottomEnd": "paging" if paging else None}
    dynamic = to_html_datatable(
        interactive, connected=False, showIndex=False, maxBytes=0, allow_html=False, classes=f"display compact data {kind}".strip(),
        paging=paging, pageLength=PAGE_LENGTH, lengthMenu=[PAGE_LENGTH, 50, 200, -1], layout=layout, columnDefs=column_defs,
        order=[], language=dict(locales.section("tables", language)), display_logo_when_loading=False,
        text_in_header_can_be_selected=False,  # a click on a header sorts (the default sorts only from its arrows)
        style={"table-layout": "auto", "width": "100%", "margin": "0"})
    return f'<div class="table-interactive">{dynamic}</div><div class="table-static">{static}</div>'


def show_table(frame: pd.DataFrame, max_rows: int | None = None, kind: str = "", language: str = "vi") -> None:
    """Display a frame as an interactive table on screen and a plain one on paper (``table_html``);
    ``kind`` adds a CSS class, e.g. "sources"."""
    from IPython.display import HTML, display

    interactive_tables()
    display(HTML(table_html(frame, max_rows=max_rows, kind=kind, language=language)))


def bar(frame: pd.DataFrame, x: str, y: str, title: str, color: str = "#2f5d8a", horizontal: bool = True):
    """A bar chart sized to its number of bars."""
    height = max(2.2, 0.38 * len(frame) + 1.0) if horizontal else 3.6
    frame = frame.assign(**{y: frame[y].map(_plain_labels)})
    fig, ax = plt.subplots(figsize=(8, height))
    if horizontal:
        sns.barplot(data=frame, y=y, x=x, ax=ax, color=color, orient="h")
        ax.set(xlabel=_plain(x), ylabel="")
    else:
        sns.barplot(data=frame, x=y, y=x, ax=ax, color=color)
        ax.set(xlabel="", ylabel=_plain(x))
        ax.tick_params(axis="x", rotation=45)
    ax.set_title(_plain(title))
    from matplotlib.ticker import MaxNLocator

    (ax.xaxis if horizontal else ax.yaxis).set_major_locator(MaxNLocator(integer=True))
    fig.tight_layout()
    return fig


def length_histogram(lengths: pd.Series, title: str, axis_label: str, count_label: str):
    """How long the documents are: a histogram of their lengths (one chart, however many documents)."""
    fig, ax = plt.subplots(figsize=(8, 2.8))
    values = pd.to_numeric(lengths, errors="coerce").dropna()
    ax.hist(values, bins=min(30, max(5, len(values) // 3)), color="#2f5d8a", edgecolor="white")
    ax.set(xlabel=_plain(axis_label), ylabel=_plain(count_label))
    ax.set_title(_plain(title))
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    fig.tight_layout()
    return fig


def heatmap(matrix: pd.DataFrame, title: str):
    """Localities × directives counts."""
    matrix = matrix.rename(index=_plain_labels, columns=_plain_labels)
    fig, ax = plt.subplots(figsize=(max(6, 0.8 * matrix.shape[1] + 2.5), max(2.5, 0.55 * matrix.shape[0] + 1.8)))
    sns.heatmap(matrix, annot=True, fmt="d", cmap="Blues", cbar=False, linewidths=0.5, ax=ax, square=False)
    ax.set(xlabel="", ylabel="")
    ax.set_title(_plain(title))
    ax.tick_params(axis="x", rotation=40)
    ax.tick_params(axis="y", rotation=0)
    fig.tight_layout()
    return fig


# Vietnam's extent (longitude, latitude): the map zooms into it, never beyond.
VIETNAM = ((102.0, 110.0), (8.0, 23.5))


def _map_extent(points: pd.DataFrame, margin: float = 0.6, smallest: float = 3.0) -> tuple[tuple[float, float], ...]:
    """Axis limits around the points (at least ``smallest`` degrees wide), inside Vietnam."""
    extent = []
    for column, (low, high) in zip(("longitude", "latitude"), VIETNAM, strict=False):
        values = points[column].dropna()
        if values.empty:
            extent.append((low, high))
            continue
        centre, half = (values.min() + values.max()) / 2, max(values.max() - values.min() + 2 * margin, smallest) / 2
        extent.append((max(low, centre - half), min(high, centre + half)))
    return tuple(extent)


def _nice(value: float) -> float:
    """The largest round number (1, 2 or 5 × a power of ten) not above ``value``, for a size legend."""
    import math

    if value <= 0:
        return 0.0
    power = 10 ** math.floor(math.log10(value))
    return max(m * power for m in (1, 2, 5) if m * power <= value)


def marker_sizes(values: pd.Series, largest: float, smallest_area: float = 40.0, largest_area: float = 640.0) -> pd.Series:
    """Marker areas proportional to the values (area, not radius, is what the eye compares)."""
    return smallest_area + (largest_area - smallest_area) * values.astype(float) / largest if largest > 0 else values * 0 + 80.0


def province_map(points: pd.DataFrame, title: str, size_label: str, language: str = "vi"):
    """A map-like scatter of provinces by longitude/latitude, sized by a figure, with a size legend.

    A province without a figure (``value`` missing) is drawn as a small hollow ring,
    never as a zero-sized or zero-valued point, and the legend says what the ring
    means. The view zooms to the provinces shown (most reports cover a region, and
    at the scale of the whole country neighbouring provinces fall on one spot);
    adjustText moves the names apart so that none covers another.
    """
    from adjustText import adjust_text
    from matplotlib.lines import Line2D

    from . import locales

    def words(key: str, **fields: object) -> str:
        return locales.text("text", key, language, **fields)

    fig, ax = plt.subplots(figsize=(5.4, 6.8))
    values = pd.to_numeric(points["value"], errors="coerce") if "value" in points else pd.Series(float("nan"), index=points.index)
    known = points[values.notna()]
    unknown = points[values.isna()]
    largest = float(values.max()) if values.notna().any() else 0.0
    ax.scatter(known["longitude"], known["latitude"], s=marker_sizes(values[values.notna()], largest), color="#c0392b",
               alpha=0.6, edgecolor="white", zorder=3)
    ax.scatter(unknown["longitude"], unknown["latitude"], s=36, facecolor="none", edgecolor="#8a8f98", linewidth=1.0, zorder=2)
    (xmin, xmax), (ymin, ymax) = _map_extent(points)
    ax.set(xlim=(xmin, xmax), ylim=(ymin, ymax), xlabel=_plain(words("map_longitude")), ylabel=_plain(words("map_latitude")))
    ax.set_aspect("equal")
    ax.set_title(_plain(title))
    handles, names = [], []
    if largest > 0:
        steps = sorted({_nice(largest * share) for share in (1.0, 0.5, 0.1)} - {0.0}, reverse=True)
        for step in steps:
            area = float(marker_sizes(pd.Series([step]), largest).iloc[0])
            handles.append(Line2D([], [], linestyle="", marker="o", markersize=area ** 0.5, color="#c0392b", alpha=0.6,
                                  markeredgecolor="white"))
            names.append(_plain(f"{step:,.0f}".replace(",", "." if language == "vi" else ",")))
    if len(unknown):
        handles.append(Line2D([], [], linestyle="", marker="o", markersize=6, markerfacecolor="none", markeredgecolor="#8a8f98"))
        names.append(_plain(words("map_no_data")))
    if handles:
        ax.legend(handles, names, title=_plain(words("map_size", what=size_label)), loc="upper center",
                  bbox_to_anchor=(0.5, -0.09), ncols=min(len(handles), 4), frameon=False, fontsize=7.5, title_fontsize=8,
                  labelspacing=1.4, borderpad=0.8, handletextpad=0.6, columnspacing=1.6)
    fig.tight_layout()
    labels = [ax.text(row.longitude, row.latitude, _plain(row.province), fontsize=8) for row in points.itertuples()]
    if labels:
        adjust_text(labels, x=points["longitude"].tolist(), y=points["latitude"].tolist(), ax=ax,
                    arrowprops={"arrowstyle": "-", "color": "#888", "lw": 0.5})
    return fig


def month_chart(months: pd.DataFrame, title: str, language: str = "vi"):
    """Documents per month (``aggregate.documents_by_month``): every month of the range, empty
    ones included, and the undated documents as a grey bar in a panel of their own at the right
    (with its own scale and its count written on it: a corpus that is mostly undated would
    otherwise flatten every month)."""
    from matplotlib.ticker import MaxNLocator

    from . import locales

    dated = months[~months["undated"]]
    undated = months[months["undated"]]
    if len(undated):
        fig, (ax, side) = plt.subplots(1, 2, figsize=(8, 3.2), gridspec_kw={"width_ratios": [14, 1], "wspace": 0.08})
        count = int(undated["documents"].iloc[0])
        side.bar([0], [count], color="#9aa1ab", width=0.6)
        side.set_xlim(-0.6, 0.6)
        side.set_xticks([0], [_plain(locales.text("labels", "no_date", language))], fontsize=7.5, rotation=45, ha="right")
        side.annotate(str(count), (0, count), ha="center", va="bottom", fontsize=7.5, xytext=(0, 2), textcoords="offset points")
        side.set_ylim(0, count * 1.2)
        side.yaxis.tick_right()
        side.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=3))
        side.tick_params(axis="y", labelsize=7)
    else:
        fig, ax = plt.subplots(figsize=(8, 3.2))
    positions = list(range(len(dated)))
    ax.bar(positions, dated["documents"], color="#2f5d8a", width=0.85)
    # Ticks: every month when there are few, else January of each year (at most 14 of them).
    labels = dated["label"].tolist()
    few = len(labels) <= 18
    ticks = positions if few else [i for i, text in enumerate(labels) if text.endswith("-01")] or positions[:: max(1, len(labels) // 10)]
    if len(ticks) > 14:
        ticks = ticks[:: (len(ticks) + 13) // 14]
    ax.set_xticks(ticks, [_plain(labels[i] if few else labels[i][:4]) for i in ticks], rotation=45 if few else 0,
                  ha="right" if few else "center", fontsize=7.5)
    if positions:
        ax.set_xlim(-0.8, len(positions) - 0.2)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set(xlabel="", ylabel=_plain(locales.text("labels", "documents", language)))
    ax.set_title(_plain(title))
    fig.subplots_adjust(left=0.08, right=0.94, bottom=0.25, top=0.88)
    return fig


def province_chart(comparison: pd.DataFrame, title: str, value_label: str, language: str = "vi"):
    """Provinces compared on one indicator (``aggregate.province_comparison``): one bar each, the
    value of its latest year written at its end with that year; a sum of units (partial, at least)
    hatched and lighter than a province's own figure."""
    from matplotlib.patches import Patch

    from . import locales
    from .aggregate import format_value

    data = comparison.iloc[::-1]  # largest at the top
    fig, ax = plt.subplots(figsize=(8, max(2.0, 0.34 * len(data) + 1.2)))
    partial = data["partial"].fillna(True).astype(bool).tolist()
    bars = ax.barh([_plain(p) for p in data["province"]], data["value"].astype(float),
                   color=["#9fb8d3" if p else "#2f5d8a" for p in partial], hatch=None)
    for bar_patch, is_partial in zip(bars, partial, strict=True):
        if is_partial:
            bar_patch.set_hatch("///")
            bar_patch.set_edgecolor("#2f5d8a")
            bar_patch.set_linewidth(0)
    for bar_patch, row in zip(bars, data.to_dict("records"), strict=True):
        text = f"{format_value(row['value'], row['qualifier'], row['indicator'], language)} ({row['year']})"
        ax.annotate(_plain(text), (bar_patch.get_width(), bar_patch.get_y() + bar_patch.get_height() / 2), xytext=(3, 0),
                    textcoords="offset points", va="center", fontsize=7.5)
    ax.set_xlim(0, float(data["value"].max()) * 1.25 if len(data) else 1)
    from matplotlib.ticker import FuncFormatter

    indicator = str(data["indicator"].iloc[0]) if len(data) else ""
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _plain(format_value(v, "exact", indicator, language))))
    ax.set(xlabel=_plain(f"{value_label} · {locales.text('text', 'latest_year', language)}"), ylabel="")
    ax.set_title(_plain(title))
    ax.legend(handles=[Patch(color="#2f5d8a", label=_plain(locales.text("text", "reported_by_province", language))),
                       Patch(facecolor="#9fb8d3", edgecolor="#2f5d8a", hatch="///",
                             label=_plain(locales.text("text", "sum_of_units", language)))],
              fontsize=7, frameon=False, loc="lower right")
    fig.tight_layout()
    return fig


def start(title: str, store: str, date_from: str | None = None, date_to: str | None = None,
          province: str | None = None, language: str = "vi", include_undated: bool = False):
    """Open a notebook: load the store's tables for the parameters and show the heading.

    The heading says what a date filter left out (undated articles, unless
    ``include_undated``). Returns the tables (``analysis.aggregate.load_tables``)
    and ``L``, the label function for the report's language.
    """
    from IPython.display import Markdown, display

    from . import __version__
    from .aggregate import label, load_tables, undated_message

    def L(key: str) -> str:  # noqa: N802 - reads like a template function in notebooks
        return label(key, language)

    sns.set_theme(**THEME)  # the notebook's look, set when the notebook starts (not on import)
    interactive_tables()
    tables = load_tables(store, date_from, date_to, province, include_undated)
    scope = escape(province or L("all"))
    heading = f"{scope} · {len(tables['documents'])} {L('articles')} · analysis {__version__}"
    left_out = undated_message(tables["documents"], language)
    display(Markdown(f"# {escape(title)}\n\n{heading}" + (f"\n\n{left_out}" if left_out else "")))
    return tables, L


def download_links(frame: pd.DataFrame, name: str) -> str:
    """HTML links that download ``frame`` as CSV and as Excel (embedded in the page, no server needed)."""
    import base64
    import io

    csv = frame.to_csv(index=False).encode("utf-8-sig")  # the BOM makes Excel read Vietnamese CSV as UTF-8
    excel = io.BytesIO()
    frame.to_excel(excel, index=False, sheet_name=name[:31] or "data")
    safe = html.escape(name)
    return (f'<p class="downloads">⤓ <a download="{safe}.csv" href="data:text/csv;base64,{base64.b64encode(csv).decode()}">CSV</a>'
            f' · <a download="{safe}.xlsx" href="data:application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;base64,'
            f'{base64.b64encode(excel.getvalue()).decode()}">Excel</a></p>')


def show_downloadable(frame: pd.DataFrame, name: str, max_rows: int | None = None, kind: str = "",
                      language: str = "vi") -> None:
    """``show_table`` followed by CSV and Excel download links of the whole table."""
    from IPython.display import HTML, display

    show_table(frame, max_rows=max_rows, kind=kind, language=language)
    display(HTML(download_links(frame, name)))


def year_chart(series: pd.DataFrame, title: str, value_label: str, year_label: str = "year"):
    """Values by year, one bar colour per province (``aggregate.year_series``)."""
    fig, ax = plt.subplots(figsize=(8, 3.4))
    data = series.assign(year=series["year"].astype(int).astype(str), province=series["province"].map(_plain_labels))
    sns.barplot(data=data, x="year", y="value", hue="province", ax=ax, errorbar=None)
    ax.set(xlabel=_plain(year_label), ylabel=_plain(value_label))
    ax.set_title(_plain(title))
    if ax.get_legend() is not None:
        ax.legend(fontsize=7, ncols=2 if data["province"].nunique() > 6 else 1, frameon=False)
    fig.tight_layout()
    return fig
