//! The quantization level's driver side: calibration runs the float model
//! on data through reference execution, observing every activation through
//! taps, and records each observer's state on the IR (`cim.quant.observed`,
//! `cim.quant.arg_observed`); `cim-quant-activation-range` sets the ranges
//! from them (`cim.quant.range`, `cim.quant.arg_ranges`),
//! `cim-quant-convert` then rewrites the function as integer TOSA, and the
//! result is validated like any input.

use crate::diagnostics::{Collector, Diag};
use crate::pipeline;
use crate::pipelines::{module_pipeline, Step, TOSA_CHECKS};
use crate::reference::{self, ReferenceError, Tap, Tensor};
use cimc_dialects::handle::{AttrRef, OpRef};
use cimc_passes::quant::activation_range::{observation_attr, ARG_OBSERVED_ATTR, OBSERVED_ATTR};
use cimc_passes::quant::bias_correction::CORRECTION_ATTR;
use cimc_passes::quant::convert::{
    keeps_float, unsupported, ARG_GRIDS_ATTR, RESULT_GRIDS_ATTR, SUPPORTED,
};
use cimc_passes::quant::grid::KEEPS_VALUES;
use cimc_passes::quant::layer::Layer;
use cimc_passes::PassContext;
use cimc_quant::{ActivationRange, Observer};
use melior::ir::operation::{OperationLike, WalkOrder, WalkResult};
use melior::ir::Module;
use melior::Context;
use mlir_sys as sys;
use std::collections::HashMap;
use thiserror::Error;

mod rerecord;

#[derive(Debug, Error)]
pub enum QuantizeError {
    #[error("{0}")]
    Reference(#[from] ReferenceError),
    #[error("{path}: calibration data for input {index} must be {expected} with a leading batch axis of at least {min} samples, got {got_dtype} with shape {got_shape:?}")]
    Calibration {
        path: String,
        index: usize,
        expected: String,
        min: usize,
        got_dtype: &'static str,
        got_shape: Vec<usize>,
    },
    #[error("{path}: calibration value {value} at flat index {at} is not finite: calibration data must be real numbers")]
    CalibrationValue { path: String, value: f32, at: usize },
    #[error("the model takes {expected} inputs; give one --calibration file each (got {got})")]
    CalibrationCount { expected: usize, got: usize },
    #[error("the model's inputs are not float: it is already quantized (nothing to calibrate)")]
    AlreadyInteger,
    #[error("{0}")]
    Quant(#[from] cimc_quant::QuantError),
    #[error("{}", .0.iter().map(|d| d.message.clone()).collect::<Vec<_>>().join("; "))]
    Diagnosed(Vec<Diag>),
    #[error("{0}")]
    Config(Box<crate::quant_config::ConfigError>),
    /// The quantization report failed (`crate::quant_report`).
    #[error("{0}")]
    Report(String),
    /// An invariant of cimc's own rewriting did not hold.
    #[error("internal error: {0}")]
    Internal(String),
}

/// How activation ranges are set from the calibration statistics.
#[derive(Debug, Clone, Copy, PartialEq, clap::ValueEnum)]
pub enum RangeMethod {
    /// Observed minimum and maximum.
    MinMax,
    /// The 99.99th percentiles of each side.
    Percentile,
    /// The clipping that minimises the histogram's quantization MSE.
    Mse,
}

/// The flag's spelling: `min-max`, `percentile`, `mse`.
impl std::fmt::Display for RangeMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use clap::ValueEnum;
        match self.to_possible_value() {
            Some(value) => f.write_str(value.get_name()),
            None => write!(f, "{self:?}"),
        }
    }
}

impl RangeMethod {
    fn method(self) -> ActivationRange {
        match self {
            RangeMethod::MinMax => ActivationRange::MinMax,
            RangeMethod::Percentile => ActivationRange::Percentile(99.99),
            RangeMethod::Mse => ActivationRange::Mse,
        }
    }
}

/// Where bias correction takes E[x] from (cim-quant-bias-correction's
/// `mode`).
#[derive(Debug, Clone, Copy, PartialEq, clap::ValueEnum)]
pub enum BiasMode {
    /// The calibration inputs where recorded, else batch-norm statistics.
    Auto,
    /// The layers' inputs on the calibration data.
    Empirical,
    /// Batch-norm statistics only (data-free).
    Analytical,
}

impl BiasMode {
    fn word(self) -> &'static str {
        match self {
            BiasMode::Auto => "auto",
            BiasMode::Empirical => "empirical",
            BiasMode::Analytical => "analytical",
        }
    }
}

