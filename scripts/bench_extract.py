"""Pages per second and peak memory: bare pdfplumber text vs capmap extraction (both engines).

Usage: python scripts/bench_extract.py [FOLDER]
Runs on corpus/samples (and FOLDER's PDFs when given) in one run. Each measurement runs in
its own fresh child process (so peak RSS is per measurement) and calls the in-process
function `pipeline.extract.extract_file` (all layout work, cleaning and sentence
segmentation included; no per-file isolation child). The spaCy/wordfreq load is done once
before timing, as in a long batch.
"""

from __future__ import annotations

import multiprocessing as mp
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _bare_pdfplumber(files: list[Path]) -> int:
    import pdfplumber

    pages = 0
    for f in files:
        try:
            with pdfplumber.open(f) as pdf:
                for page in pdf.pages:
                    page.extract_text()
                    page.close()
                    pages += 1
        except Exception:
            pass
    return pages


def _capmap(files: list[Path], engine: str) -> int:
    from pipeline.extract import extract_file
    from pipeline.params import ExtractParams

    params = ExtractParams(engine=engine)
    pages = 0
    for f in files:
        r = extract_file(f, params)
        if r.manifest["status"] in ("ok", "partial"):
            pages += r.manifest["pages"]
    return pages


def _warm() -> None:
    from pipeline.segment import detect_lang, sentence_pipeline

    sentence_pipeline("fr")
    sentence_pipeline("en")
    detect_lang("warm up the language identifier")
    from pipeline.clean import is_word

    is_word("migration")


def _run(kind: str, files: list[str], queue) -> None:
    import pdfplumber  # noqa: F401  imports are not timed, for either side
    import pypdfium2  # noqa: F401

    import pipeline.extract  # noqa: F401

    paths = [Path(f) for f in files]
    if kind != "pdfplumber-bare":
        _warm()
    t = time.perf_counter()
    pages = _bare_pdfplumber(paths) if kind == "pdfplumber-bare" else _capmap(paths, kind)
    seconds = time.perf_counter() - t
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((pages, seconds, peak_mb))


def measure(kind: str, files: list[Path]) -> tuple[int, float, float]:
    """(pages, seconds, peak RSS MB) of one measurement in a fresh process."""
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_run, args=(kind, [str(f) for f in files], q))
    p.start()
    result = q.get()
    p.join()
    return result


def main(folder: Path | None) -> None:
    """Benchmark the sample corpus and, when given, FOLDER."""
    sets = {"samples": sorted((ROOT / "corpus" / "samples").glob("*.pdf"))}
    if folder:
        sets[str(folder)] = sorted(p for p in folder.rglob("*") if p.suffix.lower() == ".pdf")
    for name, files in sets.items():
        print(f"\n== {name}: {len(files)} files")
        base = None
        for kind in ("pdfplumber-bare", "pdfium", "pdfplumber"):
            pages, seconds, peak = measure(kind, files)
            rate = pages / seconds if seconds else 0.0
            base = base or rate
            label = (
                "bare pdfplumber extract_text"
                if kind == "pdfplumber-bare"
                else f"capmap extract --engine {kind}"
            )
            print(
                f"{label:34s} {pages:5d} pages {seconds:7.2f} s {rate:8.1f} pages/s "
                f"x{rate / base:5.1f}  peak RSS {peak:6.0f} MB"
            )


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
