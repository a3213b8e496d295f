"""Predictions -> coverage and gap matrices with the evidence behind every cell (pandas only).

Coverage rule (the text of ``COVERAGE_RULE`` below is what the README and the exports show).
A unit counts for an area when the model tags it (the area code is in its ``labels``).
For one document and one area:

* **substantively addressed** when it has at least ``substantive_min_units`` tagged units
  AND they are at least ``substantive_min_share`` of the document's units;
* **partly addressed** otherwise, when at least ``partial_min_units`` tagged units have a
  probability of at least ``partial_min_probability`` (a weakly tagged unit alone is not
  enough: it stays "not addressed", but is still counted in ``units``);
* **not addressed** otherwise;
* **NA** (not assessed) when the document could not be read (manifest status in
  ``NOT_ASSESSED_STATUSES``), in every cell, never zero coverage.

A group (country, doc_type, year) pools the units of its assessed documents for ``units``,
``share`` and ``max_probability``; its level is the best level among its assessed documents,
so an area is a gap of a group exactly when none of its assessed documents addresses it.
A group is NA only when none of its documents was assessed.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass

import pandas as pd

from pipeline.params import MatrixParams
from pipeline.schema import (
    GROUPINGS,
    NOT_ASSESSED_STATUSES,
    UNIT_COLUMNS,
    probability_column,
    split_labels,
)
from pipeline.taxonomy import area_codes, load_taxonomy

NA = "NA"
NOT_ADDRESSED, PARTLY, SUBSTANTIVE = "not addressed", "partly addressed", "substantively addressed"
LEVELS: tuple[str, ...] = (NOT_ADDRESSED, PARTLY, SUBSTANTIVE)  # in rank order
METADATA_COLUMNS: tuple[str, ...] = ("path", "country", "year", "title", "doc_type")
UNKNOWN = "unknown"
SNIPPET_CHARS = 300

COVERAGE_RULE = (
    "A unit counts for an area when the model tags it. Per document and area: "
    "'substantively addressed' when at least {substantive_min_units} tagged units make up at "
    "least {substantive_min_share:.0%} of the document's units; otherwise 'partly addressed' "
    "when at least {partial_min_units} tagged unit(s) have probability >= "
    "{partial_min_probability}; otherwise 'not addressed'. Documents that could not be read "
    "are NA (not assessed) in every cell. A group (country, doc_type, year) pools the units of "
    "its assessed documents; its level is the best level among them, so a gap of a group is an "
    "area none of its assessed documents addresses; a group is NA when none was assessed."
)


@dataclass(frozen=True)
class CoverageResult:
    """Everything the exports and the report show; every figure traces to ``passages``."""

    by: str
    params: MatrixParams
    areas: tuple[str, ...]
    # one row per input file, with metadata, group and status; files with the same bytes
    # share a doc_id, name the first in ``same_as`` and are ``counted`` once per group
    documents: pd.DataFrame
    long: pd.DataFrame  # one row per group x area
    units: pd.DataFrame  # wide: group, label, A..I
    share: pd.DataFrame
    level: pd.DataFrame
    gaps: pd.DataFrame  # one row per group
    evidence: pd.DataFrame  # top units of every covered cell
    passages: pd.DataFrame  # one row per tagged (unit, area) of assessed documents
    warnings: tuple[str, ...] = ()

    @property
    def rule(self) -> str:
        return coverage_rule(self.params)


def coverage_rule(params: MatrixParams) -> str:
    """The coverage rule as one paragraph, with the configured thresholds filled in."""
    return COVERAGE_RULE.format(**vars(params))


def level_for(units: int, share: float, strong_units: int, params: MatrixParams) -> str:
    """Coverage level of one assessed document x area (see the module docstring)."""
    if units >= params.substantive_min_units and share >= params.substantive_min_share:
        return SUBSTANTIVE
    if strong_units >= params.partial_min_units and strong_units > 0:
        return PARTLY
    return NOT_ADDRESSED


def _clean(value: object) -> str:
    """A metadata cell as a stripped string ('' for missing; '2019.0' -> '2019')."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return ""
    text = str(value).strip()
    return text[:-2] if re.fullmatch(r"\d+\.0", text) else text


def _norm(path: str) -> str:
    return os.path.normcase(os.path.abspath(path))


