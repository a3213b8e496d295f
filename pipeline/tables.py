"""Ruled tables: the grids that a page's thin rules draw, read one row at a time.

A PDF table is drawn with thin horizontal and vertical rules around its cells. Without this
module its cells become short paragraphs and false headings ("N/A N/A N/A", "HU U SU SS"),
and the text of a row is scattered over several units. Here the rules that touch each
other make one grid; a grid of at least two rows and two columns is a table, and each of
its rows becomes one line of text with its cells joined by " | " (a unit of kind "table").
Tables drawn without vertical rules, or without any rules, are left to the paragraph logic.
"""

from __future__ import annotations

import bisect
import math
import re
import statistics
from dataclasses import dataclass

from pipeline.clean import join_broken_word
from pipeline.engines import RULE_MAX_THICKNESS, Line, Rule, Segment, group_rows, make_line
from pipeline.layout import LIST_MARKER

TOUCH = 2.0  # rules this close (points) touch
CELL_SEPARATOR = " | "
LIST_ITEM = re.compile(r"^(?:" + LIST_MARKER + r")")  # a cell line that opens a list item


@dataclass(frozen=True)
class Grid:
    """A table's cell edges: column edges left to right, row edges top to bottom."""

    xs: tuple[float, ...]
    ys: tuple[float, ...]

    def holds(self, seg: Segment) -> bool:
        cx, cy = (seg.x0 + seg.x1) / 2, (seg.top + seg.bottom) / 2
        return self.xs[0] <= cx <= self.xs[-1] and self.ys[0] <= cy <= self.ys[-1]


def _cluster(values: list[float]) -> tuple[float, ...]:
    """Sorted values with those closer than TOUCH merged (one cell edge drawn in pieces)."""
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= TOUCH:
            continue
        out.append(v)
    return tuple(out)


def find_grids(rules: list[Rule]) -> list[Grid]:
    """Grids of at least two rows and two columns drawn by ``rules`` (touching rules join
    one grid)."""
    horiz = sorted((r for r in rules if r.horizontal), key=lambda r: r.top)
    vert = [r for r in rules if not r.horizontal]
    if len(horiz) < 3 or len(vert) < 3:
        return []
    parent = list(range(len(horiz) + len(vert)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    tops = [h.top for h in horiz]
    for j, v in enumerate(vert, start=len(horiz)):
        # Only horizontal rules within the vertical one's height can cross it.
        lo = bisect.bisect_left(tops, v.top - TOUCH - RULE_MAX_THICKNESS)
        hi = bisect.bisect_right(tops, v.bottom + TOUCH)
        for i in range(lo, hi):
            h = horiz[i]
            if h.x0 - TOUCH <= v.x1 and v.x0 <= h.x1 + TOUCH:
                parent[find(i)] = find(j)
    groups: dict[int, list[Rule]] = {}
    for i, r in enumerate(horiz + vert):
        groups.setdefault(find(i), []).append(r)
    grids = []
    for members in groups.values():
        xs = _cluster([(r.x0 + r.x1) / 2 for r in members if not r.horizontal])
        ys = _cluster([(r.top + r.bottom) / 2 for r in members if r.horizontal])
        if len(xs) >= 3 and len(ys) >= 3:
            grids.append(Grid(xs, ys))
    return grids


def _cell_lines(segs: list[Segment]) -> list[str]:
    """A cell's segments as its visual lines of text, top to bottom, a word that the cell
    was too narrow for glued back ("Externa" / "l")."""
    if not segs:
        return []
    median = statistics.median(s.size for s in segs)
    # The body's row grouping, without its split at wide gaps: a cell is one column.
    bands = group_rows(segs, median, max_gap=math.inf)
    lines: list[str] = []
    for text in (make_line(band).text for band in bands):
        if text and lines and join_broken_word(lines[-1], text):
            lines[-1] += text
        elif text:
            lines.append(text)
    return lines


def _cell_parts(lines: list[str]) -> list[str]:
    """A cell's text, split into its list items when it holds two or more (a row that
    lists achievements under an objective): the text before the first item, then each
    item. Lines are joined by newlines so that line-end hyphens are repaired like a
    paragraph's."""
    starts = [i for i, line in enumerate(lines) if LIST_ITEM.match(line)]
    if len(starts) < 2:
        return ["\n".join(lines)]
    cuts = ([0] if starts[0] else []) + starts + [len(lines)]
    return ["\n".join(lines[a:b]) for a, b in zip(cuts, cuts[1:], strict=False)]


def table_rows(segs: list[Segment], rules: list[Rule]) -> tuple[list[Line], list[Segment]]:
    """Split a page's segments into the rows of its ruled tables (one ``Line`` per row, its
    ``table`` flag set) and the segments outside any table."""
    grids = find_grids(rules)
    if not grids:
        return [], segs
    rows: list[Line] = []
    rest: list[Segment] = []
    cells: dict[tuple[int, int, int], list[Segment]] = {}
    for s in segs:
        g = next((k for k, grid in enumerate(grids) if grid.holds(s)), None)
        if g is None:
            rest.append(s)
            continue
        grid = grids[g]
        cy, cx = (s.top + s.bottom) / 2, (s.x0 + s.x1) / 2
        row = min(max(bisect.bisect_right(grid.ys, cy) - 1, 0), len(grid.ys) - 2)
        col = min(max(bisect.bisect_right(grid.xs, cx) - 1, 0), len(grid.xs) - 2)
        cells.setdefault((g, row, col), []).append(s)
    for g, grid in enumerate(grids):
        for row in range(len(grid.ys) - 1):
            members = [s for col in range(len(grid.xs) - 1) for s in cells.get((g, row, col), [])]
            if not members:
                continue
            # The row's cells joined; the list items of a cell that holds several follow as
            # lines of their own, so that a list keeps one unit per item as in the body.
            texts: list[str] = []
            items: list[str] = []
            for col in range(len(grid.xs) - 1):
                parts = _cell_parts(_cell_lines(cells.get((g, row, col), [])))
                if parts != [""]:
                    texts.append(parts[0])
                    items += parts[1:]
            size = max(members, key=lambda s: len(s.text)).size
            top, bottom = min(s.top for s in members), max(s.bottom for s in members)
            for text in [CELL_SEPARATOR.join(texts), *items]:
                rows.append(Line(text, grid.xs[0], grid.xs[-1], top, bottom, size, table=True))
    return rows, rest
