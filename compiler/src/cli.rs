//! Command-line interface. Flags take mlir-opt's names where they mean the same.

use crate::pipelines::Phase;

/// How `--adc-calibration` picks a layer's ADC range from its sums.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AdcRangeMethod {
    /// The range of least squared error, each reading weighted by its
    /// significance in the result (rounding traded against clipping).
    Mse,
    /// The smallest range that clips no observed sum.
    MinMax,
    /// The smallest range that clips at most 100 − P percent of the reads.
    Percentile,
}

/// What executes a model for --run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Executor {
    /// The compiled program (phases up to `host`, LLVM JIT) driving the
    /// cycle-level simulator of the target chip.
    Sim,
    /// Upstream MLIR lowering of the TOSA input and the LLVM JIT, on the host.
    Reference,
}

/// The simulator's mvm kernels (`--sim-kernel`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SimKernel {
    /// The direct kernel for columns whose ADC is provably ideal, bit-planes
    /// for the others.
    Auto,
    /// Bit-plane kernels everywhere: the bit-sliced, bit-serial path itself.
    BitPlane,
}

/// How consecutive samples share the chip (`--schedule`, `cim-schedule`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ScheduleMode {
    /// A sample starts when the previous one is done.
    LayerSequential,
    /// High throughput: samples overlap in a pipeline of layers, each on
    /// its own arrays; the period is the slowest stage.
    Ht,
    /// Low latency: samples one after the other; inside a sample a layer
    /// starts as soon as the input rows its first windows read exist.
    Ll,
}

impl ScheduleMode {
    /// The runtime's schedule of this mode.
    pub fn schedule(self) -> cimc_runtime::Schedule {
        match self {
            ScheduleMode::LayerSequential => cimc_runtime::Schedule::LayerSequential,
            ScheduleMode::Ht => cimc_runtime::Schedule::Ht,
            ScheduleMode::Ll => cimc_runtime::Schedule::Ll,
        }
    }

    /// The `cim.schedule` spelling.
    pub fn as_str(self) -> &'static str {
        self.schedule().as_str()
    }
}
use clap::Parser;

/// `cimc --version`: the crate version, the commit and the build profile
/// (`cimc 0.1.0 (3f2a9c1d0e4b, release build, opt-level 3)`), so that a
/// measured number names the build that produced it.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("CIMC_BUILD_COMMIT"),
    ", ",
    env!("CIMC_BUILD_PROFILE"),
    ")"
);

