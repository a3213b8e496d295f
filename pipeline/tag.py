"""Tag units with the A-I areas: read units (or extract them from PDFs first), classify,
and write predictions.parquet with provenance, next to the extraction manifest."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from pipeline.classify import classify_units
from pipeline.io import read_units, write_parquet_atomic
from pipeline.model import LoadedModel
from pipeline.params import Params
from pipeline.schema import PREDICTION_EXTRA_COLUMNS, UNIT_COLUMNS, probability_column

PREDICTIONS_FILE = "predictions.parquet"
MANIFEST_FILE = "manifest.csv"


def prediction_columns(labels: tuple[str, ...]) -> list[str]:
    """Column order of predictions.parquet."""
    return [*UNIT_COLUMNS, *(probability_column(c) for c in labels), *PREDICTION_EXTRA_COLUMNS]


def model_metadata(model_id: str) -> dict[str, str]:
    """Parquet key-value metadata naming the model that made the predictions."""
    return {"capmap.model_id": model_id}


def tag_units(units: pd.DataFrame, model: LoadedModel, params: Params) -> pd.DataFrame:
    """Classify every unit; returns the predictions frame in its fixed column order."""
    predictions = classify_units(
        model, units, params.train.explain_top_terms, params.tag.batch_size,
        params.tag.no_area_kinds,
    )
    return predictions[prediction_columns(model.labels)]


def tag(inputs: list[Path], out_dir: Path, model: LoadedModel, params: Params) -> pd.DataFrame:
    """Tag a units file, or PDFs/folders (extracted first into OUT_DIR), into OUT_DIR."""
    out_dir.mkdir(parents=True, exist_ok=True)
    if len(inputs) == 1 and inputs[0].suffix.lower() in {".parquet", ".jsonl"}:
        units = read_units(inputs[0])
        manifest = inputs[0].parent / MANIFEST_FILE
        if manifest.is_file() and manifest.resolve() != (out_dir / MANIFEST_FILE).resolve():
            shutil.copyfile(manifest, out_dir / MANIFEST_FILE)
    else:
        from pipeline.extract import extract_paths

        extract_paths(inputs, out_dir, params.extract, "parquet")
        units = read_units(out_dir / "units.parquet")
    predictions = tag_units(units, model, params)
    write_parquet_atomic(predictions, out_dir / PREDICTIONS_FILE, model_metadata(model.model_id))
    return predictions
