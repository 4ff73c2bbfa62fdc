#!/usr/bin/env python3
"""TFLite's own full-int8 post-training quantization of the pretrained MediaPipe networks.

The external baseline for cimc's quantizer on face_detection_short_range,
hand_landmark_lite and selfie_segmentation (bench/pretrained.py measures
cimc on the same networks and crops). Nothing of cimc is used.

TFLiteConverter quantizes TensorFlow graphs, not .tflite files, so each
float .tflite graph is first re-expressed as a TensorFlow graph with its
weights: the flatbuffer is read with TensorFlow's own schema module
(operators, tensors, constant buffers, options) and every operator is
translated to standard TF ops through one table, OPS. fp16 weights behind
DEQUANTIZE are widened to float32 constants; fused activations and
SAME/VALID padding follow TFLite's definitions; MediaPipe's custom
Convolution2DTransposeBias (a TfLiteTransposeConvParams struct in its
custom options) becomes conv2d_transpose plus a bias. An operator not in
the table stops the run. Then, per network:

  1. float check: the TF graph against the original .tflite run by the
     LiteRT interpreter, on the 8 evaluation crops; the largest absolute
     difference per output must stay below 1e-4 of that output's largest
     magnitude, or the run stops;
  2. TFLiteConverter.from_concrete_functions with
     optimizations=[Optimize.DEFAULT], a representative dataset of the 16
     calibration crops (batch 1, in file order),
     supported_ops=[TFLITE_BUILTINS_INT8] and float32 input and output: the
     model quantizes its input and dequantizes its outputs, like cimc's
     `--dequantize-outputs`. The converted model is checked to be fully
     int8: no operator but the boundary QUANTIZE/DEQUANTIZE touches a float
     tensor (reported, not fatal);
  3. the int8 model runs on each evaluation crop (batch 1) with TFLite's
     builtin integer kernels (no XNNPACK delegate, one thread; XNNPACK's
     int8 kernels round requantization differently, which moved SQNRs by
     up to 0.9 dB on these networks).

Writes into OUT (default target/tflite_ptq):
  <net>.int8.tflite  the converted model;
  <net>.npz          out0, out1, ...: the int8 model's outputs, and float0,
                     float1, ...: the original float .tflite model's, each
                     the 8 evaluation crops concatenated on the batch axis
                     ([8, ...]), in the order of the .tflite subgraph's
                     outputs.
and prints a JSON summary (also to --json FILE): per network, the outputs'
names and shapes (one crop) in that order, the float check, the SQNR (dB)
of each int8 output against the float .tflite output over all 8 crops
(10*log10(sum(r^2)/sum((r-t)^2)), float64), the conversion time and whether
the model is fully int8.

Inputs: target/pretrained/<net>.tflite, <net>.calib.npy ([16, H, W, 3]) and
<net>.eval.npy ([8, H, W, 3]), NHWC float32 in [-1, 1]
(scripts/models/pretrained.py makes them). Needs a venv made from
bench/requirements-tflite.txt:

    python3 -m venv .venv-tflite && .venv-tflite/bin/pip install -r bench/requirements-tflite.txt
    .venv-tflite/bin/python bench/tflite_ptq.py [--pretrained DIR] [--out DIR]
        [--json FILE] [--only NET ...]

Deterministic: fixed crop order, single-threaded interpreters, TF op
determinism on and oneDNN off (so the float check does not depend on
thread scheduling).
"""
import argparse
import json
import os
import struct
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from ai_edge_litert.interpreter import Interpreter, OpResolverType  # noqa: E402
from tensorflow.lite.python import schema_py_generated as schema  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NETWORKS = ("face_detection_short_range", "hand_landmark_lite", "selfie_segmentation")
FLOAT_CHECK_TOLERANCE = 1e-4  # largest |TF - TFLite| over largest |TFLite|, per output

BUILTIN_NAMES = {v: k for k, v in vars(schema.BuiltinOperator).items() if not k.startswith("_")}
NUMPY_TYPES = {
    schema.TensorType.FLOAT32: np.float32,
    schema.TensorType.FLOAT16: np.float16,
    schema.TensorType.INT32: np.int32,
    schema.TensorType.INT64: np.int64,
    schema.TensorType.INT8: np.int8,
    schema.TensorType.UINT8: np.uint8,
}
FLOAT_TYPES = (schema.TensorType.FLOAT32, schema.TensorType.FLOAT16, schema.TensorType.FLOAT64)


# --------------------------------------------------------------------------
# Reading a .tflite flatbuffer


