#!/usr/bin/env python3
"""Regenerate the architecture-only int8 scale models in test/models/scale/.

Usage (from the repository root; needs only PyPI, no other network access):

    python3 -m venv /work/venv-models
    /work/venv-models/bin/pip install -r scripts/models/requirements.txt
    /work/venv-models/bin/pip install tosa-tools==2026.8.0   # own call, see requirements.txt
    /work/venv-models/bin/python scripts/models/gen_scale.py

Options:
  --models a,b,...   only these (default: all of lenet5,resnet20,vgg8,resnet18,mobilenetv2;
                     resnet50 on request: bench/compile.py makes it, it is not committed);
                     README.md/manifest.json are only rewritten when all are made
  --out DIR          output folder (default test/models/scale in this repo)
  --work DIR         keep intermediates (converted .mlir) there instead of a temp dir
  --mlir-opt PATH    MLIR 22 mlir-opt for --tosa-validate
                     (default /usr/lib/llvm-22/bin/mlir-opt, or $MLIR_OPT)
  --no-oracle        skip the oracle check (by default every model runs once on one seeded
                     int8 input through Arm's TOSA reference model (tosa-tools) and LiteRT's
                     reference kernels, and the outputs are compared; ~6 s in all)

What it does (everything seeded, single-threaded, deterministic):
  * Keras definitions of LeNet-5, ResNet-20 (CIFAR-10), NeuroSim's VGG-8 (CIFAR-10),
    ResNet-18 (ImageNet, written out) and keras.applications.MobileNetV2 (weights=None),
    all with a fixed batch size of 1 so every TOSA shape is static.
  * NO training: weights are Keras' seeded default initialisers; BatchNormalization
    layers get seeded random gamma/beta/moving statistics so that folding them is not
    the identity. Mapping and performance studies do not need trained weights; the
    outputs of these models mean nothing.
  * full-int8 post-training quantization with tf.lite.TFLiteConverter.from_keras_model
    (batch norm is folded by the converter; from_concrete_functions fails on batch norm
    with READ_VARIABLE), a seeded random representative dataset of 20 samples,
    supported_ops=[TFLITE_BUILTINS_INT8], int8 input and output.
  * only the .tflite files are kept. Each is converted with
    `tosa-converter-for-tflite m.tflite --text -o m.mlir` into a temporary folder,
    validated with MLIR 22's `--tosa-validate`, and its signature / op counts go into
    README.md and manifest.json. The tests convert at test time (0.3 s each; the
    ResNet-18 text is ~23 MB, so the .mlir files are not committed).
"""
import os

# One core for everything (the machine is shared); must precede the TF import.
for _k in ("OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS",
           "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_k] = "1"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ["PYTHONHASHSEED"] = "0"
os.environ["TF_DETERMINISTIC_OPS"] = "1"

import argparse
import hashlib
import json
import random
import re
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

import numpy as np

SEED = 1234
N_REPRESENTATIVE = 20
BN_EPSILON = 1e-3
TOSA_TARGET = "profiles=pro_int,pro_fp extensions=doubleround level=none"
MODELS = ("lenet5", "resnet20", "vgg8", "resnet18", "mobilenetv2", "googlenet", "squeezenet")
# Made only on request (--models resnet50): too large to commit (~25 MB);
# bench/compile.py makes it into target/ when it is absent.
EXTRA_MODELS = ("resnet50",)
# calibration target of scripts/mapping_bounds.py, used for the README table
MAPPING_TARGET = ["--rows", "128", "--cols", "128", "--cell-bits", "2", "--weight-bits", "8",
                  "--dac-bits", "1", "--input-bits", "8", "--max-active-rows", "128",
                  "--encoding", "offset"]

REPO = Path(__file__).resolve().parents[2]


def log(*a):
    print("[gen_scale]", *a, flush=True)


def run(cmd, **kw):
    """Run a command, fail loudly with its output."""
    p = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    if p.returncode != 0:
        raise RuntimeError(f"command failed ({p.returncode}): {' '.join(map(str, cmd))}\n"
                           f"stdout:\n{p.stdout}\nstderr:\n{p.stderr}")
    return p


def find_tools(args):
    venv_bin = Path(sys.executable).parent
    purelib = Path(sysconfig.get_paths()["purelib"])
    tools = {
        "tosa_converter": venv_bin / "tosa-converter-for-tflite",
        "mlir_opt": Path(args.mlir_opt),
    }
    if args.oracle:
        # the tosa-tools ELF binaries live in site-packages/bin
        tools["tosa_opt"] = purelib / "bin" / "tosa-opt"
        tools["tosa_ref"] = purelib / "bin" / "tosa_reference_model"
    for k, p in tools.items():
        if not p.exists():
            raise SystemExit(f"missing tool {k}: {p}")
    return tools


def tool_version(cmd):
    try:
        p = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=60)
        out = (p.stdout + p.stderr).strip().splitlines()
        return " | ".join(l.strip() for l in out[:3] if l.strip())
    except Exception as e:  # pragma: no cover
        return f"? ({e})"


