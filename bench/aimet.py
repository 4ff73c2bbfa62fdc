#!/usr/bin/env python3
"""Benchmark: AIMET's standard post-training quantization recipe on the digits models.

usage: .venv-aimet/bin/python bench/aimet.py [--seeds N] [--calibration-size K]
           [--adaround-iterations I] [--models mlp,cnn,...] [--settings 0,3,...]
           [--json FILE] [--meta FILE] [-v]

The external baseline for bench/quantize.py (cimc's own PTQ). Needs a venv with
aimet-onnx (it pulls in onnxruntime, onnx and torch); nothing of cimc is used:

    bash scripts/dev aimet   (makes .venv-aimet: python3 -m venv .venv-aimet &&
    .venv-aimet/bin/pip install --only-binary=:all: aimet-onnx==2.42.0)

Models: test/models/{mlp,cnn,dscnn}.f32.onnx (the float TFLite models converted
with tf2onnx by scripts/models/gen_onnx.py; NHWC input [1, 8, 8, 1]) and
dscnn_bn.onnx (NCHW [1, 1, 8, 8], real BatchNormalization nodes). The batch
dimension of each graph is made symbolic in memory (graph input/output dim 0 and
the leading 1 of every Reshape target become N / -1), so calibration, AdaRound
and evaluation run on batches; per sample the computation is unchanged (the
float row is checked against batch-1 onnxruntime runs).

Recipe (aimet_onnx 2.42 API, as in AIMET's own examples), per setting and seed:
  1. aimet_onnx.cross_layer_equalization.equalize_model: batch-norm folding
     (fold_all_batch_norms_to_weight), ReLU6->ReLU, cross-layer scaling and
     high-bias folding. Data-free, so done once per model; the float errors
     after it are printed as a check.
  2. QuantizationSimModel(param_type=int4|int8, activation_type=int8,
     quant_scheme=min_max, config_file=...): per-channel = AIMET's "default"
     config (default_config_per_channel.json: Conv/Gemm/MatMul weights
     per output channel), per-tensor = default_config.json. Both: symmetric
     weights, asymmetric activations, model input quantized, bias not quantized,
     Conv+ReLU / Gemm+ReLU supergroups (no quantizer between them).
  3. W4 settings: aimet_onnx.apply_adaround(sim, calibration batches,
     num_iterations=--adaround-iterations), which computes and freezes the
     weight encodings. Default 2000 steps per layer to keep the run under an
     hour; aimet_onnx's default is 10000 and its docs suggest 15000 below 8 bits.
     The "no AdaRound" rows are the same sim without step 3. 2000 steps
     understate AdaRound on dscnn: seeds 0-1 gave per-channel [54, 46] with
     2000 vs [36, 39] with 10000, per-tensor [123, 113] vs [73, 58]
     (10000 not measured on the other models, which are within 3 samples of
     float at 2000); pass --adaround-iterations 10000 for AIMET's default.
  4. sim.compute_encodings(calibration batches).
  5. sim.session.run on the 450 test samples; misclassified samples counted.

Calibration: K samples drawn from the training split exactly as bench/quantize.py
does, train[np.sort(np.random.default_rng(seed).choice(n, K, replace=False))],
fed in batches of --batch-size (AdaRound's optimizer draws up to 32 samples of
one cached batch per step). torch and numpy's global RNG are seeded with the seed
too (AdaRound's sampling), so a rerun repeats the numbers.

Output: a markdown table, rows = settings, columns = models, cells =
misclassified test samples of 450, mean ± std (population std, as
bench/quantize.py) over the seeds, plus the float model before and after BN fold
+ CLE. --json FILE gets {setting: {model: [misclassified per seed]}} for the
quantized settings (the form bench/quantize.py reads); --meta FILE gets versions,
arguments, all rows, mean/std and per-cell wall times.

Time: AdaRound dominates (about 3-6 ms per step per layer on this 2-core machine,
18 layers over the four models, 2 AdaRound settings x 5 seeds): roughly 25-40
minutes with the default 2000 steps, 5x that with AIMET's default 10000.
"""
import os

# Two cores on the benchmark machine; keep torch / onnxruntime from oversubscribing.
for _k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_k, "1")

import argparse
import copy
import importlib.metadata
import json
import logging
import platform
import statistics
import sys
import time
import warnings

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = os.path.join(ROOT, "test", "models")
NAMES = ["mlp", "cnn", "dscnn", "dscnn_bn"]

