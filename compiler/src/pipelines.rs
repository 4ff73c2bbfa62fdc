//! The pass registry, the phases and the -O pipelines, in one place.
//!
//! A phase is a level of the compiler whose output is printable, parseable,
//! verifiable MLIR (`--emit=<phase>`); each phase is reached by a pipeline of
//! passes from the one before it. Lit tests cut at these boundaries.

use cimc_passes::PassInfo;

/// The phases of compilation, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Phase {
    /// The input: parsed, verified, and validated as TOSA 1.0 against the
    /// profiles and extensions it uses.
    Tosa,
    /// Integer convolutions and matmuls on crossbars: bit-sliced, tiled,
    /// placed and scheduled `cim` ops; everything else stays TOSA host ops.
    Cim,
    /// The host program in the LLVM dialect: crossbar work issued through
    /// runtime ABI calls (`cim-lower-to-runtime`), host ops through upstream
    /// lowering, tiles programmed by `@cimc_init`.
    Host,
    /// The host program as LLVM IR (translated from the LLVM dialect and
    /// optimized at the -O level); `-o FILE.o` writes it as an object file.
    Llvm,
}

impl Phase {
    pub const ALL: &'static [Phase] = &[Phase::Tosa, Phase::Cim, Phase::Host, Phase::Llvm];

    pub fn name(self) -> &'static str {
        match self {
            Phase::Tosa => "tosa",
            Phase::Cim => "cim",
            Phase::Host => "host",
            Phase::Llvm => "llvm",
        }
    }

    /// The passes that produce this phase from the previous one's output.
    pub fn pipeline(self, _opt: OptLevel) -> Vec<&'static str> {
        match self {
            // cimc's own checks first: upstream passes (tosa-validate
            // included) can crash on input they do not expect.
            Phase::Tosa => vec![
                "cim-verify-tosa-input",
                "cim-attach-tosa-target",
                "tosa-validate",
                "cim-detach-tosa-target",
            ],
            Phase::Cim => vec![
                "func.func(cim-lower-crossbar-ops,cim-bit-slice,cim-tile,cim-place,cim-schedule,cim-cse,cim-dce)",
            ],
            Phase::Host => {
                let mut passes = vec!["cim-lower-to-runtime"];
                passes.extend(HOST_LOWERING);
                passes
            }
            // Translation to LLVM IR is not an MLIR pass: the driver does it.
            Phase::Llvm => vec![],
        }
    }
}

/// Optimization level, `-O0` … `-O3`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct OptLevel(pub u8);

/// The module-level pipeline text that compiles up to and including `last`.
pub fn compile_pipeline(last: Phase, opt: OptLevel) -> String {
    let passes: Vec<&str> = Phase::ALL
        .iter()
        .filter(|phase| **phase <= last)
        .flat_map(|phase| phase.pipeline(opt))
        .collect();
    format!("builtin.module({})", passes.join(","))
}

/// Upstream lowering of TOSA host ops (and cim's own host ops) to the LLVM
/// dialect, shared by reference execution and the host phase. Results become
/// out-params so the caller owns every output buffer; function boundaries
/// keep identity layouts so buffers are plain row-major arrays.
const HOST_LOWERING: &[&str] = &[
    "func.func(cim-lower-to-tosa,cim-decompose-transpose-conv2d,cim-widen-constant-mul,tosa-to-linalg-named,tosa-to-linalg,tosa-to-arith{include-apply-rescale},tosa-to-tensor)",
    "one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map}",
    "buffer-results-to-out-params{modify-public-functions hoist-static-allocs}",
    "buffer-deallocation-pipeline",
    "convert-linalg-to-loops,expand-strided-metadata,lower-affine,convert-scf-to-cf",
    "convert-to-llvm,reconcile-unrealized-casts",
];

/// Lowers a TOSA module to the LLVM dialect for host execution (reference
/// execution). cimc's input checks and TOSA validation come first: upstream
/// lowering can crash on input it does not expect.
pub fn reference_lowering() -> String {
    let checks = Phase::Tosa.pipeline(OptLevel(2)).join(",");
    format!("builtin.module({checks},{})", HOST_LOWERING.join(","))
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

/// The `--list-passes` text: every cimc pass with its summary and options.
pub fn describe_passes(verbose: bool) -> String {
    let mut out =
        String::from("cimc passes (use them in --pass-pipeline beside any upstream MLIR pass):\n");
    for info in cimc_passes::all() {
        let anchor = info.anchor.unwrap_or("any op");
        out.push_str(&format!(
            "  {:<28} {} [on {anchor}]\n",
            info.argument, info.summary
        ));
        for option in info.options {
            out.push_str(&format!(
                "      {}: {} (default {}): {}\n",
                option.name,
                option.kind.describe(),
                option.default,
                option.help
            ));
        }
        if verbose {
            for line in info.description.lines() {
                out.push_str(&format!("      | {line}\n"));
            }
        }
    }
    out.push_str("\nPhases (--emit=<phase>), each with its pipeline:\n");
    for phase in Phase::ALL {
        out.push_str(&format!(
            "  {:<28} {}\n",
            phase.name(),
            phase.pipeline(OptLevel(2)).join(",")
        ));
    }
    out
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
    fn every_phase_pipeline_names_known_passes() {
        fn names(elements: &[crate::pipeline::Element], out: &mut Vec<String>) {
            for element in elements {
                match element {
                    crate::pipeline::Element::Pass { name, .. } => out.push(name.clone()),
                    crate::pipeline::Element::Nest { elements, .. } => names(elements, out),
                }
            }
        }
        for phase in Phase::ALL.iter().filter(|p| **p != Phase::Llvm) {
            let text = format!("builtin.module({})", phase.pipeline(OptLevel(2)).join(","));
            let mut passes = Vec::new();
            names(
                &crate::pipeline::parse(&text).expect("phase pipelines parse"),
                &mut passes,
            );
            assert!(!passes.is_empty());
            for pass in passes {
                assert!(
                    lookup_pass(&pass).is_some() || UPSTREAM_PASSES.contains(&pass.as_str()),
                    "{pass} in phase {}",
                    phase.name()
                );
            }
        }
    }
}
