//! The quantization level end to end: `cimc quantize` on the bundled float
//! digits models, then the integer model in reference execution and in Arm's
//! TOSA reference model (bit-identical), and on the simulated chip.

use crate::oracle::harness::run_reference_model;
use cimc::context::new_context;
use cimc::diagnostics::Collector;
use cimc::reference::{self, Tensor};
use cimc::source;
use std::path::{Path, PathBuf};
use std::process::Command;

fn models() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../test/models")
}

/// The float test inputs of a model: NHWC, or NCHW for the torch-mlir one.
fn float_inputs(name: &str) -> PathBuf {
    models().join(if name == "dscnn_bn" {
        "digits_test_f32_nchw.npy"
    } else {
        "digits_test_f32.npy"
    })
}

/// Quantizes `name`.f32, calibrating on the test inputs.
fn quantize(name: &str, dir: &Path, args: &[&str]) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let out = dir.join(format!("{name}.q.mlir"));
    let run = Command::new(env!("CARGO_BIN_EXE_cimc"))
        .arg("quantize")
        .arg(models().join(format!("{name}.f32.mlir")))
        .arg("--calibration")
        .arg(float_inputs(name))
        .args(args)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "cimc quantize {name}: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    out
}

#[test]
fn quantized_models_are_bit_exact_with_the_reference_model() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("quantize");
    for (name, args) in [
        ("mlp", &[][..]),
        ("cnn", &[][..]),
        ("dscnn", &[][..]),
        ("cnn", &["--weight-bits", "4", "--per-tensor"][..]),
        ("dscnn", &["--activation-range", "mse"][..]),
        ("dscnn_bn", &[][..]),
    ] {
        let floats = Tensor::read_npy(&float_inputs(name)).unwrap();
        let path = quantize(name, &dir, args);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains("xf32>"),
            "{name} {args:?}: float tensors left"
        );
        let context = new_context().unwrap();
        let collector = Collector::default();
        collector.attach(&context);
        let module = source::parse(&context, text.as_bytes(), "q", &collector).unwrap();
        let grids = cimc::quantize::argument_grids(&module, None).expect("input grids recorded");
        let exe = reference::compile(&context, &module, None, &[], 2).unwrap();
        for i in (0..floats.shape()[0]).step_by(45) {
            let x = cimc::quantize::quantize_input(&floats.sample(i), grids[0].0, grids[0].1);
            let ours = exe.run(std::slice::from_ref(&x)).unwrap().remove(0);
            let theirs = run_reference_model(&dir.join(format!("{name}-{i}")), &text, &[x], 1)
                .unwrap_or_else(|e| panic!("{name} {args:?} sample {i}: {e}"))
                .remove(0);
            assert_eq!(
                ours.mismatches(&theirs),
                0,
                "{name} {args:?} sample {i}: reference execution vs the reference model"
            );
        }
    }
}

#[test]
fn quantized_models_keep_their_accuracy_and_run_on_the_chip() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("quantize-accuracy");
    for (name, float_correct) in [
        ("mlp", 444),
        ("cnn", 443),
        ("dscnn", 439),
        ("dscnn_bn", 445),
    ] {
        let path = quantize(name, &dir, &[]);
        let run = |executor: &str| -> String {
            let out = Command::new(env!("CARGO_BIN_EXE_cimc"))
                .arg(&path)
                .arg(format!("--run={executor}"))
                .arg("--input")
                .arg(float_inputs(name))
                .arg("--labels")
                .arg(models().join("digits_test_labels.npy"))
                .arg("-o")
                .arg(dir.join(format!("{name}.{executor}.npy")))
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8_lossy(&out.stdout).into_owned()
        };
        let reference = run("reference");
        let correct: usize = reference
            .split('(')
            .nth(1)
            .and_then(|s| s.split('/').next())
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no accuracy in {reference}"));
        // W8A8 min-max: at most 2 more errors than float (of 450).
        assert!(
            correct + 2 >= float_correct,
            "{name}: {correct}/450 correct after quantization, float {float_correct}"
        );
        run("sim");
        let a = std::fs::read(dir.join(format!("{name}.reference.npy"))).unwrap();
        let b = std::fs::read(dir.join(format!("{name}.sim.npy"))).unwrap();
        assert_eq!(a, b, "{name}: the simulated chip vs reference execution");
    }
}
