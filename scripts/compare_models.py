"""Train several model designs on the project's annotations and score each on a gold file.

Used to choose the shipped design; the gold file is only measured, never trained on.
Prints one line per design: CV micro/macro-F1 on the annotations, gold micro/macro-F1,
its difference in gold micro-F1 from the first (shipped) design with a 90% paired
bootstrap interval over gold units, per-language micro-F1 and the gold F1 of each area.

Every design's relevance classifier also learns from params train.relevance_annotations,
except the design that says otherwise.

Usage: python scripts/compare_models.py GOLD.jsonl [ANNOTATIONS]
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from pipeline.evaluate import gold_predictions, score_predictions
from pipeline.metrics import BOOTSTRAP_RESAMPLES, micro_f1_difference
from pipeline.model import load_model
from pipeline.params import load_params
from pipeline.train import train

NO_RELEVANCE_DATA = "relevance on annotations alone"
DESIGNS = {
    "shipped (fill + relevance gate)": {},
    NO_RELEVANCE_DATA: {},
    "no relevance gate": {"relevance_gate_max": 0.0},
    "thresholds only (no fill, no gate)": {"fill_ratio_min": 1.0, "relevance_gate_max": 0.0},
    "same, shuffled CV": {"cv_group_by": ""},
    "no length bins": {"length_bin_edges": ()},
    "char 3-5, 120k": {"char_ngram_min": 3, "char_ngram_max": 5, "max_features_char": 120000},
    "C=1": {"C": 1.0},
    "C=4": {"C": 4.0},
    "unweighted": {"class_weight": None},
    "word 1-2 only": {"max_features_char": 1, "char_ngram_min": 5, "char_ngram_max": 5},
    "word 1-3 only": {"word_ngram_max": 3, "max_features_char": 1, "char_ngram_min": 5,
                      "char_ngram_max": 5},
    "char4 only": {"max_features_word": 1},
}


def main(gold: Path, annotations: Path) -> None:
    """Train and score every design."""
    base = load_params().train
    print(f"{'design':<38}{'cv mi':>7}{'cv ma':>7}{'dev mi':>8}{'dev ma':>8}"
          f"{'vs shipped [90%]':>24}{'fr mi':>7}{'en mi':>7}  per-area F1")
    shipped_pred = None
    for name, overrides in DESIGNS.items():
        with tempfile.TemporaryDirectory() as tmp:
            relevance = (Path(base.relevance_annotations)
                         if base.relevance_annotations and name != NO_RELEVANCE_DATA else None)
            meta = train(annotations, Path(tmp) / "m", replace(base, **overrides), relevance)
            model = load_model(Path(tmp) / "m")
            frame, y, pred = gold_predictions(model, gold)
            result = score_predictions(model, gold, frame, y, pred)
        if shipped_pred is None:
            shipped_pred = pred
        delta, low, high = micro_f1_difference(y, pred, shipped_pred, BOOTSTRAP_RESAMPLES,
                                               base.seed)
        cv = meta["cv"]["summary"]
        areas = " ".join(f"{c}{s['f1']:.2f}" for c, s in result["per_area"].items())
        langs = result["per_lang"]
        versus = f"{delta:+.3f} [{low:+.3f}, {high:+.3f}]"
        print(f"{name:<38}{cv['micro_f1']:>7.3f}{cv['macro_f1']:>7.3f}{result['micro_f1']:>8.3f}"
              f"{result['macro_f1']:>8.3f}{versus:>24}{langs.get('fr', {}).get('micro_f1', 0):>7.3f}"
              f"{langs.get('en', {}).get('micro_f1', 0):>7.3f}  {areas}", flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) > 2 else Path("corpus/annotations"))
