//! The integer arithmetic of TOSA 1.0's `tosa.rescale`: turning a real scale
//! into (multiplier, shift), applying it exactly as the specification does,
//! and checking the specification's REQUIREs for a range of inputs.
//!
//! Why: in the quantized graph every change of scale (accumulator → next
//! layer's input, residual additions, ...) is a `tosa.rescale`. The PTQ
//! passes must emit parameters the reference model accepts (it aborts on a
//! violated REQUIRE) and must predict the integers it computes, so they can
//! check a rescale before emitting it and constant-fold it bit-exactly.
//!
//! **Scale → (multiplier, shift).** Write the scale as s = m·2^e with
//! m ∈ [0.5, 1). Then
//!
//! ```text
//! scale32: multiplier = round(m · 2^31) ∈ [2^30, 2^31)   shift = 31 − e
//! scale16: multiplier = round(m · 2^15) ∈ [2^14, 2^15)   shift = 15 − e
//! ```
//!
//! and s ≈ multiplier · 2^−shift. When rounding carries the multiplier to
//! 2^31 (2^15), it becomes 2^30 (2^14) and the shift drops by one. TOSA
//! requires 2 ≤ shift ≤ 62: a larger scale is an error; a smaller one keeps
//! shift = 62 with a denormalized multiplier round(s · 2^62) (an error if
//! that rounds to 0, i.e. s < 2^−63).
//!
//! **apply_scale_32** (TOSA 1.0 pseudocode, transcribed):
//!
//! ```text
//! REQUIRE(multiplier >= 0)
//! REQUIRE(2 <= shift && shift <= 62)
//! REQUIRE(value >= (-1 << (shift - 1)) && value < (1 << (shift - 1)))
//! int64_t round = 1 << (shift - 1)
//! if (double_round && shift > 31) round += (value >= 0) ? (1 << 30) : -(1 << 30)
//! int64_t result = (int64_t)value * multiplier + round
//! result = result >> shift                  // arithmetic: floor division
//! return (int32_t)result                    // fits, given the REQUIREs
//! ```
//!
//! Ties therefore round up (towards +∞), not away from zero; DOUBLE_ROUND
//! (only meaningful with scale32, and only when shift > 31) reproduces the
//! two-step rounding of TFLite's fixed-point multiply. **apply_scale_16**
//! takes a 48-bit value and a 16-bit multiplier, has no double rounding and
//! REQUIREs the result to fit in int32. The Arm reference model also checks
//! that the apply_scale_32 result fits in int32; [`check_require`] checks
//! all of these for every input in a range (the result is monotone in the
//! value, so the range's ends decide).
//!
//! **Per channel**, TOSA takes one (multiplier, shift) per index of the
//! input's **last** dimension (the channel of NHWC activations);
//! [`per_channel_scale32`] produces those vectors.

use crate::error::{QuantError, Result};

/// Smallest shift TOSA allows.
pub const SHIFT_MIN: i8 = 2;
/// Largest shift TOSA allows.
pub const SHIFT_MAX: i8 = 62;

/// A 32-bit rescale multiplier and its shift (TOSA `scale32 = true`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Scale32 {
    /// Multiplier, ≥ 0; in [2^30, 2^31) unless denormalized for a tiny scale.
    pub multiplier: i32,
    /// Right shift, 2..=62.
    pub shift: i8,
}

/// A 16-bit rescale multiplier and its shift (TOSA `scale32 = false`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Scale16 {
    /// Multiplier, ≥ 0; in [2^14, 2^15) unless denormalized.
    pub multiplier: i16,
    /// Right shift, 2..=62.
    pub shift: i8,
}

impl Scale32 {
    /// The real scale multiplier · 2^−shift.
    pub fn to_f64(&self) -> f64 {
        self.multiplier as f64 * (-(self.shift as f64)).exp2()
    }
}

impl Scale16 {
    /// The real scale multiplier · 2^−shift.
    pub fn to_f64(&self) -> f64 {
        self.multiplier as f64 * (-(self.shift as f64)).exp2()
    }
}

/// (m, e) with x = m·2^e, m ∈ [0.5, 1), for finite normal x > 0.
fn frexp(x: f64) -> (f64, i32) {
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32;
    let mant = f64::from_bits((bits & !(0x7ffu64 << 52)) | (1022u64 << 52));
    (mant, exp - 1022)
}

