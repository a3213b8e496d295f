"""Units -> per-area probabilities, labels and the terms that drove each label."""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
import pandas as pd

from pipeline.features import word_counts
from pipeline.model import LoadedModel
from pipeline.schema import ANY_AREA_COLUMN, join_labels, probability_column


def scores_from_features(pipeline, relevance, features) -> tuple[np.ndarray, np.ndarray]:
    """Units' feature matrix (from ``pipeline``'s feature union) -> (area probabilities,
    units x areas in taxonomy order; probability that each unit addresses any area), from
    the area Pipeline's classifier and the relevance classifier."""
    proba = pipeline.named_steps["clf"].predict_proba(features)
    return proba, relevance.predict_proba(features)[:, 1]


def predict_scores(model: LoadedModel, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(area probabilities, probability of any area) for ``texts``."""
    if not len(texts):
        return np.zeros((0, len(model.labels))), np.zeros(0)
    features = model.pipeline.named_steps["features"].transform(list(texts))
    return scores_from_features(model.pipeline, model.relevance, features)


def predict_labels(model: LoadedModel, texts: Sequence[str]) -> np.ndarray:
    """Boolean label matrix (units x areas) for ``texts``: scores, then the model's rule,
    exactly as tagging decides."""
    proba, p_any = predict_scores(model, texts)
    return decide(model, proba, texts, p_any)


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


def _word_feature_names(model: LoadedModel) -> np.ndarray:
    """Names of the word features, which come first in the feature union's columns."""
    union = model.pipeline.named_steps["features"]
    return dict(union.transformer_list)["word"].get_feature_names_out()


def _area_weights(model: LoadedModel, n_word: int) -> np.ndarray:
    """Per-area weights of the word features (areas x word features)."""
    estimators = model.pipeline.named_steps["clf"].estimators_
    # An area absent from the training data has a constant predictor and no weights.
    return np.vstack(
        [est.coef_.ravel()[:n_word] if hasattr(est, "coef_") else np.zeros(n_word)
         for est in estimators]
    )


def explain(model: LoadedModel, features, decided: np.ndarray, top_n: int,
            names: np.ndarray | None = None) -> list[str]:
    """For each unit, JSON {area: [top word n-grams by tf-idf x coefficient]} for its labels.

    ``features`` is the unit's feature matrix from the model's feature union. Only word
    features are used: character n-grams drive the model too, but a researcher cannot
    read them.
    """
    names = _word_feature_names(model) if names is None else names
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
    model: LoadedModel, units: pd.DataFrame, top_terms: int, batch_size: int
) -> pd.DataFrame:
    """Return ``units`` with p_<area> columns, ``labels`` ("B|G"), ``explanation`` and the
    probability that the unit addresses any area (``p_any_area``)."""
    union = model.pipeline.named_steps["features"]
    names = _word_feature_names(model)
    frames = []
    for start in range(0, len(units), batch_size) or [0]:
        batch = units.iloc[start : start + batch_size].copy()
        if len(batch):
            # Features once per batch: the same matrix gives probabilities and explanations.
            features = union.transform(batch["text"].astype(str).tolist())
            proba, p_any = scores_from_features(model.pipeline, model.relevance, features)
        else:
            features, proba, p_any = None, np.zeros((0, len(model.labels))), np.zeros(0)
        decided = decide(model, proba, batch["text"].astype(str).tolist(), p_any)
        for j, code in enumerate(model.labels):
            batch[probability_column(code)] = np.round(proba[:, j], 6)
        batch[ANY_AREA_COLUMN] = np.round(p_any, 6)
        batch["labels"] = [join_labels(model.labels, row) for row in decided]
        batch["explanation"] = explain(model, features, decided, top_terms, names) if len(batch) else []
        frames.append(batch)
    return pd.concat(frames, ignore_index=True)
