"""What the package's tests share: the bundled models and a small sweep."""

import os
import tempfile
from pathlib import Path

MODELS = Path(__file__).resolve().parents[2] / "test" / "models"

#: Timings and cache flags differ between runs; everything else must not.
VARYING = {"quantize_s", "compile_s", "simulate_s", "quantization_cached", "compile_shared"}


def scratch(name: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"cimc-py-{name}-"))


def write_spec(folder: Path, *, float_model: bool = True) -> Path:
    """The int8 CNN over 2 ADC widths x 2 schedules (4 points) and, with
    ``float_model``, the float CNN quantized from a small calibration set
    over the same (4 more points, one quantized model)."""
    m = MODELS
    text = f"""
name = "python-suite"

[[model]]
name = "cnn-int8"
path = "{m / 'cnn.int8.mlir'}"
input = "{m / 'cnn.int8.input.npy'}"
labels = "{m / 'digits_test_labels.npy'}"

[axes]
"array.adc.bits" = [6, 8]

[run]
schedules = ["layer-sequential", "ht"]
"""
    if float_model:
        text = text.replace(
            "[axes]",
            f"""[[model]]
name = "cnn-f32"
path = "{m / 'cnn.f32.mlir'}"
input = "{m / 'digits_test_f32.npy'}"
labels = "{m / 'digits_test_labels.npy'}"
calibration = "{folder / 'calibration.npy'}"

[axes]""",
        )
        import numpy as np

        np.save(folder / "calibration.npy", np.load(m / "digits_train_f32.npy")[:32])
    path = folder / "net.sweep.toml"
    path.write_text(text)
    return path


def stable(records):
    """Records by id without the fields that vary between runs."""
    return {r["id"]: {k: v for k, v in r.items() if k not in VARYING} for r in records}


def cimc_env() -> str:
    """The cimc the tests run ($CIMC, set by scripts/dev test)."""
    from cimc import executable

    return executable(os.environ.get("CIMC"))
