//! The integer TOSA cim-quant-convert builds in place of a float op: a
//! `tosa.rescale` checked against the reference model's REQUIREs, a clamp
//! to a grid's range, the float op's attributes for its integer copy.

use crate::emit::{self, Emitter};
use crate::quant::grid::{fused_clamp, ActGrid};
use crate::raw::{RawOp, RawValue};
use cimc_dialects::handle::OpRef;
use mlir_sys as sys;

pub(super) fn shape_of(value: RawValue) -> Result<Vec<i64>, String> {
    emit::tensor_info(value)
        .map(|(shape, _)| shape)
        .ok_or_else(|| "expected a ranked tensor".to_string())
}

/// The scale32 parameters of `scale` if they meet the REQUIREs over
/// `bounds`.
pub(super) fn scale_fits(scale: f64, bounds: (i64, i64)) -> Option<cimc_quant::Scale32> {
    let s = cimc_quant::scale32(scale).ok()?;
    cimc_quant::check_require(bounds.0, bounds.1, s.multiplier, s.shift, false).ok()?;
    Some(s)
}

/// A TOSA 1.0 rescale of `input` (element `from`) to `to` with one
/// (multiplier, shift) per channel (or one), checked against the reference
/// model's REQUIREs over `bounds`, the values (input zero point removed)
/// it can see.
#[allow(clippy::too_many_arguments)]
pub(super) fn rescale(
    at: &Emitter,
    input: RawValue,
    to: &str,
    scales: &[f64],
    input_zp: i32,
    output_zp: i32,
    bounds: (i64, i64),
) -> Result<RawValue, String> {
    let (shape, from) = emit::tensor_info(input).ok_or("rescale of a non-tensor")?;
    // TOSA forbids scale32 on an int48 input: a 16-bit multiplier there.
    let scale32 = from != "i48";
    let mut multipliers = Vec::with_capacity(scales.len());
    let mut shifts = Vec::with_capacity(scales.len());
    for scale in scales {
        let checked = if scale32 {
            cimc_quant::scale32(*scale).and_then(|s| {
                cimc_quant::check_require(bounds.0, bounds.1, s.multiplier, s.shift, false)
                    .map(|()| (i64::from(s.multiplier), s.shift))
            })
        } else {
            cimc_quant::scale16(*scale).and_then(|s| {
                cimc_quant::check_require_16(bounds.0, bounds.1, s.multiplier, s.shift)
                    .map(|()| (i64::from(s.multiplier), s.shift))
            })
        };
        let (multiplier, shift) = checked.map_err(|e| format!("rescale by {scale}: {e}"))?;
        multipliers.push(multiplier);
        shifts.push(shift);
    }
    let n = scales.len() as i64;
    let multiplier = at.const_int(&[n], if scale32 { "i32" } else { "i16" }, &multipliers);
    let shift = at.const_i8(&[n], &shifts);
    let in_zp = at.const_int(&[1], &from, &[i64::from(input_zp)]);
    let out_zp = at.const_int(&[1], to, &[i64::from(output_zp)]);
    Ok(at.value(
        "tosa.rescale",
        &[input, multiplier, shift, in_zp, out_zp],
        at.tensor(&shape, to),
        &[
            ("scale32", at.bool_attr(scale32)),
            (
                "rounding_mode",
                at.attr("#tosa.rounding_mode<SINGLE_ROUND>"),
            ),
            ("per_channel", at.bool_attr(scales.len() > 1)),
            ("input_unsigned", at.bool_attr(false)),
            ("output_unsigned", at.bool_attr(false)),
        ],
    ))
}

/// A `tosa.clamp` of the integer `value` to `[lo, hi]`.
pub(super) fn clamp_int(
    at: &Emitter,
    value: RawValue,
    lo: i64,
    hi: i64,
) -> Result<RawValue, String> {
    let (shape, element) = emit::tensor_info(value).ok_or("expected a ranked tensor")?;
    Ok(at.value(
        "tosa.clamp",
        &[value],
        at.tensor(&shape, &element),
        &[
            ("min_val", at.attr(&format!("{lo} : {element}"))),
            ("max_val", at.attr(&format!("{hi} : {element}"))),
        ],
    ))
}

/// `value` (just put on `grid` by a rescale) restricted to the grid's
/// range: a clamp when the grid is narrower than its tensor (8 or 16
/// bits), else nothing (rescale saturates to the tensor's type).
pub(super) fn restrict(at: &Emitter, value: RawValue, grid: ActGrid) -> Result<RawValue, String> {
    if grid.bits >= grid.storage_bits() {
        return Ok(value);
    }
    let (lo, hi) = grid.qrange();
    clamp_int(at, value, lo, hi)
}

/// [`restrict`] for the result of `op`, unless `op`'s only user is a
/// tosa.clamp: that clamp restricts it (to the grid's range or less).
pub(super) fn restrict_result(
    at: &Emitter,
    op: RawOp,
    value: RawValue,
    grid: ActGrid,
) -> Result<RawValue, String> {
    if fused_clamp(op).is_some() {
        Ok(value)
    } else {
        restrict(at, value, grid)
    }
}

/// The attributes of `op` other than `skip`, for a rewritten copy.
pub(super) fn attrs_except(op: RawOp, skip: &[&str]) -> Vec<(String, sys::MlirAttribute)> {
    OpRef::new(op)
        .map(OpRef::attrs)
        .unwrap_or_default()
        .into_iter()
        .filter(|(name, _)| {
            !skip.contains(&name.as_str()) && !name.starts_with(cimc_dialects::quant::PREFIX)
        })
        .collect()
}
