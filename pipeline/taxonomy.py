"""The A-I capacity taxonomy, read from the package's data file.

The order of ``AREA_CODES`` is a contract: model outputs, matrix columns and report
colours all follow it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class Area:
    """One capacity area of the taxonomy."""

    code: str
    short: str
    title_fr: str
    title_en: str
    scope: str


@dataclass(frozen=True)
class Taxonomy:
    """The taxonomy: a version string and its areas in contract order."""

    version: str
    source: str
    areas: tuple[Area, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(a.code for a in self.areas)

    def area(self, code: str) -> Area:
        """Return the area with ``code``; raise KeyError for an unknown code."""
        for a in self.areas:
            if a.code == code:
                return a
        raise KeyError(code)


@lru_cache(maxsize=1)
def load_taxonomy() -> Taxonomy:
    """Read the taxonomy shipped with the package."""
    raw = json.loads(resources.files("pipeline").joinpath("data/taxonomy.json").read_text("utf-8"))
    areas = tuple(Area(**a) for a in raw["areas"])
    return Taxonomy(version=raw["version"], source=raw["source"], areas=areas)


def area_codes() -> tuple[str, ...]:
    """Area codes in contract order (A..I)."""
    return load_taxonomy().codes


def validate_labels(labels: list[str]) -> list[str]:
    """Return the labels sorted in taxonomy order; raise ValueError on an unknown code."""
    codes = area_codes()
    unknown = sorted(set(labels) - set(codes))
    if unknown:
        raise ValueError(
            f"unknown area code(s) {', '.join(unknown)}; expected some of {''.join(codes)}"
        )
    return [c for c in codes if c in set(labels)]
