"""How often capmap tags articles of a general law that say nothing about migration.

Reads the predictions.parquet of a `capmap run` and, for the documents whose path matches
--document, splits their units into those that mention foreigners, migration or
nationality (a keyword pattern in French and English) and the rest. The rest are, by the
taxonomy's "unrelated laws" rule, expected to carry no area; the share of them that is
tagged is a false-tag rate on general law (an upper bound: a few may concern migration
without any of the keywords).

With --gold, the units are scored against labels a reader gave them instead of the
keyword split: GOLD is JSONL with "doc" (the PDF's file name), "key" (``unit_key`` of the
unit's text) and "labels", so that it holds no text of the document. It gives the share of
gold no-area units that capmap tags, the share of gold migration units it tags, and
precision, recall and F1 over areas. Units whose text no longer matches (another
segmentation) are counted, not scored.

Usage:
  capmap run ../shared/eval/pdfs -o OUT
  python scripts/measure_general_law.py OUT/predictions.parquet --document code-travail
  python scripts/measure_general_law.py OUT/predictions.parquet --document sn_gov_fr \
      --gold corpus/eval_labels/senegal_law_units.jsonl
"""

from __future__ import annotations

import argparse
import hashlib
import re
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.metrics import label_matrix, multilabel_scores
from pipeline.schema import split_labels
from pipeline.taxonomy import area_codes

MIGRATION_WORDS = (
    r"[ée]tranger|foreign|migra|immigr|[ée]migr|nationalit|visa|expatri|refug|r[ée]fugi"
    r"|asyl|asile|pays d'origine|country of origin|rapatri|repatri|non[- ]national|alien"
)


def _document_units(predictions: pd.DataFrame, document: str) -> pd.DataFrame:
    """The units of the documents whose path contains ``document``."""
    return predictions[predictions["source_path"].str.contains(document, regex=False)]


def _tagged(units: pd.DataFrame) -> np.ndarray:
    """capmap's pipe-joined ``labels`` column ("" = no area) as a boolean units x areas
    matrix in taxonomy order."""
    return label_matrix(units["labels"].map(split_labels), area_codes()).astype(bool)


def _share(rows: np.ndarray) -> float:
    """Share of ``rows`` (a boolean vector) that are true; 0 when there are none."""
    return float(rows.mean()) if len(rows) else 0.0


def general_law_rates(predictions: pd.DataFrame, document: str) -> dict[str, float | int]:
    """Unit counts and tagged shares for the matching documents' units with and without
    migration words."""
    units = _document_units(predictions, document)
    mentions = units["text"].str.contains(MIGRATION_WORDS, case=False, regex=True).to_numpy()
    tagged = _tagged(units)
    general = tagged[~mentions]
    rates: dict[str, float | int] = {
        "units": int(len(units)),
        "general_units": int(len(general)),
        "general_tagged": _share(general.any(axis=1)),
        "migration_units": int(mentions.sum()),
        "migration_tagged": _share(tagged[mentions].any(axis=1)),
    }
    for j, area in enumerate(area_codes()):
        rates[f"general_{area}"] = _share(general[:, j])
    return rates


def unit_key(text: str) -> str:
    """A unit's identity in a gold file that must not hold the text: the first 16 hex
    digits of the sha256 of the text with its whitespace collapsed."""
    return hashlib.sha256(re.sub(r"\s+", " ", text).strip().encode("utf-8")).hexdigest()[:16]


def gold_rates(predictions: pd.DataFrame, document: str, gold: pd.DataFrame) -> dict:
    """Scores of the matching documents' units against ``gold`` (columns doc, key,
    labels): tag rates on the gold's no-area and migration units, area precision, recall
    and F1, and how many gold units were not found in ``predictions``."""
    units = _document_units(predictions, document)
    index = pd.MultiIndex.from_arrays([units["source_path"].str.rsplit("/", n=1).str[-1],
                                       units["text"].map(unit_key)])
    gold = gold[gold["doc"].isin(set(index.get_level_values(0)))]  # those documents' gold only
    gold_labels = gold.drop_duplicates(["doc", "key"]).set_index(["doc", "key"])["labels"]
    found = index.isin(gold_labels.index)
    codes = list(area_codes())
    y = label_matrix(gold_labels.loc[index[found]].tolist(), codes).astype(bool)
    pred = _tagged(units[found])
    no_area = ~y.any(axis=1)
    scores = multilabel_scores(y, pred, codes)
    return {
        "units": int(found.sum()),
        "not_found": int((~found).sum()),
        "gold_not_found": int(len(gold_labels) - len(set(index[found]))),
        "no_area_units": int(no_area.sum()),
        "no_area_tagged": _share(pred[no_area].any(axis=1)),
        "no_area_tagged_per_area": {c: _share(pred[no_area, j]) for j, c in enumerate(codes)},
        "migration_units": int((~no_area).sum()),
        "migration_tagged": _share(pred[~no_area].any(axis=1)),
        **{k: scores["summary"][k] for k in ("micro_precision", "micro_recall", "micro_f1")},
        # Areas that the gold or capmap gives to any unit (the rest score 0 on nothing).
        "per_area": {c: scores["per_area"][c] for j, c in enumerate(codes)
                     if y[:, j].any() or pred[:, j].any()},
    }


def main() -> None:
    """Print the rates for one document pattern."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("predictions", type=Path)
    parser.add_argument("--document", required=True, help="substring of the document path")
    parser.add_argument("--gold", type=Path, help="JSONL of doc, key, labels (see above)")
    args = parser.parse_args()
    if args.gold:
        gold = pd.read_json(args.gold, lines=True, dtype={"key": str})
        r = gold_rates(pd.read_parquet(args.predictions), args.document, gold)
        areas = " ".join(f"{a} {v:.3f}" for a, v in r["no_area_tagged_per_area"].items() if v)
        print(f"{r['units']} units scored ({r['not_found']} without a gold label, "
              f"{r['gold_not_found']} gold units not found); {r['no_area_units']} no-area "
              f"units, tagged {r['no_area_tagged']:.3f} ({areas}); {r['migration_units']} "
              f"with an area, tagged {r['migration_tagged']:.3f}; areas: precision "
              f"{r['micro_precision']:.3f} recall {r['micro_recall']:.3f} F1 {r['micro_f1']:.3f}")
        for code, s in r["per_area"].items():
            print(f"  {code}  P {s['precision']:.3f}  R {s['recall']:.3f}  F1 {s['f1']:.3f}  "
                  f"support {s['support']}")
        return
    r = general_law_rates(pd.read_parquet(args.predictions), args.document)
    areas = " ".join(f"{a} {r[f'general_{a}']:.3f}" for a in area_codes() if r[f"general_{a}"])
    print(f"{r['units']} units; {r['general_units']} without migration words, tagged "
          f"{r['general_tagged']:.3f} ({areas}); {r['migration_units']} with them, tagged "
          f"{r['migration_tagged']:.3f}")


if __name__ == "__main__":
    main()
