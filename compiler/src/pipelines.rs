//! The pass registry, the phases and the -O pipelines, in one place.
//!
//! A phase is a level of the compiler whose output is printable, parseable,
//! verifiable MLIR (`--emit=<phase>`); each phase is reached by a pipeline of
//! passes from the one before it. Lit tests cut at these boundaries.

use cimc_passes::PassInfo;
use std::borrow::Cow;

/// The phases of compilation, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Phase {
    /// The input: parsed, verified, and validated as TOSA 1.0 against the
    /// profiles and extensions it uses.
    Tosa,
    /// Integer TOSA: with `--calibration`, a float input quantized by the
    /// quantization passes around calibration (`crate::quantize`); an
    /// integer input as it came.
    Quant,
    /// Integer TOSA optimised for the chip by equality saturation
    /// (`cim-graph`, -O1 and up): the same values, fewer arrays, cycles and
    /// host ops under the target's cost.
    Graph,
    /// Integer convolutions and matmuls on crossbars: bit-sliced, tiled,
    /// placed and scheduled `cim` ops; everything else stays TOSA host ops.
    Cim,
    /// The host program in the LLVM dialect: crossbar work issued through
    /// runtime ABI calls over program tables (`cim-lower-to-runtime`), one
    /// function per layer, host ops through upstream lowering.
    Host,
    /// The host program as LLVM IR (translated from the LLVM dialect and
    /// optimized at the -O level); `-o FILE.o` writes it as an object file.
    Llvm,
}

/// Optimization level, `-O0` … `-O3`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct OptLevel(pub u8);

/// Where a pass runs: on the module, or on every `func.func` in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    Module,
    Func,
}

/// One pass of a pipeline: its argument, where it runs, its options in
/// MLIR's `{key=value ...}` syntax (empty: none) and the lowest -O level
/// that runs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub pass: &'static str,
    pub anchor: Anchor,
    pub options: Cow<'static, str>,
    pub from: OptLevel,
}

impl Step {
    /// `pass` on `anchor` with static `options`, from -O`from` up.
    pub const fn new(pass: &'static str, anchor: Anchor, options: &'static str, from: u8) -> Step {
        Step {
            pass,
            anchor,
            options: Cow::Borrowed(options),
            from: OptLevel(from),
        }
    }

    /// A pass on the module, at every -O level.
    pub const fn module(pass: &'static str) -> Step {
        Step::new(pass, Anchor::Module, "", 0)
    }

    /// A pass on every function, at every -O level.
    pub const fn func(pass: &'static str) -> Step {
        Step::new(pass, Anchor::Func, "", 0)
    }

    /// With options built at run time (from settings).
    pub fn with_owned(mut self, options: String) -> Step {
        self.options = Cow::Owned(options);
        self
    }

    /// The pass with its options, as in a pipeline.
    pub fn text(&self) -> String {
        if self.options.is_empty() {
            self.pass.to_string()
        } else {
            format!("{}{{{}}}", self.pass, self.options)
        }
    }
}

/// The text of `steps` as elements of a module pipeline: consecutive
/// function passes share one `func.func(...)` nest.
pub fn elements<'a>(steps: impl IntoIterator<Item = &'a Step>) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut nest: Vec<String> = Vec::new();
    for step in steps {
        match step.anchor {
            Anchor::Func => nest.push(step.text()),
            Anchor::Module => {
                if !nest.is_empty() {
                    out.push(format!("func.func({})", nest.join(",")));
                    nest.clear();
                }
                out.push(step.text());
            }
        }
    }
    if !nest.is_empty() {
        out.push(format!("func.func({})", nest.join(",")));
    }
    out.join(",")
}

/// `builtin.module(...)` of `steps`.
pub fn module_pipeline<'a>(steps: impl IntoIterator<Item = &'a Step>) -> String {
    format!("builtin.module({})", elements(steps))
}

/// The input made static before anything checks it: a dynamic leading
/// (batch) dimension of a function argument becomes the batch compiled for
/// (`--batch`, default 1), shape inference carries it through the body, and
/// what inference leaves (casts before the return, `-1` in reshape shapes)
/// is folded away; constants held in `dense_resource` blobs become dense
/// ones (`cim-materialize-resources`); then the TFLite custom operators that
/// are TOSA ops (`cim-legalize-custom`) become those ops. A static module of
/// plain TOSA passes unchanged.
pub fn specialize_steps(batch: u32) -> Vec<Step> {
    vec![
        Step::module("cim-specialize-batch").with_owned(format!("batch={batch}")),
        Step::module("cim-materialize-resources"),
        Step::func("tosa-infer-shapes"),
        Step::module("cim-settle-shapes"),
        Step::func("cim-legalize-custom"),
    ]
}

