#!/usr/bin/env python3
"""Benchmark: end-to-end execution on the simulated chip.

usage: .venv/bin/python bench/simulate.py [--opt N] [--skip-resnet] [--quick] [--cimc PATH] [--allow-debug]

(b) The digits CNN (int8, bundled) on its 450 test samples: JIT compile time
    and wall time per sample on the simulated chip (`cimc --run`), beside
    reference execution on the host (`cimc --run=reference`) measured in the
    same run, and the ratio.
(c) One ResNet-18 (ImageNet, int8, test/models/scale) inference on a seeded
    random input: JIT compile time, wall time of the inference itself, whole
    process wall time and peak resident memory. Goal: the inference <= 5 s
    on 2 cores.
--quick: the digits CNN on its first 50 samples, no ResNet-18. The kernel
benchmark (a) is `cargo bench -p cimc-runtime`. Measures the release build
(bench/common.py); needs `bash scripts/dev setup`.
"""
import argparse
import os
import re
import tempfile

import numpy as np

from common import MODELS, add_cimc_args, cimc_binary, convert_tflite, jit_timings, machine, run


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opt", type=int, default=2, help="-O level of the compiled program")
    parser.add_argument("--skip-resnet", action="store_true")
    add_cimc_args(parser)
    args = parser.parse_args()
    cimc = cimc_binary(args)
    print(f"machine: {machine()}; -O{args.opt}")

    with tempfile.TemporaryDirectory() as work:
        digits_cnn(cimc, args, work)
        if not (args.skip_resnet or args.quick):
            resnet18(cimc, args, work)


def digits_cnn(cimc, args, work):
    cnn = os.path.join(MODELS, "cnn.int8.mlir")
    x = os.path.join(MODELS, "cnn.int8.input.npy")
    samples = np.load(x)
    if args.quick:
        samples = samples[:50]
        x = os.path.join(work, "cnn.input.npy")
        np.save(x, samples)
    sim_text, _, _ = run([cimc, f"-O{args.opt}", cnn, "--run", "--input", x])
    ref_text, _, _ = run([cimc, f"-O{args.opt}", cnn, "--run=reference", "--input", x])
    sim_jit, sim_ms = jit_timings(sim_text)
    ref_jit, ref_ms = jit_timings(ref_text)
    print(f"(b) digits CNN int8, {len(samples)} samples")
    print(f"    {'executor':<22}{'JIT s':>8}{'ms/sample':>11}")
    print(f"    {'simulated chip':<22}{sim_jit:>8.2f}{sim_ms:>11.3f}")
    print(f"    {'reference (host)':<22}{ref_jit:>8.2f}{ref_ms:>11.3f}")
    print(f"    simulated / reference per sample: {sim_ms / ref_ms:.1f}x")


def resnet18(cimc, args, work):
    mlir = convert_tflite(os.path.join(MODELS, "scale", "resnet18.int8.tflite"), os.path.join(work, "resnet18.mlir"))
    inp = os.path.join(work, "x.npy")
    np.save(inp, np.random.default_rng(0).integers(-128, 128, size=(1, 224, 224, 3), dtype=np.int8))
    cmd = [cimc, f"-O{args.opt}", mlir, "--run", "--input", inp, "-o", os.path.join(work, "y.npy")]
    text, wall, peak = run(cmd)
    jit, ms = jit_timings(text)
    steps = re.search(r"([0-9]+) array steps", text).group(1)
    print("(c) ResNet-18 int8 (ImageNet), one inference on the isaac chip")
    print(f"    JIT compile {jit:.1f} s; inference {ms / 1e3:.2f} s (goal <= 5 s); "
          f"process {wall:.1f} s; peak RSS {peak:.0f} MiB; {steps} array steps")

if __name__ == "__main__":
    main()