/// What to quantize and how.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Cross-layer equalization before calibration (`cim-quant-equalize`).
    pub cle: bool,
    pub weight_bits: u32,
    /// `min-max` or `mse` (cim-quant-convert's `weight-range`).
    pub weight_range: String,
    /// Noise-aware weight ranges: σ, in integer steps, of the error the
    /// chip adds to every stored weight (cim-quant-weight-range's
    /// `weight-noise`; 0: none).
    pub weight_noise: f64,
    pub per_channel: bool,
    /// Symmetric weight grids (zero point 0); else asymmetric, per tensor.
    pub weight_symmetric: bool,
    /// 4..=8 (i8 tensors) or 16 (i16, symmetric).
    pub activation_bits: u32,
    /// Symmetric activation grids (zero point 0).
    pub activation_symmetric: bool,
    pub ranges: RangeMethod,
    /// At least this many calibration samples.
    pub min_samples: usize,
    /// AdaRound with this many iterations per layer (`cim-quant-adaround`).
    pub adaround: Option<usize>,
    /// Bias correction (`cim-quant-bias-correction`).
    pub bias_correction: Option<BiasMode>,
    /// Per-layer overrides (`--config`).
    pub config: Option<crate::quant_config::Config>,
    /// Keep ops without an integer form in float (`--float-fallback`).
    pub float_fallback: bool,
    /// IR dumps around the quantization passes and the driver's own IR
    /// edits (calibration, `--config`), as `--mlir-print-ir-*-all` asks.
    pub print_ir: IrPrinting,
}

/// Which IR dumps quantization prints to stderr, in MLIR's format.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct IrPrinting {
    pub before_all: bool,
    pub after_all: bool,
    /// `--mlir-elide-elementsattrs-if-larger`.
    pub elide_elements_larger: Option<usize>,
}

impl IrPrinting {
    /// Has `pm` print what was asked.
    fn configure(self, pm: &melior::pass::PassManager) {
        if self.before_all || self.after_all {
            pm.enable_ir_printing(&melior::pass::PassIrPrintingOptions {
                before_all: self.before_all,
                after_all: self.after_all,
                module_scope: false,
                on_change: false,
                on_failure: false,
                flags: self.flags(),
                tree_printing_path: Default::default(),
            });
        }
    }

    fn flags(self) -> melior::ir::operation::OperationPrintingFlags {
        let flags = melior::ir::operation::OperationPrintingFlags::new();
        match self.elide_elements_larger {
            Some(limit) => flags.elide_large_elements_attributes(limit),
            None => flags,
        }
    }

    /// The dump after a step the driver does on the IR itself, not a pass.
    fn after(self, step: &str, what: &str, module: &Module) {
        if self.after_all {
            eprintln!("// -----// IR Dump After {step} ({what}) //----- //");
            match module.as_operation().to_string_with_flags(self.flags()) {
                Ok(text) => eprintln!("{text}"),
                Err(_) => eprintln!("{}", module.as_operation()),
            }
        }
    }
}

impl Default for Settings {
    /// W8A8, per channel, min-max ranges: what `cimc --calibration` uses.
    fn default() -> Self {
        Settings {
            cle: false,
            weight_bits: 8,
            weight_range: "min-max".into(),
            weight_noise: 0.0,
            per_channel: true,
            weight_symmetric: true,
            activation_bits: 8,
            activation_symmetric: false,
            ranges: RangeMethod::MinMax,
            min_samples: 8,
            adaround: None,
            bias_correction: None,
            config: None,
            float_fallback: false,
            print_ir: IrPrinting::default(),
        }
    }
}

impl Settings {
    /// The defaults for `target`: weights at the widest width the chip
    /// supports that cimc quantizes to (2..=8 bits).
    pub fn for_target(target: &cimc_target::Target) -> Result<Settings, String> {
        let supported = &target.array.weight_bits;
        let weight_bits = supported
            .iter()
            .copied()
            .filter(|b| (2..=8).contains(b))
            .max()
            .ok_or_else(|| {
                format!(
                    "the target's array.weight_bits = {supported:?} has no width cimc quantizes to (2..=8): give --weight-bits"
                )
            })?;
        Ok(Settings {
            weight_bits,
            ..Settings::default()
        })
    }

    /// Whether calibration must record each weighted layer's inputs.
    fn records_inputs(&self) -> bool {
        self.adaround.is_some()
            || matches!(
                self.bias_correction,
                Some(BiasMode::Auto | BiasMode::Empirical)
            )
    }

