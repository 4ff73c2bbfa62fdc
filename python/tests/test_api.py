"""The Python API against the executable: numpy in and out, reports as
dicts, errors as CimcError, a sweep as a DataFrame."""

import unittest

import numpy as np

import cimc
from common import MODELS, scratch, write_spec


class Api(unittest.TestCase):
    def test_run_on_the_chip_equals_the_host(self):
        x = np.load(MODELS / "cnn.int8.input.npy")[:20]
        labels = np.load(MODELS / "digits_test_labels.npy")[:20]
        sim = cimc.run(MODELS / "cnn.int8.mlir", x, labels=labels)
        host = cimc.run(MODELS / "cnn.int8.mlir", x, executor="reference")
        self.assertEqual(len(sim["outputs"]), 1)
        self.assertEqual(sim["outputs"][0].shape[0], 20)
        np.testing.assert_array_equal(sim["outputs"][0], host["outputs"][0])
        self.assertIsNone(host["stats"])
        self.assertGreater(sim["stats"]["tops"], 0)
        expected = float(np.mean(np.argmax(host["outputs"][0], axis=-1) == labels))
        self.assertAlmostEqual(sim["accuracy"], expected)

    def test_target_options_reach_the_chip(self):
        x = np.load(MODELS / "cnn.int8.input.npy")[:4]
        small = cimc.report(MODELS / "cnn.int8.mlir", target_opts={"array.rows": 64, "array.cols": 64, "array.max_active_rows": 64})
        large = cimc.report(MODELS / "cnn.int8.mlir")
        self.assertGreater(small["totals"]["arrays"], large["totals"]["arrays"])
        self.assertEqual([l["name"] for l in small["layers"]], [l["name"] for l in large["layers"]])
        ht = cimc.run(MODELS / "cnn.int8.mlir", x, schedule="ht")
        self.assertEqual(ht["stats"]["samples"], 4)

    def test_compile_returns_the_mapped_program(self):
        compiled = cimc.compile(MODELS / "cnn.int8.mlir")
        self.assertIn("cim.", compiled["ir"])
        self.assertGreater(len(compiled["report"]["stages"]), 0)
        host = cimc.compile(MODELS / "cnn.int8.mlir", emit="tosa")
        self.assertIsNone(host["report"])
        self.assertIn("tosa.conv2d", host["ir"])

    def test_quantize_from_arrays(self):
        calibration = np.load(MODELS / "digits_train_f32.npy")[:16]
        labels = np.load(MODELS / "digits_test_labels.npy")[:16]
        q = cimc.quantize(
            MODELS / "cnn.f32.mlir",
            calibration,
            weight_range="mse",
            report_input=np.load(MODELS / "digits_test_f32.npy")[:16],
            labels=labels,
        )
        self.assertIn("tosa.conv2d", q["ir"])
        self.assertIn("xi8>", q["ir"])
        self.assertGreater(len(q["report"]["layers"]), 0)

    def test_a_diagnostic_is_an_error_with_its_text(self):
        folder = scratch("bad")
        bad = folder / "bad.mlir"
        bad.write_text("func.func @f(%x: tensor<2xi8>) -> tensor<2xi8> {\n  return %y : tensor<2xi8>\n}\n")
        with self.assertRaises(cimc.CimcError) as caught:
            cimc.compile(bad)
        self.assertNotEqual(caught.exception.returncode, 0)
        self.assertIn("bad.mlir:2:", caught.exception.diagnostics)
        spec = folder / "bad.sweep.toml"
        spec.write_text('[[model]]\npath = "x.mlir"\nsurprise = 1\n')
        with self.assertRaises(cimc.CimcError) as caught:
            cimc.plan(spec)
        self.assertIn("surprise", caught.exception.diagnostics)

    def test_sweep_returns_one_row_per_point(self):
        folder = scratch("sweep")
        spec = write_spec(folder, float_model=False)
        points = cimc.plan(spec)
        self.assertEqual(len(points), 4)
        table = cimc.sweep(spec, jobs=2)
        self.assertEqual(list(table["id"]), [p["id"] for p in points])
        self.assertEqual(set(table["array.adc.bits"]), {"6", "8"})
        self.assertTrue((table["status"] == "ok").all())
        self.assertTrue((table["energy_nj"] > 0).all())
        # A rerun finds everything done and gives the same records.
        first = cimc.results(folder / "net.sweep", dataframe=False)
        again = cimc.sweep(spec, dataframe=False)
        self.assertEqual(again, first)
        self.assertTrue((folder / "net.sweep" / "report.html").is_file())


if __name__ == "__main__":
    unittest.main()
