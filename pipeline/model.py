"""The classifier object: building the scikit-learn Pipeline, saving it safely with its
card, and loading it only when it matches that card."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
import skops
import skops.io as sio
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import FeatureUnion, Pipeline

from pipeline.features import TOKEN_PATTERN, normalise_text, stop_words
from pipeline.params import TrainParams

MODEL_FILE = "model.skops"
META_FILE = "meta.json"
# Types the saved Pipeline may contain beyond skops' defaults; anything else is refused.
TRUSTED_TYPES = [
    "pipeline.features.normalise_text",
    "sklearn.feature_extraction.text.TfidfVectorizer",
    "sklearn.pipeline.FeatureUnion",
    "sklearn.multiclass.OneVsRestClassifier",
    "sklearn.multiclass._ConstantPredictor",
    "sklearn.preprocessing._label.LabelBinarizer",
    "scipy.sparse._csr.csr_matrix",
    "builtins.dict",
    "numpy.float64",
    "numpy.int64",
]


class ModelError(RuntimeError):
    """The model directory is missing, tampered with, or built with other libraries."""


@dataclass(frozen=True)
class LoadedModel:
    """A verified model: the fitted Pipeline, its per-area thresholds and its card."""

    pipeline: Pipeline
    labels: tuple[str, ...]
    thresholds: np.ndarray
    meta: dict[str, Any]
    model_dir: Path

    @property
    def model_id(self) -> str:
        return str(self.meta["model_sha256"][:12])


def build_pipeline(params: TrainParams) -> Pipeline:
    """Word and character TF-IDF over normalised text -> one-vs-rest logistic regression."""
    word = TfidfVectorizer(
        preprocessor=normalise_text,
        analyzer="word",
        token_pattern=TOKEN_PATTERN,
        stop_words=list(stop_words()),
        ngram_range=(1, params.word_ngram_max),
        min_df=params.min_df,
        max_features=params.max_features_word,
        sublinear_tf=True,
    )
    char = TfidfVectorizer(
        preprocessor=normalise_text,
        analyzer="char_wb",
        ngram_range=(params.char_ngram_min, params.char_ngram_max),
        min_df=params.min_df,
        max_features=params.max_features_char,
        sublinear_tf=True,
    )
    clf = LogisticRegression(
        C=params.C,
        class_weight=params.class_weight,
        solver="liblinear",
        max_iter=2000,
        random_state=params.seed,
    )
    return Pipeline(
        [
            ("features", FeatureUnion([("word", word), ("char", char)])),
            ("clf", OneVsRestClassifier(clf)),
        ]
    )


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def library_versions() -> dict[str, str]:
    """Versions of the libraries whose objects are inside the saved model."""
    return {
        "scikit-learn": sklearn.__version__,
        "skops": skops.__version__,
        "numpy": np.__version__,
    }


def _compact_vectorizers(pipeline: Pipeline) -> None:
    """Make the fitted vectorizers cheap to store and load.

    skops writes every numpy scalar as its own object, so a vocabulary of numpy ints takes
    seconds to load; plain ints load at once. ``stop_words_`` (the terms pruned by min_df
    and max_features) is not used by transform and is dropped, as scikit-learn advises.
    """
    for _, vectorizer in pipeline.named_steps["features"].transformer_list:
        vectorizer.vocabulary_ = {term: int(i) for term, i in vectorizer.vocabulary_.items()}
        if hasattr(vectorizer, "stop_words_"):
            vectorizer.stop_words_ = None


def save_model(
    pipeline: Pipeline, thresholds: np.ndarray, meta: dict[str, Any], model_dir: Path
) -> dict[str, Any]:
    """Write model.skops and meta.json (with the model file's hash) into model_dir."""
    model_dir.mkdir(parents=True, exist_ok=True)
    _compact_vectorizers(pipeline)
    tmp = model_dir / (MODEL_FILE + ".tmp")
    sio.dump(pipeline, tmp)
    tmp.replace(model_dir / MODEL_FILE)
    meta = dict(meta)
    meta["thresholds"] = [round(float(t), 4) for t in thresholds]
    meta["model_file"] = MODEL_FILE
    meta["model_sha256"] = _sha256(model_dir / MODEL_FILE)
    meta["library_versions"] = library_versions()
    (model_dir / META_FILE).write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
    return meta


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def verify_model(model_dir: Path) -> dict[str, Any]:
    """Check a model folder without building the model: its files, the file hash and library
    versions recorded in meta.json, and that it holds only trusted types. Returns the card."""
    meta_path, model_path = model_dir / META_FILE, model_dir / MODEL_FILE
    if not meta_path.is_file() or not model_path.is_file():
        raise ModelError(f"{model_dir}: not a capmap model (needs {MODEL_FILE} and {META_FILE})")
    try:
        meta = json.loads(meta_path.read_text("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelError(f"{meta_path}: unreadable model card ({exc.__class__.__name__})") from exc
    if _sha256(model_path) != meta.get("model_sha256"):
        raise ModelError(f"{model_path}: file hash does not match {META_FILE}; refusing to load")
    for lib, have in library_versions().items():
        built = meta.get("library_versions", {}).get(lib, "")
        if _minor(built) != _minor(have):
            raise ModelError(
                f"{model_dir}: built with {lib} {built}, installed {have}; retrain with `capmap train`"
            )
    missing = [k for k in ("labels", "thresholds") if k not in meta]
    if missing:
        raise ModelError(f"{meta_path}: model card lacks {', '.join(missing)}; refusing to load")
    try:  # skops reads a zip of JSON; it never unpickles, so a foreign pickle just fails here
        found = sio.get_untrusted_types(file=model_path)
    except Exception as exc:
        raise ModelError(
            f"{model_path}: not a skops model file ({exc.__class__.__name__}); refusing to load"
        ) from exc
    untrusted = [t for t in found if t not in TRUSTED_TYPES]
    if untrusted:
        raise ModelError(f"{model_path}: contains untrusted types {untrusted}; refusing to load")
    return meta


def load_model(model_dir: Path) -> LoadedModel:
    """Load a model only if it passes ``verify_model``."""
    meta = verify_model(model_dir)
    pipeline = sio.load(model_dir / MODEL_FILE, trusted=TRUSTED_TYPES)
    return LoadedModel(
        pipeline=pipeline,
        labels=tuple(meta["labels"]),
        thresholds=np.asarray(meta["thresholds"], dtype=float),
        meta=meta,
        model_dir=model_dir,
    )
