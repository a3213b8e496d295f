"""Layout logic over pages of lines (engine-independent): reading order, running headers and
footers, footnotes, and paragraph blocks joined across column and page breaks."""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from dataclasses import dataclass

from pipeline.engines import BULLET_GLYPHS, PAGE_NUMBER, Line, Page, lone_page_numbers

_NOTE_START = re.compile(r"^(?:\(?\d{1,3}[).]?\s|[*†‡]\s?|\[\d{1,3}\]\s)")
# A list item opens with a bullet (engines.BULLET_GLYPHS), a dash or Word's "o" of
# second-level lists followed by a space (a line may open with "-2" or "-based"), or a
# number or letter ("1.", "a)"); a paragraph also opens with an article or section reference.
LIST_MARKER = (
    r"[" + BULLET_GLYPHS + r"]\s?(?=\S)|[\-–—]\s|o\s|\(?\d{1,3}[.)°]\s|\(?[a-z][).]\s"
)
_PAR_START = re.compile(
    r"^(?:" + LIST_MARKER + r"|"
    r"\d+(?:\.\d+)+\.?\s|(?:Article|Art\.|ARTICLE|Section|SECTION|§)\s*\S|[IVX]{1,5}\.\s?[-–—]?\s)"
)
_SENTENCE_END = re.compile(r"[.!?:;»”\"')\]]\s*$")
_LOWER_START = re.compile(r"[a-zà-ÿ]")
BAND = 0.1  # share of the page height searched for running headers and footers


@dataclass
class Block:
    """A paragraph candidate: its lines' text joined by newlines, pages and layout role."""

    text: str
    role: str  # body | heading | footnote | table (one row of a ruled table)
    page_start: int
    page_end: int
    size: float