# --------------------------------------------------------------------------
# Keras models
# --------------------------------------------------------------------------
INPUT_SHAPES = {
    "lenet5": (32, 32, 1),
    "resnet20": (32, 32, 3),
    "vgg8": (32, 32, 3),
    "resnet18": (224, 224, 3),
    "mobilenetv2": (224, 224, 3),
    "resnet50": (224, 224, 3),
    "googlenet": (224, 224, 3),
    "squeezenet": (224, 224, 3),
}

DESCRIPTIONS = {
    "lenet5": "LeNet-5: Conv5x5(6, valid, ReLU) -> MaxPool2 -> Conv5x5(16, valid, ReLU) -> MaxPool2 "
              "-> Flatten(400) -> Dense120(ReLU) -> Dense84(ReLU) -> Dense10. No batch norm.",
    "resnet20": "ResNet-20 for CIFAR-10 (He et al. 2016, 6n+2 with n=3): Conv3x3(16)+BN+ReLU, 3 stages x 3 "
                "basic blocks (Conv3x3+BN+ReLU, Conv3x3+BN, add, ReLU) with 16/32/64 channels, stride 2 at the "
                "first block of stages 2 and 3, **option-B shortcuts** (1x1 stride-2 Conv+BN projection where the "
                "shape changes, identity elsewhere), global average pool, Dense10.",
    "vgg8": "NeuroSim's CIFAR-10 VGG-8 (DNN_NeuroSim cfg 'cifar10' / NetWork_VGG8.csv): Conv3x3 128,128, MaxPool2, "
            "256,256, MaxPool2, 512,512, MaxPool2 (all 'same', stride 1, ReLU, no bias, no batch norm) -> "
            "Flatten(4*4*512=8192) -> Dense1024(ReLU, no bias) -> Dense10 (no bias).",
    "resnet18": "ResNet-18 for ImageNet, written out: Conv7x7/2(64, same)+BN+ReLU, MaxPool3x3/2(same), 4 stages "
                "x 2 basic blocks with 64/128/256/512 channels (stride 2 in the first block of stages 2-4), 1x1/2 "
                "Conv+BN projection shortcuts where the shape changes (3 of them), global average pool, Dense1000.",
    "mobilenetv2": "keras.applications.MobileNetV2(alpha=1.0, weights=None, include_top=True, classes=1000, "
                   "classifier_activation=None): 224x224x3, 17 inverted-residual blocks, ReLU6, Dense1000 "
                   "(logits; no softmax).",
    "resnet50": "keras.applications.ResNet50(weights=None, include_top=True, classes=1000, "
                "classifier_activation=None): 224x224x3, 16 bottleneck blocks, Dense1000 (logits).",
    "googlenet": "GoogLeNet (Inception v1, Szegedy et al. 2014, Table 1), written out: Conv7x7/2(64)+ReLU, "
                 "MaxPool3x3/2, Conv1x1(64), Conv3x3(192), MaxPool3x3/2, inception 3a-3b, MaxPool3x3/2, 4a-4e, "
                 "MaxPool3x3/2, 5a-5b (branches 1x1 | 1x1->3x3 | 1x1->5x5 | MaxPool3x3/1->1x1, concatenated), "
                 "global average pool, Dense1000. All 'same', bias + ReLU; no LRN, dropout or auxiliary heads.",
    "squeezenet": "SqueezeNet 1.1 (Iandola et al. 2016; the torchvision variant), written out: Conv3x3/2(64)+ReLU, "
                  "MaxPool3x3/2, fire(16,64,64) x2, MaxPool3x3/2, fire(32,128,128) x2, MaxPool3x3/2, "
                  "fire(48,192,192) x2, fire(64,256,256) x2, Conv1x1(1000)+ReLU, global average pool (logits). "
                  "A fire module is a 1x1 squeeze + ReLU feeding a 1x1 and a 3x3 expand + ReLU, concatenated.",
}


