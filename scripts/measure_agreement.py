"""Agreement between the project's annotations and a blind second annotation of a sample.

The second annotation (JSONL: id, labels) was made by a reader who saw only each unit's
text, ../shared/TAXONOMY.md and corpus/ANNOTATION_GUIDE.md. The score says how consistently
the training labels apply the taxonomy; compare it with the dev annotators' own agreement
(../shared/eval/dev_agreement.txt).

Usage: python scripts/measure_agreement.py [SECOND.jsonl] [ANNOTATIONS]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

from pipeline.annotations import read_annotations
from pipeline.metrics import label_matrix, multilabel_scores
from pipeline.taxonomy import load_taxonomy


def agreement(second: Path, annotations: Path) -> dict:
    """multilabel_scores of the second annotation against the first, on the shared ids."""
    labels = load_taxonomy().codes
    rows = [json.loads(line) for line in second.read_text(encoding="utf-8").splitlines() if line.strip()]
    first = read_annotations(annotations).set_index("id").loc[[r["id"] for r in rows]]
    return multilabel_scores(label_matrix(first["labels"], labels),
                             label_matrix(pd.Series([r["labels"] for r in rows]), labels), labels)


def main(second: Path, annotations: Path) -> None:
    """Print overall and per-area agreement."""
    scores = agreement(second, annotations)
    s = scores["summary"]
    print(f"units {s['units']}  micro-F1 {s['micro_f1']:.3f}  macro-F1 {s['macro_f1']:.3f}  "
          f"exact-match {s['exact_match']:.3f}  no-area agreement {s['no_area_accuracy']:.3f}")
    print("per area F1:", " ".join(f"{c} {a['f1']:.2f}" for c, a in scores["per_area"].items()))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("corpus/agreement/second_annotation.jsonl"),
         Path(sys.argv[2]) if len(sys.argv) > 2 else Path("corpus/annotations"))