def _norm(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


def reading_order(page: Page) -> list[Line]:
    """Lines of a page in reading order: full-width lines split the page into bands in which
    the left column is read before the right one."""
    if not page.gutter:
        return sorted(page.lines, key=lambda ln: (ln.top, ln.x0))
    out: list[Line] = []
    band: list[Line] = []
    for ln in sorted(page.lines, key=lambda ln: (ln.top, ln.x0)):
        if ln.column == -1:
            out += sorted(band, key=lambda x: (x.column, x.top))
            band = []
            out.append(ln)
        else:
            band.append(ln)
    return out + sorted(band, key=lambda x: (x.column, x.top))


def strip_running(
    pages: list[Page],
    min_pages: int,
    min_share: float,
    part_min_pages: int,
    part_min_share: float,
) -> list[str]:
    """Remove running headers/footers and page numbers from ``pages``; return removed texts.

    A line near the top or bottom edge is running when it repeats at the same height
    (digits ignored) on ``min_pages`` pages and ``min_share`` of the document's pages, or on
    ``part_min_pages`` pages and ``part_min_share`` of the pages from its first to its last
    appearance: the running title or "12 | Page" footer of an annex or part that fills
    only part of the document."""
    seen: dict[tuple[str, int], set[int]] = defaultdict(set)
    for p in pages:
        for ln in p.lines:
            if ln.top < BAND * p.height or ln.bottom > (1 - BAND) * p.height:
                seen[(_norm(ln.text), round(ln.top / 10))].add(p.number)
    n = max(1, len([p for p in pages if p.lines]))
    # Documents shorter than min_pages: a running line must repeat on every page.
    need = min(min_pages, n) if n >= 2 else min_pages
    running = {
        k
        for k, v in seen.items()
        if (len(v) >= need and len(v) / n >= min_share)
        or (len(v) >= part_min_pages and len(v) / (max(v) - min(v) + 1) >= part_min_share)
    }
    removed: list[str] = []
    for p in pages:
        keep = []
        numbers = {id(ln) for ln in lone_page_numbers(p.lines)}
        for ln in p.lines:
            in_band = ln.top < 1.3 * BAND * p.height or ln.bottom > (1 - 1.3 * BAND) * p.height
            key = (_norm(ln.text), round(ln.top / 10))
            running_line = in_band and (key in running or PAGE_NUMBER.match(ln.text.strip()))
            if running_line or id(ln) in numbers:
                removed.append(ln.text)
            else:
                keep.append(ln)
        p.lines = keep
    return removed


def body_size(pages: list[Page]) -> float:
    """The font size carrying most characters (the body text size)."""
    weight: dict[float, int] = defaultdict(int)
    for p in pages:
        for ln in p.lines:
            weight[round(ln.size, 1)] += len(ln.text)
    return max(weight, key=weight.__getitem__) if weight else 10.0


def split_footnotes(page: Page, body: float) -> list[list[Line]]:
    """Remove the footnote zone (small lines at the page bottom opening with a note number)
    from ``page`` and return its notes, one list of lines per note."""
    lines = sorted(page.lines, key=lambda ln: ln.top)
    i = len(lines)
    while (
        i > 0
        and lines[i - 1].size <= 0.9 * body
        and lines[i - 1].top > 0.5 * page.height
        and not lines[i - 1].table  # a table's small print is not a note
    ):
        i -= 1
    zone = lines[i:]
    while zone and not (zone[0].marker or _NOTE_START.match(zone[0].text)):
        zone = zone[1:]
    if not zone:
        return []
    ids = {id(ln) for ln in zone}
    page.lines = [ln for ln in page.lines if id(ln) not in ids]
    notes: list[list[Line]] = []
    for ln in zone:
        if ln.marker or _NOTE_START.match(ln.text) or not notes:
            notes.append([])
        notes[-1].append(ln)
    return notes


def _ends_sentence(text: str) -> bool:
    return bool(_SENTENCE_END.search(text))


def _typical_gap(pages: list[Page]) -> float:
    gaps = []
    for p in pages:
        lines = sorted(p.lines, key=lambda ln: (ln.column, ln.top))
        for a, b in zip(lines, lines[1:], strict=False):
            if a.column == b.column and abs(a.size - b.size) < 0.5 and b.top > a.top:
                gaps.append(b.top - a.bottom)
    return statistics.median(gaps) if gaps else 2.0


def build_blocks(
    pages: list[Page],
    min_pages: int = 3,
    min_share: float = 0.4,
    part_min_pages: int = 5,
    part_min_share: float = 0.6,
) -> list[Block]:
    """Pages of lines -> body, heading and footnote blocks in reading order (running lines
    as in ``strip_running``)."""
    strip_running(pages, min_pages, min_share, part_min_pages, part_min_share)
    body = body_size(pages)
    gap0 = _typical_gap(pages)
    notes: list[Block] = []
    stream: list[tuple[int, Line]] = []
    for p in pages:
        for note in split_footnotes(p, body):
            text = "\n".join(ln.text for ln in note)
            if note[0].marker:
                text = f"{note[0].marker} {text}"
            notes.append(Block(text, "footnote", p.number, p.number, note[0].size))
        stream += [(p.number, ln) for ln in reading_order(p)]
    # Column edges per (page, column), to tell short last lines and indented first lines.
    edges: dict[tuple[int, int], tuple[float, float]] = {}
    by_col: dict[tuple[int, int], list[Line]] = defaultdict(list)
    for num, ln in stream:
        if not ln.table:
            by_col[(num, ln.column)].append(ln)
    for key, lns in by_col.items():
        x0s = sorted(ln.x0 for ln in lns)
        x1s = sorted(ln.x1 for ln in lns)
        edges[key] = (x0s[len(x0s) // 5], x1s[-1 - len(x1s) // 5])

    blocks: list[Block] = []
    prev: Line | None = None
    prev_page = 0
    item_x0: float | None = None  # x of the current block's list marker, when it opens one
    for num, ln in stream:
        if ln.table:  # each table row is a block of its own
            blocks.append(Block(ln.text, "table", num, num, ln.size))
            prev, prev_page, item_x0 = None, num, None
            continue
        heading = ln.size >= 1.12 * body
        new = True
        if prev is not None and blocks:
            left, right = edges[(num, ln.column)]
            pleft, pright = edges[(prev_page, prev.column)]
            same_flow = num == prev_page and ln.column == prev.column and ln.top > prev.top
            size_change = abs(ln.size - prev.size) > 0.12 * body
            starts = bool(_PAR_START.match(ln.text))
            prev_short = prev.x1 < pright - 0.12 * (pright - pleft) and _ends_sentence(prev.text)
            if same_flow:
                indented = ln.x0 > max(left, prev.x0) + 0.8 * ln.size
                # A list item's wrapped lines hang to the right of its marker: that indent
                # continues the item, where it would open a paragraph after body text; and a
                # line that opens in lower case after one that did not end a sentence goes
                # on with that sentence however it is set (centred text, a box's margin).
                hanging = item_x0 is not None and ln.x0 > item_x0
                continues = bool(_LOWER_START.match(ln.text)) and not _ends_sentence(prev.text)
                starts = starts or (indented and not hanging and not continues)
                gap = ln.top - prev.bottom
                new = size_change or starts or prev_short or gap > 1.6 * gap0 + 0.35 * ln.size
            else:  # column or page break: continue a sentence that did not end
                new = size_change or starts or _ends_sentence(prev.text)
            if blocks[-1].role == "heading" and not heading:
                new = True
        if new:
            role = "heading" if heading else "body"
            blocks.append(Block(ln.text, role, num, num, ln.size))
            item_x0 = ln.x0 if _PAR_START.match(ln.text) else None
        else:
            b = blocks[-1]
            b.text += "\n" + ln.text
            b.page_end = num
        prev, prev_page = ln, num
    # Footnotes follow the body block that their page ends in.
    out: list[Block] = []
    pending = list(notes)
    for b in blocks:
        while pending and pending[0].page_start < b.page_start:
            out.append(pending.pop(0))
        out.append(b)
    return out + pending
