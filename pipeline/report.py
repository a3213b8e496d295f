"""Coverage result -> heatmap.png and one self-contained report.html (formatting only).

The HTML has no script and no external reference: a Content-Security-Policy forbids both,
and every piece of text (much of it from untrusted PDFs) is HTML-escaped.
"""

from __future__ import annotations

import re
import textwrap
from html import escape
from pathlib import Path

import pandas as pd

from pipeline.coverage import NA, NOT_ADDRESSED, PARTLY, SUBSTANTIVE, CoverageResult
from pipeline.io import atomic_path, write_text_atomic
from pipeline.taxonomy import load_taxonomy

HEATMAP_PNG, REPORT_HTML = "heatmap.png", "report.html"
LEVEL_COLOURS = {NA: "#cfd4da", NOT_ADDRESSED: "#f6f7f9", PARTLY: "#9cc7e4", SUBSTANTIVE: "#2764a8"}
LEVEL_TEXT = {NA: "#4a4f55", NOT_ADDRESSED: "#8a9099", PARTLY: "#0d2b45", SUBSTANTIVE: "#ffffff"}
# Tableau 10 without grey: distinct, colour-blind-friendly enough for 9 areas
AREA_COLOURS = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
)
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d232a;
 margin:0;background:#fff}
main{max-width:1200px;margin:0 auto;padding:24px 28px 60px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:36px 0 10px;border-bottom:2px solid #e4e7eb;
 padding-bottom:4px}h3{font-size:15px;margin:22px 0 6px}
