"""Two PDF text engines (pypdfium2, pdfplumber) behind one interface: pages of text lines.

Both engines first produce text segments (a run of characters on one line, with its box and
font size) and the page's thin drawn rules (table borders); `lines_from_segments` then
builds the same `Line` objects from either, each row of a ruled table one line
(`pipeline.tables`), so the layout logic downstream never knows which engine ran.
"""

from __future__ import annotations

import bisect
import re
import statistics
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ENGINES: tuple[str, ...] = ("pdfium", "pdfplumber")
_MARKER = re.compile(r"^[\d*†‡a-z]{1,3}$")
_SPACES = re.compile(r"\s{2,}")
# A page number as a line of its own: "12", "- 12 -", "Page 3 of 10", "p. 4", "iv".
PAGE_NUMBER = re.compile(
    r"^(?:page|p\.|seite)?\s*[-–—(]?\s*\d{1,4}\s*[-–—)]?\s*(?:(?:/|of|sur|de|von)\s*\d{1,4})?$"
    r"|^[ivxlcdm]{1,6}$",
    re.IGNORECASE,
)
_MAX_STEPS = 4  # characters to step over when a box's first character is found late
# A horizontal gap between two characters or boxes of a line wider than this share of the
# font size is a word space. A space is ~0.25-0.28 em; tracked (letter-spaced) text leaves
# gaps of ~0.16 em between the letters of a word, which 0.15 took for spaces ("Sta rting").
WORD_GAP_EMS = 0.2
# List bullets as PDFs carry them, including Word's Symbol/Wingdings glyphs in the Private
# Use Area (U+F0B7, U+F0A7, U+F0D8, U+F0FC).
BULLET_GLYPHS = "•▪●◦■□➢►➤‣⁃∙·✓✔▫›→◆◇○\uf0b7\uf0a7\uf0d8\uf0fc"


@dataclass
class Segment:
    """A run of characters on one line (coordinates from the page's top-left, in points)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float


@dataclass
class Line(Segment):
    """One text line of a page: a segment's box and main font size, plus layout facts."""

    marker: str = ""  # a superscript note marker that opened the line ("" when none)
    column: int = 0
    table: bool = False  # a row of a ruled table, its cells joined (pipeline.tables)


@dataclass
class Page:
    """One page: its 1-based number, size, text lines and count of non-space characters."""

    number: int
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    chars: int = 0
    error: str = ""
    gutter: float = 0.0  # x of the gap between two columns (0.0 on one-column pages)


# A rule is a drawn box at most this thick (points) and at least RULE_MIN_LENGTH long.
RULE_MAX_THICKNESS = 2.5
RULE_MIN_LENGTH = 8.0
# Pages drawing more paths than this are figures (maps, charts): their rules are not read,
# so that a page of 100,000 vector strokes costs no table search.
MAX_PAGE_PATHS = 5000


@dataclass(frozen=True)
class Rule:
    """A thin drawn box (a table border), in points from the page's top-left."""

    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def horizontal(self) -> bool:
        return self.bottom - self.top <= RULE_MAX_THICKNESS


def as_rule(x0: float, top: float, x1: float, bottom: float) -> Rule | None:
    """The box as a rule, or None when it is not thin and long (a fill, a glyph, a dot)."""
    w, h = x1 - x0, bottom - top
    thin_h = h <= RULE_MAX_THICKNESS and w >= RULE_MIN_LENGTH
    thin_v = w <= RULE_MAX_THICKNESS and h >= RULE_MIN_LENGTH
    return Rule(x0, top, x1, bottom) if thin_h or thin_v else None


def _overlap(a: Segment | Line, b: Segment | Line) -> float:
    return min(a.bottom, b.bottom) - max(a.top, b.top)


def _is_marker(seg: Segment, line_size: float, line_bottom: float) -> bool:
    raised = seg.bottom < line_bottom - 0.15 * line_size
    return seg.size < 0.8 * line_size and raised and bool(_MARKER.match(seg.text.strip()))


