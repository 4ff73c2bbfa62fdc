//! The discardable `cim.quant.*` attributes the quantization passes keep on
//! TOSA ops and functions between calibration and conversion, declared
//! once: what calibration records, what the range and weight passes decide,
//! the per-op overrides a user (or `--config`) sets, and the grids the
//! converted function carries for its callers.

/// The namespace of these attributes; cim-quant-convert drops every
/// attribute under it from the integer ops it builds.
pub const PREFIX: &str = "cim.quant.";

// Calibration records.
/// An op result's observer (a dictionary; cim-quant-activation-range).
pub const OBSERVED: &str = "cim.quant.observed";
/// The function arguments' observers (an array of those dictionaries).
pub const ARG_OBSERVED: &str = "cim.quant.arg_observed";
/// A weighted layer's recorded float inputs (AdaRound, bias correction).
pub const INPUTS: &str = "cim.quant.inputs";
/// The float network's inputs to a layer (AdaRound's targets).
pub const TARGET_INPUTS: &str = "cim.quant.target_inputs";

// What the passes decide.
/// An activation's range `array<f64: lo, hi>`.
pub const RANGE: &str = "cim.quant.range";
/// The function arguments' ranges (an array of those pairs).
pub const ARG_RANGES: &str = "cim.quant.arg_ranges";
/// A weighted op's weight range, one (lo, hi) pair per channel or one.
pub const WEIGHT_RANGE: &str = "cim.quant.weight_range";
/// The scales of weights a pass already put on a grid.
pub const WEIGHT_SCALE: &str = "cim.quant.weight_scale";
/// The zero point of weights already on an asymmetric grid.
pub const WEIGHT_ZERO_POINT: &str = "cim.quant.weight_zero_point";
/// Batch-norm statistics folded into a convolution.
pub const BN_BETA: &str = "cim.quant.bn_beta";
pub const BN_GAMMA: &str = "cim.quant.bn_gamma";
/// The bias correction a layer received (per output channel).
pub const BIAS_CORRECTION: &str = "cim.quant.bias_correction";
/// AdaRound's final loss on a layer.
pub const ADAROUND_LOSS: &str = "cim.quant.adaround_loss";
/// On the last op of a chain cim-quant-fake-quant inserted: the layer.
pub const FAKE_QUANT: &str = "cim.quant.fake_quant";

// Per-op overrides of the passes' options.
pub const WEIGHT_BITS: &str = "cim.quant.weight_bits";
pub const PER_CHANNEL: &str = "cim.quant.per_channel";
pub const WEIGHT_SYMMETRIC: &str = "cim.quant.weight_symmetric";
pub const ACTIVATION_BITS: &str = "cim.quant.activation_bits";
pub const ACTIVATION_SYMMETRIC: &str = "cim.quant.activation_symmetric";
/// The op stays in float, between a dequantize of its inputs and a quantize
/// of its result (`--float-fallback`, `keep_float = true` in `--config`).
pub const KEEP_FLOAT: &str = "cim.quant.keep_float";

/// The override attribute of a `--config` key (`weight_bits` ->
/// `cim.quant.weight_bits`).
pub fn override_attr(key: &str) -> Option<&'static str> {
    [
        WEIGHT_BITS,
        PER_CHANNEL,
        WEIGHT_SYMMETRIC,
        ACTIVATION_BITS,
        ACTIVATION_SYMMETRIC,
        KEEP_FLOAT,
    ]
    .into_iter()
    .find(|name| name.strip_prefix(PREFIX) == Some(key))
}

// On the converted function, for its callers.
/// Each argument's (scale, zero point).
pub const ARG_GRIDS: &str = "cim.quant.arg_grids";
/// Each result's (scale, zero point).
pub const RESULT_GRIDS: &str = "cim.quant.result_grids";
