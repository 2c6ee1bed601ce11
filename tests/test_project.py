"""Project files: environment.yml and pyproject.toml name the same packages; notebooks are paired."""
from __future__ import annotations

import re
import tomllib

import yaml


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


# Conda splits dask[distributed] into its two packages.
EXTRAS = {"dask": {"dask", "distributed"}}


def test_environment_yml_matches_pyproject(root):
    project = tomllib.loads((root / "pyproject.toml").read_text("utf-8"))["project"]
    wanted = set()
    for requirement in project["dependencies"] + project["optional-dependencies"]["dev"]:
        wanted |= EXTRAS.get(_name(requirement), {_name(requirement)})
    env = yaml.safe_load((root / "environment.yml").read_text("utf-8"))
    names = set()
    for item in env["dependencies"]:
        if isinstance(item, dict):
            names |= {_name(r) for r in item.get("pip", []) if not r.startswith("-")}
        else:
            names.add(_name(item))
    names -= {"python", "pip"}
    assert names == wanted
    assert any(str(item).startswith("python=3.11") for item in env["dependencies"])


def test_every_notebook_is_paired_with_a_percent_script(root):
    notebooks = sorted((root / "notebooks").glob("*.ipynb"))
    assert notebooks
    for notebook in notebooks:
        assert notebook.with_suffix(".py").exists(), notebook
        assert "parameters" in notebook.read_text("utf-8")
