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
# # Try the extractor on a paragraph
# Paste any paragraph of a Party-building report into `paragraph` and run the notebook: every figure is listed
# with the sentence it came from, its qualifier and flags, and the rule that decided it.

# %% tags=["parameters"]
paragraph = (
    "Đảng ủy xã Phú Sơn có 11 chi bộ với 192 đảng viên, trong đó có 03 chi bộ đạt trong sạch vững mạnh. "
    "Qua 2 năm thực hiện có 07 tập thể, 33 cá nhân tiêu biểu được biểu dương, trong đó đề nghị huyện biểu dương "
    "01 tập thể, 01 cá nhân. Các mô hình có giá trị làm lợi hơn 2,1 tỷ đồng, thực hiện Chỉ thị 05-CT/TW."
)
language = "vi"

# %%
import pandas as pd
from IPython.display import Markdown, display

from analysis import aggregate as agg
from analysis import extract_text
from analysis.charts import show_table
from analysis.locales import text

mentions = extract_text(paragraph)
display(Markdown(text("text", "extract_intro", language)))
if mentions.empty:
    display(Markdown(text("text", "no_figures", language)))
else:
    shown = mentions.assign(indicator=[agg.label(i, language) for i in mentions["indicator"]],
                            value=[agg.format_value(v, q, i, language) if pd.api.types.is_number(v) else str(v) for v, q, i in
                                   zip(mentions["value"], mentions["qualifier"], mentions["indicator"], strict=False)],
                            qualifier=mentions["qualifier"].map(lambda q: agg.qualifier_label(q, language)),
                            flags=mentions["flags"].map(lambda f: agg.flags_label(f, language)))
    columns = {"indicator": "indicator", "value": "value", "qualifier": "qualifier", "flags": "flags",
               "organization": "organization", "matched_text": "matched", "sentence": "sentence", "rule_id": "rule_id"}
    table = shown[list(columns)].rename(columns={k: agg.label(v, language) for k, v in columns.items()})
    numbers = pd.to_numeric(mentions["value"], errors="coerce")  # a citation's value is its code
    table.attrs["order"] = {agg.label("value", language): numbers.fillna(float("-inf")).tolist()}
    show_table(table, language=language)
