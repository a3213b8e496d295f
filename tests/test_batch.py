"""Batch runs: one manifest row per input, resumable after kill -9, idempotent reruns,
the Dask executor agreeing with the local one, and refusal of concurrent runs."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from pipeline.batch import list_inputs, run_batch, run_lock
from pipeline.cli import main
from pipeline.params import load_params

OUTPUTS = ("predictions.parquet", "manifest.csv", "coverage.csv", "coverage.parquet", "gaps.csv")


def _digests(out: Path) -> dict[str, str]:
    return {name: hashlib.sha256((out / name).read_bytes()).hexdigest() for name in OUTPUTS}


@pytest.fixture(scope="module")
def corpus(repo, tmp_path_factory) -> Path:
    """The sample PDFs plus a non-PDF and two distinct copies of a sample."""
    folder = tmp_path_factory.mktemp("corpus")
    for pdf in sorted((repo / "corpus" / "samples").glob("*.pdf")):
        shutil.copy(pdf, folder / pdf.name)
    first = sorted(folder.glob("*.pdf"))[0]
    for i in (1, 2):  # bytes appended after %%EOF: a different file that reads the same
        (folder / "copies").mkdir(exist_ok=True)
        (folder / "copies" / f"copy{i}.pdf").write_bytes(first.read_bytes() + f"\n%copy {i}\n".encode())
    (folder / "error_page.pdf").write_text("<html><body>404 Not Found</body></html>")
    return folder


@pytest.fixture(scope="module")
def params(repo):
    return load_params(repo / "params.yaml")


@pytest.fixture(scope="module")
def clean_run(corpus, params, repo, tmp_path_factory):
    out = tmp_path_factory.mktemp("clean")
    summary = run_batch([corpus], out, repo / "models" / "default", params, workers=1, progress=None)
    return out, summary


def test_one_manifest_row_per_input(clean_run, corpus):
    out, summary = clean_run
    manifest = pd.read_csv(out / "manifest.csv")
    inputs = sorted(p.as_posix() for p in corpus.rglob("*.pdf"))
    assert sorted(manifest["path"]) == inputs
    assert manifest.set_index("path").loc[(corpus / "error_page.pdf").as_posix(), "status"] == "not_pdf"
    assert summary.documents == len(inputs)
    for name in (*OUTPUTS, "matrices.xlsx", "report.html", "heatmap.png"):
        assert (out / name).is_file()
    # the samples are clean French and English text: every one read is >= 0.95 known words
    read = manifest[manifest["status"] == "ok"]
    assert len(read) and (read["known_words"] >= 0.95).all() and summary.warnings == ()


def test_rerun_does_no_work_and_is_byte_identical(clean_run, corpus, params, repo):
    out, _ = clean_run
    before = _digests(out)
    summary = run_batch([corpus], out, repo / "models" / "default", params, workers=1, progress=None)
    assert summary.processed == 0
    assert _digests(out) == before


def test_resume_after_kill(clean_run, corpus, tmp_path, repo):
    """kill -9 in the middle of a run; the rerun redoes only what was unfinished."""
    out = tmp_path / "killed"
    cmd = [sys.executable, "-m", "pipeline.cli", "run", str(corpus), "-o", str(out), "--workers", "1"]
    proc = subprocess.Popen(cmd, cwd=repo, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline and len(list((out / "cache").glob("*.json"))) < 2:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = len(list((out / "cache").glob("*.json")))
    assert 2 <= done_before
    assert not (out / "coverage.csv").exists()

    result = CliRunner().invoke(main, ["run", str(corpus), "-o", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    processed = int(result.output.split(" processed")[0].rsplit("; ", 1)[-1].split()[-1])
    assert processed <= len(list(corpus.rglob("*.pdf"))) - 1 - (done_before - 1)
    clean_out, _ = clean_run
    assert _digests(out)["coverage.csv"] == _digests(clean_out)["coverage.csv"]


def test_concurrent_run_is_refused(corpus, tmp_path):
    out = tmp_path / "busy"
    with run_lock(out):
        result = CliRunner().invoke(main, ["run", str(corpus), "-o", str(out)])
    assert result.exit_code == 2
    assert "another capmap run" in result.output


def test_dask_local_cluster_matches_local_executor(clean_run, corpus, params, repo, tmp_path):
    pytest.importorskip("distributed")
    out = tmp_path / "dask"
    run_batch([corpus], out, repo / "models" / "default", params, workers=2, executor="dask",
              progress=None)
    clean_out, _ = clean_run
    assert _digests(out)["coverage.csv"] == _digests(clean_out)["coverage.csv"]
    assert _digests(out)["predictions.parquet"] == _digests(clean_out)["predictions.parquet"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["does/not/exist"], "no such file or folder"),
        (["{empty}"], "no PDF files found"),
    ],
)
def test_user_mistakes_are_one_line_errors(args, message, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    args = [a.replace("{empty}", str(empty)) for a in args]
    result = CliRunner().invoke(main, ["run", *args, "-o", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_sample_matrices_trace_to_units(clean_run, params):
    """End to end on the sample corpus with the shipped model: every coverage cell is
    recomputed from predictions.parquet; unreadable documents are NA, never zero."""
    from pipeline.coverage import level_for
    from pipeline.schema import NOT_ASSESSED_STATUSES

    out, _ = clean_run
    predictions = pd.read_parquet(out / "predictions.parquet")
    manifest = pd.read_csv(out / "manifest.csv", keep_default_na=False)
    coverage = pd.read_csv(out / "coverage.csv", keep_default_na=False)
    status = dict(zip(manifest["doc_id"], manifest["status"], strict=False))
    assert set(coverage["group"]) == set(manifest["doc_id"])
    m = params.matrix
    for row in coverage.itertuples():
        if status[row.group] in NOT_ASSESSED_STATUSES:
            assert row.level == "NA" and row.units == "NA"
            continue
        units = predictions[predictions["doc_id"] == row.group]
        tagged = units[units["labels"].str.split("|").map(lambda ls, c=row.area: c in ls)]
        strong = int((tagged[f"p_{row.area}"] >= m.partial_min_probability).sum())
        share = len(tagged) / len(units) if len(units) else 0.0
        assert int(row.units) == len(tagged)
        assert float(row.share) == pytest.approx(share, abs=1e-4)
        assert row.level == level_for(len(tagged), share, strong, m)
    assert (coverage["level"] == "substantively addressed").any()
    sheets = pd.read_excel(out / "matrices.xlsx", sheet_name=None)
    assert {"coverage_units", "coverage_share", "coverage_level", "gaps", "evidence",
            "documents", "about"} <= set(sheets)
    evidence = sheets["evidence"]
    assert set(evidence["unit_id"]) <= set(predictions["unit_id"])


def test_cache_key_follows_the_code_that_makes_the_results(tmp_path):
    """A change to the code that extracts, segments or tags (not only to the parameters or
    the model) gives documents new cache keys, so a rerun never reuses stale results."""
    from pipeline.batch import RESULT_MODULES, code_fingerprint

    for name in RESULT_MODULES:
        (tmp_path / f"{name}.py").write_text(f"# {name}\n")
    before = code_fingerprint(tmp_path)
    assert code_fingerprint(tmp_path) == before
    (tmp_path / "layout.py").write_text("# layout, with a better paragraph rule\n")
    assert code_fingerprint(tmp_path) != before
    shipped = Path(__import__("pipeline").__file__).parent
    assert all((shipped / f"{name}.py").is_file() for name in RESULT_MODULES)


def test_the_output_folder_inside_an_input_folder_is_not_searched(tmp_path):
    """`capmap run docs -o docs/out --quarantine`: the quarantine copies written into
    docs/out are not inputs of the next run."""
    docs = tmp_path / "docs"
    (docs / "out" / "quarantine").mkdir(parents=True)
    (docs / "act.pdf").write_bytes(b"%PDF-1.4 stand-in")
    (docs / "out" / "quarantine" / "scan.pdf").write_bytes(b"%PDF-1.4 stand-in")
    (docs / "outer").mkdir()  # a sibling whose name starts like the output folder's
    (docs / "outer" / "plan.pdf").write_bytes(b"%PDF-1.4 stand-in")
    found = [source for _, source in list_inputs([docs], docs / "out")]
    assert found == [(docs / "act.pdf").as_posix(), (docs / "outer" / "plan.pdf").as_posix()]
    assert len(list_inputs([docs])) == 3  # without an output folder, every PDF
