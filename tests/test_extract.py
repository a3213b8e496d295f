"""Extraction against the golden source text of the sample corpus."""

from __future__ import annotations

import difflib
from pathlib import Path

import pandas as pd
import pytest
from conftest import SAMPLES, golden

from pipeline.clean import clean_text
from pipeline.extract import extract_file, extract_file_isolated, extract_paths
from pipeline.params import ExtractParams
from pipeline.schema import MANIFEST_COLUMNS, UNIT_COLUMNS

PDFS = sorted(SAMPLES.glob("*.pdf"))
BODY_KINDS = ("paragraph", "article", "heading")


def word_accuracy(extracted: str, truth: str) -> float:
    """Share of the truth's words found in order in the extracted text."""
    a, b = extracted.split(), truth.split()
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    return matched / max(1, max(len(a), len(b)))


def _doc_units(units: pd.DataFrame, pdf: Path) -> pd.DataFrame:
    return units[units["source_path"].str.endswith(pdf.name)]


@pytest.mark.parametrize("pdf", PDFS, ids=lambda p: p.stem)
def test_body_text_matches_golden(sample_run, pdf):
    _, units, _ = sample_run
    g = golden(pdf.stem)
    if g["image_only"]:
        pytest.skip("no text layer")
    doc = _doc_units(units, pdf)
    body = " ".join(doc[doc["kind"].isin(BODY_KINDS)]["text"])
    truth = " ".join(clean_text(t) for t in g["body"])
    assert word_accuracy(body, truth) >= 0.98


@pytest.mark.parametrize("pdf", PDFS, ids=lambda p: p.stem)
def test_no_running_text_in_body(sample_run, pdf):
    _, units, _ = sample_run
    g = golden(pdf.stem)
    doc = _doc_units(units, pdf)
    for text in doc[doc["kind"].isin(BODY_KINDS)]["text"]:
        for running in map(clean_text, g["running"]):
            if running.isdigit():  # a bare page number must not be left as or after text
                assert text != running and not text.endswith(f" {running}")
            else:
                assert running not in text


@pytest.mark.parametrize("pdf", PDFS, ids=lambda p: p.stem)
def test_each_source_paragraph_is_one_unit_across_page_and_column_breaks(sample_run, pdf):
    """A provision cut by a page or column break would be classified as two halves, each
    with half its evidence: every paragraph of the source text must come out whole."""
    _, units, _ = sample_run
    g = golden(pdf.stem)
    if g["image_only"]:
        pytest.skip("no text layer")
    texts = [" ".join(t.split()) for t in _doc_units(units, pdf)["text"]]
    for paragraph in g["body"]:
        whole = " ".join(clean_text(paragraph).split())
        assert any(whole in text for text in texts), whole[:80]


def test_some_sample_paragraphs_run_across_a_page_break(sample_run):
    """The premise of the test above: the samples do break paragraphs across pages."""
    _, units, _ = sample_run
    assert (units["page_end"] > units["page_start"]).sum() >= 2


@pytest.mark.parametrize("pdf", PDFS, ids=lambda p: p.stem)
def test_footnotes_are_separate_units(sample_run, pdf):
    _, units, _ = sample_run
    g = golden(pdf.stem)
    doc = _doc_units(units, pdf)
    notes = list(doc[doc["kind"] == "footnote"]["text"])
    assert notes == [clean_text(n) for n in g["footnotes"]] or g["image_only"]
    body = " ".join(doc[doc["kind"] != "footnote"]["text"])
    for note in g["footnotes"]:
        assert clean_text(note).split(" ", 1)[1] not in body


@pytest.mark.parametrize("pdf", PDFS, ids=lambda p: p.stem)
def test_ruled_table_rows_are_table_units(sample_run, pdf):
    _, units, _ = sample_run
    g = golden(pdf.stem)
    doc = _doc_units(units, pdf)
    assert list(doc[doc["kind"] == "table"]["text"]) == ([] if g["image_only"] else g["tables"])


def test_statuses(sample_run):
    manifest, _, _ = sample_run
    status = dict(
        zip(manifest["path"].map(lambda p: Path(p).name), manifest["status"], strict=True)
    )
    assert status["valdore_plan_refugies_scan_2025.pdf"] == "no_text_layer"
    assert status["not_a_pdf.pdf"] == "not_pdf"
    assert {status[p.name] for p in PDFS} <= {"ok", "no_text_layer"}


def test_manifest_and_units_columns(sample_run):
    manifest, units, out = sample_run
    assert len(manifest) == len(PDFS) + 1
    assert tuple(manifest.columns) == MANIFEST_COLUMNS
    assert tuple(pd.read_csv(out / "manifest.csv").columns) == MANIFEST_COLUMNS
    assert tuple(units.columns) == UNIT_COLUMNS
    assert units["unit_id"].is_unique
    assert list(units.index) == list(units.sort_values(["source_path", "seq"]).index)


