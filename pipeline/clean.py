"""Small str -> str repairs of extracted text: ligatures, odd spaces, apostrophes, hyphenation."""

from __future__ import annotations

import re
from functools import lru_cache

LIGATURES: dict[str, str] = {
    "\ufb00": "ff",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
    "\ufb05": "st",
    "\ufb06": "st",
}
_LIGATURE_TABLE = str.maketrans(LIGATURES)

# NBSP, narrow NBSP, figure/thin/en/em spaces, ideographic space, tabs -> plain space;
# soft hyphen, zero-width characters and BOM vanish; pdfium marks a line-end hyphen as \x02.
_SPACE_TABLE = str.maketrans(
    {
        c: " "
        for c in "\u00a0\u202f\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u3000\t\f\v"
    }
    | {c: None for c in "\u00ad\u200b\u200c\u200d\u2060\ufeff"}
    | {"\x02": "-", "\r": "\n"}
)

_APOSTROPHE_SPACE = re.compile(
    r"\b([LlDdJjMmNnSsTtCc]|[Qq]u|[Jj]usqu|[Ll]orsqu|[Pp]uisqu)([’'])\s+(?=\w)"
)
_OE_SPLIT = re.compile(r"([œŒ])\s+(uvre|uvr|il|ufs?|sophage|cum[ée]ni)", re.IGNORECASE)
COMMON_WORD_ZIPF = 3.0  # wordfreq's Zipf scale: 3 = once per million words
_LINE_HYPHEN = re.compile(r"(\w+)-[ \t]*\n[ \t]*(\w+)")
_CONJUNCTIONS = frozenset(
    {"en", "and", "or", "et", "ou", "und", "oder", "of", "y", "e", "o", "bzw", "resp"}
)


def replace_ligatures(text: str) -> str:
    """Replace typographic ligature glyphs (ﬁ, ﬂ, ﬀ, ﬃ, ﬄ, ﬅ, ﬆ) by their letters; keep œ."""
    return text.translate(_LIGATURE_TABLE)


# Some fonts map their ligature glyphs to no letters: pdfium then gives a control character
# (\x1b-\x1f) or U+FFFD ("quali\x1fcation", "O\x1ece", "informa\ufffdon"), which a later
# split would read as a space. The letters are guessed from the word lists (U+FFFD also
# stands for a lost accented letter: "d\ufffdveloppement").
_UNMAPPED_GLYPH = re.compile(r"(\w*)[\x1b-\x1f\ufffd](\w*)")
_LOST_LETTERS = ("fi", "fl", "ff", "ffi", "ffl", "ft", "ti", "tt", "st", *"éèêàâçîôûù")


def _restore_ligature(match: re.Match[str]) -> str:
    left, right = match.group(1), match.group(2)
    if not (left or right):
        return " "  # a glyph standing alone is no part of a word
    zipf, letters = max((_zipf(left + lig + right), lig) for lig in _LOST_LETTERS)
    return left + letters + right if zipf > 0 else left + right


def restore_unmapped_ligatures(text: str) -> str:
    """Put back the letters of ligatures a font left unmapped: "quali\x1fcation" ->
    "qualification", "O\x1ece" -> "Office", "d\ufffdcret" -> "décret"; a word the lists
    do not know loses the glyph."""
    return _UNMAPPED_GLYPH.sub(_restore_ligature, text)


def normalize_spaces(text: str) -> str:
    """Turn NBSP and other odd spaces into spaces; drop soft hyphens and zero-width chars."""
    return text.translate(_SPACE_TABLE)


def fix_apostrophe_spacing(text: str) -> str:
    """Remove the space an extraction put after an elided article: "l’ émigration" -> "l’émigration"."""
    return _APOSTROPHE_SPACE.sub(r"\1\2", text)


def fix_oe_spacing(text: str) -> str:
    """Repair "œ uvre" -> "œuvre" (a space inserted after the œ glyph)."""
    return _OE_SPLIT.sub(r"\1\2", text)


def collapse_whitespace(text: str) -> str:
    """Collapse runs of whitespace (line breaks included) into single spaces and strip."""
    return " ".join(text.split())


@lru_cache(maxsize=65536)
def _zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    w = word.lower()
    return max(zipf_frequency(w, "fr"), zipf_frequency(w, "en"))


def is_word(word: str) -> bool:
    """True when ``word`` is known to the French or English word lists of wordfreq."""
    return _zipf(word) > 0


_WORD = re.compile(r"[^\W\d_]{3,}")
KNOWN_WORDS_SAMPLE = 1000  # words looked up per document, evenly spaced


def known_word_share(texts: list[str]) -> float:
    """Share of the words (runs of three or more letters) in ``texts`` that the French or
    English word lists of wordfreq know; NaN when there is no word. Low on a poor OCR
    layer, a font whose encoding maps to the wrong letters, or text in another language."""
    words = [w for text in texts for w in _WORD.findall(text)]
    if not words:
        return float("nan")
    # An even sample measures a long document as well, at a fraction of the lookups.
    words = words[:: max(1, len(words) // KNOWN_WORDS_SAMPLE)]
    return sum(1 for w in words if _zipf(w) > 0) / len(words)


def join_broken_word(left: str, right: str) -> bool:
    """True when the last word of ``left`` and the first word of ``right`` are one common
    word broken without a hyphen ("Externa" / "l"), as narrow table cells break them; two
    words that are each common ("the" / "rein") stay apart."""
    a, b = (left.split() or [""])[-1], (right.split() or [""])[0]
    if not (a.isalpha() and b.isalpha() and b[:1].islower()):
        return False
    return _zipf(a + b) >= COMMON_WORD_ZIPF and min(_zipf(a), _zipf(b)) < COMMON_WORD_ZIPF


def _join_hyphenated(match: re.Match[str]) -> str:
    left, right = match.group(1), match.group(2)
    if right.lower() in _CONJUNCTIONS:
        return f"{left}- {right}"  # "vracht- en personenvervoer": a suspended compound
    if right[:1].isupper() or left.isdigit() or right.isdigit():
        return f"{left}-{right}"  # "Nord-Pas", "2020-2024"
    joined = left + right
    z_joined = _zipf(joined)
    if z_joined <= 0:
        return f"{left}-{right}"
    # A real compound ("well-known", "long-term") is two words whose glued form is rare.
    both_words = len(left) >= 3 and _zipf(left) >= 2.5 and _zipf(right) >= 2.5
    if both_words and z_joined < 3.0:
        return f"{left}-{right}"
    return joined


def dehyphenate(text: str) -> str:
    """Join words broken with a hyphen at a line end when the joined word is a real word."""
    # A match consumes its right part, so a word broken over three lines ("ré-\ninté-\n
    # gration") needs another pass; each pass removes line breaks, so this ends.
    while True:
        fixed = _LINE_HYPHEN.sub(_join_hyphenated, text)
        if fixed == text:
            return fixed
        text = fixed


def clean_text(text: str) -> str:
    """All repairs in order; the input may hold line breaks (needed for dehyphenation)."""
    text = normalize_spaces(restore_unmapped_ligatures(replace_ligatures(text)))
    text = dehyphenate(text)
    text = fix_oe_spacing(fix_apostrophe_spacing(text))
    return collapse_whitespace(text)
