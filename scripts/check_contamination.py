"""Flag training annotations that share long word sequences with an evaluation file.

Training on (paraphrases of) the evaluation units would inflate every score we report,
so any annotation sharing an 8-word sequence with a gold unit is listed for rewriting.
Prints only ids and the overlap size, never the evaluation text.

Usage: python scripts/check_contamination.py corpus/annotations ../shared/eval/dev.jsonl [N]
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from pipeline.annotations import read_annotations
from pipeline.features import normalise_text

WORD = re.compile(r"[^\W\d_]+")


def shingles(text: str, n: int) -> set[tuple[str, ...]]:
    """All n-word sequences of the normalised text."""
    words = WORD.findall(normalise_text(text))
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def contaminated(annotations: Path, gold: Path, n: int = 8) -> list[tuple[str, str, int]]:
    """(annotation id, gold id, shared n-grams) for every pair sharing at least one n-gram."""
    gold_frame = read_annotations(gold)
    index: dict[tuple[str, ...], str] = {}
    for row in gold_frame.itertuples():
        for sh in shingles(row.text, n):
            index.setdefault(sh, row.id)
    hits = []
    for row in read_annotations(annotations).itertuples():
        shared: dict[str, int] = {}
        for sh in shingles(row.text, n):
            if sh in index:
                shared[index[sh]] = shared.get(index[sh], 0) + 1
        hits += [(row.id, gid, k) for gid, k in shared.items()]
    return sorted(hits)


if __name__ == "__main__":
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 8
    found = contaminated(Path(sys.argv[1]), Path(sys.argv[2]), n)
    for ann_id, gold_id, k in found:
        print(f"{ann_id}\tshares {k} {n}-gram(s) with {gold_id}")
    print(f"{len({a for a, _, _ in found})} annotation(s) overlap the gold file")
    sys.exit(1 if found else 0)