def test_unit_ids_stable_in_process(sample_run):
    _, units, _ = sample_run
    pdf = PDFS[0]
    again = extract_file(pdf, ExtractParams(), pdf.as_posix())
    before = _doc_units(units, pdf)
    assert [u["unit_id"] for u in again.units] == list(before["unit_id"])
    assert [u["text"] for u in again.units] == list(before["text"])


def test_isolated_single_file_and_jsonl(tmp_path):
    pdf = SAMPLES / "sudmark_immigration_act_2023.pdf"
    result = extract_file_isolated(pdf, ExtractParams())
    assert result.manifest["status"] == "ok" and result.units
    manifest = extract_paths([pdf], tmp_path, ExtractParams(), "jsonl")
    units = pd.read_json(tmp_path / "units.jsonl", lines=True)
    assert manifest["units"].iloc[0] == len(units) == len(result.units)


def test_a_link_to_nowhere_in_a_folder_gets_its_failure_row(tmp_path):
    folder = tmp_path / "in"
    (folder / "annex.pdf").mkdir(parents=True)  # a folder named .pdf is searched, not read
    good = folder / "act.pdf"
    good.write_bytes((SAMPLES / "sudmark_immigration_act_2023.pdf").read_bytes())
    (folder / "gone.pdf").symlink_to(tmp_path / "deleted.pdf")
    manifest = extract_paths([folder], tmp_path / "out", ExtractParams())
    rows = manifest.set_index("path")
    assert sorted(rows.index) == [good.as_posix(), (folder / "gone.pdf").as_posix()]
    gone = rows.loc[(folder / "gone.pdf").as_posix()]
    assert gone["status"] == "failed"
    assert gone["error"] == "cannot read the file: No such file or directory"
    assert rows.loc[good.as_posix(), "status"] == "ok"


def test_timeout_is_reported(tmp_path):
    pdf = SAMPLES / "norland_reintegration_evaluation_2024.pdf"
    params = ExtractParams(timeout_seconds=0.0)
    result = extract_file_isolated(pdf, params)
    # the first file gets a start-up allowance; a zero timeout still must not raise
    assert result.manifest["status"] in ("ok", "timeout")


def test_engines_agree_on_samples():
    pdf = SAMPLES / "valdore_loi_immigration_2022.pdf"
    a = extract_file(pdf, ExtractParams(engine="pdfium"))
    b = extract_file(pdf, ExtractParams(engine="pdfplumber"))
    ta = " ".join(u["text"] for u in a.units)
    tb = " ".join(u["text"] for u in b.units)
    assert word_accuracy(ta, tb) >= 0.98


def _kerned_pdf(path: Path) -> Path:
    """Lines whose first letter is drawn on its own and overlapped by the rest ("Y" +
    "ou ..."), as kerning in word processors' PDFs does: pdfium gives two boxes that overlap."""
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=(595, 842))
    y = 760
    for first, rest in [("Y", "ou require a visa for a longer stay in the country."),
                        ("W", "ork permits are issued by the labour office."),
                        ("T", "he Foreign Office publishes the list of exempt countries.")]:
        c.setFont("Helvetica", 11)
        c.drawString(72, y, first)
        # The rest starts 0.8 pt inside the first letter's box, as a kerning pair does.
        c.drawString(72 + c.stringWidth(first, "Helvetica", 11) - 0.8, y, rest)
        y -= 16
    c.save()
    return path


_LEFT_COLUMN = (
    "The consulate examines every application for a short-stay visa within fifteen days "
    "and gives its reasons in writing when it refuses one. An applicant may ask for the "
    "decision to be reviewed by the central visa authority within one month."
)
_RIGHT_COLUMN = (
    "Employers who recruit seasonal workers abroad register each contract with the labour "
    "office before the worker travels. The office checks that the wage and the housing "
    "offered meet the collective agreement of the sector."
)

_CLOSING = ("These rules apply from the first day of the month that follows their publication "
            "in the official journal, to applications made from that day.")


def _two_column_page_with_title_and_page_number(
    path: Path, title: str = "Two Columns on Entry, Stay and Work in the Republic"
) -> Path:
    """A LaTeX-like article page: a centred title, author and date above two columns 11 pt
    apart, and the page number centred under them, on the gutter."""
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=(595, 842))
    c.setFont("Times-Roman", 17)
    c.drawCentredString(306, 740, title)
    c.setFont("Times-Roman", 12)
    c.drawCentredString(306, 715, "A. Author")
    c.drawCentredString(306, 698, "3 January 2026")
    for x0, text in ((72, _LEFT_COLUMN), (311, _RIGHT_COLUMN)):
        y = 660
        for paragraph in (text, _CLOSING):
            lines = simpleSplit(paragraph, "Times-Roman", 10, 228)
            for i, line in enumerate(lines):
                # justified, as LaTeX sets it: every line but the last ends at the column edge
                gaps = line.count(" ")
                spare = 228 - c.stringWidth(line, "Times-Roman", 10)
                words = c.beginText(x0, y)
                words.setFont("Times-Roman", 10)
                words.setWordSpace(spare / gaps if gaps and i < len(lines) - 1 else 0)
                words.textLine(line)
                c.drawText(words)
                y -= 12
            y -= 12
    c.setFont("Times-Roman", 10)
    c.drawCentredString(305.5, 60, "1")
    c.save()
    return path