# (label, weight bits, per-channel, AdaRound)
SETTINGS = [
    ("W8A8 per-channel", 8, True, False),
    ("W4A8 per-channel + AdaRound", 4, True, True),
    ("W4A8 per-tensor + AdaRound", 4, False, True),
    ("W8A8 per-tensor", 8, False, False),
    ("W4A8 per-channel, no AdaRound", 4, True, False),
    ("W4A8 per-tensor, no AdaRound", 4, False, False),
]


def model_file(name):
    return os.path.join(MODELS, "dscnn_bn.onnx" if name == "dscnn_bn" else f"{name}.f32.onnx")


def data_suffix(name):
    return "_nchw" if name == "dscnn_bn" else ""


def dynamic_batch(model):
    """Copy of `model` with a symbolic batch dimension (input/output dim 0, Reshape targets)."""
    import onnx
    from onnx import numpy_helper

    m = copy.deepcopy(model)
    for vi in list(m.graph.input) + list(m.graph.output):
        dim = vi.type.tensor_type.shape.dim[0]
        assert dim.dim_value == 1, (vi.name, dim)
        dim.ClearField("dim_value")
        dim.dim_param = "N"
    inits = {t.name: t for t in m.graph.initializer}
    for node in m.graph.node:
        if node.op_type != "Reshape":
            continue
        t = inits[node.input[1]]
        shape = numpy_helper.to_array(t).copy()
        assert shape[0] == 1, (node.name, shape)
        shape[0] = -1
        t.CopyFrom(numpy_helper.from_array(shape, t.name))
    del m.graph.value_info[:]
    onnx.checker.check_model(m)
    return m


def session(model, threads):
    import onnxruntime as ort
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])


def misclassified(sess, x, labels):
    name = sess.get_inputs()[0].name
    logits = sess.run(None, {name: x})[0]
    return int(np.sum(np.argmax(logits, axis=1) != labels))


def batches(x, input_name, size):
    return [{input_name: x[i:i + size]} for i in range(0, len(x), size)]


def quantize_and_count(cle_model, calib, test, labels, bits, per_channel, adaround, args, seed):
    import torch
    import aimet_onnx
    from aimet_onnx.common.defs import QuantScheme
    from aimet_onnx.common.quantsim_config import quantsim_config as qc

    np.random.seed(seed)
    torch.manual_seed(seed)
    config = "default" if per_channel else os.path.join(os.path.dirname(qc.__file__), "default_config.json")
    sim = aimet_onnx.QuantizationSimModel(
        copy.deepcopy(cle_model),
        param_type=aimet_onnx.int4 if bits == 4 else aimet_onnx.int8,
        activation_type=aimet_onnx.int8,
        quant_scheme=QuantScheme.from_str(args.quant_scheme),
        config_file=config,
        providers=["CPUExecutionProvider"],
        session_options_kwargs={"intra_op_num_threads": args.threads, "inter_op_num_threads": 1},
    )
    input_name = sim.session.get_inputs()[0].name
    data = batches(calib, input_name, args.batch_size)
    if adaround:
        aimet_onnx.apply_adaround(sim, data, num_iterations=args.adaround_iterations)
    sim.compute_encodings(data)
    return misclassified(sim.session, test, labels)