/// The input checks: cimc's own first (upstream passes, tosa-validate
/// included, can crash on input they do not expect), then TOSA validation.
/// Every path that takes TOSA in (the phases, reference execution,
/// quantization) runs exactly these.
pub const TOSA_CHECKS: &[Step] = &[
    Step::module("cim-verify-tosa-input"),
    Step::module("cim-attach-tosa-target"),
    Step::module("tosa-validate"),
    Step::module("cim-verify-tosa-spec"),
    Step::module("cim-detach-tosa-target"),
];

/// The input phase: the checks, then a stable name for every crossbar
/// layer (`cim.layer`) that reports, configurations and traces key on.
const TOSA: &[Step] = &[Step::func("cim-name-layers")];

/// Equality saturation over the integer graph, from -O1 up.
const GRAPH: &[Step] = &[Step::new("cim-graph", Anchor::Func, "", 1)];

/// Crossbar mapping. -O0 maps every crossbar op as written; -O1 and up
/// also merge identical crossbar work and drop unused tiles; -O2 and up
/// replicate layers to balance the pipeline.
const CIM: &[Step] = &[
    Step::func("cim-decompose-transpose-conv2d"),
    Step::func("cim-decompose-conv3d"),
    Step::func("cim-orient-matmuls"),
    Step::func("cim-lower-crossbar-ops"),
    Step::func("cim-bit-slice"),
    Step::func("cim-tile"),
    Step::new("cim-replicate", Anchor::Func, "", 2),
    Step::func("cim-place"),
    Step::func("cim-schedule"),
    Step::new("cim-cse", Anchor::Func, "", 1),
    Step::new("cim-dce", Anchor::Func, "", 1),
];

/// Upstream lowering of TOSA host ops (and cim's own host ops) to the LLVM
/// dialect, shared by reference execution and the host phase. Results become
/// out-params so the caller owns every output buffer; function boundaries
/// keep identity layouts so buffers are plain row-major arrays.
const HOST_LOWERING: &[Step] = &[
    Step::func("cim-lower-to-tosa"),
    Step::func("cim-decompose-transpose-conv2d"),
    Step::func("cim-widen-constant-mul"),
    Step::func("cim-widen-boundaries"),
    Step::func("cim-lower-scatter"),
    Step::func("cim-resize-offsets"),
    Step::func("tosa-to-linalg-named"),
    Step::func("tosa-to-linalg"),
    Step::new("tosa-to-arith", Anchor::Func, "include-apply-rescale", 0),
    Step::func("tosa-to-tensor"),
    // One loop nest for a chain of elementwise ops (rescale, clamp, add…):
    // less code for LLVM and one pass over the data.
    Step::func("linalg-fuse-elementwise-ops"),
    Step::new(
        "one-shot-bufferize",
        Anchor::Module,
        "bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map",
        0,
    ),
    Step::new(
        "buffer-results-to-out-params",
        Anchor::Module,
        "modify-public-functions hoist-static-allocs",
        0,
    ),
    Step::module("buffer-deallocation-pipeline"),
    Step::module("convert-linalg-to-loops"),
    Step::module("expand-strided-metadata"),
    Step::module("lower-affine"),
    Step::module("convert-scf-to-cf"),
    // Math ops LLVM has intrinsics for become those; the rest (math.erf)
    // become libm calls, on f32 for f16 operands.
    Step::module("convert-math-to-llvm"),
    Step::module("math-extend-to-supported-types"),
    Step::module("convert-math-to-libm"),
    Step::module("convert-to-llvm"),
    Step::module("reconcile-unrealized-casts"),
];

impl Phase {
    pub const ALL: &'static [Phase] = &[
        Phase::Tosa,
        Phase::Quant,
        Phase::Graph,
        Phase::Cim,
        Phase::Host,
        Phase::Llvm,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Phase::Tosa => "tosa",
            Phase::Quant => "quant",
            Phase::Graph => "graph",
            Phase::Cim => "cim",
            Phase::Host => "host",
            Phase::Llvm => "llvm",
        }
    }

    /// Every step of this phase's pipeline, whatever the -O level.
    pub fn steps(self) -> Vec<Step> {
        match self {
            Phase::Tosa => specialize_steps(1)
                .into_iter()
                .chain(TOSA_CHECKS.iter().chain(TOSA).cloned())
                .collect(),
            // The quantization passes run around calibration, which is not
            // a pass: the driver runs them before the phases' pipeline
            // (`--calibration`), so this phase adds no pass to it.
            Phase::Quant => vec![],
            Phase::Graph => GRAPH.to_vec(),
            Phase::Cim => CIM.to_vec(),
            Phase::Host => {
                let mut steps = vec![
                    Step::module("cim-lower-to-runtime"),
                    Step::module("cim-outline-host-layers"),
                ];
                steps.extend_from_slice(HOST_LOWERING);
                steps
            }
            // Translation to LLVM IR is not an MLIR pass: the driver does
            // it, at the -O level.
            Phase::Llvm => vec![],
        }
    }

    /// The passes that produce this phase from the previous one's output
    /// at `opt`.
    pub fn pipeline(self, opt: OptLevel) -> Vec<Step> {
        self.steps()
            .into_iter()
            .filter(|step| step.from <= opt)
            .collect()
    }
}