def make_line(segs: list[Segment]) -> Line:
    """One line from the segments of one visual line (note markers set apart)."""
    segs.sort(key=lambda s: s.x0)
    size = max(segs, key=lambda s: len(s.text)).size
    bottom = max(s.bottom for s in segs if s.size >= 0.8 * size)
    parts: list[str] = []
    marker = ""
    prev: Segment | None = None
    for i, s in enumerate(segs):
        if _is_marker(s, size, bottom):
            if i == 0:
                marker = s.text.strip()
            continue  # superscript note markers are not body text
        if prev is not None and s.x0 - prev.x1 > WORD_GAP_EMS * size and not parts[-1].endswith(" "):
            parts.append(" ")
        parts.append(s.text)
        prev = s
    main = [s for s in segs if s.size >= 0.8 * size] or segs
    return Line(
        text=_SPACES.sub(" ", "".join(parts)).strip(),
        x0=min(s.x0 for s in segs),
        x1=max(s.x1 for s in segs),
        top=min(s.top for s in main),
        bottom=max(s.bottom for s in main),
        size=size,
        marker=marker,
    )


def _hint_holds(segs: list[Segment], hint: float, width: float) -> bool:
    """True when the previous page's gutter also fits this page: no column-wide segment
    crosses it (full-width titles, headers and footnotes may)."""
    cross = sum(1 for s in segs if s.x0 < hint - 1 < hint + 1 < s.x1 and s.x1 - s.x0 < 0.45 * width)
    return cross <= 1


def lone_page_numbers(boxes: list) -> list:
    """The page numbers ("1", "- 12 -", "Page 3 of 10", "iv") alone on a page's first or
    last line and set apart from the text by twice their height: page furniture wherever
    the margins put them. ``boxes`` are a page's segments or lines (anything with
    ``text``, ``top`` and ``bottom``). Centred under a two-column page, such a number
    also sits on the gutter."""
    ordered = sorted(boxes, key=lambda b: b.top)
    if len(ordered) < 2:
        return []
    found = []
    last, before = ordered[-1], max(ordered[:-1], key=lambda b: b.bottom)
    if last.top - before.bottom >= 2 * (last.bottom - last.top):
        found.append(last)
    first, after = ordered[0], min(ordered[1:], key=lambda b: b.top)
    if after.top - first.bottom >= 2 * (first.bottom - first.top):
        found.append(first)
    return [b for b in found if PAGE_NUMBER.match(b.text.strip())]


# A title block over two columns: at most this many short lines, each centred on the page
# within this share of its width, over columns of at least this many lines each (two text
# boxes of one line that a PDF split mid-word are not columns).
TITLE_BLOCK_MAX_LINES = 6
TITLE_CENTRE_TOLERANCE = 0.03
COLUMN_MIN_LINES = 5


