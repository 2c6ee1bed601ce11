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
# # Places
# Provinces placed by latitude and longitude, sized by an indicator; pre-2025 (63) or post-2025 (34) provinces.

# %% tags=["parameters"]
store = "../data/store"
date_from = None  # "YYYY-MM-DD" or None
date_to = None
province = None  # a province name, or None for all
language = "vi"  # "vi" or "en"
include_undated = False  # with a date filter: also keep the articles without a date

title = "Bản đồ các địa phương"
indicator = "party_members"
era = "pre2025"  # or "post2025"

# %%
import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from analysis import aggregate as agg
from analysis.charts import province_map, show_downloadable, start
from analysis.locales import text

tables, L = start(title, store, date_from, date_to, province, language, include_undated)
documents, mentions, citations = tables["documents"], tables["mentions"], tables["citations"]

# %%
points = agg.province_points(documents, tables["facts"], indicator, era, tables["indicators"])
fig = province_map(points, title, agg.label(indicator, language, tables["indicators"]), language)
plt.show()
if points["value"].isna().any():
    display(Markdown(text("text", "places_note", language)))

# %%
table = points.assign(value=[agg.format_value(v, "exact", indicator, language) for v in points["value"]],
                      year=points["year"].astype("string").fillna("—"),
                      latitude=points["latitude"].round(2), longitude=points["longitude"].round(2))
table = table[["province", "documents", "value", "year", "latitude", "longitude"]].rename(columns={
    "province": L("province"), "documents": L("documents"), "value": agg.label(indicator, language, tables["indicators"]),
    "year": L("year"), "latitude": L("latitude"), "longitude": L("longitude")})
table.attrs["order"] = {agg.label(indicator, language, tables["indicators"]): points["value"].fillna(-1).tolist()}
show_downloadable(table, "places", language=language)