@pytest.mark.parametrize("engine", ["pdfium", "pdfplumber"])
@pytest.mark.parametrize("title", [
    # wider than a column: with the author and date, the page number was the third short
    # line across the gutter
    "Two Columns on Entry, Stay and Work in the Republic",
    # a short title: three short centred lines over the columns, a title block
    "Entry and Work",
])
def test_a_title_block_and_page_number_do_not_merge_the_columns(tmp_path, engine, title):
    pdf = _two_column_page_with_title_and_page_number(tmp_path / "cols.pdf", title)
    units = _units(pdf, engine)
    texts = [u["text"] for u in units]
    assert _LEFT_COLUMN in texts and _RIGHT_COLUMN in texts, texts


def _units(pdf: Path, engine: str) -> list[dict]:
    return extract_file(pdf, ExtractParams(engine=engine)).units


@pytest.mark.parametrize("engine", ["pdfium", "pdfplumber"])
def test_kerned_letters_are_not_repeated(tmp_path, engine):
    text = " ".join(u["text"] for u in _units(_kerned_pdf(tmp_path / "kerned.pdf"), engine))
    assert "You require a visa for a longer stay" in text
    assert "Work permits are issued" in text
    assert "The Foreign Office publishes" in text
    assert "YoYou" not in text and "Yo You" not in text


def _superscript_pdf(path: Path) -> Path:
    """A paragraph whose third line has a note number raised in small print, drawn in the
    same text object as the words after it: pdfium gives one box opening with "11"."""
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=(595, 842))
    y = 760
    for text, after in [
        ("Returnees said that the cash grant was paid late and that the", ""),
        ("amount fell short of the prices on local markets, a finding of the", ""),
        ("assessment", "11 as well as of earlier studies of the programme in the region"),
        ("and of the monitoring visits that the field teams made in 2023.", ""),
    ]:
        line = c.beginText(72, y)
        line.setFont("Helvetica", 11)
        line.textOut(text)
        if after:
            line.setFont("Helvetica", 6.5)
            line.setRise(4)
            line.textOut(after[:2])
            line.setFont("Helvetica", 11)
            line.setRise(0)
            line.textOut(after[2:])
        c.drawText(line)
        y -= 14
    c.save()
    return path


@pytest.mark.parametrize("engine", ["pdfium", "pdfplumber"])
def test_a_note_number_opening_a_text_box_does_not_split_its_paragraph(tmp_path, engine):
    units = _units(_superscript_pdf(tmp_path / "note.pdf"), engine)
    assert len(units) == 1, [u["text"] for u in units]
    assert units[0]["text"].startswith("Returnees said") and units[0]["text"].endswith("in 2023.")


def test_small_print_opened_by_a_raised_note_number_stays_one_line():
    """A footnote whose row is opened by its raised number, with some words set a point
    lower (as in a real evaluation report): all its words make one line, instead of
    "may sum" being left over as a line of its own that cuts the paragraph it lands in."""
    from pipeline.engines import Segment, lines_from_segments

    body = [Segment(f"Body text of the page, line {i}, set in twelve points across the page.",
                    72, 520, 100 + 14 * i, 112 + 14 * i, 12) for i in range(8)]
    note = [Segment("24", 71, 76, 762.0, 765.0, 5),  # raised, smaller still
            Segment("The percentages shown in this Table", 78, 196, 763.0, 769.4, 8),
            Segment("may", 198, 212, 764.2, 769.4, 8),
            Segment("not", 214, 225, 763.0, 769.4, 8),
            Segment("sum", 227, 240, 764.2, 769.4, 8),
            Segment("100% due to rounding.", 243, 330, 763.0, 769.4, 8)]
    lines, _ = lines_from_segments(body + note, width=595.0)
    small = [ln for ln in lines if ln.top > 700]
    assert [(ln.marker, ln.text) for ln in small] == [
        ("24", "The percentages shown in this Table may not sum 100% due to rounding.")]


