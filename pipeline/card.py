"""Render a model's card (model_card.md) from its meta.json and, when present, its
evaluation results (metrics.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipeline.features import acronyms
from pipeline.model import META_FILE, SHORT_UNITS_KEY, model_id_of

METRICS_FILE = "metrics.json"
CARD_FILE = "model_card.md"


def _area_table(per_area: dict[str, Any]) -> list[str]:
    rows = ["| area | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    rows += [
        f"| {c} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | {s['support']} |"
        for c, s in per_area.items()
    ]
    return rows


def _span(low: int, high: int) -> str:
    return f"{low}" if low == high else f"{low}-{high}"


def _relevance_data_lines(meta: dict[str, Any]) -> list[str]:
    data = meta.get("relevance_data")
    if not data:
        return ["The relevance classifier is trained on the training data alone."]
    tagged = meta["cv"].get("relevance_no_area_tagged")
    return [
        f"The relevance classifier also learns from `{data['path']}` (sha256 "
        f"`{data['sha256']}`): {data['units']} units written by the capmap team, "
        f"{data['no_area_units']} of them with no area (general law, process text); the area",
        "classifiers never see these units."
        + (f" Out of fold, the rule still tags {tagged:.1%} of those no-area units."
           if tagged is not None else ""),
    ]


def _short_unit_lines(meta: dict[str, Any]) -> list[str]:
    short = meta.get(SHORT_UNITS_KEY)
    if not short:
        return ["Every unit, however short, is decided by these classifiers."]
    data, cv = short["training_data"], short["cv_routed_units"]
    return [
        f"Short-unit classifiers: units of at most {short['max_words']} words (in a document, "
        f"only those of kind {', '.join(short['kinds'])}) are decided by a second set of the "
        "same classifiers, trained on the training data plus",
        f"`{data['path']}` (sha256 `{data['sha256']}`): {data['units']} one-line provisions "
        f"written by the capmap team, {data['no_area_units']} of them with no area. Their "
        f"thresholds: {dict(zip(meta['labels'], short['thresholds'], strict=True))}; fill "
        f"ratio {short['fill_ratio']:g}; relevance gate {short['relevance_gate']:g}. Out of "
        f"fold, on the {cv['units']} training units that short: micro-F1 "
        f"{cv['micro_f1']:.3f}, macro-F1 {cv['macro_f1']:.3f}.",
    ]


def render_model_card(meta: dict[str, Any], metrics: dict[str, Any] | None) -> str:
    """Markdown model card: intended use, data, parameters, CV and gold results, limits."""
    data = meta["training_data"]
    cv = meta["cv"]
    params = meta["params"]
    lines = [
        f"# capmap model card: `{meta['name']}`",
        "",
        "## Intended use",
        "Tags paragraphs and articles of French and English migration policy documents and",
        "legislation with the A-I capacity areas (taxonomy version "
        f"{meta['taxonomy_version']}), to build coverage and gap matrices. It is a screening aid:",
        "every tag comes with its probability and the words that drove it, for a researcher to check.",
        "",
        "## Model",
        f"Word (1-{params['word_ngram_max']} gram) and character "
        f"({_span(params['char_ngram_min'], params['char_ngram_max'])} gram, word-bounded) "
        "TF-IDF over accent-folded,",
        "lower-cased text (French and English stop words left out of the word features)"
        + (f", and the unit's length in words (one-hot, bins split at "
           f"{list(params['length_bin_edges'])});" if params.get("length_bin_edges") else ";"),
        f"one logistic regression per area (one-vs-rest, C={params['C']:g}, class weights "
        f"{params['class_weight'] or 'uniform'}); per-area",
        "decision thresholds chosen on out-of-fold probabilities"
        + (f" (folds grouped by `{params['cv_group_by']}`)." if params["cv_group_by"] else "."),
        f"Model file sha256 `{meta['model_sha256']}`; source revision `{meta['source_revision']}`;",
        f"libraries {', '.join(f'{k} {v}' for k, v in meta['library_versions'].items())}.",
        f"Thresholds: {dict(zip(meta['labels'], meta['thresholds'], strict=True))}.",
        (f"A unit of at least {params.get('fill_min_words', 0)} words with no area over its "
         f"threshold gets its top area when that area's probability is at least "
         f"{meta['fill_ratio']:g} of its threshold (ratio chosen on out-of-fold micro-F1)."
         if meta.get("fill_ratio", 1.0) < 1 else
         "A unit with no area over its threshold stays untagged."),
        (f"Relevance gate: one more logistic regression over the same features gives the "
         f"probability that a unit addresses any area at all (`p_any_area`); a unit under "
         f"{meta['relevance_gate']:g} gets no area (gate chosen with the fill ratio on "
         f"out-of-fold micro-F1: the largest gate within "
         f"{meta['params'].get('relevance_gate_tolerance', 0.0):g} of the best)."
         if meta.get("relevance_gate", 0.0) > 0 else
         "No relevance gate."),
        *_relevance_data_lines(meta),
        *_short_unit_lines(meta),
        "",
        "## Training data",
        f"`{data['path']}` (sha256 `{data['sha256']}`): {data['units']} units written by the",
        "capmap team in French and English (invented provisions, strategies, guidance and report",
        "passages) plus paragraphs 5-15 of the seed working document.",
        f"Per language: {data['units_per_lang']}; per area: {data['units_per_area']};",
        f"no area: {data['no_area_units']}.",
        "",
        "## Parameters",
        "```json",
        json.dumps(meta["params"], indent=2),
        "```",
        "",
        f"## Cross-validation ({meta['params']['cv_folds']}-fold"
        + (f", folds grouped by `{group}` so each fold predicts unseen genres"
           if (group := meta["params"].get("cv_group_by")) else "")
        + ", on the training data)",
        f"micro-F1 {cv['summary']['micro_f1']:.3f}, macro-F1 {cv['summary']['macro_f1']:.3f}, "
        f"no-area accuracy {cv['summary']['no_area_accuracy']:.3f}.",
        "",
        *_area_table(cv["per_area"]),
        "",
    ]
    if metrics:
        lines += [
            f"## Evaluation on `{metrics['gold']}` (real units, never trained on)",
            f"micro-F1 {metrics['micro_f1']:.3f}{_interval_text(metrics, 'micro_f1')}, "
            f"macro-F1 {metrics['macro_f1']:.3f}{_interval_text(metrics, 'macro_f1')}, exact match "
            f"{metrics['exact_match']:.3f}, no-area accuracy {metrics['no_area_accuracy']:.3f}; "
            + ", ".join(
                f"{k}: micro-F1 {v['micro_f1']:.3f} macro-F1 {v['macro_f1']:.3f}"
                for k, v in metrics["per_lang"].items()
            )
            + ".",
            *([f"Calibration of the area probabilities on these units: Brier "
               f"{cal['brier']:.3f}, expected calibration error {cal['ece']:.3f} "
               f"({cal['bins']} bins; mean over areas)."]
              if (cal := metrics.get("calibration")) else []),
            "",
            *_area_table(metrics["per_area"]),
            "",
        ]
    lines += [
        "## Known limits",
        "- Trained on the project's own written examples, not on real documents: vocabulary of",
        "  real codes and reports that the examples do not use is seen only through character n-grams.",
        "  Acronyms are read through their expansion only when listed in",
        f"  `pipeline/data/acronyms.json` ({len(acronyms())} topic acronyms, e.g. TB, AVRR, OQTF).",
        "- Areas A (diaspora) and E (development) are rare in legislation; their gold scores rest on",
        "  very few units and are noisy.",
        "- Provisions of general law (labour, health, criminal codes) can still be tagged from",
        "  vocabulary they share with migration law; the relevance gate removes most, not all.",
        "- Bag-of-words: it does not read negation, scope or cross-references; a heading's topic",
        "  does not carry to the articles under it.",
        "- One-line provisions of under 10 words are decided by the short-unit classifiers, whose",
        "  training data has 300 such provisions; in a document, a short footnote or table row",
        "  keeps the main classifiers, which give units that short almost never an area",
        "  (check with `capmap evaluate --gold corpus/checks/very_short_units.jsonl`).",
        "- Tagging and evaluation give headings no area (params `tag.no_area_kinds`, taxonomy",
        "  rule 6). A unit given as text alone (a gold unit) is a heading when it reads like one: at",
        "  most 20 words without final punctuation and not a clause (no finite auxiliary or modal",
        "  verb, list marker, lower-case opening or final conjunction), or a numbered title; a",
        "  one-line statement with a lexical verb only, given without its full stop, gets no area.",
        "- Languages other than French and English are out of scope.",
        "",
        "## Reproduce",
        "`capmap train` (reads `params.yaml` block `train`), then",
        "`capmap evaluate --gold ../shared/eval/dev.jsonl --card`.",
        "",
    ]
    return "\n".join(lines)


def _interval_text(metrics: dict[str, Any], key: str) -> str:
    """The bootstrap interval of an evaluation score as card text ("" if it has none)."""
    interval = metrics.get(f"{key}_interval")
    if not interval:  # an evaluation written before intervals were reported
        return ""
    return (f" ({metrics['interval_level']:.0%} bootstrap interval "
            f"{interval[0]:.3f}–{interval[1]:.3f})")


def write_model_card(model_dir: Path) -> Path:
    """(Re)write model_card.md in ``model_dir`` from its meta.json and metrics.json.

    metrics.json counts only when it was measured on this very model: after a retrain the
    old file describes another model, and the card must not show its numbers."""
    meta = json.loads((model_dir / META_FILE).read_text("utf-8"))
    metrics_path = model_dir / METRICS_FILE
    metrics = json.loads(metrics_path.read_text("utf-8")) if metrics_path.is_file() else None
    if metrics is not None and metrics.get("model") != model_id_of(meta):
        metrics = None
    out = model_dir / CARD_FILE
    out.write_text(render_model_card(meta, metrics), encoding="utf-8")
    return out
