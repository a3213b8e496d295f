"""Units from blocks: article references, heading paths, sentence splits, language."""

from __future__ import annotations

import re

import pytest

from pipeline.layout import Block
from pipeline.segment import (
    ARTICLE_REF,
    NUMBERED_PARA,
    detect_lang,
    lone_text_kind,
    segment_blocks,
    split_long,
)


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("Article L. 313-11 La carte de séjour", "Article L. 313-11"),
        ("Article R.611-3 Le fichier", "Article R.611-3"),
        ("Art. 5 Les étrangers", "Art. 5"),
        ("Article premier Le présent code", "Article premier"),
        ("Article 1er Tout étranger", "Article 1er"),
        ("Section 18b Skilled workers", "Section 18b"),
        ("§ 1182 Die Behörde", "§ 1182"),
        ("Article L.287. Sont abrogées", "Article L.287"),
    ],
)
def test_article_ref(text, ref):
    m = ARTICLE_REF.match(text)
    assert m and m.group("ref").strip() == ref


def test_uk_paragraph_number():
    assert NUMBERED_PARA.match("9.3.1. The applicant must").group("ref") == "9.3.1."


def _b(text, role="body", page=1, size=10.0):
    return Block(text, role, page, page, size)


def test_heading_paths_and_articles():
    blocks = [
        _b("TITRE II : DU SÉJOUR", "heading", size=14),
        _b("Chapitre 3 : Le travail", "heading", size=12),
        _b("Article 1er"),
        _b(
            "Le travailleur étranger doit détenir une autorisation de travail délivrée par l’autorité."
        ),
        _b("Cette autorisation est renouvelable."),
        _b("Article 2"),
        _b("L’employeur vérifie l’existence du titre auprès de la préfecture du lieu d’emploi."),
        _b("Chapitre 4 : La santé", "heading", size=12),
        _b("Article 3 Tout étranger bénéficie de l’aide médicale d’urgence sur le territoire."),
    ]
    units = segment_blocks(blocks, "d" * 16, "x.pdf")
    kinds = [u["kind"] for u in units]
    assert kinds == ["heading", "heading", "article", "article", "heading", "article"]
    assert units[2]["article_ref"] == "Article 1er"
    assert "renouvelable" in units[2]["text"]
    assert units[3]["heading_path"] == "TITRE II : DU SÉJOUR > Chapitre 3 : Le travail"
    assert units[5]["heading_path"] == "TITRE II : DU SÉJOUR > Chapitre 4 : La santé"
    assert [u["unit_id"] for u in units] == [f"{'d' * 16}-{i:05d}" for i in range(6)]
    assert {u["lang"] for u in units} == {"fr"}


@pytest.mark.parametrize(
    ("blocks", "kinds", "heading_path_at"),
    [
        pytest.param(  # a bulleted line in a large font is a list item, not a heading
            [
                _b("MAKE AN APPOINTMENT AT THE EMBASSY", "heading", size=14),
                _b("▫ Prepare the required documents: e.g. employment contract, passport",
                   "heading", size=14),
                _b("o If necessary, a birth certificate for the registration office", "heading",
                   size=14),
                _b("Appointments can often be booked online."),
            ],
            ["heading", "paragraph", "paragraph", "paragraph"],
            (3, "MAKE AN APPOINTMENT AT THE EMBASSY"),
            id="bulleted-line",
        ),
        pytest.param(  # two sentences in a large font are a lead paragraph, not a heading
            [
                _b("Seasonal Work in the Region", "heading", size=14),
                _b("Farms in the region hire many seasonal workers every summer. New rules make "
                   "their permits quicker to obtain", "heading", size=14),
                _b("Visa procedure for applicants subject to the visa requirement. General",
                   "heading", size=12),
                _b("Applications are filed at the consulate."),
            ],
            ["heading", "paragraph", "heading", "paragraph"],
            (1, "Seasonal Work in the Region"),
            id="lead-paragraph",
        ),
    ],
)
def test_large_font_lines_that_are_not_headings(blocks, kinds, heading_path_at):
    units = segment_blocks(blocks, "d" * 16, "x.pdf")
    assert [u["kind"] for u in units] == kinds
    index, path = heading_path_at
    assert units[index]["heading_path"] == path


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Requirements for leave to remain as a seasonal worker", "heading"),
        ("Chapitre 3 : L'éloignement des étrangers", "heading"),
        ("Article 12", "heading"),
        ("Article 5 - Le visa est délivré par le consulat", "article"),
        ("Le visa est délivré par le consulat.", "paragraph"),
        ("Section 12 - Carriers shall transmit passenger data before departure.", "paragraph"),
        ("▫ valid passport and visa", "paragraph"),  # a list item, whatever its punctuation
        (" ".join(["the applicant must hold a valid work permit"] * 3), "paragraph"),  # 24 words
        # Clauses that lost their final punctuation are not titles.
        ("(b) the applicant was born in the United Kingdom; or", "paragraph"),
        ("a) être titulaire d'un passeport en cours de validité", "paragraph"),
        ("1° L'étranger condamné pour aide à l'entrée irrégulière", "paragraph"),
        ("Le titre de séjour est délivré au conjoint du réfugié", "paragraph"),
        ("The sponsor must hold a valid licence", "paragraph"),
        ("the requirements of the family route", "paragraph"),  # a line that goes on
        ("Family members of refugees and", "paragraph"),
        ("1. Introduction", "heading"),
        ("Refugee status and subsidiary protection", "heading"),
    ],
)
def test_a_lone_text_is_read_as_a_heading_or_a_paragraph(text, kind):
    assert lone_text_kind(text) == kind


