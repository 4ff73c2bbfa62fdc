#!/usr/bin/env python3
"""Writes the digits training split as calibration data for quantization.

usage: python scripts/models/gen_calibration.py   (needs scikit-learn)

test/models/digits_train_f32.npy (NHWC), digits_train_f32_nchw.npy (NCHW, for
the torch-mlir model) and digits_train_labels.npy: the 1,347 samples of the
same split gen_digits.py trains on (train_test_split test_size=0.25,
random_state=0, stratified), so calibration never sees the test samples.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_digits import load_data  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    x_tr, y_tr, _, _ = load_data()
    out = os.path.join(ROOT, "test", "models")
    np.save(os.path.join(out, "digits_train_f32.npy"), x_tr)
    np.save(os.path.join(out, "digits_train_f32_nchw.npy"), np.ascontiguousarray(x_tr.transpose(0, 3, 1, 2)))
    np.save(os.path.join(out, "digits_train_labels.npy"), y_tr)
    print(f"wrote {x_tr.shape[0]} training samples to {out}")


if __name__ == "__main__":
    main()
