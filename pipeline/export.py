"""Read the matrix step's inputs and write its outputs: CSV, Parquet and XLSX, atomically.

CSV and Parquet are deterministic (sorted rows, rounded floats, no timestamps), so the same
inputs give byte-identical files. Text cells of CSV and XLSX are escaped against spreadsheet
formula injection, since much of that text comes from untrusted PDFs.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from pipeline import __version__
from pipeline.coverage import GROUPINGS, METADATA_COLUMNS, CoverageResult, build_coverage
from pipeline.io import (
    InputError,
    atomic_path,
    read_user_csv,
    write_parquet_atomic,
    write_text_atomic,
)
from pipeline.params import MatrixParams
from pipeline.schema import MANIFEST_COLUMNS
from pipeline.taxonomy import load_taxonomy

COVERAGE_CSV, COVERAGE_PARQUET, GAPS_CSV, XLSX = (
    "coverage.csv",
    "coverage.parquet",
    "gaps.csv",
    "matrices.xlsx",
)
MANIFEST_FILE = "manifest.csv"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FLOAT_FORMAT = "%.4f"
XLSX_MAX_CHARS = 32_000  # Excel refuses cells over 32,767 characters


def escape_formula(value: object) -> object:
    """Prefix an apostrophe to a text cell a spreadsheet would run as a formula (OWASP)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def escape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell escaped by :func:`escape_formula`."""
    out = frame.copy()
    for col in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[col]) or pd.api.types.is_bool_dtype(out[col])):
            out[col] = out[col].map(escape_formula, na_action="ignore")
    return out


def read_predictions(path: Path) -> pd.DataFrame:
    """Read predictions.parquet; InputError names the file when it is missing or unreadable."""
    if not path.is_file():
        raise InputError(f"{path}: no such predictions file")
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises many types on a bad file
        raise InputError(f"{path}: not a readable Parquet file ({exc.__class__.__name__})") from exc


def model_id_of(path: Path) -> str:
    """The model id stored in the predictions' Parquet metadata, or '' when absent."""
    try:
        meta = pq.read_schema(path).metadata or {}
    except Exception:  # unreadable files are reported by read_predictions
        return ""
    return meta.get(b"capmap.model_id", b"").decode("utf-8", "replace")


def read_manifest(path: Path) -> pd.DataFrame:
    """Read manifest.csv (all columns as text, then numeric columns converted)."""
    if not path.is_file():
        raise InputError(f"{path}: no such manifest file")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in ("doc_id", "path", "status") if c not in frame.columns]
    if missing:
        raise InputError(f"{path}: manifest lacks column(s) {', '.join(missing)}")
    for col in ("pages", "units", "chars", "known_words", "seconds"):
        if col in frame:
            frame[col] = pd.to_numeric(frame[col], errors="coerce")
    return frame


def read_metadata(path: Path) -> pd.DataFrame:
    """Read the metadata CSV; paths become absolute (relative ones are to the file's folder)."""
    if not path.is_file():
        raise InputError(f"{path}: no such metadata file")
    frame = read_user_csv(path)
    if "path" not in frame.columns:
        raise InputError(
            f"{path}: metadata lacks the 'path' column (expected {', '.join(METADATA_COLUMNS)})"
        )
    frame["path"] = frame["path"].str.strip()
    empty = [i + 2 for i, p in enumerate(frame["path"]) if not p]  # +2: header, 1-based
    if empty:
        raise InputError(f"{path}: empty path on line(s) {', '.join(map(str, empty[:5]))}")
    base = path.resolve().parent
    frame["path"] = [os.path.normpath(p if os.path.isabs(p) else base / p) for p in frame["path"]]
    dup = sorted(set(frame.loc[frame["path"].duplicated(), "path"]))
    if dup:
        raise InputError(f"{path}: duplicate path(s) {', '.join(dup[:5])}")
    return frame


def check_grouping(by: str, metadata: pd.DataFrame | None, metadata_path: Path | None) -> None:
    """Refuse a grouping the metadata cannot provide, before any work is done."""
    if by not in GROUPINGS:
        raise InputError(f"unknown grouping {by!r}; choose one of {', '.join(GROUPINGS)}")
    if by == "document":
        return
    if metadata is None:
        raise InputError(f"--by {by} needs --metadata, a CSV with a '{by}' column")
    if by not in metadata.columns:
        raise InputError(
            f"{metadata_path}: no '{by}' column for --by {by} "
            f"(columns: {', '.join(map(str, metadata.columns))})"
        )


