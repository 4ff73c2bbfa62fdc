//! Runs batches of cases on cimc's reference execution and on Arm's TOSA
//! reference model, and reports every case whose results differ.

use super::gen::seed;
use super::mlir::{module_text, Case};
use cimc::context::new_context;
use cimc::diagnostics::{Collector, Renderer};
use cimc::reference::{self, Tensor};
use cimc::source;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Instant;

/// A batch holds at most this many cases and about this many lines of MLIR:
/// one reference-model process and one JIT compilation per batch. LLVM's O3
/// time grows faster than the function: 300 rescale cases took 10.3 s of JIT
/// in batches of 100, 4.4 s in batches of 30, 3.9 s in batches of 12.
const BATCH_CASES: usize = 40;
const BATCH_LINES: usize = 400;

/// The optimization level of the JIT: the one the bundled-model tests use.
/// O0 would take a third of the time, but only optimized code shows what
/// LLVM makes of poison and undefined behaviour in the lowered IR.
const OPT_LEVEL: u8 = 3;

/// The reference model's two binaries in the project venv.
struct Oracle {
    tosa_opt: PathBuf,
    model: PathBuf,
}

fn oracle() -> &'static Oracle {
    static ORACLE: OnceLock<Oracle> = OnceLock::new();
    ORACLE.get_or_init(|| {
        let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv/lib");
        let bin = std::fs::read_dir(&venv)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|entry| entry.file_name().to_string_lossy().starts_with("python3"))
            .map(|entry| entry.path().join("site-packages/bin"))
            .find(|bin| {
                bin.join("tosa_reference_model").is_file() && bin.join("tosa-opt").is_file()
            })
            .unwrap_or_else(|| {
                panic!(
                    "Arm's TOSA reference model (tosa-tools) is not installed in {}: \
                     run `bash scripts/dev setup`",
                    venv.display()
                )
            });
        Oracle {
            tosa_opt: bin.join("tosa-opt"),
            model: bin.join("tosa_reference_model"),
        }
    })
}

/// An int8 tensor as numpy writes it: the reference model's reader counts
/// a dimension too many in npyz's `(1, 8, 8, 1, )` shape tuples.
fn write_int_npy(path: &Path, tensor: &Tensor) -> Result<(), String> {
    let descr = match tensor.dtype() {
        reference::DType::I8 => "|i1",
        reference::DType::I16 => "<i2",
        other => {
            return Err(format!(
                "inputs to the reference model here are int8 or int16, got {}",
                other.numpy()
            ))
        }
    };
    let dims: Vec<String> = tensor.shape().iter().map(ToString::to_string).collect();
    let shape = match dims.len() {
        1 => format!("({},)", dims[0]),
        _ => format!("({})", dims.join(", ")),
    };
    let mut header = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend((header.len() as u16).to_le_bytes());
    bytes.extend(header.as_bytes());
    for v in tensor.to_f64() {
        if descr == "|i1" {
            bytes.push(v as i8 as u8);
        } else {
            bytes.extend((v as i16).to_le_bytes());
        }
    }
    std::fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// Runs `text` (one function taking `inputs`, `results` results) on the
/// reference model in `dir`.
pub fn run_reference_model(
    dir: &Path,
    text: &str,
    inputs: &[Tensor],
    results: usize,
) -> Result<Vec<Tensor>, String> {
    let oracle = oracle();
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mlir = dir.join("m.mlir");
    std::fs::write(&mlir, text).map_err(|e| e.to_string())?;
    let serialized = Command::new(&oracle.tosa_opt)
        .arg(&mlir)
        .arg("--tosa-serialize")
        .arg(format!(
            "--tosa-flatbuffer-filename={}",
            dir.join("m.tosa").display()
        ))
        .arg("-o")
        .arg("/dev/null")
        .output()
        .map_err(|e| format!("cannot run {}: {e}", oracle.tosa_opt.display()))?;
    if !serialized.status.success() {
        return Err(format!(
            "tosa-opt --tosa-serialize failed ({}): {}",
            serialized.status,
            String::from_utf8_lossy(&serialized.stderr).trim()
        ));
    }
    let names: Vec<String> = (0..results).map(|i| format!("TosaOutput_{i}")).collect();
    let files: Vec<String> = (0..results).map(|i| format!("o{i}.npy")).collect();
    let mut ifm_names = Vec::new();
    let mut ifm_files = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let file = format!("i{i}.npy");
        write_int_npy(&dir.join(&file), input)?;
        ifm_names.push(format!("TosaInput_{i}"));
        ifm_files.push(file);
    }
    let desc = serde_json::json!({
        "tosa_file": "m.tosa",
        "ifm_name": ifm_names,
        "ifm_file": ifm_files,
        "ofm_name": names,
        "ofm_file": files,
        "expected_failure": false,
    });
    let desc_path = dir.join("desc.json");
    std::fs::write(&desc_path, desc.to_string()).map_err(|e| e.to_string())?;
    let run = Command::new(&oracle.model)
        .arg("--test_desc")
        .arg(&desc_path)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", oracle.model.display()))?;
    if !run.status.success() {
        return Err(format!(
            "tosa_reference_model failed ({}): a REQUIRE or ERROR_IF failure means the \
             generator made a case TOSA does not define:\n{}{}",
            run.status,
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr)
        ));
    }
    files
        .iter()
        .map(|file| Tensor::read_npy(&dir.join(file)).map_err(|e| format!("{file}: {e}")))
        .collect()
}

