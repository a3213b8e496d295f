"""Fit the A-I classifier on the project's annotations: cross-validate, pick per-area
thresholds, fit on all data and save the model with its card."""

from __future__ import annotations

import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sklearn.model_selection import GroupKFold, KFold

from pipeline.annotations import AnnotationError, data_hash, read_annotations
from pipeline.card import METRICS_FILE, write_model_card
from pipeline.classify import decide_labels, scores_from_features
from pipeline.features import word_counts
from pipeline.metrics import label_matrix, multilabel_scores, pooled_f1
from pipeline.model import (
    SHORT_UNITS_KEY,
    build_logistic,
    build_pipeline,
    rounded_thresholds,
    save_model,
)
from pipeline.params import TrainParams
from pipeline.taxonomy import load_taxonomy

if TYPE_CHECKING:  # annotations only
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

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
    [RELEVANCE_GATE_MIN, relevance_gate_max], chosen on out-of-fold micro-F1 (see
    ``classify.decide_labels``): each gate with its best ratio (ties to the larger ratio,
    closer to thresholds alone), then the largest gate whose micro-F1 is within
    ``relevance_gate_tolerance`` of the best. Cross-validation cannot tell gates that
    close apart, and batch runs over a country's legislation meet far more general law
    than the training data holds, so a near-tie goes to the gate that tags less of it."""
    # Rounded before use, so the stored values decide exactly as they were scored.
    ratios = [round(float(r), 4)
              for r in np.arange(1.0, params.fill_ratio_min - 1e-9, -FILL_RATIO_STEP)]
    gates = [0.0]
    if p_any is not None and params.relevance_gate_max > 0:
        gates += [round(float(g), 4) for g in np.arange(
            RELEVANCE_GATE_MIN, params.relevance_gate_max + 1e-9, RELEVANCE_GATE_STEP)]
    truth = y.astype(bool)
    per_gate: list[tuple[float, float, float]] = []  # (gate, ratio, micro-F1)
    for gate in gates:
        best_ratio, best_f1 = 1.0, -1.0
        for ratio in ratios:  # from 1 down: ties keep the first
            pred = decide_labels(proba, thresholds, ratio, n_words, params.fill_min_words,
                                 p_any, gate)
            f1 = pooled_f1(pred, truth)
            if f1 > best_f1 + 1e-12:
                best_ratio, best_f1 = ratio, f1
        per_gate.append((gate, best_ratio, best_f1))
    top_f1 = max(f1 for _, _, f1 in per_gate)
    gate, ratio, _ = max((g for g in per_gate
                          if g[2] >= top_f1 - params.relevance_gate_tolerance - 1e-12),
                         key=lambda g: g[0])
    return ratio, gate


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


def fit_classifiers(texts: list[str], y: np.ndarray, area_rows: np.ndarray,
                    params: TrainParams):
    """The area Pipeline, fitted on the ``area_rows`` of ``texts`` (features and one output
    per area), and the relevance classifier over the same features, fitted on all rows to
    tell units with an area (any row of ``y`` with a 1) from units without."""
    from scipy.sparse import vstack

    pipeline = build_pipeline(params)
    union, clf = pipeline.named_steps["features"], pipeline.named_steps["clf"]
    area_idx, other_idx = np.flatnonzero(area_rows), np.flatnonzero(~area_rows)
    # Pipeline.fit, with the area rows' features kept for the relevance classifier.
    area_features = union.fit_transform([texts[i] for i in area_idx])
    clf.fit(area_features, y[area_idx])
    features = area_features
    if len(other_idx):  # the other rows' features, then every row back in its place
        features = vstack([area_features, union.transform([texts[i] for i in other_idx])])
        features = features.tocsr()[np.argsort(np.concatenate([area_idx, other_idx]))]
    relevance = build_logistic(params).fit(features, y.any(axis=1).astype(int))
    return pipeline, relevance


def out_of_fold_scores(frame: pd.DataFrame, y: np.ndarray, area_rows: np.ndarray,
                       params: TrainParams) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold (area probabilities, probability of any area) for every row of
    ``frame``, each fold fitted as ``fit_classifiers`` fits the final model."""
    texts = frame["text"].tolist()
    proba, p_any = np.zeros(y.shape), np.zeros(len(frame))
    for fit_rows, held_out in cv_splits(frame, params):
        pipeline, relevance = fit_classifiers([texts[i] for i in fit_rows], y[fit_rows],
                                              area_rows[fit_rows], params)
        features = pipeline.named_steps["features"].transform([texts[i] for i in held_out])
        proba[held_out], p_any[held_out] = scores_from_features(pipeline, relevance, features)
    return proba, p_any


