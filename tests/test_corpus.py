"""The project's annotated corpus: well-formed, large enough, and disjoint from the dev set."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.annotations import read_annotations
from pipeline.taxonomy import area_codes

DEV = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev.jsonl"


@pytest.fixture(scope="module")
def corpus(repo):
    return read_annotations(repo / "corpus" / "annotations")


def test_every_area_has_60_units_per_language(corpus):
    for lang in ("fr", "en"):
        sub = corpus[corpus["lang"] == lang]
        for code in area_codes():
            n = int(sub["labels"].map(lambda labels, c=code: c in labels).sum())
            assert n >= 60, f"area {code} has {n} {lang} units"


def test_enough_no_area_units(corpus):
    assert int(corpus["labels"].map(len).eq(0).sum()) >= 300


def test_seed_paragraphs_present(corpus):
    seed = corpus[corpus["id"].str.startswith("seed-")]
    assert sorted(seed["labels"].map(tuple)) == [(c,) for c in "AABBCDEFGHI"]


@pytest.mark.skipif(not DEV.is_file(), reason="../shared/eval/dev.jsonl not beside the checkout")
def test_no_annotation_shares_eight_words_with_dev(repo):
    """Never train on the dev set: no annotation may repeat an 8-word run of a dev unit."""
    import sys

    sys.path.insert(0, str(repo / "scripts"))
    from check_contamination import contaminated

    hits = [hit for folder in ("annotations", "relevance", "short_provisions", "unused", "checks")
            for hit in contaminated(repo / "corpus" / folder, DEV, 8)]
    assert not hits, f"{len(hits)} overlapping pairs, e.g. {hits[:3]}"


def test_relevance_corpus_is_mostly_no_area_with_a_few_contrasts(repo, corpus):
    """corpus/relevance trains only the relevance classifier: mostly units with no area
    (general law, evaluation process text), some with one (so it learns the contrast), in
    both languages, ids distinct from the annotations'."""
    relevance = read_annotations(repo / "corpus" / "relevance")
    no_area = relevance["labels"].map(len).eq(0)
    assert 0.7 <= no_area.mean() <= 0.9
    assert set(relevance["lang"]) == {"fr", "en"}
    assert not set(relevance["id"]) & set(corpus["id"])


def test_blind_second_annotation_still_agrees_with_the_corpus(repo):
    """The 240-unit blind second annotation must keep matching units of the corpus, and the
    corpus must keep applying the taxonomy the way a blind reader does (0.95 when made)."""
    import sys

    sys.path.insert(0, str(repo / "scripts"))
    from measure_agreement import agreement

    scores = agreement(repo / "corpus" / "agreement" / "second_annotation.jsonl",
                       repo / "corpus" / "annotations")
    assert scores["summary"]["units"] == 240
    assert scores["summary"]["micro_f1"] >= 0.90


def test_check_sets_share_no_eight_words_with_any_training_data(repo):
    """corpus/checks measures generalisation: none of its units may repeat an 8-word run of
    a unit that trains either classifier."""
    import sys

    sys.path.insert(0, str(repo / "scripts"))
    from check_contamination import contaminated

    hits = [hit for folder in ("annotations", "relevance", "short_provisions")
            for checks in sorted((repo / "corpus" / "checks").glob("*.jsonl"))
            for hit in contaminated(repo / "corpus" / folder, checks, 8)]
    assert not hits, f"{len(hits)} overlapping pairs, e.g. {hits[:3]}"
