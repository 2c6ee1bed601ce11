"""Shared fixtures: paths of the bundled sample corpus and of the repository."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    return ROOT / "data" / "sample"


@pytest.fixture(scope="session")
def sample_documents(sample_dir):
    from analysis import load_corpus

    return load_corpus(sample_dir)
