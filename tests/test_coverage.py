"""Coverage matrices: every figure recomputed from the units, NA rule, groups, gaps, evidence."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from matrix_data import assert_traces_to_units, sample_inputs

from pipeline.coverage import (
    NA,
    NOT_ADDRESSED,
    PARTLY,
    SUBSTANTIVE,
    build_coverage,
    coverage_rule,
    level_for,
)
from pipeline.params import MatrixParams
from pipeline.report import render_html
from pipeline.taxonomy import area_codes

PARAMS = MatrixParams()


@pytest.fixture(scope="module")
def inputs():
    return sample_inputs()


@pytest.fixture(scope="module")
def by_doc(inputs):
    return build_coverage(*inputs, PARAMS, by="document")


def _row(wide: pd.DataFrame, group: str) -> pd.Series:
    return wide.set_index("group").loc[group]


@pytest.mark.parametrize(
    ("units", "share", "strong", "expected"),
    [
        (3, 0.05, 0, SUBSTANTIVE),  # both substantive thresholds met, strength not needed
        (3, 0.04, 1, PARTLY),  # share too low -> falls back to the partial rule
        (2, 0.90, 0, NOT_ADDRESSED),  # only weak units
        (1, 0.01, 1, PARTLY),
        (0, 0.0, 0, NOT_ADDRESSED),
    ],
)
def test_level_rule_table(units, share, strong, expected):
    assert level_for(units, share, strong, PARAMS) == expected


def test_counts_shares_levels_recomputed_from_units(inputs, by_doc):
    assert_traces_to_units(by_doc, inputs[0], inputs[1], PARAMS)


def test_expected_levels_of_the_sample(by_doc):
    assert _row(by_doc.level, "doc1")[["B", "G", "I", "C"]].tolist() == [
        SUBSTANTIVE,
        PARTLY,
        PARTLY,
        NOT_ADDRESSED,
    ]
    # weakly tagged C is counted but does not address the area
    assert _row(by_doc.units, "doc2")["C"] == 1
    assert _row(by_doc.level, "doc2")["C"] == NOT_ADDRESSED


def test_not_assessed_documents_are_na_never_zero(by_doc):
    for doc in ("doc3", "doc5"):
        assert set(_row(by_doc.level, doc)[list(area_codes())]) == {NA}
        assert _row(by_doc.units, doc)[list(area_codes())].isna().all()
        assert _row(by_doc.gaps, doc)["gaps"] == NA
    # ok with zero units: assessed, nothing addressed, zero share (not NA)
    assert set(_row(by_doc.level, "doc4")[list(area_codes())]) == {NOT_ADDRESSED}
    assert _row(by_doc.share, "doc4")["A"] == 0.0
    assert _row(by_doc.gaps, "doc4")["gaps"] == " ".join(area_codes())


def test_by_country_pools_units_and_takes_best_document_level(inputs):
    result = build_coverage(*inputs, PARAMS, by="country")
    assert result.level["group"].tolist() == ["FR", "MA", "SN"]
    fr = result.long[result.long["group"] == "FR"].set_index("area")
    assert fr.loc["B", "units"] == 3 and fr.loc["B", "total_units"] == 6
    assert fr.loc["B", "share"] == pytest.approx(0.5)
    assert fr.loc["D", "level"] == PARTLY and fr.loc["D", "n_documents_addressing"] == 1
    gaps = result.gaps.set_index("group")
    assert gaps.loc["FR", "gaps"] == "A C E F H"  # none of doc1, doc2 addresses these
    assert gaps.loc["MA", "gaps"] == NA  # its only document is encrypted
    # SN: one NA document, one assessed with nothing -> assessed group, every area a gap
    assert gaps.loc["SN", "n_not_assessed"] == 1 and gaps.loc["SN", "n_gaps"] == 9
    assert set(_row(result.level, "SN")[list(area_codes())]) == {NOT_ADDRESSED}


def test_groups_without_value_are_unknown_and_last(inputs):
    result = build_coverage(*inputs, PARAMS, by="year")
    assert result.level["group"].tolist() == ["2019", "2020", "2021", "unknown"]


def test_evidence_references_real_tagged_units(inputs, by_doc):
    predictions = inputs[0].set_index("unit_id")
    ev = by_doc.evidence
    assert len(ev) and set(ev["unit_id"]) <= set(predictions.index)
    for _, r in ev.iterrows():
        assert r["area"] in predictions.at[r["unit_id"], "labels"].split("|")
        assert r["probability"] == pytest.approx(predictions.at[r["unit_id"], f"p_{r['area']}"])
        assert r["level"] in (PARTLY, SUBSTANTIVE)
    b = ev[(ev["group"] == "doc1") & (ev["area"] == "B")]
    assert b["unit_id"].tolist() == ["doc1-00000", "doc1-00001", "doc1-00002"]
    assert b.iloc[1]["article_ref"] == "Art. 5" and b.iloc[1]["terms"] == "termB, visa"


def test_evidence_per_cell_is_capped(inputs):
    result = build_coverage(*inputs, MatrixParams(evidence_per_cell=2), by="country")
    assert result.evidence.groupby(["group", "area"]).size().max() == 2


def test_params_change_the_levels(inputs):
    strict = MatrixParams(partial_min_probability=0.99, substantive_min_units=4)
    result = build_coverage(*inputs, strict, by="document")
    assert _row(result.level, "doc1")["B"] == NOT_ADDRESSED
    assert "at least 4 tagged units" in coverage_rule(strict)


def test_metadata_matched_by_path_or_basename_and_titles_fall_back(inputs):
    predictions, manifest, metadata = inputs
    result = build_coverage(predictions, manifest, metadata, PARAMS)
    docs = result.documents.set_index("doc_id")
    assert docs.loc["doc1", "title"] == "Loi 1" and docs.loc["doc2", "country"] == "FR"
    assert docs.loc["doc4", "title"] == "doc4.pdf"
    plain = build_coverage(predictions, manifest, None, PARAMS)
    assert plain.documents.set_index("doc_id").loc["doc1", "title"] == "doc1.pdf"


def test_unknown_grouping_lists_choices(inputs):
    with pytest.raises(ValueError, match="document, country, doc_type, year"):
        build_coverage(*inputs, PARAMS, by="region")


def test_units_of_documents_missing_from_manifest_are_an_error(inputs):
    predictions, manifest, _ = inputs
    with pytest.raises(ValueError, match="missing from the manifest"):
        build_coverage(predictions, manifest[manifest["doc_id"] != "doc1"], None, PARAMS)


def test_no_units_at_all_gives_an_all_na_or_empty_matrix(inputs):
    predictions, manifest, metadata = inputs
    empty = predictions.iloc[0:0]
    only_na = manifest[manifest["status"] != "ok"]
    result = build_coverage(empty, only_na, metadata, PARAMS, by="country")
    assert set(result.long["level"]) == {NA} and result.evidence.empty


def _with_copies(inputs):
    """doc1's bytes saved twice more: once under Senegal (SN), once again under France."""
    predictions, manifest, metadata = inputs
    first = manifest[manifest["doc_id"] == "doc1"].iloc[0]
    copies = pd.DataFrame([first.to_dict() | {"path": "pdfs/sn/loi1.pdf"},
                           first.to_dict() | {"path": "pdfs/fr/loi1_again.pdf"}])
    extra_meta = pd.DataFrame({"path": ["sn/loi1.pdf", "fr/loi1_again.pdf"],
                               "country": ["SN", "FR"], "year": ["2019", "2019"],
                               "title": ["Loi 1 (SN)", "Loi 1"], "doc_type": ["law", "law"]})
    return (predictions, pd.concat([manifest, copies], ignore_index=True),
            pd.concat([metadata, extra_meta], ignore_index=True))


