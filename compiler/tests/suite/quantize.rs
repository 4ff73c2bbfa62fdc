//! The quantization level end to end: `cimc quantize` on the bundled float
//! digits models and on the residual models of `test/quant/Inputs` (a
//! residual add, a subtraction and a concat of activations; per-op
//! overrides; fp16 weights and data movement between the layers), then the integer model in reference execution and in Arm's
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

/// The hand-written residual models and their data.
fn quant_inputs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../test/quant/Inputs")
}

fn is_residual(name: &str) -> bool {
    name.starts_with("residual")
}

/// The float model `name`.f32.mlir.
fn float_model(name: &str) -> PathBuf {
    let dir = if is_residual(name) {
        quant_inputs()
    } else {
        models()
    };
    dir.join(format!("{name}.f32.mlir"))
}

/// The float test inputs of a model: NHWC, or NCHW for the torch-mlir one.
fn float_inputs(name: &str) -> PathBuf {
    if is_residual(name) {
        return quant_inputs().join("residual_input.npy");
    }
    models().join(if name == "dscnn_bn" {
        "digits_test_f32_nchw.npy"
    } else {
        "digits_test_f32.npy"
    })
}

/// The calibration data: the digits test inputs, or the residual models'
/// own calibration samples.
fn calibration(name: &str) -> PathBuf {
    if is_residual(name) {
        quant_inputs().join("residual_calib.npy")
    } else {
        float_inputs(name)
    }
}

