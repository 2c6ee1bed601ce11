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

title = "Văn bản được trích dẫn"

# %%
import matplotlib.pyplot as plt

from analysis import aggregate as agg
from analysis.charts import heatmap, show_table, start

tables, L = start(title, store, date_from, date_to, province, language)
documents, mentions, citations = tables["documents"], tables["mentions"], tables["citations"]

# %%
show_table(agg.citation_counts(citations, language))

# %%
matrix = agg.localities_by_directive(citations)
if not matrix.empty:
    fig = heatmap(matrix, L("province") + " × " + L("code"))
    plt.show()

# %%
by_year = citations[citations["coded"]].assign(year=citations["published_year"].astype("string").fillna(L("no_date")))
if not by_year.empty:
    show_table(by_year.groupby(["year", "code"]).size().reset_index(name=L("citations"))
               .rename(columns={"year": L("year"), "code": L("code")}))

# %% [markdown]
# ## Uncoded citations

# %%
uncoded = citations[~citations["coded"]][["doc_id", "code", "matched_text", "issued_by"]]
show_table(uncoded.rename(columns={"doc_id": L("document"), "code": L("code"), "matched_text": L("matched"),
                                   "issued_by": L("organization")}))
