//! The graph phase is exact: every rule's lit input (test/graph/), and the
//! bundled models, compute the same bits before and after `cim-graph`, by
//! reference execution on random inputs.

use cimc::context::new_context;
use cimc::diagnostics::Collector;
use cimc::reference::{self, Tensor};
use cimc::source;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `text` through `cimc` with `args`: its standard output.
fn cimc(text: &str, args: &[&str]) -> String {
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let input = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("graph-in{call}.mlir"));
    std::fs::write(&input, text).expect("write input");
    let input = input.display().to_string();
    let mut all = vec![input.as_str()];
    all.extend_from_slice(args);
    crate::run_cimc(&all)
}

/// xorshift64*: the tests' inputs, seeded.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

/// Runs `text` by reference execution on `inputs` (random when `None`,
/// from `seed`), returning the outputs and the inputs used.
fn run(text: &str, inputs: Option<Vec<Tensor>>, seed: u64) -> (Vec<Tensor>, Vec<Tensor>) {
    let context = new_context().expect("context");
    let collector = Collector::default();
    collector.attach(&context);
    let module = source::parse(&context, text.as_bytes(), "graph.mlir", &collector)
        .unwrap_or_else(|| panic!("parses: {:?}", collector.take()));
    let exe = reference::compile(&context, &module, None, &[], 1).unwrap_or_else(|e| panic!("{e}"));
    let inputs = inputs.unwrap_or_else(|| {
        let mut random = Random(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
        exe.inputs
            .iter()
            .map(|ty| {
                let mut t = Tensor::zeros(ty);
                let bytes = ty.shape.iter().product::<usize>() * ty.dtype.size();
                let data = unsafe { std::slice::from_raw_parts_mut(t.data_ptr(), bytes) };
                for b in data {
                    *b = random.next() as u8;
                }
                t
            })
            .collect()
    });
    let outputs = exe.run(&inputs).expect("runs");
    (outputs, inputs)
}

/// Every split of every rule group's lit test, before and after cim-graph,
/// on random inputs of eight seeds: the same bits.
#[test]
fn every_rule_is_exact_on_random_inputs() {
    let mut checked = 0;
    let mut entries: Vec<_> = std::fs::read_dir(repo().join("test/graph"))
        .expect("test/graph")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "mlir"))
        .collect();
    entries.sort();
    for path in entries {
        let text = std::fs::read_to_string(&path).expect("read");
        for (i, chunk) in text.split("\n// -----\n").enumerate() {
            let after = cimc(
                chunk,
                &["--pass-pipeline=builtin.module(func.func(cim-graph))"],
            );
            assert!(
                after.contains("cim.graph"),
                "{}#{i}: the pass ran",
                path.display()
            );
            for seed in 0..8 {
                let (before, inputs) = run(chunk, None, seed);
                let (ours, _) = run(&after, Some(inputs), seed);
                assert_eq!(before.len(), ours.len());
                for (a, b) in before.iter().zip(&ours) {
                    assert_eq!(a.ty(), b.ty(), "{}#{i}", path.display());
                    assert_eq!(a.mismatches(b), 0, "{}#{i}, seed {seed}", path.display());
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 9, "only {checked} cases");
}

/// The bundled digits models through the graph phase at -O2 compute what
/// they computed before, on their committed test inputs.
#[test]
fn bundled_models_are_exact_through_the_graph_phase() {
    for model in ["mlp", "cnn", "dscnn"] {
        let path = repo().join(format!("test/models/{model}.int8.mlir"));
        let text = std::fs::read_to_string(&path).expect("model");
        let after = cimc(&text, &["-O2", "--emit=graph"]);
        assert!(after.contains("stop = \"saturated\""), "{model}");
        let samples = Tensor::read_npy(&repo().join(format!("test/models/{model}.int8.input.npy")))
            .expect("inputs");
        for i in 0..16 {
            let (before, inputs) = run(&text, Some(vec![samples.sample(i)]), 0);
            let (ours, _) = run(&after, Some(inputs), 0);
            assert_eq!(before[0].mismatches(&ours[0]), 0, "{model} sample {i}");
        }
    }
}