/// Multiplier and shift for `mant_bits` = 31 (scale32) or 15 (scale16).
fn quantize_scale(scale: f64, mant_bits: i32) -> Result<(i64, i8)> {
    if !scale.is_finite() || scale <= 0.0 || !scale.is_normal() {
        return Err(QuantError::invalid(
            "rescale scale",
            scale,
            "must be a finite, normal number > 0",
        ));
    }
    let (m, mut e) = frexp(scale);
    let mut mult = (m * (1i64 << mant_bits) as f64).round() as i64;
    if mult == 1i64 << mant_bits {
        mult = 1i64 << (mant_bits - 1);
        e += 1;
    }
    let mut shift = mant_bits - e;
    if shift < SHIFT_MIN as i32 {
        return Err(QuantError::invalid(
            "rescale scale",
            scale,
            format!(
                "too large: needs shift {shift} < {SHIFT_MIN} (scale{} allows at most about 2^{})",
                mant_bits + 1,
                mant_bits - 2
            ),
        ));
    }
    if shift > SHIFT_MAX as i32 {
        let k = shift - SHIFT_MAX as i32;
        mult = if k >= 63 {
            0
        } else {
            (mult + (1i64 << (k - 1))) >> k
        };
        shift = SHIFT_MAX as i32;
        if mult == 0 {
            return Err(QuantError::invalid(
                "rescale scale",
                scale,
                "too small: the multiplier rounds to 0 at the largest shift (62)",
            ));
        }
    }
    Ok((mult, shift as i8))
}

/// The scale32 (multiplier, shift) of a real scale (module documentation).
pub fn scale32(scale: f64) -> Result<Scale32> {
    let (m, shift) = quantize_scale(scale, 31)?;
    Ok(Scale32 {
        multiplier: m as i32,
        shift,
    })
}

/// The scale16 (multiplier, shift) of a real scale (module documentation).
pub fn scale16(scale: f64) -> Result<Scale16> {
    let (m, shift) = quantize_scale(scale, 15)?;
    Ok(Scale16 {
        multiplier: m as i16,
        shift,
    })
}

/// TOSA 1.0 `apply_scale_32`, exactly as the specification defines it for
/// arguments that satisfy its REQUIREs (see [`check_require`]). For
/// arguments that do not, TOSA leaves the result unpredictable; this
/// function then computes with the shift clamped to 0..=63 and wrapping
/// 64-bit arithmetic, and never panics. [`apply_scale_32_checked`] returns
/// an error instead.
#[inline]
pub fn apply_scale_32(value: i32, multiplier: i32, shift: i8, double_round: bool) -> i32 {
    let shift = shift.clamp(0, 63) as u32;
    let mut round: i64 = if shift == 0 { 0 } else { 1i64 << (shift - 1) };
    if double_round && shift > 31 {
        if value >= 0 {
            round += 1 << 30;
        } else {
            round -= 1 << 30;
        }
    }
    let result = (value as i64)
        .wrapping_mul(multiplier as i64)
        .wrapping_add(round)
        >> shift;
    result as i32
}

/// [`apply_scale_32`] after [`check_require`] for the single value.
pub fn apply_scale_32_checked(
    value: i32,
    multiplier: i32,
    shift: i8,
    double_round: bool,
) -> Result<i32> {
    check_require(value as i64, value as i64, multiplier, shift, double_round)?;
    Ok(apply_scale_32(value, multiplier, shift, double_round))
}

/// TOSA 1.0 `apply_scale_16` (48-bit value, 16-bit multiplier, no double
/// rounding), exact for arguments satisfying [`check_require_16`]; otherwise
/// computed with the shift clamped to 0..=63 and wrapping arithmetic.
#[inline]
pub fn apply_scale_16(value: i64, multiplier: i16, shift: i8) -> i32 {
    let shift = shift.clamp(0, 63) as u32;
    let round: i64 = if shift == 0 { 0 } else { 1i64 << (shift - 1) };
    let result = value.wrapping_mul(multiplier as i64).wrapping_add(round) >> shift;
    result as i32
}

fn require(ok: bool, requirement: &str, detail: impl FnOnce() -> String) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(QuantError::RescaleRequire {
            requirement: requirement.to_string(),
            detail: detail(),
        })
    }
}