    /// E.g. `W4A8 per tensor, asymmetric weights, weight ranges mse,
    /// activation ranges min-max` (the grids' symmetry when not the default).
    pub fn describe(&self) -> String {
        // What the configuration's [defaults] set holds for every layer;
        // its per-layer entries are named, not summed up.
        let mut this = self.clone();
        let mut entries = String::new();
        if let Some(config) = &self.config {
            let d = config.defaults();
            if let Some(bits) = d.weight_bits.and_then(|b| u32::try_from(b).ok()) {
                this.weight_bits = bits;
            }
            if let Some(bits) = d.activation_bits.and_then(|b| u32::try_from(b).ok()) {
                this.activation_bits = bits;
            }
            this.per_channel = d.per_channel.unwrap_or(this.per_channel);
            this.weight_symmetric = d.weight_symmetric.unwrap_or(this.weight_symmetric);
            this.activation_symmetric = d.activation_symmetric.unwrap_or(this.activation_symmetric);
            if config.entries() > 0 {
                entries = format!(
                    ", with {} per-layer entr{} from {}",
                    config.entries(),
                    if config.entries() == 1 { "y" } else { "ies" },
                    config.path()
                );
            }
        }
        this.config = None;
        this.describe_flags() + &entries
    }

    fn describe_flags(&self) -> String {
        let mut out = format!(
            "W{}A{} {}",
            self.weight_bits,
            self.activation_bits,
            if self.per_channel {
                "per channel"
            } else {
                "per tensor"
            }
        );
        if !self.weight_symmetric {
            out += ", asymmetric weights";
        }
        if self.activation_symmetric || self.activation_bits == 16 {
            out += ", symmetric activations";
        }
        if self.weight_noise > 0.0 {
            out += &format!(
                ", noise-aware ({:.2} steps of chip noise)",
                self.weight_noise
            );
        }
        out + &format!(
            ", weight ranges {}, activation ranges {}",
            self.weight_range, self.ranges
        )
    }

    /// The weight options every pass that sets weight grids takes.
    fn weight_options(&self) -> String {
        format!(
            "weight-bits={} per-channel={} weight-symmetric={} weight-range={}",
            self.weight_bits, self.per_channel, self.weight_symmetric, self.weight_range
        )
    }

    /// The activation options of cim-quant-convert and cim-quant-fake-quant.
    pub fn activation_options(&self) -> String {
        format!(
            "activation-bits={} activation-symmetric={}",
            self.activation_bits, self.activation_symmetric
        )
    }

    /// The weight-rounding pass after calibration, if any.
    fn weight_pass(&self) -> Option<Step> {
        let common = self.weight_options();
        if let Some(iterations) = self.adaround {
            return Some(
                Step::func("cim-quant-adaround")
                    .with_owned(format!("{common} iterations={iterations} layers=1")),
            );
        }
        self.bias_correction.map(|mode| {
            Step::func("cim-quant-bias-correction")
                .with_owned(format!("{common} mode={}", mode.word()))
        })
    }

    /// Before calibration: batch norm folded, layers equalized with --cle.
    fn prepare_steps(&self) -> Vec<Step> {
        // A transposed convolution is quantized as the stride-1 convolution
        // it equals (its reversed kernel folded into a constant), so range
        // setting, CLE, AdaRound and bias correction treat it as one.
        let mut steps = vec![
            Step::func("cim-decompose-transpose-conv2d"),
            Step::func("cim-quant-fold-constants"),
            Step::func("cim-quant-fold-batch-norm"),
        ];
        if self.cle {
            steps.push(Step::func("cim-quant-equalize"));
        }
        // Names are pinned on the model as calibrated: what --config, the
        // report and the trace call each layer.
        steps.push(Step::func("cim-quant-name-layers"));
        steps
    }

    /// After calibration: activation ranges from the observations, weight
    /// ranges from the weights, for the grids cim-quant-convert will choose.
    fn range_steps(&self) -> Vec<Step> {
        let method = match self.ranges.method() {
            ActivationRange::MinMax => "min-max".to_string(),
            ActivationRange::Percentile(p) => format!("percentile percentile={p}"),
            ActivationRange::Mse => "mse".to_string(),
        };
        vec![
            Step::func("cim-quant-activation-range")
                .with_owned(format!("method={method} {}", self.activation_options())),
            Step::func("cim-quant-weight-range").with_owned(format!(
                "{} weight-noise={}",
                self.weight_options(),
                self.weight_noise
            )),
        ]
    }

    /// The quantization phase at these settings, a line a step in the
    /// order `quantize_with` runs them (`--list-passes`).
    pub fn phase_outline(&self) -> Vec<String> {
        let mut lines: Vec<String> = self.prepare_steps().iter().map(Step::text).collect();
        if !self.cle {
            lines.push("(cim-quant-equalize with --cle)".into());
        }
        lines.push(
            "calibration: reference execution of the float model, recording activations".into(),
        );
        lines.extend(self.range_steps().iter().map(Step::text));
        match self.weight_pass() {
            Some(step) => lines.push(step.text()),
            None => lines.push(
                "(cim-quant-adaround with --adaround, a layer a run with calibration between; cim-quant-bias-correction with --bias-correction)".into(),
            ),
        }
        lines.extend(self.convert_steps().iter().map(Step::text));
        lines
    }