def write_csv(frame: pd.DataFrame, target: Path) -> None:
    """Write ``frame`` as CSV atomically: text cells escaped against formula injection,
    floats to 4 decimals, "NA" for missing values."""
    text = escape_frame(frame).to_csv(
        index=False, float_format=FLOAT_FORMAT, na_rep="NA", lineterminator="\n"
    )
    write_text_atomic(text, target)


def _xlsx_safe(frame: pd.DataFrame) -> pd.DataFrame:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def fix(value: object) -> object:
        if isinstance(value, str):
            return ILLEGAL_CHARACTERS_RE.sub("", value)[:XLSX_MAX_CHARS]
        return value

    out = escape_frame(frame)
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(fix, na_action="ignore")
    return out


def about_table(result: CoverageResult, model_id: str = "") -> pd.DataFrame:
    """The 'about' sheet: rule, parameters, grouping, taxonomy and model versions."""
    tax = load_taxonomy()
    rows = [("coverage rule", result.rule), ("grouping (--by)", result.by)]
    rows += [(f"matrix.{k}", str(v)) for k, v in vars(result.params).items()]
    rows += [("taxonomy version", tax.version), ("model id", model_id or "unknown")]
    rows += [("capmap version", __version__)]
    rows += [(f"area {a.code}", f"{a.short}: {a.title_en}") for a in tax.areas]
    rows += [("NA", "not assessed: the document could not be read (see the documents sheet)")]
    return pd.DataFrame(rows, columns=["key", "value"])


def documents_table(result: CoverageResult) -> pd.DataFrame:
    """The manifest columns plus metadata, group and assessed flag, one row per input file
    (``same_as``: the first file with the same bytes; ``counted``: whether it counts in its
    group, a copy counting once per group)."""
    first = [c for c in MANIFEST_COLUMNS if c in result.documents.columns]
    extra = ["assessed", "n_units", "title", "country", "year", "doc_type", "group",
             "same_as", "counted"]
    return result.documents[first + [c for c in extra if c not in first]]


def write_outputs(result: CoverageResult, out_dir: Path, model_id: str = "") -> list[Path]:
    """Write coverage.csv/.parquet, gaps.csv and matrices.xlsx into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / n for n in (COVERAGE_CSV, COVERAGE_PARQUET, GAPS_CSV, XLSX)]
    write_csv(result.long, paths[0])
    write_parquet_atomic(result.long, paths[1])
    write_csv(result.gaps, paths[2])
    sheets = {
        "coverage_units": result.units,
        "coverage_share": result.share,
        "coverage_level": result.level,
        "gaps": result.gaps,
        "evidence": result.evidence,
        "documents": documents_table(result),
        "about": about_table(result, model_id),
    }
    tmp = atomic_path(paths[3])
    try:
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            for name, frame in sheets.items():
                _xlsx_safe(frame).to_excel(writer, sheet_name=name, index=False, na_rep="NA")
        os.replace(tmp, paths[3])
    finally:
        tmp.unlink(missing_ok=True)
    return paths


def run_matrix(
    predictions_path: Path,
    out_dir: Path,
    params: MatrixParams,
    by: str = "document",
    metadata_path: Path | None = None,
    manifest_path: Path | None = None,
    html: bool = True,
) -> tuple[CoverageResult, list[Path]]:
    """The whole matrix step: read inputs, build coverage, write exports (and the report)."""
    metadata = read_metadata(metadata_path) if metadata_path else None
    check_grouping(by, metadata, metadata_path)
    predictions = read_predictions(predictions_path)
    if manifest_path is None and (predictions_path.parent / MANIFEST_FILE).is_file():
        manifest_path = predictions_path.parent / MANIFEST_FILE
    manifest = read_manifest(manifest_path) if manifest_path else None
    try:
        result = build_coverage(predictions, manifest, metadata, params, by)
    except ValueError as exc:
        raise InputError(f"{predictions_path}: {exc}") from exc
    if manifest is None:
        result = _with_warning(
            result,
            f"no {MANIFEST_FILE} next to {predictions_path}: documents "
            "that could not be read are missing instead of shown as NA",
        )
    paths = write_outputs(result, out_dir, model_id_of(predictions_path))
    if html:
        from pipeline.report import write_report

        paths += write_report(result, out_dir)
    return result, paths


def _with_warning(result: CoverageResult, warning: str) -> CoverageResult:
    from dataclasses import replace

    return replace(result, warnings=(*result.warnings, warning))
