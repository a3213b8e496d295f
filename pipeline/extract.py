"""PDF files -> units and a manifest, each file read in an isolated child process.

A child process (not a thread; see pipeline.isolation) runs the extraction with an
address-space limit and is killed after the per-file timeout, so a hostile or huge PDF
cannot hang or exhaust a batch.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline.io import write_parquet_atomic, write_text_atomic
from pipeline.isolation import IsolatedProcess, TaskFailed
from pipeline.params import ExtractParams
from pipeline.schema import MANIFEST_COLUMNS, UNIT_COLUMNS


@dataclass
class ExtractResult:
    """One file's manifest row and its unit rows."""

    manifest: dict
    units: list[dict] = field(default_factory=list)


class _Status(Exception):
    """A file-level outcome other than ok (not_pdf, encrypted, too_large, ...)."""

    def __init__(self, status: str, error: str = "", pages: int = 0):
        super().__init__(error)
        self.status, self.error, self.pages = status, error, pages


def file_sha256(path: Path) -> str:
    """sha256 (hex) of the file's bytes, read in chunks ("" when it cannot be read)."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    except OSError:
        return ""
    return h.hexdigest()


def doc_id_of(path: Path) -> str:
    """First 16 hex chars of the sha256 of the file's bytes ("" when unreadable)."""
    return file_sha256(path)[:16]


@dataclass(frozen=True)
class _CheckedFile:
    """What the file checks found: the page count, the engine that can read the file and,
    when it is not the configured one, why."""

    pages: int
    engine: str
    note: str = ""


def _plumber_page_count(path: Path) -> int:
    """Page count as pdfminer (under pdfplumber) reads the file; raises if it cannot."""
    import pdfplumber

    with pdfplumber.open(str(path), password="") as pdf:
        return len(pdf.pages)


def _check_file(path: Path, params: ExtractParams) -> _CheckedFile:
    """Validate magic, size, encryption and page count, and name the engine to read with.

    PDFium is stricter than pdfminer about some malformed files (a damaged document
    information dictionary, say); a file PDFium refuses is read with pdfplumber when
    pdfminer can open it, so it is assessed rather than failed."""
    size_mb = path.stat().st_size / 2**20
    if size_mb > params.max_file_mb:
        raise _Status("too_large", f"{size_mb:.0f} MB > max_file_mb {params.max_file_mb:g}")
    with open(path, "rb") as f:
        head = f.read(1024)
    if b"%PDF-" not in head:
        raise _Status("not_pdf", "no %PDF- header")
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(str(path), password="")
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise _Status("encrypted", "password required (empty password tried)") from exc
        refused = str(exc).rstrip(".")
        unreadable = f"unreadable PDF: {refused}; pdfplumber cannot read it either"
        try:
            pages = _plumber_page_count(path)
        except Exception as plumber_exc:
            raise _Status("failed", unreadable) from plumber_exc
        if not pages:
            raise _Status("failed", unreadable) from exc
        checked = _CheckedFile(pages, "pdfplumber",
                               f"read with pdfplumber, PDFium refused it: {refused}")
    else:
        try:
            checked = _CheckedFile(len(doc), params.engine)
        finally:
            doc.close()
    if checked.pages > params.max_pages:
        raise _Status("too_large", f"{checked.pages} pages > max_pages {params.max_pages}",
                      checked.pages)
    return checked


def extract_file(
    path: Path, params: ExtractParams, source_path: str | None = None
) -> ExtractResult:
    """Extract one file in this process (no isolation); never raises for a bad file."""
    from pipeline.clean import known_word_share
    from pipeline.engines import read_pages
    from pipeline.layout import build_blocks
    from pipeline.segment import segment_blocks

    start = time.perf_counter()
    source = source_path or path.as_posix()
    doc_id = doc_id_of(path)
    row = {"doc_id": doc_id, "path": source, "pages": 0, "units": 0, "chars": 0}
    units: list[dict] = []
    try:
        checked = _check_file(path, params)
        row["pages"] = checked.pages
        pages = list(read_pages(path, checked.engine, password=""))
        failed = [p for p in pages if p.error]
        texty = [p for p in pages if p.chars >= params.min_text_chars_per_page]
        total = sum(p.chars for p in pages)
        # A short real text ("Secret!") is text; a scan with a stray mark per page is not.
        if not texty and total < 5 * max(1, len(pages)):
            if failed and len(failed) == len(pages):
                raise _Status("failed", failed[0].error, len(pages))
            raise _Status("no_text_layer", "no page has a text layer", len(pages))
        for p in pages:
            if texty and p.chars < params.min_text_chars_per_page:
                p.lines = []  # stray marks on scanned pages are not text
        blocks = build_blocks(
            pages,
            params.header_footer_min_pages,
            params.header_footer_min_share,
            params.header_footer_part_min_pages,
            params.header_footer_part_min_share,
        )
        units = segment_blocks(blocks, doc_id, source, params.max_unit_words, params.min_unit_chars)
        if not units:  # never a silent "ok" with 0 units
            raise _Status("no_text_layer", f"text layer gives no units ({total} chars)", len(pages))
        status = "partial" if failed else "ok"
        error = f"{len(failed)} page(s) failed: {failed[0].error}" if failed else ""
        error = "; ".join(e for e in (checked.note, error) if e)
    except _Status as s:
        status, error = s.status, s.error
        row["pages"] = row["pages"] or s.pages
    except MemoryError:
        status, error = "failed", "out of memory (max_memory_mb)"
    except OSError as exc:  # gone, a link to nowhere, no permission
        status, error = "failed", f"cannot read the file: {exc.strerror or exc}"
    except Exception as exc:  # a bad file is reported, never raised
        status, error = "failed", f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
    row.update(
        units=len(units),
        chars=sum(len(u["text"]) for u in units),
        known_words=round(known_word_share([u["text"] for u in units]), 3) if units else None,
        status=status,
        error=error,
        seconds=round(time.perf_counter() - start, 3),
    )
    return ExtractResult({k: row[k] for k in MANIFEST_COLUMNS}, units)