    /// The conversion to integer TOSA, then the input checks on its result.
    fn convert_steps(&self) -> Vec<Step> {
        let mut steps = vec![Step::func("cim-quant-convert").with_owned(format!(
            "{} {}",
            self.weight_options(),
            self.activation_options()
        ))];
        steps.extend_from_slice(TOSA_CHECKS);
        steps
    }
}

/// At most this many f32 values of one layer's calibration inputs are kept
/// on the IR (64 MiB).
const MAX_RECORDED: usize = 16 << 20;

/// The ops of `func` in the pre-order the taps count (`reference::Tap`).
fn ops_preorder(func: sys::MlirOperation) -> Vec<sys::MlirOperation> {
    OpRef::new(func).map_or_else(Vec::new, |f| {
        f.preorder().into_iter().map(OpRef::raw).collect()
    })
}

fn is_float_activation(op: sys::MlirOperation) -> bool {
    let name = cimc_passes::ir::op_name(op);
    if matches!(
        name.as_str(),
        "tosa.const" | "tosa.const_shape" | "func.return"
    ) {
        return false;
    }
    let single = OpRef::new(op).is_some_and(|o| o.num_results() == 1);
    single
        && cimc_passes::emit::tensor_info(cimc_passes::emit::result_of(op, 0))
            .is_some_and(|(_, e)| e == "f32")
}

/// The float activations among `ops` that cim-quant-convert has no integer
/// form for and that are not to stay in float.
fn without_integer_form(ops: &[sys::MlirOperation]) -> Vec<sys::MlirOperation> {
    ops.iter()
        .copied()
        .filter(|op| is_float_activation(*op))
        .filter(|op| !SUPPORTED.contains(&cimc_passes::ir::op_name(*op).as_str()))
        .filter(|op| !keeps_float(*op))
        .collect()
}

/// `--float-fallback`: marks every float op without an integer form to stay
/// in float (`cim.quant.keep_float`). Then, for each op that stays in float
/// (so marked, or by `--config`), a warning at it saying so.
fn keep_in_float(
    module: &Module,
    func: Option<&str>,
    fallback: bool,
) -> Result<Vec<Diag>, QuantizeError> {
    let target = reference::entry_func(module, func)?;
    let ops = ops_preorder(target);
    let marked = if fallback {
        without_integer_form(&ops)
    } else {
        Vec::new()
    };
    for op in &marked {
        if let Some(handle) = OpRef::new(*op) {
            let context = handle.context();
            handle.set_attr(
                cimc_dialects::quant::KEEP_FLOAT,
                AttrRef::bool(context, true).raw(),
            );
        }
    }
    Ok(ops
        .iter()
        .filter(|op| keeps_float(**op))
        .filter_map(|op| OpRef::new(*op))
        .map(|op| {
            let why = if marked.iter().any(|m| m.ptr == op.raw().ptr) {
                "it has no integer form (--float-fallback)"
            } else {
                "keep_float = true (--config)"
            };
            Diag {
                severity: crate::diagnostics::Severity::Warning,
                at: crate::diagnostics::resolve(cimc_dialects::handle::melior_location(
                    op.location(),
                )),
                message: format!(
                    "'{}' op kept in float: {why}; it runs on the host between a dequantize of its inputs and a quantize of its result",
                    op.name()
                ),
                notes: vec![],
            }
        })
        .collect())
}

