"""Text normalisation inside the model: acronym expansion, folding, length bins."""

from __future__ import annotations

import hashlib
import json

from pipeline.features import (
    ACRONYMS_FILE,
    acronyms,
    acronyms_sha256,
    expand_acronyms,
    normalise_text,
)


def test_a_topic_acronym_gets_its_expansion_after_it():
    assert expand_acronyms("A valid TB certificate is required.") == (
        "A valid TB (tuberculosis) certificate is required.")
    assert expand_acronyms("Les IDPs et l'OQTF") == (
        "Les IDPs (internally displaced persons) et l'OQTF "
        "(obligation de quitter le territoire français)")


def test_acronyms_match_whole_words_in_capitals_only():
    # Lower case, inside a longer word or a longer acronym: left alone.
    for text in ("the tb ward", "NTB rules", "TBA", "AMENDMENT", "VLS-TSX", "X-TB"):
        assert expand_acronyms(text) == text
    # The longest name wins: AVRR is not read as AVR followed by "R".
    assert expand_acronyms("AVRR") == "AVRR (assisted voluntary return and reintegration)"
    assert expand_acronyms("a VLS-TS.") == "a VLS-TS (visa de long séjour valant titre de séjour)."


def test_normalised_text_carries_the_expansion_folded_like_the_rest():
    assert normalise_text("Un MNA de 15 ans") == "un mna (mineurs non accompagnes) de 0 ans"


def test_the_acronym_list_names_topics_and_its_hash_is_stable():
    from importlib.resources import files

    table = json.loads(files("pipeline").joinpath("data", ACRONYMS_FILE).read_bytes())
    assert set(table) == {"about", "en", "fr"}
    assert acronyms()["TB"] == "tuberculosis" and acronyms()["OQTF"].startswith("obligation")
    # Organisations are left out on purpose (naming an office is not addressing an area).
    assert not {"OFII", "OFPRA", "IOM", "UNHCR"} & set(acronyms())
    raw = files("pipeline").joinpath("data", ACRONYMS_FILE).read_bytes()
    assert acronyms_sha256() == hashlib.sha256(raw).hexdigest()
