#!/usr/bin/env python3
"""Benchmark: what the graph phase (cim-graph, equality saturation) buys on the chip.

usage: .venv/bin/python bench/graph.py [--targets isaac,puma,...] [--quick] [--cimc PATH] [--allow-debug]

For every bundled digits model (int8) and every scale model
(test/models/scale/*.tflite, converted with tosa-converter-for-tflite), on
each target: `cimc -O2 --emit=cim --schedule ht --report-json -` with the
graph phase and with `--no-graph`, side by side in one run: arrays, spatial
utilization, crossbar steps (work), HT period and stage latency (cycles), the
ops between crossbar layers in the integer graph (pads, rescales, clamps,
transposes, reshapes, slices, concats; counted in `--emit=graph` output vs
`--emit=quant`), the rules that fired, and the time of saturation and
extraction. Goals (issue 20): >= 10 % fewer arrays or a >= 10 % shorter HT
period on two real networks; saturation + extraction <= 1 s on the digits
models and a ResNet block. --quick: the digits models and GoogLeNet on isaac.
Measures the release build (bench/common.py); needs `bash scripts/dev setup`.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

from common import MODELS, ROOT, add_cimc_args, cimc_binary, convert_tflite, machine

DIGITS = ("mlp", "cnn", "dscnn")
SCALE = ("lenet5", "resnet20", "vgg8", "resnet18", "mobilenetv2", "googlenet", "squeezenet")
HOST_OPS = ("pad", "rescale", "clamp", "transpose", "reshape", "slice", "concat")


def cimc_out(cimc, args):
    p = subprocess.run([cimc, *args], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"failed: cimc {' '.join(args)}\n{p.stderr}")
    return p.stdout


def op_counts(text):
    return {op: len(re.findall(rf"\btosa\.{op}\b", text)) for op in HOST_OPS}


def report(cimc, mlir, target, graph):
    args = [mlir, "-O2", "--emit=cim", "--schedule", "ht", "--target", target, "--report-json", "-",
            "-o", os.devnull]
    if not graph:
        args.append("--no-graph")
    return json.loads(cimc_out(cimc, args))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", default="isaac,puma")
    add_cimc_args(parser)
    args = parser.parse_args()
    cimc = cimc_binary(args)
    print(f"machine: {machine()}")
    targets = ["isaac"] if args.quick else args.targets.split(",")
    models = list(DIGITS) + (["googlenet"] if args.quick else list(SCALE))
    header = (f"{'model':<12}{'target':<8}{'arrays':>13}{'util %':>13}{'work':>17}{'HT period':>17}"
              f"{'latency':>19}{'graph ops':>11}{'sat s':>7}{'ext s':>7}  fired")
    print(header)
    with tempfile.TemporaryDirectory() as work:
        for name in models:
            if name in DIGITS:
                mlir = os.path.join(MODELS, f"{name}.int8.mlir")
            else:
                mlir = convert_tflite(os.path.join(MODELS, "scale", f"{name}.int8.tflite"),
                                      os.path.join(work, f"{name}.mlir"))
            before_ops = op_counts(cimc_out(cimc, [mlir, "--emit=quant"]))
            after_ops = op_counts(cimc_out(cimc, [mlir, "-O2", "--emit=graph"]))
            for target in targets:
                on, off = report(cimc, mlir, target, True), report(cimc, mlir, target, False)
                t_on, t_off = on["totals"], off["totals"]
                g = on["graph"][0]["entries"] if on.get("graph") else {}
                fired = g.get("fired", "{}").strip("{}").replace('"', "").replace(" = ", "=")

                def pair(key, fmt="{:d}"):
                    return f"{fmt.format(t_off[key])}->{fmt.format(t_on[key])}"
                b, a = sum(before_ops.values()), sum(after_ops.values())
                print(f"{name:<12}{target:<8}{pair('arrays'):>13}"
                      f"{pair('spatial_utilization', '{:.3f}').replace('0.', '.'):>13}"
                      f"{pair('work'):>17}{pair('period_cycles'):>17}{pair('latency_cycles'):>19}"
                      f"{f'{b}->{a}':>11}{g.get('seconds', '-'):>7}{g.get('extraction_seconds', '-'):>7}  {fired}")
            detail = ", ".join(f"{op} {before_ops[op]}->{after_ops[op]}" for op in HOST_OPS
                               if before_ops[op] != after_ops[op])
            print(f"{'':<12}ops changed: {detail or 'none'}")
    print("goals: >= 10 % fewer arrays or a >= 10 % shorter HT period on two real networks; "
          "saturation + extraction <= 1 s on the digits models")


if __name__ == "__main__":
    main()
