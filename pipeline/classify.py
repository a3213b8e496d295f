"""Units -> per-area probabilities, labels and the terms that drove each label."""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
import pandas as pd

from pipeline.model import LoadedModel
from pipeline.schema import probability_column


def predict_proba(model: LoadedModel, texts: Sequence[str]) -> np.ndarray:
    """Probabilities (units x areas, taxonomy order)."""
    if not len(texts):
        return np.zeros((0, len(model.labels)))
    return model.pipeline.predict_proba(list(texts))


def decide(model: LoadedModel, proba: np.ndarray) -> np.ndarray:
    """Boolean label matrix from probabilities and the model's per-area thresholds."""
    return proba >= model.thresholds


def _word_block(model: LoadedModel) -> tuple[object, slice, np.ndarray]:
    """The word vectorizer, its column slice in the feature union, and its feature names."""
    union = model.pipeline.named_steps["features"]
    word = dict(union.transformer_list)["word"]
    names = word.get_feature_names_out()
    return word, slice(0, len(names)), names


def explain(model: LoadedModel, texts: Sequence[str], decided: np.ndarray, top_n: int) -> list[str]:
    """For each unit, JSON {area: [top word n-grams by tf-idf x coefficient]} for its labels.

    Only word features are used: character n-grams drive the model too, but a researcher
    cannot read them.
    """
    word, cols, names = _word_block(model)
    x = word.transform(list(texts)).tocsr()
    estimators = model.pipeline.named_steps["clf"].estimators_
    # An area absent from the training data has a constant predictor and no weights.
    coefs = np.vstack(
        [
            est.coef_.ravel()[cols] if hasattr(est, "coef_") else np.zeros(len(names))
            for est in estimators
        ]
    )
    out = []
    for i in range(x.shape[0]):
        row = x.getrow(i)
        reasons = {}
        for j in np.flatnonzero(decided[i]):
            contrib = row.data * coefs[j, row.indices]
            order = np.argsort(-contrib)[:top_n]
            reasons[model.labels[j]] = [str(names[row.indices[k]]) for k in order if contrib[k] > 0]
        out.append(json.dumps(reasons, ensure_ascii=False, sort_keys=True))
    return out


def classify_units(
    model: LoadedModel, units: pd.DataFrame, top_terms: int, batch_size: int
) -> pd.DataFrame:
    """Return ``units`` with p_<area> columns, ``labels`` ("B|G") and ``explanation``."""
    frames = []
    for start in range(0, len(units), batch_size) or [0]:
        batch = units.iloc[start : start + batch_size].copy()
        texts = batch["text"].astype(str).tolist()
        proba = predict_proba(model, texts)
        decided = decide(model, proba)
        for j, code in enumerate(model.labels):
            batch[probability_column(code)] = np.round(proba[:, j], 6) if len(batch) else []
        batch["labels"] = [
            "|".join(c for c, d in zip(model.labels, row, strict=True) if d) for row in decided
        ]
        batch["explanation"] = explain(model, texts, decided, top_terms) if len(batch) else []
        frames.append(batch)
    return pd.concat(frames, ignore_index=True)
