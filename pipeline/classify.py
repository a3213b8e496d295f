"""Units -> per-area probabilities, labels and the terms that drove each label."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline.features import word_counts
from pipeline.model import LoadedModel
from pipeline.params import TagParams
from pipeline.schema import (
    ANY_AREA_COLUMN,
    DECIDED_BY_KIND,
    DECIDED_BY_MAIN,
    DECIDED_BY_SHORT,
    join_labels,
    probability_column,
)
from pipeline.segment import lone_text_kind


def scores_from_features(pipeline, relevance, features) -> tuple[np.ndarray, np.ndarray]:
    """Units' feature matrix (from ``pipeline``'s feature union) -> (area probabilities,
    units x areas in taxonomy order; probability that each unit addresses any area), from
    the area Pipeline's classifier and the relevance classifier."""
    proba = pipeline.named_steps["clf"].predict_proba(features)
    return proba, relevance.predict_proba(features)[:, 1]


@dataclass(frozen=True)
class UnitScores:
    """What the model says of each unit: area probabilities (units x areas, taxonomy
    order), probability of addressing any area, the decided label matrix, per unit the
    JSON explanation of its labels (None when not asked for), and per unit what decided
    its labels (a ``schema.DECIDED_BY_*`` value)."""

    proba: np.ndarray
    p_any: np.ndarray
    decided: np.ndarray
    explanation: list[str] | None
    decided_by: list[str]


def short_route(model: LoadedModel, texts: Sequence[str],
                kinds: Sequence[str] | None = None) -> np.ndarray:
    """Which units the short-unit classifiers decide: those of at most
    ``model.short_max_words`` words and, when the units' kinds are known (units of a
    document), of one of ``model.short_kinds``. The main classifiers give every unit that
    short no area, since the only such training units they see are headings; headings,
    footnotes and table rows stay with them (taxonomy rule 6)."""
    if model.short is None or not len(texts):
        return np.zeros(len(texts), dtype=bool)
    routed = np.asarray(word_counts(texts)) <= model.short_max_words
    if kinds is not None:
        routed &= np.isin(np.asarray(kinds, dtype=object), list(model.short_kinds))
    return routed


def _scores_of(model: LoadedModel, texts: list[str], top_terms: int | None,
               no_area: np.ndarray | None = None) -> UnitScores:
    """``score_units`` for ``texts`` by ``model``'s own classifiers and rule, no routing;
    the units flagged in ``no_area`` get no area (and so no explanation)."""
    features = model.pipeline.named_steps["features"].transform(texts)
    proba, p_any = scores_from_features(model.pipeline, model.relevance, features)
    decided = decide(model, proba, texts, p_any)
    if no_area is not None:
        decided[no_area] = False
    reasons = None if top_terms is None else explain(model, features, decided, top_terms)
    return UnitScores(proba, p_any, decided, reasons, [DECIDED_BY_MAIN] * len(texts))


def score_units(model: LoadedModel, texts: Sequence[str], kinds: Sequence[str] | None = None,
                top_terms: int | None = None,
                no_area_kinds: Sequence[str] = TagParams.no_area_kinds) -> UnitScores:
    """Scores, labels and (with ``top_terms``) explanations for ``texts``, each unit by the
    classifiers that decide it: the short-unit ones for the units ``short_route`` picks,
    the main ones for the rest; units whose kind is in ``no_area_kinds`` keep their
    probabilities but get no area (taxonomy rule 6). Without ``kinds`` (gold units, text
    without layout) each unit's kind is read from its text (``segment.lone_text_kind``)."""
    texts = [str(t) for t in texts]
    if kinds is None:
        kinds = [lone_text_kind(text) for text in texts]
    n_areas = len(model.labels)
    routed = short_route(model, texts, kinds)
    no_area = np.isin(np.asarray(kinds, dtype=object), list(no_area_kinds))
    decided_by = np.where(routed, DECIDED_BY_SHORT, DECIDED_BY_MAIN).astype(object)
    decided_by[no_area] = DECIDED_BY_KIND
    out = UnitScores(np.zeros((len(texts), n_areas)), np.zeros(len(texts)),
                     np.zeros((len(texts), n_areas), dtype=bool),
                     None if top_terms is None else [""] * len(texts), decided_by.tolist())
    for classifiers, rows in ((model, np.flatnonzero(~routed)),
                              (model.short, np.flatnonzero(routed))):
        if len(rows):
            got = _scores_of(classifiers, [texts[i] for i in rows], top_terms, no_area[rows])
            out.proba[rows], out.p_any[rows], out.decided[rows] = got.proba, got.p_any, got.decided
            if out.explanation is not None:
                for i, reason in zip(rows, got.explanation, strict=True):
                    out.explanation[i] = reason
    return out


