//! End to end on the simulated chip: bundled int8 models compiled through
//! every phase, JIT-compiled, driving the runtime's simulator; a C program
//! linking a compiled object with the runtime library.

use crate::mapping::ideal_adc;
use cimc::context::new_context;
use cimc::diagnostics::Collector;
use cimc::pipeline;
use cimc::pipelines::{compile_pipeline, OptLevel, Phase};
use cimc::reference::{self, Tensor};
use cimc::report::Report;
use cimc::simulate::Simulation;
use cimc::source;
use cimc_passes::PassContext;
use cimc_runtime::KernelChoice;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn model(name: &str) -> PathBuf {
    root().join(format!("test/models/{name}"))
}

fn run_all(sim: &mut Simulation, inputs: &Tensor) -> Tensor {
    let outputs: Vec<Tensor> = (0..inputs.shape()[0])
        .map(|i| sim.run(&[inputs.sample(i)]).expect("runs").remove(0))
        .collect();
    Tensor::concat(&outputs).expect("one type")
}

/// Every bundled int8 model on every preset with an ideal ADC, once with the
/// ideal-ADC fast path and once with bit-plane kernels everywhere: outputs
/// equal the Arm reference model's (the golden files) and reference
/// execution's, on all 450 test samples; the simulator's array steps equal
/// the mapping report's W.
#[test]
fn bundled_models_are_bit_exact_on_every_preset() {
    for name in ["mlp", "cnn", "dscnn"] {
        let path = model(&format!("{name}.int8.mlir"));
        let inputs = Tensor::read_npy(&model(&format!("{name}.int8.input.npy"))).unwrap();
        let golden = Tensor::read_npy(&model(&format!("{name}.int8.golden.npy"))).unwrap();
        let context = new_context().expect("context");
        let collector = Collector::default();
        collector.attach(&context);
        let bytes = std::fs::read(&path).unwrap();
        let module =
            source::parse(&context, &bytes, &path.display().to_string(), &collector).unwrap();
        let reference = reference::compile(&context, &module, None, &[], 2).unwrap();
        let expected: Vec<Tensor> = (0..inputs.shape()[0])
            .map(|i| reference.run(&[inputs.sample(i)]).unwrap().remove(0))
            .collect();
        let expected = Tensor::concat(&expected).unwrap();
        assert_eq!(
            expected.mismatches(&golden),
            0,
            "{name}: reference execution"
        );

        for preset in cimc_target::PRESET_NAMES {
            let (target, assume_ideal) = ideal_adc(preset);
            assert!(!assume_ideal, "{preset}: an ideal ADC fits the schema");
            let passes = PassContext {
                target: Arc::new(target),
                ..PassContext::default()
            };
            let mut sim = Simulation::compile(
                &context,
                &module,
                None,
                &passes,
                (OptLevel(2), &[]),
                KernelChoice::Auto,
            )
            .unwrap_or_else(|e| panic!("{preset}/{name}: {e}"));
            let fast = run_all(&mut sim, &inputs);
            assert_eq!(fast.mismatches(&golden), 0, "{preset}/{name}: fast path");
            sim.set_kernel(KernelChoice::BitPlane);
            let sliced = run_all(&mut sim, &inputs);
            assert_eq!(sliced.mismatches(&golden), 0, "{preset}/{name}: bit-plane");
            let stats = sim.finish(2 * inputs.shape()[0] as u64).unwrap();

            // The mapping report's W for one inference.
            let mut mapped = source::parse(&context, &bytes, "m", &collector).unwrap();
            pipeline::run(
                &context,
                &mut mapped,
                &compile_pipeline(Phase::Cim, OptLevel(2), 1, &[]),
                &passes,
                &collector,
            )
            .unwrap();
            let report = Report::from_module(&mapped, &passes.target)
                .unwrap()
                .unwrap();
            assert_eq!(
                stats.array_steps,
                report.work() as u64 * 2 * inputs.shape()[0] as u64,
                "{preset}/{name}: simulated array steps vs the report's W"
            );
        }
    }
}

