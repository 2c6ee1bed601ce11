# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] tags=["remove-cell"]
# # Directives
# Which directives are cited most, by which provinces and issuing levels, and over time.

# %% tags=["parameters"]
store = "../data/store"
date_from = None  # "YYYY-MM-DD" or None
date_to = None
province = None  # a province name, or None for all
language = "vi"  # "vi" or "en"
include_undated = False  # with a date filter: also keep the articles without a date

title = "Văn bản được trích dẫn"

# %%
import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from analysis import aggregate as agg
from analysis.charts import heatmap, show_downloadable, start
from analysis.locales import text

tables, L = start(title, store, date_from, date_to, province, language, include_undated)
documents, mentions, citations = tables["documents"], tables["mentions"], tables["citations"]

# %%
show_downloadable(agg.citation_counts(citations, language), "directives", language=language)

# %%
matrix = agg.localities_by_directive(citations)
if not matrix.empty:
    fig = heatmap(matrix, L("province") + " × " + L("code"))
    plt.show()

# %%
by_year = agg.citations_by_year(citations, language)
if not by_year.empty:
    display(Markdown(f"## {text('text', 'by_year_citations', language)}"))
    show_downloadable(by_year, "directives_by_year", language=language)

# %%
display(Markdown(f"## {text('text', 'uncoded_heading', language)}"))
uncoded = agg.uncoded_citations(citations, language)
if uncoded.empty:
    display(Markdown(text("text", "no_uncoded", language)))
else:
    show_downloadable(uncoded, "uncoded_citations", language=language)
