"""Measurement scripts whose numbers the README and the issue notes quote."""

from __future__ import annotations

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
