"""A sweep spec's points on a Dask cluster.

The client plans the sweep with ``cimc sweep SPEC --plan``, then ships
tasks to the workers, each of which runs the ``cimc`` on its machine the
way ``cimc sweep`` runs its local worker processes: one ``--quantize KEY``
per quantized model the cache lacks (the model comes back to the client,
which caches it in the sweep folder and hands it to the builds that need
it), then one ``--points ID,...`` per build (the points that share one
compiled program). Records stream into ``results.jsonl`` as they arrive,
and a last local ``cimc sweep`` over the finished folder writes
``results.csv``, the plots and the report, so the files are those of a
local run. A rerun skips finished points.

A worker that dies takes no point with it: Dask reruns its task on another
worker (the scheduler's ``distributed.scheduler.allowed-failures``); a
build whose task fails anyway is split into one task per point, and a
point that fails alone is recorded as failed. Workers need the ``cimc``
executable (``cimc`` on ``PATH``, ``$CIMC``, or ``worker_cimc``), this
package, and the spec and the files it names at the same paths as the
client (a shared file system, as on a Slurm cluster); the sweep folder
need not be shared.

    python -m cimc.distributed SPEC --local 2
    python -m cimc.distributed SPEC --scheduler tcp://host:8786
    python -m cimc.distributed SPEC --slurm 8 --slurm-cores 4 --slurm-memory 8GB
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Callable, Dict, List, Optional, TextIO

from . import records as _records
from ._executable import CimcError, executable, run as _run
from .api import plan as _plan

__all__ = ["sweep", "main"]


def _tail(text: str, lines: int = 3) -> str:
    kept = [line for line in text.splitlines() if line.strip()]
    return " | ".join(kept[-lines:]) or "no output"


def _quantize_task(cimc: Optional[str], spec: str, key: str) -> dict:
    """On a worker: ``cimc sweep SPEC --quantize KEY`` in a scratch folder;
    the quantized model's bytes, or why there are none."""
    with tempfile.TemporaryDirectory(prefix="cimc-sweep-") as tmp:
        done = _run(["sweep", spec, "--out", tmp, "--quantize", key], cimc=cimc, check=False)
        path = Path(tmp) / "cache" / f"{key}.int8.mlir"
        if done.returncode == 0 and path.is_file():
            return {"model": path.read_bytes()}
        return {"error": f"quantization failed (exit status {done.returncode}; {_tail(done.stderr)})"}


def _points_task(cimc: Optional[str], spec: str, ids: List[str], key: Optional[str], model: Optional[bytes]) -> dict:
    """On a worker: ``cimc sweep SPEC --points IDS`` in a scratch folder
    holding the build's quantized model; the records it printed."""
    with tempfile.TemporaryDirectory(prefix="cimc-sweep-") as tmp:
        if key is not None and model is not None:
            cache = Path(tmp) / "cache"
            cache.mkdir()
            (cache / f"{key}.int8.mlir").write_bytes(model)
        done = _run(["sweep", spec, "--out", tmp, "--points", ",".join(ids)], cimc=cimc, check=False)
        records = []
        for line in done.stdout.splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict) and record.get("id") in ids:
                records.append(record)
        return {"records": records, "status": done.returncode, "log": _tail(done.stderr)}


def _failed(point: dict, why: str) -> dict:
    """The record of a point that produced none (as ``cimc sweep`` writes it)."""
    record = {k: point.get(k) for k in ("id", "model", "recipe", "schedule", "seed", "axes", "overrides")}
    record.update(status="error", error=why)
    return record


