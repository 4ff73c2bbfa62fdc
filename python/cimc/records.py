"""A sweep's result files as Python data: the records of ``results.jsonl``
(one JSON object per point, as ``cimc sweep`` writes them), as dicts or as
a pandas DataFrame with one column per axis."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Iterable, List, Optional

#: The fields of a record that are the point's coordinates.
COORDINATES = ("id", "model", "recipe", "schedule", "seed")


def default_out(spec: str | os.PathLike) -> Path:
    """Where ``cimc sweep`` writes without ``--out``: ``net.sweep.toml`` →
    ``net.sweep/``, anything else → ``<file>.sweep/`` beside the spec."""
    path = Path(spec)
    stem = path.name
    stem = stem[: -len(".toml")] if stem.endswith(".toml") else stem
    stem = stem[: -len(".sweep")] if stem.endswith(".sweep") else stem
    return path.with_name(f"{stem}.sweep")


def read_finished(path: str | os.PathLike, *, repair: bool = False) -> List[dict]:
    """The whole records in ``path`` (a JSON Lines file of records), in file
    order. A last line cut short by a kill ends the list; with ``repair``
    the file is truncated to the whole lines, as ``cimc sweep`` does before
    it appends."""
    path = Path(path)
    if not path.is_file():
        return []
    records: List[dict] = []
    good = 0
    with path.open("rb") as f:
        for line in f:
            if not line.endswith(b"\n"):
                break
            try:
                record = json.loads(line)
            except ValueError:
                break
            if not isinstance(record, dict) or "id" not in record:
                break
            records.append(record)
            good += len(line)
    if repair and path.stat().st_size != good:
        with path.open("r+b") as f:
            f.truncate(good)
    return records


def flatten(record: dict) -> dict:
    """One row: the record's fields with its ``axes`` spread into one
    column per axis (named as the axis) next to the coordinates."""
    row = {k: record.get(k) for k in COORDINATES}
    row.update(record.get("axes") or {})
    row.update((k, v) for k, v in record.items() if k not in row and k != "axes")
    return row


def frame(records: Iterable[dict], *, dataframe: bool = True):
    """The records as a pandas DataFrame of :func:`flatten`-ed rows
    (``dataframe`` and pandas importable), else as they are: a list of
    dicts as ``results.jsonl`` holds them."""
    records = list(records)
    if dataframe:
        try:
            import pandas
        except ImportError:
            return records
        return pandas.DataFrame([flatten(r) for r in records])
    return records


def results(out: str | os.PathLike, ids: Optional[Iterable[str]] = None, *, dataframe: bool = True):
    """The records in sweep folder ``out`` (only ``ids``, in their order,
    when given) as :func:`frame` returns them."""
    records = read_finished(Path(out) / "results.jsonl")
    if ids is not None:
        by_id = {r["id"]: r for r in records}
        records = [by_id[i] for i in ids if i in by_id]
    return frame(records, dataframe=dataframe)
