"""Turn paragraphs 5-15 of the seed working document into training annotations.

The seed document (../shared/seed/) gives, for each area A-I, the authors' own example
paragraphs. This script cuts them out, repairs the damage of the earlier extraction
(spaces after apostrophes, "œ uvre", footnote text inside paragraph 8) and writes
corpus/annotations/seed.jsonl with each paragraph's section label.

Usage: python scripts/seed_annotations.py [SEED_DIR] [OUT_FILE]
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from pipeline.clean import clean_text

# Paragraph number -> section of the seed document it stands under.
SECTION_OF_PARAGRAPH = {5: "A", 6: "A", 7: "B", 8: "B", 9: "C", 10: "D", 11: "E",
                        12: "F", 13: "G", 14: "H", 15: "I"}
FOOTNOTE_BLOCK = re.compile(r"\n\s*\n1 Convention des Nations Unies.*?2004\.\)\n", re.S)
SECTION_HEADING = re.compile(r"\n\s*[A-I]\. [^\n]*(?:\n(?!\d+\.)[^\n]+)*\n", re.M)


def seed_paragraphs(text: str) -> dict[int, str]:
    """Return {paragraph number: cleaned text} for the numbered paragraphs of the seed."""
    text = FOOTNOTE_BLOCK.sub("\n", text)
    text = SECTION_HEADING.sub("\n\n", text)
    parts = re.split(r"\n\s*(\d{1,2})\.\s+", "\n" + text)
    paragraphs = {}
    for number, body in zip(parts[1::2], parts[2::2], strict=True):
        body = re.sub(r"humains1\b", "humains", body)  # footnote call in paragraph 7
        paragraphs[int(number)] = clean_text(body)
    return paragraphs


def main(seed_dir: Path, out_file: Path) -> None:
    """Write the seed annotations file."""
    text = "\n".join(p.read_text("utf-8") for p in sorted(seed_dir.glob("*.txt")))
    paragraphs = seed_paragraphs(text)
    with out_file.open("w", encoding="utf-8") as fh:
        for number, area in SECTION_OF_PARAGRAPH.items():
            row = {"id": f"seed-fr-{number:04d}", "lang": "fr", "text": paragraphs[number],
                   "labels": [area], "source": "seed",
                   "note": f"seed paragraph {number}, section {area}"}
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(SECTION_OF_PARAGRAPH)} seed paragraphs to {out_file}")


if __name__ == "__main__":
    args = sys.argv[1:]
    seed = Path(args[0]) if args else Path(__file__).resolve().parents[1].parent / "shared" / "seed"
    out = Path(args[1]) if len(args) > 1 else Path("corpus/annotations/seed.jsonl")
    main(seed, out)
