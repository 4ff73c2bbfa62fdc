#!/usr/bin/env python3
"""Benchmark: cimc's replication and schedules side by side with PIMCOMP-NN's.

usage: .venv/bin/python bench/pimcomp.py [--pimcomp DIR] [--samples N] [--ga-runs N] [--quick]
                                         [--cimc PATH] [--allow-debug]
(--quick: ResNet-18 only, one GA run)

PIMCOMP-NN (sunxt99/PIMCOMP-NN, DAC'23 / TCAD'24) is a baseline built
beside the project, never committed: --pimcomp names a checkout of it
(default: ../baselines/PIMCOMP-NN next to this repository); its binary is
built there with g++ (`g++ -O2 -std=c++11 main.cpp backend/*.cpp
evaluation/*.cpp -lz`) when missing. It runs from its `build/` directory on
its bundled JSON models and stock config.json.

For each network both tools have (ResNet-18, MobileNetV2; GoogLeNet and
SqueezeNet are not yet among cimc's int8 scale models) and each mode (HT:
PIMCOMP `-p=batch`, cimc `--schedule ht` over N samples; LL: PIMCOMP
`-p=element`, cimc `--schedule ll`, one sample), on one chip
(bench/targets/pimcomp.toml: PIMCOMP's 144 cores, arrays x4 for 8-bit
weights on 2-bit cells — see the file), the table gives the period (HT) or
latency (LL) of
  (a) cimc's own replication (cim-replicate) and schedule;
  (b) PIMCOMP's `balance` and `GA` replication vectors (GA: the best of
      --ga-runs runs, as it is seeded by the clock; read from its
      IntermediateInfo.json, `replication_num_origin` per layer, matched to
      cimc's layers by weight-matrix shape in order) run through cimc's
      mapping and simulator on the same chip and array budget (`--replicas`);
  (c) the analytical bound of the mapping report (all array work over the
      chip's arrays; HT only);
plus PIMCOMP's own estimate (its evaluator's constants, not this chip's:
shown for reference, not compared) and both compilers' wall times (cimc:
`-O2 --emit=llvm -o x.o`; PIMCOMP: the whole run, mapping and its
evaluation). A replication that does not fit the chip is reported as such.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import tomllib

import numpy as np

from common import MODELS, ROOT, add_cimc_args, cimc_binary, convert_tflite, machine, run

TARGET = os.path.join(ROOT, "bench", "targets", "pimcomp.toml")
NETWORKS = [("resnet18", "ResNet-18"), ("mobilenetv2", "MobileNetV2")]
MISSING = ["GoogLeNet", "SqueezeNet"]


def pimcomp_binary(src):
    exe = os.path.join(src, "build", "PIMCOMP-NN")
    if not os.path.exists(exe):
        if not os.path.exists(os.path.join(src, "main.cpp")):
            sys.exit(f"no PIMCOMP-NN checkout at {src} (--pimcomp DIR)")
        os.makedirs(os.path.dirname(exe), exist_ok=True)
        sources = ["main.cpp"] + [os.path.join(d, f) for d in ("backend", "evaluation")
                                  for f in sorted(os.listdir(os.path.join(src, d))) if f.endswith(".cpp")]
        print(f"building PIMCOMP-NN in {src}/build ...", flush=True)
        subprocess.run(["g++", "-O2", "-std=c++11", "-w", "-o", exe] + sources + ["-lz"], cwd=src, check=True)
    return exe


def pimcomp(exe, model, replication, pipeline):
    """(its estimate in us, [(layer index, copies, rows, cols, windows)], wall s) of one PIMCOMP
    run, or None when it fails twice (its GA and placement are randomly seeded)."""
    build = os.path.dirname(exe)
    for _ in range(2):
        text, wall, _ = run([exe, f"-m={model}", f"-r={replication}", f"-p={pipeline}",
                             "-o=NO", "-v=NO", "-i=YES", "-s=NO"], check=False, cwd=build)
        m = re.search(r"practical \(ns\)\s*\n\s*([0-9.]+)", text)
        if m:
            break
    else:
        return None
    info = json.load(open(os.path.join(build, "..", "output", "IntermediateInfo.json")))
    nodes = {n["index"]: n for n in info["node_list"]}

    def windows(a):
        dims = nodes[a.get("node_index", a["index"])]["output_dim"]
        return dims[2] * dims[3] if len(dims) == 4 else 1

    layers = [(a.get("node_index", a["index"]), a["replication_num_origin"], a["Height"], a["Width"],
               windows(a)) for a in info["PIMCOMP_2_AG_partition"]]
    return float(m.group(1)) / 1000.0, layers, wall


def cimc_layers(cimc, mlir, work):
    """cimc's crossbar layers at -O2 on the chip: (name, rows, outputs) from the report."""
    path = os.path.join(work, "report.json")
    run([cimc, "-O2", "--target", TARGET, mlir, "--emit=cim", "--report-json", path, "-o", os.devnull])
    report = json.load(open(path))
    out = []
    for layer in report["layers"]:
        slices = layer["slices"]
        # Offset encoding: slices columns per output and one reference
        # column per matrix (per channel block for depthwise layers).
        dense = (layer["cols"] - 1) // slices
        out.append((layer["name"], layer["rows"], dense, layer["windows"]))
    return out, report["totals"]


def match(ours, theirs):
    """PIMCOMP's copies per cimc layer, matched in order by weight rows (Kh·Kw·Cin; PIMCOMP maps
    depthwise layers densely, with the same rows), output windows, and outputs for dense layers;
    None when the networks differ."""
    left = list(theirs)
    counts = {}
    for name, rows, outputs, windows in ours:
        hit = next((t for t in left if t[2] == rows and t[4] == windows
                    and (t[3] == outputs or t[3] * 9 == rows)), None)
        if hit is None:
            return None
        left.remove(hit)
        counts[name] = hit[1]
    return counts if not left else None