fn check_common(input_min: i64, input_max: i64, multiplier: i64, shift: i8) -> Result<()> {
    if input_min > input_max {
        return Err(QuantError::invalid(
            "rescale input range",
            format!("[{input_min}, {input_max}]"),
            "min must be <= max",
        ));
    }
    require(multiplier >= 0, "multiplier >= 0", || {
        format!("multiplier is {multiplier}")
    })?;
    require(
        (SHIFT_MIN..=SHIFT_MAX).contains(&shift),
        "2 <= shift <= 62",
        || format!("shift is {shift}"),
    )
}

/// Checks that `tosa.rescale` with scale32 parameters (multiplier, shift,
/// double_round) satisfies every REQUIRE of TOSA 1.0's `apply_scale_32` (and
/// the reference model's int32 result check) for every value in
/// [input_min, input_max] (the value after subtracting the input zero
/// point): multiplier ≥ 0; 2 ≤ shift ≤ 62; −2^(shift−1) ≤ value <
/// 2^(shift−1), which also keeps value in int32; value·multiplier + round
/// within int64; the result within int32. The error names the first failing
/// requirement and the offending value.
pub fn check_require(
    input_min: i64,
    input_max: i64,
    multiplier: i32,
    shift: i8,
    double_round: bool,
) -> Result<()> {
    check_common(input_min, input_max, multiplier as i64, shift)?;
    let lim = 1i64 << (shift - 1);
    for v in [input_min, input_max] {
        require(
            v >= i32::MIN as i64 && v <= i32::MAX as i64,
            "value fits int32",
            || format!("value {v}"),
        )?;
        require(
            v >= -lim && v < lim,
            "-(1 << (shift - 1)) <= value < (1 << (shift - 1))",
            || {
                format!(
                    "value {v} with shift {shift} (allowed [{}, {}])",
                    -lim,
                    lim - 1
                )
            },
        )?;
    }
    // The intermediate and the result are monotone in the value (multiplier
    // ≥ 0 and the double-round offset grows from −2^30 to +2^30 at 0), so
    // the range's ends bound them.
    for v in [input_min, input_max] {
        let mut round = 1i128 << (shift - 1);
        if double_round && shift > 31 {
            round += if v >= 0 { 1 << 30 } else { -(1 << 30) };
        }
        let acc = v as i128 * multiplier as i128 + round;
        require(
            acc >= i64::MIN as i128 && acc <= i64::MAX as i128,
            "value * multiplier + round fits int64",
            || format!("value {v}: intermediate {acc}"),
        )?;
        let r = acc >> shift;
        require(
            r >= i32::MIN as i128 && r <= i32::MAX as i128,
            "result fits int32",
            || format!("value {v}: result {r}"),
        )?;
    }
    Ok(())
}

/// Checks the REQUIREs of TOSA 1.0's `apply_scale_16` for every value in
/// [input_min, input_max]: multiplier ≥ 0; 2 ≤ shift ≤ 62; the value fits
/// int48; the result fits int32.
pub fn check_require_16(input_min: i64, input_max: i64, multiplier: i16, shift: i8) -> Result<()> {
    check_common(input_min, input_max, multiplier as i64, shift)?;
    let lim48 = 1i64 << 47;
    for v in [input_min, input_max] {
        require(v >= -lim48 && v < lim48, "value fits int48", || {
            format!("value {v}")
        })?;
        let acc = v as i128 * multiplier as i128 + (1i128 << (shift - 1));
        let r = acc >> shift;
        require(
            r >= i32::MIN as i128 && r <= i32::MAX as i128,
            "result fits int32",
            || format!("value {v}: result {r}"),
        )?;
    }
    Ok(())
}

