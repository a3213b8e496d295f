"""Reading labelled units (training annotations and gold files) from JSONL."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd

from pipeline.taxonomy import validate_labels

REQUIRED_KEYS = ("text", "labels")


class AnnotationError(ValueError):
    """A labelled JSONL file is malformed; the message names the file and line."""


def read_labelled_jsonl(path: Path) -> pd.DataFrame:
    """Read one JSONL file of labelled units (keys: id, lang, text, labels, ...)."""
    rows = []
    try:
        lines = path.read_text("utf-8-sig").splitlines()  # a byte-order mark is dropped
    except (OSError, UnicodeDecodeError) as exc:
        raise AnnotationError(f"{path}: cannot read ({exc.__class__.__name__})") from exc
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise AnnotationError(f"{path}:{lineno}: not valid JSON ({exc.msg})") from exc
        missing = [k for k in REQUIRED_KEYS if k not in obj]
        if missing:
            raise AnnotationError(f"{path}:{lineno}: missing key(s) {', '.join(missing)}")
        if not isinstance(obj["labels"], list):
            raise AnnotationError(f"{path}:{lineno}: 'labels' must be a list of area codes")
        try:
            labels = validate_labels(obj["labels"])
        except ValueError as exc:
            raise AnnotationError(f"{path}:{lineno}: {exc}") from exc
        rows.append(
            {
                "id": str(obj.get("id", f"{path.stem}-{lineno}")),
                "lang": obj.get("lang", ""),
                "text": str(obj["text"]),
                "labels": labels,
                "source": obj.get("source", ""),
                "file": path.name,
            }
        )
    if not rows:
        raise AnnotationError(f"{path}: no labelled units")
    return pd.DataFrame(rows)


def read_annotations(path: Path) -> pd.DataFrame:
    """Read a JSONL file or every *.jsonl in a folder (sorted), checking ids are unique."""
    if not path.exists():
        raise AnnotationError(f"{path}: no such file or folder")
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    if not files:
        raise AnnotationError(f"{path}: no *.jsonl files")
    frame = pd.concat([read_labelled_jsonl(f) for f in files], ignore_index=True)
    dup = frame["id"][frame["id"].duplicated()].unique()
    if len(dup):
        raise AnnotationError(f"{path}: duplicate id(s) {', '.join(map(str, dup[:5]))}")
    return frame


def data_hash(frame: pd.DataFrame) -> str:
    """sha256 over the ordered (id, text, labels) triples: identifies the training data."""
    h = hashlib.sha256()
    for row in frame.sort_values("id").itertuples():
        h.update(json.dumps([row.id, row.text, row.labels], ensure_ascii=False).encode())
    return h.hexdigest()
