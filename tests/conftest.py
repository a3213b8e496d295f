"""Shared fixtures: the sample corpus extracted once per test session."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from pipeline.extract import extract_paths
from pipeline.params import ExtractParams

ROOT = Path(__file__).resolve().parents[1]
REPO = ROOT
SAMPLES = ROOT / "corpus" / "samples"


def golden(name: str) -> dict:
    """The golden source text of sample ``name``."""
    return json.loads((SAMPLES / "golden" / f"{name}.json").read_text("utf-8"))


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory) -> tuple[pd.DataFrame, pd.DataFrame, Path]:
    """(manifest, units, out_dir) of `extract` over the samples plus one not-PDF file."""
    tmp = tmp_path_factory.mktemp("extract")
    bogus = tmp / "in" / "not_a_pdf.pdf"
    bogus.parent.mkdir()
    bogus.write_text("this is plain text, not a PDF\n", "utf-8")
    out = tmp / "out"
    manifest = extract_paths([SAMPLES, bogus.parent], out, ExtractParams(), "parquet")
    units = pd.read_parquet(out / "units.parquet")
    return manifest, units, out


DEFAULT_MODEL = ROOT / "models" / "default"


@pytest.fixture(scope="session")
def repo() -> Path:
    """The repository root."""
    return ROOT


@pytest.fixture(scope="session")
def shipped_model():
    """The shipped default model, loaded once."""
    from pipeline.model import load_model

    return load_model(DEFAULT_MODEL)
