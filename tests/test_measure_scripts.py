"""Measurement scripts whose numbers the README and the issue notes quote."""

from __future__ import annotations

import json
import sys

import pandas as pd
import pytest


@pytest.fixture(scope="module")
def scripts_on_path(repo):
    sys.path.insert(0, str(repo / "scripts"))
    yield
    sys.path.remove(str(repo / "scripts"))


def test_general_law_rates_split_units_by_migration_words(scripts_on_path):
    from measure_general_law import general_law_rates

    predictions = pd.DataFrame({
        "source_path": ["in/code-travail.pdf"] * 4 + ["in/other.pdf"],
        "text": ["Le licenciement est notifié par écrit.",
                 "La durée du travail est de quarante heures.",
                 "Le travailleur étranger doit détenir une autorisation.",
                 "Les congés payés sont de deux jours par mois.",
                 "Le travailleur étranger est protégé."],
        "labels": ["D", "", "D", "C|D", "C"],
    })
    rates = general_law_rates(predictions, "code-travail")
    assert (rates["units"], rates["general_units"], rates["migration_units"]) == (4, 3, 1)
    assert rates["general_tagged"] == pytest.approx(2 / 3)
    assert rates["general_D"] == pytest.approx(2 / 3) and rates["general_C"] == pytest.approx(1 / 3)
    assert rates["migration_tagged"] == 1.0


def test_gold_rates_score_units_by_the_key_of_their_text(scripts_on_path):
    from measure_general_law import gold_rates, unit_key

    texts = ["Le licenciement est notifié par écrit.",
             "Le travailleur étranger doit détenir une autorisation.",
             "Les congés payés sont de deux jours par mois.",
             "Une unité que le fichier de référence ne connaît pas."]
    predictions = pd.DataFrame({
        "source_path": ["in/sn/code.pdf"] * 4,
        "text": texts,
        "labels": ["D", "C|D", "", "B"],
    })
    # Whitespace does not change a key; the gold holds keys, never the text.
    gold = pd.DataFrame({
        "doc": ["code.pdf"] * 4,
        "key": [unit_key("Le licenciement  est notifié\npar écrit."), unit_key(texts[1]),
                unit_key(texts[2]), unit_key("Un article absent de cette extraction.")],
        "labels": [[], ["D"], [], ["G"]],
    })
    r = gold_rates(predictions, "sn/", gold)
    assert (r["units"], r["not_found"], r["gold_not_found"]) == (3, 1, 1)
    assert (r["no_area_units"], r["migration_units"]) == (2, 1)
    assert r["no_area_tagged"] == pytest.approx(0.5)
    assert r["no_area_tagged_per_area"]["D"] == pytest.approx(0.5)
    assert r["migration_tagged"] == 1.0
    # Tags: D right; C on the migration unit and D on the general article wrong.
    assert r["micro_precision"] == pytest.approx(1 / 3, abs=1e-4) and r["micro_recall"] == 1.0
    assert set(r["per_area"]) == {"C", "D"}


def test_eval_labels_hold_keys_and_labels_but_no_text(repo):
    """Labels of the real evaluation PDFs' units may be committed, their text may not."""
    import json
    import re

    from pipeline.taxonomy import area_codes

    files = sorted((repo / "corpus" / "eval_labels").glob("*.jsonl"))
    assert files
    for path in files:
        rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]
        assert rows and all(set(r) <= {"doc", "key", "labels", "note"} for r in rows), path
        assert all(re.fullmatch(r"[0-9a-f]{16}", r["key"]) for r in rows), path
        assert all(set(r["labels"]) <= set(area_codes()) for r in rows), path
        assert all(len(r.get("note", "").split()) <= 12 for r in rows), path
        assert len({(r["doc"], r["key"]) for r in rows}) == len(rows), path