/// The passes `--no-graph` leaves out of the phases (none without it).
pub fn skipped(no_graph: bool) -> &'static [&'static str] {
    if no_graph {
        &["cim-graph"]
    } else {
        &[]
    }
}

/// The module-level pipeline text that compiles up to and including `last`
/// at `opt`, a dynamic batch specialised to `batch`, without the passes
/// named in `skip` (`--no-graph`).
pub fn compile_pipeline(last: Phase, opt: OptLevel, batch: u32, skip: &[&str]) -> String {
    let steps: Vec<Step> = Phase::ALL
        .iter()
        .filter(|phase| **phase <= last)
        .flat_map(|phase| phase.pipeline(opt))
        .filter(|step| !skip.contains(&step.pass))
        .map(|step| match step.pass {
            "cim-specialize-batch" => specialize_steps(batch).swap_remove(0),
            _ => step,
        })
        .collect();
    module_pipeline(&steps)
}

/// `builtin.module(...)` of the input's specialisation to `batch`, then the
/// input checks.
pub fn tosa_checks(batch: u32) -> String {
    module_pipeline(specialize_steps(batch).iter().chain(TOSA_CHECKS))
}

/// Lowers a TOSA module to the LLVM dialect for host execution (reference
/// execution): the input checks, then upstream lowering.
pub fn reference_lowering() -> String {
    let outline = [Step::module("cim-outline-host-layers")];
    module_pipeline(TOSA_CHECKS.iter().chain(&outline).chain(HOST_LOWERING))
}

/// A cimc pass by argument.
pub fn lookup_pass(argument: &str) -> Option<&'static PassInfo> {
    cimc_passes::lookup(argument)
}

/// Upstream MLIR pass names, read from `mlir-opt --help` at build time.
pub const UPSTREAM_PASSES: &[&str] = include!(concat!(env!("OUT_DIR"), "/upstream_passes.rs"));

/// Known pass names close to `name`, nearest first (at most three).
pub fn similar_pass_names(name: &str) -> Vec<&'static str> {
    let limit = (name.len() / 3).max(2);
    let mut scored: Vec<(usize, &'static str)> = cimc_passes::all()
        .iter()
        .map(|info| info.argument)
        .chain(UPSTREAM_PASSES.iter().copied())
        .map(|known| (edit_distance(name, known), known))
        .filter(|(distance, _)| *distance <= limit)
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, known)| known).collect()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (diagonal + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_rank_nearest_first() {
        assert_eq!(similar_pass_names("cim-dcee").first(), Some(&"cim-dce"));
        assert!(similar_pass_names("zzzzzzzzzzzzzzzz").is_empty());
        assert!(
            UPSTREAM_PASSES.contains(&"canonicalize"),
            "mlir-opt --help was read at build time"
        );
    }

    #[test]
    fn levels_choose_the_passes() {
        let o0 = compile_pipeline(Phase::Cim, OptLevel(0), 1, &[]);
        let o2 = compile_pipeline(Phase::Cim, OptLevel(2), 1, &[]);
        assert!(!o0.contains("cim-cse") && !o0.contains("cim-dce"), "{o0}");
        assert!(o2.ends_with("cim-schedule,cim-cse,cim-dce))"), "{o2}");
        assert!(
            !o0.contains("cim-graph")
                && o2.contains("cim-name-layers,cim-graph,cim-decompose-transpose-conv2d,cim-decompose-conv3d,cim-orient-matmuls,cim-lower-crossbar-ops"),
            "{o2}"
        );
        assert_eq!(
            o0,
            "builtin.module(cim-specialize-batch{batch=1},cim-materialize-resources,func.func(tosa-infer-shapes),cim-settle-shapes,\
             func.func(cim-legalize-custom),cim-verify-tosa-input,cim-attach-tosa-target,tosa-validate,cim-verify-tosa-spec,\
             cim-detach-tosa-target,func.func(cim-name-layers,cim-decompose-transpose-conv2d,cim-decompose-conv3d,cim-orient-matmuls,cim-lower-crossbar-ops,cim-bit-slice,\
             cim-tile,cim-place,cim-schedule))"
        );
        // Function passes of neighbouring phases share one nest; module
        // passes between them split it.
        let host = elements(&Phase::Host.pipeline(OptLevel(2)));
        assert!(host.starts_with(
            "cim-lower-to-runtime,cim-outline-host-layers,func.func(cim-lower-to-tosa,"
        ));
        assert!(host.contains(
            "tosa-to-arith{include-apply-rescale},tosa-to-tensor,linalg-fuse-elementwise-ops),\
             one-shot-bufferize{"
        ));
    }
}
