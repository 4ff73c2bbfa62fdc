#!/usr/bin/env python3
"""Benchmark: compile time and peak memory from int8 TOSA to the cim phase.

usage: .venv/bin/python bench/mapping.py [--repeats N] [--quick] [--cimc PATH] [--allow-debug]

For ResNet-18 and MobileNetV2 (ImageNet, int8, test/models/scale/*.tflite
converted with tosa-converter-for-tflite): wall time and peak resident memory
of `cimc --emit=cim` (parse, check, validate, map, print), measured in one
run on this machine, best of N. Goal: at most 5 s each on 2 cores. Also the
time of the parse-and-print baseline (`--emit=tosa`) so the mapping's own
share shows. --quick: one repeat. Measures the release build
(bench/common.py); needs `bash scripts/dev setup`.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

from common import ROOT, add_cimc_args, cimc_binary, convert_tflite, machine


def measure(cmd):
    """(wall seconds, peak RSS in MiB) of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    stderr = proc.stderr.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{stderr}")
    return wall, usage.ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    add_cimc_args(parser)
    args = parser.parse_args()
    cimc = cimc_binary(args)
    repeats = 1 if args.quick else args.repeats
    print(f"machine: {machine()}; best of {repeats}")
    print(f"{'model':<14}{'MLIR MB':>9}{'to cim s':>10}{'peak MiB':>10}{'parse+print s':>15}{'mapping share':>15}")
    with tempfile.TemporaryDirectory() as work:
        for name in ("resnet18", "mobilenetv2"):
            mlir = convert_tflite(os.path.join(ROOT, f"test/models/scale/{name}.int8.tflite"),
                                  os.path.join(work, f"{name}.mlir"))
            cim = min(measure([cimc, mlir, "--emit=cim", "-o", os.devnull]) for _ in range(repeats))
            base = min(measure([cimc, mlir, "--emit=tosa", "-o", os.devnull]) for _ in range(repeats))
            size = os.path.getsize(mlir) / 1e6
            print(f"{name:<14}{size:>9.1f}{cim[0]:>10.2f}{cim[1]:>10.0f}{base[0]:>15.2f}{cim[0] - base[0]:>15.2f}")
    print("goal: to cim <= 5 s per model")


if __name__ == "__main__":
    main()
