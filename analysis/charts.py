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


def show_table(frame: pd.DataFrame, max_rows: int | None = None, kind: str = "") -> None:
    """Display a frame as an HTML table with escaped cells (``kind`` adds a CSS class, e.g. "provenance")."""
    from IPython.display import HTML, display

    shown = frame.head(max_rows) if max_rows else frame
    display(HTML(shown.to_html(index=False, escape=True, classes=f"data {kind}".strip(), na_rep="—", border=0)))
    if max_rows and len(frame) > max_rows:
        display(HTML(f"<p><em>… {len(frame) - max_rows} more rows</em></p>"))


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


def province_map(points: pd.DataFrame, title: str, size_label: str):
    """A map-like scatter of provinces by longitude/latitude, sized by a figure.

    The view zooms to the provinces shown (most reports cover a region, and at
    the scale of the whole country neighbouring provinces fall on one spot);
    adjustText moves the names apart so that none covers another.
    """
    from adjustText import adjust_text

    fig, ax = plt.subplots(figsize=(5, 6.6))
    sizes = 60 + 600 * (points["value"] / points["value"].max()) if len(points) and points["value"].max() > 0 else 80
    ax.scatter(points["longitude"], points["latitude"], s=sizes, color="#c0392b", alpha=0.6, edgecolor="white")
    (xmin, xmax), (ymin, ymax) = _map_extent(points)
    ax.set(xlim=(xmin, xmax), ylim=(ymin, ymax), xlabel="kinh độ / longitude", ylabel="vĩ độ / latitude")
    ax.set_aspect("equal")
    ax.set_title(_plain(f"{title}\n({size_label})"))
    fig.tight_layout()
    labels = [ax.text(row.longitude, row.latitude, _plain(row.province), fontsize=8) for row in points.itertuples()]
    if labels:
        adjust_text(labels, x=points["longitude"].tolist(), y=points["latitude"].tolist(), ax=ax,
                    arrowprops={"arrowstyle": "-", "color": "#888", "lw": 0.5})
    return fig


def start(title: str, store: str, date_from: str | None = None, date_to: str | None = None,
          province: str | None = None, language: str = "vi"):
    """Open a notebook: load the store's tables for the parameters and show the heading.

    Returns the tables (``analysis.aggregate.load_tables``) and ``L``, the label function
    for the report's language.
    """
    from IPython.display import Markdown, display

    from . import __version__
    from .aggregate import label, load_tables

    def L(key: str) -> str:  # noqa: N802 - reads like a template function in notebooks
        return label(key, language)

    sns.set_theme(**THEME)  # the notebook's look, set when the notebook starts (not on import)
    tables = load_tables(store, date_from, date_to, province)
    scope = escape(province or L("all"))
    heading = f"{scope} · {len(tables['documents'])} {L('articles')} · analysis {__version__}"
    display(Markdown(f"# {escape(title)}\n\n{heading}"))
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


def show_downloadable(frame: pd.DataFrame, name: str, max_rows: int | None = None, kind: str = "") -> None:
    """``show_table`` followed by CSV and Excel download links of the whole table."""
    from IPython.display import HTML, display

    show_table(frame, max_rows=max_rows, kind=kind)
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
