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

# %% [markdown]
# # Corpus overview
# What was loaded, what was rejected and why, and which indicators the articles yield.

# %% tags=["parameters"]
corpus = "../data/sample"
title = "Party-building news: corpus overview"

# %%
import matplotlib.pyplot as plt
import seaborn as sns
from IPython.display import HTML, Markdown, display

import analysis
from analysis.aggregate import document_overview, indicator_counts
from analysis.extract import extract
from analysis.places import locate_documents

result = analysis.read_corpus(corpus, warn=False)
documents = locate_documents(result.documents)
mentions = extract(documents)
display(Markdown(f"## {title}\n\n**{len(documents)}** documents loaded, **{len(result.rejected)}** inputs rejected, "
                 f"**{len(mentions)}** mentions extracted (analysis {analysis.__version__})."))

# %% [markdown]
# ## Documents

# %%
display(HTML(document_overview(documents).to_html(index=False)))

# %%
fig, ax = plt.subplots(figsize=(8, 0.45 * max(len(documents), 3) + 1))
sns.barplot(data=documents, y="doc_id", x="n_chars", ax=ax, color="#4C72B0")
ax.set(xlabel="Article length (characters, after cleaning)", ylabel="")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Rejected inputs

# %%
if result.rejected.empty:
    display(Markdown("Every input file was loaded."))
else:
    display(HTML(result.rejected.rename(columns={"path": "Input", "reason": "Reason"}).to_html(index=False)))

# %% [markdown]
# ## Indicators found

# %%
display(HTML(indicator_counts(mentions).to_html(index=False)))