#[derive(Debug, Parser)]
#[command(
    name = "cimc",
    version = VERSION,
    about = "Compile TOSA neural networks for compute-in-memory accelerators",
    long_about = "Compile TOSA neural networks (MLIR) for compute-in-memory accelerators.\n\n\
        Without --pass-pipeline, cimc runs the phase pipelines up to --emit (default: the last \
        phase) and prints that phase's MLIR. With --pass-pipeline it runs exactly the given \
        pipeline, which may mix cimc passes (--list-passes) and upstream MLIR passes.",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Input MLIR file (text or bytecode), or `-` for standard input.
    #[arg(default_value = "-")]
    pub input: String,

    /// Output file (default: standard output). With --run, the `.npy` file for
    /// the first result; further results go to `<stem>.<i>.npy`.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<String>,

    /// Optimization level, -O0 to -O3.
    #[arg(short = 'O', value_name = "LEVEL", default_value_t = 2, value_parser = clap::value_parser!(u8).range(0..=3))]
    pub opt_level: u8,

    /// The size of a dynamic batch (leading) dimension of the input's
    /// arguments: a model exported with a free batch is compiled for this
    /// batch (every other dimension must be static).
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub batch: u32,

    /// Stop after this phase and print its MLIR.
    #[arg(long, value_enum, value_name = "PHASE")]
    pub emit: Option<Phase>,

    /// Run this pass pipeline instead of the phases, e.g.
    /// 'builtin.module(cim-verify-tosa-input,func.func(canonicalize))'.
    #[arg(
        long = "pass-pipeline",
        value_name = "PIPELINE",
        conflicts_with_all = ["emit", "calibration", "adc_calibration"]
    )]
    pub pass_pipeline: Option<String>,

    /// Execute the input model instead of printing it. `sim` (default): the
    /// compiled program drives the simulated chip (--target) and prints
    /// cycles, latency, energy and TOPS/W; `reference`: the TOSA input
    /// through upstream MLIR lowering and the LLVM JIT on the host.
    #[arg(long, value_enum, value_name = "EXECUTOR", num_args = 0..=1, default_missing_value = "sim", conflicts_with_all = ["emit", "pass_pipeline"])]
    pub run: Option<Executor>,

    /// Quantize a float model first (the quantization level, W8A8 min-max
    /// per channel; `cimc quantize` has the options): one float32 `.npy`
    /// of calibration samples per input (repeatable).
    #[arg(long = "calibration", value_name = "FILE")]
    pub calibration: Vec<String>,

    /// With --run=sim: write a Chrome/Perfetto trace JSON of the simulation.
    #[arg(long, value_name = "FILE", requires = "run")]
    pub trace: Option<String>,

    /// With --run=sim: write the simulation's statistics as JSON (`-`: stdout).
    #[arg(long = "stats-json", value_name = "FILE", requires = "run")]
    pub stats_json: Option<String>,

    /// How consecutive samples (calls of the entry) share the chip: the
    /// schedule cim-schedule records and the compiled program follows.
    #[arg(
        long,
        value_enum,
        value_name = "SCHEDULE",
        default_value = "layer-sequential"
    )]
    pub schedule: ScheduleMode,

    /// Skip the graph phase (cim-graph) at every -O level: the graph as
    /// quantization left it, the baseline its rewrites are measured against.
    #[arg(long)]
    pub no_graph: bool,

    /// Copies of each layer's weights instead of cim-replicate's choice: a
    /// TOML file of `layer = copies` lines (layer names as `--report`
    /// prints them; -O2 and up; unlisted layers keep one copy).
    #[arg(long, value_name = "FILE")]
    pub replicas: Option<String>,

    /// The largest im2col matrix (the windows of a convolution's input, as
    /// crossbar rows) one layer may build, in bytes; a larger layer stays a
    /// host op, and `--remarks` says so.
    #[arg(long, value_name = "BYTES", default_value_t = cimc_passes::DEFAULT_MAX_IM2COL_BYTES)]
    pub max_im2col_bytes: u64,

    /// The bytes the input's constants may take together (checked with the
    /// input, before any is materialised); more is an error at the constant
    /// that crosses the limit.
    #[arg(long, value_name = "BYTES", default_value_t = cimc_passes::DEFAULT_MAX_CONSTANT_BYTES)]
    pub max_constant_bytes: u64,

    /// The deepest nesting of brackets (`(`, `[`, `{`, `<`) the input text
    /// may have; deeper is an error at the bracket that crosses the limit
    /// (MLIR's parser overflows its stack on very deep nesting).
    #[arg(long, value_name = "LEVELS", default_value_t = crate::source::DEFAULT_MAX_NESTING)]
    pub max_nesting: usize,

    /// The wall time, in seconds, cimc may spend before the model runs
    /// (parsing, quantization, the phases, LLVM, the JIT; 0: no limit);
    /// past it cimc stops with an error naming what it was doing. Running
    /// the model under --run is not counted.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = crate::budget::DEFAULT_COMPILE_TIME_LIMIT,
        value_parser = crate::budget::parse_seconds
    )]
    pub compile_time_limit: f64,

    /// With --run=sim: the simulator's mvm kernels (results are identical).
    #[arg(
        long = "sim-kernel",
        value_enum,
        value_name = "KERNEL",
        default_value = "auto"
    )]
    pub sim_kernel: SimKernel,

    /// With --run=sim on a target with non-idealities: simulate N instances
    /// of the analog chip (seeds non_idealities.seed … seed + N − 1) and
    /// report top-1 accuracy (with --labels) as mean ± std and each
    /// layer's SQNR against the ideal chip. Outputs, stats and the trace
    /// are the first instance's.
    #[arg(long, value_name = "N", requires = "run", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub mc: Option<u32>,

    /// With --run=sim: report each crossbar layer's SQNR against the exact
    /// product (Σ x·W, an ideal ADC), e.g. what a narrow ADC loses; an
    /// analog chip always reports it, beside the SQNR against the ideal chip.
    #[arg(long = "layer-sqnr", requires = "run")]
    pub layer_sqnr: bool,

    /// Evaluate the chip this many seconds after programming (sets
    /// non_idealities.drift_t_s; the target must drift: drift_nu or
    /// drift_nu_sigma above 0).
    #[arg(long = "drift-time", value_name = "SECONDS")]
    pub drift_time: Option<f64>,

    /// Calibrate each layer's ADC range on these samples (`.npy`, one per
    /// function argument, batched like --input): the model runs on the
    /// simulated ideal chip, every column sum its reads present is recorded,
    /// and --adc-range picks each layer's LSB (2^k sum units). The choice is
    /// written on the module (`cim.adc_shifts`, kept by --emit) and
    /// replaces the target's array.adc.range policy for those layers.
    #[arg(long = "adc-calibration", value_name = "FILE")]
    pub adc_calibration: Vec<String>,

    /// How --adc-calibration picks each layer's range.
    #[arg(
        long = "adc-range",
        value_enum,
        value_name = "METHOD",
        default_value = "mse",
        requires = "adc_calibration"
    )]
    pub adc_range: AdcRangeMethod,

    /// With --adc-range=percentile: the share of reads (percent) the range
    /// must convert without clipping.
    #[arg(
        long = "adc-percentile",
        value_name = "P",
        default_value_t = 99.99,
        requires = "adc_calibration"
    )]
    pub adc_percentile: f64,

    /// A `.npy` input for --run, one per function argument, in order. A file
    /// whose first dimension is N, where the argument's is 1, is a batch of N
    /// samples run one by one.
    #[arg(long = "input", value_name = "FILE", requires = "run")]
    pub inputs: Vec<String>,

    /// With --run on a model `cimc quantize` wrote: write the results as
    /// the reals they stand for (float32, s * (q - z) on each result's
    /// grid), to compare with the float model's outputs directly.
    #[arg(long = "dequantize-outputs", requires = "run")]
    pub dequantize_outputs: bool,

    /// Integer class labels (`.npy`, one per sample) for --run: prints the
    /// top-1 accuracy of the first result.
    #[arg(long, value_name = "FILE", requires = "run")]
    pub labels: Option<String>,

    /// The function to run (default: the module's only public function).
    #[arg(long, value_name = "NAME", requires = "run")]
    pub entry: Option<String>,

    /// The chip to compile for: a preset (isaac, puma, nor-flash,
    /// sram-digital) or a TOML file (see chip/README.md).
    #[arg(long, value_name = "NAME|FILE", default_value = cimc_target::DEFAULT_PRESET)]
    pub target: String,

    /// Override one key of the target, e.g. `array.rows=256` (repeatable).
    #[arg(long = "target-opt", value_name = "KEY=VALUE")]
    pub target_opts: Vec<String>,

    /// Print the mapping report (per layer and totals) to standard error.
    #[arg(long)]
    pub report: bool,

    /// Write the mapping report as JSON to FILE (`-` for standard output).
    #[arg(long = "report-json", value_name = "FILE")]
    pub report_json: Option<String>,

    /// Print the resolved target as TOML and exit.
    #[arg(long = "print-target")]
    pub print_target: bool,

    /// List cimc's passes with their options, and the phases' pipelines.
    #[arg(long = "list-passes")]
    pub list_passes: bool,

    /// Print remarks: each convolution or matmul that stays a host op, and
    /// why (to standard error, as `file:line:col: remark: ...`).
    #[arg(long = "remarks")]
    pub remarks: bool,

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

/// Subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Quantize a float TOSA model to integer TOSA (post-training, on
    /// calibration data), validated and ready for the other phases.
    Quantize(QuantizeArgs),
    /// Run a design-space sweep: every point of a spec (models × recipes ×
    /// schedules × seeds × sampled target axes) compiled and simulated in
    /// parallel, results streamed to results.jsonl and results.csv;
    /// resumable (see sweep/README.md for the spec).
    Sweep(SweepArgs),
}

#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    /// The sweep spec (TOML; the format is in sweep/README.md).
    pub spec: String,

    /// The folder for results, cache and logs (default: the spec's path
    /// with `.sweep` for `.toml`, e.g. `digits.sweep.toml` -> `digits.sweep/`).
    #[arg(long, value_name = "DIR")]
    pub out: Option<String>,

    /// Worker processes at once (default: the machine's cores).
    #[arg(short = 'j', long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub jobs: Option<u32>,

    /// Run again the points a previous run recorded as failed (finished
    /// points are always skipped).
    #[arg(long = "retry-failed")]
    pub retry_failed: bool,

    /// Print the planned points as JSON Lines (id, coordinates, build and
    /// quantization keys) and exit: nothing runs.
    #[arg(long, conflicts_with_all = ["points", "quantize"])]
    pub plan: bool,

    /// Worker mode: run only these points (ids from --plan, comma
    /// separated) in this process, printing their records as JSON Lines on
    /// standard output (what each parallel or distributed worker runs).
    #[arg(
        long,
        value_name = "IDS",
        value_delimiter = ',',
        conflicts_with = "quantize"
    )]
    pub points: Vec<String>,

    /// Worker mode: make the quantized model with this key (from --plan)
    /// in the cache and exit.
    #[arg(long, value_name = "KEY")]
    pub quantize: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct QuantizeArgs {
    /// The float TOSA model (MLIR text or bytecode), or `-`.
    pub input: String,

    /// Calibration data: one float32 `.npy` per model input, with a leading
    /// batch axis (repeatable, in argument order).
    #[arg(long = "calibration", value_name = "FILE", required = true)]
    pub calibration: Vec<String>,

    /// The size of a dynamic batch (leading) dimension of the model's
    /// arguments (the calibration data's batch is independent of it).
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub batch: u32,

    /// Output file for the integer model (default: standard output).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<String>,

    /// Weight bits, 2 to 8 (default: the widest width of the target's
    /// `array.weight_bits` in that range).
    #[arg(long = "weight-bits", value_parser = clap::value_parser!(u32).range(2..=8))]
    pub weight_bits: Option<u32>,

    /// Noise-aware weight ranges: each layer's weights are clipped where
    /// the expected error on the chip is least, the rounding and clipping
    /// error plus the target's programming noise on every stored weight
    /// (`non_idealities.programming_sigma`, in the weight's integer steps:
    /// σ·(2^cell_bits − 1)·√(Σ_s 4^(s·cell_bits))). Implies
    /// `--weight-range mse`.
    #[arg(long = "noise-aware")]
    pub noise_aware: bool,

    /// Also calibrate the target's ADC range of every layer on the
    /// calibration data (as `cimc --adc-calibration` does: the quantized
    /// model runs on the simulated chip) and write it on the model
    /// (`cim.adc_shifts`): mse, min-max or percentile.
    #[arg(long = "adc-range", value_enum, value_name = "METHOD")]
    pub adc_range: Option<AdcRangeMethod>,

    /// With --adc-range=percentile: the share of reads (percent) the range
    /// must convert without clipping.
    #[arg(
        long = "adc-percentile",
        value_name = "P",
        default_value_t = 99.99,
        requires = "adc_range"
    )]
    pub adc_percentile: f64,

    /// The chip the model is quantized for (its supported weight widths
    /// set the default --weight-bits): a preset or a TOML file.
    #[arg(long, value_name = "NAME|FILE", default_value = cimc_target::DEFAULT_PRESET)]
    pub target: String,

    /// Override one key of the target (repeatable).
    #[arg(long = "target-opt", value_name = "KEY=VALUE")]
    pub target_opts: Vec<String>,

    /// One weight scale per tensor instead of per output channel.
    #[arg(long = "per-tensor")]
    pub per_tensor: bool,

    /// Asymmetric weight grids (a zero point per layer; per tensor, so it
    /// needs --per-tensor) instead of symmetric ones.
    #[arg(long = "asymmetric-weights", requires = "per_tensor")]
    pub asymmetric_weights: bool,

    /// Activation bits: 4 to 8 (i8 tensors) or 16 (i16 tensors, symmetric
    /// grids, i48 accumulators; the crossbar mapping streams 16-bit inputs
    /// as two 8-bit digit planes).
    #[arg(long = "activation-bits", default_value_t = 8, value_parser = activation_bits)]
    pub activation_bits: u32,

    /// Symmetric activation grids (zero point 0) instead of asymmetric ones.
    #[arg(long = "symmetric-activations")]
    pub symmetric_activations: bool,

    /// Cross-layer equalization of ReLU-joined convolution chains first.
    #[arg(long)]
    pub cle: bool,

    /// How weight ranges are set: the extremes, or MSE-optimal clipping.
    #[arg(long = "weight-range", value_parser = ["min-max", "mse"], default_value = "min-max")]
    pub weight_range: String,

    /// How activation ranges are set from the calibration statistics.
    #[arg(long = "activation-range", value_enum, default_value = "min-max")]
    pub ranges: crate::quantize::RangeMethod,

    /// The function to quantize (default: the module's only public function).
    #[arg(long, value_name = "NAME")]
    pub entry: Option<String>,

    /// Per-layer settings (TOML: `[defaults]` and `[[layer]]` entries with
    /// `name` or `op` and `weight_bits`, `per_channel`, `weight_symmetric`,
    /// `activation_bits`, `activation_symmetric`, `keep_float`).
    #[arg(long, value_name = "FILE")]
    pub config: Option<String>,

    /// Keep every op that has no integer form in float, between a
    /// dequantize of its inputs and a quantize of its result, with a warning
    /// naming each (they run on the host); without it such an op is an
    /// error.
    #[arg(long = "float-fallback")]
    pub float_fallback: bool,

    /// Learn each layer's weight rounding from the calibration data
    /// (AdaRound, cim-quant-adaround) instead of rounding to nearest.
    #[arg(long, conflicts_with = "bias_correction")]
    pub adaround: bool,

    /// AdaRound optimisation steps per layer.
    #[arg(long = "adaround-iterations", value_name = "N", default_value_t = 4000,
          value_parser = clap::value_parser!(u64).range(1..=1_000_000),
          requires = "adaround")]
    pub adaround_iterations: u64,

    /// Round weights to nearest and correct each bias for the mean shift
    /// (cim-quant-bias-correction): from the calibration data (empirical),
    /// from batch-norm statistics (analytical, data-free), or auto.
    #[arg(long = "bias-correction", value_enum, value_name = "MODE", num_args = 0..=1,
          default_missing_value = "auto")]
    pub bias_correction: Option<crate::quantize::BiasMode>,

    /// Write the quantization report as JSON to FILE (`-`: standard output)
    /// and print its tables on standard error: per layer SQNR and cosine of
    /// the fake-quantized model against the float one, weight-only and
    /// activation-only ablations, per-layer sensitivity, top-1 with --labels.
    #[arg(long = "report", value_name = "FILE")]
    pub report: Option<String>,

    /// Evaluation data for --report: one float32 `.npy` per model input with
    /// a leading batch axis (repeatable; default: the calibration data).
    #[arg(long = "report-input", value_name = "FILE", requires = "report")]
    pub report_inputs: Vec<String>,

    /// Integer class labels (`.npy`, one per evaluation sample) for
    /// --report: top-1 of the float, fake-quantized and integer models.
    #[arg(long, value_name = "FILE", requires = "report")]
    pub labels: Option<String>,
}

/// `--activation-bits`: a width cim-quant-convert quantizes activations to.
fn activation_bits(text: &str) -> Result<u32, String> {
    let widths = cimc_passes::quant::convert::ACTIVATION_BITS;
    match text.parse::<i64>() {
        Ok(bits) if widths.contains(&bits) => Ok(bits as u32),
        _ => Err(format!("expected {} bits", widths.describe())),
    }
}
