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
# # Corpus overview
# What was loaded, from where and when; what was rejected and why; how many articles yielded figures.

# %% tags=["parameters"]
store = "../data/store"
date_from = None  # "YYYY-MM-DD" or None
date_to = None
province = None  # a province name, or None for all
language = "vi"  # "vi" or "en"
include_undated = False  # with a date filter: also keep the articles without a date

title = "Tổng quan kho dữ liệu"

# %%
import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from analysis import aggregate as agg
from analysis.charts import length_histogram, month_chart, show_downloadable, start
from analysis.locales import text

tables, L = start(title, store, date_from, date_to, province, language, include_undated)
documents, mentions, citations = tables["documents"], tables["mentions"], tables["citations"]

# %%
show_downloadable(agg.document_overview(documents, language), "documents", language=language)

# %%
fig = month_chart(agg.documents_by_month(documents, language), text("text", "by_month", language), language)
plt.show()

# %%
for what in ("province", "source"):
    show_downloadable(agg.documents_by(documents, what, language), f"documents_by_{what}", language=language)

# %%
fig = length_histogram(documents["n_chars"], text("text", "by_length", language), L("chars"), L("documents"))
plt.show()

# %%
display(Markdown(f"## {text('text', 'duplicates_heading', language)}"))
duplicates = documents[documents["duplicate_of"].notna()]
display(Markdown(text("text", "duplicates", language, n=len(duplicates))))
rejected = tables["rejected"].rename(columns={"path": L("path"), "reason": L("reason")})
if rejected.empty:
    display(Markdown(text("text", "no_rejected", language)))
else:
    show_downloadable(rejected, "rejected", language=language)

# %%
display(Markdown(f"## {text('text', 'coverage_heading', language)}"))
cover = agg.coverage(documents, mentions)
display(Markdown(f"**{cover['with_indicator']} / {cover['documents']}** ({cover['share']:.0%}) — {L('with_indicator')}."))