def sweep(
    spec: str | os.PathLike,
    client=None,
    *,
    out: Optional[str | os.PathLike] = None,
    retry_failed: bool = False,
    cimc: Optional[str | os.PathLike] = None,
    worker_cimc: Optional[str] = None,
    dataframe: bool = True,
    log: Optional[TextIO] = sys.stderr,
):
    """Runs the points of sweep ``spec`` on the workers of Dask ``client``
    (default: the current client) into sweep folder ``out`` (default: as
    ``cimc sweep``). ``cimc`` is the client's executable (planning and the
    report), ``worker_cimc`` the workers' (default: found on each worker).
    Returns the spec's records as :func:`cimc.sweep` does."""
    from distributed import as_completed, get_client

    client = client or get_client()
    spec = os.path.abspath(os.fspath(spec))
    points = _plan(spec, cimc=cimc)
    by_id = {p["id"]: p for p in points}
    out = Path(out) if out is not None else _records.default_out(spec)
    (out / "cache").mkdir(parents=True, exist_ok=True)
    jsonl = out / "results.jsonl"
    kept = _records.read_finished(jsonl, repair=True)
    if retry_failed:
        kept = [r for r in kept if r.get("status") != "error"]
        with jsonl.open("w") as f:
            f.writelines(json.dumps(r) + "\n" for r in kept)
    done = {r["id"] for r in kept}
    pending = [p for p in points if p["id"] not in done]

    builds: Dict[str, List[str]] = {}
    for p in pending:
        builds.setdefault(p["build"], []).append(p["id"])
    cached = lambda key: out / "cache" / f"{key}.int8.mlir"
    missing = sorted({p["quantization"] for p in pending if p["quantization"] and not cached(p["quantization"]).is_file()})
    say: Callable[[str], None] = (lambda s: print(s, file=log, flush=True)) if log else (lambda s: None)
    say(
        f"sweep {spec}: {len(points)} points ({len(done)} already done, {len(pending)} to run), "
        f"{len(missing)} quantization(s) to make, {len(builds)} build(s) on {len(client.scheduler_info()['workers'])} Dask worker(s)"
    )

    tasks = as_completed()
    what: Dict[str, tuple] = {}  # future key -> ("quantize", key) | ("points", ids)
    models: Dict[str, object] = {}  # quantization key -> scattered model bytes
    waiting: Dict[str, List[List[str]]] = {}

    def submit(fn, *args, kind):
        future = client.submit(fn, *args, key=f"cimc-{fn.__name__.strip('_')}-{uuid.uuid4().hex}", pure=False)
        what[future.key] = kind
        tasks.add(future)

    def submit_points(ids: List[str]):
        key = by_id[ids[0]]["quantization"]
        submit(_points_task, worker_cimc, spec, ids, key, models.get(key), kind=("points", ids))

    for key in missing:
        submit(_quantize_task, worker_cimc, spec, key, kind=("quantize", key))
    for ids in builds.values():
        key = by_id[ids[0]]["quantization"]
        if key is None:
            submit_points(ids)
        elif key in missing:
            waiting.setdefault(key, []).append(ids)
        else:
            if key not in models:
                [models[key]] = client.scatter([cached(key).read_bytes()], hash=False)
            submit_points(ids)

    finished = 0
    errors = 0
    with jsonl.open("a") as results:

        def emit(record: dict):
            nonlocal finished, errors
            finished += 1
            errors += record.get("status") != "ok"
            results.write(json.dumps(record) + "\n")
            results.flush()
            error = (str(record.get("error", "")).splitlines() or [""])[0]
            state = "ok" if record.get("status") == "ok" else f"failed: {error}"
            say(f"[{finished}/{len(pending)}] {record['id']} {record.get('model')} {record.get('recipe')} {record.get('schedule')}: {state}")

        for future in tasks:
            kind, arg = what.pop(future.key)
            try:
                value = future.result()
                problem = None
            except Exception as e:  # a task Dask gave up on (KilledWorker, ...)
                value, problem = None, f"{type(e).__name__}: {e}"
            future.release()
            if kind == "quantize":
                key = arg
                if value is not None and "model" in value:
                    partial = cached(key).with_suffix(f".partial.{os.getpid()}")
                    partial.write_bytes(value["model"])
                    partial.replace(cached(key))
                    [models[key]] = client.scatter([value["model"]], hash=False)
                    for ids in waiting.pop(key, []):
                        submit_points(ids)
                else:
                    why = value["error"] if value is not None else f"quantization failed ({problem})"
                    for ids in waiting.pop(key, []):
                        for i in ids:
                            emit(_failed(by_id[i], why))
                continue
            ids = arg
            seen = set()
            for record in (value or {}).get("records", []):
                if record["id"] not in seen:
                    seen.add(record["id"])
                    emit(record)
            lost = [i for i in ids if i not in seen]
            if len(lost) > 1:
                # Retry each alone: one bad point must not take the rest.
                for i in lost:
                    submit_points([i])
            elif lost:
                why = problem or f"exit status {value['status']}; {value['log']}"
                emit(_failed(by_id[lost[0]], f"the worker stopped without a result ({why})"))

    # The CSV, plots and report of the finished folder, as a local run writes them.
    final = _run(["sweep", spec, "--out", str(out)], cimc=cimc, check=False)
    if final.returncode != 0:
        raise CimcError([executable(cimc), "sweep", spec, "--out", str(out)], final.returncode, final.stderr)
    say(_tail(final.stderr, 3))
    say(f"{len(pending)} point(s) on the cluster: {finished - errors} ok, {errors} failed")
    return _records.results(out, [p["id"] for p in points], dataframe=dataframe)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cimc.distributed",
        description="Run a cimc sweep spec's points on a Dask cluster.",
    )
    parser.add_argument("spec", help="the sweep spec (TOML), as for `cimc sweep`")
    parser.add_argument("--out", help="the sweep folder (default: as `cimc sweep`)")
    parser.add_argument("--retry-failed", action="store_true", help="rerun the points recorded as failed")
    parser.add_argument("--cimc", help="the client's cimc executable")
    parser.add_argument("--worker-cimc", help="the workers' cimc executable (default: found on each worker)")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--scheduler", metavar="ADDRESS", help="a running Dask scheduler (tcp://host:8786 or a scheduler file)")
    where.add_argument("--local", type=int, metavar="N", help="a local cluster of N single-threaded worker processes")
    where.add_argument("--slurm", type=int, metavar="JOBS", help="Dask workers as JOBS Slurm jobs (dask-jobqueue)")
    slurm = parser.add_argument_group("Slurm jobs (with --slurm)")
    slurm.add_argument("--slurm-cores", type=int, default=1, help="cores per job, one worker process each (default 1)")
    slurm.add_argument("--slurm-memory", default="4GB", help="memory per job (default 4GB)")
    slurm.add_argument("--slurm-walltime", default="01:00:00", help="wall time per job (default 01:00:00)")
    slurm.add_argument("--slurm-queue", help="the partition")
    slurm.add_argument("--slurm-account", help="the account to charge")
    slurm.add_argument("--print-job-script", action="store_true", help="print the sbatch script of one job and stop")
    args = parser.parse_args(argv)

    from distributed import Client, LocalCluster

    if args.scheduler:
        target = args.scheduler
        client = Client(scheduler_file=target) if os.path.isfile(target) else Client(target)
        cluster = None
    elif args.local:
        cluster = LocalCluster(n_workers=args.local, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    else:
        from dask_jobqueue import SLURMCluster

        cluster = SLURMCluster(
            cores=args.slurm_cores,
            processes=args.slurm_cores,
            memory=args.slurm_memory,
            walltime=args.slurm_walltime,
            queue=args.slurm_queue,
            account=args.slurm_account,
        )
        if args.print_job_script:
            print(cluster.job_script())
            cluster.close()
            return 0
        cluster.scale(jobs=args.slurm)
        client = Client(cluster)
    try:
        records = sweep(
            args.spec,
            client,
            out=args.out,
            retry_failed=args.retry_failed,
            cimc=args.cimc,
            worker_cimc=args.worker_cimc,
            dataframe=False,
        )
    except (CimcError, FileNotFoundError) as e:
        print(f"error: {e}", file=sys.stderr)
        if isinstance(e, CimcError) and e.diagnostics:
            print(e.diagnostics, file=sys.stderr, end="")
        return 1
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return 0 if all(r.get("status") == "ok" for r in records) else 1


if __name__ == "__main__":
    sys.exit(main())