/// Runs the float function on `data` (one tensor per argument, leading
/// batch axis) and records every activation's observer on the IR.
pub fn calibrate(
    context: &Context,
    module: &mut Module,
    func: Option<&str>,
    data: &[(String, Tensor)],
    settings: &Settings,
    recording: Recording,
) -> Result<usize, QuantizeError> {
    let (inputs, _) = reference::signature_of(module, func)?;
    if inputs.iter().any(|t| t.dtype != reference::DType::F32) {
        return Err(QuantizeError::AlreadyInteger);
    }
    if data.len() != inputs.len() {
        return Err(QuantizeError::CalibrationCount {
            expected: inputs.len(),
            got: data.len(),
        });
    }
    let mut samples = usize::MAX;
    for (index, ((path, tensor), ty)) in data.iter().zip(&inputs).enumerate() {
        let shape = tensor.shape();
        let ok = tensor.dtype() == reference::DType::F32
            && shape.len() == ty.shape.len()
            && shape[1..] == ty.shape[1..]
            && shape[0] >= settings.min_samples;
        if !ok {
            let mut dims = vec!["N".to_string()];
            dims.extend(ty.shape.iter().skip(1).map(ToString::to_string));
            return Err(QuantizeError::Calibration {
                path: path.clone(),
                index,
                expected: format!("float32 [{}]", dims.join(", ")),
                min: settings.min_samples,
                got_dtype: tensor.dtype().numpy(),
                got_shape: shape.to_vec(),
            });
        }
        if let Some((at, value)) = as_f32(tensor)
            .iter()
            .enumerate()
            .find(|(_, v)| !v.is_finite())
        {
            return Err(QuantizeError::CalibrationValue {
                path: path.clone(),
                value: *value,
                at,
            });
        }
        samples = samples.min(shape[0]);
    }
    // A model compiled for a batch of B (`--batch`) takes its samples B at a
    // time; a remainder of fewer than B samples is not used (the summary
    // says how many were).
    let per_call = inputs
        .first()
        .and_then(|ty| ty.shape.first().copied())
        .unwrap_or(1)
        .max(1);
    let calls = samples / per_call;
    let samples = calls * per_call;

    let target = reference::entry_func(module, func)?;
    let ops = ops_preorder(target);
    // Ops the conversion cannot handle are reported before any calibration
    // run, at their locations.
    let unsupported: Vec<Diag> = without_integer_form(&ops)
        .into_iter()
        .filter_map(OpRef::new)
        .map(|op| Diag {
            severity: crate::diagnostics::Severity::Error,
            at: crate::diagnostics::resolve(cimc_dialects::handle::melior_location(op.location())),
            message: format!(
                "'{}' op {}; `cimc quantize --float-fallback` keeps it in float on the host",
                op.name(),
                unsupported(&op.name())
            ),
            notes: vec![],
        })
        .collect();
    if !unsupported.is_empty() {
        return Err(QuantizeError::Diagnosed(unsupported));
    }
    // Views and pooling keep their input's grid: only ops that set a new
    // one are observed.
    let tapped: Vec<usize> = (0..ops.len())
        .filter(|_| recording.ranges)
        .filter(|i| is_float_activation(ops[*i]))
        .filter(|i| {
            let name = cimc_passes::ir::op_name(ops[*i]);
            !(KEEPS_VALUES.contains(&name.as_str())
                || matches!(name.as_str(), "tosa.avg_pool2d" | "tosa.resize"))
        })
        .collect();
    // A value the function already returns is read from its result: the
    // same buffer returned twice crashes upstream
    // buffer-results-to-out-params (hoist-static-allocs) in MLIR 22.
    let returned = |op: sys::MlirOperation| returned_as(&ops, target, op);
    let mut taps = Vec::new();
    let sources: Vec<Source> = tapped
        .iter()
        .map(|op| match returned(ops[*op]) {
            Some(r) => Source::Result(r),
            None => {
                taps.push(Tap { op: *op, result: 0 });
                Source::Tap(taps.len() - 1)
            }
        })
        .collect();
    // The weighted layers' inputs, for AdaRound and bias correction.
    let mut recorded: Vec<(usize, Source)> = Vec::new();
    if recording.inputs {
        let mut by_producer: HashMap<usize, Source> = tapped
            .iter()
            .zip(&sources)
            .map(|(op, source)| (*op, *source))
            .collect();
        let weighted: Vec<usize> = (0..ops.len())
            .filter(|i| Layer::of(ops[*i]).is_some())
            .collect();
        recorded = layer_input_sources(&ops, target, &weighted, &mut by_producer, &mut taps);
    }
    let mut kept: Vec<KeptInputs> = (0..recorded.len()).map(|_| KeptInputs::default()).collect();
    let exe = reference::compile(context, module, func, &taps, 2)?;
    let results = exe.outputs.len() - taps.len();
    let mut arg_observers = vec![Observer::default(); inputs.len()];
    let mut observers = vec![Observer::default(); tapped.len()];
    for i in 0..calls {
        let sample: Vec<Tensor> = data
            .iter()
            .map(|(_, t)| t.rows(i * per_call, per_call))
            .collect();
        for (obs, t) in arg_observers.iter_mut().zip(&sample) {
            obs.observe(&as_f32(t))?;
        }
        let outputs = exe.run(&sample)?;
        let value = |source: &Source| match source {
            Source::Result(r) => &outputs[*r],
            Source::Tap(t) => &outputs[results + t],
            Source::Arg(a) => &sample[*a],
        };
        for (obs, source) in observers.iter_mut().zip(&sources) {
            obs.observe(&as_f32(value(source)))?;
        }
        for ((_, source), kept) in recorded.iter().zip(kept.iter_mut()) {
            kept.keep(value(source));
        }
    }
    for ((index, _), kept) in recorded.iter().zip(&kept) {
        kept.record(context, ops[*index]);
    }
    if !recording.ranges {
        return Ok(samples);
    }
    // The observers' state goes on the IR; cim-quant-activation-range sets
    // the ranges from it.
    for (op, obs) in tapped.iter().zip(&observers) {
        let attr = observation_attr(context.to_raw(), obs);
        cimc_passes::emit::set_attr(ops[*op], OBSERVED_ATTR, attr);
    }
    let args: Vec<AttrRef> = arg_observers
        .iter()
        .filter_map(|obs| AttrRef::new(observation_attr(context.to_raw(), obs)))
        .collect();
    let array = AttrRef::array(context.to_raw(), &args);
    cimc_passes::emit::set_attr(target, ARG_OBSERVED_ATTR, array.raw());
    Ok(samples)
}

