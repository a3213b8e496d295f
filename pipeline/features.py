"""Text normalisation used inside the saved scikit-learn Pipeline (must stay importable:
the saved model refers to these functions by name)."""

from __future__ import annotations

import re
import unicodedata

_DIGITS = re.compile(r"\d+")
_APOSTROPHES = re.compile(r"[’‘`´]")
_SPACES = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """Lowercase, strip accents, map digits to 0 and unify apostrophes.

    Accents are stripped so that "réfugié"/"refugie" and OCR or encoding variants meet;
    digits are folded so article numbers do not become features.
    """
    text = _APOSTROPHES.sub("'", text.lower())
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _DIGITS.sub("0", text)
    return _SPACES.sub(" ", text).strip()
