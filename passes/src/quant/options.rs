//! The options of the quantization passes and the attributes that carry
//! their inputs and per-op overrides: which bit widths cimc quantizes to,
//! the `weight-*` and `activation-*` options several passes share, the
//! `cim.quant.*` attribute names, and reading an op's overrides of the
//! options.

use crate::emit;
use crate::raw::RawOp;
use cimc_dialects::handle::OpRef;
use cimc_dialects::quant;
use cimc_quant::WeightRange;

/// Help of the `activation-bits` option the activation passes share.
pub const ACTIVATION_BITS_HELP: &str = "activation bit width, 4..=8 (i8 tensors whose values lie in [-2^(b-1), 2^(b-1)-1]) or 16 (i16 tensors, symmetric)";

/// Help of the shared `activation-symmetric` option.
pub const ACTIVATION_SYMMETRIC_HELP: &str = "symmetric activation grids (zero point 0) instead of asymmetric ones; 16-bit grids are always symmetric";

/// Attribute names the calibration writes.
pub const RANGE_ATTR: &str = quant::RANGE;
pub const ARG_RANGES_ATTR: &str = quant::ARG_RANGES;
/// Written on the converted function: each argument's and result's (scale,
/// zero point), so callers can quantize inputs and dequantize outputs.
pub const ARG_GRIDS_ATTR: &str = quant::ARG_GRIDS;
pub const RESULT_GRIDS_ATTR: &str = quant::RESULT_GRIDS;
/// Per-op overrides of the pass options (module documentation).
pub const WEIGHT_BITS_ATTR: &str = quant::WEIGHT_BITS;
pub const PER_CHANNEL_ATTR: &str = quant::PER_CHANNEL;
pub const WEIGHT_SCALE_ATTR: &str = quant::WEIGHT_SCALE;
pub const ACTIVATION_BITS_ATTR: &str = quant::ACTIVATION_BITS;
/// The bit widths the overrides and options allow.
/// `cim.quant.weight_symmetric = true|false` on a weighted op overrides the
/// `weight-symmetric` option.
pub const WEIGHT_SYMMETRIC_ATTR: &str = quant::WEIGHT_SYMMETRIC;
/// The weight zero point of weights a pass already put on an asymmetric
/// grid (beside `cim.quant.weight_scale`).
pub const WEIGHT_ZERO_POINT_ATTR: &str = quant::WEIGHT_ZERO_POINT;
/// `cim.quant.activation_symmetric = true|false` on an op that sets a new
/// grid overrides the `activation-symmetric` option.
pub const ACTIVATION_SYMMETRIC_ATTR: &str = quant::ACTIVATION_SYMMETRIC;

/// The weight range cim-quant-weight-range chose for a weighted op:
/// `array<f64: lo_0, hi_0, ...>`, one pair per output channel or one.
pub const WEIGHT_RANGE_ATTR: &str = quant::WEIGHT_RANGE;

/// The bit widths cimc quantizes to: a run of widths and maybe one more.
#[derive(Clone, Copy, Debug)]
pub struct Widths {
    lo: i64,
    hi: i64,
    extra: Option<i64>,
}

impl Widths {
    pub fn contains(&self, bits: &i64) -> bool {
        (self.lo..=self.hi).contains(bits) || self.extra == Some(*bits)
    }

    /// E.g. `4..=8 or 16`.
    pub fn describe(&self) -> String {
        match self.extra {
            Some(extra) => format!("{}..={} or {extra}", self.lo, self.hi),
            None => format!("{}..={}", self.lo, self.hi),
        }
    }
}

pub const WEIGHT_BITS: Widths = Widths {
    lo: 2,
    hi: 8,
    extra: None,
};
/// 4..=8 bits are i8 tensors; 16 bits are i16 tensors, symmetric (zero
/// point 0, as TOSA requires of int16), with i48 accumulators.
pub const ACTIVATION_BITS: Widths = Widths {
    lo: 4,
    hi: 8,
    extra: Some(16),
};

pub(crate) fn range_attr(op: RawOp) -> Option<(f64, f64)> {
    match emit::f64_array_attr(op, RANGE_ATTR)?.as_slice() {
        [lo, hi] => Some((*lo, *hi)),
        _ => None,
    }
}