/// One scale32 (multiplier, shift) per channel, as the two constant vectors
/// `tosa.rescale` takes with `per_channel = true` (indexed by the input's
/// last dimension). With `input_range` = Some((min, max)) (the values after
/// subtracting the input zero point) each channel's parameters are checked
/// with [`check_require`]. Nothing can widen that range: the multiplier is
/// already as large (the shift as large) as 31 bits allow, and the REQUIRE
/// |value| < 2^(shift−1) amounts to |value · scale| < multiplier / 2 < 2^30.
pub fn per_channel_scale32(
    scales: &[f64],
    input_range: Option<(i64, i64)>,
    double_round: bool,
) -> Result<(Vec<i32>, Vec<i8>)> {
    if scales.is_empty() {
        return Err(QuantError::empty("per-channel rescale scales"));
    }
    let mut mult = Vec::with_capacity(scales.len());
    let mut shift = Vec::with_capacity(scales.len());
    for (c, &s) in scales.iter().enumerate() {
        let p = scale32(s)
            .and_then(|p| match input_range {
                Some((lo, hi)) => {
                    check_require(lo, hi, p.multiplier, p.shift, double_round).map(|_| p)
                }
                None => Ok(p),
            })
            .map_err(|e| match e {
                QuantError::InvalidValue { value, reason, .. } => QuantError::InvalidValue {
                    what: format!("rescale scale of channel {c}"),
                    value,
                    reason,
                },
                QuantError::RescaleRequire {
                    requirement,
                    detail,
                } => QuantError::RescaleRequire {
                    requirement,
                    detail: format!("channel {c}: {detail}"),
                },
                other => other,
            })?;
        mult.push(p.multiplier);
        shift.push(p.shift);
    }
    Ok((mult, shift))
}