/// What a calibration run records.
#[derive(Debug, Clone, Copy)]
pub struct Recording {
    /// Every activation's observer, for its range (`cim.quant.observed`,
    /// `cim.quant.arg_observed`).
    pub ranges: bool,
    /// Each weighted layer's inputs (`cim.quant.inputs`).
    pub inputs: bool,
}

/// Where an observed activation comes from.
#[derive(Clone, Copy)]
enum Source {
    /// An argument of the function (the calibration data itself).
    Arg(usize),
    /// A result of the function itself.
    Result(usize),
    /// An extra result added by a tap.
    Tap(usize),
}

/// The index among `ops`' results of the value the function returns from
/// `op`'s first result, if it does.
fn returned_as(
    ops: &[sys::MlirOperation],
    target: sys::MlirOperation,
    op: sys::MlirOperation,
) -> Option<usize> {
    let value = cimc_passes::emit::result_of(op, 0);
    let ret =
        ops.iter().rev().filter_map(|o| OpRef::new(*o)).find(|o| {
            o.is("func.return") && o.parent().is_some_and(|p| p.raw().ptr == target.ptr)
        })?;
    ret.operands().iter().position(|v| v.raw().ptr == value.ptr)
}

/// Where the input of each of the `weighted` ops (indices into `ops`, the
/// function's ops in pre-order) comes from: an argument, a result, or a
/// tap on its producer (one tap a producer, shared through
/// `by_producer`).
fn layer_input_sources(
    ops: &[sys::MlirOperation],
    target: sys::MlirOperation,
    weighted: &[usize],
    by_producer: &mut HashMap<usize, Source>,
    taps: &mut Vec<Tap>,
) -> Vec<(usize, Source)> {
    let mut recorded = Vec::new();
    for index in weighted {
        let Some(input) = OpRef::new(ops[*index]).and_then(|o| o.operand(0)) else {
            continue;
        };
        let source = if let Some(number) = input.argument_number() {
            Source::Arg(number)
        } else {
            let Some(producer) = input.producer() else {
                continue;
            };
            let Some(p) = ops.iter().position(|o| o.ptr == producer.raw().ptr) else {
                continue;
            };
            *by_producer
                .entry(p)
                .or_insert_with(|| match returned_as(ops, target, ops[p]) {
                    Some(r) => Source::Result(r),
                    None => {
                        taps.push(Tap { op: p, result: 0 });
                        Source::Tap(taps.len() - 1)
                    }
                })
        };
        recorded.push((*index, source));
    }
    recorded
}

/// One weighted layer's inputs over the calibration calls, up to
/// [`MAX_RECORDED`] values (whole calls).
#[derive(Default)]
struct KeptInputs {
    values: Vec<f32>,
    calls: usize,
}

impl KeptInputs {
    fn keep(&mut self, input: &Tensor) {
        let t = as_f32(input);
        if self.values.len() + t.len() <= MAX_RECORDED.max(t.len()) {
            self.values.extend(t);
            self.calls += 1;
        }
    }

    /// Records the kept inputs on `op` (`cim.quant.inputs`), the calls'
    /// rows one after another.
    fn record(&self, context: &Context, op: sys::MlirOperation) {
        let (mut shape, _) = cimc_passes::emit::tensor_info(cimc_passes::emit::operand(op, 0))
            .expect("a weighted layer has a ranked input");
        shape[0] *= self.calls as i64;
        let attr = cimc_passes::quant::layer::dense_f32(context.to_raw(), &shape, &self.values);
        cimc_passes::quant::layer::record_inputs(op, attr);
    }
}

fn as_f32(tensor: &Tensor) -> Vec<f32> {
    tensor.to_f64().into_iter().map(|v| v as f32).collect()
}

