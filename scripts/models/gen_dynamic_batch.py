#!/usr/bin/env python3
"""Dynamic-batch twins of two scale models, as Keras exports them by default.

`keras.Input(shape=...)` without `batch_size` leaves the batch dimension free:
the converted TOSA has `tensor<?x...>` arguments and `-1` in its reshapes.
This script builds LeNet-5 and MobileNetV2 exactly as `gen_scale.py` does
(same seed, same batch-norm randomisation, same representative data, same
int8 post-training quantization), only with a free batch, and writes
`test/models/scale/<name>.dynbatch.int8.tflite`. Before writing, it rebuilds
the static model in the same process and says whether it converts to the
same TOSA as the committed `<name>.int8.tflite` (LeNet-5 does on this
project's machines; MobileNetV2's requantization multipliers move by a few
units in the last place between machines, so its twin shares the committed
model's shapes, not every constant), and checks that the converted twin's
signature is dynamic.

Same environment as gen_scale.py (see test/models/scale/README.md):

    /work/venv-models/bin/python scripts/models/gen_dynamic_batch.py
"""

import hashlib
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_scale  # noqa: E402

MODELS = ("lenet5", "mobilenetv2")


def convert(tflite: Path) -> str:
    out = Path(tempfile.mkdtemp()) / tflite.with_suffix(".mlir").name
    subprocess.run(["tosa-converter-for-tflite", str(tflite), "--text", "-o", str(out)],
                   check=True, capture_output=True)
    return out.read_text()


def main():
    import random

    import numpy as np
    import tensorflow as tf

    # gen_scale.py's settings, so the static rebuild is byte-identical.
    random.seed(gen_scale.SEED)
    np.random.seed(gen_scale.SEED)
    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    tf.config.experimental.enable_op_determinism()
    out_dir = gen_scale.REPO / "test" / "models" / "scale"
    work = Path(tempfile.mkdtemp())
    for name in MODELS:
        rep_x = gen_scale.representative(gen_scale.INPUT_SHAPES[name])
        static, _ = gen_scale.make_model(name)
        rebuilt = work / f"{name}.int8.tflite"
        rebuilt.write_bytes(gen_scale.to_tflite_int8(static, rep_x))
        # The flatbuffer's bytes carry converter metadata that differs
        # between installations; the TOSA it converts to must not.
        same = convert(rebuilt) == convert(out_dir / f"{name}.int8.tflite")
        dynamic, _ = gen_scale.make_model(name, batch_size=None)
        content = gen_scale.to_tflite_int8(dynamic, rep_x)
        probe = work / f"{name}.dynbatch.int8.tflite"
        probe.write_bytes(content)
        _, arguments, results = gen_scale.func_signature(convert(probe))
        signature = f"({', '.join(arguments)}) -> ({', '.join(results)})"
        if not any(a.startswith("tensor<?x") for a in arguments):
            sys.exit(f"{name}: the converted twin is not dynamic: {signature}")
        path = out_dir / probe.name
        path.write_bytes(content)
        twin = "the same" if same else "other (float rounding of this machine)"
        print(f"{path.relative_to(gen_scale.REPO)}: {len(content)} bytes, "
              f"sha256 {hashlib.sha256(content).hexdigest()}, {signature}; "
              f"the static rebuild has {twin} TOSA as the committed model")


if __name__ == "__main__":
    main()