def build(name, batch_size=1):
    import keras
    from keras import layers as L
    inp = keras.Input(shape=INPUT_SHAPES[name], batch_size=batch_size, name="image")

    def conv_bn(x, f, k, s=1, relu=True, tag=""):
        x = L.Conv2D(f, k, strides=s, padding="same", use_bias=False, name=f"{tag}_conv")(x)
        x = L.BatchNormalization(epsilon=BN_EPSILON, name=f"{tag}_bn")(x)
        return L.ReLU(name=f"{tag}_relu")(x) if relu else x

    def basic_block(x, f, s, tag):
        y = conv_bn(x, f, 3, s, True, f"{tag}_a")
        y = conv_bn(y, f, 3, 1, False, f"{tag}_b")
        if s != 1 or x.shape[-1] != f:
            x = conv_bn(x, f, 1, s, False, f"{tag}_proj")  # option B
        y = L.Add(name=f"{tag}_add")([x, y])
        return L.ReLU(name=f"{tag}_out")(y)

    if name == "lenet5":
        x = L.Conv2D(6, 5, padding="valid", activation="relu", name="c1")(inp)
        x = L.MaxPooling2D(2, name="s2")(x)
        x = L.Conv2D(16, 5, padding="valid", activation="relu", name="c3")(x)
        x = L.MaxPooling2D(2, name="s4")(x)
        x = L.Flatten(name="flat")(x)
        x = L.Dense(120, activation="relu", name="f5")(x)
        x = L.Dense(84, activation="relu", name="f6")(x)
        out = L.Dense(10, name="f7")(x)
    elif name == "resnet20":
        x = conv_bn(inp, 16, 3, 1, True, "stem")
        for si, f in enumerate((16, 32, 64)):
            for bi in range(3):
                x = basic_block(x, f, 2 if (si > 0 and bi == 0) else 1, f"s{si + 1}b{bi + 1}")
        x = L.GlobalAveragePooling2D(name="gap")(x)
        out = L.Dense(10, name="fc")(x)
    elif name == "vgg8":
        x = inp
        for i, f in enumerate((128, 128, "M", 256, 256, "M", 512, 512, "M")):
            if f == "M":
                x = L.MaxPooling2D(2, name=f"pool{i}")(x)
            else:
                x = L.Conv2D(f, 3, padding="same", use_bias=False, activation="relu", name=f"conv{i}")(x)
        x = L.Flatten(name="flat")(x)
        x = L.Dense(1024, use_bias=False, activation="relu", name="fc1")(x)
        out = L.Dense(10, use_bias=False, name="fc2")(x)
    elif name == "resnet18":
        x = conv_bn(inp, 64, 7, 2, True, "conv1")
        x = L.MaxPooling2D(3, strides=2, padding="same", name="maxpool")(x)
        for si, f in enumerate((64, 128, 256, 512)):
            for bi in range(2):
                x = basic_block(x, f, 2 if (si > 0 and bi == 0) else 1, f"layer{si + 1}_{bi}")
        x = L.GlobalAveragePooling2D(name="gap")(x)
        out = L.Dense(1000, name="fc")(x)
    elif name == "googlenet":
        def conv(x, f, k, s=1, tag=""):
            return L.Conv2D(f, k, strides=s, padding="same", activation="relu", name=tag)(x)

        def inception(x, c1, r3, c3, r5, c5, pp, tag):
            b1 = conv(x, c1, 1, tag=f"{tag}_1x1")
            b3 = conv(conv(x, r3, 1, tag=f"{tag}_3x3_reduce"), c3, 3, tag=f"{tag}_3x3")
            b5 = conv(conv(x, r5, 1, tag=f"{tag}_5x5_reduce"), c5, 5, tag=f"{tag}_5x5")
            bp = L.MaxPooling2D(3, strides=1, padding="same", name=f"{tag}_pool")(x)
            bp = conv(bp, pp, 1, tag=f"{tag}_pool_proj")
            return L.Concatenate(name=f"{tag}_concat")([b1, b3, b5, bp])

        x = conv(inp, 64, 7, 2, "conv1")
        x = L.MaxPooling2D(3, strides=2, padding="same", name="pool1")(x)
        x = conv(x, 64, 1, tag="conv2_reduce")
        x = conv(x, 192, 3, tag="conv2")
        x = L.MaxPooling2D(3, strides=2, padding="same", name="pool2")(x)
        x = inception(x, 64, 96, 128, 16, 32, 32, "3a")
        x = inception(x, 128, 128, 192, 32, 96, 64, "3b")
        x = L.MaxPooling2D(3, strides=2, padding="same", name="pool3")(x)
        x = inception(x, 192, 96, 208, 16, 48, 64, "4a")
        x = inception(x, 160, 112, 224, 24, 64, 64, "4b")
        x = inception(x, 128, 128, 256, 24, 64, 64, "4c")
        x = inception(x, 112, 144, 288, 32, 64, 64, "4d")
        x = inception(x, 256, 160, 320, 32, 128, 128, "4e")
        x = L.MaxPooling2D(3, strides=2, padding="same", name="pool4")(x)
        x = inception(x, 256, 160, 320, 32, 128, 128, "5a")
        x = inception(x, 384, 192, 384, 48, 128, 128, "5b")
        x = L.GlobalAveragePooling2D(name="gap")(x)
        out = L.Dense(1000, name="fc")(x)
    elif name == "squeezenet":
        def fire(x, s, e, tag):
            x = L.Conv2D(s, 1, activation="relu", name=f"{tag}_squeeze")(x)
            a = L.Conv2D(e, 1, activation="relu", name=f"{tag}_expand1x1")(x)
            b = L.Conv2D(e, 3, padding="same", activation="relu", name=f"{tag}_expand3x3")(x)
            return L.Concatenate(name=f"{tag}_concat")([a, b])

        x = L.Conv2D(64, 3, strides=2, activation="relu", name="conv1")(inp)
        x = L.MaxPooling2D(3, strides=2, name="pool1")(x)
        x = fire(x, 16, 64, "fire2")
        x = fire(x, 16, 64, "fire3")
        x = L.MaxPooling2D(3, strides=2, name="pool3")(x)
        x = fire(x, 32, 128, "fire4")
        x = fire(x, 32, 128, "fire5")
        x = L.MaxPooling2D(3, strides=2, name="pool5")(x)
        x = fire(x, 48, 192, "fire6")
        x = fire(x, 48, 192, "fire7")
        x = fire(x, 64, 256, "fire8")
        x = fire(x, 64, 256, "fire9")
        x = L.Conv2D(1000, 1, activation="relu", name="conv10")(x)
        out = L.GlobalAveragePooling2D(name="gap")(x)
    elif name == "mobilenetv2":
        m = keras.applications.MobileNetV2(input_tensor=inp, alpha=1.0, weights=None, include_top=True,
                                           classes=1000, classifier_activation=None)
        return m
    elif name == "resnet50":
        return keras.applications.ResNet50(input_tensor=inp, weights=None, include_top=True, classes=1000,
                                           classifier_activation=None)
    else:
        raise ValueError(name)
    return keras.Model(inp, out, name=name)