def _scaled_font_pdf(path: Path) -> Path:
    """Text set, as some publishing tools do, in a 1-point font scaled up by the text
    matrix: an 18-point title, then body lines of 11 points with a bullet list."""
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=(595, 842))

    def draw(x: float, y: float, size: float, text: str) -> None:
        line = c.beginText()
        line.setTextTransform(size, 0, 0, size, x, y)
        line.setFont("Helvetica", 1)
        line.textOut(text)
        c.drawText(line)

    draw(72, 770, 18, "Arrival and residence")
    body = ["Newcomers register their address with the town hall within two weeks of",
            "arrival and then apply for their residence permit at the foreigners office."]
    for i, text in enumerate(body):
        draw(72, 740 - 15 * i, 11, text)
    for i, text in enumerate(["Search engines list furnished flats for the first months.",
                              "Online platforms put tenants in touch with landlords."]):
        draw(72, 700 - 15 * i, 11, "-")
        draw(81, 700 - 15 * i, 11, text)  # 9 pt right of the bullet: a word gap at 11 pt
    c.save()
    return path


@pytest.mark.parametrize("engine", ["pdfium", "pdfplumber"])
def test_font_scaled_by_the_text_matrix_keeps_its_real_size(tmp_path, engine):
    units = _units(_scaled_font_pdf(tmp_path / "scaled.pdf"), engine)
    assert [(u["kind"], u["text"]) for u in units] == [
        ("heading", "Arrival and residence"),
        ("paragraph", "Newcomers register their address with the town hall within two weeks of "
                      "arrival and then apply for their residence permit at the foreigners office."),
        ("paragraph", "- Search engines list furnished flats for the first months."),
        ("paragraph", "- Online platforms put tenants in touch with landlords."),
    ]


def _distant_bullets_pdf(path: Path) -> Path:
    """A list whose markers sit 40 pt left of their text (wider than a word gap), with a
    wrapped item whose second line hangs under the text. (A dash: reportlab's built-in
    fonts give "•" a code that pdfplumber cannot decode.)"""
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=(595, 842))
    c.setFont("Helvetica", 10)
    c.drawString(72, 760, "The experts supported the drafting of these documents:")
    y = 745
    for lines in (["Draft regional policy on labour migration and the protection of migrant",
                   "workers in the countries of the region"],
                  ["Situation analysis of labour migration"]):
        c.drawString(72, y, "-")
        for text in lines:
            c.drawString(118, y, text)
            y -= 13
    c.save()
    return path


@pytest.mark.parametrize("engine", ["pdfium", "pdfplumber"])
def test_a_bullet_set_apart_from_its_text_opens_its_item(tmp_path, engine):
    units = _units(_distant_bullets_pdf(tmp_path / "list.pdf"), engine)
    assert [u["text"] for u in units] == [
        "The experts supported the drafting of these documents:",
        "- Draft regional policy on labour migration and the protection of migrant workers "
        "in the countries of the region",
        "- Situation analysis of labour migration",
    ]


def _tracked_pdf(path: Path) -> Path:
    """Letter-spaced ("tracked") text: 1.8 pt between the letters of 11-point words, 0.16 em,
    as in the German government's guides."""
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=(595, 842))
    for i, text in enumerate(["Starting in late 2023, the regulations have been updated in several",
                              "stages to make it easier for skilled workers to move to the country."]):
        line = c.beginText(72, 760 - 15 * i)
        line.setFont("Helvetica", 11)
        line.setCharSpace(1.8)
        line.textOut(text)
        c.drawText(line)
    c.save()
    return path


@pytest.mark.parametrize("engine", ["pdfium", "pdfplumber"])
def test_letter_spacing_is_not_a_word_space(tmp_path, engine):
    assert [u["text"] for u in _units(_tracked_pdf(tmp_path / "tracked.pdf"), engine)] == [
        "Starting in late 2023, the regulations have been updated in several stages to make it "
        "easier for skilled workers to move to the country."
    ]


def test_manifest_measures_known_words(tmp_path):
    """A page whose font maps to the wrong letters reads as text but not as words: the
    manifest's known_words says so (the matrices warn under matrix.min_known_words)."""
    from reportlab.pdfgen import canvas

    pdf = tmp_path / "garbled.pdf"
    c = canvas.Canvas(str(pdf), pagesize=(595, 842))
    c.setFont("Helvetica", 11)
    for i, text in enumerate(["Oh wlwuh gh vhmrxu hvw gholyuh sdu oh suhihw gx ghsduwhphqw.",
                              "Oh wudydloohxu hwudqjhu grlw ghwhqlu xqh dxwrulvdwlrq."]):
        c.drawString(72, 760 - 15 * i, text)  # French shifted by three letters
    c.save()
    garbled = extract_file(pdf, ExtractParams()).manifest["known_words"]
    clean = extract_file(SAMPLES / "valdore_loi_immigration_2022.pdf", ExtractParams())
    assert garbled < 0.5 < 0.95 < clean.manifest["known_words"]
