"""Paragraph blocks from lines: list items with hanging indents, bullets as PDFs carry them."""

from __future__ import annotations

from pipeline.engines import Line, Page
from pipeline.layout import build_blocks

LEFT, RIGHT, SIZE, STEP = 72.0, 520.0, 10.0, 12.0


def _page(rows: list[tuple[float, str, float]]) -> Page:
    """One page from (x0, text, x1) rows, one line each, evenly spaced like body text."""
    lines = [Line(text, x0, x1, 100 + i * STEP, 100 + i * STEP + SIZE, SIZE)
             for i, (x0, text, x1) in enumerate(rows)]
    return Page(1, 595.0, 842.0, lines)


def _texts(rows: list[tuple[float, str, float]]) -> list[str]:
    return [b.text.replace("\n", " ") for b in build_blocks([_page(rows)])]


def test_wrapped_list_items_stay_whole_and_indented_paragraphs_still_split():
    rows = [
        (LEFT, "The evaluation will in particular assess the following points of the", RIGHT),
        (LEFT, "project as a whole and of each of its components:", 330.0),
        (LEFT, "➢ whether the border committees met as planned and whether their", RIGHT),
        (LEFT + 14, "decisions were carried out by both administrations;", 380.0),
        (LEFT, "\uf0b7 how the returnees were referred to the local services and what", RIGHT),
        (LEFT + 14, "support they received in the first months after their", RIGHT),
        (LEFT + 14, "arrival;", 130.0),
        (LEFT, "o one sub-item on its own line;", 260.0),
        (LEFT, "The last paragraph of this page runs across the whole width of the page.", RIGHT),
        (LEFT + 18, "An indented first line opens a new paragraph after body text.", 480.0),
    ]
    assert _texts(rows) == [
        "The evaluation will in particular assess the following points of the "
        "project as a whole and of each of its components:",
        "➢ whether the border committees met as planned and whether their "
        "decisions were carried out by both administrations;",
        "\uf0b7 how the returnees were referred to the local services and what "
        "support they received in the first months after their arrival;",
        "o one sub-item on its own line;",
        "The last paragraph of this page runs across the whole width of the page.",
        "An indented first line opens a new paragraph after body text.",
    ]


def test_a_line_opening_with_a_dash_and_no_space_is_not_a_list_item():
    rows = [
        (LEFT, "Applicants in the pilot regions receive a card valid for the", RIGHT),
        (LEFT, "-based schemes described in the annex, and for one year.", 400.0),
    ]
    assert len(_texts(rows)) == 1
