"""Exports: formula escaping, XLSX sheets, byte-identical CSV/Parquet, inputs, the CLI."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner
from matrix_data import FORMULA_TEXT, sample_inputs
from openpyxl import load_workbook

from pipeline.cli import main
from pipeline.coverage import build_coverage
from pipeline.export import escape_formula, read_metadata, run_matrix, write_outputs
from pipeline.io import InputError
from pipeline.params import MatrixParams

SHEETS = [
    "coverage_units",
    "coverage_share",
    "coverage_level",
    "gaps",
    "evidence",
    "documents",
    "about",
]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=SUM(A1:A2)", "'=SUM(A1:A2)"),
        ("+33 1 23", "'+33 1 23"),
        ("-3", "'-3"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Art. 5 = rule", "Art. 5 = rule"),  # only a leading character is dangerous
        ("", ""),
        (3, 3),
        (-1.5, -1.5),  # numbers are not text
    ],
)
def test_escape_formula(value, expected):
    assert escape_formula(value) == expected


@pytest.fixture()
def inputs_on_disk(tmp_path):
    predictions, manifest, metadata = sample_inputs()
    folder = tmp_path / "in"
    folder.mkdir()
    predictions.to_parquet(folder / "predictions.parquet", index=False)
    manifest.to_csv(folder / "manifest.csv", index=False)
    metadata.to_csv(folder / "metadata.csv", index=False)
    return folder


def test_outputs_and_xlsx_sheets(tmp_path):
    result = build_coverage(*sample_inputs(), MatrixParams(), by="document")
    paths = write_outputs(result, tmp_path, model_id="abc123")
    assert [p.name for p in paths] == [
        "coverage.csv",
        "coverage.parquet",
        "gaps.csv",
        "matrices.xlsx",
    ]
    book = pd.read_excel(tmp_path / "matrices.xlsx", sheet_name=None, na_filter=False)
    assert list(book) == SHEETS
    docs = book["documents"].set_index("doc_id")
    assert docs.loc["doc3", "status"] == "no_text_layer" and not docs.loc["doc3", "assessed"]
    assert (book["coverage_level"].set_index("group").loc["doc3", "A"]) == "NA"
    about = book["about"].set_index("key")["value"]
    assert about["model id"] == "abc123" and "substantively addressed" in about["coverage rule"]
    parquet = pd.read_parquet(tmp_path / "coverage.parquet")
    assert len(parquet) == 5 * 9 and parquet["units"].isna().sum() == 2 * 9


def test_text_cells_are_escaped_in_csv_and_xlsx(tmp_path):
    result = build_coverage(*sample_inputs(), MatrixParams(), by="document")
    write_outputs(result, tmp_path)
    gaps_csv = (tmp_path / "gaps.csv").read_text("utf-8")
    assert ",'+Plan," in gaps_csv  # a title from metadata
    sheet = load_workbook(tmp_path / "matrices.xlsx")["evidence"]
    values = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert "'" + FORMULA_TEXT in values and "'-3" in values
    assert not any(v.startswith(("=", "+", "-", "@")) for v in values)
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_rerun_gives_byte_identical_csv_and_parquet(tmp_path, inputs_on_disk):
    outs = [tmp_path / "a", tmp_path / "b"]
    for out in outs:
        run_matrix(
            inputs_on_disk / "predictions.parquet",
            out,
            MatrixParams(),
            "country",
            inputs_on_disk / "metadata.csv",
            html=False,
        )
    for name in ("coverage.csv", "coverage.parquet", "gaps.csv"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name


def test_manifest_next_to_predictions_is_used(tmp_path, inputs_on_disk):
    result, _ = run_matrix(
        inputs_on_disk / "predictions.parquet", tmp_path, MatrixParams(), html=False
    )
    assert len(result.documents) == 5
    # doc2's manifest row has 62% known words: the one warning; doc3 (no text) has none
    assert result.warnings == (
        "pdfs/doc2.pdf: only 62% of its words are French or English words (a poor OCR layer, "
        "a broken font encoding or another language); its coverage may be understated",
    )


def test_read_metadata_resolves_relative_paths(tmp_path):
    (tmp_path / "meta.csv").write_text("path,country\nsub/a.pdf,FR\n/abs/b.pdf,SN\n", "utf-8")
    frame = read_metadata(tmp_path / "meta.csv")
    assert frame["path"].tolist() == [str(tmp_path.resolve() / "sub" / "a.pdf"), "/abs/b.pdf"]


@pytest.mark.parametrize(
    ("raw", "note"),
    [
        ('path,country,title\r\na.pdf,Sénégal,"Loi n° 5, 2024"\r\n'.encode("utf-8-sig"),
         "UTF-8 with a byte-order mark"),
        ("path;country;title\r\na.pdf;Sénégal;Loi n° 5, 2024\r\n".encode("cp1252"),
         "semicolons in the Windows code page (a French spreadsheet)"),
        ("path\tcountry\ttitle\na.pdf\tSénégal\tLoi n° 5, 2024\n".encode(), "tabs"),
    ],
)
def test_metadata_as_spreadsheets_save_it(tmp_path, raw, note):
    (tmp_path / "meta.csv").write_bytes(raw)
    frame = read_metadata(tmp_path / "meta.csv")
    assert frame[["country", "title"]].values.tolist() == [["Sénégal", "Loi n° 5, 2024"]], note


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("path,country\na.pdf,FR\n./a.pdf,SN\n", "duplicate path"),
        ("file,country\na.pdf,FR\n", "lacks the 'path' column"),
        ("path,country\na.pdf,FR\n,SN\n", "empty path on line"),
    ],
)
def test_bad_metadata_names_file_and_problem(tmp_path, content, message):
    bad = tmp_path / "meta.csv"
    bad.write_text(content, "utf-8")
    with pytest.raises(InputError, match=message) as err:
        read_metadata(bad)
    assert str(bad) in str(err.value)


def test_cli_matrix_writes_everything(tmp_path, inputs_on_disk):
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        [
            "matrix",
            str(inputs_on_disk / "predictions.parquet"),
            "-o",
            str(out),
            "--metadata",
            str(inputs_on_disk / "metadata.csv"),
            "--by",
            "country",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "5 document(s), 2 not assessed" in result.output
    assert "warning: pdfs/doc2.pdf: only 62% of its words" in result.output
    assert "62% known words" in (out / "report.html").read_text("utf-8")
    for name in (
        "coverage.csv",
        "coverage.parquet",
        "gaps.csv",
        "matrices.xlsx",
        "heatmap.png",
        "report.html",
    ):
        assert (out / name).is_file(), name


@pytest.mark.parametrize(
    "extra",
    [["--by", "region"], ["--metadata", "missing.csv"], ["--manifest", "missing.csv"]],
)
def test_cli_user_mistakes_are_one_line_errors(tmp_path, inputs_on_disk, extra):
    result = CliRunner().invoke(
        main,
        [
            "matrix",
            str(inputs_on_disk / "predictions.parquet"),
            "-o",
            str(tmp_path / "out"),
            *extra,
        ],
    )
    assert result.exit_code == 2
    assert "Traceback" not in result.output and "Error:" in result.output