/// A bit-width override `name = N : i64` on `op`, checked against `allowed`.
pub(crate) fn bits_override(
    op: RawOp,
    name: &str,
    allowed: Widths,
    what: &str,
) -> Result<Option<u32>, String> {
    match int_override(op, name)? {
        Some(v) if allowed.contains(&v) => Ok(Some(v as u32)),
        Some(v) => Err(format!(
            "'{name}' = {v} is out of range: cimc quantizes {what} to {} bits",
            allowed.describe()
        )),
        None => Ok(None),
    }
}

/// An integer override `name = N : i64` on `op` (a boolean or any other
/// kind of attribute under that name is an error).
pub(crate) fn int_override(op: RawOp, name: &str) -> Result<Option<i64>, String> {
    let Some(attr) = OpRef::new(op).and_then(|o| o.attribute(name)) else {
        return Ok(None);
    };
    attr.as_int()
        .map(Some)
        .ok_or_else(|| format!("'{name}' must be an integer (`{name} = N : i64`)"))
}

/// A boolean override `name = true|false` on `op`.
pub(crate) fn bool_override(op: RawOp, name: &str) -> Result<Option<bool>, String> {
    let Some(attr) = OpRef::new(op).and_then(|o| o.attribute(name)) else {
        return Ok(None);
    };
    attr.as_bool()
        .map(Some)
        .ok_or_else(|| format!("'{name}' must be true or false"))
}

/// Whether `op` is to stay in float (`cim.quant.keep_float = true`:
/// `--float-fallback` or `keep_float` in `--config`; cim-quant-convert's
/// float islands).
pub fn keeps_float(op: RawOp) -> bool {
    bool_override(op, cimc_dialects::quant::KEEP_FLOAT)
        .ok()
        .flatten()
        .unwrap_or(false)
}

/// An `array<f64: ...>` override on `op`.
pub(crate) fn f64_array_override(op: RawOp, name: &str) -> Result<Option<Vec<f64>>, String> {
    match (crate::raw::attr(op, name), emit::f64_array_attr(op, name)) {
        (None, _) => Ok(None),
        (Some(_), None) => Err(format!("'{name}' must be an `array<f64: ...>`")),
        (Some(_), values) => Ok(values),
    }
}

/// The options' width and symmetry checked: `activation-bits` and
/// `weight-bits` within what cimc quantizes to.
pub(crate) fn check_widths(weight_bits: i64, activation_bits: i64) -> Result<(), String> {
    if !WEIGHT_BITS.contains(&weight_bits) {
        return Err(format!(
            "weight-bits = {weight_bits} is out of range: cimc quantizes weights to {} bits",
            WEIGHT_BITS.describe()
        ));
    }
    if !ACTIVATION_BITS.contains(&activation_bits) {
        return Err(format!(
            "activation-bits = {activation_bits} is out of range: cimc quantizes activations to {} bits",
            ACTIVATION_BITS.describe()
        ));
    }
    Ok(())
}

/// Help of the `weight-bits` option of the passes that set weight grids.
pub const WEIGHT_BITS_HELP: &str = "weight bit width, 2..=8 (the grid cim-quant-convert builds)";

/// Help of the shared `per-channel` option.
pub const PER_CHANNEL_HELP: &str = "one weight scale per output channel (else one per tensor)";

/// Help of the shared `weight-symmetric` option.
pub const WEIGHT_SYMMETRIC_HELP: &str =
    "symmetric weight grids (zero point 0); false: asymmetric, per tensor, one zero point";

/// The words and help of the shared `weight-range` option.
pub const WEIGHT_RANGES: [&str; 2] = ["min-max", "mse"];
pub const WEIGHT_RANGE_HELP: &str =
    "weight ranges: the extremes, or the clipping that minimises the squared rounding error";

/// The method a `weight-range` option names.
pub fn weight_range(word: &str) -> WeightRange {
    if word == "mse" {
        WeightRange::Mse(cimc_quant::MseSearch::default())
    } else {
        WeightRange::MinMax
    }
}
