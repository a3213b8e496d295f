"""Reading and atomically writing the tables that flow between steps."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.schema import UNIT_COLUMNS


class InputError(ValueError):
    """An input table is missing or malformed; the message names the file."""


CSV_DELIMITERS = (",", ";", "\t")
# Spreadsheets save CSV as UTF-8 with a byte-order mark, or in the Windows code page;
# French locales also separate fields with semicolons.
CSV_ENCODINGS = ("utf-8-sig", "cp1252")


def read_user_csv(path: Path) -> pd.DataFrame:
    """Read a CSV that a person wrote (metadata, a list of files), every column as text.
    The delimiter is the one of ``CSV_DELIMITERS`` that the header line holds most often
    (comma on a tie); UTF-8 (with or without a byte-order mark) is tried before cp1252."""
    raw = path.read_bytes()
    for encoding in CSV_ENCODINGS:
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InputError(f"{path}: not a readable CSV (neither UTF-8 nor cp1252 text)")
    header = text.split("\n", 1)[0]
    sep = max(CSV_DELIMITERS, key=header.count)  # max keeps the first (comma) on a tie
    try:
        return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"{path}: not a readable CSV ({exc.__class__.__name__})") from exc


def atomic_path(target: Path) -> Path:
    """A temporary path in the target's folder (same filesystem, so os.replace is atomic)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    # mkstemp creates 0600 files; outputs are meant to be shared like any other file.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    return Path(tmp)


def write_parquet_atomic(
    frame: pd.DataFrame, target: Path, metadata: dict[str, str] | None = None
) -> None:
    """Write a DataFrame as Parquet without its index; byte-identical for identical frames.

    ``metadata`` goes into the file's key-value metadata (e.g. the model id)."""
    tmp = atomic_path(target)
    try:
        table = pa.Table.from_pandas(frame, preserve_index=False)
        if metadata:
            merged = {
                **(table.schema.metadata or {}),
                **{k.encode(): v.encode() for k, v in metadata.items()},
            }
            table = table.replace_schema_metadata(merged)
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_text_atomic(text: str, target: Path) -> None:
    """Write text (CSV, JSON, HTML) to ``target`` via a temporary file and rename."""
    tmp = atomic_path(target)
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def read_units(path: Path) -> pd.DataFrame:
    """Read units.parquet or units.jsonl written by `capmap extract`."""
    if not path.is_file():
        raise InputError(f"{path}: no such units file")
    try:
        if path.suffix.lower() == ".jsonl":
            frame = pd.read_json(path, lines=True, dtype=False)
        else:
            frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow and pandas raise many types on a bad file
        raise InputError(f"{path}: not a readable units file ({exc.__class__.__name__})") from exc
    missing = [c for c in UNIT_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)}")
    return frame[list(UNIT_COLUMNS)]
