#!/usr/bin/env python3
"""Post-training quantization of real pretrained float networks.

For MediaPipe's face_detection_short_range, hand_landmark_lite and
selfie_segmentation (scripts/models/pretrained.py fetches them with crops of
scikit-learn's two photos): per network and output, the SQNR (dB) of the
int8 model's dequantized outputs against the float model's on the 8
evaluation crops, for

  * cimc default: `cimc quantize` with no recipe flags (W8A8 per channel,
    min-max ranges), calibrated on the 16 calibration crops;
  * cimc best: cross-layer equalization, MSE activation ranges and
    empirical bias correction (`--cle --activation-range mse
    --bias-correction`), the same crops;

with the wall time of each `cimc quantize`, and whether the int8 model
then computes the same bytes on the simulated chip as in reference
execution (one crop). TFLite's own full-int8 PTQ of the same networks is
not measured yet: TFLiteConverter needs each .tflite graph re-expressed as
a TensorFlow graph, which this benchmark does not do; the column says so.

    bash scripts/dev bench pretrained      (or: .venv/bin/python bench/pretrained.py)
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

NETWORKS = ("face_detection_short_range", "hand_landmark_lite", "selfie_segmentation")
RECIPES = {
    "cimc default": [],
    "cimc best": ["--cle", "--activation-range", "mse", "--bias-correction"],
}
PRETRAINED = os.path.join(common.ROOT, "target", "pretrained")


def run(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{' '.join(cmd)}:\n{out.stderr}")
    return out


def results(path):
    """The .npy files `cimc --run -o path` wrote: path, then <stem>.<i>.npy."""
    out = [np.load(path)]
    stem = path[: -len(".npy")]
    i = 1
    while os.path.exists(f"{stem}.{i}.npy"):
        out.append(np.load(f"{stem}.{i}.npy"))
        i += 1
    return out


def sqnr(reference, test):
    r, t = reference.astype(np.float64), test.astype(np.float64)
    return 10 * np.log10((r ** 2).sum() / max(((r - t) ** 2).sum(), 1e-300))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common.add_cimc_args(ap)
    args = ap.parse_args()
    cimc = common.cimc_binary(args)
    print(f"machine: {common.machine()}")
    networks = NETWORKS[:1] if args.quick else NETWORKS
    for name in networks:
        if not os.path.exists(os.path.join(PRETRAINED, f"{name}.f32.mlir")):
            sys.exit(f"{PRETRAINED}/{name}.f32.mlir is missing: run `bash scripts/dev setup`")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in networks:
            model = os.path.join(PRETRAINED, f"{name}.f32.mlir")
            calib = os.path.join(PRETRAINED, f"{name}.calib.npy")
            evaluation = os.path.join(PRETRAINED, f"{name}.eval.npy")
            float_out = os.path.join(tmp, f"{name}.float.npy")
            run([cimc, model, "--run=reference", "--input", evaluation, "-o", float_out])
            floats = results(float_out)
            one = os.path.join(tmp, f"{name}.one.npy")
            np.save(one, np.load(evaluation)[:1])
            scores, times, exact = {}, {}, {}
            for recipe, flags in RECIPES.items():
                tag = recipe.replace(" ", "_")
                q = os.path.join(tmp, f"{name}.{tag}.mlir")
                start = time.perf_counter()
                run([cimc, "quantize", model, "--calibration", calib, *flags, "-o", q])
                times[recipe] = time.perf_counter() - start
                deq = os.path.join(tmp, f"{name}.{tag}.deq.npy")
                run([cimc, q, "--run=reference", "--dequantize-outputs", "--input", evaluation, "-o", deq])
                scores[recipe] = [sqnr(f, d) for f, d in zip(floats, results(deq))]
                sim, ref = os.path.join(tmp, f"{tag}.sim.npy"), os.path.join(tmp, f"{tag}.ref.npy")
                run([cimc, q, "--run", "--input", one, "-o", sim])
                run([cimc, q, "--run=reference", "--input", one, "-o", ref])
                exact[recipe] = all(np.array_equal(a, b) for a, b in zip(results(sim), results(ref)))
            for i in range(len(floats)):
                rows.append((name, i, [scores[r][i] for r in RECIPES]))
            timing = ", ".join(f"{r} {times[r]:.1f} s" for r in RECIPES)
            same = ", ".join(f"{r} " + ("yes" if exact[r] else "NO") for r in RECIPES)
            print(f"{name}: quantize {timing}; chip bit-identical to reference execution: {same}")
    print()
    print("SQNR (dB) of the int8 model against the float model, 8 evaluation crops")
    header = f"{'network':28} {'output':>6} " + " ".join(f"{r:>13}" for r in RECIPES) + f" {'TFLite int8':>13}"
    print(header)
    for name, i, values in rows:
        print(f"{name:28} {i:>6} " + " ".join(f"{v:13.2f}" for v in values) + f" {'not measured':>13}")
    for k, recipe in enumerate(RECIPES):
        print(f"mean {recipe}: {np.mean([v[k] for _, _, v in rows]):.2f} dB")


if __name__ == "__main__":
    main()