.muted{color:#5f6b76}.small{font-size:12px}
table{border-collapse:collapse}
.heat th,.heat td{border:1px solid #fff;padding:0}
.heat thead th{font-size:12px;font-weight:600;padding:4px 6px;vertical-align:bottom;
 text-align:center;max-width:90px}
.heat tbody th{text-align:left;font-weight:500;padding:4px 10px 4px 0;max-width:340px}
.heat td a,.heat td span{display:block;min-width:64px;padding:9px 4px;text-align:center;
 font-weight:600;text-decoration:none;color:inherit}
.heat td a:hover{outline:2px solid #1d232a;outline-offset:-2px}
.na{background-image:repeating-linear-gradient(45deg,transparent 0 5px,rgba(255,255,255,.55) 5px 8px)}
.legend span.sw{display:inline-block;width:14px;height:14px;vertical-align:-2px;margin:0 4px 0 14px;
 border:1px solid #c7ccd1}
.chip{display:inline-block;min-width:18px;padding:0 6px;margin:0 3px 2px 0;border-radius:9px;
 font-size:12px;font-weight:700;text-align:center}
.grid{border:1px solid #e4e7eb}.grid th,.grid td{border:1px solid #e4e7eb;padding:5px 8px;
 text-align:left;vertical-align:top}.grid th{background:#f6f7f9}
.ev{margin:4px 0 0 0;padding:0;list-style:none}
.ev li,.unit{border-left:4px solid #d9dee3;padding:6px 10px;margin:6px 0;background:#fafbfc}
.meta{font-size:12px;color:#5f6b76}.terms{font-size:12px;color:#3d4a55}
.text{white-space:pre-wrap;margin-top:4px}
.doc{margin-top:26px}.status{font-weight:600;color:#9b2c2c}
"""


def _e(value: object) -> str:
    return escape(
        "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value),
        quote=True,
    )


def _anchor(*parts: object) -> str:
    return "-".join(re.sub(r"[^A-Za-z0-9_-]", "_", str(p)) for p in parts)


def _text_colour(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#111" if 0.299 * r + 0.587 * g + 0.114 * b > 150 else "#fff"


def _chip(code: str, colours: dict[str, str], extra: str = "") -> str:
    c = colours[code]
    return (
        f'<span class="chip" style="background:{c};color:{_text_colour(c)}">'
        f"{_e(code)}{_e(extra)}</span>"
    )


def _short_label(label: str, width: int = 44) -> str:
    # keep the end too: titles often differ only in a trailing year or "(scan)"
    return label if len(label) <= width else f"{label[: width - 15]}…{label[-14:]}"


def _pages(start: object, end: object) -> str:
    return f"p. {_e(start)}" if str(start) == str(end) else f"pp. {_e(start)}–{_e(end)}"


def write_heatmap(result: CoverageResult, target: Path) -> Path:
    """Draw groups x areas coloured by level, each cell annotated with its unit count or NA."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    order = [NA, NOT_ADDRESSED, PARTLY, SUBSTANTIVE]
    # A picture of thousands of rows is unreadable and past matplotlib's size limit: draw
    # the first heatmap_max_rows rows and say so; coverage.csv holds them all.
    max_rows = result.params.heatmap_max_rows
    total = len(result.level)
    levels = result.level[list(result.areas)].iloc[:max_rows]
    codes = levels.map(order.index).to_numpy()
    n = len(levels)
    fig, ax = plt.subplots(figsize=(10, 1.8 + 0.42 * max(n, 1)), dpi=110)
    if total > n:
        ax.set_title(f"first {n} of {total} rows; all rows in coverage.csv", fontsize=9)
    ax.imshow(
        codes,
        cmap=ListedColormap([LEVEL_COLOURS[lv] for lv in order]),
        vmin=0,
        vmax=3,
        aspect="auto",
    )
    for i in range(n):
        for j, code in enumerate(result.areas):
            units = result.units.at[i, code]
            label = NA if levels.at[i, code] == NA else str(units)
            ax.text(
                j,
                i,
                label,
                ha="center",
                va="center",
                fontsize=9,
                color=LEVEL_TEXT[levels.at[i, code]],
            )
    short = {a.code: a.short for a in load_taxonomy().areas}
    ax.set_xticks(
        range(len(result.areas)),
        [f"{c}\n{textwrap.fill(short[c], 13)}" for c in result.areas],
        fontsize=8,
    )
    ax.xaxis.tick_top()
    ax.set_yticks(range(n), [_short_label(str(s)) for s in result.level["label"].iloc[:n]],
                  fontsize=9)
    ax.set_xticks([x - 0.5 for x in range(1, len(result.areas))], minor=True)
    ax.set_yticks([y - 0.5 for y in range(1, n)], minor=True)
    ax.grid(which="minor", color="white", linewidth=2)
    ax.tick_params(which="minor", length=0)
    ax.legend(
        handles=[Patch(facecolor=LEVEL_COLOURS[lv], edgecolor="#999", label=lv) for lv in order],
        loc="upper center",
        bbox_to_anchor=(0.5, -0.02),
        ncol=4,
        frameon=False,
        fontsize=8,
    )
    fig.tight_layout()
    # tight_layout leaves a placeholder layout engine behind, which makes savefig draw the
    # whole figure twice (~1 s for a hundred rows); the layout is final, so drop it.
    fig.set_layout_engine(None)
    tmp = atomic_path(target)
    try:
        fig.savefig(tmp, format="png", metadata={"Software": None})
        tmp.replace(target)
    finally:
        plt.close(fig)
        tmp.unlink(missing_ok=True)
    return target


def _heatmap_html(result: CoverageResult, short: dict[str, str], titles: dict[str, str]) -> str:
    head = "".join(
        f'<th title="{_e(titles[c])}">{_e(c)}<br><span class="muted">{_e(short[c])}</span></th>'
        for c in result.areas
    )
    rows = []
    long = result.long.set_index(["group", "area"])
    for i, row in result.level.iterrows():
        cells = []
        for code in result.areas:
            level = row[code]
            cell = long.loc[(row["group"], code)]
            style = f"background:{LEVEL_COLOURS[level]};color:{LEVEL_TEXT[level]}"
            if level == NA:
                cells.append(
                    f'<td class="na" style="{style}"><span title="not assessed">NA</span></td>'
                )
                continue
            tip = f"{code}: {level}; {cell['units']} unit(s), {cell['share']:.1%} of units"
            inner = _e(cell["units"])
            if level in (PARTLY, SUBSTANTIVE):
                cells.append(
                    f'<td style="{style}"><a href="#{_anchor("ev", i, code)}" '
                    f'title="{_e(tip)}">{inner}</a></td>'
                )
            else:
                cells.append(f'<td style="{style}"><span title="{_e(tip)}">{inner}</span></td>')
        rows.append(f"<tr><th>{_e(row['label'])}</th>{''.join(cells)}</tr>")
    legend = "".join(
        f'<span class="sw" style="background:{LEVEL_COLOURS[lv]}"></span>{_e(lv)}'
        for lv in (SUBSTANTIVE, PARTLY, NOT_ADDRESSED, NA)
    )
    return (
        f'<table class="heat"><thead><tr><th></th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
        f'<p class="legend small muted">Cell = number of tagged units; colour = level:{legend}'
        "<br>Click a coloured cell to jump to its evidence.</p>"
    )


def _gaps_html(result: CoverageResult, colours: dict[str, str], short: dict[str, str]) -> str:
    rows = []
    for _, g in result.gaps.iterrows():
        if g["gaps"] == NA:
            gaps = '<span class="status">NA: not assessed</span>'
        elif not g["gaps"]:
            gaps = "none: every area is addressed"
        else:
            gaps = " ".join(
                _chip(c, colours) + f'<span class="small">{_e(short[c])}</span>&ensp;'
                for c in g["gaps"].split()
            )
        na = f", {_e(g['n_not_assessed'])} not assessed" if g["n_not_assessed"] else ""
        rows.append(
            f"<tr><td>{_e(g['label'])}</td><td>{_e(g['n_documents'])}{na}</td>"
            f"<td>{_e(g['n_gaps'])}</td><td>{gaps}</td></tr>"
        )
    return (
        '<table class="grid"><thead><tr><th>Row</th><th>Documents</th><th>Gaps</th>'
        f"<th>Areas not addressed</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _evidence_html(result: CoverageResult, colours: dict[str, str], short: dict[str, str]) -> str:
    index = {g: i for i, g in enumerate(result.level["group"])}
    long = result.long.set_index(["group", "area"])
    parts = []
    for (group, code), ev in result.evidence.groupby(["group", "area"], sort=False):
        cell = long.loc[(group, code)]
        items = "".join(
            f'<li style="border-left-color:{colours[code]}"><div class="meta">'
            f'<a href="#{_anchor("u", r["unit_id"])}">{_e(r["title"])}</a> · '
            f"{_pages(r['page_start'], r['page_end'])}"
            f"{' · ' + _e(r['article_ref']) if r['article_ref'] else ''} · "
            f"probability {r['probability']:.2f}</div>"
            f"<div>{_e(r['snippet'])}</div>"
            f'<div class="terms">terms: {_e(r["terms"]) or "—"}</div></li>'
            for _, r in ev.iterrows()
        )
        parts.append(
            f'<h3 id="{_anchor("ev", index[group], code)}">{_e(cell["label"])} · '
            f"{_chip(code, colours)} {_e(short[code])}: {_e(cell['level'])} "
            f'<span class="muted small">({_e(cell["units"])} unit(s), {cell["share"]:.1%}; '
            f'top {len(ev)} shown)</span></h3><ul class="ev">{items}</ul>'
        )
    return "".join(parts) or "<p>No area is addressed in any document.</p>"


def _unit_html(hits: list[dict], colours: dict[str, str]) -> str:
    first = hits[0]
    chips = "".join(_chip(h["area"], colours, f" {h['probability']:.2f}") for h in hits)
    terms = "; ".join(f"{_e(h['area'])}: {_e(h['terms'])}" for h in hits if h["terms"])
    ref = " · ".join(_e(v) for v in (first["article_ref"], first["heading_path"]) if v)
    return (
        f'<div class="unit" id="{_anchor("u", first["unit_id"])}" '
        f'style="border-left-color:{colours[first["area"]]}">{chips} '
        f'<span class="meta">{_pages(first["page_start"], first["page_end"])}'
        f"{' · ' + ref if ref else ''}</span>"
        f"{f'<div class=terms>terms: {terms}</div>' if terms else ''}"
        f'<div class="text">{_e(first["text"])}</div></div>'
    )


def _known_words(doc: dict) -> str:
    """" · 98% known words" (manifest column known_words), or "" when not measured."""
    share = pd.to_numeric(doc.get("known_words"), errors="coerce")
    return "" if pd.isna(share) else f" · {share:.0%} known words"


def _documents_html(result: CoverageResult, colours: dict[str, str]) -> str:
    by_doc: dict[str, dict[str, list[dict]]] = {}
    for hit in result.passages.to_dict("records"):  # rows are in document, unit order
        by_doc.setdefault(hit["doc_id"], {}).setdefault(hit["unit_id"], []).append(hit)
    parts = []
    shown: dict[str, str] = {}  # doc_id -> title of the file whose passages are listed
    for doc in result.documents.to_dict("records"):
        facts = " · ".join(_e(doc[c]) for c in ("country", "year", "doc_type") if doc[c])
        first = doc["doc_id"] not in shown
        anchor = f' id="{_anchor("doc", doc["doc_id"])}"' if first else ""
        parts.append(
            f'<div class="doc"{anchor}><h3>{_e(doc["title"])}</h3>'
            f'<div class="meta">{_e(doc["path"])}{" · " + facts if facts else ""} · '
            f"{_e(doc['n_units'])} units · status {_e(doc['status'])}{_known_words(doc)}</div>"
        )
        if not first:  # the same bytes as a file above: its passages are not listed twice
            parts.append(
                f'<p>Same content as <a href="#{_anchor("doc", doc["doc_id"])}">'
                f"{_e(shown[doc['doc_id']])}</a>; its passages are listed there.</p></div>"
            )
            continue
        shown[doc["doc_id"]] = doc["title"]
        if not doc["assessed"]:
            err = f": {_e(doc['error'])}" if doc.get("error") else ""
            parts.append(f'<p class="status">Not assessed (NA){err}</p>')
        elif doc["doc_id"] not in by_doc:
            parts.append("<p>No passage tagged with any area.</p>")
        else:
            parts.extend(_unit_html(hits, colours) for hits in by_doc[doc["doc_id"]].values())
        parts.append("</div>")
    return "".join(parts)


def render_html(result: CoverageResult) -> str:
    """The report as one HTML string: heatmap table, gap summary, evidence, passages."""
    tax = load_taxonomy()
    colours = dict(zip(result.areas, AREA_COLOURS, strict=False))
    short = {a.code: a.short for a in tax.areas}
    titles = {a.code: a.title_en for a in tax.areas}
    docs = result.documents
    n_na = int((~docs["assessed"]).sum())
    areas = "".join(
        f"<tr><td>{_chip(a.code, colours)}</td><td>{_e(a.short)}</td>"
        f"<td>{_e(a.title_en)}<br><span class='muted small'>{_e(a.title_fr)}</span>"
        "</td></tr>"
        for a in tax.areas
    )
    warnings = "".join(f'<p class="status small">{_e(w)}</p>' for w in result.warnings)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>capmap coverage report</title><style>{CSS}</style></head><body><main>"
        "<h1>capmap coverage report</h1>"
        f'<p class="muted">{len(docs)} document(s), {n_na} not assessed · rows by '
        f"{_e(result.by)} · taxonomy {_e(tax.version)}</p>{warnings}"
        f"<h2>Coverage matrix</h2>{_heatmap_html(result, short, titles)}"
        f'<p class="small muted"><b>Rule.</b> {_e(result.rule)}</p>'
        f"<h2>Gaps</h2>{_gaps_html(result, colours, short)}"
        f"<h2>Evidence per covered cell</h2>{_evidence_html(result, colours, short)}"
        f"<h2>Tagged passages per document</h2>{_documents_html(result, colours)}"
        f'<h2>Areas</h2><table class="grid">{areas}</table>'
        "</main></body></html>\n"
    )


def write_report(result: CoverageResult, out_dir: Path) -> list[Path]:
    """Write heatmap.png and the self-contained report.html into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    png = write_heatmap(result, out_dir / HEATMAP_PNG)
    html = out_dir / REPORT_HTML
    write_text_atomic(render_html(result), html)
    return [png, html]