def cell(v):
    if not v:
        return "—"
    return f"{statistics.mean(v):.1f} ± {statistics.pstdev(v):.1f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--calibration-size", type=int, default=256)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--adaround-iterations", type=int, default=2000,
                        help="AdaRound steps per layer (aimet_onnx's default 10000; its docs suggest 15000 below 8 bits)")
    parser.add_argument("--quant-scheme", default="min_max", choices=["min_max", "tf_enhanced"])
    parser.add_argument("--models", default=",".join(NAMES))
    parser.add_argument("--settings", default=None,
                        help="comma-separated indices into the settings list (default: all)")
    parser.add_argument("--threads", type=int, default=1, help="onnxruntime intra-op threads")
    parser.add_argument("--json", default=None,
                        help="write {setting: {model: [misclassified per seed]}} here (quantized settings only)")
    parser.add_argument("--meta", default=None,
                        help="write versions, arguments, float checks, per-cell timings and the summary here")
    parser.add_argument("-v", "--verbose", action="store_true", help="keep AIMET's log output")
    args = parser.parse_args()

    if not args.verbose:
        warnings.filterwarnings("ignore")
        logging.disable(logging.WARNING)
    import onnx
    import torch
    torch.set_num_threads(args.threads)
    import aimet_onnx
    from aimet_onnx.cross_layer_equalization import equalize_model
    if not args.verbose:
        logging.disable(logging.WARNING)

    names = [n for n in args.models.split(",") if n]
    settings = SETTINGS if args.settings is None else [SETTINGS[int(i)] for i in args.settings.split(",")]
    versions = {p: importlib.metadata.version(p) for p in ("aimet-onnx", "onnxruntime", "onnx", "torch", "numpy")}
    versions["python"] = platform.python_version()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; "
          + ", ".join(f"{k} {v}" for k, v in versions.items()))
    print(f"{args.seeds} calibration seeds of {args.calibration_size} training samples (batches of "
          f"{args.batch_size}); quant scheme {args.quant_scheme}; AdaRound {args.adaround_iterations} "
          f"iterations/layer; misclassified test samples of 450 (mean ± std)", flush=True)

    labels = np.load(os.path.join(MODELS, "digits_test_labels.npy")).astype(np.int64)
    rows = {"float": {}, "float after BN fold + CLE": {}}
    timing = {}
    t_all = time.perf_counter()
    for name in names:
        sfx = data_suffix(name)
        train = np.load(os.path.join(MODELS, f"digits_train_f32{sfx}.npy")).astype(np.float32)
        test = np.load(os.path.join(MODELS, f"digits_test_f32{sfx}.npy")).astype(np.float32)
        original = onnx.load(model_file(name))
        # Float check: batch-1 original vs the batched twin.
        s1 = session(original, args.threads)
        in1 = s1.get_inputs()[0].name
        per_sample = np.concatenate([s1.run(None, {in1: test[i:i + 1]})[0] for i in range(len(test))])
        model = dynamic_batch(original)
        batched = session(model, args.threads).run(None, {in1: test})[0]
        if not np.array_equal(per_sample.argmax(1), batched.argmax(1)):
            sys.exit(f"{name}: the batched model does not reproduce the batch-1 predictions")
        rows["float"][name] = [int(np.sum(per_sample.argmax(1) != labels))]

        cle = copy.deepcopy(model)
        equalize_model(cle)
        left = [n.op_type for n in cle.graph.node if n.op_type == "BatchNormalization"]
        if left:
            sys.exit(f"{name}: BatchNormalization left after equalize_model: {left}")
        rows["float after BN fold + CLE"][name] = [misclassified(session(cle, args.threads), test, labels)]

        for label, bits, per_channel, adaround in settings:
            counts = []
            t0 = time.perf_counter()
            for seed in range(args.seeds):
                pick = np.random.default_rng(seed).choice(train.shape[0], args.calibration_size, replace=False)
                calib = train[np.sort(pick)]
                counts.append(quantize_and_count(cle, calib, test, labels, bits, per_channel, adaround,
                                                 args, seed))
            secs = time.perf_counter() - t0
            rows.setdefault(label, {})[name] = counts
            timing.setdefault(label, {})[name] = secs
            print(f"  {name:<9} {label:<30} {cell(counts):>11}  {counts}  ({secs:.1f} s)", flush=True)
    total = time.perf_counter() - t_all

    print()
    print("| setting | " + " | ".join(names) + " |")
    print("| --- | " + " | ".join("---:" for _ in names) + " |")
    for label, per_model in rows.items():
        cells = []
        for n in names:
            v = per_model.get(n)
            cells.append("—" if v is None else (str(v[0]) if label.startswith("float") else cell(v)))
        print(f"| {label} | " + " | ".join(cells) + " |")
    print(f"\ntotal wall time {total:.0f} s")

    if args.json:
        with open(args.json, "w") as f:
            json.dump({label: per_model for label, per_model in rows.items() if not label.startswith("float")},
                      f, indent=1)
            f.write("\n")
    if args.meta:
        out = {
            "versions": versions,
            "machine": {"arch": platform.machine(), "cores": os.cpu_count()},
            "args": vars(args),
            "settings": {label: {"weight_bits": b, "activation_bits": 8, "per_channel": pc, "adaround": ar}
                         for label, b, pc, ar in settings},
            "misclassified": rows,
            "summary": {label: {n: {"mean": statistics.mean(v), "std": statistics.pstdev(v)}
                                for n, v in per_model.items()} for label, per_model in rows.items()},
            "seconds": timing,
            "total_seconds": total,
        }
        with open(args.meta, "w") as f:
            json.dump(out, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
