"""How much of a gold-set score is the luck of the decision rule?

`capmap train` picks the per-area thresholds, the fill ratio and the relevance gate on
out-of-fold scores, and small changes to the training data move that choice. This script
keeps the shipped model's probabilities for the gold units fixed and re-chooses the rule
on bootstrap resamples of the out-of-fold scores (the training rows drawn with
replacement), then prints the gold set's micro-F1 under the shipped rule and the spread
under the resampled rules: what the same model would score had the rule come out
otherwise.

Usage:
  capmap evaluate --gold ../shared/eval/dev.jsonl --units units.csv
  python scripts/measure_rule_spread.py units.csv [--resamples 20] [--seed 0]

It recomputes the main classifiers' out-of-fold scores on the annotations and relevance
data named in params.yaml (about 40 s on 2 cores). Only units decided by the main
classifiers are re-decided (column `decided_by` == "main"); the others keep their
predicted areas. Prints numbers only, never text.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.classify import decide_labels
from pipeline.metrics import label_matrix, pooled_f1
from pipeline.params import TrainParams, load_params
from pipeline.schema import probability_column, split_labels
from pipeline.train import choose_rule


@dataclass(frozen=True)
class GoldUnits:
    """The gold units of an `evaluate --units` file as arrays: probabilities per area,
    p_any_area, words, gold areas, predicted areas, and which units the main rule decides."""

    proba: np.ndarray
    p_any: np.ndarray
    words: np.ndarray
    gold: np.ndarray
    predicted: np.ndarray
    main: np.ndarray


def read_gold_units(path: Path, labels: list[str]) -> GoldUnits:
    """Read the CSV that `capmap evaluate --units` writes."""
    units = pd.read_csv(path)

    def areas(column: str) -> np.ndarray:
        return label_matrix(units[column].map(split_labels), labels).astype(bool)

    return GoldUnits(
        proba=units[[probability_column(a) for a in labels]].to_numpy(float),
        p_any=units["p_any_area"].to_numpy(float),
        words=units["words"].to_numpy(int),
        gold=areas("gold"),
        predicted=areas("predicted"),
        main=(units["decided_by"] == "main").to_numpy(),
    )


def gold_f1(units: GoldUnits, thresholds: np.ndarray, fill_ratio: float, gate: float,
            params: TrainParams) -> float:
    """Micro-F1 of the gold units with the main units decided by the given rule."""
    decided = decide_labels(units.proba, thresholds, fill_ratio, units.words,
                            params.fill_min_words, units.p_any, gate)
    pred = np.where(units.main[:, None], decided, units.predicted)
    return pooled_f1(pred, units.gold)


def rule_spread(y: np.ndarray, oof: np.ndarray, oof_any: np.ndarray, area_rows: np.ndarray,
                n_words: np.ndarray, units: GoldUnits, params: TrainParams,
                resamples: int, seed: int) -> dict[str, object]:
    """The gold micro-F1 under the rule chosen on all out-of-fold rows, and under the rules
    chosen on ``resamples`` bootstrap resamples of them."""
    thresholds, fill_ratio, gate = choose_rule(y, oof, oof_any, area_rows, n_words, params)
    rng = np.random.default_rng(seed)
    scores, gates = [], []
    for _ in range(resamples):
        rows = rng.integers(0, len(y), len(y))
        t, f, g = choose_rule(y[rows], oof[rows], oof_any[rows], area_rows[rows],
                              n_words[rows], params)
        scores.append(gold_f1(units, t, f, g, params))
        gates.append(g)
    return {
        "rule": {"thresholds": thresholds.round(3).tolist(), "fill_ratio": fill_ratio,
                 "gate": gate},
        "micro_f1": round(gold_f1(units, thresholds, fill_ratio, gate, params), 4),
        "resampled_micro_f1": [round(s, 4) for s in scores],
        "resampled_gates": gates,
    }


def main() -> None:
    from pipeline.features import word_counts
    from pipeline.taxonomy import load_taxonomy
    from pipeline.train import out_of_fold_scores, read_training_data

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("units", type=Path, help="CSV written by capmap evaluate --units")
    parser.add_argument("--resamples", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    params = load_params().train
    labels = list(load_taxonomy().codes)
    data = read_training_data(Path(params.annotations),
                              Path(params.relevance_annotations)
                              if params.relevance_annotations else None, tuple(labels))
    y, area_rows = data.y, data.area_rows
    oof, oof_any = out_of_fold_scores(data.frame, y, area_rows, params)
    n_words = word_counts(data.frame["text"].tolist())
    result = rule_spread(y, oof, oof_any, area_rows, n_words,
                         read_gold_units(args.units, labels), params,
                         args.resamples, args.seed)
    spread = np.array(result["resampled_micro_f1"])
    print(f"rule chosen on all out-of-fold rows: {result['rule']}")
    print(f"gold micro-F1 with it: {result['micro_f1']:.3f}")
    print(f"with rules chosen on {len(spread)} bootstrap resamples: mean {spread.mean():.3f}, "
          f"sd {spread.std():.3f}, min {spread.min():.3f}, max {spread.max():.3f}; "
          f"gates {sorted(set(result['resampled_gates']))}")


if __name__ == "__main__":
    main()
