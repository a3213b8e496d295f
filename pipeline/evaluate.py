"""Gold file -> per-area precision/recall/F1, micro/macro F1 with bootstrap intervals,
no-area accuracy, calibration of the probabilities, per language."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipeline.annotations import read_annotations
from pipeline.classify import UnitScores, score_units
from pipeline.features import word_counts
from pipeline.metrics import (
    BOOTSTRAP_INTERVAL,
    bootstrap_intervals,
    calibration_scores,
    label_matrix,
    multilabel_scores,
)
from pipeline.model import LoadedModel
from pipeline.params import TagParams
from pipeline.schema import ANY_AREA_COLUMN, join_labels, probability_column


def gold_scores(model: LoadedModel, gold: Path, top_terms: int | None = None,
                no_area_kinds: Sequence[str] = TagParams.no_area_kinds,
                ) -> tuple[pd.DataFrame, np.ndarray, UnitScores]:
    """The units of ``gold`` (JSONL: text, lang, labels; at least one unit), their gold
    label matrix in the model's label order, and what the model says of them, decided
    exactly as tagging decides (a gold unit has no kind, so it is read from the text:
    see ``segment.lone_text_kind``; units of ``no_area_kinds`` get no area); with
    ``top_terms``, explanations too."""
    frame = read_annotations(gold)
    y = label_matrix(frame["labels"], model.labels)
    return frame, y, score_units(model, frame["text"].tolist(), top_terms=top_terms,
                                 no_area_kinds=no_area_kinds)


def gold_predictions(model: LoadedModel, gold: Path,
                     no_area_kinds: Sequence[str] = TagParams.no_area_kinds,
                     ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The units of ``gold``, their gold label matrix and the model's decided label matrix
    (decided exactly as tagging decides)."""
    frame, y, scores = gold_scores(model, gold, no_area_kinds=no_area_kinds)
    return frame, y, scores.decided


def evaluate(model: LoadedModel, gold: Path,
             no_area_kinds: Sequence[str] = TagParams.no_area_kinds) -> dict[str, Any]:
    """Score ``model`` on the labelled units of ``gold`` (JSONL: text, lang, labels)."""
    return evaluate_with_units(model, gold, top_terms=None, no_area_kinds=no_area_kinds)[0]


def evaluate_with_units(model: LoadedModel, gold: Path, top_terms: int | None,
                        no_area_kinds: Sequence[str] = TagParams.no_area_kinds,
                        ) -> tuple[dict[str, Any], pd.DataFrame | None]:
    """``evaluate``, and unless ``top_terms`` is None also the per-unit table behind its
    figures (see ``unit_table``; ``top_terms`` explanation terms per predicted area)."""
    frame, y, scores = gold_scores(model, gold, top_terms, no_area_kinds)
    result = score_predictions(model, gold, frame, y, scores.decided, scores.proba)
    if top_terms is None:
        return result, None
    return result, unit_table(model, frame, y, scores)


def unit_table(model: LoadedModel, frame: pd.DataFrame, y: np.ndarray,
               scores: UnitScores) -> pd.DataFrame:
    """One row per gold unit, in file order: its id, source, language and length; the gold
    and predicted areas; the areas missed (gold, not predicted) and extra (predicted, not
    gold); whether the two agree exactly; the probabilities; the terms that drove each
    predicted area (``scores`` made with explanations); which classifier set decided the
    unit; and the text. Every count in the evaluation can be traced to these rows (e.g.
    B's false negatives are the rows whose ``missed`` holds B)."""
    y, pred = y.astype(bool), scores.decided.astype(bool)
    texts = frame["text"].tolist()
    table = pd.DataFrame({
        "id": frame["id"].to_numpy(),
        "source": frame["source"].to_numpy(),
        "lang": frame["lang"].to_numpy(),
        "words": word_counts(texts),
        "gold": [join_labels(model.labels, row) for row in y],
        "predicted": [join_labels(model.labels, row) for row in pred],
        "missed": [join_labels(model.labels, row) for row in y & ~pred],
        "extra": [join_labels(model.labels, row) for row in pred & ~y],
        "agrees": (y == pred).all(axis=1),
        ANY_AREA_COLUMN: np.round(scores.p_any, 4),
    })
    for j, code in enumerate(model.labels):
        table[probability_column(code)] = np.round(scores.proba[:, j], 4)
    table["explanation"] = scores.explanation
    table["decided_by"] = scores.decided_by
    table["text"] = texts
    return table


