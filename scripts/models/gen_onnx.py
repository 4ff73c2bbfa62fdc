#!/usr/bin/env python3
"""Convert the float TFLite digits models to ONNX: test/models/{mlp,cnn,dscnn}.f32.onnx.

These ONNX twins exist for tools that take ONNX only (bench/aimet.py feeds them
to AIMET's aimet_onnx). They are not used by cimc itself; dscnn_bn.onnx is made
by gen_digits.py and is not touched here.

Usage (from the repository root; PyPI only). Needs the venv of gen_digits.py
(tensorflow-cpu, ai-edge-litert, onnx, onnxruntime) plus tf2onnx. tf2onnx is
installed with --no-deps so pip leaves the pinned tensorflow / protobuf / numpy
of that venv alone (tf2onnx 1.17.0 works with them):

    /work/venv-models/bin/pip install --no-deps tf2onnx==1.17.0
    /work/venv-models/bin/python scripts/models/gen_onnx.py

What it does, per model:
  * tf2onnx.convert.from_tflite(<name>.f32.tflite, opset=17) (the same opset as
    dscnn_bn.onnx). The graph keeps the TFLite signature: input
    `serving_default_image:0` float32 [1, 8, 8, 1] (NHWC), output
    `StatefulPartitionedCall_1:0` float32 [1, 10] (logits). tf2onnx turns the
    NHWC convolutions into NCHW Conv and, because the input has one channel,
    the leading transpose into a Reshape; dense layers become Gemm.
  * renames tf2onnx's counter-numbered tensors / nodes by order of use and sorts
    the initializers (see canonicalize), so reruns give the same bytes.
  * checks with onnxruntime (one thread) against the LiteRT interpreter on the
    450 test samples: the same argmax on every sample, the max |logit diff|,
    and the misclassified count (float: mlp 6, cnn 7, dscnn 11). It exits
    non-zero if a prediction differs or a file is 200 KB or more.

Tested with tensorflow-cpu 2.21.0, ai-edge-litert 2.3.0, tf2onnx 1.17.0,
onnx 1.23.2, onnxruntime 1.32.0 (Python 3.11); with PYTHONHASHSEED=0 (set by the
script) and the renaming a rerun writes byte-identical files.
"""
import os
import sys

# tf2onnx names and orders the folded constants by iterating over sets, so the
# bytes depend on Python's string hashing: fix it (needs a fresh interpreter).
if os.environ.get("PYTHONHASHSEED") != "0":
    os.environ["PYTHONHASHSEED"] = "0"
    os.execv(sys.executable, [sys.executable] + sys.argv)

for _k in ("OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS",
           "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_k] = "1"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse
import re
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "test" / "models"
NAMES = ("mlp", "cnn", "dscnn")
OPSET = 17
MAX_BYTES = 200 * 1024


def canonicalize(model):
    """Rename tf2onnx's counter-suffixed names (`const_fold_opt__94`, `Relu__5:0`) by
    order of first use, and sort the initializers by name.

    tf2onnx numbers the names it makes with a process-wide counter and folds constants
    in an order that depends on object ids, so the same graph comes out with other
    names / initializer order from run to run; after this the bytes are stable."""
    auto = re.compile(r"__\d+")
    mapping = {}

    def canon(name):
        if not name or not auto.search(name):
            return name
        if name not in mapping:
            mapping[name] = f"{auto.sub('', name)}__{len(mapping)}"
        return mapping[name]

    g = model.graph
    for node in g.node:
        node.name = canon(node.name)
        node.input[:] = [canon(n) for n in node.input]
        node.output[:] = [canon(n) for n in node.output]
    for v in list(g.input) + list(g.output) + list(g.value_info):
        v.name = canon(v.name)
    for t in g.initializer:
        t.name = canon(t.name)
    inits = sorted(g.initializer, key=lambda t: t.name)
    copies = [type(t)() for t in inits]
    for c, t in zip(copies, inits):
        c.CopyFrom(t)
    del g.initializer[:]
    g.initializer.extend(copies)
    return model


def run_tflite(path, xs):
    from ai_edge_litert import interpreter as lrt
    it = lrt.Interpreter(model_path=str(path), num_threads=1)
    it.allocate_tensors()
    i = it.get_input_details()[0]
    o = it.get_output_details()[0]
    outs = []
    for k in range(xs.shape[0]):
        it.set_tensor(i["index"], xs[k:k + 1])
        it.invoke()
        outs.append(it.get_tensor(o["index"]).reshape(-1).copy())
    return np.stack(outs)


def run_onnx(path, xs):
    import onnxruntime as ort
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    sess = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
    name = sess.get_inputs()[0].name
    return np.stack([sess.run(None, {name: xs[k:k + 1]})[0].reshape(-1) for k in range(xs.shape[0])])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=MODELS)
    args = parser.parse_args()

    import onnx
    import tf2onnx

    xs = np.load(MODELS / "digits_test_f32.npy")
    labels = np.load(MODELS / "digits_test_labels.npy")
    ok = True
    for name in NAMES:
        src = MODELS / f"{name}.f32.tflite"
        dst = args.out / f"{name}.f32.onnx"
        model, _ = tf2onnx.convert.from_tflite(str(src), opset=OPSET)
        model = canonicalize(model)
        onnx.checker.check_model(model)
        onnx.save(model, str(dst))
        ref = run_tflite(src, xs)
        got = run_onnx(dst, xs)
        same = int(np.sum(ref.argmax(1) == got.argmax(1)))
        err_tfl = int(np.sum(ref.argmax(1) != labels))
        err_onnx = int(np.sum(got.argmax(1) != labels))
        size = dst.stat().st_size
        print(f"{name}: {size} bytes, ops {[n.op_type for n in model.graph.node]}; "
              f"argmax equal on {same}/{len(xs)}, max |logit diff| {np.max(np.abs(ref - got)):.2e}; "
              f"misclassified: tflite {err_tfl}, onnx {err_onnx}")
        if same != len(xs) or size >= MAX_BYTES:
            ok = False
    if not ok:
        sys.exit("mismatch or file too large")


if __name__ == "__main__":
    main()