def _documents(predictions: pd.DataFrame, manifest: pd.DataFrame | None) -> pd.DataFrame:
    if manifest is None:  # no manifest: every document with units counts as assessed
        docs = predictions.groupby("doc_id", sort=True)["source_path"].first().reset_index()
        docs = docs.rename(columns={"source_path": "path"}).assign(status="ok", error="")
    else:
        docs = manifest.copy()
        for col in ("doc_id", "path", "status", "error"):
            docs[col] = docs[col].map(_clean) if col in docs else ""
        docs["doc_id"] = docs["doc_id"].where(docs["doc_id"] != "", "path:" + docs["path"])
        # Files with the same bytes share a doc_id: each keeps its row (and its metadata),
        # and names the first of them.
        docs = docs.sort_values(["doc_id", "path"]).drop_duplicates(["doc_id", "path"])
        unknown = sorted(set(predictions["doc_id"]) - set(docs["doc_id"]))
        if unknown:
            raise ValueError(
                f"predictions hold units of {len(unknown)} document(s) missing "
                f"from the manifest (e.g. {unknown[0]}); pass the matching --manifest"
            )
    first = docs.groupby("doc_id")["path"].transform("first")
    docs["same_as"] = first.where(first != docs["path"], "")
    docs["assessed"] = ~docs["status"].str.lower().isin(NOT_ASSESSED_STATUSES)
    counts = predictions.groupby("doc_id").size()
    docs["n_units"] = docs["doc_id"].map(counts).fillna(0).astype("int64")
    docs.loc[~docs["assessed"], "n_units"] = 0
    return docs.reset_index(drop=True)


def _text_warnings(docs: pd.DataFrame, min_known_words: float) -> list[str]:
    """One warning per assessed document whose share of known French or English words is
    under ``min_known_words`` (manifests written before capmap measured it have none)."""
    if "known_words" not in docs:
        return []
    share = pd.to_numeric(docs["known_words"], errors="coerce")
    low = docs[docs["assessed"] & (share < min_known_words)]
    return [
        f"{row['path']}: only {share[i]:.0%} of its words are French or English words "
        "(a poor OCR layer, a broken font encoding or another language); its coverage may "
        "be understated"
        for i, row in low.iterrows()
    ]


def _attach_metadata(
    docs: pd.DataFrame, metadata: pd.DataFrame | None
) -> tuple[pd.DataFrame, list[str]]:
    """Add country/year/title/doc_type: match by resolved path, then by unique basename."""
    docs = docs.copy()
    for col in METADATA_COLUMNS[1:]:
        docs[col] = ""
    warnings: list[str] = []
    if metadata is not None and len(metadata):
        meta = metadata.copy()
        for col in METADATA_COLUMNS:
            meta[col] = meta[col].map(_clean) if col in meta else ""
        by_path = {_norm(p): i for i, p in zip(meta.index, meta["path"], strict=True)}
        names = meta["path"].map(os.path.basename)
        by_name = {n: i for i, n in zip(meta.index, names, strict=True) if (names == n).sum() == 1}
        used: set = set()
        for row, path in zip(docs.index, docs["path"], strict=True):
            hit = by_path.get(_norm(path)) if path else None
            if hit is None:
                hit = by_name.get(os.path.basename(path)) if path else None
            if hit is not None:
                used.add(hit)
                for col in METADATA_COLUMNS[1:]:
                    docs.at[row, col] = meta.at[hit, col]
        unmatched = [meta.at[i, "path"] for i in meta.index if i not in used]
        if unmatched:
            warnings.append(
                f"{len(unmatched)} metadata row(s) match no document: "
                + ", ".join(unmatched[:5])
                + (" ..." if len(unmatched) > 5 else "")
            )
    fallback = docs["path"].map(lambda p: os.path.basename(p) or p)
    docs["title"] = docs["title"].where(docs["title"] != "", fallback)
    return docs, warnings


def _assign_groups(docs: pd.DataFrame, by: str) -> pd.DataFrame:
    docs = docs.copy()
    if by == "document":
        docs["group"] = docs["doc_id"]
        # Two documents with one title get their doc_id beside it (copies of one are one).
        firsts = docs.drop_duplicates("doc_id")
        shared = set(firsts.loc[firsts["title"].duplicated(keep=False), "title"])
        dup = docs["title"].isin(shared)
        docs["label"] = docs["title"].where(
            ~dup, docs["title"] + " (" + docs["doc_id"].str[:8] + ")"
        )
    else:
        docs["group"] = docs[by].where(docs[by] != "", UNKNOWN)
        docs["label"] = docs["group"]
    # A file whose content another file of the same group already has counts once.
    docs["counted"] = ~docs.duplicated(["doc_id", "group"])
    order = docs.assign(_u=docs["group"] == UNKNOWN, _k=docs["label"].str.casefold())
    return (
        order.sort_values(["_u", "_k", "group", "doc_id", "path"])
        .drop(columns=["_u", "_k"])
        .reset_index(drop=True)
    )


