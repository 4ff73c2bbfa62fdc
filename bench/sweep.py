#!/usr/bin/env python3
"""Benchmark: a design-space sweep of the digits CNN with `cimc sweep`.

usage: .venv/bin/python bench/sweep.py [--spec FILE] [--jobs N] [--quick] [--cimc PATH] [--allow-debug] [--keep DIR]

Runs the spec (default bench/sweeps/digits.sweep.toml: ADC bits 4-8 x array
64/128/256 x cell bits 1/2 x 3 quantization recipes = 90 points, each point
quantized from the float model (cached), compiled and simulated on the 450
test digits) in a fresh folder, then runs it again to show that a finished
sweep reruns nothing. Prints the wall time, the points that ran and failed,
the cache's effect (quantizations made, programs shared) and the
accuracy/energy Pareto front. Goal (issue 17): the 96-point sweep in
<= 10 min on 2 cores, recompiling only where an axis requires it.
Then the same spec on a local Dask cluster of --dask workers (default 2;
0: skip) through cimc.distributed, in another folder, compared with the
local run point for point (every field but wall times and cache flags):
the second goal of issue 17.
--quick: a 12-point slice (ADC bits 6/8, arrays 128, cells 1/2, 3 recipes).
Measures the release build (bench/common.py).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

from common import ROOT, add_cimc_args, cimc_binary, machine

QUICK = """
[[model]]
name = "cnn"
path = "{models}/cnn.f32.mlir"
input = "{models}/digits_test_f32.npy"
labels = "{models}/digits_test_labels.npy"
calibration = "{models}/digits_train_f32.npy"
[axes]
"array.adc.bits" = [6, 8]
"array.cell_bits" = [1, 2]
[[recipe]]
name = "minmax"
[[recipe]]
name = "mse"
weight-range = "mse"
activation-range = "mse"
[[recipe]]
name = "adaround"
adaround = true
adaround-iterations = 500
activation-range = "mse"
"""


def run(cimc, spec, out, jobs):
    args = [cimc, "sweep", spec, "--out", out]
    if jobs:
        args += ["-j", str(jobs)]
    start = time.monotonic()
    p = subprocess.run(args, capture_output=True, text=True)
    seconds = time.monotonic() - start
    if p.returncode not in (0, 1):
        sys.exit(f"failed: {' '.join(args)}\n{p.stderr}")
    return seconds, p.stderr, p.returncode


def on_dask(cimc, spec, out, local, workers):
    """The spec on a local Dask cluster; how many of the local records it
    reproduces, and its wall time (cluster start included)."""
    from distributed import Client, LocalCluster

    from cimc import distributed

    varying = {"quantize_s", "compile_s", "simulate_s", "quantization_cached", "compile_shared"}
    stable = lambda rs: {r["id"]: {k: v for k, v in r.items() if k not in varying} for r in rs}
    if os.path.exists(out):
        shutil.rmtree(out)
    start = time.monotonic()
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        remote = distributed.sweep(spec, client, out=out, cimc=cimc, worker_cimc=cimc, dataframe=False, log=None)
    seconds = time.monotonic() - start
    mine, theirs = stable(local), stable(remote)
    return sum(1 for i, r in mine.items() if theirs.get(i) == r), seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--spec", default=os.path.join(ROOT, "bench", "sweeps", "digits.sweep.toml"))
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: the cores)")
    parser.add_argument("--keep", default=None, help="write the sweep's folder here (default: a temporary one)")
    parser.add_argument("--dask", type=int, default=2, metavar="N", help="Dask workers for the cluster run (0: none)")
    add_cimc_args(parser)
    args = parser.parse_args()
    cimc = cimc_binary(args)
    print(f"machine: {machine()}")
    work = tempfile.mkdtemp(prefix="cimc-bench-sweep-")
    spec = args.spec
    if args.quick:
        spec = os.path.join(work, "quick.sweep.toml")
        with open(spec, "w") as f:
            f.write(QUICK.format(models=os.path.join(ROOT, "test", "models")))
    out = args.keep or os.path.join(work, "out")
    if os.path.exists(out):
        shutil.rmtree(out)
    print(f"spec: {os.path.relpath(spec, ROOT) if spec.startswith(ROOT) else spec}")
    first, log, code = run(cimc, spec, out, args.jobs)
    again, log2, _ = run(cimc, spec, out, args.jobs)
    records = [json.loads(l) for l in open(os.path.join(out, "results.jsonl"))]
    ok = [r for r in records if r["status"] == "ok"]
    tail = [l for l in log.splitlines() if l.startswith(("sweep ", "cache:")) or " point(s) ran in " in l]
    print("\n".join("  " + l for l in tail))
    m = re.search(r"(\d+) quantization\(s\) made for (\d+) quantized point\(s\) \(([\d.]+)% reused", log)
    c = re.search(r"(\d+) compilation\(s\) for (\d+) point\(s\) \((\d+) shared", log)
    print()
    print("| points | ok | failed | wall time (s) | s/point | quantizations | quantization cache hits | compilations | rerun (s) | rerun ran |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    rerun_ran = re.search(r"(\d+) to run", log2).group(1)
    print(f"| {len(records)} | {len(ok)} | {len(records) - len(ok)} | {first:.1f} | {first / max(1, len(records)):.2f} "
          f"| {m.group(1) if m else '-'} | {m.group(3) + ' %' if m else '-'} | {c.group(1) if c else '-'} "
          f"| {again:.1f} | {rerun_ran} |")
    # The accuracy/energy front.
    pts = sorted(((r["energy_nj"], -(r["accuracy"] or 0), r) for r in ok if r.get("accuracy") is not None),
                 key=lambda t: (t[0], t[1]))
    best = -1.0
    print("\nPareto front (accuracy against energy per inference):")
    for e, na, r in pts:
        if -na > best:
            best = -na
            axes = " ".join(f"{k}={v}" for k, v in r["axes"].items())
            print(f"  {100 * -na:6.2f} %  {e:8.3f} nJ  {r['latency_us']:7.3f} us  {r['recipe']:9s} {axes}")
    goal = 600.0
    verdict = "MET" if first <= goal and code == 0 else "MISSED"
    print(f"\ngoal: the sweep in <= {goal:.0f} s: {first:.1f} s, {len(records) - len(ok)} failed point(s): {verdict}")
    if args.dask:
        equal, seconds = on_dask(cimc, spec, out + "-dask", records, args.dask)
        verdict = "MET" if equal == len(records) else "MISSED"
        print(f"goal: {args.dask} Dask workers equal the local run point for point: {equal}/{len(records)} equal, "
              f"{seconds:.1f} s: {verdict}")
    print(f"plots: {os.path.join(out, 'plots')}  report: {os.path.join(out, 'report.html')}")
    if not args.keep:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
