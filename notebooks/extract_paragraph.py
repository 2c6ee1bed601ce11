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
from analysis import aggregate as agg
from analysis import extract_text
from analysis.charts import show_table

mentions = extract_text(paragraph)
columns = ["indicator", "value", "qualifier", "flags", "organization", "matched_text", "sentence", "rule_id"]
show_table(mentions[columns].rename(columns={"indicator": agg.label("indicator", language),
                                             "value": agg.label("value", language),
                                             "matched_text": agg.label("matched", language),
                                             "sentence": agg.label("sentence", language)}))
