#!/usr/bin/env python3
"""Benchmark: post-training quantization accuracy on the digits ladder.

usage: .venv/bin/python bench/quantize.py [--seeds N] [--calibration-size K] [--only LABELS]
                                          [--aimet | --aimet-json F] [--quick] [--cimc PATH] [--allow-debug]

For each bundled float model (MLP, CNN, depthwise-separable CNN, the
torch-mlir batch-norm CNN) and each setting, `cimc quantize` calibrates on K
samples drawn with seed s from the training split (test/models/digits_train*,
never the test samples), the integer model runs on the 450 test samples in
reference execution, and the table prints misclassified samples (of 450; one
sample is 0.22 pt) as mean ± std over the seeds. Beside it: the float model,
and TFLite's own full-int8 PTQ (the bundled *.int8 models, calibrated on the
training split by the TFLite converter; one fixed calibration, so no std).
"Full pipeline" is the white paper's PTQ recipe as cimc runs it: BN
folding, cross-layer equalization (with high-bias absorption), MSE weight
ranges, AdaRound (layer by layer on the partly rounded network's inputs).
BC is bias correction (empirical, on the calibration data). "MSE ranges"
sets weight and activation ranges by MSE (the white paper's advice for
activations), with rounding to nearest. "No CLE" drops equalization from
the full pipeline (the TFLite models were trained without batch norm);
"10k steps" runs AdaRound for 10,000 steps a layer (the AdaRound paper's
and AIMET's default) instead of cimc's 4,000. AIMET rows come
from bench/aimet.py in its own venv (--aimet, or --aimet-json with the
output of an earlier `bench/aimet.py --json F`).

--only LABEL[,LABEL] restricts the settings (substring match). --quick: one
seed, and only W8A8 min-max and the W4A8 full pipeline. Measures the
release build (bench/common.py).
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

from common import MODELS, ROOT, add_cimc_args, cimc_binary, machine
LABELS = os.path.join(MODELS, "digits_test_labels.npy")

FULL = ["--cle", "--weight-range", "mse", "--adaround"]
SETTINGS = [
    ("W8A8 min-max", ["--weight-bits", "8"]),
    ("W8A8 full pipeline", ["--weight-bits", "8"] + FULL),
    ("W8A8 MSE ranges", ["--weight-bits", "8", "--weight-range", "mse", "--activation-range", "mse"]),
    ("W8A8 per-tensor", ["--weight-bits", "8", "--per-tensor"]),
    ("W8A8 per-tensor CLE", ["--weight-bits", "8", "--per-tensor", "--cle"]),
    ("W8A8 per-tensor BC", ["--weight-bits", "8", "--per-tensor", "--bias-correction"]),
    ("W8A8 per-tensor CLE+BC", ["--weight-bits", "8", "--per-tensor", "--cle", "--bias-correction"]),
    ("W4A8 RTN", ["--weight-bits", "4"]),
    ("W4A8 BC", ["--weight-bits", "4", "--bias-correction"]),
    ("W4A8 full pipeline", ["--weight-bits", "4"] + FULL),
    ("W4A8 AdaRound, no CLE", ["--weight-bits", "4", "--weight-range", "mse", "--adaround"]),
    ("W4A8 per-tensor RTN", ["--weight-bits", "4", "--per-tensor"]),
    ("W4A8 per-tensor CLE", ["--weight-bits", "4", "--per-tensor", "--cle"]),
    ("W4A8 per-tensor BC", ["--weight-bits", "4", "--per-tensor", "--bias-correction"]),
    ("W4A8 per-tensor CLE+BC", ["--weight-bits", "4", "--per-tensor", "--cle", "--bias-correction"]),
    ("W4A8 per-tensor full", ["--weight-bits", "4", "--per-tensor"] + FULL),
    ("W4A8 per-tensor asymmetric RTN", ["--weight-bits", "4", "--per-tensor", "--asymmetric-weights"]),
    ("W4A8 per-tensor asymmetric full", ["--weight-bits", "4", "--per-tensor", "--asymmetric-weights"] + FULL),
    ("W8A8 symmetric activations", ["--weight-bits", "8", "--symmetric-activations"]),
    ("W8A16", ["--weight-bits", "8", "--activation-bits", "16"]),
    ("W4A16 RTN", ["--weight-bits", "4", "--activation-bits", "16"]),
    ("W3A8 RTN", ["--weight-bits", "3"]),
    ("W3A8 full pipeline", ["--weight-bits", "3"] + FULL),
    ("W3A8 full pipeline, 10k steps", ["--weight-bits", "3"] + FULL + ["--adaround-iterations", "10000"]),
    ("W2A8 RTN min-max", ["--weight-bits", "2"]),
    ("W2A8 RTN MSE", ["--weight-bits", "2", "--weight-range", "mse"]),
    ("W2A8 AdaRound (MSE)", ["--weight-bits", "2", "--weight-range", "mse", "--adaround"]),
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
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--calibration-size", type=int, default=256)
    parser.add_argument("--only", default="", help="comma-separated substrings of setting labels")
    parser.add_argument("--aimet", action="store_true", help="also run bench/aimet.py (about 27 min)")
    parser.add_argument("--aimet-json", default=None, help="AIMET rows from an earlier bench/aimet.py --json")
    parser.add_argument("--aimet-python", default=os.path.join(ROOT, ".venv-aimet", "bin", "python"))
    add_cimc_args(parser)
    args = parser.parse_args()
    args.cimc = cimc_binary(args)
    if args.quick:
        args.seeds = 1
        args.only = args.only or "W8A8 min-max,W4A8 full pipeline"
    print(f"machine: {machine()}")
    print(f"{args.seeds} calibration seeds of "
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
                if args.only and not any(o in label for o in args.only.split(",")):
                    continue
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
        # Wall time of quantizing the CNN (calibration + conversion), plain
        # and with AdaRound (W4, the full pipeline).
        times = {}
        for what, flags in [("min-max", []), ("full pipeline with AdaRound, W4", ["--weight-bits", "4"] + FULL)]:
            start = time.perf_counter()
            subprocess.run([args.cimc, "quantize", os.path.join(MODELS, "cnn.f32.mlir"), "--calibration",
                            os.path.join(work, "calib_0.npy"), "-o", os.path.join(work, "t.mlir")] + flags,
                           check=True, capture_output=True)
            times[what] = time.perf_counter() - start
    aimet_note = None
    aimet_json = args.aimet_json
    if args.aimet and not aimet_json:
        # bench/aimet.py in its own venv (about 27 minutes: AdaRound).
        aimet_json = os.path.join(tempfile.mkdtemp(), "aimet.json")
        run = subprocess.run([args.aimet_python, os.path.join(ROOT, "bench", "aimet.py"), "--seeds",
                              str(args.seeds), "--json", aimet_json], capture_output=True, text=True)
        if run.returncode != 0:
            aimet_note = f"bench/aimet.py failed: {run.stderr.strip().splitlines()[-1:]}"
            aimet_json = None
    if aimet_json:
        import json
        with open(aimet_json) as f:
            for label, per_model in json.load(f).items():
                rows[f"AIMET {label}"] = per_model
    elif not aimet_note:
        aimet_note = "AIMET rows: pass --aimet (runs bench/aimet.py in .venv-aimet, made by `scripts/dev aimet`) or --aimet-json FILE"
    def cell(v):
        if isinstance(v, list):
            sd = statistics.pstdev(v) if len(v) > 1 else 0.0
            return f"{statistics.mean(v):.1f} ± {sd:.1f}"
        return "—" if v is None else str(v)

    w = max(len(label) for label in rows) + 2
    print(f"{'setting':<{w}}" + "".join(f"{n:>14}" for n in names))
    for label, per_model in rows.items():
        print(f"{label:<{w}}" + "".join(f"{cell(per_model.get(n)):>14}" for n in names))
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
        print(f"{label:<{w}}" + "".join(f"{e:>14}" for e in extra))
    for what, seconds in times.items():
        print(f"wall time of `cimc quantize` on the digits CNN ({what}): {seconds:.2f} s")
    if aimet_note:
        print(aimet_note)


if __name__ == "__main__":
    main()
