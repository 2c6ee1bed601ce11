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
# Members, cells and organizations; commendations; models; money — by province and year (`province_year`) and by
# organization (`organization_year`), with the level and period of every figure, every fact behind them with its
# article, and a data dictionary. The indicators, their kinds and labels come from the store's catalog.

# %% tags=["parameters"]
store = "../data/store"
date_from = None  # "YYYY-MM-DD" or None
date_to = None
province = None  # a province name, or None for all
language = "vi"  # "vi" or "en"
include_undated = False  # with a date filter: also keep the articles without a date

title = "Các chỉ tiêu công tác xây dựng Đảng"

# %%
import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from analysis import aggregate as agg
from analysis.charts import escape, province_chart, show_downloadable, start, year_chart

tables, L = start(title, store, date_from, date_to, province, language, include_undated)
facts, by_province, by_org, catalog = tables["facts"], tables["province_year"], tables["organization_year"], tables["indicators"]


def name(indicator: str) -> str:
    return agg.label(indicator, language, catalog)


# %%
display(Markdown(f"## {L('key_figures')}\n\n*{L('rule')}*"))
show_downloadable(agg.province_year_table(by_province, language, catalog), "province_year", language=language)

# %%
display(Markdown(f"## {L('by_province')}"))
for indicator in agg.indicator_names(catalog):
    comparison = agg.province_comparison(by_province, indicator)
    if len(comparison) < 2:  # a comparison needs two provinces
        continue
    fig = province_chart(comparison, name(indicator), name(indicator), language)
    plt.show()

# %%
display(Markdown(f"## {L('by_year')}"))
for indicator in agg.indicator_names(catalog):
    series = agg.year_series(by_province, indicator)
    if series.empty:
        continue
    fig = year_chart(series, name(indicator), L("value"), L("year"))
    plt.show()

# %%
display(Markdown(f"## {L('organizations')}"))
show_downloadable(agg.organization_table(by_org, language, catalog), "organization_year", language=language)

# %%
display(Markdown(f"## {L('sources')}"))
show_downloadable(agg.facts_per_indicator(facts, language, catalog), "facts_per_indicator", language=language)
show_downloadable(agg.sources_table(facts, language, catalog), "facts", kind="sources", language=language)

# %%
display(Markdown(f"## {L('dictionary')}"))
show_downloadable(agg.data_dictionary(catalog, language), "indicators", language=language)
display(Markdown(escape(L("dictionary_note"))))
