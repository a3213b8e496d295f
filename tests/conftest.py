"""Shared fixtures: repository paths and the shipped model (loaded once per session)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "corpus" / "samples"
DEFAULT_MODEL = REPO / "models" / "default"


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def shipped_model():
    from pipeline.model import load_model

    return load_model(DEFAULT_MODEL)
