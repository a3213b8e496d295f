"""How often capmap tags articles of a general law that say nothing about migration.

Reads the predictions.parquet of a `capmap run` and, for the documents whose path matches
--document, splits their units into those that mention foreigners, migration or
nationality (a keyword pattern in French and English) and the rest. The rest are, by the
taxonomy's "unrelated laws" rule, expected to carry no area; the share of them that is
tagged is a false-tag rate on general law (an upper bound: a few may concern migration
without any of the keywords).

Usage:
  capmap run ../shared/eval/pdfs -o OUT
  python scripts/measure_general_law.py OUT/predictions.parquet --document code-travail
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from pipeline.taxonomy import area_codes

MIGRATION_WORDS = (
    r"[ée]tranger|foreign|migra|immigr|[ée]migr|nationalit|visa|expatri|refug|r[ée]fugi"
    r"|asyl|asile|pays d'origine|country of origin|rapatri|repatri|non[- ]national|alien"
)


def general_law_rates(predictions: pd.DataFrame, document: str) -> dict[str, float | int]:
    """Unit counts and tagged shares for the matching documents' units with and without
    migration words; ``labels`` is capmap's pipe-joined label column ("" = no area)."""
    units = predictions[predictions["source_path"].str.contains(document, regex=False)]
    mentions = units["text"].str.contains(MIGRATION_WORDS, case=False, regex=True)
    labels = units["labels"].fillna("")
    general = labels[~mentions]
    rates: dict[str, float | int] = {
        "units": int(len(units)),
        "general_units": int(len(general)),
        "general_tagged": float((general != "").mean()) if len(general) else 0.0,
        "migration_units": int(mentions.sum()),
        "migration_tagged": float((labels[mentions] != "").mean()) if mentions.any() else 0.0,
    }
    for area in area_codes():
        rates[f"general_{area}"] = (float(general.str.split("|").map(lambda a, c=area: c in a).mean())
                                    if len(general) else 0.0)
    return rates


def main() -> None:
    """Print the rates for one document pattern."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("predictions", type=Path)
    parser.add_argument("--document", required=True, help="substring of the document path")
    args = parser.parse_args()
    r = general_law_rates(pd.read_parquet(args.predictions), args.document)
    areas = " ".join(f"{a} {r[f'general_{a}']:.3f}" for a in area_codes() if r[f"general_{a}"])
    print(f"{r['units']} units; {r['general_units']} without migration words, tagged "
          f"{r['general_tagged']:.3f} ({areas}); {r['migration_units']} with them, tagged "
          f"{r['migration_tagged']:.3f}")


if __name__ == "__main__":
    main()