/// Quantizes `name`.f32, calibrating on its calibration data.
fn quantize(name: &str, dir: &Path, args: &[&str]) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let out = dir.join(format!("{name}.q.mlir"));
    let run = Command::new(env!("CARGO_BIN_EXE_cimc"))
        .arg("quantize")
        .arg(float_model(name))
        .arg("--calibration")
        .arg(calibration(name))
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
        ("residual", &[][..]),
        ("residual", &["--weight-bits", "4"][..]),
        ("residual_mixed", &[][..]),
        // AdaRound's and bias correction's weights (i4 and 2-bit grids,
        // corrected biases) on the same footing.
        (
            "cnn",
            &[
                "--weight-bits",
                "2",
                "--weight-range",
                "mse",
                "--adaround",
                "--adaround-iterations",
                "100",
            ][..],
        ),
        (
            "dscnn_bn",
            &[
                "--weight-bits",
                "4",
                "--per-tensor",
                "--cle",
                "--bias-correction",
                "analytical",
            ][..],
        ),
        ("dscnn", &["--weight-bits", "4", "--bias-correction"][..]),
        // 16-bit activations (i16 tensors, i48 accumulators, 16-bit
        // rescale multipliers): convolutions, and in the residual model a
        // matmul (i16 x i16), add, sub, concat and average pooling.
        ("cnn", &["--activation-bits", "16"][..]),
        ("residual", &["--activation-bits", "16"][..]),
        // Asymmetric weights (a weight zero point) with bias correction,
        // under 16-bit activations too; symmetric 8-bit activations.
        (
            "dscnn_bn",
            &[
                "--weight-bits",
                "4",
                "--per-tensor",
                "--asymmetric-weights",
                "--bias-correction",
            ][..],
        ),
        (
            "cnn",
            &[
                "--activation-bits",
                "16",
                "--per-tensor",
                "--asymmetric-weights",
            ][..],
        ),
        ("residual", &["--symmetric-activations"][..]),
        // fp16 weights behind casts, reshaped and transposed weights, and
        // pad, transpose, slice, tile and f16 casts between the layers.
        ("residual_views", &[][..]),
        (
            "residual_views",
            &[
                "--weight-bits",
                "4",
                "--cle",
                "--adaround",
                "--adaround-iterations",
                "100",
            ][..],
        ),
        ("residual_views", &["--bias-correction"][..]),
        ("residual_views", &["--activation-bits", "16"][..]),
        // PReLU, leaky ReLU, hard-swish, GELU, maximum/minimum, reduce_max,
        // mean, softmax and argmax as tosa-converter-for-tflite spells them.
        ("residual_activations", &[][..]),
        ("residual_activations", &["--activation-bits", "16"][..]),
        (
            "residual_activations",
            &["--symmetric-activations", "--cle"][..],
        ),
        // greater, equal, logical_or, select, reduce_min, minimum with a
        // constant, a constant minus an activation, mul by slopes.
        ("residual_compare", &[][..]),
        ("residual_compare", &["--activation-bits", "16"][..]),
        // Ops kept in float between a dequantize and a quantize: a sin
        // without an integer form, a product chosen by --config.
        ("residual_fallback", &["--float-fallback"][..]),
        (
            "residual_views",
            &["--config", "../test/quant/Inputs/config_keep_float.toml"][..],
        ),
    ] {
        let floats = Tensor::read_npy(&float_inputs(name)).unwrap();
        let path = quantize(name, &dir, args);
        let text = std::fs::read_to_string(&path).unwrap();
        let kept = text.matches("cim.quant.keep_float = true").count();
        let float_kept = args.contains(&"--float-fallback") || args.contains(&"--config");
        assert_eq!(
            kept > 0,
            float_kept,
            "{name} {args:?}: ops kept in float exactly when asked"
        );
        assert!(
            float_kept || !text.contains("xf32>"),
            "{name} {args:?}: float tensors left"
        );
        let context = new_context().unwrap();
        let collector = Collector::default();
        collector.attach(&context);
        let module = source::parse(&context, text.as_bytes(), "q", &collector).unwrap();
        let grids = cimc::quantize::argument_grids(&module, None).expect("input grids recorded");
        let (types, _) = reference::signature_of(&module, None).unwrap();
        let exe = reference::compile(&context, &module, None, &[], 2).unwrap();
        let step = if is_residual(name) { 4 } else { 45 };
        for i in (0..floats.shape()[0]).step_by(step) {
            let x = cimc::quantize::quantize_input(
                &floats.sample(i),
                grids[0].0,
                grids[0].1,
                types[0].dtype,
            )
            .expect("an integer argument");
            let ours = exe.run(std::slice::from_ref(&x)).unwrap();
            let theirs =
                run_reference_model(&dir.join(format!("{name}-{i}")), &text, &[x], ours.len())
                    .unwrap_or_else(|e| panic!("{name} {args:?} sample {i}: {e}"));
            assert_eq!(ours.len(), theirs.len(), "{name}: result count");
            for (r, (a, b)) in ours.iter().zip(&theirs).enumerate() {
                assert_eq!(
                    a.mismatches(b),
                    0,
                    "{name} {args:?} sample {i} result {r}: reference execution vs the reference model"
                );
            }
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

/// Runs `model` on the residual test inputs in reference execution; the
/// outputs as reals (an integer output dequantized on its result grid).
fn residual_outputs(model: &Path, out: &Path) -> (Vec<f64>, usize) {
    let run = Command::new(env!("CARGO_BIN_EXE_cimc"))
        .arg(model)
        .arg("--run=reference")
        .arg("--input")
        .arg(float_inputs("residual"))
        .arg("-o")
        .arg(out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let tensor = Tensor::read_npy(out).unwrap();
    let classes = tensor.shape()[1];
    let values = tensor.to_f64();
    let text = std::fs::read_to_string(model).unwrap();
    let grid = text.split("cim.quant.result_grids = [array<f64: ").nth(1);
    let values = match grid {
        None => values,
        Some(rest) => {
            let pair: Vec<f64> = rest
                .split('>')
                .next()
                .unwrap()
                .split(',')
                .map(|v| v.trim().parse().unwrap())
                .collect();
            values.iter().map(|q| (q - pair[1]) * pair[0]).collect()
        }
    };
    (values, classes)
}

fn argmax(row: &[f64]) -> usize {
    (0..row.len()).fold(0, |best, i| if row[i] > row[best] { i } else { best })
}

#[test]
fn residual_models_stay_close_to_the_float_model() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("quantize-residual");
    std::fs::create_dir_all(&dir).unwrap();
    let (float, classes) = residual_outputs(&float_model("residual"), &dir.join("float.npy"));
    let scale = float.iter().fold(0f64, |m, v| m.max(v.abs()));
    // W8A8: within 2% of the output range on average; with the overrides
    // (4- to 7-bit activations, W3 per tensor, given W4 scales) within 10%.
    for (name, mean_bound) in [("residual", 0.02), ("residual_mixed", 0.10)] {
        let path = quantize(name, &dir, &[]);
        let (ours, _) = residual_outputs(&path, &dir.join(format!("{name}.npy")));
        let mean = ours
            .iter()
            .zip(&float)
            .map(|(a, b)| (a - b).abs())
            .sum::<f64>()
            / float.len() as f64;
        assert!(
            mean <= mean_bound * scale,
            "{name}: mean |error| {mean} vs the float model (max |y| {scale})"
        );
        let agree = ours
            .chunks(classes)
            .zip(float.chunks(classes))
            .filter(|(a, b)| argmax(a) == argmax(b))
            .count();
        assert!(
            agree + 1 >= float.len() / classes,
            "{name}: top-1 agrees with the float model on {agree} of {} samples",
            float.len() / classes
        );
    }
}

/// An op without an integer form kept in float (`--float-fallback`): the
/// model stays close to its float original, and the simulated chip (which
/// runs the float op on the host) computes the same bytes as reference
/// execution.
#[test]
fn float_fallback_stays_close_and_runs_on_the_chip() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("quantize-fallback");
    std::fs::create_dir_all(&dir).unwrap();
    let name = "residual_fallback";
    let (float, _) = residual_outputs(&float_model(name), &dir.join("float.npy"));
    let scale = float.iter().fold(0f64, |m, v| m.max(v.abs()));
    let path = quantize(name, &dir, &["--float-fallback"]);
    let (ours, _) = residual_outputs(&path, &dir.join("ours.npy"));
    let mean = ours
        .iter()
        .zip(&float)
        .map(|(a, b)| (a - b).abs())
        .sum::<f64>()
        / float.len() as f64;
    assert!(
        mean <= 0.02 * scale,
        "mean |error| {mean} vs the float model (max |y| {scale})"
    );
    let run = |executor: &str| -> Vec<u8> {
        let out = dir.join(format!("{executor}.npy"));
        let status = Command::new(env!("CARGO_BIN_EXE_cimc"))
            .arg(&path)
            .arg(format!("--run={executor}"))
            .arg("--input")
            .arg(float_inputs(name))
            .arg("-o")
            .arg(&out)
            .output()
            .unwrap();
        assert!(
            status.status.success(),
            "{}",
            String::from_utf8_lossy(&status.stderr)
        );
        std::fs::read(out).unwrap()
    };
    assert_eq!(
        run("sim"),
        run("reference"),
        "the chip vs reference execution"
    );
}