def score_predictions(model: LoadedModel, gold: Path, frame: pd.DataFrame, y: np.ndarray,
                      pred: np.ndarray, proba: np.ndarray | None = None) -> dict[str, Any]:
    """The evaluation result for predictions already made by ``gold_predictions``; with
    the area probabilities (``proba``), also how well they are calibrated."""
    scores = multilabel_scores(y, pred, model.labels)
    per_lang = {}
    for lang in sorted(frame["lang"].astype(str).unique()):
        mask = (frame["lang"] == lang).to_numpy()
        per_lang[lang] = multilabel_scores(y[mask], pred[mask], model.labels)["summary"]
        per_lang[lang]["micro_f1_interval"] = bootstrap_intervals(y[mask], pred[mask])["micro_f1"]
    intervals = bootstrap_intervals(y, pred)
    return {
        "gold": gold.as_posix(),
        "model": model.model_id,
        **scores["summary"],
        # How far the scores could move on another gold set of this size and kind.
        "interval_level": BOOTSTRAP_INTERVAL,
        "micro_f1_interval": intervals["micro_f1"],
        "macro_f1_interval": intervals["macro_f1"],
        "per_area": scores["per_area"],
        "per_lang": per_lang,
        **({"calibration": calibration_scores(y, proba, model.labels)} if proba is not None else {}),
    }


def format_report(result: dict[str, Any]) -> str:
    """Human-readable table of an evaluation result."""
    lines = [
        f"gold {result['gold']}  model {result['model']}  units {result['units']}",
        f"{'area':<6}{'P':>7}{'R':>7}{'F1':>7}{'support':>9}",
    ]
    for code, s in result["per_area"].items():
        lines.append(
            f"{code:<6}{s['precision']:>7.3f}{s['recall']:>7.3f}{s['f1']:>7.3f}{s['support']:>9}"
        )
    left_out = result["macro_left_out"]
    level = f"{result['interval_level']:.0%}"
    micro_lo, micro_hi = result["micro_f1_interval"]
    macro_lo, macro_hi = result["macro_f1_interval"]
    lines.append(
        f"micro-F1 {result['micro_f1']:.3f} [{micro_lo:.3f}, {micro_hi:.3f}]  macro-F1 "
        f"{result['macro_f1']:.3f} [{macro_lo:.3f}, {macro_hi:.3f}]"
        + (f" (left out, no gold units: {', '.join(left_out)})" if left_out else "")
    )
    lines.append(f"  [...]: {level} bootstrap interval over the gold units")
    lines.append(
        f"exact match {result['exact_match']:.3f}  no-area accuracy "
        f"{result['no_area_accuracy']:.3f} (gold no-area units {result['no_area_support']})"
    )
    if "calibration" in result:
        cal = result["calibration"]
        lines.append(
            f"calibration of the area probabilities: Brier {cal['brier']:.3f}, expected "
            f"calibration error {cal['ece']:.3f} ({cal['bins']} bins; mean over areas)"
        )
    for lang, s in result["per_lang"].items():
        lines.append(
            f"[{lang}] units {s['units']}  micro-F1 {s['micro_f1']:.3f} "
            f"[{s['micro_f1_interval'][0]:.3f}, {s['micro_f1_interval'][1]:.3f}]  "
            f"macro-F1 {s['macro_f1']:.3f}"
        )
    return "\n".join(lines)
