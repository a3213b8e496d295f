"""Ruled tables: each row one unit of kind "table", its cells joined by " | "."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.engines import Rule, Segment
from pipeline.extract import extract_file
from pipeline.params import ExtractParams
from pipeline.tables import find_grids, table_rows

LEFT, RIGHT = 72.0, 523.0


def _table_pdf(path: Path) -> Path:
    """A paragraph, a ruled table of three rows and three columns (a cell wrapped over two
    lines, a word broken without a hyphen in a narrow cell, a cell of two list items) and a
    paragraph after it. Cells are 4 pt from the rules, closer than the 3 ems that would
    split a line without the rules."""
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=(595, 842))
    c.setFont("Helvetica", 10)
    c.drawString(LEFT, 780, "The programme reached the following results in the three countries.")
    cols = [LEFT, 190.0, 250.0, RIGHT]
    rows = [760.0, 740.0, 705.0, 670.0]  # PDF y of the horizontal rules, top to bottom
    cells = [
        [["Country"], ["Mode"], ["Result"]],
        [["Ethiopia"], ["Externa", "l"], ["Returnees received reintegration grants and",
                                          "business training within three months."]],
        [["Somalia"], ["Internal"], ["- Two referral desks opened.",
                                     "- Case workers were trained."]],
    ]
    c.setLineWidth(0.5)
    for y in rows:
        c.line(cols[0], y, cols[-1], y)
    for x in cols:
        c.line(x, rows[0], x, rows[-1])
    for r, row in enumerate(cells):
        for k, lines in enumerate(row):
            for i, text in enumerate(lines):
                c.drawString(cols[k] + 4, rows[r] - 13 - 12 * i, text)
    c.drawString(LEFT, 640, "Reintegration support continued after the end of the programme.")
    c.save()
    return path


@pytest.mark.parametrize("engine", ["pdfium", "pdfplumber"])
def test_each_row_of_a_ruled_table_is_one_unit(tmp_path, engine):
    units = extract_file(_table_pdf(tmp_path / "table.pdf"), ExtractParams(engine=engine)).units
    assert [(u["kind"], u["text"]) for u in units] == [
        ("paragraph", "The programme reached the following results in the three countries."),
        ("table", "Country | Mode | Result"),
        ("table", "Ethiopia | External | Returnees received reintegration grants and business "
                  "training within three months."),
        ("table", "Somalia | Internal | - Two referral desks opened."),
        ("table", "- Case workers were trained."),
        ("paragraph", "Reintegration support continued after the end of the programme."),
    ]


def test_a_framed_paragraph_or_lone_rules_make_no_table():
    box = [Rule(72, 100, 500, 100.5), Rule(72, 200, 500, 200.5),
           Rule(72, 100, 72.5, 200), Rule(500, 100, 500.5, 200)]
    underlines = [Rule(72, 120 + 20 * i, 300, 120.5 + 20 * i) for i in range(5)]
    assert find_grids(box) == []
    assert find_grids(underlines) == []
    seg = Segment("Text inside a frame.", 80, 200, 140, 150, 10)
    assert table_rows([seg], box) == ([], [seg])