def _data_summary(path: Path, frame: pd.DataFrame, y: np.ndarray,
                  labels: tuple[str, ...]) -> dict[str, Any]:
    return {
        "path": path.as_posix(),
        "sha256": data_hash(frame),
        "units": len(frame),
        "no_area_units": int((y.sum(axis=1) == 0).sum()),
        "units_per_area": {code: int(y[:, j].sum()) for j, code in enumerate(labels)},
        "units_per_lang": {
            k: int(v) for k, v in frame["lang"].value_counts().sort_index().items()
        },
    }


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


@dataclass(frozen=True)
class FittedClassifiers:
    """One classifier set and its rule: the area Pipeline, the relevance classifier, the
    per-area thresholds, fill ratio and gate, and the out-of-fold decisions on the training
    rows that the cross-validation scores are computed from."""

    pipeline: Pipeline
    relevance: LogisticRegression
    thresholds: np.ndarray
    fill_ratio: float
    gate: float
    oof_decided: np.ndarray


def choose_rule(y: np.ndarray, oof: np.ndarray, oof_any: np.ndarray, area_rows: np.ndarray,
                n_words: np.ndarray, params: TrainParams) -> tuple[np.ndarray, float, float]:
    """The decision rule on out-of-fold scores: per-area thresholds, fill ratio and gate."""
    # Thresholds are the area classifiers' own; the gate and fill, which decide whether a
    # unit gets any area, are chosen on every unit, general-law ones included.
    thresholds = choose_thresholds(y[area_rows], oof[area_rows], params)
    fill_ratio, gate = choose_fill_and_gate(y, oof, thresholds, n_words, oof_any, params)
    return thresholds, fill_ratio, gate


def fit_with_rule(frame: pd.DataFrame, y: np.ndarray, area_rows: np.ndarray,
                  params: TrainParams) -> FittedClassifiers:
    """Out-of-fold scores, then the thresholds (on the area rows), the fill ratio and gate
    (on every row), then the classifiers fitted on all rows."""
    oof, oof_any = out_of_fold_scores(frame, y, area_rows, params)
    n_words = word_counts(frame["text"].tolist())
    thresholds, fill_ratio, gate = choose_rule(y, oof, oof_any, area_rows, n_words, params)
    decided = decide_labels(oof, thresholds, fill_ratio, n_words, params.fill_min_words,
                            oof_any, gate)
    pipeline, relevance = fit_classifiers(frame["text"].tolist(), y, area_rows, params)
    return FittedClassifiers(pipeline, relevance, thresholds, fill_ratio, gate, decided)


def _check_ids(frame: pd.DataFrame, *paths: Path | None) -> None:
    """Refuse training data whose files (``paths``, concatenated into ``frame``) reuse ids."""
    if frame["id"].duplicated().any():
        named = " and ".join(p.as_posix() for p in paths if p)
        raise AnnotationError(f"{named}: ids used twice: "
                              f"{', '.join(frame['id'][frame['id'].duplicated()][:5])}")


@dataclass(frozen=True)
class TrainingData:
    """The annotations (area rows) followed by the relevance-only units, with their label
    matrix in taxonomy order."""

    area_frame: pd.DataFrame
    relevance_frame: pd.DataFrame
    frame: pd.DataFrame
    area_rows: np.ndarray
    y: np.ndarray


def read_training_data(annotations: Path, relevance_annotations: Path | None,
                       labels: tuple[str, ...]) -> TrainingData:
    """Read the annotations and the relevance data (optional) as ``train`` uses them."""
    area_frame = read_annotations(annotations)
    relevance_frame = (read_annotations(relevance_annotations)
                       if relevance_annotations else area_frame.iloc[:0])
    frame = pd.concat([area_frame, relevance_frame], ignore_index=True)
    _check_ids(frame, annotations, relevance_annotations)
    return TrainingData(area_frame, relevance_frame, frame,
                        np.arange(len(frame)) < len(area_frame),
                        label_matrix(frame["labels"], labels))