class Op:
    """One operator of a subgraph: its name, tensor indices and options."""

    def __init__(self, name, inputs, outputs, options, custom_options):
        self.name = name
        self.inputs = inputs  # tensor indices, -1 for an omitted optional input
        self.outputs = outputs
        self.options = options  # the builtin options object (schema's *OptionsT), or None
        self.custom_options = custom_options  # bytes, for a custom operator


class Graph:
    """The (single) subgraph of a .tflite model, with its constant tensors as numpy arrays."""

    def __init__(self, data):
        model = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(data, 0))
        if len(model.subgraphs) != 1:
            raise SystemExit(f"expected one subgraph, found {len(model.subgraphs)}")
        sub = model.subgraphs[0]
        self.inputs = [int(i) for i in sub.inputs]
        self.outputs = [int(i) for i in sub.outputs]
        self.names = [t.name.decode() for t in sub.tensors]
        self.shapes = [[int(d) for d in t.shape] if t.shape is not None else [] for t in sub.tensors]
        self.types = [t.type for t in sub.tensors]
        self.constants = {}
        for i, t in enumerate(sub.tensors):
            buffer = model.buffers[t.buffer]
            if buffer.offset > 1:
                raise SystemExit(f"tensor {self.names[i]}: buffers outside the flatbuffer are not supported")
            if buffer.data is not None and len(buffer.data) > 0:
                if t.type not in NUMPY_TYPES:
                    raise SystemExit(f"constant {self.names[i]}: tensor type {t.type} not supported")
                raw = np.asarray(buffer.data, dtype=np.uint8).tobytes()
                self.constants[i] = np.frombuffer(raw, NUMPY_TYPES[t.type]).reshape(self.shapes[i])
        self.ops = []
        for op in sub.operators:
            code = model.operatorCodes[op.opcodeIndex]
            builtin = max(code.builtinCode, code.deprecatedBuiltinCode)
            if builtin == schema.BuiltinOperator.CUSTOM:
                name = code.customCode.decode()
            else:
                name = BUILTIN_NAMES[builtin]
            custom = bytes(np.asarray(op.customOptions, dtype=np.uint8)) if op.customOptions is not None else b""
            self.ops.append(Op(name, [int(i) for i in op.inputs], [int(i) for i in op.outputs],
                               op.builtinOptions, custom))

    def op_counts(self):
        """{operator name: how many}, in order of first appearance."""
        counts = {}
        for op in self.ops:
            counts[op.name] = counts.get(op.name, 0) + 1
        return counts

    def float_ops(self):
        """Operators that touch a float tensor, other than QUANTIZE of a graph
        input and DEQUANTIZE to a graph output: what keeps a model from being fully int8."""
        found = []
        for op in self.ops:
            ins = [i for i in op.inputs if i >= 0 and self.types[i] in FLOAT_TYPES]
            outs = [i for i in op.outputs if self.types[i] in FLOAT_TYPES]
            if op.name == "QUANTIZE" and not outs and all(i in self.inputs for i in ins):
                continue
            if op.name == "DEQUANTIZE" and not ins and all(i in self.outputs for i in outs):
                continue
            if ins or outs:
                found.append(f"{op.name} -> {', '.join(self.names[i] for i in op.outputs)}")
        return found


# --------------------------------------------------------------------------
# Translating operators to TensorFlow
#
# Each translation takes (op, args, graph): args holds, per op input, a
# numpy array for a constant tensor, a tf.Tensor for a computed one, or None
# for an omitted optional input. It returns the op's single output.

PADDING = {schema.Padding.SAME: "SAME", schema.Padding.VALID: "VALID"}
TFLITE_C_PADDING = {1: "SAME", 2: "VALID"}  # enum TfLitePadding, in custom options structs
ACTIVATIONS = {
    schema.ActivationFunctionType.NONE: lambda x: x,
    schema.ActivationFunctionType.RELU: tf.nn.relu,
    schema.ActivationFunctionType.RELU_N1_TO_1: lambda x: tf.clip_by_value(x, -1.0, 1.0),
    schema.ActivationFunctionType.RELU6: tf.nn.relu6,
    schema.ActivationFunctionType.TANH: tf.tanh,
}


def activation(x, options):
    """x through the op's fused activation function."""
    code = options.fusedActivationFunction
    if code not in ACTIVATIONS:
        raise SystemExit(f"fused activation {code} not supported")
    return ACTIVATIONS[code](x)


def constant(value, what):
    """value, which must be a constant tensor of the .tflite graph (weights, shapes, axes)."""
    if not isinstance(value, np.ndarray):
        raise SystemExit(f"{what} must be a constant tensor")
    return value