/// Runs `text` through cimc's reference execution.
fn run_cimc(text: &str) -> Result<Vec<Tensor>, String> {
    let context = new_context().map_err(|e| e.to_string())?;
    let collector = Collector::default();
    collector.attach(&context);
    let module =
        source::parse(&context, text.as_bytes(), "case.mlir", &collector).ok_or_else(|| {
            let renderer = Renderer {
                sources: vec![("case.mlir", text)],
            };
            collector
                .take()
                .iter()
                .map(|d| renderer.render(d))
                .collect::<String>()
        })?;
    let exe = reference::compile(&context, &module, None, &[], OPT_LEVEL)
        .map_err(|e| format!("cimc cannot compile it: {e}"))?;
    exe.run(&[]).map_err(|e| format!("cimc cannot run it: {e}"))
}

/// Why a case failed.
enum Failure {
    /// The reference model (or its serializer) rejected the case alone.
    Oracle(String),
    /// cimc rejected the case alone.
    Cimc(String),
    /// Both ran; result `index` differs.
    Mismatch { index: usize, detail: String },
}

impl Failure {
    fn describe(&self) -> String {
        match self {
            Failure::Oracle(msg) => {
                format!("the reference model rejects it (generator bug): {msg}")
            }
            Failure::Cimc(msg) => format!("cimc fails on it: {msg}"),
            Failure::Mismatch { index, detail } => format!("result {index}: {detail}"),
        }
    }
}

struct Failed<'a> {
    case: &'a Case,
    failure: Failure,
}

fn compare(ours: &Tensor, reference: &Tensor) -> Option<String> {
    if ours.ty() != reference.ty() {
        return Some(format!(
            "cimc returns {}, the reference model {}",
            ours.ty(),
            reference.ty()
        ));
    }
    let (a, b) = (ours.to_f64(), reference.to_f64());
    let diffs: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
    if diffs.is_empty() {
        return None;
    }
    let shown: Vec<String> = diffs
        .iter()
        .take(8)
        .map(|&i| format!("[{i}] cimc {} reference {}", a[i], b[i]))
        .collect();
    Some(format!(
        "{} of {} elements differ (flat index): {}{}",
        diffs.len(),
        a.len(),
        shown.join(", "),
        if diffs.len() > 8 { ", ..." } else { "" }
    ))
}

/// Seconds spent in each side.
#[derive(Default)]
struct Times {
    oracle: f64,
    cimc: f64,
}

