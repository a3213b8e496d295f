"""Small predictions/manifest/metadata frames for the coverage, export and report tests."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from pipeline.coverage import NA, CoverageResult, level_for
from pipeline.params import MatrixParams
from pipeline.schema import NOT_ASSESSED_STATUSES as NOT_ASSESSED
from pipeline.taxonomy import area_codes

FORMULA_TEXT = '=HYPERLINK("http://evil.example","click")'
SCRIPT_TEXT = "<script>alert('x')</script> visa rules"


def _unit(
    doc: str,
    seq: int,
    labels: list[str],
    probs: dict[str, float],
    text: str = "Some text",
    article_ref: str = "",
) -> dict:
    p = {f"p_{c}": probs.get(c, 0.05) for c in area_codes()}
    return {
        "doc_id": doc,
        "source_path": f"pdfs/{doc}.pdf",
        "unit_id": f"{doc}-{seq:05d}",
        "seq": seq,
        "page_start": seq + 1,
        "page_end": seq + 1,
        "kind": "paragraph",
        "heading_path": "",
        "article_ref": article_ref,
        "lang": "en",
        "text": text,
        **p,
        "labels": "|".join(labels),
        "explanation": json.dumps({c: [f"term{c}", "visa"] for c in labels}),
    }


def sample_inputs() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Predictions, manifest and metadata for 5 documents, two of them not assessed.

    doc1 (FR): B substantive (3 of 4 units), G partly (one unit at 0.6), I partly (formula text)
    doc2 (FR): C weakly tagged only (0.3 -> not addressed), D partly; unit text holds <script>
    doc3 (SN): no_text_layer -> NA;  doc4 (SN): ok with zero units;  doc5 (MA): encrypted -> NA
    """
    rows = [
        _unit("doc1", 0, ["B"], {"B": 0.9}),
        _unit("doc1", 1, ["B", "G"], {"B": 0.8, "G": 0.6}, article_ref="Art. 5"),
        _unit("doc1", 2, ["B"], {"B": 0.3}),
        _unit("doc1", 3, ["I"], {"I": 0.7, "C": 0.4}, text=FORMULA_TEXT, article_ref="-3"),
        _unit("doc2", 0, ["C"], {"C": 0.3}, text=SCRIPT_TEXT),
        _unit("doc2", 1, ["D"], {"D": 0.95}),
    ]
    predictions = pd.DataFrame(rows)
    docs = ["doc1", "doc2", "doc3", "doc4", "doc5"]
    manifest = pd.DataFrame(
        {
            "doc_id": docs,
            "path": [f"pdfs/{d}.pdf" for d in docs],
            "pages": [4, 2, 3, 1, 0],
            "units": [4, 2, 0, 0, 0],
            "chars": [100, 50, 0, 10, 0],
            "known_words": [0.99, 0.62, None, 0.95, None],
            "status": ["ok", "ok", "no_text_layer", "ok", "encrypted"],
            "error": ["", "", "", "", "file is encrypted"],
            "seconds": [0.1] * 5,
        }
    )
    metadata = pd.DataFrame(
        {
            "path": ["/elsewhere/doc1.pdf", "x/doc2.pdf", "doc3.pdf", "doc4.pdf", "doc5.pdf"],
            "country": ["FR", "FR", "SN", "SN", "MA"],
            "year": ["2019", "2020", "2019", "", "2021"],
            "title": ["Loi 1", "+Plan", "Scan", "", "Locked"],
            "doc_type": ["law", "policy", "law", "law", "policy"],
        }
    )
    return predictions, manifest, metadata


def assert_traces_to_units(
    result: CoverageResult, predictions: pd.DataFrame, manifest: pd.DataFrame, params: MatrixParams
) -> None:
    """Recompute every by-document cell from the units (usable on the sample-corpus run)."""
    units_wide = result.units.set_index("group")
    share_wide = result.share.set_index("group")
    level_wide = result.level.set_index("group")
    for doc_id, status in zip(manifest["doc_id"], manifest["status"], strict=True):
        units = predictions[predictions["doc_id"] == doc_id]
        for code in area_codes():
            hit = units["labels"].fillna("").str.split("|").map(lambda ls, c=code: c in ls)
            tagged = units[hit.astype(bool)]
            if status in NOT_ASSESSED:
                assert level_wide.at[doc_id, code] == NA
                assert pd.isna(units_wide.at[doc_id, code])
                continue
            share = len(tagged) / len(units) if len(units) else 0.0
            strong = int((tagged[f"p_{code}"] >= params.partial_min_probability).sum())
            assert units_wide.at[doc_id, code] == len(tagged)
            assert share_wide.at[doc_id, code] == pytest.approx(share, abs=1e-4)
            assert level_wide.at[doc_id, code] == level_for(len(tagged), share, strong, params)