def with_bias(y, bias):
    """y plus a per-channel bias, when the op has one."""
    return y if bias is None else tf.nn.bias_add(y, constant(bias, "bias").astype(np.float32))


def padding(options):
    """The TF padding string for a builtin op's Padding enum."""
    return PADDING[options.padding]


def dequantize(op, args, graph):
    """fp16 weights widened to float32, folded here into a constant."""
    return constant(args[0], "DEQUANTIZE input").astype(np.float32)


def conv_2d(op, args, graph):
    """CONV_2D: filter [O, kh, kw, I] -> TF's [kh, kw, I, O]."""
    x, w, b = (args + [None])[:3]
    o = op.options
    w = constant(w, "CONV_2D filter").transpose(1, 2, 3, 0)
    y = tf.nn.conv2d(x, w, strides=[o.strideH, o.strideW], padding=padding(o),
                     dilations=[o.dilationHFactor, o.dilationWFactor])
    return activation(with_bias(y, b), o)


def depthwise_conv_2d(op, args, graph):
    """DEPTHWISE_CONV_2D: filter [1, kh, kw, C*M] -> TF's [kh, kw, C, M]."""
    x, w, b = (args + [None])[:3]
    o = op.options
    w = constant(w, "DEPTHWISE_CONV_2D filter")
    channels = graph.shapes[op.inputs[0]][3]
    w = w.reshape(w.shape[1], w.shape[2], channels, w.shape[3] // channels)
    y = tf.nn.depthwise_conv2d(x, w, strides=[1, o.strideH, o.strideW, 1], padding=padding(o),
                               dilations=[o.dilationHFactor, o.dilationWFactor])
    return activation(with_bias(y, b), o)


def transpose_conv_bias(op, args, graph):
    """MediaPipe's Convolution2DTransposeBias: conv2d_transpose, filter
    [O, kh, kw, I] -> TF's [kh, kw, O, I], plus bias. Its custom options are a
    TfLiteTransposeConvParams prefix: padding (TfLitePadding), stride_w,
    stride_h, int32 each; no fused activation."""
    x, w, b = args
    if len(op.custom_options) != 12:
        raise SystemExit(f"Convolution2DTransposeBias: {len(op.custom_options)} bytes of options, expected 12")
    pad, stride_w, stride_h = struct.unpack("<3i", op.custom_options)
    w = constant(w, "Convolution2DTransposeBias filter").transpose(1, 2, 0, 3)
    y = tf.nn.conv2d_transpose(x, w, output_shape=graph.shapes[op.outputs[0]],
                               strides=[stride_h, stride_w], padding=TFLITE_C_PADDING[pad])
    return with_bias(y, b)


def fully_connected(op, args, graph):
    """FULLY_CONNECTED: x flattened to [-1, I] times the [O, I] weights transposed, plus bias."""
    x, w, b = (args + [None])[:3]
    o = op.options
    if o.weightsFormat != schema.FullyConnectedOptionsWeightsFormat.DEFAULT:
        raise SystemExit("FULLY_CONNECTED: only the default weights format is supported")
    w = constant(w, "FULLY_CONNECTED weights")
    y = tf.matmul(tf.reshape(x, [-1, w.shape[1]]), w.T)
    y = tf.reshape(with_bias(y, b), graph.shapes[op.outputs[0]])
    return activation(y, o)


def pool(tf_pool):
    """MAX_POOL_2D / AVERAGE_POOL_2D (TFLite's average, like TF's, leaves padding out)."""
    def translate(op, args, graph):
        o = op.options
        y = tf_pool(args[0], ksize=[o.filterHeight, o.filterWidth], strides=[o.strideH, o.strideW],
                    padding=padding(o))
        return activation(y, o)
    return translate


def binary(tf_op):
    """ADD / MUL with NumPy broadcasting and the fused activation."""
    def translate(op, args, graph):
        return activation(tf_op(args[0], args[1]), op.options)
    return translate


def hard_swish(op, args, graph):
    """x * relu6(x + 3) / 6, in the form TFLiteConverter fuses back into HARD_SWISH."""
    x = args[0]
    return x * (tf.nn.relu6(x + 3.0) * np.float32(1.0 / 6.0))


def mean(op, args, graph):
    """MEAN over constant axes."""
    axes = constant(args[1], "MEAN axes").reshape(-1).tolist()
    return tf.reduce_mean(args[0], axis=axes, keepdims=bool(op.options.keepDims))


def pad(op, args, graph):
    """PAD with zeros."""
    return tf.pad(args[0], constant(args[1], "PAD paddings"))


def reshape(op, args, graph):
    """RESHAPE to the output tensor's (static) shape."""
    return tf.reshape(args[0], graph.shapes[op.outputs[0]])


def concatenation(op, args, graph):
    """CONCATENATION along the op's axis, then the fused activation."""
    return activation(tf.concat(args, axis=op.options.axis), op.options)


def resize_bilinear(op, args, graph):
    """RESIZE_BILINEAR with the op's align_corners and half_pixel_centers."""
    size = constant(args[1], "RESIZE_BILINEAR size").astype(np.int32)
    return tf.raw_ops.ResizeBilinear(images=args[0], size=size, align_corners=bool(op.options.alignCorners),
                                     half_pixel_centers=bool(op.options.halfPixelCenters))


OPS = {
    "DEQUANTIZE": dequantize,
    "CONV_2D": conv_2d,
    "DEPTHWISE_CONV_2D": depthwise_conv_2d,
    "Convolution2DTransposeBias": transpose_conv_bias,
    "FULLY_CONNECTED": fully_connected,
    "MAX_POOL_2D": pool(tf.nn.max_pool2d),
    "AVERAGE_POOL_2D": pool(tf.nn.avg_pool2d),
    "ADD": binary(tf.add),
    "MUL": binary(tf.multiply),
    "RELU": lambda op, args, graph: tf.nn.relu(args[0]),
    "LOGISTIC": lambda op, args, graph: tf.sigmoid(args[0]),
    "HARD_SWISH": hard_swish,
    "MEAN": mean,
    "PAD": pad,
    "RESHAPE": reshape,
    "CONCATENATION": concatenation,
    "RESIZE_BILINEAR": resize_bilinear,
}


def tf_function(graph):
    """The graph as a tf.Module whose concrete function `forward` maps its
    batch-1 float input "image" to {"out0": ..., "out1": ...}, in the
    subgraph's output order. Returns (module, concrete function)."""
    unknown = sorted({op.name for op in graph.ops} - set(OPS))
    if unknown:
        raise SystemExit(f"operators with no TensorFlow translation: {', '.join(unknown)}")
    if len(graph.inputs) != 1:
        raise SystemExit(f"expected one graph input, found {len(graph.inputs)}")
    (input_index,) = graph.inputs

    def forward(image):
        values = dict(graph.constants)
        values[input_index] = image
        for op in graph.ops:
            args = [values[i] if i >= 0 else None for i in op.inputs]
            if len(op.outputs) != 1:
                raise SystemExit(f"{op.name}: {len(op.outputs)} outputs, expected 1")
            values[op.outputs[0]] = OPS[op.name](op, args, graph)
        return {f"out{k}": tf.convert_to_tensor(values[i]) for k, i in enumerate(graph.outputs)}

    module = tf.Module()
    module.forward = tf.function(forward)
    spec = tf.TensorSpec(graph.shapes[input_index], tf.float32, name="image")
    return module, module.forward.get_concrete_function(spec)


# --------------------------------------------------------------------------
# Running, converting, measuring


def run_float(path, crops, graph):
    """The float .tflite model's outputs on each crop (batch 1), in the subgraph's
    output order, concatenated on the batch axis. The default op resolver, whose
    XNNPACK delegate is what runs MediaPipe's Convolution2DTransposeBias."""
    interpreter = Interpreter(model_path=path, num_threads=1)
    interpreter.allocate_tensors()
    (input_index,) = graph.inputs
    outputs = [[] for _ in graph.outputs]
    for crop in crops:
        interpreter.set_tensor(input_index, crop[None])
        interpreter.invoke()
        for k, index in enumerate(graph.outputs):
            outputs[k].append(interpreter.get_tensor(index).copy())
    return [np.concatenate(o) for o in outputs]


def run_int8(model, crops, count):
    """Outputs out0..out{count-1} of the converted model on each crop (batch 1),
    concatenated on the batch axis. Taken by signature name: the converter
    may order its subgraph outputs differently (it does for hand_landmark_lite).
    TFLite's builtin integer kernels, not the XNNPACK delegate, whose int8
    requantization rounds differently."""
    interpreter = Interpreter(model_content=model, num_threads=1,
                              experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    runner = interpreter.get_signature_runner()
    outputs = [[] for _ in range(count)]
    for crop in crops:
        result = runner(image=crop[None])
        for k in range(count):
            outputs[k].append(result[f"out{k}"].copy())
    return [np.concatenate(o) for o in outputs]


def float_check(function, crops, reference, names):
    """Largest |TF graph - float .tflite| per output over the crops; stops the
    run when one exceeds FLOAT_CHECK_TOLERANCE relative to the output's scale."""
    got = [[] for _ in reference]
    for crop in crops:
        result = function(tf.constant(crop[None]))
        for k in range(len(reference)):
            got[k].append(result[f"out{k}"].numpy())
    diffs = []
    for k, ref in enumerate(reference):
        diff = float(np.max(np.abs(np.concatenate(got[k]) - ref)))
        scale = float(np.max(np.abs(ref)))
        relative = diff / scale if scale > 0 else diff
        print(f"  float check {names[k]}: max |diff| {diff:.3g} (relative {relative:.3g})", file=sys.stderr)
        if not relative <= FLOAT_CHECK_TOLERANCE:
            raise SystemExit(f"float check failed on {names[k]}: relative difference {relative:.3g} "
                             f"> {FLOAT_CHECK_TOLERANCE}")
        diffs.append({"max_abs_diff": diff, "relative": relative})
    return diffs


def convert(module, function, calibration):
    """TFLiteConverter's full-int8 PTQ with float32 input and output, and its wall time."""
    def representative():
        for crop in calibration:
            yield [crop[None]]

    converter = tf.lite.TFLiteConverter.from_concrete_functions([function], module)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.float32
    converter.inference_output_type = tf.float32
    start = time.perf_counter()
    model = converter.convert()
    return model, time.perf_counter() - start


def sqnr(reference, test):
    """10*log10(sum(r^2) / sum((r - t)^2)) in float64; None when t equals r."""
    r, t = reference.astype(np.float64), test.astype(np.float64)
    noise = ((r - t) ** 2).sum()
    return None if noise == 0 else float(10 * np.log10((r ** 2).sum() / noise))


def measure(name, pretrained, out):
    """Everything for one network: float check, conversion, int8 run, npz; its summary."""
    path = os.path.join(pretrained, f"{name}.tflite")
    calibration = np.load(os.path.join(pretrained, f"{name}.calib.npy"))
    evaluation = np.load(os.path.join(pretrained, f"{name}.eval.npy"))
    with open(path, "rb") as f:
        graph = Graph(f.read())
    names = [graph.names[i] for i in graph.outputs]
    print(f"{name}: {len(graph.ops)} ops {graph.op_counts()}", file=sys.stderr)

    module, function = tf_function(graph)
    floats = run_float(path, evaluation, graph)
    check = float_check(function, evaluation, floats, names)

    model, seconds = convert(module, function, calibration)
    converted = Graph(model)
    float_ops = converted.float_ops()
    print(f"  converted in {seconds:.1f} s: {converted.op_counts()}", file=sys.stderr)
    if float_ops:
        print(f"  NOT fully int8, float ops: {float_ops}", file=sys.stderr)
    quantized = run_int8(model, evaluation, len(names))

    with open(os.path.join(out, f"{name}.int8.tflite"), "wb") as f:
        f.write(model)
    arrays = {f"out{k}": q for k, q in enumerate(quantized)}
    arrays.update({f"float{k}": r for k, r in enumerate(floats)})
    np.savez(os.path.join(out, f"{name}.npz"), **arrays)

    return {
        "outputs": [{"name": n, "shape": graph.shapes[i]} for n, i in zip(names, graph.outputs)],
        "float_check": check,
        "sqnr_db": [sqnr(r, q) for r, q in zip(floats, quantized)],
        "conversion_seconds": round(seconds, 2),
        "fully_int8": not float_ops,
        "float_ops": float_ops,
        "int8_ops": converted.op_counts(),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pretrained", default=os.path.join(ROOT, "target", "pretrained"),
                    help="where <net>.tflite, .calib.npy and .eval.npy are (default target/pretrained)")
    ap.add_argument("--out", default=os.path.join(ROOT, "target", "tflite_ptq"),
                    help="where <net>.npz and <net>.int8.tflite go (default target/tflite_ptq)")
    ap.add_argument("--json", metavar="FILE", help="also write the JSON summary to FILE")
    ap.add_argument("--only", nargs="+", choices=NETWORKS, metavar="NET", help="only these networks")
    args = ap.parse_args()

    tf.config.experimental.enable_op_determinism()
    os.makedirs(args.out, exist_ok=True)
    networks = [n for n in NETWORKS if not args.only or n in args.only]
    for name in networks:
        for suffix in (".tflite", ".calib.npy", ".eval.npy"):
            if not os.path.exists(os.path.join(args.pretrained, name + suffix)):
                sys.exit(f"{args.pretrained}/{name}{suffix} is missing: run scripts/models/pretrained.py")
    summary = {
        "tensorflow": tf.__version__,
        "networks": {name: measure(name, args.pretrained, args.out) for name in networks},
    }
    text = json.dumps(summary, indent=2)
    print(text)
    if args.json:
        with open(args.json, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