def _copy_warnings(docs: pd.DataFrame, by: str) -> list[str]:
    """One warning naming the files whose bytes repeat another input's."""
    copies = docs[docs["same_as"] != ""]
    if copies.empty:
        return []
    pairs = [f"{row.path} = {row.same_as}" for row in copies.head(5).itertuples()]
    return [
        f"{len(copies)} file(s) have the same content as another input and count once per "
        f"{by}: " + "; ".join(pairs) + (" ..." if len(copies) > 5 else "")
    ]


def _terms(explanation: str, code: str) -> str:
    try:
        found = json.loads(explanation or "{}").get(code, [])
    except (json.JSONDecodeError, AttributeError):
        return ""
    return ", ".join(str(t) for t in found) if isinstance(found, list) else ""


def _snippet(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= SNIPPET_CHARS else text[: SNIPPET_CHARS - 1].rstrip() + "…"


def _passages(units: pd.DataFrame, areas: tuple[str, ...]) -> pd.DataFrame:
    """One row per (unit, tagged area) with its probability and explanation terms."""
    labels = units["labels"].map(split_labels)
    rows = []
    for code in areas:
        hit = units[labels.map(lambda ls, c=code: c in ls).astype(bool)]
        rows.append(
            pd.DataFrame(
                {
                    "doc_id": hit["doc_id"],
                    "unit_id": hit["unit_id"],
                    "seq": hit["seq"],
                    "area": code,
                    "probability": hit[probability_column(code)].astype(float).round(4),
                    "page_start": hit["page_start"],
                    "page_end": hit["page_end"],
                    "article_ref": hit["article_ref"].fillna(""),
                    "heading_path": hit["heading_path"].fillna(""),
                    "terms": [_terms(e, code) for e in hit["explanation"]],
                    "text": hit["text"].fillna("").astype(str),
                }
            )
        )
    out = pd.concat(rows, ignore_index=True)
    out["area_rank"] = out["area"].map({c: i for i, c in enumerate(areas)})
    return (
        out.sort_values(["doc_id", "seq", "unit_id", "area_rank"])
        .drop(columns="area_rank")
        .reset_index(drop=True)
    )


def _document_cells(docs, units, passages, areas, params) -> pd.DataFrame:
    """Per assessed document x area: total units, tagged, strong, max probability, level."""
    assessed = docs.loc[docs["assessed"], ["doc_id", "n_units"]]
    grid = assessed.merge(pd.DataFrame({"area": list(areas)}), how="cross")
    strong = passages["probability"] >= params.partial_min_probability
    agg = (
        passages.assign(strong=strong)
        .groupby(["doc_id", "area"])
        .agg(units=("unit_id", "size"), strong_units=("strong", "sum"))
    )
    grid = grid.join(agg, on=["doc_id", "area"]).fillna({"units": 0, "strong_units": 0})
    maxp = units.groupby("doc_id")[[probability_column(c) for c in areas]].max()
    maxp.columns = list(areas)
    maxp = maxp.stack().rename("max_probability")
    grid = grid.join(maxp, on=["doc_id", "area"])
    grid[["units", "strong_units"]] = grid[["units", "strong_units"]].astype("int64")
    share = grid["units"] / grid["n_units"].where(grid["n_units"] > 0)
    grid["share"] = share.fillna(0.0)
    grid["level"] = [
        level_for(u, s, k, params)
        for u, s, k in zip(grid["units"], grid["share"], grid["strong_units"], strict=True)
    ]
    return grid


def build_coverage(
    predictions: pd.DataFrame,
    manifest: pd.DataFrame | None,
    metadata: pd.DataFrame | None,
    params: MatrixParams,
    by: str = "document",
) -> CoverageResult:
    """Coverage levels, counts, shares, gaps and evidence per document or group."""
    if by not in GROUPINGS:
        raise ValueError(f"unknown grouping {by!r}; choose one of {', '.join(GROUPINGS)}")
    areas = area_codes()
    needed = [*UNIT_COLUMNS, *(probability_column(c) for c in areas), "labels", "explanation"]
    missing = [c for c in needed if c not in predictions.columns]
    if missing:
        raise ValueError(f"predictions lack column(s) {', '.join(missing)}")
    docs = _documents(predictions, manifest)
    docs, warnings = _attach_metadata(docs, metadata)
    warnings += _text_warnings(docs, params.min_known_words)
    docs = _assign_groups(docs, by)
    warnings += _copy_warnings(docs, by)
    counted = docs[docs["counted"]]
    units = predictions[predictions["doc_id"].isin(docs.loc[docs["assessed"], "doc_id"])]
    passages = _passages(units, areas)
    cells = _document_cells(counted.drop_duplicates("doc_id"), units, passages, areas, params)
    cells = cells.merge(counted[["doc_id", "group"]], on="doc_id")
    cells["rank"] = cells["level"].map({lv: i for i, lv in enumerate(LEVELS)})

    groups = counted.groupby("group", sort=False).agg(
        label=("label", "first"),
        n_documents=("doc_id", "size"),
        n_not_assessed=("assessed", lambda s: int((~s).sum())),
    )
    grid = groups.reset_index().merge(pd.DataFrame({"area": list(areas)}), how="cross")
    pooled = cells.groupby(["group", "area"]).agg(
        total_units=("n_units", "sum"),
        units=("units", "sum"),
        strong_units=("strong_units", "sum"),
        max_probability=("max_probability", "max"),
        rank=("rank", "max"),
        n_documents_addressing=("rank", lambda r: int((r > 0).sum())),
    )
    long = grid.join(pooled, on=["group", "area"])
    for col in ("total_units", "units", "strong_units", "n_documents_addressing"):
        long[col] = long[col].astype("Int64")
    long["share"] = (long["units"] / long["total_units"].where(long["total_units"] > 0)).astype(
        float
    )
    long.loc[long["total_units"].eq(0).fillna(False), "share"] = 0.0
    long["share"] = long["share"].round(4)
    long["max_probability"] = long["max_probability"].astype(float).round(4)
    long["level"] = long["rank"].map(lambda r: NA if pd.isna(r) else LEVELS[int(r)])
    short = {a.code: a.short for a in load_taxonomy().areas}
    long.insert(long.columns.get_loc("area") + 1, "area_short", long["area"].map(short))
    long = long.drop(columns="rank")[
        [
            "group",
            "label",
            "area",
            "area_short",
            "n_documents",
            "n_not_assessed",
            "total_units",
            "units",
            "strong_units",
            "share",
            "max_probability",
            "level",
            "n_documents_addressing",
        ]
    ]

    def wide(col: str) -> pd.DataFrame:
        table = long.pivot(index="group", columns="area", values=col)
        table = table.reindex(index=groups.index, columns=list(areas))
        table.columns.name = None
        table.insert(0, "label", groups["label"])
        return table.reset_index()

    return CoverageResult(
        by=by,
        params=params,
        areas=areas,
        documents=docs,
        long=long,
        units=wide("units"),
        share=wide("share"),
        level=wide("level"),
        gaps=_gaps(long, groups, areas),
        evidence=_evidence(long, passages, counted, params),
        passages=passages,
        warnings=tuple(warnings),
    )


def _gaps(long: pd.DataFrame, groups: pd.DataFrame, areas: tuple[str, ...]) -> pd.DataFrame:
    rows = []
    for group, info in groups.iterrows():
        levels = long.loc[long["group"] == group].set_index("area")["level"]
        na = bool((levels == NA).all())
        gap = [] if na else [c for c in areas if levels[c] == NOT_ADDRESSED]
        row = {
            "group": group,
            "label": info["label"],
            "n_documents": info["n_documents"],
            "n_not_assessed": info["n_not_assessed"],
        }
        row |= {c: NA if na else ("gap" if c in gap else "addressed") for c in areas}
        row |= {"gaps": NA if na else " ".join(gap), "n_gaps": pd.NA if na else len(gap)}
        rows.append(row)
    out = pd.DataFrame(rows)
    out["n_gaps"] = out["n_gaps"].astype("Int64")
    return out


def _evidence(long, passages, docs, params) -> pd.DataFrame:
    covered = long.loc[
        long["level"].isin([PARTLY, SUBSTANTIVE]), ["group", "label", "area", "level"]
    ]
    hits = passages.merge(docs[["doc_id", "group", "title"]], on="doc_id")
    hits = hits.merge(covered, on=["group", "area"])
    hits = hits.sort_values(
        ["group", "area", "probability", "unit_id"], ascending=[True, True, False, True]
    )
    hits = hits.groupby(["group", "area"], sort=False).head(params.evidence_per_cell).copy()
    hits["rank"] = hits.groupby(["group", "area"], sort=False).cumcount() + 1
    hits["snippet"] = hits["text"].map(_snippet)
    order = {g: i for i, g in enumerate(long["group"].drop_duplicates())}
    hits = hits.assign(_g=hits["group"].map(order)).sort_values(["_g", "area", "rank"])
    cols = [
        "group",
        "label",
        "area",
        "level",
        "rank",
        "doc_id",
        "title",
        "unit_id",
        "page_start",
        "page_end",
        "article_ref",
        "probability",
        "terms",
        "snippet",
    ]
    return hits[cols].reset_index(drop=True)
