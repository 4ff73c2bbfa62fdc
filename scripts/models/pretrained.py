#!/usr/bin/env python3
"""Pretrained float networks and realistic inputs for tests and benchmarks,
fetched from PyPI as data (nothing is committed).

* Networks: `face_detection_short_range`, `hand_landmark_lite` and
  `selfie_segmentation`, the float `.tflite` files inside the
  `mediapipe==0.10.14` wheel (`pip download --no-deps`), converted to TOSA
  text with `tosa-converter-for-tflite` (the test venv's).
* Inputs: square crops of the two photos scikit-learn ships
  (`sklearn/datasets/images/{china,flower}.jpg` inside the
  `scikit-learn==1.9.1` wheel, decoded with Pillow), resized (bilinear) to
  each network's input and scaled to [-1, 1] as MediaPipe expects. 24 crop
  boxes are drawn with a fixed seed, 12 per photo; per photo the first 8
  calibrate and the last 4 evaluate, so calibration and evaluation crops
  are disjoint.

Writes into OUT (default target/pretrained):
  <net>.tflite, <net>.f32.mlir, <net>.calib.npy (16 crops),
  <net>.eval.npy (8 crops); skips what is already there.

Run with the test venv: .venv/bin/python scripts/models/pretrained.py
(`bash scripts/dev setup` does).
"""

import argparse
import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
from PIL import Image

NETWORKS = {
    # name: (path inside the wheel, input side)
    "face_detection_short_range": ("mediapipe/modules/face_detection/face_detection_short_range.tflite", 128),
    "hand_landmark_lite": ("mediapipe/modules/hand_landmark/hand_landmark_lite.tflite", 224),
    "selfie_segmentation": ("mediapipe/modules/selfie_segmentation/selfie_segmentation.tflite", 256),
}
MEDIAPIPE = "mediapipe==0.10.14"
SKLEARN = "scikit-learn==1.9.1"
PHOTOS = ("sklearn/datasets/images/china.jpg", "sklearn/datasets/images/flower.jpg")
SEED = 20261206
CROPS_PER_PHOTO, CALIBRATION_PER_PHOTO = 12, 8


def wheel(spec: str, cache: Path) -> Path:
    """The wheel of `spec` for this interpreter, downloaded once into cache."""
    name = spec.split("==")[0].replace("-", "_")
    found = sorted(cache.glob(f"{name}-*.whl"))
    if found:
        return found[0]
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                    "--only-binary=:all:", "--disable-pip-version-check", spec, "-d", str(cache)],
                   check=True)
    found = sorted(cache.glob(f"{name}-*.whl"))
    if not found:
        sys.exit(f"pip download {spec}: no wheel in {cache}")
    return found[0]


def crops(photos, side):
    """Calibration and evaluation crops of every photo, float32 NHWC in [-1, 1]."""
    rng = np.random.default_rng(SEED)
    calibration, evaluation = [], []
    for photo in photos:
        width, height = photo.size
        for k in range(CROPS_PER_PHOTO):
            size = int(rng.integers(min(width, height) // 3, min(width, height) + 1))
            left = int(rng.integers(0, width - size + 1))
            top = int(rng.integers(0, height - size + 1))
            crop = photo.crop((left, top, left + size, top + size)).resize((side, side), Image.BILINEAR)
            x = np.asarray(crop, dtype=np.float32) / 127.5 - 1.0
            (calibration if k < CALIBRATION_PER_PHOTO else evaluation).append(x)
    return np.stack(calibration), np.stack(evaluation)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    root = Path(__file__).resolve().parents[2]
    ap.add_argument("--out", default=str(root / "target" / "pretrained"))
    ap.add_argument("--converter", default=str(root / ".venv" / "bin" / "tosa-converter-for-tflite"))
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    cache = out / "wheels"
    cache.mkdir(exist_ok=True)
    wanted = [out / f"{n}.{s}" for n in NETWORKS for s in ("f32.mlir", "calib.npy", "eval.npy")]
    if all(p.exists() for p in wanted):
        return
    with zipfile.ZipFile(wheel(MEDIAPIPE, cache)) as z:
        for name, (member, _) in NETWORKS.items():
            tflite = out / f"{name}.tflite"
            if not tflite.exists():
                tflite.write_bytes(z.read(member))
    with zipfile.ZipFile(wheel(SKLEARN, cache)) as z:
        photos = [Image.open(io.BytesIO(z.read(p))).convert("RGB") for p in PHOTOS]
    for name, (_, side) in NETWORKS.items():
        mlir = out / f"{name}.f32.mlir"
        if not mlir.exists():
            with tempfile.TemporaryDirectory() as tmp:
                text = Path(tmp) / "m.mlir"
                subprocess.run([args.converter, str(out / f"{name}.tflite"), "--text", "-o", str(text)],
                               check=True, capture_output=True)
                mlir.write_text(text.read_text())
        calibration, evaluation = crops(photos, side)
        np.save(out / f"{name}.calib.npy", calibration)
        np.save(out / f"{name}.eval.npy", evaluation)
        print(f"{name}: {mlir.name}, {len(calibration)} calibration and {len(evaluation)} evaluation crops of {side}x{side}")


if __name__ == "__main__":
    main()