def test_a_numbered_provision_ending_with_a_full_stop_is_not_a_section_heading():
    blocks = [
        _b("Article 1 - This Act governs the entry and stay of foreign nationals."),
        _b("Article 2 - Visas are issued by the consulates."),
        _b("Section 3 - Carriers shall transmit passenger data before departure."),
        _b("Section 4 Border checks", "heading", size=12),
    ]
    units = segment_blocks(blocks, "d" * 16, "x.pdf")
    assert [u["kind"] for u in units] == ["article", "article", "article", "heading"]
    assert units[2]["article_ref"] == "Section 3"


def test_table_of_contents_entries_are_not_headings():
    blocks = [
        _b("Contents", "heading", size=14),
        _b("2.1. Context and design of the programme ............................ 12", "heading",
           size=12),
        _b("2.2. External factors . . . . . . . . 15", "heading", size=12),
        _b("1. Introduction", "heading", size=12),
        _b("The programme started in 2019 in four provinces."),
    ]
    units = segment_blocks(blocks, "d" * 16, "x.pdf")
    assert [u["kind"] for u in units] == ["heading", "paragraph", "paragraph", "heading",
                                          "paragraph"]
    assert units[4]["heading_path"] == "1. Introduction"


def test_long_unit_split_at_sentences():
    sent = "Les autorités examinent chaque demande de titre de séjour avec attention."
    text = " ".join([sent] * 40)
    (chunks,) = split_long([text], ["fr"], 50)
    assert len(chunks) > 1
    assert all(len(c.split()) <= 50 for c in chunks)
    assert all(c.endswith(".") for c in chunks)
    assert " ".join(chunks) == text
    (en,) = split_long(["The officer checks the visa. " * 30], ["en"], 40)
    assert len(en) > 1


# A list of items inside an article: both sentence splitters end a "sentence" after each
# item's number ("… ; 2.") and the French one also cuts "L'employeur | est tenu".
_LIST_ARTICLES = {
    "fr": "Ne sont pas compris dans le salaire, sans que cette énumération soit limitative : "
          "1. les primes d'ancienneté, d'assiduité et de rendement ; 2. les indemnités pour "
          "frais professionnels et assimilés ; 3. les primes de panier. L'employeur est tenu "
          "de ventiler le salaire et les accessoires du salaire sur le bulletin de paie, "
          "comme le prévoit l'article 12. Le bulletin est conservé cinq ans.",
    "en": "The following sums are not part of the wage, without this list being exhaustive: "
          "1. bonuses for seniority, attendance and output; 2. allowances for professional "
          "costs and travel; 3. meal allowances. The employer shall keep a record of them, "
          "as required by Article 12. The record is kept for five years.",
}


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("max_words", [20, 25, 30])
def test_long_unit_is_cut_where_a_sentence_or_item_starts(lang, max_words):
    text = _LIST_ARTICLES[lang]
    (chunks,) = split_long([text], [lang], max_words)
    assert len(chunks) > 1
    assert " ".join(chunks) == text
    # A chunk over max_words is one that has no place to cut: one sentence in truth
    assert all(len(c.split()) <= max_words or not re.search(r"[.;:] [A-Z0-9]", c)
               for c in chunks), chunks
    assert not [c for c in chunks if c[:1].islower()], chunks  # no unit opens mid-sentence
    assert not [c for c in chunks if re.search(r"[;:]\s*\d[.]$", c)], chunks  # nor "; 2." at its end
    assert not [c for c in chunks if c.startswith("12.")], chunks  # "article 12." is no item


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("L’étranger qui sollicite l’asile est admis sur le territoire.", "fr"),
        ("Les travailleurs saisonniers ont droit à un logement décent.", "fr"),
        ("The applicant must hold a valid passport and a visa.", "en"),
        ("Employers shall pay the travel costs of seasonal workers.", "en"),
        ("12.3", "other"),
        ("Вид на жительство выдаётся на пять лет.", "other"),
    ],
)
def test_detect_lang(text, lang):
    assert detect_lang(text) == lang
