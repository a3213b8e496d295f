"""The only reader of params.yaml: one frozen dataclass per pipeline stage."""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import yaml

from pipeline.schema import UNIT_KINDS

DEFAULT_PARAMS_FILE = Path("params.yaml")


@dataclass(frozen=True)
class ExtractParams:
    engine: str = "pdfium"
    timeout_seconds: float = 120.0
    max_memory_mb: int = 2048
    max_pages: int = 2000
    max_file_mb: float = 200.0
    header_footer_min_pages: int = 3
    header_footer_min_share: float = 0.4
    header_footer_part_min_pages: int = 5
    header_footer_part_min_share: float = 0.6
    max_unit_words: int = 220
    min_unit_chars: int = 3
    min_text_chars_per_page: int = 20


@dataclass(frozen=True)
class TrainParams:
    annotations: str = "corpus/annotations"
    relevance_annotations: str = "corpus/relevance"
    short_annotations: str = "corpus/short_provisions"
    short_unit_max_words: int = 9
    short_unit_kinds: tuple[str, ...] = ("paragraph", "article")
    seed: int = 13
    cv_folds: int = 5
    cv_group_by: str = "source"
    word_ngram_max: int = 2
    char_ngram_min: int = 4
    char_ngram_max: int = 4
    min_df: int = 2
    max_features_word: int = 60000
    max_features_char: int = 40000
    C: float = 16.0
    class_weight: str | None = "balanced"
    threshold_min: float = 0.2
    threshold_max: float = 0.7
    fill_ratio_min: float = 0.5
    fill_min_words: int = 15
    relevance_gate_max: float = 0.7
    relevance_gate_tolerance: float = 0.001
    explain_top_terms: int = 5
    length_bin_edges: tuple[int, ...] = (4, 8)


@dataclass(frozen=True)
class TagParams:
    batch_size: int = 256
    no_area_kinds: tuple[str, ...] = ("heading",)


@dataclass(frozen=True)
class MatrixParams:
    partial_min_units: int = 1
    min_known_words: float = 0.9
    partial_min_probability: float = 0.5
    substantive_min_units: int = 3
    substantive_min_share: float = 0.05
    evidence_per_cell: int = 5
    heatmap_max_rows: int = 150


@dataclass(frozen=True)
class RunParams:
    workers: int = 0
    executor: str = "local"


@dataclass(frozen=True)
class Params:
    extract: ExtractParams
    train: TrainParams
    tag: TagParams
    matrix: MatrixParams
    run: RunParams


_BLOCKS = {
    "extract": ExtractParams,
    "train": TrainParams,
    "tag": TagParams,
    "matrix": MatrixParams,
    "run": RunParams,
}


class ParamsError(ValueError):
    """params.yaml is unreadable or holds an unknown block or key."""


def _block(cls: type, raw: dict[str, Any], name: str, path: Path) -> Any:
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise ParamsError(f"{path}: unknown key(s) in '{name}': {', '.join(unknown)}")
    # YAML lists become tuples, so params stay immutable and compare equal to defaults.
    return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()})


def load_params(path: str | Path | None = None) -> Params:
    """Read ``path`` (default ./params.yaml; built-in defaults when it is absent)."""
    path = Path(path) if path is not None else DEFAULT_PARAMS_FILE
    raw: dict[str, Any] = {}
    if path.exists():
        try:
            raw = yaml.safe_load(path.read_text("utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ParamsError(f"{path}: not valid YAML ({exc.__class__.__name__})") from exc
        if not isinstance(raw, dict):
            raise ParamsError(f"{path}: expected a mapping of stage blocks")
    elif path != DEFAULT_PARAMS_FILE:
        raise ParamsError(f"{path}: no such params file")
    unknown = sorted(set(raw) - set(_BLOCKS))
    if unknown:
        raise ParamsError(f"{path}: unknown block(s): {', '.join(unknown)}")
    params = Params(**{n: _block(c, raw.get(n) or {}, n, path) for n, c in _BLOCKS.items()})
    _check_kinds(params, path)
    if not params.train.relevance_gate_tolerance >= 0:  # a negative one would admit no gate
        raise ParamsError(f"{path}: train.relevance_gate_tolerance must be 0 or more, got "
                          f"{params.train.relevance_gate_tolerance}")
    return params


def _check_kinds(params: Params, path: Path) -> None:
    """Lists of unit kinds must name real kinds: a misspelt one would silently match none."""
    for key, kinds in (("train.short_unit_kinds", params.train.short_unit_kinds),
                       ("tag.no_area_kinds", params.tag.no_area_kinds)):
        unknown = sorted(set(kinds) - set(UNIT_KINDS))
        if unknown:
            raise ParamsError(f"{path}: unknown unit kind(s) in {key}: {', '.join(unknown)} "
                              f"(kinds: {', '.join(UNIT_KINDS)})")