/// One element of a scale32 `tosa.rescale` with signed input and output:
/// value − input_zp, [`apply_scale_32`], + output_zp, clamped to
/// [out_min, out_max] (the output type's range). REQUIREs are checked.
pub fn rescale_value(
    value: i32,
    input_zp: i32,
    output_zp: i32,
    scale: Scale32,
    double_round: bool,
    out_min: i32,
    out_max: i32,
) -> Result<i32> {
    if out_min > out_max {
        return Err(QuantError::invalid(
            "rescale output range",
            format!("[{out_min}, {out_max}]"),
            "min must be <= max",
        ));
    }
    let v = value as i64 - input_zp as i64;
    check_require(v, v, scale.multiplier, scale.shift, double_round)?;
    let r = apply_scale_32(v as i32, scale.multiplier, scale.shift, double_round) as i64
        + output_zp as i64;
    Ok(r.clamp(out_min as i64, out_max as i64) as i32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A slow, independent transcription of the pseudocode in i128.
    fn slow_apply_scale_32(value: i32, multiplier: i32, shift: i8, double_round: bool) -> i128 {
        let s = shift as u32;
        let mut round: i128 = 1i128 << (s - 1);
        if double_round && s > 31 {
            round += if value >= 0 {
                1i128 << 30
            } else {
                -(1i128 << 30)
            };
        }
        let acc = value as i128 * multiplier as i128 + round;
        // Floor division by 2^s, written without shifts.
        acc.div_euclid(1i128 << s)
    }

    #[test]
    fn known_multipliers() {
        assert_eq!(
            scale32(0.5).unwrap(),
            Scale32 {
                multiplier: 1 << 30,
                shift: 31
            }
        );
        assert_eq!(
            scale32(1.0).unwrap(),
            Scale32 {
                multiplier: 1 << 30,
                shift: 30
            }
        );
        let s = scale32(0.75).unwrap();
        assert_eq!((s.multiplier, s.shift), (3 << 29, 31));
        let s = scale16(0.75).unwrap();
        assert_eq!((s.multiplier, s.shift), (3 << 13, 15));
        // Rounding carries the mantissa to 1.0: renormalized.
        let s = scale32(1.0 - 1e-12).unwrap();
        assert_eq!((s.multiplier, s.shift), (1 << 30, 30));
        for x in [1e-6, 0.0123, 0.3, 1.7, 1234.5] {
            let s = scale32(x).unwrap();
            assert!(s.multiplier >= 1 << 30);
            assert!(((s.to_f64() - x) / x).abs() < 1e-9);
            let t = scale16(x).unwrap();
            assert!(t.multiplier >= 1 << 14);
            assert!(((t.to_f64() - x) / x).abs() < 1e-4);
        }
    }

    #[test]
    fn shift_limits() {
        // 2^28 needs shift 2 (multiplier 2^30 · 2^-2); 2^29 would need 1.
        assert_eq!(scale32(2f64.powi(28)).unwrap().shift, 2);
        assert!(scale32(2f64.powi(29)).is_err());
        assert_eq!(scale16(2f64.powi(12)).unwrap().shift, 2);
        assert!(scale16(2f64.powi(13)).is_err());
        // Tiny scales keep shift 62 with a denormalized multiplier.
        let s = scale32(2f64.powi(-40)).unwrap();
        assert_eq!((s.multiplier, s.shift), (1 << 22, 62));
        assert!(scale32(2f64.powi(-70)).is_err());
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e-310] {
            assert!(scale32(bad).is_err(), "{bad}");
            assert!(scale16(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rounding_is_half_up_and_double_round_differs_only_above_31() {
        // scale 0.5, shift 31: ±1.5 → 2 and −1 (ties toward +∞).
        let (m, s) = (1 << 30, 31);
        assert_eq!(apply_scale_32(3, m, s, false), 2);
        assert_eq!(apply_scale_32(-3, m, s, false), -1);
        assert_eq!(apply_scale_32(-3, m, s, true), -1); // shift ≤ 31: no effect
                                                        // scale 2^-10 (shift 40): ±1.5.
        let t = scale32(2f64.powi(-10)).unwrap();
        assert_eq!(t.shift, 40);
        assert_eq!(apply_scale_32(1536, t.multiplier, t.shift, false), 2);
        assert_eq!(apply_scale_32(-1536, t.multiplier, t.shift, false), -1);
        assert_eq!(apply_scale_32(1536, t.multiplier, t.shift, true), 2);
        assert_eq!(apply_scale_32(-1536, t.multiplier, t.shift, true), -2);
        assert_eq!(apply_scale_16(-3, 1 << 14, 15), -1);
        assert_eq!(apply_scale_16(3, 1 << 14, 15), 2);
    }

    #[test]
    fn out_of_spec_arguments_do_not_panic() {
        for shift in [-5i8, 0, 1, 63, 64, 127, -128] {
            let _ = apply_scale_32(i32::MAX, i32::MAX, shift, true);
            let _ = apply_scale_32(i32::MIN, i32::MAX, shift, true);
            let _ = apply_scale_16(i64::MAX, i16::MAX, shift);
            assert!(apply_scale_32_checked(1, 1 << 30, shift, false).is_err());
        }
        assert!(apply_scale_32_checked(1, -1, 30, false).is_err());
        assert_eq!(apply_scale_32_checked(3, 1 << 30, 31, false), Ok(2));
    }

    #[test]
    fn require_names_the_violation() {
        let e = check_require(0, 1 << 20, 1 << 30, 20, false).unwrap_err();
        match e {
            QuantError::RescaleRequire {
                requirement,
                detail,
            } => {
                assert!(requirement.contains("shift - 1"), "{requirement}");
                assert!(detail.contains("1048576"), "{detail}");
            }
            other => panic!("{other:?}"),
        }
        assert!(check_require(-(1 << 19), (1 << 19) - 1, 1 << 30, 20, false).is_ok());
        assert!(check_require(-(1 << 19) - 1, 0, 1 << 30, 20, false).is_err());
        assert!(matches!(
            check_require(0, 1, -1, 20, false),
            Err(QuantError::RescaleRequire { .. })
        ));
        assert!(check_require(0, 1, 1, 1, false).is_err());
        assert!(check_require(0, 1, 1, 63, false).is_err());
        assert!(matches!(
            check_require(2, 1, 1, 30, false),
            Err(QuantError::InvalidValue { .. })
        ));
        // Result overflow: shift 62 admits huge values but the result must fit.
        assert!(check_require(i32::MIN as i64, i32::MAX as i64, i32::MAX, 62, true).is_ok());
        assert!(check_require(0, 1i64 << 40, 1 << 30, 62, false).is_err()); // value > int32
                                                                            // scale16: 48-bit values, int32 result.
        assert!(check_require_16(-(1i64 << 47), (1i64 << 47) - 1, 1 << 14, 40).is_ok());
        assert!(check_require_16(0, 1i64 << 47, 1 << 14, 40).is_err());
        assert!(check_require_16(0, (1i64 << 47) - 1, 1 << 14, 20).is_err());
    }

    #[test]
    fn per_channel_vectors() {
        // Scale 0.9 gets shift 31, so only |value| < 2^30 is allowed.
        let plain = scale32(0.9).unwrap();
        assert_eq!(plain.shift, 31);
        let full = (i32::MIN as i64, i32::MAX as i64);
        assert!(check_require(full.0, full.1, plain.multiplier, plain.shift, false).is_err());
        // Scale 0.4 gets shift 32: the whole int32 range is allowed.
        let (m, sh) = per_channel_scale32(&[0.4, 0.3], Some(full), true).unwrap();
        assert_eq!(sh, vec![32, 32]);
        assert_eq!(m[0], scale32(0.4).unwrap().multiplier);
        let (m, sh) = per_channel_scale32(&[0.5, 0.25, 1e-3], None, true).unwrap();
        assert_eq!(m, vec![1 << 30, 1 << 30, scale32(1e-3).unwrap().multiplier]);
        assert_eq!(sh, vec![31, 32, scale32(1e-3).unwrap().shift]);
        let e = per_channel_scale32(&[0.5, -1.0], None, true).unwrap_err();
        assert!(e.to_string().contains("channel 1"), "{e}");
        assert!(per_channel_scale32(&[], None, true).is_err());
        assert!(per_channel_scale32(&[0.4, 0.9], Some(full), false)
            .unwrap_err()
            .to_string()
            .contains("channel 1"));
    }

    #[test]
    fn full_rescale_element() {
        // int32 accumulator 1000 at scale 0.05 → int8 with zero point −10.
        let s = scale32(0.05).unwrap();
        assert_eq!(rescale_value(1000, 0, -10, s, true, -128, 127), Ok(40));
        assert_eq!(rescale_value(100_000, 0, -10, s, true, -128, 127), Ok(127));
        assert_eq!(
            rescale_value(-100_000, 0, -10, s, true, -128, 127),
            Ok(-128)
        );
        // Input zero point is subtracted first.
        assert_eq!(
            rescale_value(-118, -128, 0, scale32(1.0).unwrap(), false, -128, 127),
            Ok(10)
        );
        assert!(rescale_value(0, 0, 0, s, true, 1, 0).is_err());
    }

    fn scale_and_value() -> impl Strategy<Value = (f64, bool, i32)> {
        (-30.0f64..15.0, any::<bool>(), any::<u64>()).prop_map(|(log2s, dr, bits)| {
            let scale = log2s.exp2();
            let p = scale32(scale).unwrap();
            // Largest |value| the REQUIREs allow: the shift bound, int32,
            // and a result that fits int32.
            let lim = (1i64 << (p.shift - 1)).min(1i64 << 31);
            let by_result = ((2f64.powi(31) - 2.0) / scale).floor() as i64;
            let lim = lim.min(by_result.max(1));
            let span = 2 * lim as u64;
            let v = (bits % span) as i64 - lim;
            (scale, dr, v.clamp(i32::MIN as i64, i32::MAX as i64) as i32)
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn apply_scale_32_is_exact_and_close_to_real_scaling((scale, dr, v) in scale_and_value()) {
            let p = scale32(scale).unwrap();
            prop_assert!(p.multiplier >= 1 << 30);
            prop_assert!((2..=62).contains(&p.shift));
            prop_assume!(check_require(v as i64, v as i64, p.multiplier, p.shift, dr).is_ok());
            let got = apply_scale_32(v, p.multiplier, p.shift, dr);
            prop_assert_eq!(got as i128, slow_apply_scale_32(v, p.multiplier, p.shift, dr));
            let exact = v as f64 * scale;
            prop_assert!((got as f64 - exact).abs() <= 1.0, "v={} scale={} got={} exact={}", v, scale, got, exact);
            prop_assert!((got as i64 - exact.round() as i64).abs() <= 1);
        }

        #[test]
        fn require_is_exactly_the_range_of_valid_values(
            log2s in -30.0f64..15.0,
            a in any::<i32>(),
            b in any::<i32>(),
            dr in any::<bool>(),
        ) {
            let p = scale32(log2s.exp2()).unwrap();
            let (lo, hi) = (a.min(b) as i64, a.max(b) as i64);
            let ok = check_require(lo, hi, p.multiplier, p.shift, dr).is_ok();
            let each = |v: i64| check_require(v, v, p.multiplier, p.shift, dr).is_ok();
            prop_assert_eq!(ok, each(lo) && each(hi));
            if ok {
                // Every value inside then agrees with the slow transcription.
                for v in [lo, (lo + hi) / 2, hi] {
                    let got = apply_scale_32(v as i32, p.multiplier, p.shift, dr) as i128;
                    prop_assert_eq!(got, slow_apply_scale_32(v as i32, p.multiplier, p.shift, dr));
                }
            }
        }
    }
}