def find_gutter(segs: list[Segment], width: float, hint: float = 0.0) -> float:
    """x of a vertical gap that splits the page's segments into two columns (0.0 if none);
    ``hint`` is the previous page's gutter, kept for short pages (a document's last page)."""
    if hint and _hint_holds(segs, hint, width):
        return hint
    numbers = {id(s) for s in lone_page_numbers(segs)}
    segs = [s for s in segs if id(s) not in numbers]
    n = len(segs)
    if n < 12 or width <= 0:
        return 0.0
    import numpy as np

    x0 = np.fromiter((s.x0 for s in segs), float, n)
    x1 = np.fromiter((s.x1 for s in segs), float, n)
    wide = (x1 - x0) > 0.45 * width
    xs = np.arange(0.33 * width, 0.67 * width, 1.0)
    top = np.fromiter((s.top for s in segs), float, n)
    bottom = np.fromiter((s.bottom for s in segs), float, n)
    crossing = (x0[:, None] < xs) & (x1[:, None] > xs)
    on_left, on_right = x1[:, None] <= xs, x0[:, None] >= xs
    # Narrow segments (words, column lines) may cross a gutter only rarely (a centred
    # title); wide ones (full-width headings) a little more often.
    narrow_cross = crossing[~wide].sum(0)
    wide_cross = crossing[wide].sum(0)
    need = max(3, 0.2 * n)
    sides = (wide_cross <= max(2, 0.1 * n)) & (on_left.sum(0) >= need) & (on_right.sum(0) >= need)
    min_run = 0.5 * statistics.median(s.size for s in segs)
    gutter = _widest_run(xs, sides & (narrow_cross <= 2), min_run)
    if gutter:
        return gutter
    # A block of short centred lines above where both columns start (a title, authors and
    # a date over an article's columns) does not cross the gutter, when real columns of
    # several lines each stand under it.
    columns_top = np.maximum(np.where(on_left, top[:, None], np.inf).min(0),
                             np.where(on_right, top[:, None], np.inf).min(0))
    centred = np.abs((x0 + x1) / 2 - width / 2) <= TITLE_CENTRE_TOLERANCE * width
    title_block = (crossing & (bottom[:, None] <= columns_top + 1))[~wide & centred].sum(0)
    titled = (title_block <= TITLE_BLOCK_MAX_LINES) & (narrow_cross - title_block <= 2)
    gutter = _widest_run(xs, sides & titled, min_run)
    if not gutter:
        return 0.0
    left_lines = {round(s.top) for s in segs if s.x1 <= gutter}
    right_lines = {round(s.top) for s in segs if s.x0 >= gutter}
    return gutter if min(len(left_lines), len(right_lines)) >= COLUMN_MIN_LINES else 0.0


