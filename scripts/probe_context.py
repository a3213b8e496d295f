"""Does a provision keep its area when procedural text surrounds it, as in real articles?

Real articles state one rule among conditions, deadlines and delegations ("La demande est
déposée auprès de l'autorité compétente… Les modalités d'application sont précisées par
décret"); our written units mostly state the rule alone. This probe sets each of a few
plain provisions (written by the project, one clear area each) alone, after, before and
inside about 75 words of procedural text of its own language, and prints how many keep
their area and their probability of it. The procedural text alone must get no area.

Usage: python scripts/probe_context.py [--model DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

# Procedural text with no area (taxonomy: "procedural boilerplate"), one per language.
CONTEXT = {
    "fr": ("Les dispositions du présent article s'appliquent sous réserve des conventions "
           "internationales. La demande est déposée auprès de l'autorité compétente, qui en "
           "délivre récépissé. Le dossier comprend les pièces dont la liste est fixée par arrêté "
           "du ministre. L'autorité se prononce dans un délai de deux mois à compter de la "
           "réception du dossier complet. Le silence gardé pendant ce délai vaut décision de "
           "rejet. Les modalités d'application du présent article sont précisées par décret en "
           "Conseil d'Etat."),
    "en": ("This section applies subject to the international obligations of the State. An "
           "application must be made in the form prescribed by the Minister and accompanied by "
           "the documents listed in the Schedule. The Minister shall decide the application "
           "within sixty days of receiving a complete application. A decision under this "
           "section shall be notified in writing with reasons. The Minister may make "
           "regulations prescribing the fees payable and any other matter necessary for giving "
           "effect to this section."),
}
# (area, language, provision)
PROVISIONS = [
    ("H", "fr", "Un étranger peut demander la naturalisation après cinq années de résidence "
                "régulière."),
    ("G", "fr", "L'étranger qui fait l'objet d'une obligation de quitter le territoire français "
                "dispose d'un délai de trente jours pour partir."),
    ("C", "fr", "La victime de la traite des êtres humains bénéficie d'un délai de réflexion de "
                "trente jours."),
    ("D", "fr", "Un employeur ne peut recruter un travailleur étranger sans autorisation de "
                "travail."),
    ("F", "en", "The applicant must undergo a medical examination by an approved physician "
                "before a visa is issued."),
    ("B", "en", "A carrier shall not bring to the State a passenger who does not hold a valid "
                "passport and visa."),
    ("H", "en", "A person who has resided lawfully for five years may apply for a long-term "
                "residence permit and for family reunification."),
    ("C", "en", "An unaccompanied child shall be appointed a guardian and shall not be "
                "detained."),
]
VARIANTS = ("alone", "context before", "context after", "context around")


def compose(provision: str, context: str, variant: str) -> str:
    """The provision in one of the ``VARIANTS`` positions relative to ``context``."""
    return {"alone": provision,
            "context before": f"{context} {provision}",
            "context after": f"{provision} {context}",
            "context around": f"{context} {provision} {context}"}[variant]


def probe(model) -> tuple[pd.DataFrame, list[list[str]]]:
    """One row per provision and variant (area, variant, words, probability of the area,
    tagged), and the areas the model gives each context alone."""
    from pipeline.classify import score_units

    rows = [(area, variant, compose(text, CONTEXT[lang], variant))
            for area, lang, text in PROVISIONS for variant in VARIANTS]
    scores = score_units(model, [text for _, _, text in rows])
    table = pd.DataFrame([
        {"area": area, "variant": variant, "words": len(text.split()),
         "probability": float(proba[model.labels.index(area)]),
         "tagged": area in {model.labels[i] for i in np.flatnonzero(decided)}}
        for (area, variant, text), proba, decided in zip(rows, scores.proba, scores.decided,
                                                          strict=True)])
    context_scores = score_units(model, list(CONTEXT.values()))
    context_areas = [[model.labels[i] for i in np.flatnonzero(decided)]
                     for decided in context_scores.decided]
    return table, context_areas


def main() -> None:
    from pipeline.model import load_model

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=Path("models/default"))
    args = parser.parse_args()
    table, context_areas = probe(load_model(args.model))
    for variant in VARIANTS:
        part = table[table["variant"] == variant]
        print(f"{variant:15s} {int(part['tagged'].sum())} of {len(part)} keep their area "
              f"(median {int(part['words'].median())} words; probability of the area "
              f"{' '.join(f'{p:.2f}' for p in part['probability'])})")
    print("procedural text alone: "
          + ", ".join(f"{lang} {'|'.join(areas) or 'no area'}"
                      for lang, areas in zip(CONTEXT, context_areas, strict=True)))


if __name__ == "__main__":
    main()
