"""Many documents: per-document work in parallel workers (local processes or a Dask
cluster), a content-addressed cache that makes runs resumable, and one manifest row per
input file.

Each document's result is cached under OUT_DIR/cache/ by the hash of its bytes plus the
extraction params, the model hash and the taxonomy version; its manifest row is written
last, so a document whose row exists is complete and a killed run redoes only the rest.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import multiprocessing as mp
import os
import shutil
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.io import (
    InputError,
    atomic_path,
    read_user_csv,
    write_parquet_atomic,
    write_text_atomic,
)
from pipeline.isolation import IsolatedProcess, TaskFailed
from pipeline.params import Params
from pipeline.schema import MANIFEST_COLUMNS, NOT_ASSESSED_STATUSES

CACHE_DIR = "cache"
LOCK_FILE = ".capmap-run.lock"
PREDICTIONS_FILE = "predictions.parquet"
MANIFEST_FILE = "manifest.csv"
QUARANTINE_DIR = "quarantine"


class RunLocked(RuntimeError):
    """Another capmap run holds the output folder."""


@dataclass(frozen=True)
class Job:
    """One input file to process, with the cache key its results are stored under."""

    path: str
    source_path: str
    key: str


@dataclass(frozen=True)
class RunSummary:
    """What a run did, for the final summary line and the exit code."""

    documents: int
    processed: int
    cached: int
    statuses: dict[str, int]
    pages: int
    units: int
    seconds: float
    quarantined: int = 0
    warnings: tuple[str, ...] = ()  # from the matrices (metadata rows, unreadable text)

    @property
    def failed(self) -> int:
        return self.statuses.get("failed", 0) + self.statuses.get("timeout", 0)

    def line(self) -> str:
        """One-line human summary."""
        ok = self.statuses.get("ok", 0)
        partial = self.statuses.get("partial", 0)
        not_assessed = (
            sum(v for k, v in self.statuses.items() if k in NOT_ASSESSED_STATUSES) - self.failed
        )
        rate = self.pages / self.seconds if self.seconds else 0.0
        return (
            f"{self.documents} documents: {ok} ok, {partial} partial, {not_assessed} not assessed, "
            f"{self.failed} failed; {self.pages} pages, {self.units} units in {self.seconds:.1f} s "
            f"({rate:.1f} pages/s; {self.processed} processed, {self.cached} from cache)"
        )


# --- inputs ---------------------------------------------------------------------------------


def list_inputs(inputs: list[Path], out_dir: Path | None = None) -> list[tuple[Path, str]]:
    """PDFs to process: folders searched recursively (``out_dir`` left out), or a CSV
    manifest with a `path` column."""
    from pipeline.extract import expand_inputs

    files: list[Path] = []
    for item in inputs:
        if not item.exists():
            raise InputError(f"{item}: no such file or folder")
        if item.is_file() and item.suffix.lower() == ".csv":
            listed = read_user_csv(item)
            if "path" not in listed.columns:
                raise InputError(f"{item}: a manifest CSV needs a 'path' column")
            files += [p if p.is_absolute() else item.parent / p for p in map(Path, listed["path"])]
        else:
            files.append(item)
    found = expand_inputs(files, out_dir)
    if not found:
        raise InputError(f"{', '.join(map(str, inputs))}: no PDF files found")
    return found


# The modules whose code turns a file's bytes into its units and predictions: after a
# change to any of them (a better paragraph rule), cached results are stale.
RESULT_MODULES: tuple[str, ...] = (
    "engines", "tables", "layout", "clean", "segment", "extract", "features", "classify",
    "tag", "schema",
)


def code_fingerprint(package_dir: Path | None = None) -> str:
    """Hash of the source of ``RESULT_MODULES`` (in ``package_dir``, default capmap's own)."""
    package_dir = package_dir or Path(__file__).parent
    digest = hashlib.sha256()
    for name in RESULT_MODULES:
        digest.update((package_dir / f"{name}.py").read_bytes())
    return digest.hexdigest()[:16]


def run_fingerprint(params: Params, model_sha256: str, taxonomy_version: str) -> str:
    """Hash of everything besides the file's bytes that determines a document's results:
    parameters, model, taxonomy and the code that extracts, segments and tags."""
    blob = json.dumps(
        {
            "code": code_fingerprint(),
            "extract": asdict(params.extract),
            "tag": asdict(params.tag),
            "explain_top_terms": params.train.explain_top_terms,
            "model": model_sha256,
            "taxonomy": taxonomy_version,
        },
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def content_key(path: Path) -> str:
    """What identifies a file's content in the cache: its sha256, or for a file that cannot
    be read, its path (so two unreadable files never share a cache entry)."""
    from pipeline.extract import file_sha256

    return file_sha256(path) or "unreadable-" + hashlib.sha256(str(path).encode()).hexdigest()


def _file_size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


# --- per-document work -------------------------------------------------------------------
#
# Each worker is a thread (or a Dask worker) driving one isolated child process
# (pipeline.isolation) that extracts, tags and caches one document at a time: the child
# holds spaCy and the model, so they load once per worker, and a hostile PDF that kills or
# hangs it costs that document a failure row and the child a restart.

_CHILD_MODEL: dict[str, object] = {}  # model_dir -> LoadedModel, inside a child process


def child_warmup(model_dir: str) -> None:
    """Runs once when a worker's child starts: extraction imports and the model."""
    from pipeline.extract import import_extraction
    from pipeline.model import load_model

    import_extraction()
    _CHILD_MODEL[model_dir] = load_model(Path(model_dir))


def _write_cache(cache: Path, key: str, predictions: pd.DataFrame, row: dict, model_id: str) -> None:
    from pipeline.tag import model_metadata

    # The manifest row goes last: a document whose row exists is complete.
    write_parquet_atomic(predictions, cache / f"{key}.parquet", model_metadata(model_id))
    write_text_atomic(json.dumps(row, sort_keys=True), cache / f"{key}.json")


def document_task(job: Job, cache_dir: str, model_dir: str, params: Params) -> dict:
    """Extract, tag and cache one document (runs inside a worker's child process)."""
    from pipeline.extract import extract_file, units_frame
    from pipeline.tag import prediction_columns, tag_units

    model = _CHILD_MODEL[model_dir]
    result = extract_file(Path(job.path), params.extract, job.source_path)
    row = dict(result.manifest)
    if result.units:
        predictions = tag_units(units_frame(result.units), model, params)
    else:
        predictions = pd.DataFrame(columns=prediction_columns(model.labels))
    _write_cache(Path(cache_dir), job.key, predictions, row, model.model_id)
    return row


_LOCAL = threading.local()


def _worker_process(model_dir: str, params: Params) -> IsolatedProcess:
    """This thread's child process (started on first use, kept for the next document)."""
    process = getattr(_LOCAL, "process", None)
    key = (model_dir, params.extract.max_memory_mb, params.extract.timeout_seconds)
    if process is None or getattr(_LOCAL, "key", None) != key:
        if mp.current_process().daemon:
            # Dask runs workers as daemonic processes, which multiprocessing forbids to have
            # children; each PDF must still be read in a killable child, so allow it here.
            mp.current_process()._config["daemon"] = False  # type: ignore[attr-defined]
        if process is not None:
            process.close()
        process = IsolatedProcess(
            params.extract.max_memory_mb,
            params.extract.timeout_seconds,
            warmup=("pipeline.batch:child_warmup", (model_dir,)),
        )
        _LOCAL.process, _LOCAL.key = process, key
        with _OPEN_LOCK:
            _OPEN.append(process)
    return process


_OPEN: list[IsolatedProcess] = []  # every child started by this process, to stop at the end
_OPEN_LOCK = threading.Lock()


def close_worker_processes() -> None:
    """Stop every child process this process started."""
    with _OPEN_LOCK:
        while _OPEN:
            _OPEN.pop().close()


def process_document(
    job: Job, cache_dir: str, model_dir: str, params: Params, labels: tuple[str, ...], model_id: str
) -> dict:
    """Run ``document_task`` for one document in this worker's child; a timeout or crash
    is cached as the document's failure row, with no units."""
    from pipeline.extract import failure_row
    from pipeline.tag import prediction_columns

    try:
        return _worker_process(model_dir, params).call(
            document_task, job, cache_dir, model_dir, params
        )
    except TaskFailed as failure:
        row = failure_row(
            Path(job.path), job.source_path, failure.status, failure.error, failure.seconds
        )
        empty = pd.DataFrame(columns=prediction_columns(labels))
        _write_cache(Path(cache_dir), job.key, empty, row, model_id)
        return row


# --- executors --------------------------------------------------------------------------------


def _run_local(jobs: list[Job], workers: int, submit_args: tuple) -> Iterator[dict]:
    pool = ThreadPoolExecutor(workers)
    try:
        futures = [pool.submit(process_document, job, *submit_args) for job in jobs]
        for future in as_completed(futures):
            yield future.result()
    finally:
        # On an error of the whole run (a worker that cannot start, Ctrl-C) the queued
        # documents are dropped, not tried one by one; no child process outlives the run.
        pool.shutdown(wait=True, cancel_futures=True)
        close_worker_processes()


def _run_dask(
    jobs: list[Job], workers: int, scheduler: str | None, submit_args: tuple
) -> Iterator[dict]:
    try:
        from distributed import Client, LocalCluster
        from distributed import as_completed as dask_completed
    except ImportError as exc:
        raise InputError(
            "--executor dask needs the dask extra: pip install 'capmap[dask]'"
        ) from exc
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    try:
        futures = [
            client.submit(process_document, job, *submit_args, key=f"capmap-{job.key}", pure=False)
            for job in jobs
        ]
        for future in dask_completed(futures):
            yield future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# --- assembly -------------------------------------------------------------------------------


def assemble(jobs: list[Job], cache_dir: Path, out_dir: Path) -> tuple[pd.DataFrame, int]:
    """Write predictions.parquet (streamed, document by document) and manifest.csv from the
    cache, in input order; returns the manifest and the number of units."""
    rows, units = [], 0
    target = out_dir / PREDICTIONS_FILE
    tmp = atomic_path(target)
    writer, empty = None, None
    seen: set[str] = set()
    try:
        for job in jobs:
            row = json.loads((cache_dir / f"{job.key}.json").read_text("utf-8"))
            row["path"] = job.source_path
            rows.append(row)
            if job.key in seen:  # the same bytes under two paths: units counted once
                continue
            seen.add(job.key)
            table = pq.read_table(cache_dir / f"{job.key}.parquet")
            if not table.num_rows:  # not-assessed documents have no units (and no typed schema)
                empty = empty or table
                continue
            table = table.set_column(
                table.schema.get_field_index("source_path"),
                "source_path",
                pa.array([job.source_path] * table.num_rows),
            )
            if writer is None:
                writer = pq.ParquetWriter(tmp, table.schema, compression="zstd")
            writer.write_table(table.cast(writer.schema))
            units += table.num_rows
        if writer is not None:
            writer.close()
        elif empty is not None:
            pq.write_table(empty, tmp, compression="zstd")
        else:
            raise InputError("no documents to assemble")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    manifest = pd.DataFrame(rows, columns=list(MANIFEST_COLUMNS))
    write_text_atomic(manifest.to_csv(index=False), out_dir / MANIFEST_FILE)
    return manifest, units


def quarantine_failed(manifest: pd.DataFrame, out_dir: Path) -> list[Path]:
    """Copy every input that could not be assessed to OUT_DIR/quarantine/, each with a
    `<name>.reason.txt` beside it; the folder is rebuilt on every run. Inputs are only read."""
    folder = out_dir / QUARANTINE_DIR
    shutil.rmtree(folder, ignore_errors=True)
    bad = manifest[manifest["status"].isin(NOT_ASSESSED_STATUSES)]
    copied: list[Path] = []
    for row in bad.itertuples(index=False):
        source = Path(row.path)
        target = folder / source.name
        if target in copied:  # same name in two folders: tell them apart by a path hash
            tag = hashlib.sha256(row.path.encode()).hexdigest()[:8]
            target = folder / f"{source.stem}-{tag}{source.suffix}"
        folder.mkdir(parents=True, exist_ok=True)
        reason = f"path: {row.path}\nstatus: {row.status}\nerror: {row.error}\n"
        try:
            shutil.copyfile(source, target)
        except OSError as exc:  # gone or unreadable: the reason file still says why
            reason += f"not copied: {exc}\n"
        target.with_name(target.name + ".reason.txt").write_text(reason, "utf-8")
        copied.append(target)
    return copied


@contextmanager
def run_lock(out_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on OUT_DIR for the whole run; refuse a second concurrent run."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / LOCK_FILE, "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise RunLocked(f"{out_dir}: another capmap run is using this output folder") from exc
        yield


class Progress:
    """Documents/s and ETA: a redrawn line on a terminal, plain log lines otherwise."""

    def __init__(self, total: int, stream=sys.stderr, every_seconds: float = 10.0):
        self.total, self.done, self.stream = total, 0, stream
        self.start = self.last = time.perf_counter()
        self.tty = stream.isatty()
        self.every = every_seconds

    def update(self, row: dict) -> None:
        """Count one finished document and report progress."""
        self.done += 1
        now = time.perf_counter()
        rate = self.done / max(now - self.start, 1e-9)
        eta = (self.total - self.done) / rate if rate else 0.0
        msg = f"[{self.done}/{self.total}] {rate:.2f} docs/s, ETA {eta:.0f} s  {row['status']:<13} {row['path']}"
        if self.tty:
            self.stream.write("\r\033[K" + msg[:150])
            if self.done == self.total:
                self.stream.write("\n")
        elif now - self.last >= self.every or self.done == self.total:
            self.stream.write(msg + "\n")
            self.last = now
        self.stream.flush()


def run_batch(
    inputs: list[Path],
    out_dir: Path,
    model_dir: Path,
    params: Params,
    *,
    metadata: Path | None = None,
    workers: int = 0,
    executor: str = "local",
    scheduler: str | None = None,
    by: str = "document",
    quarantine: bool = False,
    progress: Callable[[int], Progress] | None = Progress,
) -> RunSummary:
    """Run extract -> tag -> matrix -> report over every input document, resumably; with
    ``quarantine``, inputs that could not be assessed are copied to OUT_DIR/quarantine/."""
    from pipeline.export import check_grouping, read_metadata, run_matrix
    from pipeline.model import check_card, model_id_of
    from pipeline.taxonomy import load_taxonomy

    started = time.perf_counter()
    files = list_inputs(inputs, out_dir)
    # A bad metadata file or --by fails now, not after hours of extraction.
    check_grouping(by, read_metadata(metadata) if metadata else None, metadata)
    workers = workers or os.cpu_count() or 1
    # Workers' child processes verify and load the model; here only its card is checked.
    meta = check_card(model_dir)
    fingerprint = run_fingerprint(params, meta["model_sha256"], load_taxonomy().version)
    with run_lock(out_dir):
        cache_dir = out_dir / CACHE_DIR
        cache_dir.mkdir(exist_ok=True)
        for stale in cache_dir.glob(".*.tmp"):  # left by a killed run; never trusted
            stale.unlink(missing_ok=True)
        jobs = [Job(str(p), src, f"{content_key(p)[:24]}-{fingerprint}") for p, src in files]
        todo = list({j.key: j for j in jobs if not (cache_dir / f"{j.key}.json").exists()}.values())
        # Largest files first, so no worker is left with a big one while the others idle.
        todo.sort(key=lambda j: _file_size(j.path), reverse=True)
        bar = progress(len(todo)) if progress and todo else None
        submit_args = (str(cache_dir), str(model_dir), params, tuple(meta["labels"]),
                       model_id_of(meta))
        runner = (
            _run_dask(todo, workers, scheduler, submit_args)
            if executor == "dask"
            else _run_local(todo, workers, submit_args)
        )
        for row in runner:
            if bar:
                bar.update(row)
        manifest, units = assemble(jobs, cache_dir, out_dir)
        result, _ = run_matrix(
            out_dir / PREDICTIONS_FILE,
            out_dir,
            params.matrix,
            by=by,
            metadata_path=metadata,
            manifest_path=out_dir / MANIFEST_FILE,
        )
        quarantined = len(quarantine_failed(manifest, out_dir)) if quarantine else 0
    statuses = Counter(manifest["status"])
    return RunSummary(
        documents=len(manifest),
        processed=len(todo),
        cached=len(jobs) - len(todo),
        statuses=dict(sorted(statuses.items())),
        pages=int(manifest["pages"].sum()),
        units=units,
        seconds=time.perf_counter() - started,
        quarantined=quarantined,
        warnings=result.warnings,
    )
