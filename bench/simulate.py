#!/usr/bin/env python3
"""Benchmark: end-to-end execution on the simulated chip.

usage: .venv/bin/python bench/simulate.py [--cimc PATH] [--opt N]

(b) The digits CNN (int8, bundled) on its 450 test samples: JIT compile time
    and wall time per sample on the simulated chip (`cimc --run`), beside
    reference execution on the host (`cimc --run=reference`) measured in the
    same run, and the ratio.
(c) One ResNet-18 (ImageNet, int8, test/models/scale) inference on a seeded
    random input: JIT compile time, wall time of the inference itself, whole
    process wall time and peak resident memory. Goal: the inference <= 5 s
    on 2 cores.
The kernel benchmark (a) is `cargo bench -p cimc-runtime`. Needs
`bash scripts/dev setup` and a built cimc (`cargo build --bin cimc`).
"""
import argparse
import os
import platform
import re
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = os.path.join(ROOT, "test", "models")


def run(cmd):
    """(stdout + stderr text, wall seconds, peak RSS MiB) of one process."""
    with tempfile.TemporaryFile() as log:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        log.seek(0)
        text = log.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{text}")
    return text, wall, usage.ru_maxrss / 1024


def timings(text):
    m = re.search(r"JIT compile ([0-9.]+) s, ([0-9.]+) ms per sample", text)
    if not m:
        sys.exit(f"no timing line in:\n{text}")
    return float(m.group(1)), float(m.group(2))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cimc", default=os.path.join(ROOT, "target", "debug", "cimc"))
    parser.add_argument("--opt", type=int, default=2, help="-O level of the compiled program")
    parser.add_argument("--skip-resnet", action="store_true")
    args = parser.parse_args()
    converter = os.path.join(ROOT, ".venv", "bin", "tosa-converter-for-tflite")
    for tool in (args.cimc, converter):
        if not os.path.exists(tool):
            sys.exit(f"{tool} not found: run `bash scripts/dev setup` and `cargo build --bin cimc`")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; cimc: {args.cimc}; -O{args.opt}")

    cnn = os.path.join(MODELS, "cnn.int8.mlir")
    x = os.path.join(MODELS, "cnn.int8.input.npy")
    sim_text, _, _ = run([args.cimc, f"-O{args.opt}", cnn, "--run", "--input", x])
    ref_text, _, _ = run([args.cimc, f"-O{args.opt}", cnn, "--run=reference", "--input", x])
    sim_jit, sim_ms = timings(sim_text)
    ref_jit, ref_ms = timings(ref_text)
    print("(b) digits CNN int8, 450 samples")
    print(f"    {'executor':<22}{'JIT s':>8}{'ms/sample':>11}")
    print(f"    {'simulated chip':<22}{sim_jit:>8.2f}{sim_ms:>11.3f}")
    print(f"    {'reference (host)':<22}{ref_jit:>8.2f}{ref_ms:>11.3f}")
    print(f"    simulated / reference per sample: {sim_ms / ref_ms:.1f}x")

    if args.skip_resnet:
        return
    with tempfile.TemporaryDirectory() as work:
        mlir = os.path.join(work, "resnet18.mlir")
        subprocess.run([converter, os.path.join(MODELS, "scale", "resnet18.int8.tflite"), "--text", "-o", mlir],
                       check=True, capture_output=True)
        inp = os.path.join(work, "x.npy")
        np.save(inp, np.random.default_rng(0).integers(-128, 128, size=(1, 224, 224, 3), dtype=np.int8))
        cmd = [args.cimc, f"-O{args.opt}", mlir, "--run", "--input", inp, "-o", os.path.join(work, "y.npy")]
        text, wall, peak = run(cmd)
        jit, ms = timings(text)
        steps = re.search(r"([0-9]+) array steps", text).group(1)
        print("(c) ResNet-18 int8 (ImageNet), one inference on the isaac chip")
        print(f"    JIT compile {jit:.1f} s; inference {ms / 1e3:.2f} s (goal <= 5 s); "
              f"process {wall:.1f} s; peak RSS {peak:.0f} MiB; {steps} array steps")


if __name__ == "__main__":
    main()
