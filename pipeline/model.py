"""The classifier object: building the scikit-learn Pipeline, saving it safely with its
card, and loading it only when it matches that card."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass, replace
from functools import cached_property
from importlib.metadata import version as package_version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from pipeline.features import ACRONYMS_FILE, acronyms_sha256
from pipeline.params import TrainParams

if TYPE_CHECKING:  # scikit-learn and skops load in ~2 s: imported only where a model is built
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

MODEL_FILE = "model.skops"
META_FILE = "meta.json"
# What model.skops holds: {"areas": Pipeline, "relevance": LogisticRegression} and, when
# the model has short-unit classifiers, the same pair under "short_areas" and
# "short_relevance". Files of earlier formats are refused with a request to retrain
# (format 4: the text features expand topic acronyms, see features.expand_acronyms).
MODEL_FORMAT = 4
SHORT_UNITS_KEY = "short_units"  # meta.json block of the short-unit classifiers
# Types the saved Pipeline may contain beyond skops' defaults; anything else is refused.
TRUSTED_TYPES = [
    "pipeline.features.normalise_text",
    "pipeline.features.length_bins",
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
    """A verified model: the fitted Pipeline (features -> one output per area), the
    relevance classifier over the same features, per-area thresholds and the card."""

    pipeline: Pipeline
    relevance: LogisticRegression
    labels: tuple[str, ...]
    thresholds: np.ndarray
    meta: dict[str, Any]
    model_dir: Path
    fill_ratio: float = 1.0  # see classify.decide_labels; 1 = thresholds only
    fill_min_words: int = 0
    relevance_gate: float = 0.0  # see classify.decide_labels; 0 = off
    # The short-unit classifiers (same design, trained with one-line provisions too), which
    # decide units of at most short_max_words words of short_kinds (see classify.short_route).
    short: LoadedModel | None = None
    short_max_words: int = 0
    short_kinds: tuple[str, ...] = ()

    @property
    def model_id(self) -> str:
        return model_id_of(self.meta)

    @cached_property
    def word_feature_names(self) -> np.ndarray:
        """Names of the word features, which come first in the feature union's columns
        (built once per model: the vocabulary has tens of thousands of terms)."""
        union = self.pipeline.named_steps["features"]
        return dict(union.transformer_list)["word"].get_feature_names_out()


def model_id_of(meta: dict[str, Any]) -> str:
    """The short id a model is known by in outputs: the first 12 hex chars of its hash."""
    return str(meta["model_sha256"])[:12]


def rounded_thresholds(thresholds) -> list[float]:
    """Thresholds as the card stores them (and the loaded model decides with)."""
    return [round(float(t), 4) for t in thresholds]


def build_logistic(params: TrainParams) -> LogisticRegression:
    """The binary classifier used for each area and for relevance."""
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(
        C=params.C,
        class_weight=params.class_weight,
        solver="liblinear",
        max_iter=2000,
        random_state=params.seed,
    )


def build_pipeline(params: TrainParams) -> Pipeline:
    """Word and character TF-IDF over normalised text, plus length bins -> one-vs-rest
    logistic regression. The word features come first (explanations rely on it)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import FeatureUnion, Pipeline
    from sklearn.preprocessing import FunctionTransformer

    from pipeline.features import TOKEN_PATTERN, length_bins, normalise_text, stop_words

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
    features = [("word", word), ("char", char)]
    if params.length_bin_edges:  # () leaves the length out
        edges = list(params.length_bin_edges)
        features.append(("length", FunctionTransformer(length_bins, kw_args={"edges": edges})))
    return Pipeline(
        [
            ("features", FeatureUnion(features)),
            ("clf", OneVsRestClassifier(build_logistic(params))),
        ]
    )


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def library_versions() -> dict[str, str]:
    """Versions of the libraries whose objects are inside the saved model."""
    return {
        "scikit-learn": package_version("scikit-learn"),
        "skops": package_version("skops"),
        "numpy": package_version("numpy"),
    }


def _vectorizers(pipeline: Pipeline) -> list[TfidfVectorizer]:
    return [v for _, v in pipeline.named_steps["features"].transformer_list
            if hasattr(v, "vocabulary_") or hasattr(v, "vocabulary_terms_")]


def _pack_vocabularies(pipeline: Pipeline) -> None:
    """Store each fitted vocabulary as one array of terms (in column order) for saving.

    skops writes every dict entry as its own node, and checks and rebuilds each one on
    load, which took seconds per worker process; one numpy string array loads at once.
    ``stop_words_`` (the terms pruned by min_df and max_features) is not used by transform
    and is dropped, as scikit-learn advises; so is ``_stop_words_id``, the id() of the stop
    word list that scikit-learn caches to skip a check (it differs in every process, so the
    same model would be saved with different bytes; without it the check simply runs).
    """
    for vectorizer in _vectorizers(pipeline):
        vectorizer.__dict__.pop("_stop_words_id", None)
        terms = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)
        vectorizer.vocabulary_terms_ = np.array(terms, dtype=str)
        del vectorizer.vocabulary_
        if hasattr(vectorizer, "stop_words_"):
            vectorizer.stop_words_ = None


def _unpack_vocabularies(pipeline: Pipeline) -> None:
    """Rebuild each ``vocabulary_`` dict from its packed array of terms."""
    for vectorizer in _vectorizers(pipeline):
        terms = vectorizer.__dict__.pop("vocabulary_terms_")
        vectorizer.vocabulary_ = {term: i for i, term in enumerate(terms.tolist())}