def randomize_bn(model, rng):
    """Seeded random BN parameters/statistics (defaults would fold to the identity)."""
    import keras
    n = 0
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            c = layer.gamma.shape[0]
            layer.gamma.assign(rng.uniform(0.5, 1.5, c).astype(np.float32))
            layer.beta.assign(rng.normal(0.0, 0.1, c).astype(np.float32))
            layer.moving_mean.assign(rng.normal(0.0, 0.1, c).astype(np.float32))
            layer.moving_variance.assign(rng.uniform(0.5, 1.5, c).astype(np.float32))
            n += 1
    return n


def make_model(name, batch_size=1):
    import keras
    keras.utils.set_random_seed(SEED)  # per model: a subset run reproduces the same files
    m = build(name, batch_size)
    n_bn = randomize_bn(m, np.random.RandomState(SEED))
    return m, n_bn


# --------------------------------------------------------------------------
# TFLite
# --------------------------------------------------------------------------
def representative(shape):
    # seeded random "images" in [0, 1)
    return np.random.RandomState(SEED).uniform(0.0, 1.0, (N_REPRESENTATIVE, 1) + tuple(shape)).astype(np.float32)


def to_tflite_int8(model, rep_x):
    import tensorflow as tf
    conv = tf.lite.TFLiteConverter.from_keras_model(model)
    conv.optimizations = [tf.lite.Optimize.DEFAULT]

    def rep():
        for i in range(rep_x.shape[0]):
            yield [rep_x[i]]
    conv.representative_dataset = rep
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    conv.inference_input_type = tf.int8
    conv.inference_output_type = tf.int8
    return conv.convert()


