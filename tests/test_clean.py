"""Table tests for the str -> str repairs of pipeline.clean, plus properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import clean


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ﬁnancement", "financement"),
        ("ﬂux", "flux"),
        ("eﬀet", "effet"),
        ("eﬃcace", "efficace"),
        ("ﬄ", "ffl"),
        ("ﬅ ﬆ", "st st"),
        ("œuvre", "œuvre"),
    ],
)
def test_replace_ligatures(text, expected):
    assert clean.replace_ligatures(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("quali\x1fcation:", "qualification:"),  # fonts of real guides leave fi unmapped
        ("O\x1ece", "Office"),
        ("o\x1der", "offer"),
        ("Book \x1fight", "Book flight"),
        ("informa\ufffdon", "information"),
        ("d\ufffdcret", "décret"),  # U+FFFD for a lost accented letter
        ("xq\x1fzk", "xqzk"),  # no known word: the glyph goes, the word stays one
        ("a \x1f b", "a   b"),  # a glyph standing alone is no part of a word
    ],
)
def test_restore_unmapped_ligatures(text, expected):
    assert clean.restore_unmapped_ligatures(text) == expected


def test_clean_text_keeps_a_word_with_an_unmapped_ligature_whole():
    assert clean.clean_text("proof of the quali\x1fcation,\nvisa") == "proof of the qualification, visa"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a\u00a0b", "a b"),
        ("a\u202fb", "a b"),
        ("ma\u00adnière", "manière"),
        ("a\u200bb", "ab"),
        ("adip\x02", "adip-"),
    ],
)
def test_normalize_spaces(text, expected):
    assert clean.normalize_spaces(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("l’ émigration", "l’émigration"),
        ("d' origine", "d'origine"),
        ("qu’ il", "qu’il"),
        ("jusqu’ à", "jusqu’à"),
        ("workers' rights", "workers' rights"),
        ("L' Etat", "L'Etat"),
    ],
)
def test_fix_apostrophe_spacing(text, expected):
    assert clean.fix_apostrophe_spacing(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("œ uvre", "œuvre"), ("main-d’œ uvre", "main-d’œuvre"), ("œ uvrer", "œuvrer"), ("œil", "œil")],
)
def test_fix_oe_spacing(text, expected):
    assert clean.fix_oe_spacing(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("émi-\ngration", "émigration"),
        ("poli-\ncy", "policy"),
        ("ré-\nintégration", "réintégration"),
        ("main-\nd’œuvre", "main-d’œuvre"),
        ("well-\nknown", "well-known"),
        ("long-\nterm", "long-term"),
        ("Nord-\nPas-de-Calais", "Nord-Pas-de-Calais"),
        ("vracht-\nen personenvervoer", "vracht- en personenvervoer"),
        ("2020-\n2024", "2020-2024"),
        ("xqzv-\nplorb", "xqzv-plorb"),
        ("no hyphen\nhere", "no hyphen\nhere"),
        ("ré-\ninté-\ngration", "ré-intégration"),  # a chain of breaks: found by hypothesis
    ],
)
def test_dehyphenate(text, expected):
    assert clean.dehyphenate(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("  a \n\t b  ", "a b"), ("l’ émi-\ngration des ﬁlles", "l’émigration des filles")],
)
def test_clean_text(text, expected):
    assert clean.clean_text(text) == expected


_TEXT = st.lists(
    st.sampled_from(list("abcdeéèœ’' -\n\u00a0ﬁ") + ["l’ ", "d' ", "œ uvre", "émi-\ngration"]),
    max_size=30,
).map("".join)


def _letters(s: str) -> str:
    return "".join(c for c in clean.replace_ligatures(s) if c.isalpha())


@given(_TEXT)
def test_clean_never_loses_letters(text):
    assert _letters(clean.clean_text(text)) == _letters(text)


@given(_TEXT)
def test_clean_is_idempotent(text):
    once = clean.clean_text(text)
    assert clean.clean_text(once) == once


# --- properties of each repair (issue 7): no letter lost, idempotent, no two words joined ---

REPAIRS = [
    clean.replace_ligatures,
    clean.normalize_spaces,
    clean.fix_apostrophe_spacing,
    clean.fix_oe_spacing,
    clean.dehyphenate,
    clean.restore_unmapped_ligatures,
    clean.clean_text,
]
_PIECES = st.lists(
    st.sampled_from(
        [*"abcdeéèœ’'- \n\t\u00a0\u202f\u00adﬁﬂLlDd", "qu", "-\n", "tion", "immi", "gra", "pro"]
    ),
    max_size=30,
).map("".join)


def _words() -> list[str]:
    from wordfreq import top_n_list

    return sorted({w for lang in ("fr", "en") for w in top_n_list(lang, 1500) if w.isalpha()})


@pytest.mark.parametrize("repair", REPAIRS, ids=lambda f: f.__name__)
@settings(deadline=None)  # the first dehyphenation loads wordfreq's lists
@given(text=_PIECES)
def test_each_repair_keeps_letters_and_is_idempotent(repair, text):
    once = repair(text)
    assert _letters(once) == _letters(text)
    assert repair(once) == once


@settings(deadline=None)
@given(
    st.sampled_from(_words()),
    st.sampled_from([" ", "  ", "\n", " \n ", "\t", "\u00a0", "\u202f", "- ", " - "]),
    st.sampled_from(_words()),
)
def test_clean_never_joins_two_words_separated_by_a_space(left, sep, right):
    words = [_letters(t) for t in clean.clean_text(left + sep + right).split()]
    assert [w for w in words if w] == [left, right]


def test_known_word_share_tells_text_from_noise():
    from pipeline.clean import known_word_share

    assert known_word_share(["Le titre de séjour est délivré par le préfet.",
                             "The permit is renewed every year."]) == 1.0
    # a broken font encoding gives letters that make no words
    assert known_word_share(["3HQČåQtSURVWĜHGN QD~þWHFK Ctreik-Lr DI-A:aE"]) < 0.5
    assert known_word_share(["4 5 6", ""]) != known_word_share(["4 5 6", ""])  # NaN: no word
