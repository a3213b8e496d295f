"""How many labelled units of a gold file would lose their area by being read as headings
once their final punctuation is stripped (the risk of ``segment.lone_text_kind``).

    python scripts/measure_lone_headings.py corpus/checks/short_units.jsonl [...]

Prints counts only, never unit text.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd

from pipeline.annotations import read_annotations
from pipeline.segment import lone_text_kind

MAX_WORDS = 20  # lone_text_kind never reads a longer unprefixed line as a heading
_FINAL_PUNCTUATION = re.compile(r"[\s.;:,!?]+$")


def measure(paths: list[str]) -> tuple[int, int]:
    """(labelled units of at most MAX_WORDS words, those read as headings once stripped)."""
    units = pd.concat([read_annotations(Path(path)) for path in paths], ignore_index=True)
    labelled = [text for text, labels in zip(units["text"], units["labels"], strict=True)
                if labels and len(text.split()) <= MAX_WORDS]
    headings = sum(lone_text_kind(_FINAL_PUNCTUATION.sub("", t)) == "heading" for t in labelled)
    return len(labelled), headings


def main(argv: list[str]) -> None:
    labelled, headings = measure(argv)
    share = headings / labelled if labelled else 0.0
    print(f"{labelled} labelled units of <= {MAX_WORDS} words; without their final "
          f"punctuation {headings} ({share:.0%}) read as headings and would get no area")


if __name__ == "__main__":
    main(sys.argv[1:])
