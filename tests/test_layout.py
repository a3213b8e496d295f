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


def test_a_centred_line_that_goes_on_with_an_unfinished_sentence_stays_in_its_paragraph():
    rows = [
        (LEFT, "General requirements for every applicant: a valid passport, proof of", RIGHT),
        (190.0, "sufficient means of support and no ground for expulsion.", 400.0),
        (190.0, "Further details are given by the competent mission abroad.", 400.0),
    ]
    # The second line is set further in only because it is centred; the third opens a
    # sentence after one that ended, and its indent still marks a new paragraph.
    assert _texts(rows) == [
        "General requirements for every applicant: a valid passport, proof of "
        "sufficient means of support and no ground for expulsion.",
        "Further details are given by the competent mission abroad.",
    ]


def _body_page(number: int, body: list[str], top: str = "", bottom: str = "") -> Page:
    """A page of body lines, with an optional line in its top and bottom margins."""
    lines = [Line(t, LEFT, RIGHT, 200 + i * STEP, 200 + i * STEP + SIZE, SIZE)
             for i, t in enumerate(body)]
    if top:
        lines.insert(0, Line(top, LEFT, 300.0, 30.0, 30.0 + SIZE, SIZE))
    if bottom:
        lines.append(Line(bottom, 480.0, RIGHT, 800.0, 800.0 + SIZE, SIZE))
    return Page(number, 595.0, 842.0, lines)


def test_an_annex_running_title_and_footer_are_removed_though_the_annex_is_short():
    # 6 annex pages of 20 (30%, under header_footer_min_share): their own running title
    # and "N | P a g e" footer repeat on every page from the annex's first to its last.
    pages = [_body_page(n, [f"Body paragraph of page {n} ends here."]) for n in range(1, 15)]
    pages += [
        _body_page(n, [f"Annex paragraph of page {n} ends here."],
                   top="Annex II: Final evaluation of the joint initiative",
                   bottom=f"{n} | P a g e")
        for n in range(15, 21)
    ]
    texts = [b.text for b in build_blocks(pages)]
    assert len(texts) == 20
    assert not any("P a g e" in t or "Annex II" in t for t in texts)


def test_an_article_opening_some_pages_is_not_taken_for_a_running_title():
    # "Article N" at the top of every other page of pages 2-10 of 15: 5 pages, but 33% of
    # the document and 56% of the pages from its first to its last.
    pages = [
        _body_page(n, [f"Provision text of page {n} ends here."],
                   top=f"Article {n}" if n % 2 == 0 and n <= 10 else "")
        for n in range(1, 16)
    ]
    texts = [b.text for b in build_blocks(pages)]
    opening = [t.split("\n")[0] for t in texts if t.startswith("Article")]
    assert opening == [f"Article {n}" for n in range(2, 11, 2)]


def test_a_page_number_above_the_bottom_band_does_not_enter_a_paragraph():
    # A LaTeX article's page number sits at 83% of the page height, outside the band
    # searched for running footers; a sentence running on to the next page passed over it.
    first = _page([(LEFT, "The consulate examines every application for a visa and", RIGHT),
                   (LEFT, "gives its reasons in writing when it refuses one; the", RIGHT)])
    first.lines.append(Line("1", 296.0, 301.0, 700.0, 707.0, SIZE))
    second = _page([(LEFT, "applicant may ask for a review within one month.", 330.0)])
    second.number = 2
    second.lines.append(Line("2", 296.0, 301.0, 700.0, 707.0, SIZE))
    texts = [b.text.replace("\n", " ") for b in build_blocks([first, second])]
    assert texts == ["The consulate examines every application for a visa and gives its "
                     "reasons in writing when it refuses one; the applicant may ask for a "
                     "review within one month."]


def test_a_number_closing_a_table_row_is_not_taken_for_a_page_number():
    # the last line holds a number, but beside other cells of its row: not page furniture
    page = _page([(LEFT, "Permits issued in 2024, by type", RIGHT)])
    page.lines += [Line("Work permits", LEFT, 140.0, 160.0, 170.0, SIZE),
                   Line("1204", 400.0, 420.0, 160.0, 170.0, SIZE)]
    texts = " ".join(b.text for b in build_blocks([page]))
    assert "1204" in texts