def simulate(cimc, mlir, x, schedule, work, replicas=None):
    """(latency us, period us) of a cimc run, or the reason it cannot run."""
    stats = os.path.join(work, "stats.json")
    cmd = [cimc, "-O2", "--target", TARGET, "--schedule", schedule, mlir, "--run", "--input", x,
           "-o", os.path.join(work, "y.npy"), "--stats-json", stats]
    if replicas is not None:
        path = os.path.join(work, "replicas.toml")
        with open(path, "w") as f:
            f.writelines(f"{k} = {v}\n" for k, v in replicas.items())
        cmd += ["--replicas", path]
    text, _, _ = run(cmd, check=False)
    if not os.path.exists(stats) or "error" in text:
        line = next((l for l in text.splitlines() if "error" in l), text.strip()[-200:])
        return None, line.split("error: ")[-1]
    s = json.load(open(stats))
    os.remove(stats)
    mhz = s["clock_mhz"]
    return (s["sample_latency_cycles"] / mhz, s["period_cycles"] / mhz), None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pimcomp", default=os.path.join(os.path.dirname(ROOT), "baselines", "PIMCOMP-NN"))
    parser.add_argument("--samples", type=int, default=4, help="samples of the HT runs (LL: one)")
    parser.add_argument("--ga-runs", type=int, default=3,
                        help="PIMCOMP GA runs per network and mode (it is seeded by the clock); the best counts")
    add_cimc_args(parser)
    args = parser.parse_args()
    cimc = cimc_binary(args)
    networks = NETWORKS[:1] if args.quick else NETWORKS
    if args.quick:
        args.ga_runs = 1
    exe = pimcomp_binary(os.path.abspath(args.pimcomp))
    resolved, _, _ = run([cimc, "--target", TARGET, "--print-target"])
    mhz = tomllib.loads(resolved)["clock_mhz"]
    print(f"machine: {machine()}; chip bench/targets/pimcomp.toml; HT over {args.samples} samples")
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as work:
        xs = {n: os.path.join(work, f"x{n}.npy") for n in (1, args.samples)}
        for n, path in xs.items():
            np.save(path, rng.integers(-128, 128, size=(n, 224, 224, 3), dtype=np.int8))
        for model, title in networks:
            mlir = convert_tflite(os.path.join(MODELS, "scale", f"{model}.int8.tflite"),
                                  os.path.join(work, f"{model}.mlir"))
            ours, totals = cimc_layers(cimc, mlir, work)
            _, compile_s, _ = run([cimc, "-O2", "--target", TARGET, mlir, "--emit=llvm",
                                   "-o", os.path.join(work, "net.o")])
            bound = totals["period_bound_cycles"] / mhz
            print(f"\n{title}: cimc compiles in {compile_s:.2f} s (-O2 --emit=llvm); "
                  f"report bound {bound:.1f} us")
            print(f"  {'mode':<4} {'replication':<22} {'cimc us':>10} {'vs bound':>9} "
                  f"{'PIMCOMP own us':>15} {'PIMCOMP s':>10}  note")
            for mode, schedule, pipeline in (("HT", "ht", "batch"), ("LL", "ll", "element")):
                x = xs[args.samples] if mode == "HT" else xs[1]
                pick = (lambda r: r[1]) if mode == "HT" else (lambda r: r[0])
                result, why = simulate(cimc, mlir, x, schedule, work)
                mine = pick(result) if result else None
                rows = [("cimc cim-replicate", mine, None, None, why or "")]
                for replication, runs in (("balance", 1), ("GA", args.ga_runs)):
                    # GA is seeded by the clock: keep the run best for PIMCOMP
                    # in cimc's simulator, and say how far the runs spread.
                    best, values, why = None, [], ""
                    for _ in range(runs):
                        got = pimcomp(exe, model, replication, pipeline)
                        if got is None:
                            why = "PIMCOMP-NN failed twice (no 'practical (ns)')"
                            continue
                        own, theirs, wall = got
                        counts = match(ours, theirs)
                        if counts is None:
                            why = "layer shapes differ from cimc's model"
                            best = best or (None, own, wall)
                            continue
                        result, why = simulate(cimc, mlir, x, schedule, work, counts)
                        value = pick(result) if result else None
                        if value is not None:
                            values.append(value)
                            if best is None or best[0] is None or value < best[0]:
                                best = (value, own, wall)
                        why = why or ""
                    value, own, wall = best or (None, None, None)
                    note = why
                    if value is not None and mine is not None:
                        note = "cimc ahead" if mine <= value else f"cimc behind by {mine / value:.2f}x"
                    if len(values) > 1:
                        note += f" (best of {len(values)} runs, {min(values):.1f}-{max(values):.1f} us)"
                    rows.append((f"PIMCOMP {replication}", value, own, wall, note))
                for name, value, own, wall, note in rows:
                    v = f"{value:10.1f}" if value is not None else f"{'-':>10}"
                    ratio = f"{value / bound:8.2f}x" if value is not None and mode == "HT" else f"{'':>9}"
                    o = f"{own:15.1f}" if own is not None else f"{'':>15}"
                    w = f"{wall:10.2f}" if wall is not None else f"{'':>10}"
                    print(f"  {mode:<4} {name:<22} {v} {ratio} {o} {w}  {note}")
        print(f"\nnot compared: {', '.join(MISSING)} (not yet int8 TOSA scale models in test/models/scale)")


if __name__ == "__main__":
    main()
