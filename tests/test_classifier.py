"""Training, safe saving/loading, explanations and evaluation, on tiny built data."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from pipeline.classify import classify_units, score_units
from pipeline.cli import main
from pipeline.evaluate import evaluate
from pipeline.metrics import (
    bootstrap_intervals,
    expected_calibration_error,
    micro_f1_difference,
    multilabel_scores,
)
from pipeline.model import META_FILE, MODEL_FILE, MODEL_FORMAT, ModelError, load_model
from pipeline.params import TrainParams
from pipeline.schema import UNIT_COLUMNS
from pipeline.train import train

BORDER = ["the visa application is lodged at the consulate before entry",
          "border guards check the passport and the entry visa at the crossing point",
          "le visa de court séjour est demandé au consulat avant l'entrée",
          "les contrôles aux frontières vérifient le passeport et le visa"]
RETURN = ["the removal order obliges the foreign national to leave the territory",
          "the deportation of the person is carried out with an escort",
          "l'obligation de quitter le territoire français est notifiée à l'étranger",
          "l'éloignement forcé est exécuté vers le pays de renvoi"]
NONE = ["the court deliberates in private and its decision is signed",
        "this decree enters into force on the day after its publication",
        "la formation de jugement délibère hors la présence des parties",
        "le présent décret sera publié au Journal officiel"]


def _rows():
    rows = []
    for labels, texts in ((["B"], BORDER), (["G"], RETURN), ([], NONE)):
        for k in range(3):  # three variants of each text so every CV fold sees each area
            for i, t in enumerate(texts):
                rows.append({"id": f"{''.join(labels) or 'n'}-{k}-{i}",
                             "lang": "fr" if "é" in t or " le " in t else "en",
                             # provisions end like sentences (unpunctuated lines read as headings)
                             "text": f"{t}{' (variant ' + str(k) + ')' if k else ''}.",
                             "labels": labels})
    rows.append({"id": "both", "lang": "en", "labels": ["B", "G"],
                 "text": "a removal order is enforced at the border crossing point with the passport."})
    return rows


@pytest.fixture(scope="module")
def tiny_annotations(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("ann") / "tiny.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in _rows()) + "\n")
    return path


TINY = TrainParams(cv_folds=3, min_df=1)


@pytest.fixture(scope="module")
def tiny_model_dir(tiny_annotations, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("model") / "tiny"
    train(tiny_annotations, out, TINY)
    return out


def test_train_writes_model_meta_and_card(tiny_model_dir):
    meta = json.loads((tiny_model_dir / META_FILE).read_text())
    assert meta["labels"] == list("ABCDEFGHI")
    assert meta["taxonomy_version"]
    assert len(meta["training_data"]["sha256"]) == 64
    assert meta["training_data"]["units_per_area"]["B"] == 13
    assert set(meta["cv"]["per_area"]) == set("ABCDEFGHI")
    assert "scikit-learn" in meta["library_versions"]
    assert "## Cross-validation" in (tiny_model_dir / "model_card.md").read_text()


def test_training_is_deterministic(tiny_annotations, tmp_path, tiny_model_dir):
    again = tmp_path / "again"
    train(tiny_annotations, again, TINY)
    a, b = load_model(tiny_model_dir), load_model(again)
    texts = ["visa at the border", "removal order"]
    np.testing.assert_allclose(a.pipeline.predict_proba(texts), b.pipeline.predict_proba(texts))
    np.testing.assert_array_equal(a.thresholds, b.thresholds)
    # The same model is the same file, so its id (and the batch cache keyed on it) holds.
    assert (again / MODEL_FILE).read_bytes() == (tiny_model_dir / MODEL_FILE).read_bytes()


def test_model_tags_and_explains(tiny_model_dir):
    model = load_model(tiny_model_dir)
    units = pd.DataFrame({"text": ["The consulate examines the visa application before entry.",
                                   "L'étranger fait l'objet d'une obligation de quitter le territoire."]})
    out = classify_units(model, units, top_terms=3, batch_size=1)
    assert out["labels"].tolist() == ["B", "G"]
    assert 0.0 <= out["p_B"].min() and out["p_B"].max() <= 1.0
    reasons = json.loads(out.loc[0, "explanation"])
    assert set(reasons) == {"B"} and reasons["B"]
    assert any(term in {"visa", "consulate", "entry", "application"} for term in reasons["B"])


def test_tampered_model_is_refused(tiny_model_dir, tmp_path):
    copy = tmp_path / "tampered"
    copy.mkdir()
    for name in (MODEL_FILE, META_FILE):
        (copy / name).write_bytes((tiny_model_dir / name).read_bytes())
    with (copy / MODEL_FILE).open("ab") as fh:
        fh.write(b"\0")
    with pytest.raises(ModelError, match="hash does not match"):
        load_model(copy)


def test_model_from_other_library_versions_is_refused(tiny_model_dir, tmp_path):
    copy = tmp_path / "old"
    copy.mkdir()
    (copy / MODEL_FILE).write_bytes((tiny_model_dir / MODEL_FILE).read_bytes())
    meta = json.loads((tiny_model_dir / META_FILE).read_text())
    meta["library_versions"]["scikit-learn"] = "0.24.2"
    (copy / META_FILE).write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="scikit-learn 0.24.2"):
        load_model(copy)


def test_model_of_an_earlier_format_is_refused(tiny_model_dir, tmp_path):
    import skops.io as sio

    copy = tmp_path / "format1"
    copy.mkdir()
    # Format 1 saved the bare area Pipeline, with the relevance output inside it.
    saved = sio.load(tiny_model_dir / MODEL_FILE, trusted=sio.get_untrusted_types(
        file=tiny_model_dir / MODEL_FILE))
    sio.dump(saved["areas"], copy / MODEL_FILE)
    meta = json.loads((tiny_model_dir / META_FILE).read_text())
    meta.pop("model_format")
    meta["model_sha256"] = hashlib.sha256((copy / MODEL_FILE).read_bytes()).hexdigest()
    (copy / META_FILE).write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="earlier capmap.*retrain with `capmap train`"):
        load_model(copy)
    meta["model_format"] = MODEL_FORMAT  # a card that claims the format does not make the file one
    (copy / META_FILE).write_text(json.dumps(meta))
    with pytest.raises(ModelError, match=f"not a capmap model of format {MODEL_FORMAT}"):
        load_model(copy)


def test_model_trained_with_another_acronym_list_is_refused(tiny_model_dir, tmp_path):
    copy = tmp_path / "acronyms"
    copy.mkdir()
    (copy / MODEL_FILE).write_bytes((tiny_model_dir / MODEL_FILE).read_bytes())
    meta = json.loads((tiny_model_dir / META_FILE).read_text())
    assert meta["acronyms_sha256"]  # the card records the list the features were built with
    meta["acronyms_sha256"] = "0" * 64
    (copy / META_FILE).write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="another acronym list.*retrain"):
        load_model(copy)


def test_not_a_model_dir_is_refused(tmp_path):
    with pytest.raises(ModelError, match="not a capmap model"):
        load_model(tmp_path)


def test_evaluate_on_gold(tiny_model_dir, tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n".join(json.dumps(r) for r in [
        {"text": "The visa is checked by border guards at entry.", "lang": "en", "labels": ["B"]},
        {"text": "Le présent décret sera publié au Journal officiel.", "lang": "fr", "labels": []},
    ]))
    result = evaluate(load_model(tiny_model_dir), gold)
    assert result["units"] == 2
    assert result["per_area"]["B"]["support"] == 1
    assert result["macro_left_out"] == [c for c in "ACDEFGHI"]
    assert set(result["per_lang"]) == {"en", "fr"}


@pytest.mark.parametrize(
    ("y_true", "y_pred", "micro", "macro"),
    [
        ([[1, 0], [0, 1]], [[1, 0], [0, 1]], 1.0, 1.0),
        ([[1, 0], [0, 1]], [[1, 1], [0, 0]], 0.5, 0.5),  # A: F1 1; B: tp 0 -> F1 0
        ([[1, 0], [0, 0]], [[0, 0], [0, 0]], 0.0, 0.0),
    ],
)
def test_multilabel_scores_table(y_true, y_pred, micro, macro):
    scores = multilabel_scores(np.array(y_true), np.array(y_pred), ["A", "B"])["summary"]
    assert scores["micro_f1"] == pytest.approx(micro, abs=1e-3)
    assert scores["macro_f1"] == pytest.approx(macro, abs=1e-3)


def test_evaluate_applies_the_relevance_gate(tiny_model_dir, tiny_annotations):
    """Scoring must decide exactly as tagging does, gate included."""
    from pipeline.evaluate import gold_predictions

    model = load_model(tiny_model_dir)
    _, _, shut = gold_predictions(replace(model, relevance_gate=1.01), tiny_annotations)
    assert not shut.any()  # every unit is under a gate above 1
    _, _, open_ = gold_predictions(replace(model, relevance_gate=0.0), tiny_annotations)
    assert open_.any()


def test_micro_f1_difference_is_exact_and_brackets_a_real_gap():
    y = np.array([[1, 0], [0, 1], [1, 1], [0, 0]] * 25)
    worse = y.copy()
    worse[:20, 0] = 0  # 10 of the 100 positive cells missed
    delta, low, high = micro_f1_difference(y, y, worse, resamples=500, seed=1)
    assert delta == pytest.approx(1 - 2 * 90 / (2 * 90 + 10), abs=1e-9)
    assert 0 < low <= delta <= high
    same = micro_f1_difference(y, worse, worse, resamples=200, seed=1)
    assert same == (0.0, 0.0, 0.0)


def test_bootstrap_intervals_bracket_the_scores_and_shrink_with_more_units():
    y = np.array([[1, 0], [0, 1], [1, 1], [0, 0]] * 10)
    pred = y.copy()
    pred[:8, 0] = 0  # 4 of the 40 positive A cells missed
    scores = multilabel_scores(y, pred, ["A", "B"])["summary"]
    small = bootstrap_intervals(y, pred, resamples=500, seed=1)
    for key in ("micro_f1", "macro_f1"):
        low, high = small[key]
        assert low < scores[key] < high
    large = bootstrap_intervals(np.tile(y, (10, 1)), np.tile(pred, (10, 1)), resamples=500,
                                seed=1)
    assert np.diff(large["micro_f1"]) < np.diff(small["micro_f1"])
    assert bootstrap_intervals(y, y, resamples=50, seed=1)["micro_f1"] == (1.0, 1.0)


def test_expected_calibration_error_is_zero_when_frequencies_match_and_grows_with_overconfidence():
    truth = np.array([1, 0, 0, 0] * 5 + [1, 1, 1, 0] * 5)  # 25% then 75% positive
    matched = np.array([0.25] * 20 + [0.75] * 20)
    assert expected_calibration_error(matched, truth) == pytest.approx(0.0)
    overconfident = np.array([0.05] * 20 + [0.95] * 20)
    assert expected_calibration_error(overconfident, truth) == pytest.approx(0.2)


def test_evaluate_cli_rejects_unknown_area_code(tiny_model_dir, tmp_path):
    gold = tmp_path / "bad.jsonl"
    gold.write_text('{"text": "x", "lang": "en", "labels": ["Z"]}\n')
    result = CliRunner().invoke(main, ["evaluate", "--gold", str(gold), "--model", str(tiny_model_dir)])
    assert result.exit_code == 2
    assert "bad.jsonl:1" in result.output and "Z" in result.output
    assert "Traceback" not in result.output


def test_evaluate_cli_json_keys(tiny_model_dir, tiny_annotations):
    result = CliRunner().invoke(main, ["evaluate", "--gold", str(tiny_annotations),
                                       "--model", str(tiny_model_dir), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {"micro_f1", "macro_f1", "per_area", "per_lang"} <= set(data)
    low, high = data["micro_f1_interval"]
    assert low <= data["micro_f1"] <= high
    assert set(data["calibration"]["per_area"]) == set("ABCDEFGHI")
    assert 0 <= data["calibration"]["ece"] <= 1


def test_train_params_map_onto_pipeline():
    from pipeline.model import build_pipeline

    pipe = build_pipeline(replace(TINY, C=0.5, word_ngram_max=3))
    assert pipe.get_params()["clf__estimator__C"] == 0.5
    assert pipe.get_params()["features__word__ngram_range"] == (1, 3)


def test_card_never_shows_an_evaluation_of_another_model(tiny_annotations, tmp_path):
    """A retrain drops the old metrics.json, and a metrics.json measured on another model
    is left out of the card."""
    from pipeline.card import METRICS_FILE, write_model_card

    out = tmp_path / "m"
    train(tiny_annotations, out, TINY)
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"text": "visa at the border", "lang": "en", "labels": ["B"]}) + "\n")
    result = CliRunner().invoke(main, ["evaluate", "--gold", str(gold), "--model", str(out), "--card"])
    assert result.exit_code == 0, result.output
    assert "## Evaluation on" in (out / "model_card.md").read_text()
    metrics = json.loads((out / METRICS_FILE).read_text())
    train(tiny_annotations, out, replace(TINY, C=2.0))  # a different model in the same folder
    assert not (out / METRICS_FILE).exists()
    assert "## Evaluation on" not in (out / "model_card.md").read_text()
    (out / METRICS_FILE).write_text(json.dumps(metrics))  # stale file put back by hand
    assert "## Evaluation on" not in write_model_card(out).read_text()


def test_decision_rule_fills_only_near_misses():
    """Thresholds first; a unit with no area over its threshold gets its top area only when
    probability/threshold reaches the fill ratio and it is long enough to be a provision,
    and never a second one."""
    from pipeline.classify import decide_labels

    thresholds = np.array([0.5, 0.4])
    proba = np.array([[0.6, 0.5],    # both over: both, fill irrelevant
                      [0.3, 0.36],   # none over; best ratio 0.9 (area 2) -> area 2 only
                      [0.2, 0.2],    # none over; best ratio 0.5 < 0.8 -> stays empty
                      [0.45, 0.1]])  # none over; ratio 0.9 (area 1) -> area 1
    words = np.array([20, 20, 20, 20])
    got = decide_labels(proba, thresholds, 0.8, words, fill_min_words=15)
    assert got.tolist() == [[True, True], [False, True], [False, False], [True, False]]
    off = decide_labels(proba, thresholds, 1.0, words, fill_min_words=15)
    assert off.tolist() == (proba >= thresholds).tolist()
    # Short units (headings, table cells) are never filled.
    short = decide_labels(proba, thresholds, 0.8, np.array([20, 6, 20, 14]), fill_min_words=15)
    assert short.tolist() == [[True, True], [False, False], [False, False], [False, False]]


def test_fill_ratio_is_chosen_on_out_of_fold_f1_and_ties_keep_thresholds_alone():
    from pipeline.train import choose_fill_and_gate

    thresholds = np.array([0.5, 0.5])
    y = np.array([[1, 0], [0, 1], [0, 0]])
    # Unit 1 falls short at ratio 0.8 and is truly area 1: filling it helps; unit 3 is
    # empty with best ratio 0.4: filling it would hurt.
    proba = np.array([[0.9, 0.1], [0.1, 0.4], [0.2, 0.1]])
    words = np.array([20, 20, 20])
    half = replace(TINY, fill_ratio_min=0.5)
    assert choose_fill_and_gate(y, proba, thresholds, words, None, half) == (0.8, 0.0)
    # Nothing to gain: every ratio ties with 1.0 (thresholds alone), which wins the tie.
    proba_clear = np.array([[0.9, 0.1], [0.1, 0.9], [0.1, 0.1]])
    assert choose_fill_and_gate(y, proba_clear, thresholds, words, None, half) == (1.0, 0.0)
    # fill_ratio_min 1.0 turns the rule off.
    assert choose_fill_and_gate(y, proba, thresholds, words, None,
                                replace(TINY, fill_ratio_min=1.0)) == (1.0, 0.0)


def test_relevance_gate_empties_units_unlikely_to_address_any_area():
    from pipeline.classify import decide_labels
    from pipeline.train import choose_fill_and_gate

    thresholds = np.array([0.5, 0.5])
    # Unit 3 is general law: its area 1 is over threshold, but the relevance output says no.
    proba = np.array([[0.9, 0.1], [0.1, 0.8], [0.7, 0.1]])
    p_any = np.array([0.9, 0.6, 0.2])
    words = np.array([20, 20, 20])
    gated = decide_labels(proba, thresholds, 1.0, words, 15, p_any, gate=0.5)
    assert gated.tolist() == [[True, False], [False, True], [False, False]]
    assert decide_labels(proba, thresholds, 1.0, words, 15, p_any, gate=0.0).tolist() == (
        proba >= thresholds).tolist()
    y = np.array([[1, 0], [0, 1], [0, 0]])
    exact = replace(TINY, relevance_gate_tolerance=0.0)
    fill, gate = choose_fill_and_gate(y, proba, thresholds, words, p_any, exact)
    # Every gate in 0.25-0.6 empties unit 3 and no other: the tie goes to the largest.
    assert (fill, gate) == (1.0, 0.6)
    # relevance_gate_max 0 turns the gate off.
    assert choose_fill_and_gate(y, proba, thresholds, words, p_any,
                                replace(TINY, relevance_gate_max=0.0)) == (1.0, 0.0)


def test_gate_near_tie_goes_to_the_larger_gate_and_a_clear_win_does_not():
    from pipeline.train import choose_fill_and_gate

    thresholds = np.array([0.5])
    # 1,000 units with an area and p_any 0.9; one of them has p_any 0.32, and 10 general-law
    # units sit at p_any 0.35. Gate 0.3 keeps the odd true unit and tags the 10 general-law
    # units; gate 0.4 loses that unit and empties all 10.
    n_true, n_general = 1000, 10
    proba = np.full((n_true + n_general, 1), 0.9)
    y = np.r_[np.ones(n_true), np.zeros(n_general)].astype(int)[:, None]
    p_any = np.r_[np.full(n_true - 1, 0.9), 0.32, np.full(n_general, 0.35)]
    words = np.full(n_true + n_general, 20)
    gates_only = replace(TINY, fill_ratio_min=1.0, relevance_gate_max=0.4)
    # Gate 0.4 scores best (one miss against ten false tags): chosen at any tolerance.
    assert choose_fill_and_gate(y, proba, thresholds, words, p_any,
                                replace(gates_only, relevance_gate_tolerance=0.0))[1] == 0.4
    # Without the general-law units the gates up to 0.3 win by one unit of 1,000 (micro-F1
    # 1.0 against 0.9995): a near-tie within the default tolerance goes to the larger gate,
    # an exact rule keeps the best.
    args = (y[:n_true], proba[:n_true], thresholds, words[:n_true], p_any[:n_true])
    assert choose_fill_and_gate(*args, replace(gates_only, relevance_gate_tolerance=0.001))[1] == 0.4
    assert choose_fill_and_gate(*args, replace(gates_only, relevance_gate_tolerance=0.0))[1] == 0.3


def test_trained_model_carries_the_relevance_output(tiny_model_dir):
    from pipeline.classify import predict_scores

    model = load_model(tiny_model_dir)
    assert 0.0 <= model.relevance_gate <= 0.7
    assert json.loads((tiny_model_dir / META_FILE).read_text())["relevance_data"] is None
    proba, p_any = predict_scores(model, ["border guards check the passport and the visa",
                                          "the court deliberates in private"])
    assert proba.shape == (2, len(model.labels)) and p_any.shape == (2,)
    assert p_any[0] > p_any[1]


# General law that shares the area units' words (entry, passport, order, territory).
GENERAL_LAW = ["the entry of goods into the bonded warehouse is recorded by the customs office",
               "a passport photograph of the applicant is attached to the driving licence form",
               "the order of the court is enforced by the bailiff within the territory",
               "l'entrée des marchandises en entrepôt est inscrite au registre des douanes",
               "la photographie du demandeur est jointe au dossier de permis de conduire",
               "le jugement est exécuté par l'huissier sur tout le territoire"]


def test_relevance_annotations_train_the_relevance_classifier_only(
        tiny_annotations, tiny_model_dir, tmp_path):
    from pipeline.classify import predict_scores

    general = tmp_path / "general.jsonl"
    general.write_text("\n".join(json.dumps({"id": f"g-{k}-{i}", "lang": "en", "labels": [],
                                             "text": f"{t} (copy {k})"})
                                 for k in range(3) for i, t in enumerate(GENERAL_LAW)) + "\n")
    train(tiny_annotations, tmp_path / "with", TINY, general)
    without, with_ = load_model(tiny_model_dir), load_model(tmp_path / "with")
    assert with_.meta["relevance_data"]["units"] == 18
    assert with_.meta["training_data"] == without.meta["training_data"]
    probe = ["the entry of goods is recorded at the customs office",
             "border guards check the passport and the entry visa"]
    areas_without, any_without = predict_scores(without, probe)
    areas_with, any_with = predict_scores(with_, probe)
    # The area classifiers never saw the general law; the relevance classifier did.
    np.testing.assert_allclose(areas_with, areas_without)
    assert any_with[0] < any_without[0] - 0.1
    assert any_with[1] > 0.5


def test_train_cli_takes_relevance_annotations_or_none(tiny_annotations, tmp_path):
    general = tmp_path / "general.jsonl"
    general.write_text("\n".join(json.dumps({"id": f"g-{i}", "lang": "en", "labels": [],
                                             "text": t}) for i, t in enumerate(GENERAL_LAW)))
    params = tmp_path / "params.yaml"  # the CLI default points at this folder
    params.write_text(f"train:\n  relevance_annotations: {general}\n  cv_folds: 3\n  min_df: 1\n")
    base = ["train", "--annotations", str(tiny_annotations), "--params", str(params)]
    with_data = CliRunner().invoke(main, [*base, "-o", str(tmp_path / "with")])
    assert with_data.exit_code == 0, with_data.output
    assert "(+6 for relevance)" in with_data.output
    assert load_model(tmp_path / "with").meta["relevance_data"]["units"] == 6
    without = CliRunner().invoke(main, [*base, "--no-relevance-annotations",
                                        "-o", str(tmp_path / "without")])
    assert without.exit_code == 0, without.output
    assert load_model(tmp_path / "without").meta["relevance_data"] is None


def test_relevance_annotations_must_not_reuse_training_ids(tiny_annotations, tmp_path):
    clash = tmp_path / "clash.jsonl"
    clash.write_text(json.dumps({"id": "n-0-0", "lang": "en", "labels": [],
                                 "text": "the customs office records the goods"}) + "\n")
    result = CliRunner().invoke(main, ["train", "--annotations", str(tiny_annotations),
                                       "--relevance-annotations", str(clash),
                                       "-o", str(tmp_path / "m")])
    assert result.exit_code != 0
    assert "clash.jsonl" in result.output and "n-0-0" in result.output


def test_length_bins_one_hot_at_the_edges():
    from pipeline.features import length_bins

    texts = ["", "one two three four", "one two three four five", " ".join(["w"] * 61)]
    bins = length_bins(texts, edges=[4, 8, 15, 30, 60]).toarray()
    assert bins.shape == (4, 6)
    assert bins.sum(axis=1).tolist() == [1, 1, 1, 1]
    assert bins.argmax(axis=1).tolist() == [0, 0, 1, 5]


def test_shipped_model_leaves_headings_untagged_but_tags_the_provisions(shipped_model):
    """Taxonomy rule 6: a heading carries no area, even when it names one; the provision
    under it does. (None of these texts is in the training data.)"""
    from pipeline.classify import predict_labels

    headings = [
        "Chapitre 5 : Éloignement des étrangers en situation irrégulière",
        "Annexe 2 : Examen médical des demandeurs",
        "Title 3: Rules on family reunification",
        "Section 12: Removal of persons without leave",
    ]
    provisions = {
        "Le conjoint et les enfants mineurs de l'étranger titulaire d'un titre de séjour depuis "
        "au moins deux ans peuvent le rejoindre au titre du regroupement familial.": "H",
        "A person who has no leave to remain may be removed to the country of which they are "
        "a national.": "G",
    }
    texts = headings + list(provisions)
    decided = predict_labels(shipped_model, texts)
    assert not decided[: len(headings)].any()
    for row, area in zip(decided[len(headings):], provisions.values(), strict=True):
        assert row[shipped_model.labels.index(area)]


def test_units_of_a_no_area_kind_keep_their_probabilities_but_get_no_area(shipped_model, repo):
    """Taxonomy rule 6 as tagging applies it: headings longer than the heading annotations
    still get areas from the main classifiers, so units of a kind in
    params tag.no_area_kinds (headings by default) get none; their probabilities stay, and
    decided_by says the kind decided. (These headings are not in the training data.)"""
    from pipeline.params import load_params
    from pipeline.tag import tag_units

    headings = pd.DataFrame({
        "text": ["SUBMIT THE ENTRY VISA APPLICATION AT THE CONSULATE OF YOUR HOME COUNTRY",
                 "Removal of foreign nationals without leave to remain in the territory"],
        "kind": "heading",
    })
    free = classify_units(shipped_model, headings, top_terms=3, batch_size=256, no_area_kinds=())
    assert free["labels"].tolist() == ["B", "G"]  # what the classifiers alone say
    ruled = classify_units(shipped_model, headings, top_terms=3, batch_size=256,
                           no_area_kinds=("heading",))
    assert (ruled["labels"] == "").all() and (ruled["explanation"] == "{}").all()
    assert ruled["decided_by"].tolist() == ["kind", "kind"]
    pd.testing.assert_frame_equal(ruled.filter(like="p_"), free.filter(like="p_"))
    units = pd.DataFrame({column: [""] * 3 for column in UNIT_COLUMNS})
    units["text"] = [*headings["text"], "Removal orders against foreign nationals without "
                     "leave to remain are enforced by the police."]
    units["kind"] = ["heading", "heading", "paragraph"]
    tagged = tag_units(units, shipped_model, load_params(repo / "params.yaml"))
    assert tagged["labels"].tolist() == ["", "", "G"]
    assert tagged["decided_by"].tolist() == ["kind", "kind", "main"]


def test_evaluate_reads_gold_units_shaped_like_headings_as_headings(shipped_model, tmp_path):
    """A gold unit has no kind: one read as a heading from its text (short, no final
    punctuation) gets no area, as it would in a document (taxonomy rule 6)."""
    rows = [
        {"text": "Removal of foreign nationals without leave to remain in the territory",
         "lang": "en", "labels": []},
        {"text": "Removal orders against foreign nationals without leave to remain are "
                 "enforced by the police.", "lang": "en", "labels": ["G"]},
    ]
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n".join(json.dumps(row) for row in rows) + "\n")
    ruled = evaluate(shipped_model, gold)
    assert ruled["micro_f1"] == 1.0 and ruled["no_area_accuracy"] == 1.0
    free = evaluate(shipped_model, gold, no_area_kinds=())
    assert free["per_area"]["G"]["precision"] == 0.5  # the heading tagged G


SHORT_PROVISIONS = [  # one-line provisions, each with the area it addresses
    {"id": "s-b-0", "lang": "en", "labels": ["B"], "text": "Visas are checked at the border."},
    {"id": "s-b-1", "lang": "fr", "labels": ["B"], "text": "Le visa est contrôlé à la frontière."},
    {"id": "s-g-0", "lang": "en", "labels": ["G"], "text": "Removal orders are enforced promptly."},
    {"id": "s-g-1", "lang": "fr", "labels": ["G"], "text": "L'éloignement est exécuté sans délai."},
    {"id": "s-n-0", "lang": "en", "labels": [], "text": "This decree applies from today."},
    {"id": "s-n-1", "lang": "fr", "labels": [], "text": "Le présent décret s'applique dès demain."},
]


@pytest.fixture(scope="module")
def tiny_short_model_dir(tiny_annotations, tmp_path_factory) -> Path:
    """The tiny model with short-unit classifiers, trained through the CLI."""
    folder = tmp_path_factory.mktemp("short")
    short = folder / "short.jsonl"
    rows = [dict(r, id=f"{r['id']}-{k}") for k in range(3) for r in SHORT_PROVISIONS]
    short.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    params = folder / "params.yaml"
    params.write_text("train:\n  cv_folds: 3\n  min_df: 1\n  relevance_annotations: ''\n")
    out = folder / "model"
    result = CliRunner().invoke(main, ["train", "--annotations", str(tiny_annotations),
                                       "--short-annotations", str(short), "-o", str(out),
                                       "--params", str(params)])
    assert result.exit_code == 0, result.output
    assert "+18 short provisions" in result.output
    return out


def test_short_units_go_to_the_short_unit_classifiers_by_length_and_kind(tiny_short_model_dir):
    from pipeline.classify import _scores_of, short_route

    model = load_model(tiny_short_model_dir)
    meta = json.loads((tiny_short_model_dir / META_FILE).read_text())
    assert meta["short_units"]["max_words"] == 9
    assert meta["short_units"]["training_data"]["units"] == 18
    assert model.short is not None and model.short_kinds == ("paragraph", "article")
    assert "Short-unit classifiers" in (tiny_short_model_dir / "model_card.md").read_text()
    short_text = "Visas are checked at the crossing."
    long_text = "border guards check the passport and the entry visa at the crossing point today"
    texts = [short_text, short_text, short_text, long_text]
    kinds = ["paragraph", "heading", "footnote", "paragraph"]
    assert short_route(model, texts, kinds).tolist() == [True, False, False, False]
    assert short_route(model, texts).tolist() == [True, True, True, False]  # gold units: no kind
    got = score_units(model, texts, kinds, top_terms=2)
    by_short = _scores_of(model.short, [short_text], None).proba
    by_main = _scores_of(model, texts[1:], None).proba
    np.testing.assert_allclose(got.proba[:1], by_short)
    np.testing.assert_allclose(got.proba[1:], by_main)
    assert not np.allclose(by_short[0], by_main[0])
    assert len(got.explanation) == 4
    assert got.decided_by == ["short", "kind", "main", "main"]  # headings: no area by default
    tagged = classify_units(model, pd.DataFrame({"text": texts, "kind": kinds}),
                            top_terms=2, batch_size=2)
    assert tagged["decided_by"].tolist() == ["short", "kind", "main", "main"]


def test_a_model_without_short_unit_classifiers_routes_nothing(tiny_model_dir):
    from pipeline.classify import short_route

    model = load_model(tiny_model_dir)
    assert model.short is None
    assert json.loads((tiny_model_dir / META_FILE).read_text())["short_units"] is None
    assert not short_route(model, ["Visas are checked."], ["paragraph"]).any()


def test_shipped_model_tags_one_line_provisions_but_not_short_headings(shipped_model):
    """A one-line provision of a document gets its area from the short-unit classifiers;
    the same words as a heading or table row stay with the main classifiers, which give
    units that short no area (taxonomy rule 6). (None of these texts is in the training
    data or the check sets.)"""
    provisions = {
        "Le visa de transit aéroportuaire est exigé.": "B",
        "The removal order is enforced by the police.": "G",
        "Seasonal workers must be sponsored by an employer.": "D",
        "Migrants receive free emergency medical care.": "F",
    }
    as_paragraphs = classify_units(shipped_model, pd.DataFrame(
        {"text": list(provisions), "kind": "paragraph"}), top_terms=3, batch_size=2)
    assert as_paragraphs["labels"].tolist() == list(provisions.values())
    assert all(json.loads(reason) for reason in as_paragraphs["explanation"])
    as_headings = classify_units(shipped_model, pd.DataFrame(
        {"text": list(provisions), "kind": ["heading", "heading", "table", "footnote"]}),
        top_terms=3, batch_size=256)
    assert (as_headings["labels"] == "").all()


def test_shipped_model_on_the_short_unit_check_set(shipped_model, repo):
    """Short provisions get their areas and headings stay empty (corpus/checks, never
    trained on): before wave 13 the model scored 0.667 and left 40 of 86 provisions
    untagged; the shipped one scores 0.804."""
    result = evaluate(shipped_model, repo / "corpus" / "checks" / "short_units.jsonl")
    assert result["micro_f1"] >= 0.75
    assert result["no_area_accuracy"] >= 0.8


def test_shipped_model_on_the_very_short_unit_check_set(shipped_model, repo):
    """One-line provisions of 2-9 words get their areas and headings that short stay
    empty (corpus/checks, never trained on): 0.265 without the short-unit classifiers,
    0.868 with them."""
    result = evaluate(shipped_model, repo / "corpus" / "checks" / "very_short_units.jsonl")
    assert result["micro_f1"] >= 0.8
    assert result["no_area_accuracy"] >= 0.8


def test_evaluate_units_table_traces_every_count(tiny_model_dir, tiny_annotations, tmp_path):
    """--units writes one row per gold unit, and the evaluation's counts can be rebuilt
    from its rows: per area, true positives and misses; overall, exact matches."""
    import pandas as pd

    gold_lines = [json.loads(line) for line in tiny_annotations.read_text().splitlines() if line.strip()]
    for row in gold_lines[:4]:  # relabelled so that the model both misses and adds areas
        row["labels"] = ["E"] if "E" not in row["labels"] else []
    gold_lines.append({"text": "=HYPERLINK(\"http://x.example\") visa", "lang": "en", "labels": ["B"]})
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n".join(json.dumps(row) for row in gold_lines) + "\n")
    units = tmp_path / "sub" / "units.csv"
    result = CliRunner().invoke(main, ["evaluate", "--gold", str(gold), "--model",
                                       str(tiny_model_dir), "--json", "--units", str(units)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    table = pd.read_csv(units, keep_default_na=False)
    assert table["text"].tolist()[:-1] == [row["text"] for row in gold_lines][:-1]
    assert table["text"].iloc[-1] == "'" + gold_lines[-1]["text"]  # no formula in a spreadsheet
    assert table["agrees"].mean() == pytest.approx(data["exact_match"], abs=1e-3)
    for code, scores in data["per_area"].items():
        gold_has = table["gold"].str.split("|").apply(lambda codes, c=code: c in codes)
        missed = table["missed"].str.split("|").apply(lambda codes, c=code: c in codes)
        predicted = table["predicted"].str.split("|").apply(lambda codes, c=code: c in codes)
        assert gold_has.sum() == scores["support"]
        assert (gold_has & ~predicted).sum() == missed.sum()
        assert scores["recall"] == pytest.approx(
            (gold_has & predicted).sum() / gold_has.sum() if gold_has.sum() else 0.0, abs=1e-3)
    predicted_rows = table[table["predicted"] != ""]
    assert len(predicted_rows) and (table["missed"] != "").any() and (table["extra"] != "").any()
    assert all(set(json.loads(e)) <= set(p.split("|"))
               for e, p in zip(predicted_rows["explanation"], predicted_rows["predicted"], strict=True))
    assert {"p_any_area", *(f"p_{c}" for c in "ABCDEFGHI")} <= set(table.columns)
    # The tiny model has no short-unit classifiers; the unpunctuated line reads as a heading.
    assert table["decided_by"].tolist() == ["main"] * (len(table) - 1) + ["kind"]



def test_a_gold_file_with_a_byte_order_mark_is_read(tmp_path):
    from pipeline.annotations import read_labelled_jsonl

    gold = tmp_path / "gold.jsonl"
    line = json.dumps({"text": "Le visa est délivré.", "lang": "fr", "labels": ["B"]})
    gold.write_bytes((line + "\r\n").encode("utf-8-sig"))
    assert read_labelled_jsonl(gold)["labels"].tolist() == [["B"]]


# One plain provision of 10-20 words per area, and general law: written for this test after
# the length bins were narrowed (the model before that missed five of them, all of 10-15
# words, for their length alone).
_PLAIN_PROVISIONS = [
    ("A", "The Diaspora Investment Fund offers bonds to nationals living abroad who wish "
          "to finance projects at home."),
    ("B", "Tout étranger qui entre sur le territoire doit présenter un passeport en cours "
          "de validité revêtu d'un visa."),
    ("C", "La victime de la traite des êtres humains bénéficie d'un délai de réflexion de "
          "trente jours."),
    ("D", "The bilateral labour agreement sets annual quotas for seasonal agricultural workers."),
    ("E", "Le projet soutient l'agriculture locale dans les régions de départ afin de réduire "
          "la pression migratoire."),
    ("F", "Migrants in an irregular situation have access to emergency health care free of charge."),
    ("G", "Returnees receive reintegration assistance including a grant to start a small business."),
    ("H", "Un étranger peut demander la naturalisation après cinq années de résidence régulière."),
    ("I", "Le Comité interministériel des migrations coordonne la politique nationale migratoire."),
    ("", "The employer shall pay wages at least once a month by bank transfer."),
    ("", "Les fonctionnaires sont recrutés par voie de concours."),
]


# Provisions that name their topic by an acronym only (written for this test; the model
# before acronym expansion tagged 5 of the first 8 and missed the UASC, MNA and MHPSS ones).
_ACRONYM_PROVISIONS = [
    ("F", "Applicants from listed countries must present a TB certificate from an approved "
          "clinic."),
    ("F", "A chest X-ray is required to obtain the TB clearance certificate before departure."),
    ("G", "Beneficiaries of VHR from Libya received a cash grant after arrival in their country."),
    ("C", "Each UASC is assigned a guardian within three working days of identification."),
    ("G", "L'étranger qui fait l'objet d'une OQTF dispose d'un délai de trente jours pour partir."),
    ("C", "Les MNA sont pris en charge par l'aide sociale à l'enfance du département."),
    ("C", "The NRM decides within 45 days whether the person is a victim."),
    ("F", "MHPSS services were offered to returnees in all five countries."),
    # Added with the second list (LMIA, TFW, SAWP, PDOS, OFW, NRPF, FGM); with its
    # acronyms unknown this one gets D 0.04 and no area.
    ("D", "Every OFW must attend a PDOS before deployment."),
]


@pytest.mark.parametrize("provisions", [_PLAIN_PROVISIONS, _ACRONYM_PROVISIONS],
                         ids=["plain provisions of 10-20 words", "topic named by an acronym"])
def test_shipped_model_tags_provisions_with_their_area(shipped_model, provisions):
    scores = score_units(shipped_model, [text for _, text in provisions])
    for (area, text), decided in zip(provisions, scores.decided, strict=True):
        tagged = {shipped_model.labels[i] for i in np.flatnonzero(decided)}
        assert (area in tagged) if area else not tagged, (text, tagged)
