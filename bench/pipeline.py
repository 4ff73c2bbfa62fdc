#!/usr/bin/env python3
"""Benchmark: the chip as a pipeline — replication and schedules, side by side.

usage: .venv/bin/python bench/pipeline.py [--samples N] [--target T] [--quick] [--cimc PATH] [--allow-debug]

For each network (ResNet-18 int8 from test/models/scale, the digits CNN;
--quick: the CNN only) on one target, in one run of the release build:
  * -O1 layer-sequential: no replication, one sample after the other (the
    mapping before cim-replicate);
  * -O2 layer-sequential: cim-replicate's copies, samples one after the other;
  * -O2 ht: cim-replicate's copies, samples pipelined;
  * -O1 ll and -O2 ll: samples one after the other, each layer starting on
    the first rows of its input (line-buffer granularity): the latency;
each over N seeded samples (default 4): latency per inference, period,
inferences/s, the simulator's pipelined bound, array utilization per period,
arrays used, and the outputs' agreement with the -O1 run (bit-identical is
the requirement). Numbers come from `cimc --run --stats-json`.
"""
import argparse
import json
import os
import tempfile

import numpy as np

from common import MODELS, add_cimc_args, cimc_binary, convert_tflite, machine, run

RUNS = [("-O1", "layer-sequential"), ("-O1", "ll"), ("-O2", "layer-sequential"), ("-O2", "ll"),
        ("-O2", "ht")]


def measure(cimc, mlir, x, target, work):
    print(f"    {'run':<24}{'latency us':>12}{'period us':>12}{'inf/s':>11}{'bound/s':>11}"
          f"{'util/period':>13}{'arrays':>8}  outputs")
    first = None
    for opt, schedule in RUNS:
        stats = os.path.join(work, "stats.json")
        out = os.path.join(work, f"y{opt}{schedule}.npy")
        run([cimc, opt, mlir, "--target", target, "--schedule", schedule, "--run", "--input", x,
             "-o", out, "--stats-json", stats])
        s = json.load(open(stats))
        mhz = s["clock_mhz"]
        y = np.load(out)
        same = "reference" if first is None else ("identical" if np.array_equal(first, y) else "DIFFER")
        first = y if first is None else first
        print(f"    {opt + ' ' + schedule:<24}{s['sample_latency_cycles'] / mhz:>12.1f}"
              f"{s['period_cycles'] / mhz:>12.1f}{s['throughput_per_s']:>11.1f}"
              f"{s['pipelined_throughput_per_s']:>11.1f}{100 * s['period_utilization']:>12.1f}%"
              f"{s['arrays_used']:>8}  {same}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=4)
    parser.add_argument("--target", default="isaac")
    add_cimc_args(parser)
    args = parser.parse_args()
    cimc = cimc_binary(args)
    print(f"machine: {machine()}; target {args.target}; {args.samples} samples per run")
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as work:
        cnn_x = os.path.join(work, "cnn.npy")
        np.save(cnn_x, np.load(os.path.join(MODELS, "cnn.int8.input.npy"))[: args.samples])
        print("digits CNN int8")
        measure(cimc, os.path.join(MODELS, "cnn.int8.mlir"), cnn_x, args.target, work)
        if not args.quick:
            mlir = convert_tflite(os.path.join(MODELS, "scale", "resnet18.int8.tflite"),
                                  os.path.join(work, "resnet18.mlir"))
            x = os.path.join(work, "x.npy")
            np.save(x, rng.integers(-128, 128, size=(args.samples, 224, 224, 3), dtype=np.int8))
            print("ResNet-18 int8 (ImageNet)")
            measure(cimc, mlir, x, args.target, work)


if __name__ == "__main__":
    main()
