//! Reference execution of the bundled models against the outputs of Arm's
//! TOSA reference model (committed as golden files by the generator).

use cimc::context::new_context;
use cimc::diagnostics::Collector;
use cimc::reference::{self, Tap, Tensor};
use cimc::run::top1;
use cimc::source;
use std::path::{Path, PathBuf};

fn models() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../test/models")
}

fn load(name: &str) -> Tensor {
    let path = models().join(name);
    Tensor::read_npy(&path).unwrap_or_else(|err| panic!("{err}"))
}

/// Runs `model` on every sample of `inputs`; returns the stacked outputs.
fn run_model(model: &str, inputs: &Tensor) -> Tensor {
    let context = new_context().expect("context");
    let collector = Collector::default();
    collector.attach(&context);
    let path = models().join(model);
    let bytes = std::fs::read(&path).expect("model file");
    let module = source::parse(&context, &bytes, model, &collector).expect("model parses");
    let exe = reference::compile(&context, &module, None, &[], 3)
        .unwrap_or_else(|err| panic!("{model}: {err}"));
    let outputs: Vec<Tensor> = (0..inputs.shape()[0])
        .map(|i| exe.run(&[inputs.sample(i)]).expect("runs").remove(0))
        .collect();
    Tensor::concat(&outputs).expect("same types")
}

fn manifest_accuracy(model: &str, key: &str) -> f64 {
    let text = std::fs::read_to_string(models().join("manifest.json")).expect("manifest");
    let json: serde_json::Value = serde_json::from_str(&text).expect("manifest is JSON");
    json["models"][model]["accuracy"][key]
        .as_f64()
        .expect("accuracy recorded")
}

#[test]
fn int8_models_are_bit_exact_with_the_reference_model() {
    let labels = load("digits_test_labels.npy");
    for model in ["mlp", "cnn", "dscnn"] {
        let inputs = load(&format!("{model}.int8.input.npy"));
        let golden = load(&format!("{model}.int8.golden.npy"));
        let ours = run_model(&format!("{model}.int8.mlir"), &inputs);
        assert_eq!(ours.ty(), golden.ty(), "{model}");
        let mismatches = ours.mismatches(&golden);
        assert_eq!(
            mismatches, 0,
            "{model}: {mismatches} output elements differ from the reference model"
        );
        let (correct, total) = top1(&ours, &labels, "labels", 450).expect("labels");
        let recorded = manifest_accuracy(model, "tosa_ref_int8");
        let recorded_correct = (recorded * total as f64).round() as usize;
        assert_eq!(
            correct, recorded_correct,
            "{model}: top-1 differs from test/models/README.md"
        );
    }
}

#[test]
fn float_models_match_the_reference_model() {
    for (model, input) in [
        ("mlp", "digits_test_f32.npy"),
        ("cnn", "digits_test_f32.npy"),
        ("dscnn", "digits_test_f32.npy"),
        ("dscnn_bn", "digits_test_f32_nchw.npy"),
    ] {
        let golden = load(&format!("{model}.f32.golden.npy")).to_f64();
        let ours = run_model(&format!("{model}.f32.mlir"), &load(input)).to_f64();
        let range = golden.iter().cloned().fold(f64::MIN, f64::max)
            - golden.iter().cloned().fold(f64::MAX, f64::min);
        let worst = ours
            .iter()
            .zip(&golden)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(
            worst <= 1e-5 * range,
            "{model}: max abs error {worst} exceeds 1e-5 of the output range {range}"
        );
    }
}

fn rss_kib() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").expect("procfs");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

#[test]
fn memory_stays_flat_over_a_thousand_calls() {
    let context = new_context().expect("context");
    let collector = Collector::default();
    collector.attach(&context);
    let bytes = std::fs::read(models().join("cnn.int8.mlir")).expect("model");
    let module = source::parse(&context, &bytes, "cnn.int8.mlir", &collector).expect("parses");
    let exe = reference::compile(&context, &module, None, &[], 3).expect("compiles");
    let input = load("cnn.int8.input.npy").sample(0);
    for _ in 0..100 {
        exe.run(std::slice::from_ref(&input)).expect("runs");
    }
    let before = rss_kib();
    for _ in 0..1000 {
        exe.run(std::slice::from_ref(&input)).expect("runs");
    }
    let grown = rss_kib().saturating_sub(before);
    // One leaked intermediate buffer per call would be > 1000 KiB here.
    assert!(grown < 512, "RSS grew by {grown} KiB over 1000 calls");
}

#[test]
fn taps_return_intermediate_tensors() {
    let context = new_context().expect("context");
    let collector = Collector::default();
    collector.attach(&context);
    let text = r#"
func.func @main(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %z = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %0 = tosa.abs %a : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = tosa.negate %0, %z, %z : (tensor<2x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}
"#;
    let module = source::parse(&context, text.as_bytes(), "taps.mlir", &collector).expect("parses");
    let exe = reference::compile(&context, &module, None, &[Tap { op: 1, result: 0 }], 3)
        .expect("compiles");
    assert_eq!(exe.outputs.len(), 2);
    let input = Tensor::F32(
        ndarray::ArrayD::from_shape_vec(vec![2, 3], vec![-1.0, 2.0, -3.0, 4.0, -5.0, 6.0]).unwrap(),
    );
    let out = exe.run(&[input]).expect("runs");
    assert_eq!(out[0].to_f64(), vec![-1.0, -2.0, -3.0, -4.0, -5.0, -6.0]);
    assert_eq!(
        out[1].to_f64(),
        vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        "the tap is abs's result"
    );
    // The caller's module is untouched: compiling it again has one result.
    let plain = reference::compile(&context, &module, None, &[], 0).expect("compiles");
    assert_eq!(plain.outputs.len(), 1);
    assert!(matches!(
        reference::compile(&context, &module, None, &[Tap { op: 9, result: 0 }], 0),
        Err(reference::ReferenceError::Tap(9))
    ));
}
