"""How whole the units of an extraction are: paragraphs cut mid-sentence, words cut in two
and words glued together, per input folder.

Usage: python scripts/measure_extraction.py OUT/units.parquet   (or predictions.parquet)
e.g.   capmap extract ../shared/eval/pdfs -o OUT && python scripts/measure_extraction.py OUT/units.parquet

- opening mid-sentence: paragraph and article units whose first letter is lower-case (list
  markers such as "a)" and "o " not counted): a paragraph cut in two by a line, column or
  page rule.
- cut words: neighbouring pieces of which one is rare or unknown (word lists of wordfreq,
  French, English and German) while their join is a common word ("Derz eitige").
- glued words: an unknown word of 6+ letters that splits into two common ones
  ("countryjob").
Prints counts only, never text.
"""

from __future__ import annotations

import re
import sys
from functools import cache
from pathlib import Path

import pandas as pd

COMMON_ZIPF = 3.0  # wordfreq's Zipf scale: 3 = once per million words
_MID_SENTENCE = re.compile(r"^[a-zà-ÿ](?![).]|\s)")
_EDGE_PUNCTUATION = ".,;:()«»\"'’"


@cache
def zipf(word: str) -> float:
    """The word's highest Zipf frequency in French, English and German (0 = unknown)."""
    from wordfreq import zipf_frequency

    return max(zipf_frequency(word, lang) for lang in ("fr", "en", "de"))


def cut_words(text: str) -> int:
    """Neighbouring alphabetic tokens whose join is common while one of them is not."""
    tokens = text.split()
    return sum(
        1 for a, b in zip(tokens, tokens[1:], strict=False)
        if a.isalpha() and b.isalpha() and zipf((a + b).lower()) >= COMMON_ZIPF
        and min(zipf(a.lower()), zipf(b.lower())) < COMMON_ZIPF
    )


def glued_words(text: str) -> int:
    """Unknown tokens of 6+ letters that split into two common words."""
    count = 0
    for token in text.split():
        word = token.strip(_EDGE_PUNCTUATION).lower()
        if len(word) < 6 or not word.isalpha() or zipf(word) > 0:
            continue
        if any(zipf(word[:i]) >= COMMON_ZIPF and zipf(word[i:]) >= COMMON_ZIPF
               for i in range(2, len(word) - 1)):
            count += 1
    return count


def measure(units: pd.DataFrame) -> pd.DataFrame:
    """Per input folder (and "all"): units, body units, share of body units opening
    mid-sentence, cut words, glued words."""
    units = units.assign(folder=units["source_path"].map(lambda p: Path(p).parent.name))
    rows = []
    for folder, part in [("all", units), *units.groupby("folder")]:
        body = part[part["kind"].isin(["paragraph", "article"])]
        rows.append({
            "folder": folder,
            "units": len(part),
            "body_units": len(body),
            "opening_mid_sentence": round(float(body["text"].str.match(_MID_SENTENCE).mean()), 4)
            if len(body) else 0.0,
            "cut_words": int(part["text"].map(cut_words).sum()),
            "glued_words": int(part["text"].map(glued_words).sum()),
        })
    return pd.DataFrame(rows)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    print(measure(pd.read_parquet(sys.argv[1])).to_string(index=False))
