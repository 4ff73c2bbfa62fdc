#!/usr/bin/env python3
"""Benchmark: compile time and peak memory from int8 TOSA to the cim phase.

usage: .venv/bin/python bench/mapping.py [--cimc PATH] [--repeats N]

For ResNet-18 and MobileNetV2 (ImageNet, int8, test/models/scale/*.tflite
converted with tosa-converter-for-tflite): wall time and peak resident memory
of `cimc --emit=cim` (parse, check, validate, map, print), measured in one
run on this machine, best of N. Goal: at most 5 s each on 2 cores. Also the
time of the parse-and-print baseline (`--emit=tosa`) so the mapping's own
share shows. Needs `bash scripts/dev setup` and a built cimc.
"""
import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


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
    parser.add_argument("--cimc", default=os.path.join(ROOT, "target", "debug", "cimc"))
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    converter = os.path.join(ROOT, ".venv", "bin", "tosa-converter-for-tflite")
    for tool in (args.cimc, converter):
        if not os.path.exists(tool):
            sys.exit(f"{tool} not found: run `bash scripts/dev setup` and `cargo build`")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; cimc: {args.cimc}")
    print(f"{'model':<14}{'MLIR MB':>9}{'to cim s':>10}{'peak MiB':>10}{'parse+print s':>15}{'mapping share':>15}")
    with tempfile.TemporaryDirectory() as work:
        for name in ("resnet18", "mobilenetv2"):
            mlir = os.path.join(work, f"{name}.mlir")
            subprocess.run([converter, os.path.join(ROOT, f"test/models/scale/{name}.int8.tflite"), "--text", "-o", mlir],
                           check=True, capture_output=True)
            cim = min(measure([args.cimc, mlir, "--emit=cim", "-o", os.devnull]) for _ in range(args.repeats))
            base = min(measure([args.cimc, mlir, "--emit=tosa", "-o", os.devnull]) for _ in range(args.repeats))
            size = os.path.getsize(mlir) / 1e6
            print(f"{name:<14}{size:>9.1f}{cim[0]:>10.2f}{cim[1]:>10.0f}{base[0]:>15.2f}{cim[0] - base[0]:>15.2f}")
    print("goal: to cim <= 5 s per model")


if __name__ == "__main__":
    main()