/// Calibrates, converts to integer TOSA and validates the result.
pub fn quantize(
    context: &Context,
    module: &mut Module,
    func: Option<&str>,
    data: &[(String, Tensor)],
    settings: &Settings,
) -> Result<Quantized, QuantizeError> {
    quantize_with(context, module, func, data, settings, &mut |_, _, _| Ok(()))
}

/// A copy of `module` (and everything in it), owned apart from it.
pub(crate) fn clone_module<'c>(module: &Module<'c>) -> Module<'c> {
    unsafe {
        let op = sys::mlirOperationClone(module.as_operation().to_raw());
        Module::from_raw(sys::mlirModuleFromOperation(op))
    }
}

/// Whether a weighted layer still has float weights not on a grid.
fn float_layers_left(module: &Module) -> bool {
    count_ops(module, |op| {
        Layer::of(op).is_some_and(|l| !l.already_on_grid())
    }) > 0
}

/// The first weighted layer of `module` whose weights are float and not on
/// a grid: what only quantization puts on crossbars.
pub fn first_float_layer(module: &Module) -> Option<sys::MlirOperation> {
    let mut found = None;
    module.as_operation().walk(WalkOrder::PreOrder, |op| {
        let raw = op.to_raw();
        if Layer::of(raw).is_some_and(|l| !l.already_on_grid()) {
            found = Some(raw);
            return WalkResult::Interrupt;
        }
        WalkResult::Advance
    });
    found
}

/// How many ops of `module` satisfy `pred`.
fn count_ops(module: &Module, pred: impl Fn(sys::MlirOperation) -> bool) -> usize {
    let mut count = 0;
    module.as_operation().walk(WalkOrder::PreOrder, |op| {
        count += usize::from(pred(op.to_raw()));
        WalkResult::Advance
    });
    count
}

/// What `cimc quantize` did.
#[derive(Debug, Clone)]
pub struct Quantized {
    /// Calibration samples used.
    pub samples: usize,
    /// How the weights were rounded, for the log.
    pub rounding: String,
    /// A warning at each op kept in float.
    pub warnings: Vec<Diag>,
}

/// Runs a pass pipeline, collecting its diagnostics into the error.
fn run_passes(
    context: &Context,
    module: &mut Module,
    text: &str,
    printing: IrPrinting,
) -> Result<(), QuantizeError> {
    let collector = Collector::default();
    let handler = collector.attach(context);
    let result = pipeline::run_with(
        context,
        module,
        text,
        &PassContext::default(),
        &collector,
        &|pm| printing.configure(pm),
    );
    context.detach_diagnostic_handler(handler);
    result.map_err(QuantizeError::Diagnosed)
}

/// What runs between calibration and conversion (`cimc quantize --report`,
/// `crate::quant_report`): it sees the calibrated float module and, when a
/// weight pass (AdaRound, bias correction) rewrote weights after
/// calibration, the rewritten module cim-quant-convert receives.
pub type AfterCalibration<'a> =
    dyn FnMut(&Context, &Module, Option<&Module>) -> Result<(), QuantizeError> + 'a;

/// [`quantize`], calling `after_calibration` on the calibrated float module
/// before the conversion.
pub fn quantize_with(
    context: &Context,
    module: &mut Module,
    func: Option<&str>,
    data: &[(String, Tensor)],
    settings: &Settings,
    after_calibration: &mut AfterCalibration<'_>,
) -> Result<Quantized, QuantizeError> {
    let printing = settings.print_ir;
    run_passes(
        context,
        module,
        &module_pipeline(&settings.prepare_steps()),
        printing,
    )?;
    if let Some(config) = &settings.config {
        config
            .apply(module)
            .map_err(|e| QuantizeError::Config(Box::new(e)))?;
        printing.after(
            "config",
            "cimc: --config overrides set on the layers",
            module,
        );
    }
    let warnings = keep_in_float(module, func, settings.float_fallback)?;
    let recording = Recording {
        ranges: true,
        inputs: settings.records_inputs(),
    };
    let samples = calibrate(context, module, func, data, settings, recording)?;
    printing.after(
        "calibration",
        "cimc: reference execution on the calibration data, observers recorded",
        module,
    );
    run_passes(
        context,
        module,
        &module_pipeline(&settings.range_steps()),
        printing,
    )?;
    // The float model as calibrated, before a weight pass rewrites weights.
    let float = settings.weight_pass().map(|_| clone_module(module));
    let layers = count_ops(module, |op| Layer::of(op).is_some());
    if let Some(pass) = settings.weight_pass() {
        let pass = module_pipeline([&pass]);
        run_passes(context, module, &pass, printing)?;
        // AdaRound rounds one layer per run: each next layer learns from
        // the inputs the network rounded so far gives it, against the float
        // network's (Nagel et al. 2020, section 5: asymmetric
        // reconstruction), so rounding errors do not compound unseen.
        if settings.adaround.is_some() && float_layers_left(module) {
            let rerecorder = rerecord::Rerecorder::new(context, module, func)?;
            while rerecorder.record_next(context, module, func, data)? {
                printing.after(
                    "calibration",
                    "cimc: the next layer's inputs recorded for AdaRound",
                    module,
                );
                run_passes(context, module, &pass, printing)?;
            }
        }
    }
    let rounding = match (settings.adaround, settings.bias_correction) {
        (Some(iterations), _) => {
            format!("weights rounded by AdaRound ({iterations} iterations per layer)")
        }
        (None, Some(mode)) => format!(
            "weights rounded to nearest, biases corrected ({}) in {} of {layers} layers",
            mode.word(),
            count_ops(module, |op| cimc_passes::emit::attr(op, CORRECTION_ATTR)
                .is_some())
        ),
        (None, None) => "weights rounded to nearest".to_string(),
    };
    match &float {
        Some(float) => after_calibration(context, float, Some(module))?,
        None => after_calibration(context, module, None)?,
    }
    drop(float);
    let text = module_pipeline(&settings.convert_steps());
    run_passes(context, module, &text, printing)?;
    Ok(Quantized {
        samples,
        rounding,
        warnings,
    })
}

