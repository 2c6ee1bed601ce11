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

title = "Tổng quan kho dữ liệu"

# %%
import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from analysis import aggregate as agg
from analysis.charts import bar, show_table, start

tables, L = start(title, store, date_from, date_to, province, language)
documents, mentions, citations = tables["documents"], tables["mentions"], tables["citations"]

# %%
show_table(agg.document_overview(documents, language))

# %%
by_month = agg.documents_by(documents, "month", language)
fig = bar(by_month, L("documents"), L("month"), L("documents") + " / " + L("month").lower())
plt.show()

# %%
for what in ("province", "source"):
    show_table(agg.documents_by(documents, what, language))

# %%
fig = bar(documents.assign(**{L("chars"): documents["n_chars"]}), L("chars"), "doc_id", L("chars"))
plt.show()

# %% [markdown]
# ## Duplicates and rejected inputs

# %%
duplicates = documents[documents["duplicate_of"].notna()]
display(Markdown(f"{len(duplicates)} duplicate(s)."))
rejected = tables["rejected"].rename(columns={"path": L("path"), "reason": L("reason")})
if rejected.empty:
    display(Markdown("Không có tệp nào bị loại." if language == "vi" else "Every input was loaded."))
else:
    show_table(rejected)

# %% [markdown]
# ## Coverage

# %%
cover = agg.coverage(documents, mentions)
display(Markdown(f"**{cover['with_indicator']} / {cover['documents']}** ({cover['share']:.0%}) — {L('with_indicator')}."))