def failure_row(path: Path, source: str, status: str, error: str, seconds: float) -> dict:
    """The manifest row of a file whose worker process timed out or died."""
    row = {"doc_id": doc_id_of(path), "path": source, "pages": 0, "units": 0, "chars": 0,
           "known_words": None, "status": status, "error": error, "seconds": round(seconds, 3)}
    return {k: row[k] for k in MANIFEST_COLUMNS}


def import_extraction() -> None:
    """Import and load what extraction needs (run once when a worker process starts, so no
    file's timeout pays for it): the PDF engines, the sentence pipelines, the word lists."""
    import pypdfium2  # noqa: F401

    import pipeline.engines
    import pipeline.layout  # noqa: F401
    from pipeline.clean import is_word
    from pipeline.segment import detect_lang, sentence_pipeline

    for lang in ("fr", "en"):
        sentence_pipeline(lang)
    is_word("loi")
    detect_lang("Le présent décret entre en vigueur le jour de sa publication.")


class IsolatedExtractor:
    """Extracts files one at a time in a child process (pipeline.isolation) with the memory
    and time limits of ``params``; timeouts and crashes become manifest statuses."""

    def __init__(self, params: ExtractParams):
        self.params = params
        self._process = IsolatedProcess(
            params.max_memory_mb,
            params.timeout_seconds,
            warmup=("pipeline.extract:import_extraction", ()),
        )

    def close(self) -> None:
        """Stop the child process."""
        self._process.close()

    def __enter__(self) -> IsolatedExtractor:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def extract(self, path: Path, source_path: str | None = None) -> ExtractResult:
        """Extract ``path`` in the child."""
        source = source_path or path.as_posix()
        try:
            return self._process.call(extract_file, path, self.params, source)
        except TaskFailed as failure:
            return ExtractResult(
                failure_row(path, source, failure.status, failure.error, failure.seconds)
            )


def extract_file_isolated(
    path: Path, params: ExtractParams, source_path: str | None = None
) -> ExtractResult:
    """Extract one file in a fresh child process with params' memory and time limits."""
    with IsolatedExtractor(params) as ex:
        return ex.extract(Path(path), source_path)


def expand_inputs(inputs: list[Path], out_dir: Path | None = None) -> list[tuple[Path, str]]:
    """Files to read, with the path to report: folders are searched recursively for *.pdf
    (a link to nowhere named .pdf included, so that it gets its manifest row), leaving out
    ``out_dir`` when it lies inside one: its quarantine copies are not new inputs."""
    out: list[tuple[Path, str]] = []
    skip = Path(out_dir).resolve() if out_dir else None
    for item in inputs:
        item = Path(item)
        if item.is_dir():
            files = [p for p in item.rglob("*") if p.suffix.lower() == ".pdf" and not p.is_dir()
                     and not (skip and p.parent.resolve().is_relative_to(skip))]
            out += [(p, p.as_posix()) for p in sorted(files)]
        else:
            out.append((item, item.as_posix()))
    seen: set[str] = set()
    return [x for x in out if not (x[1] in seen or seen.add(x[1]))]


def units_frame(units: list[dict]) -> pd.DataFrame:
    """Unit rows as a DataFrame with exactly schema.UNIT_COLUMNS, sorted by path then seq."""
    df = pd.DataFrame(units, columns=list(UNIT_COLUMNS))
    df = df.astype({"seq": "int64", "page_start": "int64", "page_end": "int64"})
    return df.sort_values(["source_path", "seq"], kind="stable").reset_index(drop=True)


def extract_paths(
    inputs: list[Path], out_dir: Path, params: ExtractParams, fmt: str = "parquet"
) -> pd.DataFrame:
    """Extract every PDF under ``inputs`` into OUT_DIR/units.{parquet,jsonl} and manifest.csv."""
    if fmt not in ("parquet", "jsonl"):
        raise ValueError(f"unknown format {fmt!r}")
    out_dir.mkdir(parents=True, exist_ok=True)
    rows: list[dict] = []
    units: list[dict] = []
    with IsolatedExtractor(params) as ex:
        for path, source in expand_inputs(inputs, out_dir):
            result = ex.extract(path, source)
            rows.append(result.manifest)
            units += result.units
    df = units_frame(units)
    manifest = pd.DataFrame(rows, columns=list(MANIFEST_COLUMNS))
    manifest = manifest.sort_values("path", kind="stable").reset_index(drop=True)
    if fmt == "parquet":
        write_parquet_atomic(df, out_dir / "units.parquet")
    else:
        write_text_atomic(df.to_json(orient="records", lines=True, force_ascii=False),
                          out_dir / "units.jsonl")
    write_text_atomic(manifest.to_csv(index=False), out_dir / "manifest.csv")
    return manifest
