"""Fit the A-I classifier on the project's annotations: cross-validate, pick per-area
thresholds, fit on all data and save the model with its card."""

from __future__ import annotations

import subprocess
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import GroupKFold, KFold, cross_val_predict

from pipeline.annotations import data_hash, read_annotations
from pipeline.card import METRICS_FILE, write_model_card
from pipeline.classify import decide_labels
from pipeline.features import word_counts
from pipeline.metrics import label_matrix, multilabel_scores, pooled_f1
from pipeline.model import build_pipeline, save_model
from pipeline.params import TrainParams
from pipeline.taxonomy import load_taxonomy

THRESHOLD_STEP = 0.025
FILL_RATIO_STEP = 0.05
RELEVANCE_GATE_MIN = 0.1
RELEVANCE_GATE_STEP = 0.05


def choose_thresholds(y: np.ndarray, proba: np.ndarray, params: TrainParams) -> np.ndarray:
    """Per area, the threshold in [threshold_min, threshold_max] maximising out-of-fold F1."""
    grid = np.arange(params.threshold_min, params.threshold_max + 1e-9, THRESHOLD_STEP)
    best = np.full(y.shape[1], 0.5)
    for j in range(y.shape[1]):
        truth = y[:, j] == 1
        f1s = [pooled_f1(proba[:, j] >= t, truth) for t in grid]
        # Ties go to the threshold nearest 0.5 so the choice is stable across seeds.
        f1s = np.asarray(f1s)
        candidates = grid[np.isclose(f1s, f1s.max())]
        best[j] = candidates[np.argmin(np.abs(candidates - 0.5))]
    return best


def choose_fill_and_gate(y: np.ndarray, proba: np.ndarray, thresholds: np.ndarray,
                         n_words: np.ndarray, p_any: np.ndarray | None,
                         params: TrainParams) -> tuple[float, float]:
    """The fill ratio in [fill_ratio_min, 1] and the relevance gate in {0} and
    [RELEVANCE_GATE_MIN, relevance_gate_max] that together maximise out-of-fold micro-F1
    (see ``classify.decide_labels``). Ties go to the smaller gate and then the larger
    ratio: the rule closer to thresholds alone."""
    # Rounded before use, so the stored values decide exactly as they were scored.
    ratios = [round(float(r), 4)
              for r in np.arange(1.0, params.fill_ratio_min - 1e-9, -FILL_RATIO_STEP)]
    gates = [0.0]
    if p_any is not None and params.relevance_gate_max > 0:
        gates += [round(float(g), 4) for g in np.arange(
            RELEVANCE_GATE_MIN, params.relevance_gate_max + 1e-9, RELEVANCE_GATE_STEP)]
    truth = y.astype(bool)
    best, best_f1 = (1.0, 0.0), -1.0
    for gate in gates:  # from off upwards, and each ratio from 1 down: ties keep the first
        for ratio in ratios:
            pred = decide_labels(proba, thresholds, ratio, n_words, params.fill_min_words,
                                 p_any, gate)
            f1 = pooled_f1(pred, truth)
            if f1 > best_f1 + 1e-12:
                best, best_f1 = (ratio, gate), f1
    return best


def cv_splits(frame: pd.DataFrame, params: TrainParams) -> list[tuple[np.ndarray, np.ndarray]]:
    """Cross-validation folds. With ``cv_group_by`` (e.g. "source", the genre) every fold
    predicts genres it was not trained on: real documents differ from the training text in
    style, and thresholds chosen under that shift transfer better than under random folds."""
    groups = frame[params.cv_group_by].fillna("").astype(str).to_numpy() if params.cv_group_by else []
    if len(set(groups)) >= 2:  # one genre only (e.g. a small test set): shuffled folds
        n_splits = min(params.cv_folds, len(set(groups)))
        return list(GroupKFold(n_splits=n_splits).split(frame, groups=groups))
    folds = KFold(n_splits=params.cv_folds, shuffle=True, random_state=params.seed)
    return list(folds.split(frame))


def _git_revision() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
        return out.stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def train(annotations: Path, model_dir: Path, params: TrainParams) -> dict[str, Any]:
    """Train on ``annotations`` (file or folder of JSONL) and save into ``model_dir``."""
    started = time.perf_counter()
    taxonomy = load_taxonomy()
    labels = taxonomy.codes
    frame = read_annotations(annotations)
    texts = frame["text"].tolist()
    y = label_matrix(frame["labels"], labels)

    # One more output beside the areas: does the unit address any area at all (the
    # relevance gate's input; see classify.decide_labels).
    y_fit = np.hstack([y, y.any(axis=1, keepdims=True).astype(y.dtype)])
    oof_all = cross_val_predict(build_pipeline(params), texts, y_fit,
                                cv=cv_splits(frame, params), method="predict_proba")
    oof, oof_any = oof_all[:, : len(labels)], oof_all[:, len(labels)]
    thresholds = choose_thresholds(y, oof, params)
    n_words = word_counts(texts)
    fill_ratio, gate = choose_fill_and_gate(y, oof, thresholds, n_words, oof_any, params)
    decided = decide_labels(oof, thresholds, fill_ratio, n_words, params.fill_min_words,
                            oof_any, gate)
    cv = multilabel_scores(y, decided, labels)
    cv["per_lang"] = {
        lang: multilabel_scores(y[mask], decided[mask], labels)["summary"]
        for lang in sorted(frame["lang"].unique())
        if (mask := (frame["lang"] == lang).to_numpy()).any()
    }

    pipeline = build_pipeline(params).fit(texts, y_fit)
    counts = {code: int(y[:, j].sum()) for j, code in enumerate(labels)}
    meta = {
        "name": model_dir.name,
        "labels": list(labels),
        "taxonomy_version": taxonomy.version,
        "training_data": {
            "path": annotations.as_posix(),
            "sha256": data_hash(frame),
            "units": len(frame),
            "no_area_units": int((y.sum(axis=1) == 0).sum()),
            "units_per_area": counts,
            "units_per_lang": {
                k: int(v) for k, v in frame["lang"].value_counts().sort_index().items()
            },
        },
        "params": asdict(params),
        "cv": cv,
        "source_revision": _git_revision(),
        "train_seconds": round(time.perf_counter() - started, 1),
    }
    meta["fill_ratio"] = fill_ratio
    meta["relevance_output"] = True
    meta["relevance_gate"] = gate
    meta = save_model(pipeline, thresholds, meta, model_dir)
    # An evaluation of the model this one replaces no longer describes anything here.
    (model_dir / METRICS_FILE).unlink(missing_ok=True)
    write_model_card(model_dir)
    return meta
