"""Column contracts of the files that flow between steps (units, manifest, predictions).

Each step writes exactly these columns in this order, so downstream steps and
researchers' scripts can rely on them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

# units.parquet / units.jsonl, written by `capmap extract`
UNIT_COLUMNS: tuple[str, ...] = (
    "doc_id",  # sha256 of the file's bytes, first 16 hex chars
    "source_path",  # path as given on the command line (posix)
    "unit_id",  # f"{doc_id}-{seq:05d}": stable across runs for the same bytes and params
    "seq",  # 0-based order of the unit in the document
    "page_start",  # 1-based
    "page_end",  # 1-based
    "kind",  # paragraph | article | heading | footnote | table
    "heading_path",  # headings above the unit, joined by " > " ("" when none)
    "article_ref",  # e.g. "Article L. 313-11", "Art. 5", "Section 18b" ("" when none)
    "lang",  # fr | en | other
    "text",
)

UNIT_KINDS: tuple[str, ...] = ("paragraph", "article", "heading", "footnote", "table")

# manifest.csv, one row per input file
MANIFEST_COLUMNS: tuple[str, ...] = (
    "doc_id",
    "path",
    "pages",
    "units",
    "chars",
    "known_words",  # share of words known to the French or English word lists (clean.py)
    "status",
    "error",
    "seconds",
)

STATUSES: tuple[str, ...] = (
    "ok",
    "partial",
    "no_text_layer",
    "encrypted",
    "not_pdf",
    "timeout",
    "too_large",
    "failed",
)
# Documents with these statuses cannot be assessed: matrices show NA, never zero coverage.
NOT_ASSESSED_STATUSES: frozenset[str] = frozenset(
    {"no_text_layer", "encrypted", "not_pdf", "timeout", "too_large", "failed"}
)

# Rows of the coverage matrices: documents, or documents grouped by a metadata column.
GROUPINGS: tuple[str, ...] = ("document", "country", "doc_type", "year")

# predictions.parquet = UNIT_COLUMNS + one probability column per area (f"p_{code}", in
# taxonomy order) + these:
ANY_AREA_COLUMN = "p_any_area"
PREDICTION_EXTRA_COLUMNS: tuple[str, ...] = (
    # probability that the unit addresses any area at all (the relevance gate's input)
    ANY_AREA_COLUMN,
    "labels",  # area codes tagged, taxonomy order, joined by "|" ("" = no area)
    "explanation",  # JSON object {area code: [top terms that drove it]} for tagged areas
    "decided_by",  # what decided the unit's labels: one of the DECIDED_BY_* values
)
# Values of ``decided_by``: the main classifiers; the short-unit ones (units of a few words
# of a routed kind, see classify.short_route); or the unit's kind, which carries no area
# (params tag.no_area_kinds, taxonomy rule 6).
DECIDED_BY_MAIN = "main"
DECIDED_BY_SHORT = "short"
DECIDED_BY_KIND = "kind"


LABEL_SEPARATOR = "|"


def join_labels(codes: Sequence[str], row: Iterable[bool]) -> str:
    """A ``labels`` cell: the codes whose flag in ``row`` is set, in order, joined by "|"
    ("" = no area)."""
    return LABEL_SEPARATOR.join(code for code, on in zip(codes, row, strict=True) if on)


def split_labels(cell: object) -> list[str]:
    """The area codes of a ``labels`` cell ("B|G" -> ["B", "G"]; "" or missing -> [])."""
    if not isinstance(cell, str):  # None, NaN: a missing cell is no area
        return []
    return [code for code in cell.split(LABEL_SEPARATOR) if code]


def probability_column(code: str) -> str:
    """Name of the probability column for area ``code``."""
    return f"p_{code}"
