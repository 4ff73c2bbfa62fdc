"""The compiler from Python: each function runs the ``cimc`` executable on
files in a temporary folder and returns what it wrote as Python data
(numpy arrays, dicts, DataFrames). A diagnostic is a :class:`CimcError`
carrying the compiler's text (with locations) and exit status."""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence, Union

import numpy as np

from . import records as _records
from ._executable import CimcError, run as _run

PathLike = Union[str, os.PathLike]
Array = Union[np.ndarray, PathLike]

__all__ = ["compile", "quantize", "run", "report", "plan", "sweep"]


def _value(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _target_args(target: Optional[str], target_opts: Optional[Mapping[str, object]]) -> List[str]:
    """``--target`` and one ``--target-opt KEY=VALUE`` per entry (the keys
    of ``cimc --print-target``)."""
    args: List[str] = []
    if target is not None:
        args += ["--target", os.fspath(target)]
    for key, value in (target_opts or {}).items():
        args += ["--target-opt", f"{key}={_value(value)}"]
    return args


def _options(options: Mapping[str, object]) -> List[str]:
    """Keyword options as long flags: ``weight_range="mse"`` →
    ``--weight-range mse``, ``cle=True`` → ``--cle``, a list repeats the
    flag; ``False`` and ``None`` are left out."""
    args: List[str] = []
    for name, value in options.items():
        flag = "--" + name.replace("_", "-")
        if value is None or value is False:
            continue
        if value is True:
            args.append(flag)
        elif isinstance(value, (list, tuple)):
            for v in value:
                args += [flag, _value(v)]
        else:
            args += [flag, _value(value)]
    return args


def _npy(folder: Path, name: str, value: Array) -> str:
    """A path for ``value``: itself when it is one, else the array saved
    as ``folder/name.npy``."""
    if isinstance(value, (str, os.PathLike)):
        return os.fspath(value)
    path = folder / f"{name}.npy"
    np.save(path, np.asarray(value))
    return str(path)


def _arrays(value: Union[Array, Sequence[Array]]) -> List[Array]:
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _schedule(schedule: Optional[str]) -> List[str]:
    return [] if schedule is None else ["--schedule", schedule]


def compile(
    model: PathLike,
    *,
    opt: int = 2,
    emit: str = "cim",
    target: Optional[str] = None,
    target_opts: Optional[Mapping[str, object]] = None,
    schedule: Optional[str] = None,
    graph: bool = True,
    output: Optional[PathLike] = None,
    cimc: Optional[PathLike] = None,
) -> Dict[str, object]:
    """Compiles ``model`` (an integer TOSA ``.mlir``) to phase ``emit``
    (``tosa``, ``quant``, ``graph``, ``cim``, ``host``, ``llvm``).

    Returns ``{"ir": text, "path": output or None, "report": the mapping
    report as ``cimc --report-json`` writes it (phases from ``cim`` on),
    "diagnostics": warnings and remarks}``."""
    with tempfile.TemporaryDirectory(prefix="cimc-") as tmp:
        folder = Path(tmp)
        out = Path(output) if output is not None else folder / "out.mlir"
        args = [f"-O{opt}", os.fspath(model), "--emit", emit, "-o", str(out)]
        mapped = emit in ("cim", "host", "llvm")
        if mapped:
            args += ["--report-json", str(folder / "report.json")]
        args += _target_args(target, target_opts) + _schedule(schedule)
        if not graph:
            args.append("--no-graph")
        done = _run(args, cimc=cimc)
        report_path = folder / "report.json"
        return {
            "ir": out.read_text(),
            "path": str(out) if output is not None else None,
            "report": json.loads(report_path.read_text()) if report_path.is_file() else None,
            "diagnostics": done.stderr,
        }


def report(model: PathLike, **kwargs) -> Dict[str, object]:
    """The mapping report of ``model`` (per layer: arrays, slices, steps,
    cells; per pipeline stage: replicas, cycles and what bounds them;
    totals). Takes :func:`compile`'s keywords."""
    kwargs.setdefault("emit", "cim")
    return compile(model, **kwargs)["report"]


def quantize(
    model: PathLike,
    calibration: Union[Array, Sequence[Array]],
    *,
    output: Optional[PathLike] = None,
    target: Optional[str] = None,
    target_opts: Optional[Mapping[str, object]] = None,
    report: bool = False,
    report_input: Union[Array, Sequence[Array], None] = None,
    labels: Optional[Array] = None,
    cimc: Optional[PathLike] = None,
    **options: object,
) -> Dict[str, object]:
    """Quantizes float TOSA ``model`` for the chip with calibration data
    (one array or ``.npy`` per model input, leading batch axis).

    ``options`` are ``cimc quantize``'s long options with ``_`` for ``-``:
    ``weight_bits=4``, ``weight_range="mse"``, ``adaround=True``,
    ``bias_correction="auto"``, ``cle=True``, ``config="q.toml"``...

    Returns ``{"ir": the integer model's text, "path": output or None,
    "report": the quantization report (SQNR per layer, ablations, top-1
    with ``labels``) when ``report``, "diagnostics": what cimc printed}``."""
    with tempfile.TemporaryDirectory(prefix="cimc-") as tmp:
        folder = Path(tmp)
        out = Path(output) if output is not None else folder / "model.int8.mlir"
        args: List[str] = ["quantize", os.fspath(model)]
        for i, c in enumerate(_arrays(calibration)):
            args += ["--calibration", _npy(folder, f"calibration{i}", c)]
        args += _target_args(target, target_opts) + _options(options)
        report_path = folder / "report.json"
        if report or report_input is not None or labels is not None:
            args += ["--report", str(report_path)]
            for i, r in enumerate(_arrays(report_input) if report_input is not None else []):
                args += ["--report-input", _npy(folder, f"report{i}", r)]
            if labels is not None:
                args += ["--labels", _npy(folder, "labels", labels)]
        args += ["-o", str(out)]
        done = _run(args, cimc=cimc)
        return {
            "ir": out.read_text(),
            "path": str(out) if output is not None else None,
            "report": json.loads(report_path.read_text()) if report_path.is_file() else None,
            "diagnostics": done.stderr,
        }


_ACCURACY = re.compile(r"top-1 accuracy: [0-9.]+% \((\d+)/(\d+)\)")


def run(
    model: PathLike,
    inputs: Union[Array, Sequence[Array]],
    *,
    executor: str = "sim",
    opt: int = 2,
    target: Optional[str] = None,
    target_opts: Optional[Mapping[str, object]] = None,
    schedule: Optional[str] = None,
    graph: bool = True,
    labels: Optional[Array] = None,
    entry: Optional[str] = None,
    dequantize_outputs: bool = False,
    trace: Optional[PathLike] = None,
    cimc: Optional[PathLike] = None,
) -> Dict[str, object]:
    """Runs ``model`` on ``inputs`` (one array per model input, of the
    input's element type, with a leading batch axis of samples or exactly
    the input's shape) on the simulated chip (``executor="sim"``) or on the
    host (``"reference"``).

    Returns ``{"outputs": [one numpy array per result], "stats": the
    simulation's totals as ``--stats-json`` writes them (``sim`` only),
    "accuracy": top-1 (0..1) with ``labels`` else None, "log": the run's
    printed summary}``."""
    with tempfile.TemporaryDirectory(prefix="cimc-") as tmp:
        folder = Path(tmp)
        out = folder / "out.npy"
        args: List[str] = [f"-O{opt}", os.fspath(model), f"--run={executor}"]
        for i, x in enumerate(_arrays(inputs)):
            args += ["--input", _npy(folder, f"input{i}", x)]
        if labels is not None:
            args += ["--labels", _npy(folder, "labels", labels)]
        if entry is not None:
            args += ["--entry", entry]
        if dequantize_outputs:
            args.append("--dequantize-outputs")
        if not graph:
            args.append("--no-graph")
        stats_path = folder / "stats.json"
        if executor == "sim":
            args += ["--stats-json", str(stats_path)]
            if trace is not None:
                args += ["--trace", os.fspath(trace)]
        args += _target_args(target, target_opts) + _schedule(schedule)
        args += ["-o", str(out)]
        done = _run(args, cimc=cimc)
        outputs = []
        path = out
        while path.is_file():
            outputs.append(np.load(path))
            path = folder / f"out.{len(outputs)}.npy"
        found = _ACCURACY.search(done.stdout)
        return {
            "outputs": outputs,
            "stats": json.loads(stats_path.read_text()) if stats_path.is_file() else None,
            "accuracy": int(found.group(1)) / int(found.group(2)) if found else None,
            "log": done.stdout,
        }


def plan(spec: PathLike, *, cimc: Optional[PathLike] = None) -> List[dict]:
    """The points of sweep spec ``spec`` without running any: id, model,
    recipe, schedule, seed, axes, target overrides, and the keys of the
    build and the quantization each point needs. A bad spec is a
    :class:`CimcError` naming the file, line and key."""
    done = _run(["sweep", os.fspath(spec), "--plan"], cimc=cimc)
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def sweep(
    spec: PathLike,
    *,
    out: Optional[PathLike] = None,
    jobs: Optional[int] = None,
    retry_failed: bool = False,
    dataframe: bool = True,
    cimc: Optional[PathLike] = None,
):
    """Runs ``cimc sweep spec`` on this machine (resuming whatever an
    earlier run of it finished) and returns the spec's records, one row per
    point in plan order: a pandas DataFrame (when pandas is installed and
    ``dataframe``) with one column per axis, else the records as dicts (as
    ``results.jsonl`` holds them, the axes nested). Failed
    points are rows with ``status == "error"`` and their ``error``; a bad
    spec raises :class:`CimcError`."""
    points = plan(spec, cimc=cimc)
    out = Path(out) if out is not None else _records.default_out(spec)
    args: List[str] = ["sweep", os.fspath(spec), "--out", str(out)]
    if jobs is not None:
        args += ["-j", str(jobs)]
    if retry_failed:
        args.append("--retry-failed")
    done = _run(args, cimc=cimc, check=False)
    # Exit status 1 with every point recorded: some points failed, which
    # their rows say; anything else is the sweep's own failure.
    ids = [p["id"] for p in points]
    finished = {r["id"] for r in _records.read_finished(out / "results.jsonl")}
    if done.returncode != 0 and not (done.returncode == 1 and finished.issuperset(ids)):
        raise CimcError(done.args, done.returncode, done.stderr)
    return _records.results(out, ids, dataframe=dataframe)