def interpreter(content, resolver="AUTO"):
    from ai_edge_litert import interpreter as lrt
    it = lrt.Interpreter(model_content=content, num_threads=1,
                         experimental_op_resolver_type=getattr(lrt.OpResolverType, resolver))
    it.allocate_tensors()
    return it


def io_quant(content):
    it = interpreter(content)
    i = it.get_input_details()[0]
    o = it.get_output_details()[0]
    return ({"scale": float(i["quantization"][0]), "zero_point": int(i["quantization"][1]),
             "dtype": np.dtype(i["dtype"]).name, "shape": [int(s) for s in i["shape"]]},
            {"scale": float(o["quantization"][0]), "zero_point": int(o["quantization"][1]),
             "dtype": np.dtype(o["dtype"]).name, "shape": [int(s) for s in o["shape"]]})


def tflite_op_counts(content):
    it = interpreter(content)
    ops = {}
    for op in it._get_ops_details():
        ops[op["op_name"]] = ops.get(op["op_name"], 0) + 1
    return dict(sorted(ops.items()))


def run_tflite(content, x, resolver):
    it = interpreter(content, resolver)
    it.set_tensor(it.get_input_details()[0]["index"], x)
    it.invoke()
    return it.get_tensor(it.get_output_details()[0]["index"]).copy()


# --------------------------------------------------------------------------
# MLIR / TOSA
# --------------------------------------------------------------------------
def validate(tools, mlir):
    p = run([tools["mlir_opt"], mlir, f"--tosa-attach-target={TOSA_TARGET}", "--tosa-validate",
             "-o", "/dev/null"])
    return (p.stdout + p.stderr).strip()


def func_signature(mlir_text):
    line = next(l for l in mlir_text.splitlines() if "func.func" in l).strip()
    m = re.match(r"func\.func (?:\w+ )?@(\w+)\((.*)\) -> \(?(.*?)\)? (?:attributes )?\{", line)
    args = re.findall(r"%\w+: (tensor<[^>]*>)", m.group(2))
    res = re.findall(r"(tensor<[^>]*>)", m.group(3))
    return m.group(1), args, res


def tosa_op_counts(mlir_text):
    ops = {}
    # ops only: skip the `!tosa.shape<N>` type
    for o in re.findall(r"(?<![!\w])tosa\.[a-z_0-9]+", mlir_text):
        ops[o] = ops.get(o, 0) + 1
    return dict(sorted(ops.items()))