# skops names each object (and each array's file in the zip) by its id(), a memory address
# that differs in every process, so the same model would get new bytes and a new hash at
# every save. Numbered in order of first appearance in the schema, they are the same for
# the same model; the zip entries get one fixed timestamp.
_SKOPS_OBJECT_ID = re.compile(r'(?<="__id__": )\d+|(?<=")\d+(?=\.npy")')
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def reproducible_bytes(data: bytes) -> bytes:
    """The skops file ``data`` rewritten so that equal models give equal bytes."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entries = [(info, archive.read(info)) for info in archive.infolist()]
    numbering: dict[str, str] = {}
    schema = next(data for info, data in entries if info.filename == "schema.json").decode()
    schema = _SKOPS_OBJECT_ID.sub(
        lambda m: numbering.setdefault(m.group(), str(len(numbering) + 1)), schema
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for info, data in entries:
            stem, dot, ext = info.filename.partition(".")
            name = numbering[stem] + dot + ext if stem in numbering else info.filename
            entry = zipfile.ZipInfo(name, date_time=_ZIP_EPOCH)
            entry.compress_type = info.compress_type
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, schema.encode() if name == "schema.json" else data)
    return out.getvalue()


def save_model(
    pipeline: Pipeline, relevance: LogisticRegression, thresholds: np.ndarray,
    meta: dict[str, Any], model_dir: Path,
    short: tuple[Pipeline, LogisticRegression] | None = None,
) -> dict[str, Any]:
    """Write model.skops (the area Pipeline and the relevance classifier over its
    features, and the short-unit pair when given; their thresholds and rule are in
    ``meta[SHORT_UNITS_KEY]``) and meta.json (with the model file's hash) into model_dir."""
    import skops.io as sio

    model_dir.mkdir(parents=True, exist_ok=True)
    saved = {"areas": pipeline, "relevance": relevance}
    pipelines = [pipeline]
    if short is not None:
        saved["short_areas"], saved["short_relevance"] = short
        pipelines.append(short[0])
    for each in pipelines:
        _pack_vocabularies(each)
    try:
        data = reproducible_bytes(sio.dumps(saved))
    finally:
        for each in pipelines:  # the caller's pipelines stay usable
            _unpack_vocabularies(each)
    tmp = model_dir / (MODEL_FILE + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(model_dir / MODEL_FILE)
    meta = dict(meta)
    meta["thresholds"] = rounded_thresholds(thresholds)
    meta["model_file"] = MODEL_FILE
    meta["model_format"] = MODEL_FORMAT
    meta["model_sha256"] = hashlib.sha256(data).hexdigest()
    meta["acronyms_sha256"] = acronyms_sha256()
    meta["library_versions"] = library_versions()
    (model_dir / META_FILE).write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
    return meta


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def check_card(model_dir: Path) -> dict[str, Any]:
    """Check a model folder without reading the model: its files, and the file hash and
    library versions recorded in meta.json. Returns the card (cheap: no scikit-learn)."""
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
    if meta.get("model_format") != MODEL_FORMAT:
        raise ModelError(f"{model_dir}: model saved by an earlier capmap (format "
                         f"{meta.get('model_format', 1)}, this one reads {MODEL_FORMAT}); "
                         "retrain with `capmap train`")
    if meta.get("acronyms_sha256") != acronyms_sha256():
        raise ModelError(f"{model_dir}: trained with another acronym list than "
                         f"pipeline/data/{ACRONYMS_FILE}; retrain with `capmap train`")
    return meta


def verify_model(model_dir: Path) -> dict[str, Any]:
    """``check_card``, then check that the model file holds only trusted types (without
    building anything from it). Returns the card."""
    import skops.io as sio

    meta = check_card(model_dir)
    model_path = model_dir / MODEL_FILE
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
    import skops.io as sio

    meta = verify_model(model_dir)
    saved = sio.load(model_dir / MODEL_FILE, trusted=TRUSTED_TYPES)
    short_meta = meta.get(SHORT_UNITS_KEY)
    try:
        pipeline, relevance = saved["areas"], saved["relevance"]
        _unpack_vocabularies(pipeline)
        short = None
        if short_meta:
            short = _loaded(saved["short_areas"], saved["short_relevance"], short_meta,
                            meta, model_dir)
            _unpack_vocabularies(short.pipeline)
    except (KeyError, AttributeError, TypeError) as exc:
        raise ModelError(f"{model_dir / MODEL_FILE}: not a capmap model of format "
                         f"{MODEL_FORMAT} ({exc.__class__.__name__}); retrain") from exc
    main = _loaded(pipeline, relevance, meta, meta, model_dir)
    if short is None:
        return main
    return replace(main, short=short, short_max_words=int(short_meta["max_words"]),
                   short_kinds=tuple(short_meta["kinds"]))


def _loaded(pipeline: Pipeline, relevance: LogisticRegression, rule: dict[str, Any],
            meta: dict[str, Any], model_dir: Path) -> LoadedModel:
    """A LoadedModel of one classifier pair, with the thresholds, fill ratio and gate
    recorded for it in ``rule`` (the card itself, or its short-units block)."""
    return LoadedModel(
        pipeline=pipeline,
        relevance=relevance,
        labels=tuple(meta["labels"]),
        thresholds=np.asarray(rule["thresholds"], dtype=float),
        meta=meta,
        model_dir=model_dir,
        fill_ratio=float(rule.get("fill_ratio", 1.0)),
        fill_min_words=int(meta.get("params", {}).get("fill_min_words", 0)),
        relevance_gate=float(rule.get("relevance_gate", 0.0)),
    )
