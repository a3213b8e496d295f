"""End-to-end batch throughput: `capmap run` with 1 and 2 workers vs bare pdfplumber.

Usage: python scripts/bench_run.py [FOLDER] [--min-pages 5000]

Builds a corpus of at least --min-pages pages in a temporary folder: FOLDER's PDFs (when
given) and the sample PDFs, replicated with distinct bytes (a comment after %%EOF) so the
cache cannot shortcut them. Then, in one run on the same files, prints:
  - pages/s of bare pdfplumber `page.extract_text()` (one process, page.close() per page),
  - pages/s of `capmap run --workers 1` and `--workers 2` (extraction, segmentation,
    classification, matrices and report; a fresh output folder each, so no cache hits),
  - the ratios, and the peak memory (RSS) of the largest process of each run.

The default of 5,000 pages stands for the corpora capmap is for (a country's legislation
is thousands of pages); a run also has ~8 s of fixed cost (starting the workers, then the
matrices and report), which dominates a corpus of a few hundred pages. Bare pdfplumber
takes ~8 minutes on 5,000 pages.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]


def build_corpus(target: Path, folder: Path | None, min_pages: int) -> tuple[list[Path], int]:
    """Copy real PDFs and replicated samples into ``target`` until it holds min_pages pages."""
    import pypdfium2 as pdfium

    def pages_of(path: Path) -> int:
        try:
            return len(pdfium.PdfDocument(str(path)))
        except Exception:
            return 0

    files, pages = [], 0
    sources = [p for p in sorted(folder.rglob("*.pdf")) if pages_of(p)] if folder else []
    sources += [p for p in sorted((ROOT / "corpus" / "samples").glob("*.pdf")) if pages_of(p)]
    copy = 0
    while pages < min_pages or copy == 0:  # every source once, then copies until min_pages
        for src in sources:
            dst = target / f"c{copy:03d}_{src.name}"
            dst.write_bytes(src.read_bytes() + f"\n%bench copy {copy}\n".encode())
            files.append(dst)
            pages += pages_of(dst)
        copy += 1
    return files, pages


def bare_pdfplumber(files: list[Path]) -> tuple[int, float]:
    """Pages and seconds for single-process pdfplumber extract_text with page.close()."""
    from bench_extract import _bare_pdfplumber  # the same baseline as the extraction bench

    start = time.perf_counter()
    pages = _bare_pdfplumber(files)
    return pages, time.perf_counter() - start


def capmap_run(corpus: Path, workers: int, out: Path) -> tuple[float, float]:
    """Seconds and peak RSS (MB, largest single process) of one `capmap run`."""
    cmd = [sys.executable, "-m", "pipeline.cli", "run", str(corpus), "-o", str(out),
           "--workers", str(workers)]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    parent, peak = psutil.Process(proc.pid), 0
    while proc.poll() is None:
        try:
            procs = [parent, *parent.children(recursive=True)]
            peak = max([peak, *(p.memory_info().rss for p in procs if p.is_running())])
        except psutil.Error:
            pass
        time.sleep(0.1)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"capmap run failed: {proc.stderr.read().decode()[-500:]}")
    return seconds, peak / 2**20


def main() -> None:
    """Build the corpus, time every contender on it, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path)
    parser.add_argument("--min-pages", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        files, pages = build_corpus(corpus, args.folder, args.min_pages)
        print(f"corpus: {len(files)} PDFs, {pages} pages")
        bare_pages, bare_s = bare_pdfplumber(files)
        bare_rate = bare_pages / bare_s
        print(f"bare pdfplumber extract_text: {bare_pages} pages in {bare_s:.1f} s = {bare_rate:.1f} pages/s "
              f"(peak RSS {psutil.Process().memory_info().rss / 2**20:.0f} MB)")
        for workers in (1, 2):
            seconds, peak = capmap_run(corpus, workers, Path(tmp) / f"out{workers}")
            rate = pages / seconds
            print(f"capmap run --workers {workers}: {pages} pages in {seconds:.1f} s = {rate:.1f} pages/s, "
                  f"x{rate / bare_rate:.1f} bare pdfplumber; peak RSS of one process {peak:.0f} MB")


if __name__ == "__main__":
    main()
