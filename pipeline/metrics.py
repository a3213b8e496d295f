"""Multi-label scores shared by cross-validation (train) and gold evaluation."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np


def label_matrix(label_lists: Iterable[Sequence[str]], labels: Sequence[str]) -> np.ndarray:
    """Binary indicator matrix (units x areas) in the given label order."""
    index = {code: j for j, code in enumerate(labels)}
    rows = list(label_lists)
    y = np.zeros((len(rows), len(labels)), dtype=int)
    for i, codes in enumerate(rows):
        for code in codes:
            y[i, index[code]] = 1
    return y


def pooled_f1(pred: np.ndarray, truth: np.ndarray) -> float:
    """F1 of boolean predictions against boolean truth, pooled over all their cells (micro-F1
    for label matrices, an area's F1 for one column)."""
    denom = pred.sum() + truth.sum()
    return 2 * np.sum(pred & truth) / denom if denom else 0.0


def _cell_counts(y_true: np.ndarray, pred: np.ndarray) -> np.ndarray:
    """Per unit and area, (tp, fp, fn) as 0/1: shape (units, areas, 3)."""
    y_true, pred = np.asarray(y_true, dtype=bool), np.asarray(pred, dtype=bool)
    return np.stack([y_true & pred, ~y_true & pred, y_true & ~pred], axis=-1).astype(np.int32)


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def multilabel_scores(
    y_true: np.ndarray, y_pred: np.ndarray, labels: Sequence[str]
) -> dict[str, Any]:
    """Per-area P/R/F1/support, micro-F1, macro-F1 over areas with gold support, and
    'no area' accuracy (share of units whose emptiness is predicted right)."""
    y_true, y_pred = np.asarray(y_true, dtype=bool), np.asarray(y_pred, dtype=bool)
    counts = _cell_counts(y_true, y_pred).sum(axis=0)  # areas x (tp, fp, fn)
    per_area, f1s, left_out = {}, [], []
    for code, (tp, fp, fn) in zip(labels, counts.tolist(), strict=True):
        prec, rec, f1 = _prf(tp, fp, fn)
        per_area[code] = {
            "precision": round(prec, 4),
            "recall": round(rec, 4),
            "f1": round(f1, 4),
            "support": tp + fn,
        }
        if tp + fn:
            f1s.append(f1)
        else:
            left_out.append(code)
    micro_p, micro_r, micro_f1 = _prf(*counts.sum(axis=0).tolist())
    gold_empty, pred_empty = ~y_true.any(axis=1), ~y_pred.any(axis=1)
    exact = float((y_true == y_pred).all(axis=1).mean()) if len(y_true) else 0.0
    summary = {
        "units": int(len(y_true)),
        "micro_precision": round(micro_p, 4),
        "micro_recall": round(micro_r, 4),
        "micro_f1": round(micro_f1, 4),
        "macro_f1": round(float(np.mean(f1s)), 4) if f1s else 0.0,
        "exact_match": round(exact, 4),
        "no_area_accuracy": round(float((gold_empty == pred_empty).mean()), 4)
        if len(y_true)
        else 0.0,
        "no_area_support": int(gold_empty.sum()),
        "macro_left_out": left_out,
    }
    return {"summary": summary, "per_area": per_area}


CALIBRATION_BINS = 10  # equal-width probability bins of the expected calibration error


def expected_calibration_error(proba: np.ndarray, truth: np.ndarray,
                               bins: int = CALIBRATION_BINS) -> float:
    """Mean absolute gap between predicted probability and observed frequency over
    equal-width probability bins, weighted by the units in each bin (0 = calibrated)."""
    proba, truth = np.asarray(proba, dtype=float), np.asarray(truth, dtype=float)
    if not len(proba):
        return 0.0
    which = np.minimum((proba * bins).astype(int), bins - 1)
    error = 0.0
    for b in np.unique(which):
        in_bin = which == b
        error += in_bin.mean() * abs(proba[in_bin].mean() - truth[in_bin].mean())
    return float(error)


def calibration_scores(y_true: np.ndarray, proba: np.ndarray,
                       labels: Sequence[str]) -> dict[str, Any]:
    """Per area and averaged over areas: Brier score, expected calibration error, mean
    probability and gold share (a mean probability above the share means the model
    overstates that area on these units)."""
    y_true = np.asarray(y_true, dtype=float)
    per_area = {}
    for j, code in enumerate(labels):
        per_area[code] = {
            "brier": round(float(np.mean((proba[:, j] - y_true[:, j]) ** 2)), 4),
            "ece": round(expected_calibration_error(proba[:, j], y_true[:, j]), 4),
            "mean_probability": round(float(proba[:, j].mean()), 4),
            "gold_share": round(float(y_true[:, j].mean()), 4),
        }
    return {
        "bins": CALIBRATION_BINS,
        "brier": round(float(np.mean([a["brier"] for a in per_area.values()])), 4),
        "ece": round(float(np.mean([a["ece"] for a in per_area.values()])), 4),
        "per_area": per_area,
    }


# Bootstrap settings shared by `capmap evaluate` and scripts/compare_models.py: a method
# choice, not a tuning knob (on dev, ten seeds move the micro-F1 interval ends by at most
# 0.005 and the macro-F1 ones by 0.008 at 2,000 resamples).
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_INTERVAL = 0.90
BOOTSTRAP_SEED = 0
_BOOTSTRAP_BATCH = 200  # resamples scored at once, to bound memory on large gold files


def _f1_of_counts(counts: np.ndarray) -> np.ndarray:
    """F1 from summed (tp, fp, fn) on the last axis; 0 where there is nothing to score."""
    tp, fp, fn = counts[..., 0], counts[..., 1], counts[..., 2]
    denom = 2 * tp + fp + fn
    return np.divide(2 * tp, denom, out=np.zeros(denom.shape), where=denom > 0)


def _resampled_sums(counts: np.ndarray, resamples: int, seed: int):
    """Yield batches of per-resample sums of ``counts`` over units resampled with
    replacement: arrays of shape (batch, *counts.shape[1:])."""
    rng = np.random.default_rng(seed)
    for start in range(0, resamples, _BOOTSTRAP_BATCH):
        size = min(_BOOTSTRAP_BATCH, resamples - start)
        idx = rng.integers(0, len(counts), size=(size, len(counts)))
        yield counts[idx].sum(axis=1)


def _interval(values: np.ndarray, interval: float) -> tuple[float, float]:
    tail = (1 - interval) / 2
    low, high = np.quantile(values, [tail, 1 - tail])
    return round(float(low), 4), round(float(high), 4)


def bootstrap_intervals(
    y_true: np.ndarray, pred: np.ndarray, resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED, interval: float = BOOTSTRAP_INTERVAL,
) -> dict[str, tuple[float, float]]:
    """Bootstrap intervals of micro-F1 and macro-F1 (units resampled with replacement; on
    each resample macro-F1 averages the areas with gold support in it): how far the
    scores of a gold set this size could move with other units of the same kind."""
    counts = _cell_counts(y_true, pred)
    if not len(counts):
        return {"micro_f1": (0.0, 0.0), "macro_f1": (0.0, 0.0)}
    micro, macro = [], []
    for sums in _resampled_sums(counts, resamples, seed):  # (batch, areas, 3)
        micro.append(_f1_of_counts(sums.sum(axis=1)))
        # Macro-F1 over the areas with gold units in the resample, as multilabel_scores
        # does; a resample with none scores 0 (NaN would fail the quantiles).
        supported = (sums[..., 0] + sums[..., 2]) > 0
        f1 = np.where(supported, _f1_of_counts(sums), np.nan)
        macro.append(np.nanmean(np.where(supported.any(axis=1, keepdims=True), f1, 0.0),
                                axis=1))
    return {"micro_f1": _interval(np.concatenate(micro), interval),
            "macro_f1": _interval(np.concatenate(macro), interval)}


def micro_f1_difference(
    y_true: np.ndarray, pred_a: np.ndarray, pred_b: np.ndarray, resamples: int, seed: int,
    interval: float = BOOTSTRAP_INTERVAL,
) -> tuple[float, float, float]:
    """Micro-F1 of ``pred_a`` minus that of ``pred_b`` on the same units, with a paired
    bootstrap interval (units resampled with replacement, both predictions scored on each
    resample): (difference, low, high). An interval that contains 0 means the gold set
    cannot tell the two apart."""
    # Per unit (tp, fp, fn) of a and of b side by side, so each resample scores both.
    both = np.concatenate([_cell_counts(y_true, pred_a).sum(axis=1),
                           _cell_counts(y_true, pred_b).sum(axis=1)], axis=1)
    observed = float(_f1_of_counts(both[:, :3].sum(0)) - _f1_of_counts(both[:, 3:].sum(0)))
    deltas = np.concatenate([_f1_of_counts(s[:, :3]) - _f1_of_counts(s[:, 3:])
                             for s in _resampled_sums(both, resamples, seed)])
    low, high = _interval(deltas, interval)
    return observed, low, high
