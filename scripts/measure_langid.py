"""Accuracy of capmap's per-unit language detection on a gold JSONL file with a `lang` field.

Usage: python scripts/measure_langid.py [../shared/eval/dev.jsonl]
Reads the file only to measure; prints accuracy and the confusion counts (no text).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from pipeline.segment import detect_lang  # noqa: E402


def main(path: Path) -> None:
    """Print accuracy of detect_lang against the file's `lang` labels."""
    pairs = Counter()
    for line in path.read_text("utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            pairs[(row["lang"], detect_lang(row["text"]))] += 1
    total = sum(pairs.values())
    right = sum(n for (gold, pred), n in pairs.items() if gold == pred)
    print(f"units: {total}  accuracy: {right / total:.4f}")
    for (gold, pred), n in sorted(pairs.items()):
        print(f"  gold={gold} predicted={pred}: {n}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/eval/dev.jsonl"))