def test_extraction_measure_counts_cut_paragraphs_and_words(scripts_on_path):
    from measure_extraction import cut_words, glued_words, measure

    assert cut_words("the regu lations were updated") == 1
    assert cut_words("the regulations were updated") == 0
    assert glued_words("a country job offer") == 0 and glued_words("a countryjob offer") == 1
    units = pd.DataFrame({
        "source_path": ["in/a/x.pdf"] * 4,
        "kind": ["paragraph", "paragraph", "paragraph", "heading"],
        "text": ["The card is issued.", "travers les espaces de dialogue.", "a) the applicant",
                 "lower-case heading"],
    })
    row = measure(units).set_index("folder").loc["a"]
    assert (row["units"], row["body_units"]) == (4, 3)
    assert row["opening_mid_sentence"] == pytest.approx(1 / 3, abs=1e-3)  # "a)" is a marker


def test_lone_heading_measure_counts_provisions_that_would_read_as_headings(
    scripts_on_path, tmp_path
):
    from measure_lone_headings import measure

    gold = tmp_path / "gold.jsonl"
    units = [
        {"text": "Family reunification requires stable resources.", "labels": ["H"]},
        {"text": "The sponsor must hold a valid licence.", "labels": ["D"]},
        {"text": "Visa requirements", "labels": []},  # no area: not counted
    ]
    gold.write_text("".join(json.dumps(u) + "\n" for u in units), encoding="utf-8")
    # Stripped of its full stop, the first reads as a title; "must" keeps the second a clause.
    assert measure([str(gold)]) == (2, 1)


def test_context_probe_sets_each_provision_in_every_position(scripts_on_path, shipped_model):
    from probe_context import CONTEXT, PROVISIONS, VARIANTS, compose, probe

    assert compose("Rule.", "Procedure.", "context around") == "Procedure. Rule. Procedure."
    table, context_areas = probe(shipped_model)
    assert len(table) == len(PROVISIONS) * len(VARIANTS)
    alone = table[table["variant"] == "alone"]
    # The probe is only meaningful if each provision alone has its area and the procedural
    # text alone has none; the counts in context are what it measures (README).
    assert alone["tagged"].all() and context_areas == [[] for _ in CONTEXT]
    around = table[table["variant"] == "context around"]
    assert (around["words"] > alone["words"].to_numpy() + 100).all()


def test_rule_spread_re_decides_main_units_only_and_resamples_the_rule(scripts_on_path, tmp_path):
    import numpy as np
    from measure_rule_spread import read_gold_units, rule_spread

    from pipeline.params import TrainParams

    params = TrainParams(relevance_gate_max=0.0, fill_ratio_min=1.0)  # thresholds only
    units_csv = tmp_path / "units.csv"
    pd.DataFrame({
        "gold": ["A", "B", "", "A|B"],
        "predicted": ["A", "", "", "B"],  # the last one is a heading, kept as predicted
        "decided_by": ["main", "main", "main", "kind"],
        "words": [30, 30, 30, 5],
        "p_any_area": [0.9, 0.9, 0.1, 0.9],
        "p_A": [0.9, 0.1, 0.1, 0.9],
        "p_B": [0.1, 0.8, 0.1, 0.9],
    }).to_csv(units_csv, index=False)
    units = read_gold_units(units_csv, ["A", "B"])
    # Out-of-fold scores that separate both areas at any threshold under 0.7.
    y = np.array([[1, 0], [0, 1], [0, 0]] * 20)
    oof = np.where(y == 1, 0.75, 0.05)
    result = rule_spread(y, oof, np.full(len(y), 0.9), np.ones(len(y), bool),
                         np.full(len(y), 30), units, params, resamples=3, seed=0)
    # Main units all right (A, B, none); the heading keeps its B and misses A: 3 of 4 gold
    # labels found, no false one.
    assert result["micro_f1"] == round(2 * 3 / (2 * 3 + 1), 4)
    assert result["resampled_micro_f1"] == [round(result["micro_f1"], 4)] * 3
