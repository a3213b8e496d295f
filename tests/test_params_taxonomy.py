"""params.yaml is the one configuration file; the taxonomy is data with a fixed order."""

from __future__ import annotations

from dataclasses import asdict

import pytest
import yaml

from pipeline.params import ParamsError, load_params
from pipeline.taxonomy import area_codes, load_taxonomy, validate_labels


def test_params_yaml_matches_dataclass_defaults(repo, tmp_path, monkeypatch):
    """The shipped params.yaml sets every key, and the built-in defaults equal it, so a
    run outside the checkout behaves like one inside it."""
    raw = yaml.safe_load((repo / "params.yaml").read_text())
    shipped = load_params(repo / "params.yaml")
    monkeypatch.chdir(tmp_path)  # no ./params.yaml here: built-in defaults
    defaults = load_params()
    for block, values in raw.items():
        assert set(values) == set(asdict(getattr(defaults, block)))  # every key is set
        assert getattr(defaults, block) == getattr(shipped, block)


def test_unknown_key_is_refused(tmp_path):
    bad = tmp_path / "p.yaml"
    bad.write_text("train:\n  not_a_key: 1\n")
    with pytest.raises(ParamsError, match="not_a_key"):
        load_params(bad)


def test_unknown_unit_kind_is_refused(tmp_path):
    bad = tmp_path / "p.yaml"
    bad.write_text("tag:\n  no_area_kinds: [headings]\n")
    with pytest.raises(ParamsError, match=r"tag.no_area_kinds: headings"):
        load_params(bad)
    bad.write_text("tag:\n  no_area_kinds: []\n")
    assert load_params(bad).tag.no_area_kinds == ()


def test_negative_gate_tolerance_is_refused(tmp_path):
    bad = tmp_path / "p.yaml"
    bad.write_text("train:\n  relevance_gate_tolerance: -0.01\n")
    with pytest.raises(ParamsError, match="relevance_gate_tolerance must be 0 or more"):
        load_params(bad)
    bad.write_text("train:\n  relevance_gate_tolerance: 0\n")
    assert load_params(bad).train.relevance_gate_tolerance == 0


def test_missing_named_params_file_is_refused(tmp_path):
    with pytest.raises(ParamsError, match="no such params file"):
        load_params(tmp_path / "absent.yaml")


def test_taxonomy_order_and_titles():
    tax = load_taxonomy()
    assert area_codes() == tuple("ABCDEFGHI")
    assert tax.area("G").title_fr.startswith("Retour")
    assert tax.version


@pytest.mark.parametrize(
    ("labels", "expected"),
    [(["G", "B"], ["B", "G"]), ([], []), (["I", "I"], ["I"])],
)
def test_validate_labels_sorts(labels, expected):
    assert validate_labels(labels) == expected


def test_validate_labels_rejects_unknown():
    with pytest.raises(ValueError, match="Z"):
        validate_labels(["A", "Z"])


def test_dvc_stages_depend_on_the_code_that_makes_their_outputs(repo):
    """`dvc repro` re-runs a stage when the code behind its output changes: every module
    whose source keys the batch cache (batch.RESULT_MODULES) is a dependency of the stage
    that runs it (extraction modules of `extract`, tagging modules of `tag`)."""
    from pipeline.batch import RESULT_MODULES

    stages = yaml.safe_load((repo / "dvc.yaml").read_text())["stages"]
    deps = {name: set(stage.get("deps", [])) for name, stage in stages.items()}
    stages_of = {"features": ["tag"], "classify": ["tag"], "tag": ["tag"],
                 "schema": ["extract", "tag"]}  # schema: the units' and the labels' format
    for module in RESULT_MODULES:
        for stage in stages_of.get(module, ["extract"]):
            assert f"pipeline/{module}.py" in deps[stage], (module, stage)


def test_labels_cell_round_trip():
    from pipeline.schema import join_labels, split_labels

    assert join_labels("ABC", [True, False, True]) == "A|C"
    assert join_labels("ABC", [False] * 3) == ""
    assert split_labels("A|C") == ["A", "C"]
    assert split_labels("") == [] and split_labels(None) == [] and split_labels(float("nan")) == []
