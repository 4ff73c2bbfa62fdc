#!/usr/bin/env python3
"""Benchmark: cimc's reference execution vs Arm's tosa_reference_model binary.

usage: .venv/bin/python bench/reference.py [--samples N] [--skip-resnet] [--quick]
                                           [--cimc PATH] [--allow-debug]

Measured in one run on this machine, on the bundled int8 digits CNN and on
ResNet-18 int8 (ImageNet, test/models/scale/resnet18.int8.tflite converted
with tosa-converter-for-tflite). For each model it prints:
  - cimc: JIT compile time and time per sample (cimc --run on a batch);
  - the reference model binary: time per sample, and its process start-up
    (the same binary on a one-op graph) reported separately;
  - the ratio reference-model / cimc per sample, with and without start-up.
--quick: 5 digits samples and one ResNet-18 sample. Measures the release
build (bench/common.py); needs `bash scripts/dev setup` (the venv with
tosa-tools).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

from common import ROOT, add_cimc_args, cimc_binary, convert_tflite, jit_timings, machine, venv_bin


def cimc_run(cimc, model, inputs):
    """Returns (jit seconds, seconds per sample) as cimc reports them."""
    out = subprocess.run([cimc, model, "--run=reference", "--input", inputs], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"cimc failed on {model}:\n{out.stderr}")
    jit, ms = jit_timings(out.stderr)
    return jit, ms / 1e3


def serialize(model, workdir):
    tosa = os.path.join(workdir, "model.tosa")
    subprocess.run([venv_bin("tosa-opt"), model, "--tosa-serialize", f"--tosa-flatbuffer-filename={tosa}"],
                   check=True, capture_output=True)
    return tosa


def refmodel_per_sample(tosa, workdir, samples):
    """Runs the reference model binary once per sample; seconds per sample."""
    binary = venv_bin("tosa_reference_model")
    start = time.perf_counter()
    for i, sample in enumerate(samples):
        ifm = os.path.join(workdir, f"in{i}.npy")
        np.save(ifm, sample)
        subprocess.run([binary, "--tosa_file", tosa, "--ifm_name", "TosaInput_0", "--ifm_file", ifm,
                        "--ofm_name", "TosaOutput_0", "--ofm_file", os.path.join(workdir, f"out{i}.npy"),
                        "--flatbuffer_dir", workdir, "--output_dir", workdir],
                       check=True, capture_output=True)
    return (time.perf_counter() - start) / len(samples)


def startup(workdir, repeats=20):
    """The reference model's process start-up: one abs on a 1-element tensor."""
    d = os.path.join(workdir, "startup")
    os.makedirs(d, exist_ok=True)
    mlir = os.path.join(d, "tiny.mlir")
    with open(mlir, "w") as f:
        f.write("func.func @main(%a: tensor<1xi32>) -> tensor<1xi32> {\n"
                "  %0 = tosa.abs %a : (tensor<1xi32>) -> tensor<1xi32>\n"
                "  return %0 : tensor<1xi32>\n}\n")
    tosa = serialize(mlir, d)
    return refmodel_per_sample(tosa, d, [np.zeros((1,), np.int32)] * repeats)


def bench(cimc, name, model, inputs_npy, count, workdir, startup_s):
    samples = np.load(inputs_npy)[:count]
    batch = os.path.join(workdir, f"{name}.batch.npy")
    np.save(batch, samples)
    jit, cimc_s = cimc_run(cimc, model, batch)
    ref_s = refmodel_per_sample(serialize(model, workdir), workdir, [samples[i:i + 1] for i in range(count)])
    # Start-up and per-sample time are measured separately, so on a tiny
    # model the difference can be noise below zero: then it is not reported.
    compute = ref_s - startup_s
    return {"model": name, "samples": count, "cimc_jit_s": jit, "cimc_ms": cimc_s * 1e3,
            "refmodel_ms": ref_s * 1e3, "refmodel_compute_ms": compute * 1e3 if compute > 0 else None,
            "ratio": ref_s / cimc_s, "ratio_without_startup": compute / cimc_s if compute > 0 else None}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=50, help="digits samples (ResNet-18 uses 3)")
    parser.add_argument("--skip-resnet", action="store_true")
    add_cimc_args(parser)
    args = parser.parse_args()
    cimc = cimc_binary(args)
    samples, resnet_samples = (5, 1) if args.quick else (args.samples, 3)
    rows = []
    with tempfile.TemporaryDirectory() as workdir:
        startup_s = startup(workdir)
        rows.append(bench(cimc, "digits cnn int8", os.path.join(ROOT, "test/models/cnn.int8.mlir"),
                          os.path.join(ROOT, "test/models/cnn.int8.input.npy"), samples, workdir, startup_s))
        if not args.skip_resnet:
            tflite = os.path.join(ROOT, "test/models/scale/resnet18.int8.tflite")
            mlir = convert_tflite(tflite, os.path.join(workdir, "resnet18.int8.mlir"))
            rng = np.random.default_rng(0)
            x = rng.integers(-128, 128, size=(resnet_samples, 224, 224, 3), dtype=np.int8)
            npy = os.path.join(workdir, "resnet_in.npy")
            np.save(npy, x)
            rows.append(bench(cimc, "resnet18 int8", mlir, npy, resnet_samples, workdir, startup_s))
    print(f"machine: {machine()}")
    print(f"tosa_reference_model process start-up: {startup_s * 1e3:.2f} ms")
    print(f"{'model':<18}{'samples':>8}{'cimc JIT s':>12}{'cimc ms':>10}{'ref ms':>10}{'ref-startup ms':>16}{'ratio':>8}{'ratio w/o startup':>19}")
    def num(value, width, digits):
        return f"{value:>{width}.{digits}f}" if value is not None else f"{'n/a':>{width}}"
    for r in rows:
        print(f"{r['model']:<18}{r['samples']:>8}{r['cimc_jit_s']:>12.3f}{r['cimc_ms']:>10.3f}{r['refmodel_ms']:>10.3f}"
              f"{num(r['refmodel_compute_ms'], 16, 3)}{r['ratio']:>8.2f}{num(r['ratio_without_startup'], 19, 2)}")
    print("(ratio > 1: cimc's reference execution is faster than the reference model)")
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