/// The (scale, zero point) of each argument of a module `cimc quantize`
/// wrote, if it records them.
pub fn argument_grids(module: &Module, func: Option<&str>) -> Option<Vec<(f64, i32)>> {
    let target = reference::entry_func(module, func).ok()?;
    let pairs = cimc_passes::emit::f64_pairs_attr(target, ARG_GRIDS_ATTR)?;
    Some(pairs.into_iter().map(|(s, z)| (s, z as i32)).collect())
}

/// The (scale, zero point) of each result of a module `cimc quantize`
/// wrote, if it records them.
pub fn result_grids(module: &Module, func: Option<&str>) -> Option<Vec<(f64, i32)>> {
    let target = reference::entry_func(module, func).ok()?;
    let pairs = cimc_passes::emit::f64_pairs_attr(target, RESULT_GRIDS_ATTR)?;
    Some(pairs.into_iter().map(|(s, z)| (s, z as i32)).collect())
}

/// Whether a quantized model's argument or result of this type stands for
/// reals on a grid: i8 and i16 do; floats are reals already, and i32, i64
/// and i1 results are what the float model gives too (tosa.argmax indices,
/// flags).
pub fn on_a_grid(dtype: reference::DType) -> bool {
    matches!(dtype, reference::DType::I8 | reference::DType::I16)
}

/// An integer result on the grid (s, z) as the reals it stands for,
/// s * (q - z), in f32; `None` for a tensor on no grid (floats, indices,
/// flags: nothing to undo).
pub fn dequantize_output(tensor: &Tensor, scale: f64, zero_point: i32) -> Option<Tensor> {
    if !on_a_grid(tensor.dtype()) {
        return None;
    }
    let values: Vec<f32> = tensor
        .to_f64()
        .into_iter()
        .map(|q| (scale * (q - f64::from(zero_point))) as f32)
        .collect();
    ndarray::ArrayD::from_shape_vec(tensor.shape().to_vec(), values)
        .ok()
        .map(Tensor::F32)
}

/// `x` (float) on the integer grid (s, z) of an argument of type `dtype`
/// (i8 or i16): clamp(round(x / s) + z, min, max) of the type, rounding
/// half away from zero like the weights. `None` when `tensor` is not float
/// or `dtype` is another type: nothing to quantize.
pub fn quantize_input(
    tensor: &Tensor,
    scale: f64,
    zero_point: i32,
    dtype: reference::DType,
) -> Option<Tensor> {
    if tensor.dtype() != reference::DType::F32 {
        return None;
    }
    let shape = tensor.shape().to_vec();
    let q = tensor
        .to_f64()
        .into_iter()
        .map(move |x| (x / scale).round() + f64::from(zero_point));
    match dtype {
        reference::DType::I8 => Some(Tensor::I8(
            ndarray::ArrayD::from_shape_vec(
                shape,
                q.map(|v| v.clamp(-128.0, 127.0) as i8).collect(),
            )
            .expect("same element count"),
        )),
        reference::DType::I16 => Some(Tensor::I16(
            ndarray::ArrayD::from_shape_vec(
                shape,
                q.map(|v| v.clamp(-32768.0, 32767.0) as i16).collect(),
            )
            .expect("same element count"),
        )),
        _ => None,
    }
}
