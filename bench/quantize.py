#!/usr/bin/env python3
"""Benchmark: post-training quantization accuracy on the digits ladder.

usage: .venv/bin/python bench/quantize.py [--cimc PATH] [--seeds N] [--calibration-size K]

For each bundled float model (MLP, CNN, depthwise-separable CNN, the
torch-mlir batch-norm CNN) and each setting, `cimc quantize` calibrates on K
samples drawn with seed s from the training split (test/models/digits_train*,
never the test samples), the integer model runs on the 450 test samples in
reference execution, and the table prints misclassified samples (of 450; one
sample is 0.22 pt) as mean ± std over the seeds. Beside it: the float model,
and TFLite's own full-int8 PTQ (the bundled *.int8 models, calibrated on the
training split by the TFLite converter; one fixed calibration, so no std).
Settings not implemented in cimc yet (bias correction, AdaRound, the full
pipeline) and AIMET are not in the table; the note of the issue says so.
"""
import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = os.path.join(ROOT, "test", "models")
LABELS = os.path.join(MODELS, "digits_test_labels.npy")

SETTINGS = [
    ("W8A8 min-max", ["--weight-bits", "8"]),
    ("W8A8 MSE act.", ["--weight-bits", "8", "--activation-range", "mse"]),
    ("W4A8 RTN", ["--weight-bits", "4"]),
    ("W4A8 RTN per-tensor", ["--weight-bits", "4", "--per-tensor"]),
    ("W3A8 RTN", ["--weight-bits", "3"]),
    ("W2A8 RTN", ["--weight-bits", "2"]),
    ("W8A8 CLE per-tensor", ["--weight-bits", "8", "--per-tensor", "--cle"]),
    ("W4A8 CLE", ["--weight-bits", "4", "--cle"]),
    ("W4A8 CLE per-tensor", ["--weight-bits", "4", "--per-tensor", "--cle"]),
    ("W4A8 MSE weights", ["--weight-bits", "4", "--weight-range", "mse"]),
    ("W3A8 MSE weights", ["--weight-bits", "3", "--weight-range", "mse"]),
    ("W2A8 MSE weights", ["--weight-bits", "2", "--weight-range", "mse"]),
]


def nchw(name):
    return name == "dscnn_bn"


def errors(cimc, model, test_input):
    out = subprocess.run([cimc, model, "--run=reference", "--input", test_input, "--labels", LABELS],
                         capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"failed: {model}\n{out.stderr}")
    m = re.search(r"\((\d+)/(\d+)\)", out.stdout)
    return int(m.group(2)) - int(m.group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cimc", default=os.path.join(ROOT, "target", "debug", "cimc"))
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--calibration-size", type=int, default=256)
    args = parser.parse_args()
    if not os.path.exists(args.cimc):
        sys.exit(f"{args.cimc} not found: run `cargo build --bin cimc`")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; {args.seeds} calibration seeds of "
          f"{args.calibration_size} training samples; misclassified test samples of 450 (mean ± std)")
    names = ["mlp", "cnn", "dscnn", "dscnn_bn"]
    rows = {}
    with tempfile.TemporaryDirectory() as work:
        for name in names:
            suffix = "_nchw" if nchw(name) else ""
            train = np.load(os.path.join(MODELS, f"digits_train_f32{suffix}.npy"))
            test = os.path.join(MODELS, f"digits_test_f32{suffix}.npy")
            f32 = os.path.join(MODELS, f"{name}.f32.mlir")
            rows.setdefault("float", {})[name] = errors(args.cimc, f32, test)
            tflite = os.path.join(MODELS, f"{name}.int8.mlir")
            if os.path.exists(tflite):
                rows.setdefault("TFLite full-int8", {})[name] = errors(
                    args.cimc, tflite, os.path.join(MODELS, f"{name}.int8.input.npy"))
            for label, flags in SETTINGS:
                counts = []
                for seed in range(args.seeds):
                    pick = np.random.default_rng(seed).choice(train.shape[0], args.calibration_size, replace=False)
                    calib = os.path.join(work, f"calib{suffix}_{seed}.npy")
                    np.save(calib, train[np.sort(pick)])
                    q = os.path.join(work, f"{name}.q.mlir")
                    out = subprocess.run([args.cimc, "quantize", f32, "--calibration", calib, "-o", q] + flags,
                                         capture_output=True, text=True)
                    if out.returncode != 0:
                        sys.exit(f"cimc quantize {name} {flags}:\n{out.stderr}")
                    counts.append(errors(args.cimc, q, test))
                rows.setdefault(label, {})[name] = counts
        # Wall time of quantizing the CNN (calibration + conversion).
        start = time.perf_counter()
        subprocess.run([args.cimc, "quantize", os.path.join(MODELS, "cnn.f32.mlir"), "--calibration",
                        os.path.join(work, "calib_0.npy"), "-o", os.path.join(work, "t.mlir")],
                       check=True, capture_output=True)
        cnn_time = time.perf_counter() - start

    def cell(v):
        if isinstance(v, list):
            sd = statistics.pstdev(v) if len(v) > 1 else 0.0
            return f"{statistics.mean(v):.1f} ± {sd:.1f}"
        return "—" if v is None else str(v)

    print(f"{'setting':<22}" + "".join(f"{n:>14}" for n in names))
    for label, per_model in rows.items():
        print(f"{label:<22}" + "".join(f"{cell(per_model.get(n)):>14}" for n in names))
    print("extra errors over float (mean):")
    for label, per_model in rows.items():
        if label == "float":
            continue
        extra = []
        for n in names:
            v = per_model.get(n)
            if v is None:
                extra.append("—")
                continue
            m = statistics.mean(v) if isinstance(v, list) else v
            extra.append(f"{m - rows['float'][n]:+.1f}")
        print(f"{label:<22}" + "".join(f"{e:>14}" for e in extra))
    print(f"wall time of `cimc quantize` on the digits CNN (min-max, no AdaRound): {cnn_time:.2f} s")


if __name__ == "__main__":
    main()
