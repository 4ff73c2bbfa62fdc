#!/usr/bin/env python3
"""Post-training quantization of real pretrained float networks.

For MediaPipe's face_detection_short_range, hand_landmark_lite and
selfie_segmentation (scripts/models/pretrained.py fetches them with crops of
scikit-learn's two photos): per network and output, the SQNR (dB) of the
int8 model's dequantized outputs against the float model's (cimc's
reference execution of the float TOSA) on the 8 evaluation crops, for

  * cimc default: `cimc quantize` with no recipe flags (W8A8 per channel,
    min-max ranges), calibrated on the 16 calibration crops;
  * cimc best: cross-layer equalization, MSE activation ranges and
    empirical bias correction (`--cle --activation-range mse
    --bias-correction`), the same crops;
  * cimc AdaRound: `--cle --activation-range mse --adaround` (4000
    iterations per layer), the same crops;
  * TFLite int8: TFLite's own full-int8 PTQ of the same float network with
    the same calibration crops, from bench/tflite_ptq.py (which
    re-expresses each .tflite graph in TensorFlow, converts it with
    TFLiteConverter and runs it with TFLite's integer kernels in its own
    venv, .venv-tflite): pass its output folder as --tflite DIR;

with the wall time of each `cimc quantize`, and whether the int8 model
then computes the same bytes on the simulated chip as in reference
execution (one crop). The goals of issue 15 are printed at the end: the
default recipe at least TFLite's SQNR on every output, the best recipe
3 dB above TFLite on average, AdaRound within 30 s per network.

    bash scripts/dev bench pretrained      (makes .venv-tflite, runs both)
    .venv/bin/python bench/pretrained.py [--tflite target/tflite_ptq] [--no-adaround]
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
    "cimc AdaRound": ["--adaround", "--cle", "--activation-range", "mse"],
}
ADAROUND_SECONDS = 30
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
    ap.add_argument("--tflite", metavar="DIR",
                    help="bench/tflite_ptq.py's output folder (<net>.npz): the TFLite int8 column")
    ap.add_argument("--no-adaround", action="store_true", help="leave out the AdaRound recipe (slow)")
    args = ap.parse_args()
    # --quick leaves AdaRound out too (about a minute on one network).
    skip_adaround = args.no_adaround or args.quick
    recipes = {r: f for r, f in RECIPES.items() if not (skip_adaround and "--adaround" in f)}
    cimc = common.cimc_binary(args)
    print(f"machine: {common.machine()}")
    networks = NETWORKS[:1] if args.quick else NETWORKS
    for name in networks:
        if not os.path.exists(os.path.join(PRETRAINED, f"{name}.f32.mlir")):
            sys.exit(f"{PRETRAINED}/{name}.f32.mlir is missing: run `bash scripts/dev setup`")
    rows, all_times = [], {}
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
            for recipe, flags in recipes.items():
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
            tflite = tflite_scores(args.tflite, name, floats)
            for i in range(len(floats)):
                rows.append((name, i, [scores[r][i] for r in recipes], tflite[i] if tflite else None))
            timing = ", ".join(f"{r} {times[r]:.1f} s" for r in recipes)
            same = ", ".join(f"{r} " + ("yes" if exact[r] else "NO") for r in recipes)
            print(f"{name}: quantize {timing}; chip bit-identical to reference execution: {same}")
            all_times[name] = times
    print()
    print("SQNR (dB) of the int8 model against the float model, 8 evaluation crops")
    header = f"{'network':28} {'output':>6} " + " ".join(f"{r:>13}" for r in recipes) + f" {'TFLite int8':>13}"
    print(header)
    for name, i, values, tflite in rows:
        shown = f"{tflite:13.2f}" if tflite is not None else f"{'not measured':>13}"
        print(f"{name:28} {i:>6} " + " ".join(f"{v:13.2f}" for v in values) + f" {shown}")
    means = {r: float(np.mean([v[k] for _, _, v, _ in rows])) for k, r in enumerate(recipes)}
    for recipe, mean in means.items():
        print(f"mean {recipe}: {mean:.2f} dB")
    print()
    print("goals (issue 15):")
    measured = [t for _, _, _, t in rows if t is not None]
    if len(measured) == len(rows):
        tflite_mean = float(np.mean(measured))
        print(f"  mean TFLite int8: {tflite_mean:.2f} dB")
        below = [(n, i, v[0] - t) for n, i, v, t in rows if v[0] < t]
        verdict = "met" if not below else "MISSED on " + ", ".join(
            f"{n} output {i} ({d:+.2f} dB)" for n, i, d in below)
        print(f"  cimc default >= TFLite on every output: {verdict}")
        best = max(means, key=means.get)
        gap = means[best] - tflite_mean
        print(f"  best recipe ({best}) mean - TFLite mean = {gap:+.2f} dB (goal >= +3): "
              + ("met" if gap >= 3 else "MISSED"))
    else:
        print("  TFLite int8 not measured: pass --tflite DIR (bench/tflite_ptq.py's output)")
    if "cimc AdaRound" in recipes:
        slow = {n: t["cimc AdaRound"] for n, t in all_times.items() if t["cimc AdaRound"] > ADAROUND_SECONDS}
        times = ", ".join(f"{n} {t['cimc AdaRound']:.1f} s" for n, t in all_times.items())
        print(f"  AdaRound <= {ADAROUND_SECONDS} s per network: " + ("met" if not slow else "MISSED")
              + f" ({times})")


def tflite_scores(folder, name, floats):
    """SQNR of TFLite's int8 outputs (bench/tflite_ptq.py's <name>.npz) against
    cimc's float outputs, per output; None when not measured. Checks that
    the float .tflite model the baseline ran agrees with cimc's float TOSA."""
    if not folder:
        return None
    path = os.path.join(folder, f"{name}.npz")
    if not os.path.exists(path):
        sys.exit(f"{path} is missing: run bench/tflite_ptq.py --out {folder}")
    data = np.load(path)
    scores = []
    for k, f in enumerate(floats):
        theirs_float, theirs = data[f"float{k}"], data[f"out{k}"]
        if theirs.shape != f.shape:
            sys.exit(f"{path}: out{k} has shape {theirs.shape}, cimc's output {k} {f.shape}")
        drift = np.max(np.abs(theirs_float - f)) / max(np.max(np.abs(f)), 1e-30)
        if drift > 1e-3:
            sys.exit(f"{name} output {k}: the float .tflite and cimc's float TOSA differ by {drift:.3g} (relative)")
        scores.append(sqnr(f, theirs))
    return scores


if __name__ == "__main__":
    main()