def oracle_check(tools, content, mlir, work, name, in_q):
    """One seeded input through LiteRT (reference kernels) and Arm's reference model."""
    d = (work / f"ref_{name}").resolve()
    d.mkdir(parents=True, exist_ok=True)
    x = np.random.RandomState(SEED + 1).randint(-128, 128, in_q["shape"]).astype(np.int8)
    t0 = time.time()
    tfl = run_tflite(content, x, "BUILTIN_REF").astype(np.int8)
    t_tfl = time.time() - t0
    fb = d / f"{name}.tosa"
    run([tools["tosa_opt"], mlir, "--tosa-serialize", f"--tosa-flatbuffer-filename={fb}", "-o", "/dev/null"])
    np.save(d / "in.npy", x)
    t0 = time.time()
    run([tools["tosa_ref"], "--tosa_file", fb, "--ifm_name", "TosaInput_0", "--ifm_file", d / "in.npy",
         "--ofm_name", "TosaOutput_0", "--ofm_file", d / "out.npy", "--flatbuffer_dir", d, "--output_dir", d])
    t_ref = time.time() - t0
    ref = np.load(d / "out.npy").astype(np.int8).reshape(tfl.shape)
    diff = np.abs(ref.astype(np.int32) - tfl.astype(np.int32))
    return {"input": "np.random.RandomState(%d).randint(-128, 128, shape) as int8" % (SEED + 1),
            "max_abs_diff_lsb": int(diff.max()), "n_mismatch": int((diff != 0).sum()), "n": int(diff.size),
            "distinct_output_values": int(np.unique(ref).size),
            "litert_ref_s": round(t_tfl, 2), "tosa_ref_s": round(t_ref, 2)}


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------
def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--out", default=str(REPO / "test" / "models" / "scale"))
    ap.add_argument("--work", default=None)
    ap.add_argument("--mlir-opt", default=os.environ.get("MLIR_OPT", "/usr/lib/llvm-22/bin/mlir-opt"))
    ap.add_argument("--no-oracle", dest="oracle", action="store_false")
    args = ap.parse_args()
    names = [n for n in args.models.split(",") if n]
    for n in names:
        if n not in MODELS + EXTRA_MODELS:
            raise SystemExit(f"unknown model {n!r}; known: {', '.join(MODELS + EXTRA_MODELS)}")
    t_start = time.time()

    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    tmp = None
    if args.work:
        work = Path(args.work).resolve()
        work.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="gen_scale_")
        work = Path(tmp.name)
    tools = find_tools(args)

    random.seed(SEED)
    np.random.seed(SEED)
    import tensorflow as tf
    import keras
    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    tf.config.experimental.enable_op_determinism()

    import importlib.metadata as md
    versions = {p: md.version(p) for p in ("tensorflow-cpu", "keras", "numpy", "ai-edge-litert",
                                           "tosa-converter-for-tflite")}
    if args.oracle:
        versions["tosa-tools"] = md.version("tosa-tools")
    versions["python"] = sys.version.split()[0]
    versions["mlir-opt"] = tool_version([tools["mlir_opt"], "--version"])

    entries = {}
    for name in names:
        t0 = time.time()
        model, n_bn = make_model(name)
        n_params = int(model.count_params())
        content = to_tflite_int8(model, representative(INPUT_SHAPES[name]))
        t_make = time.time() - t0
        tfl = out / f"{name}.int8.tflite"
        tfl.write_bytes(content)
        keras.backend.clear_session()
        del model

        mlir = work / f"{name}.int8.mlir"
        t1 = time.time()
        run([tools["tosa_converter"], tfl, "--text", "-o", mlir])
        t_conv = time.time() - t1
        msg = validate(tools, mlir)
        text = mlir.read_text()
        fn, args_t, res_t = func_signature(text)
        in_q, out_q = io_quant(content)
        e = {
            "file": tfl.name, "bytes": tfl.stat().st_size, "sha256": sha256(tfl),
            "description": DESCRIPTIONS[name], "keras_params": n_params, "batchnorm_layers": n_bn,
            "input": in_q, "output": out_q,
            "mlir": {"function": fn, "args": args_t, "results": res_t, "bytes": mlir.stat().st_size,
                     "lines": text.count("\n"), "tosa_ops": tosa_op_counts(text),
                     "validate": "ok" + (f" ({msg})" if msg else "")},
            "tflite_ops": tflite_op_counts(content),
            "seconds": {"keras_and_tflite": round(t_make, 1), "tosa_converter": round(t_conv, 2)},
        }
        mb = REPO / "scripts" / "mapping_bounds.py"
        if mb.exists():
            p = run([sys.executable, mb, mlir, *MAPPING_TARGET, "--json"])
            e["mapping_calibration_target"] = json.loads(p.stdout)["models"][0]["totals"]
        if args.oracle:
            e["oracle"] = oracle_check(tools, content, mlir, work, name, in_q)
        entries[name] = e
        log(f"{name}: {e['bytes']} B tflite in {t_make:.1f}s, converter {t_conv:.2f}s -> "
            f"{e['mlir']['bytes']} B MLIR, validate {e['mlir']['validate']}"
            + (f", oracle {e['oracle']}" if args.oracle else ""))

    total = time.time() - t_start
    log(f"done in {total:.1f}s")
    if tuple(names) != MODELS:
        log("subset run: README.md and manifest.json not rewritten")
        return
    man = {"generator": "scripts/models/gen_scale.py", "seed": SEED, "n_representative": N_REPRESENTATIVE,
           "versions": versions, "tosa_target": TOSA_TARGET, "seconds_total": round(total, 1),
           "models": entries}
    (out / "manifest.json").write_text(json.dumps(man, indent=1) + "\n")
    write_readme(out, man)


