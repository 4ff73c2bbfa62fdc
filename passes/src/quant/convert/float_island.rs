//! An op cim-quant-convert keeps in float (`cim.quant.keep_float = true`:
//! `cimc quantize --float-fallback` for an op without an integer form, or
//! `keep_float = true` in `--config`): its quantized inputs are dequantized
//! in front of it, x = s (q - z) (tosa.cast to f32, tosa.sub, tosa.mul),
//! and its float result is quantized onto its calibrated grid after it,
//! q = clamp(floor(y / s + z + 1/2), qmin, qmax) (tosa.mul by 1/s,
//! tosa.add, tosa.floor, tosa.clamp, tosa.cast: the floor and clamp make
//! the cast exact, whatever its rounding). The op itself is unchanged; the
//! mapping leaves it, like every op that is not a crossbar layer, to the
//! host.

use super::integer::shape_of;
use super::rules::Rules;
use super::value::{key, Quantized, State};
use crate::emit::{self, Emitter};
use crate::quant::grid::ActGrid;
use crate::raw::{RawOp, RawValue};
use cimc_dialects::handle::{AttrRef, OpRef, ValueRef};

/// An f32 constant of `value` broadcast to a tensor of rank `rank`.
fn scalar(at: &Emitter, rank: usize, value: f32) -> RawValue {
    let ones = vec![1i64; rank];
    let ty = at.tensor(&ones, "f32");
    let attr = AttrRef::dense_f32(ty, &[value]).raw();
    at.value("tosa.const", &[], ty, &[("values", attr)])
}

/// `q` (on its grid) as the reals it stands for, s (q - z), in f32.
fn dequantize(at: &Emitter, q: &Quantized) -> Result<RawValue, String> {
    let shape = shape_of(q.value)?;
    let ty = at.tensor(&shape, "f32");
    let mut x = at.value("tosa.cast", &[q.value], ty, &[]);
    if q.zero_point != 0 {
        let z = scalar(at, shape.len(), q.zero_point as f32);
        x = at.value("tosa.sub", &[x, z], ty, &[]);
    }
    let s = scalar(at, shape.len(), q.scale as f32);
    let shift = at.const_i8(&[1], &[0]);
    Ok(at.value("tosa.mul", &[x, s, shift], ty, &[]))
}

/// The f32 `y` on `grid`: clamp(floor(y / s + z + 1/2)) as its integer type.
fn quantize(at: &Emitter, y: RawValue, grid: ActGrid) -> Result<RawValue, String> {
    let shape = shape_of(y)?;
    let ty = at.tensor(&shape, "f32");
    let inv = scalar(at, shape.len(), (1.0 / grid.scale) as f32);
    let shift = at.const_i8(&[1], &[0]);
    let scaled = at.value("tosa.mul", &[y, inv, shift], ty, &[]);
    let offset = scalar(at, shape.len(), grid.zero_point as f32 + 0.5);
    let shifted = at.value("tosa.add", &[scaled, offset], ty, &[]);
    let floored = at.value("tosa.floor", &[shifted], ty, &[]);
    let (qmin, qmax) = grid.qrange();
    let bound = |v: i64| AttrRef::f32(at.context(), v as f32).raw();
    let clamped = at.value(
        "tosa.clamp",
        &[floored],
        ty,
        &[("min_val", bound(qmin)), ("max_val", bound(qmax))],
    );
    Ok(at.value(
        "tosa.cast",
        &[clamped],
        at.tensor(&shape, grid.element()),
        &[],
    ))
}

impl Rules {
    /// Keeps `op` in float between dequantized inputs and a quantized
    /// result (module documentation). Its float result takes the grid of
    /// its calibrated range (or its fused clamp's).
    pub(super) fn keep_float(&self, state: &mut State, op: RawOp) -> Result<(), String> {
        let handle = OpRef::new(op).ok_or("internal error: no op")?;
        let at = Emitter::before(op);
        for i in 0..handle.num_operands() {
            if let Ok(q) = state.input(op, i as isize) {
                let x = ValueRef::new(dequantize(&at, &q)?)
                    .ok_or("internal error: no dequantized value")?;
                handle.set_operand(i, x);
            }
        }
        let floats: Vec<ValueRef> = handle
            .results()
            .into_iter()
            .filter(|r| emit::tensor_info(r.raw()).is_some_and(|(_, e)| e == "f32"))
            .collect();
        match floats.as_slice() {
            [] => {}
            [result] if handle.num_results() == 1 => {
                let grid = self.output_grid(op)?;
                let next = handle
                    .next()
                    .ok_or("internal error: an op with no terminator after it")?;
                let q = quantize(&Emitter::before(next.raw()), result.raw(), grid)?;
                state.quantized.insert(key(result.raw()), Quantized::on(q, grid));
            }
            _ => {
                return Err(
                    "an op kept in float must have one result (several float results are not supported)"
                        .into(),
                )
            }
        }
        // What calibration and range setting recorded is spent; the marker
        // stays, saying why this op is float.
        for (name, _) in handle.attrs() {
            if name.starts_with(cimc_dialects::quant::PREFIX)
                && name != cimc_dialects::quant::KEEP_FLOAT
            {
                handle.remove_attr(&name);
            }
        }
        Ok(())
    }
}