def predict_scores(model: LoadedModel, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(area probabilities, probability of any area) for ``texts`` (see ``score_units``)."""
    scores = score_units(model, texts)
    return scores.proba, scores.p_any


def predict_labels(model: LoadedModel, texts: Sequence[str]) -> np.ndarray:
    """Boolean label matrix (units x areas) for ``texts``, exactly as tagging decides."""
    return score_units(model, texts).decided


def decide_labels(proba: np.ndarray, thresholds: np.ndarray, fill_ratio: float,
                  n_words: np.ndarray, fill_min_words: int,
                  p_any: np.ndarray | None = None, gate: float = 0.0) -> np.ndarray:
    """Boolean label matrix: every area at or above its threshold; a unit of at least
    ``fill_min_words`` words with none gets its top area (by probability over threshold)
    when that ratio is at least ``fill_ratio``; then a unit whose probability of addressing
    any area (``p_any``) is under ``gate`` gets none.

    The fill exists because training has proportionally more no-area units than real
    documents: a provision whose best area falls just short of its threshold is more often
    under-called than truly empty. Shorter units (headings, captions, table cells) carry no
    area by the taxonomy's rule 6 and are never filled. ``fill_ratio`` >= 1 turns it off.
    The gate exists because the area models learn vocabulary ("employer", "appeal") that
    general laws share with migration law, which the taxonomy leaves without an area; a
    model trained on that one question (any area or none), with provisions of general law
    that only it sees, says so better. ``gate`` 0 turns it off.
    """
    decided = proba >= thresholds
    if fill_ratio < 1 and len(proba):
        ratio = proba / thresholds
        top = ratio.argmax(axis=1)
        fill = (~decided.any(axis=1) & (ratio.max(axis=1) >= fill_ratio)
                & (np.asarray(n_words) >= fill_min_words))
        decided[np.flatnonzero(fill), top[fill]] = True
    if gate > 0 and p_any is not None and len(proba):
        decided[np.asarray(p_any) < gate] = False
    return decided


def decide(model: LoadedModel, proba: np.ndarray, texts: Sequence[str],
           p_any: np.ndarray) -> np.ndarray:
    """Boolean label matrix for ``texts`` from their area probabilities, their probability
    of any area (both from ``scores_from_features``) and the model's rule."""
    return decide_labels(proba, model.thresholds, model.fill_ratio, word_counts(texts),
                         model.fill_min_words, p_any, model.relevance_gate)


def _area_weights(model: LoadedModel, n_word: int) -> np.ndarray:
    """Per-area weights of the word features (areas x word features)."""
    estimators = model.pipeline.named_steps["clf"].estimators_
    # An area absent from the training data has a constant predictor and no weights.
    return np.vstack(
        [est.coef_.ravel()[:n_word] if hasattr(est, "coef_") else np.zeros(n_word)
         for est in estimators]
    )


def explain(model: LoadedModel, features, decided: np.ndarray, top_n: int) -> list[str]:
    """For each unit, JSON {area: [top word n-grams by tf-idf x coefficient]} for its labels.

    ``features`` is the unit's feature matrix from the model's feature union. Only word
    features are used: character n-grams drive the model too, but a researcher cannot
    read them.
    """
    names = model.word_feature_names
    x = features.tocsr()[:, : len(names)]
    weights = _area_weights(model, len(names))
    out = []
    for i in range(x.shape[0]):
        # The row's slice of the CSR arrays (x.getrow would build a matrix per unit).
        lo, hi = x.indptr[i], x.indptr[i + 1]
        indices, data = x.indices[lo:hi], x.data[lo:hi]
        reasons = {}
        for j in np.flatnonzero(decided[i]):
            contrib = data * weights[j, indices]
            order = np.argsort(-contrib)[:top_n]
            reasons[model.labels[j]] = [str(names[indices[k]]) for k in order if contrib[k] > 0]
        out.append(json.dumps(reasons, ensure_ascii=False, sort_keys=True))
    return out


def classify_units(
    model: LoadedModel, units: pd.DataFrame, top_terms: int, batch_size: int,
    no_area_kinds: Sequence[str] = TagParams.no_area_kinds,
) -> pd.DataFrame:
    """Return ``units`` with p_<area> columns, ``labels`` ("B|G"), ``explanation``, the
    probability that the unit addresses any area (``p_any_area``) and ``decided_by``.
    Units of a few words are routed by their ``kind`` (see ``short_route``), and units of
    a kind in ``no_area_kinds`` get no area (see ``score_units``)."""
    frames = []
    for start in range(0, len(units), batch_size) or [0]:
        batch = units.iloc[start : start + batch_size].copy()
        kinds = batch["kind"].astype(str).tolist() if "kind" in batch else None
        scores = score_units(model, batch["text"].astype(str).tolist(), kinds, top_terms,
                             no_area_kinds)
        for j, code in enumerate(model.labels):
            batch[probability_column(code)] = np.round(scores.proba[:, j], 6)
        batch[ANY_AREA_COLUMN] = np.round(scores.p_any, 6)
        batch["labels"] = [join_labels(model.labels, row) for row in scores.decided]
        batch["explanation"] = scores.explanation
        batch["decided_by"] = scores.decided_by
        frames.append(batch)
    return pd.concat(frames, ignore_index=True)
