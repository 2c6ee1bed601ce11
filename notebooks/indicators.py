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
# # Indicators
# Members, cells and organizations; commendations; models; money — by province and year, each figure with its source sentence.
#
# Counting rule: subsets, proposals, ratios and lumped counts are never summed; a fact repeated by several
# articles (same indicator, value, organization and year) counts once; because organizations nest, a province's
# figure for a year is the largest figure reported, not a sum. "~" marks approximate and "≥" at-least values.

# %% tags=["parameters"]
store = "../data/store"
date_from = None  # "YYYY-MM-DD" or None
date_to = None
province = None  # a province name, or None for all
language = "vi"  # "vi" or "en"

title = "Các chỉ tiêu công tác xây dựng Đảng"

# %%
import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from analysis import aggregate as agg
from analysis.charts import bar, show_table, start

tables, L = start(title, store, date_from, date_to, province, language)
documents, mentions, citations = tables["documents"], tables["mentions"], tables["citations"]

# %%
display(Markdown(f"*{L('rule')}*"))
table = agg.indicator_table(mentions, language)
show_table(table)

# %%
counts = agg.facts_per_indicator(mentions, language)
if not counts.empty:
    fig = bar(counts, L("facts"), L("indicator"), L("facts"))
    plt.show()

# %% [markdown]
# ## Provenance: every figure and its sentence

# %%
groups = {"vi": ["Đảng viên và tổ chức", "Khen thưởng", "Mô hình và giá trị"],
          "en": ["Members and organizations", "Commendations", "Models and value"]}[language]
families = [["party_members", "new_members", "disciplined_members", "badges", "party_cells", "party_organizations"],
            ["commended_collectives", "commended_individuals"], ["models", "new_models", "money_vnd"]]
for heading, family in zip(groups, families):
    display(Markdown(f"### {heading}"))
    subset = mentions[mentions["indicator"].isin(family)]
    if subset.empty:
        display(Markdown("—"))
    else:
        show_table(agg.provenance(subset, documents, language=language), kind="provenance")