def _widest_run(xs, ok, min_run: float) -> float:
    """Centre of the widest run of acceptable positions ``xs[ok]``, if at least
    ``min_run`` wide (0.0 otherwise)."""
    best, best_len, start = 0.0, 0, None
    for i, flag in enumerate([*ok.tolist(), False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            if i - start > best_len:
                best, best_len = float(xs[(start + i - 1) // 2]), i - start
            start = None
    return best if best_len >= min_run else 0.0


def _side(box: Segment | Line, gutter: float) -> int:
    if not gutter:
        return 0
    if box.x1 <= gutter + 1:
        return 0
    if box.x0 >= gutter - 1:
        return 1
    return -1  # spans both columns


def group_rows(segs: list[Segment], median: float, max_gap: float) -> list[list[Segment]]:
    """Rows of vertically overlapping segments, each split at wide horizontal gaps."""
    # Body-size segments make the rows; small ones (superscripts) join the row they overlap.
    big = sorted((s for s in segs if s.size >= 0.85 * median), key=lambda s: (s.top, s.x0))
    small = [s for s in segs if s.size < 0.85 * median]
    rows: list[list[Segment]] = []
    bands: list[list[float]] = []
    for s in big:
        if bands and _overlap(s, Segment("", 0, 0, *bands[-1], 0)) > 0.3 * min(
            s.bottom - s.top, bands[-1][1] - bands[-1][0]
        ):
            rows[-1].append(s)
            bands[-1] = [min(bands[-1][0], s.top), max(bands[-1][1], s.bottom)]
        else:
            rows.append([s])
            bands.append([s.top, s.bottom])
    for s in sorted(small, key=lambda s: (s.top, s.x0)):
        h = s.bottom - s.top
        best, best_ov = -1, 0.3 * h
        for i, (t, b) in enumerate(bands):
            ov = min(b, s.bottom) - max(t, s.top)
            if ov > best_ov and ov > 0.3 * min(h, b - t):
                best, best_ov = i, ov
        if best < 0:
            rows.append([s])
            bands.append([s.top, s.bottom])
        else:
            rows[best].append(s)
            # The band grows with what joins it: a row of small print opened by a raised
            # note number ("24 The percentages … may not sum …") must still take the
            # words set a point lower.
            t, b = bands[best]
            bands[best] = [min(t, s.top), max(b, s.bottom)]
    out: list[list[Segment]] = []
    for row in rows:
        row.sort(key=lambda s: s.x0)
        cur = [row[0]]
        for s in row[1:]:
            # Within one column any gap is a word gap (justified text); without a known
            # gutter a gap wider than 3 ems is taken as a column or table boundary.
            limit = max_gap or 3.0 * max(s.size, cur[-1].size)
            if s.x0 - max(c.x1 for c in cur) > limit:
                out.append(cur)
                cur = []
            cur.append(s)
        out.append(cur)
    return out


# A list bullet drawn on its own (layout opens list items with the same glyphs); dashes and
# Word's second-level "o" too.
_LONE_BULLET = re.compile(r"^[" + BULLET_GLYPHS + r"\-–—o]$")
BULLET_REACH_EMS = 6.0  # how far right of a lone bullet its item's text may start


def _attach_bullets(lines: list[Line]) -> list[Line]:
    """Each bullet glyph that is a line of its own (set further from its item's text than a
    word gap) opens the nearest line to its right on the same row instead: "▫" + "Book an
    appointment" -> "▫ Book an appointment", starting at the bullet, so that the item is
    one paragraph that opens with a list marker."""
    bullets = [ln for ln in lines if _LONE_BULLET.match(ln.text)]
    if not bullets:
        return lines
    rest = sorted((ln for ln in lines if not _LONE_BULLET.match(ln.text)), key=lambda ln: ln.top)
    tops = [ln.top for ln in rest]
    tallest = max((ln.bottom - ln.top for ln in rest), default=0.0)
    kept = []
    for bullet in bullets:
        # Only the lines whose top is near the bullet's can share its row (a page of
        # thousands of one-glyph boxes must not cost bullets x lines).
        near = rest[bisect.bisect_left(tops, bullet.top - tallest):
                    bisect.bisect_right(tops, bullet.bottom)]
        right = [ln for ln in near if ln.column == bullet.column and ln.x0 >= bullet.x1
                 and ln.x0 - bullet.x1 <= BULLET_REACH_EMS * ln.size
                 and _overlap(ln, bullet) > 0.3 * min(ln.bottom - ln.top, bullet.bottom - bullet.top)]
        if not right:
            kept.append(bullet)
            continue
        item = min(right, key=lambda ln: ln.x0)
        item.text, item.x0 = f"{bullet.text} {item.text}", bullet.x0
    return rest + kept


def lines_from_segments(
    segs: list[Segment], width: float = 0.0, hint: float = 0.0, rules: list[Rule] | None = None
) -> tuple[list[Line], float]:
    """Group segments into lines (same vertical band, same column), each row of a ruled
    table (drawn by ``rules``) into one line; also return the gutter."""
    from pipeline.tables import table_rows  # tables builds on this module's Line

    segs = [s for s in segs if s.text.strip() and s.x1 > s.x0 and s.bottom > s.top]
    rows, segs = table_rows(segs, rules or [])
    if not segs:
        for row in rows:
            row.column = -1
        return rows, 0.0
    gutter = find_gutter(segs, width, hint)
    median = statistics.median(s.size for s in segs)
    groups: list[list[Segment]] = []
    for side in (-1, 0, 1):
        part = [s for s in segs if _side(s, gutter) == side]
        if part:
            groups += group_rows(part, median, width if gutter else 0.0)
    lines = [make_line(g) for g in groups]
    lines = [ln for ln in lines if ln.text]
    for ln in lines:
        ln.column = _side(ln, gutter)
    lines = _attach_bullets(lines)
    for row in rows:
        row.column = _side(row, gutter)  # a table across the gutter reads as full width
    lines += rows
    lines.sort(key=lambda ln: (round(ln.top, 1), ln.x0))
    return lines, gutter


def _pdfium_segments(textpage, height: float) -> list[Segment]:
    """Segments from pdfium's text rectangles, with each rectangle's text sliced from the
    page text in one pass.

    pdfium builds its rectangles from the page's characters in order, so rectangle i holds
    the characters from its first one up to the first one of rectangle i+1. Asking pdfium
    for the text inside each box instead (``get_text_bounded``) rescans the page per box
    and repeats letters where kerned boxes overlap ("Yo" + "You require").
    """
    import ctypes

    import pypdfium2.raw as raw

    tp = textpage.raw
    text = textpage.get_text_range()
    boxes: list[tuple[float, float, float, float, int, float]] = []
    left, right, top, bottom = (ctypes.c_double() for _ in range(4))
    cleft, cright, cbottom, ctop = (ctypes.c_double() for _ in range(4))
    n_chars = textpage.count_chars()
    last_start = 0
    matrix = raw.FS_MATRIX()

    def char_size(index: int) -> float:
        """The size a character is drawn at: its font size times the scale of its text
        matrix (PDFs often set a 1-point font and scale it, or scale some lines only)."""
        if index < 0:
            return 0.0
        size = raw.FPDFText_GetFontSize(tp, index)
        if raw.FPDFText_GetMatrix(tp, index, matrix):
            size *= abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5
        return size

    for i in range(textpage.count_rects()):
        raw.FPDFText_GetRect(tp, i, left, top, right, bottom)
        x0, x1, y1, y0 = left.value, right.value, top.value, bottom.value
        idx = raw.FPDFText_GetCharIndexAtPos(tp, x0 + 0.5, (y1 + y0) / 2, 1.5, 1.5)
        # The hit may be the last letter of the box before (kerned boxes overlap, and a
        # space may have no box): step on to the first character that starts in this box.
        for _ in range(_MAX_STEPS) if idx >= 0 else ():
            raw.FPDFText_GetCharBox(tp, idx, cleft, cright, cbottom, ctop)
            if cleft.value >= x0 - 0.05 or idx + 1 >= n_chars:
                break
            idx += 1
        start = raw.FPDFText_GetTextIndexFromCharIndex(tp, idx) if idx >= 0 else -1
        # A box whose first character cannot be found, or is one an earlier box already
        # holds, joins the box before it.
        start = 0 if not boxes else start if start > last_start else last_start
        size = char_size(idx)
        if boxes and start == last_start:
            px0, px1, py0, py1, pstart, psize = boxes[-1]
            boxes[-1] = (min(px0, x0), max(px1, x1), min(py0, y0), max(py1, y1), pstart, psize)
            continue
        boxes.append((x0, x1, y0, y1, start, size))
        last_start = start
    segs = []
    for j, (x0, x1, y0, y1, start, size) in enumerate(boxes):
        end = boxes[j + 1][4] if j + 1 < len(boxes) else len(text)
        piece = text[start:end]
        if not piece.strip():
            continue
        if end - start > 2 * _MAX_STEPS:
            # A box can open with a superscript note number ("11 as well as ..."): its first
            # character's size would make the whole line look like small print.
            size = max(size, char_size(raw.FPDFText_GetCharIndexFromTextIndex(tp, (start + end) // 2)))
        if size <= 0:
            size = (y1 - y0) * 1.2
        piece = piece.replace("\r\n", " ").replace("\n", " ").replace("\ufffe", "\x02")
        segs.append(Segment(piece, x0, x1, height - y1, height - y0, size))
    return segs


def _pdfium_rules(page, height: float) -> list[Rule]:
    """The thin drawn boxes of a page (table borders), from its top-level path objects
    (through the raw API: wrapping every object in Python costs twice the time); none on a
    page of more than MAX_PAGE_PATHS paths (a drawing, a map or a chart, not a table)."""
    import ctypes

    import pypdfium2.raw as raw

    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    rules: list[Rule] = []
    paths = 0
    for i in range(raw.FPDFPage_CountObjects(page.raw)):
        obj = raw.FPDFPage_GetObject(page.raw, i)
        if raw.FPDFPageObj_GetType(obj) != raw.FPDF_PAGEOBJ_PATH:
            continue
        paths += 1
        if paths > MAX_PAGE_PATHS:
            return []
        if raw.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
            rule = as_rule(left.value, height - top.value, right.value, height - bottom.value)
            if rule is not None:
                rules.append(rule)
    return rules


def pdfium_pages(path: Path, password: str = "") -> Iterator[Page]:
    """Yield the pages of ``path`` read with pypdfium2 (each page closed after use)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(path), password=password)
    hint = 0.0
    try:
        for i in range(len(doc)):
            try:
                page = doc[i]
                try:
                    width, height = page.get_size()
                    tp = page.get_textpage()
                    try:
                        segs = _pdfium_segments(tp, height)
                        chars = len("".join(tp.get_text_range().split()).replace("\ufffe", ""))
                    finally:
                        tp.close()
                    rules = _pdfium_rules(page, height)
                finally:
                    page.close()
            except Exception as exc:  # a broken page must not lose the document
                yield Page(i + 1, 0.0, 0.0, error=f"{type(exc).__name__}: {exc}"[:200])
                continue
            lines, gutter = lines_from_segments(segs, width, hint, rules)
            hint = gutter
            yield Page(i + 1, width, height, lines, chars, gutter=gutter)
    finally:
        doc.close()


def _plumber_segments(chars: list[dict]) -> list[Segment]:
    segs: list[Segment] = []
    cur: list[dict] = []

    def flush() -> None:
        if cur:
            text = "".join(c["text"] for c in cur)
            size = max(c["size"] for c in cur)
            segs.append(
                Segment(
                    text,
                    min(c["x0"] for c in cur),
                    max(c["x1"] for c in cur),
                    min(c["top"] for c in cur),
                    max(c["bottom"] for c in cur),
                    size,
                )
            )
            cur.clear()

    for c in chars:
        if cur:
            p = cur[-1]
            same_size = abs(c["size"] - p["size"]) < 0.5
            gap = c["x0"] - p["x1"]
            if (
                not same_size
                or abs(c["top"] - p["top"]) > 0.5 * p["size"]
                or gap < -0.5 * p["size"]
            ):
                flush()
            elif gap > 1.5 * p["size"]:
                flush()
            elif gap > WORD_GAP_EMS * p["size"] and p["text"] != " " and c["text"] != " ":
                c = dict(c, text=" " + c["text"])
        cur.append(c)
    flush()
    return segs


def pdfplumber_pages(path: Path, password: str = "") -> Iterator[Page]:
    """Yield the pages of ``path`` read with pdfplumber (each page closed after use)."""
    import pdfplumber

    hint = 0.0
    with pdfplumber.open(str(path), password=password) as pdf:
        for i, page in enumerate(pdf.pages):
            try:
                segs = _plumber_segments(page.chars)
                chars = sum(1 for c in page.chars if c["text"].strip())
                width, height = float(page.width), float(page.height)
                drawn = page.lines + page.rects
                boxes = (as_rule(o["x0"], o["top"], o["x1"], o["bottom"]) for o in drawn)
                rules = [] if len(drawn) > MAX_PAGE_PATHS else [r for r in boxes if r]
            except Exception as exc:
                yield Page(i + 1, 0.0, 0.0, error=f"{type(exc).__name__}: {exc}"[:200])
                continue
            finally:
                page.close()
            lines, gutter = lines_from_segments(segs, width, hint, rules)
            hint = gutter
            yield Page(i + 1, width, height, lines, chars, gutter=gutter)


def read_pages(path: Path, engine: str, password: str = "") -> Iterator[Page]:
    """Pages of ``path`` from the named engine ("pdfium" or "pdfplumber")."""
    if engine == "pdfium":
        return pdfium_pages(path, password)
    if engine == "pdfplumber":
        return pdfplumber_pages(path, password)
    raise ValueError(f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")
