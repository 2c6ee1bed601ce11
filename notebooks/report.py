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

# %% tags=["parameters"]
store = "../data/store"
date_from = None  # "YYYY-MM-DD" or None
date_to = None
province = None  # a province name, or None for all
language = "vi"  # "vi" or "en"
include_undated = False  # with a date filter: also keep the articles without a date

title = "Báo cáo công tác xây dựng Đảng"

# %%
import matplotlib.pyplot as plt
from IPython.display import Markdown, display

import analysis
from analysis import aggregate as agg
from analysis.charts import escape, heatmap, month_chart, province_chart, show_downloadable, show_table, start, year_chart
from analysis.locales import text

tables, L = start(title, store, date_from, date_to, province, language, include_undated)
documents, mentions, citations = tables["documents"], tables["mentions"], tables["citations"]
facts, by_province, catalog = tables["facts"], tables["province_year"], tables["indicators"]

# %%
import datetime as dt
import hashlib

cover = agg.coverage(documents, mentions, catalog)
cited = agg.citation_counts(citations, language)
top_code = cited.iloc[0, 0] if len(cited) else "—"
counted = int(facts["counted"].fillna(False).astype(bool).sum())
lines = [text("text", "intro", language, n=len(documents), k=cover["with_indicator"], share=f"{cover['share']:.0%}", c=counted,
             f=len(facts)),
         "", f"**{L('headline')}**", ""]
for row in agg.headline_figures(by_province, catalog).to_dict("records"):
    lines.append(text("text", "figure", language,
        name=escape(agg.label(row["indicator"], language, catalog)),
        value=agg.format_value(row["value"], row["qualifier"], row["indicator"], language),
        province=escape(row["province"]), year=row["year"], level=escape(agg.level_label(row["level"], language)),
        how=escape(agg.how_text(row, language)), facts=escape(", ".join(row["fact_ids"].split(",")))))
lines.append(text("text", "top_directive", language, code=escape(top_code)))
display(Markdown("\n".join(lines)))

# %%
display(Markdown(f"## {L('key_figures')}\n\n*{L('rule')}*"))
show_downloadable(agg.province_year_table(by_province, language, catalog), "province_year", language=language)

# %%
display(Markdown(f"## {L('by_year')}"))
for indicator in agg.indicator_names(catalog):
    series = agg.year_series(by_province, indicator)
    if not series.empty:
        fig = year_chart(series, agg.label(indicator, language, catalog), L("value"), L("year"))
        plt.show()

# %%
comparisons = {indicator: agg.province_comparison(by_province, indicator) for indicator in agg.indicator_names(catalog)}
comparisons = {indicator: table for indicator, table in comparisons.items() if len(table) >= 2}  # two provinces or more
if comparisons:
    display(Markdown(f"## {L('by_province')}"))
for indicator, comparison in comparisons.items():
    name = agg.label(indicator, language, catalog)
    fig = province_chart(comparison, name, name, language)
    plt.show()

# %%
display(Markdown(f"## {text('text', 'by_month', language)}"))
fig = month_chart(agg.documents_by_month(documents, language), text("text", "by_month", language), language)
plt.show()

# %%
display(Markdown(f"## {L('directives')}"))
show_downloadable(cited, "directives", max_rows=15, language=language)
matrix = agg.localities_by_directive(citations)
if not matrix.empty:
    fig = heatmap(matrix, L("province") + " × " + L("code"))
    plt.show()

# %%
display(Markdown(f"## {L('sources')}"))
show_downloadable(agg.sources_table(facts, language, catalog), "facts", kind="sources", language=language)

# %%
display(Markdown(f"## {L('dictionary')}"))
show_downloadable(agg.data_dictionary(catalog, language), "indicators", language=language)
display(Markdown(escape(L("dictionary_note"))))

# %%
import pandas as pd

display(Markdown(f"## {L('quality')}"))
rejected = tables["rejected"]
quality = {
    L("documents"): len(documents),
    L("with_indicator"): f"{cover['with_indicator']} ({cover['share']:.0%})",
    L("mentions"): int(mentions["indicator"].isin(agg.indicator_names(catalog)).sum()),
    L("citations"): len(citations),
    L("rejected"): len(rejected),
    L("undated"): int(documents["published"].isna().sum()),
    L("unlocated"): int(documents["province"].isna().sum()),
}
show_table(pd.DataFrame({L("measure_item"): list(quality), L("count"): [str(v) for v in quality.values()]}), language=language)
if len(rejected):
    show_table(rejected.rename(columns={"path": L("path"), "reason": L("reason")}), language=language)

# %%
fingerprint = hashlib.sha256("".join(sorted(documents["sha256"])).encode()).hexdigest()[:16]
parameters = {"date_from": date_from, "date_to": date_to, "province": province, "language": language,
              "include_undated": include_undated or None}
shown = ", ".join(f"{k}={v}" for k, v in parameters.items() if v is not None)
display(Markdown(
    f"---\n*{L('footer')}: {len(documents)} {L('articles')}, {L('fingerprint')} `{fingerprint}` · analysis {analysis.__version__}"
    f" · {L('parameters')}: {escape(shown)} · {L('run')} {dt.datetime.now():%Y-%m-%d %H:%M}*"))
