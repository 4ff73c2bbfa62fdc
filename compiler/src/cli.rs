//! Command-line interface. Flags take mlir-opt's names where they mean the same.

use crate::pipelines::Phase;
use clap::Parser;

#[derive(Debug, Parser)]
#[command(
    name = "cimc",
    version,
    about = "Compile TOSA neural networks for compute-in-memory accelerators",
    long_about = "Compile TOSA neural networks (MLIR) for compute-in-memory accelerators.\n\n\
        Without --pass-pipeline, cimc runs the phase pipelines up to --emit (default: the last \
        phase) and prints that phase's MLIR. With --pass-pipeline it runs exactly the given \
        pipeline, which may mix cimc passes (--list-passes) and upstream MLIR passes."
)]
pub struct Cli {
    /// Input MLIR file (text or bytecode), or `-` for standard input.
    #[arg(default_value = "-")]
    pub input: String,

    /// Output file (default: standard output).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<String>,

    /// Optimization level, -O0 to -O3.
    #[arg(short = 'O', value_name = "LEVEL", default_value_t = 2, value_parser = clap::value_parser!(u8).range(0..=3))]
    pub opt_level: u8,

    /// Stop after this phase and print its MLIR.
    #[arg(long, value_enum, value_name = "PHASE")]
    pub emit: Option<Phase>,

    /// Run this pass pipeline instead of the phases, e.g.
    /// 'builtin.module(cim-verify-tosa-input,func.func(canonicalize))'.
    #[arg(
        long = "pass-pipeline",
        value_name = "PIPELINE",
        conflicts_with = "emit"
    )]
    pub pass_pipeline: Option<String>,

    /// List cimc's passes with their options, and the phases' pipelines.
    #[arg(long = "list-passes")]
    pub list_passes: bool,

    /// Print one cimc pass's full description.
    #[arg(long = "describe-pass", value_name = "PASS")]
    pub describe_pass: Option<String>,

    /// Print the IR after every pass (to standard error).
    #[arg(long = "mlir-print-ir-after-all")]
    pub print_ir_after_all: bool,

    /// Print the IR before every pass (to standard error).
    #[arg(long = "mlir-print-ir-before-all")]
    pub print_ir_before_all: bool,

    /// Print a table of time spent in each pass (to standard error).
    #[arg(long = "mlir-timing")]
    pub timing: bool,

    /// Split the input at `// -----` lines and process each piece on its own.
    #[arg(long = "split-input-file")]
    pub split_input_file: bool,

    /// Check emitted diagnostics against expected-* comments in the input.
    #[arg(long = "verify-diagnostics")]
    pub verify_diagnostics: bool,

    /// Print ops in MLIR's generic form.
    #[arg(long = "mlir-print-op-generic")]
    pub print_op_generic: bool,

    /// Print locations with the IR.
    #[arg(long = "mlir-print-debuginfo")]
    pub print_debuginfo: bool,

    /// Elide elements attributes with more elements than this.
    #[arg(long = "mlir-elide-elementsattrs-if-larger", value_name = "N")]
    pub elide_elements_larger: Option<usize>,
}