def test_files_with_the_same_bytes_count_once_per_group(inputs):
    plain = build_coverage(*inputs, PARAMS, by="country").long.set_index(["group", "area"])
    result = build_coverage(*_with_copies(inputs), PARAMS, by="country")
    long = result.long.set_index(["group", "area"])
    # France already has the file: the second French copy changes nothing there
    assert long.loc[("FR", "B"), "units"] == plain.loc[("FR", "B"), "units"] == 3
    assert long.loc[("FR", "B"), "n_documents"] == plain.loc[("FR", "B"), "n_documents"]
    # Senegal gets the law its copy holds (before: one NA scan and one empty document)
    assert plain.loc[("SN", "B"), "level"] == NOT_ADDRESSED
    assert long.loc[("SN", "B"), "level"] == SUBSTANTIVE and long.loc[("SN", "B"), "units"] == 3
    assert long.loc[("SN", "B"), "n_documents"] == 3
    # every input file is listed, each copy naming the first file with its bytes
    docs = result.documents.set_index("path")
    assert len(docs) == 7
    assert docs.loc["pdfs/sn/loi1.pdf", "same_as"] == "pdfs/doc1.pdf"
    assert docs.loc["pdfs/fr/loi1_again.pdf", "same_as"] == "pdfs/doc1.pdf"
    assert docs.loc["pdfs/doc1.pdf", "same_as"] == ""
    assert docs.loc["pdfs/sn/loi1.pdf", "counted"]
    assert not docs.loc["pdfs/fr/loi1_again.pdf", "counted"]
    assert any("2 file(s) have the same content" in w for w in result.warnings)
    # by document the bytes are one document, its evidence listed once
    by_document = build_coverage(*_with_copies(inputs), PARAMS, by="document")
    plain_document = build_coverage(*inputs, PARAMS, by="document")
    assert by_document.level["group"].tolist() == plain_document.level["group"].tolist()
    # a copy under the same title does not make that title ambiguous
    assert by_document.level["label"].tolist() == plain_document.level["label"].tolist()
    assert by_document.evidence.equals(plain_document.evidence)


def test_report_lists_a_copy_once_and_points_to_its_passages(inputs):
    html = render_html(build_coverage(*_with_copies(inputs), PARAMS, by="country"))
    anchors = re.findall(r'<div class="doc" id="([^"]+)"', html)
    assert len(anchors) == len(set(anchors)) == 5
    assert html.count("Same content as <a href=") == 2
