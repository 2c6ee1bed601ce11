"""Charts and table display for notebooks (matplotlib/seaborn; escaped HTML tables).

In: frames from ``analysis.aggregate``. Out: matplotlib figures with readable
labels (DejaVu Sans, which has every Vietnamese glyph), and ``show_table`` —
an HTML table whose cell text is always escaped, so an article that contains
``<script>`` shows it as text.
"""
from __future__ import annotations

import html

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

THEME = {"style": "whitegrid", "font": "DejaVu Sans", "rc": {"figure.dpi": 110, "axes.titleweight": "bold"}}


def escape(text: object) -> str:
    """Text for Markdown/HTML prose: article words are data, never markup."""
    return html.escape("" if text is None else str(text))


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
    fig, ax = plt.subplots(figsize=(8, height))
    if horizontal:
        sns.barplot(data=frame, y=y, x=x, ax=ax, color=color, orient="h")
        ax.set(xlabel=x, ylabel="")
    else:
        sns.barplot(data=frame, x=y, y=x, ax=ax, color=color)
        ax.set(xlabel="", ylabel=x)
        ax.tick_params(axis="x", rotation=45)
    ax.set_title(title)
    from matplotlib.ticker import MaxNLocator

    (ax.xaxis if horizontal else ax.yaxis).set_major_locator(MaxNLocator(integer=True))
    fig.tight_layout()
    return fig


def heatmap(matrix: pd.DataFrame, title: str):
    """Localities × directives counts."""
    fig, ax = plt.subplots(figsize=(max(6, 0.8 * matrix.shape[1] + 2.5), max(2.5, 0.55 * matrix.shape[0] + 1.8)))
    sns.heatmap(matrix, annot=True, fmt="d", cmap="Blues", cbar=False, linewidths=0.5, ax=ax, square=False)
    ax.set(xlabel="", ylabel="")
    ax.set_title(title)
    ax.tick_params(axis="x", rotation=40)
    ax.tick_params(axis="y", rotation=0)
    fig.tight_layout()
    return fig


def province_map(points: pd.DataFrame, title: str, size_label: str):
    """A map-like scatter of provinces by longitude/latitude, sized by a figure."""
    fig, ax = plt.subplots(figsize=(5, 6.6))
    sizes = 60 + 600 * (points["value"] / points["value"].max()) if len(points) and points["value"].max() > 0 else 80
    ax.scatter(points["longitude"], points["latitude"], s=sizes, color="#c0392b", alpha=0.6, edgecolor="white")
    for row in points.itertuples():
        ax.annotate(row.province, (row.longitude, row.latitude), xytext=(6, 3), textcoords="offset points", fontsize=8)
    ax.set(xlim=(102, 110), ylim=(8, 23.5), xlabel="kinh độ / longitude", ylabel="vĩ độ / latitude")
    ax.set_aspect("equal")
    ax.set_title(f"{title}\n({size_label})")
    fig.tight_layout()
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