/// The trace of a bundled model is Chrome trace JSON whose events add up to
/// the reported totals.
#[test]
fn trace_is_chrome_json_and_adds_up() {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("trace-cnn");
    std::fs::create_dir_all(&out).unwrap();
    let trace = out.join("trace.json");
    let stats_path = out.join("stats.json");
    let input = out.join("x.npy");
    let all = Tensor::read_npy(&model("cnn.int8.input.npy")).unwrap();
    let few: Vec<Tensor> = (0..5).map(|i| all.sample(i).with_batch_axis()).collect();
    Tensor::concat(&few).unwrap().write_npy(&input).unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_cimc"))
        .arg(model("cnn.int8.mlir"))
        .args(["--run", "--input"])
        .arg(&input)
        .arg("--trace")
        .arg(&trace)
        .arg("--stats-json")
        .arg(&stats_path)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let trace: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&trace).unwrap()).expect("valid JSON");
    let stats: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&stats_path).unwrap()).unwrap();
    let events = trace["traceEvents"].as_array().expect("traceEvents");
    let complete: Vec<&serde_json::Value> = events.iter().filter(|e| e["ph"] == "X").collect();
    assert!(!complete.is_empty());
    for event in &complete {
        for key in ["name", "ts", "dur", "pid", "tid"] {
            assert!(!event[key].is_null(), "event without {key}: {event}");
        }
    }
    let sum = |key: &str| -> f64 {
        complete
            .iter()
            .map(|e| e["args"][key].as_f64().unwrap_or(0.0))
            .sum()
    };
    let steps = stats["array_steps"].as_f64().unwrap();
    assert_eq!(sum("steps"), steps);
    assert_eq!(sum("ops"), stats["ops"].as_f64().unwrap());
    let energy = stats["energy_pj"]["total"].as_f64().unwrap();
    assert!((sum("energy_pj") - energy).abs() <= 1e-6 * energy, "energy");
    // 5 samples of the cnn: 5 × its W on isaac.
    assert_eq!(steps as u64 % 5, 0);
}

/// `cimc net.mlir -o net.o`, linked with the runtime library into a C
/// program built with gcc against the documented header, runs the model on
/// the simulator bit-exactly.
#[test]
fn c_driver_runs_a_compiled_object() {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("c-driver");
    std::fs::create_dir_all(&out).unwrap();
    let object = out.join("net.o");
    let cimc = env!("CARGO_BIN_EXE_cimc");
    let compiled = Command::new(cimc)
        .arg(model("cnn.int8.mlir"))
        .arg("-o")
        .arg(&object)
        .output()
        .unwrap();
    assert!(
        compiled.status.success(),
        "{}",
        String::from_utf8_lossy(&compiled.stderr)
    );
    let toml = out.join("isaac.toml");
    let printed = Command::new(cimc).arg("--print-target").output().unwrap();
    std::fs::write(&toml, printed.stdout).unwrap();

    // The runtime's static library, built beside this test binary.
    let exe = std::env::current_exe().unwrap();
    let deps = exe.parent().unwrap();
    let lib = [deps, deps.parent().unwrap()]
        .iter()
        .map(|d| d.join("libcimc_runtime.a"))
        .find(|p| p.exists())
        .expect("libcimc_runtime.a next to the test binary");
    let driver = out.join("driver");
    let cc = std::env::var("CC").unwrap_or_else(|_| "gcc".into());
    let built = Command::new(&cc)
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-O1", "-I"])
        .arg(root().join("runtime/include"))
        .arg(root().join("compiler/tests/suite/c/driver.c"))
        .arg(&object)
        .arg(&lib)
        .args([
            "-L/usr/lib/llvm-22/lib",
            "-Wl,-rpath,/usr/lib/llvm-22/lib",
            "-lmlir_c_runner_utils",
            "-lpthread",
            "-ldl",
            "-lm",
            "-o",
        ])
        .arg(&driver)
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "{cc}: {}",
        String::from_utf8_lossy(&built.stderr)
    );

    let inputs = Tensor::read_npy(&model("cnn.int8.input.npy")).unwrap();
    let n = 50;
    let bytes: Vec<u8> = inputs.to_f64()[..n * 64]
        .iter()
        .map(|v| *v as i8 as u8)
        .collect();
    std::fs::write(out.join("in.bin"), bytes).unwrap();
    let ran = Command::new(&driver)
        .arg(&toml)
        .arg(out.join("in.bin"))
        .arg(n.to_string())
        .arg(out.join("out.bin"))
        .arg(out.join("trace.json"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&ran.stdout);
    assert!(
        ran.status.success() && stdout.starts_with("cycles="),
        "{stdout}{}",
        String::from_utf8_lossy(&ran.stderr)
    );
    let golden = Tensor::read_npy(&model("cnn.int8.golden.npy"))
        .unwrap()
        .to_f64();
    let got: Vec<f64> = std::fs::read(out.join("out.bin"))
        .unwrap()
        .iter()
        .map(|b| f64::from(*b as i8))
        .collect();
    assert_eq!(
        got,
        golden[..n * 10],
        "C driver outputs vs the reference model"
    );
    serde_json::from_str::<serde_json::Value>(
        &std::fs::read_to_string(out.join("trace.json")).unwrap(),
    )
    .expect("the C program's trace is JSON");
}