def _short_unit_classifiers(area_frame: pd.DataFrame, relevance_frame: pd.DataFrame,
                            short_annotations: Path, labels: tuple[str, ...],
                            params: TrainParams) -> tuple[FittedClassifiers, dict[str, Any]]:
    """The short-unit classifiers (the same design and rule, trained on the annotations,
    the one-line provisions of ``short_annotations`` and the relevance data) and their
    block of the card: the routing, the rule, the data and out-of-fold scores on the
    training units that would be routed to them."""
    short_frame = read_annotations(short_annotations)
    frame = pd.concat([area_frame, short_frame, relevance_frame], ignore_index=True)
    _check_ids(frame, short_annotations)
    area_rows = np.arange(len(frame)) < len(area_frame) + len(short_frame)
    y = label_matrix(frame["labels"], labels)
    fitted = fit_with_rule(frame, y, area_rows, params)
    routed = area_rows & (word_counts(frame["text"].tolist()) <= params.short_unit_max_words)
    block = {
        "max_words": params.short_unit_max_words,
        "kinds": list(params.short_unit_kinds),
        "thresholds": rounded_thresholds(fitted.thresholds),
        "fill_ratio": fitted.fill_ratio,
        "relevance_gate": fitted.gate,
        "training_data": _data_summary(short_annotations, short_frame,
                                       y[len(area_frame):len(area_frame) + len(short_frame)],
                                       labels),
        "cv_routed_units": {
            "units": int(routed.sum()),
            **multilabel_scores(y[routed], fitted.oof_decided[routed], labels)["summary"],
        },
    }
    return fitted, block


def train(annotations: Path, model_dir: Path, params: TrainParams,
          relevance_annotations: Path | None = None,
          short_annotations: Path | None = None) -> dict[str, Any]:
    """Train on ``annotations`` (file or folder of JSONL) and save into ``model_dir``.

    ``relevance_annotations`` (optional, same format) train only the relevance classifier:
    provisions of general law and the like, which teach it what addresses no area without
    teaching the area classifiers that their vocabulary ("employer", "contract") never
    carries an area. ``short_annotations`` (optional, one-line provisions) train, with the
    annotations, the short-unit classifiers that decide units of at most
    ``params.short_unit_max_words`` words (see ``classify.short_route``).
    """
    started = time.perf_counter()
    taxonomy = load_taxonomy()
    labels = taxonomy.codes
    data = read_training_data(annotations, relevance_annotations, labels)
    area_frame, relevance_frame = data.area_frame, data.relevance_frame
    frame, area_rows, y = data.frame, data.area_rows, data.y

    fitted = fit_with_rule(frame, y, area_rows, params)
    decided = fitted.oof_decided
    cv = multilabel_scores(y[area_rows], decided[area_rows], labels)
    cv["per_lang"] = {
        lang: multilabel_scores(y[mask], decided[mask], labels)["summary"]
        for lang in sorted(area_frame["lang"].unique())
        if (mask := area_rows & (frame["lang"] == lang).to_numpy()).any()
    }
    general = ~area_rows & ~y.any(axis=1)
    if general.any():  # how often the rule still tags what only the relevance data shows
        cv["relevance_no_area_tagged"] = round(float(decided[general].any(axis=1).mean()), 4)
    short, short_block = (_short_unit_classifiers(area_frame, relevance_frame,
                                                  short_annotations, labels, params)
                          if short_annotations else (None, None))

    meta = {
        "name": model_dir.name,
        "labels": list(labels),
        "taxonomy_version": taxonomy.version,
        "training_data": _data_summary(annotations, area_frame, y[area_rows], labels),
        "relevance_data": (_data_summary(relevance_annotations, relevance_frame,
                                         y[~area_rows], labels)
                           if relevance_annotations else None),
        "params": asdict(params),
        "cv": cv,
        "source_revision": _git_revision(),
        "train_seconds": round(time.perf_counter() - started, 1),
        "fill_ratio": fitted.fill_ratio,
        "relevance_gate": fitted.gate,
        SHORT_UNITS_KEY: short_block,
    }
    meta = save_model(fitted.pipeline, fitted.relevance, fitted.thresholds, meta, model_dir,
                      short=(short.pipeline, short.relevance) if short else None)
    # An evaluation of the model this one replaces no longer describes anything here.
    (model_dir / METRICS_FILE).unlink(missing_ok=True)
    write_model_card(model_dir)
    return meta
