"""Text normalisation used inside the saved scikit-learn Pipeline (must stay importable:
the saved model refers to these functions by name)."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from importlib.resources import files

_DIGITS = re.compile(r"\d+")
_APOSTROPHES = re.compile(r"[’‘`´]")
_SPACES = re.compile(r"\s+")
TOKEN_PATTERN = r"(?u)\b[^\W\d_]{2,}\b"
_TOKEN = re.compile(TOKEN_PATTERN)
ACRONYMS_FILE = "acronyms.json"


@lru_cache(maxsize=1)
def _acronyms_bytes() -> bytes:  # read once: every model load checks the list's hash
    return files("pipeline").joinpath("data", ACRONYMS_FILE).read_bytes()


@lru_cache(maxsize=1)
def acronyms() -> dict[str, str]:
    """Acronym -> expansion, French and English together (``pipeline/data/acronyms.json``)."""
    table = json.loads(_acronyms_bytes())
    return {**table["en"], **table["fr"]}


def acronyms_sha256() -> str:
    """Hash of the acronym list: the model card records it, since the list shapes the
    features a model was trained on."""
    return hashlib.sha256(_acronyms_bytes()).hexdigest()


@lru_cache(maxsize=1)
def _acronym_pattern() -> re.Pattern[str]:
    # Case-sensitive and whole-word ("TB", "IDPs"), so "tb" or "Tub" never match; longest
    # first so "AVRR" is not read as "AVR".
    names = sorted(acronyms(), key=len, reverse=True)
    return re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, names)) + r")(s?)(?![\w-])")


def expand_acronyms(text: str) -> str:
    """Write each known acronym's expansion after it: "a valid TB certificate" ->
    "a valid TB (tuberculosis) certificate". The expansion carries the topic words the
    training units use, which the acronym alone rarely does."""
    table = acronyms()
    return _acronym_pattern().sub(
        lambda m: f"{m.group(1)}{m.group(2)} ({table[m.group(1)]})", text)


@lru_cache(maxsize=1)
def _combining_marks() -> dict[int, None]:
    """A str.translate table deleting every combining mark (what ``unicodedata.combining``
    flags): one C-level pass instead of a Python test per character."""
    return dict.fromkeys(c for c in range(0x110000) if unicodedata.combining(chr(c)))


def normalise_text(text: str) -> str:
    """Expand topic acronyms, lowercase, strip accents, map digits to 0 and unify
    apostrophes.

    Accents are stripped so that "réfugié"/"refugie" and OCR or encoding variants meet;
    digits are folded so article numbers do not become features.
    """
    text = _APOSTROPHES.sub("'", expand_acronyms(text).lower())
    text = unicodedata.normalize("NFKD", text).translate(_combining_marks())
    text = _DIGITS.sub("0", text)
    return _SPACES.sub(" ", text).strip()


@lru_cache(maxsize=1)
def stop_words() -> tuple[str, ...]:
    """French and English function words, normalised like the text they are matched to.

    Kept out of the word features so that explanations name content words ("visa",
    "expulsion"), not "the" or "les"; character n-grams still see them.
    """
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
    from spacy.lang.fr.stop_words import STOP_WORDS as FRENCH_STOP_WORDS

    # Split like the word vectorizer's tokens do, so "quelqu'un" stops "quelqu" and "un".
    words = {tok for w in (*ENGLISH_STOP_WORDS, *FRENCH_STOP_WORDS)
             for tok in _TOKEN.findall(normalise_text(w))}
    return tuple(sorted(words))


def word_counts(texts):
    """Length of each text in whitespace-separated words (a numpy int array)."""
    import numpy as np

    return np.fromiter((len(str(t).split()) for t in texts), dtype=np.int64)


def length_bins(texts, edges: Sequence[int]):
    """One-hot bin of each text's length in words (bins split at ``edges``), as a sparse
    matrix: lets the model learn that headings, table cells and page furniture (short)
    carry no area, which n-grams alone cannot tell."""
    import numpy as np
    from scipy.sparse import csr_matrix

    words = word_counts(texts)
    bins = np.searchsorted(np.asarray(edges), words, side="left")
    rows = np.arange(len(words))
    return csr_matrix((np.ones(len(words)), (rows, bins)), shape=(len(words), len(edges) + 1))