# --------------------------------------------------------------------------
# README
# --------------------------------------------------------------------------
README_HEAD = """# Scale models: architecture-only int8 networks

Generated by `scripts/models/gen_scale.py` (do not edit by hand; this README and
`manifest.json` are rewritten by the script). These are **untrained** networks with
seeded random weights, for mapping and performance work (crossbar tiling, array counts,
schedules, simulator timing), where the values of the weights do not matter. Their
outputs are meaningless; do not use them for accuracy.

Regenerate from the repository root (PyPI only; about {secs:.0f} s on one core of this machine):

```sh
python3 -m venv /work/venv-models
/work/venv-models/bin/pip install -r scripts/models/requirements.txt
/work/venv-models/bin/pip install tosa-tools==2026.8.0   # separate call on purpose
/work/venv-models/bin/python scripts/models/gen_scale.py
```

(`tosa-tools` is only needed for the oracle check; `--no-oracle` skips it.) Everything is seeded (seed {seed}) and
single-threaded with TF op determinism; a rerun with the same package versions
reproduces the files byte for byte (sha256 in `manifest.json`).

## How they are made

* Keras 3 definitions with `keras.Input(shape=..., batch_size=1)` (static shapes).
  Weights: Keras' default initialisers after `keras.utils.set_random_seed({seed})`
  (per model). Every `BatchNormalization` gets seeded random gamma ~ U(0.5, 1.5),
  beta ~ N(0, 0.1), moving mean ~ N(0, 0.1), moving variance ~ U(0.5, 1.5), so the
  folded weights are not just the initialiser's.
* `tf.lite.TFLiteConverter.from_keras_model` (folds batch norm), full-integer
  post-training quantization: `optimizations=[Optimize.DEFAULT]`, representative
  dataset = {nrep} seeded uniform [0, 1) images, `supported_ops=[TFLITE_BUILTINS_INT8]`,
  `inference_input_type = inference_output_type = int8`. Weights per-channel symmetric
  int8 (values in [-127, 127]), activations int8, biases int32.
* Only the `.tflite` files are committed. Convert at test time:

```sh
tosa-converter-for-tflite m.int8.tflite --text -o m.int8.mlir
mlir-opt m.int8.mlir --tosa-attach-target="{target}" --tosa-validate -o /dev/null
```

  Both pass for every model here (the generator checks it). `tosa-converter-for-tflite`
  is in `requirements-test.txt`. The converter lowers every Dense layer to
  `tosa.reshape` + a 1x1 `tosa.conv2d` (no `tosa.matmul` in these files), ReLU/ReLU6 to
  `tosa.clamp`, GlobalAveragePooling2D (TFLite MEAN) to `tosa.rescale` + two
  `tosa.reduce_sum` + `tosa.rescale`, and puts a `tosa.slice` in front of every 1x1
  stride-2 projection (56x56 -> 55x55 etc.: TOSA requires strided convolutions to divide
  exactly; the output is the same 28x28).

## Dynamic-batch twins

`lenet5.dynbatch.int8.tflite` and `mobilenetv2.dynbatch.int8.tflite` are the same
networks built with a free batch (`keras.Input(shape=...)`, Keras' default), written by
`scripts/models/gen_dynamic_batch.py` (same environment). Their TOSA has
`tensor<?x...>` arguments and `-1` in its reshapes; cimc compiles them for `--batch`
(default 1). The suite checks that each maps exactly as its static twin and that the
LeNet-5 twin, whose constants are the committed model's, computes the same outputs.
"""


def fmt_size(n):
    if n >= 1 << 20:
        return f"{n / (1 << 20):.2f} MiB"
    return f"{n / 1024:.1f} KiB" if n >= 1024 else f"{n} B"


