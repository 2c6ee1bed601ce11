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

title = "Báo cáo công tác xây dựng Đảng"

# %%
import matplotlib.pyplot as plt
from IPython.display import Markdown, display

import analysis
from analysis import aggregate as agg
from analysis.charts import bar, escape, heatmap, show_table, start

tables, L = start(title, store, date_from, date_to, province, language)
documents, mentions, citations = tables["documents"], tables["mentions"], tables["citations"]

# %%
import datetime as dt
import hashlib

cover = agg.coverage(documents, mentions)
totals = agg.indicator_totals(mentions)
cited = agg.citation_counts(citations, language)
top_code = cited.iloc[0, 0] if len(cited) else "—"
TEXT = {
    "vi": {"intro": "Kho dữ liệu có **{n}** bài viết; **{k}** bài ({share}) có số liệu.",
           "largest": "- {name}: cao nhất **{value}** ({facts} dữ kiện).",
           "top": "- Văn bản được trích dẫn nhiều nhất: **{code}**."},
    "en": {"intro": "The store holds **{n}** articles; **{k}** ({share}) report figures.",
           "largest": "- {name}: largest **{value}** ({facts} facts).",
           "top": "- Most cited directive: **{code}**."},
}[language]
lines = [TEXT["intro"].format(n=len(documents), k=cover["with_indicator"], share=f"{cover['share']:.0%}")]
for key in ("party_members", "commended_collectives", "commended_individuals", "models", "money_vnd"):
    if key in totals.index:
        lines.append(TEXT["largest"].format(name=L(key), value=agg.format_value(totals.loc[key, "max"], "exact", key, language),
                                            facts=int(totals.loc[key, "facts"])))
lines.append(TEXT["top"].format(code=escape(top_code)))
display(Markdown("\n".join(lines)))

# %%
display(Markdown(f"## {L('key_figures')}\n\n*{L('rule')}*"))
show_table(agg.indicator_table(mentions, language))

# %%
counts = agg.facts_per_indicator(mentions, language)
if not counts.empty:
    fig = bar(counts, L("facts"), L("indicator"), L("facts"))
    plt.show()

# %%
display(Markdown(f"## {L('directives')}"))
show_table(cited, max_rows=15)
matrix = agg.localities_by_directive(citations)
if not matrix.empty:
    fig = heatmap(matrix, L("province") + " × " + L("code"))
    plt.show()

# %%
display(Markdown(f"## {L('sources')}"))
show_table(agg.provenance(mentions, documents, language=language), max_rows=40, kind="provenance")

# %%
import pandas as pd

display(Markdown(f"## {L('quality')}"))
rejected = tables["rejected"]
quality = {
    L("documents"): len(documents),
    L("with_indicator"): f"{cover['with_indicator']} ({cover['share']:.0%})",
    L("mentions"): int(mentions["indicator"].isin(agg.INDICATORS).sum()),
    L("citations"): len(citations),
    L("rejected"): len(rejected),
    L("undated"): int(documents["published"].isna().sum()),
    L("unlocated"): int(documents["province"].isna().sum()),
}
show_table(pd.DataFrame({"": list(quality), " ": [str(v) for v in quality.values()]}))
if len(rejected):
    show_table(rejected.rename(columns={"path": L("path"), "reason": L("reason")}))

# %%
fingerprint = hashlib.sha256("".join(sorted(documents["sha256"])).encode()).hexdigest()[:16]
parameters = {"date_from": date_from, "date_to": date_to, "province": province, "language": language}
shown = ", ".join(f"{k}={v}" for k, v in parameters.items() if v is not None)
display(Markdown(
    f"---\n*{L('footer')}: {len(documents)} {L('articles')}, {L('fingerprint')} `{fingerprint}` · analysis {analysis.__version__}"
    f" · {L('parameters')}: {escape(shown)} · {L('run')} {dt.datetime.now():%Y-%m-%d %H:%M}*"))