/// Runs one batch; `Err` when either side fails on the batch as a whole.
fn run_batch<'a>(
    dir: &Path,
    cases: &[&'a Case],
    time: &mut Times,
) -> Result<Vec<Failed<'a>>, Failure> {
    let text = module_text(cases);
    let count: usize = cases.iter().map(|c| c.results().len()).sum();
    let start = Instant::now();
    let expected = run_reference_model(dir, &text, &[], count).map_err(Failure::Oracle)?;
    time.oracle += start.elapsed().as_secs_f64();
    let start = Instant::now();
    let ours = run_cimc(&text).map_err(Failure::Cimc)?;
    time.cimc += start.elapsed().as_secs_f64();
    let mut failed = Vec::new();
    let mut index = 0;
    for case in cases {
        for i in 0..case.results().len() {
            if let Some(detail) = compare(&ours[index], &expected[index]) {
                failed.push(Failed {
                    case,
                    failure: Failure::Mismatch { index: i, detail },
                });
            }
            index += 1;
        }
    }
    if std::env::var_os("CIMC_ORACLE_KEEP").is_none() {
        let _ = std::fs::remove_dir_all(dir);
    }
    Ok(failed)
}

/// Splits cases into batches by count and size (`CIMC_ORACLE_BATCH` sets
/// the most cases per batch).
fn batches(cases: &[Case]) -> Vec<Vec<&Case>> {
    let most = std::env::var("CIMC_ORACLE_BATCH")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(BATCH_CASES);
    let mut out: Vec<Vec<&Case>> = vec![Vec::new()];
    let mut lines = 0;
    for case in cases {
        let size = module_text(&[case]).lines().count();
        let last = out.last_mut().expect("one batch");
        if !last.is_empty() && (last.len() >= most || lines + size > BATCH_LINES) {
            out.push(Vec::new());
            lines = 0;
        }
        out.last_mut().expect("one batch").push(case);
        lines += size;
    }
    out
}

/// Checks every case of a family: cimc's reference execution must give
/// exactly the reference model's results. Panics with the seed and the MLIR
/// of failing cases.
pub fn check_family(family: &str, cases: Vec<Case>) {
    let start = Instant::now();
    // Per process: two test runs at once must not share files.
    let root = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("oracle")
        .join(std::process::id().to_string());
    let batches = batches(&cases);
    let mut failed: Vec<Failed> = Vec::new();
    let mut time = Times::default();
    // Batches that fail as a whole although each of their cases passes alone.
    let mut batch_errors: Vec<String> = Vec::new();
    for (b, batch) in batches.iter().enumerate() {
        let dir = root.join(format!("{family}-{b}"));
        match run_batch(&dir, batch, &mut time) {
            Ok(found) => failed.extend(found),
            // Something in the batch fails as a whole: find which cases.
            Err(batch_failure) => {
                let before = failed.len();
                for (i, case) in batch.iter().enumerate() {
                    let dir = root.join(format!("{family}-{b}-{i}"));
                    match run_batch(&dir, &[case], &mut time) {
                        Ok(found) => failed.extend(found),
                        Err(failure) => failed.push(Failed { case, failure }),
                    }
                }
                if failed.len() == before {
                    batch_errors.push(format!(
                        "batch {b} ({} cases) fails as a whole, its cases pass alone: {}",
                        batch.len(),
                        batch_failure.describe()
                    ));
                }
            }
        }
    }
    let _ = std::fs::remove_dir(&root);
    eprintln!(
        "oracle {family}: {} cases in {} batches, {} failed, {:.1} s \
         (reference model {:.1} s, cimc {:.1} s)",
        cases.len(),
        batches.len(),
        failed.len(),
        start.elapsed().as_secs_f64(),
        time.oracle,
        time.cimc
    );
    if failed.is_empty() && batch_errors.is_empty() {
        return;
    }
    let mut report = format!(
        "{family}: {} of {} cases fail (CIMC_ORACLE_SEED={} reproduces them)\n",
        failed.len(),
        cases.len(),
        seed()
    );
    for error in &batch_errors {
        report.push_str(&format!("\n{error}\n"));
    }
    for (i, f) in failed.iter().enumerate() {
        let what = f.failure.describe();
        if i < 3 {
            report.push_str(&format!(
                "\n=== case `{}`: {what}\n{}",
                f.case.label,
                module_text(&[f.case])
            ));
        } else if i < 40 {
            report.push_str(&format!(
                "\n--- case `{}`: {}",
                f.case.label,
                first_line(&what)
            ));
        }
    }
    panic!("{report}");
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}