def write_readme(out, man):
    s = README_HEAD.format(secs=man["seconds_total"], seed=man["seed"], nrep=man["n_representative"],
                           target=man["tosa_target"])
    s += "\n## Models\n\n| file | size | Keras params | architecture |\n| --- | --- | --- | --- |\n"
    for n, e in man["models"].items():
        s += f"| `{e['file']}` | {fmt_size(e['bytes'])} | {e['keras_params']:,} | {e['description']} |\n"
    s += ("\nResNet-20 uses option-B shortcuts (1x1 projections) rather than the paper's option A "
          "(zero-padded identity) so it has the same layer kinds as ResNet-18. VGG-8 follows NeuroSim's "
          "definition (conv + ReLU, no batch norm); biases are left out as in NeuroSim's float VGG-8 "
          "(biases live on the host and do not change the crossbar mapping). Its 12.4 MiB are simply its "
          "13.0 M int8 weights, 8.4 M of them in the 8192x1024 fc1.\n")

    s += "\n## Signatures (converted TOSA MLIR)\n\n"
    s += ("| model | function | argument | result | input scale / zp | output scale / zp | MLIR size | lines |\n"
          "| --- | --- | --- | --- | --- | --- | --- | --- |\n")
    for n, e in man["models"].items():
        m, i, o = e["mlir"], e["input"], e["output"]
        s += (f"| `{n}` | `@{m['function']}` | `{', '.join(m['args'])}` | `{', '.join(m['results'])}` "
              f"| {i['scale']!r} / {i['zero_point']} | {o['scale']!r} / {o['zero_point']} "
              f"| {fmt_size(m['bytes'])} | {m['lines']:,} |\n")
    s += ("\nThe TOSA graphs take the int8 tensor directly (no quantize at the boundary); "
          "`real = scale * (q - zero_point)`. Results are int8 logits (no softmax).\n")

    s += "\n## TOSA op counts (converted MLIR)\n\n"
    allops = sorted({o for e in man["models"].values() for o in e["mlir"]["tosa_ops"]})
    s += "| op | " + " | ".join(f"`{n}`" for n in man["models"]) + " |\n"
    s += "| --- |" + " --- |" * len(man["models"]) + "\n"
    for o in allops:
        s += f"| `{o}` | " + " | ".join(str(e["mlir"]["tosa_ops"].get(o, "-"))
                                         for e in man["models"].values()) + " |\n"
    s += "\n(Counted as `tosa.<name>` occurrences of ops; the `!tosa.shape<N>` type is excluded.)\n"

    if all("mapping_calibration_target" in e for e in man["models"].values()):
        s += ("\n## Crossbar mapping at the calibration target\n\n"
              "`scripts/mapping_bounds.py m.int8.mlir " + " ".join(MAPPING_TARGET) + "` "
              "(128x128 arrays, 2-bit cells, 8-bit weights, offset encoding, 1-bit DAC, 8-bit inputs; "
              "conventions documented in that script):\n\n"
              "| model | crossbar layers | arrays X | spatial utilization | work W (crossbar steps) | "
              "bottleneck (steps, no replication) |\n| --- | --- | --- | --- | --- | --- |\n")
        for n, e in man["models"].items():
            t = e["mapping_calibration_target"]
            s += (f"| `{n}` | {t['layers']} | {t['arrays']:,} | {100 * t['spatial_utilization']:.2f}% "
                  f"| {t['work_steps']:,} | {t['bottleneck_steps']:,} |\n")

    if all("oracle" in e for e in man["models"].values()):
        s += ("\n## Oracle check (one seeded int8 input)\n\nArm's TOSA reference model on the converted MLIR vs "
              "LiteRT's reference kernels (`OpResolverType.BUILTIN_REF`) on the .tflite:\n\n"
              "| model | mismatching outputs | max diff (LSB) | distinct output values | LiteRT ref (s) | TOSA ref (s) |\n"
              "| --- | --- | --- | --- | --- | --- |\n")
        for n, e in man["models"].items():
            r = e["oracle"]
            s += (f"| `{n}` | {r['n_mismatch']}/{r['n']} | {r['max_abs_diff_lsb']} | {r['distinct_output_values']} "
                  f"| {r['litert_ref_s']} | {r['tosa_ref_s']} |\n")

    s += "\n## Generation time (this machine, one core)\n\n| model | Keras + TFLite (s) | tosa-converter (s) |\n| --- | --- | --- |\n"
    for n, e in man["models"].items():
        s += f"| `{n}` | {e['seconds']['keras_and_tflite']} | {e['seconds']['tosa_converter']} |\n"
    s += f"\nTotal run {man['seconds_total']} s.\n"

    s += "\n## Files\n\n| file | size | sha256 |\n| --- | --- | --- |\n"
    for n, e in man["models"].items():
        s += f"| `{e['file']}` | {e['bytes']:,} B | `{e['sha256'][:16]}…` |\n"
    s += "| `manifest.json` | - | machine-readable summary (versions, signatures, op counts, timings) |\n"

    s += "\n## Tool versions\n\n"
    for k, v in man["versions"].items():
        s += f"* {k}: {v}\n"
    (out / "README.md").write_text(s)


if __name__ == "__main__":
    main()
