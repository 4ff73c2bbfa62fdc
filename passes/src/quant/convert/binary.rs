//! Elementwise ops of two operands that cim-quant-convert puts on one i32
//! scale: add, sub, maximum, minimum and the comparisons. Each operand is
//! an activation (rescaled to i32 without its zero point) or a float
//! constant (rounded onto the same i32 scale); the i32 op (TOSA's integer
//! forms of these ops take i32 only) is followed by a rescale onto the
//! output's grid, or, for a comparison, gives the i1 result itself.

use super::integer::{rescale, restrict_result, scale_fits, shape_of};
use super::rules::{finite_constant, Rules};
use super::value::{Quantized, State};
use crate::emit::{self, Emitter};
use crate::raw::{RawOp, RawValue};

/// The elementwise ops of two operands on a common i32 scale.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Elementwise {
    Add,
    Sub,
    Maximum,
    Minimum,
    GreaterEqual,
    Greater,
    Equal,
}

impl Elementwise {
    pub(super) fn of(name: &str) -> Option<Self> {
        Some(match name {
            "tosa.add" => Self::Add,
            "tosa.sub" => Self::Sub,
            "tosa.maximum" => Self::Maximum,
            "tosa.minimum" => Self::Minimum,
            "tosa.greater_equal" => Self::GreaterEqual,
            "tosa.greater" => Self::Greater,
            "tosa.equal" => Self::Equal,
            _ => return None,
        })
    }

    fn op_name(self) -> &'static str {
        match self {
            Self::Add => "tosa.add",
            Self::Sub => "tosa.sub",
            Self::Maximum => "tosa.maximum",
            Self::Minimum => "tosa.minimum",
            Self::GreaterEqual => "tosa.greater_equal",
            Self::Greater => "tosa.greater",
            Self::Equal => "tosa.equal",
        }
    }

    /// A comparison: an i1 result, no output grid.
    fn compares(self) -> bool {
        matches!(self, Self::GreaterEqual | Self::Greater | Self::Equal)
    }

    /// The values the i32 result can take, from its operands'.
    fn bounds(self, a: (i64, i64), b: (i64, i64)) -> (i64, i64) {
        match self {
            Self::Add => (a.0 + b.0, a.1 + b.1),
            Self::Sub => (a.0 - b.1, a.1 - b.0),
            Self::Maximum => (a.0.max(b.0), a.1.max(b.1)),
            Self::Minimum => (a.0.min(b.0), a.1.min(b.1)),
            Self::GreaterEqual | Self::Greater | Self::Equal => (0, 1),
        }
    }
}

/// One operand: an activation on its grid, or a float constant.
enum Operand {
    Activation(Quantized),
    Constant { value: RawValue, data: Vec<f32> },
}

impl Operand {
    fn of(state: &State, op: RawOp, index: isize) -> Result<Self, String> {
        if let Ok(q) = state.input(op, index) {
            return Ok(Operand::Activation(q));
        }
        let value = emit::operand(op, index);
        let data = finite_constant(value, index)?;
        Ok(Operand::Constant { value, data })
    }

    /// The i32 values this operand takes on the common scale `s`, if it
    /// fits there (a rescale meeting the REQUIREs; a constant within
    /// 2^30).
    fn widened(&self, s: f64) -> Option<(i64, i64)> {
        match self {
            Operand::Activation(q) => {
                let p = scale_fits(q.scale / s, q.centred())?;
                let (lo, hi) = q.centred();
                let apply = |v: i64| {
                    i64::from(cimc_quant::apply_scale_32(
                        v as i32,
                        p.multiplier,
                        p.shift,
                        false,
                    ))
                };
                Some((apply(lo), apply(hi)))
            }
            Operand::Constant { data, .. } => {
                let q = constant_levels(data, s)?;
                let lo = q.iter().copied().min().unwrap_or(0);
                let hi = q.iter().copied().max().unwrap_or(0);
                Some((i64::from(lo), i64::from(hi)))
            }
        }
    }

    /// This operand as an i32 tensor on the common scale `s`.
    fn emit(&self, at: &Emitter, s: f64) -> Result<RawValue, String> {
        match self {
            Operand::Activation(q) => rescale(
                at,
                q.value,
                "i32",
                &[q.scale / s],
                q.zero_point,
                0,
                q.centred(),
            ),
            Operand::Constant { value, data } => {
                let q = constant_levels(data, s).ok_or("the constant is too large")?;
                Ok(at.const_i32(&shape_of(*value)?, &q))
            }
        }
    }
}

/// `data` rounded onto the i32 scale `s`, if every value stays within
/// 2^30 (so that sums of two such values fit i32).
fn constant_levels(data: &[f32], s: f64) -> Option<Vec<i32>> {
    data.iter()
        .map(|v| {
            let q = (f64::from(*v) / s).round();
            (q.abs() < f64::from(1u32 << 30)).then_some(q as i32)
        })
        .collect()
}

impl Rules {
    /// `a op b` for the [`Elementwise`] ops: both operands on the common
    /// i32 scale s = max(s_a, s_b) / 2^k (of the activations among them),
    /// k the largest of k_max..=0 for which every rescale meets the
    /// REQUIREs and the i32 result fits (k_max = 16 for two activations;
    /// 24 - b for one activation of b-bit storage and a constant, so that
    /// |x - z| * 2^k stays below 2^24); the i32 op; then a rescale by
    /// s / s_y onto the output's grid, or for a comparison the i1 result,
    /// which replaces the float op's.
    pub(super) fn elementwise(
        &self,
        state: &mut State,
        op: RawOp,
        kind: Elementwise,
    ) -> Result<(), String> {
        let a = Operand::of(state, op, 0)?;
        let b = Operand::of(state, op, 1)?;
        let activations: Vec<&Quantized> = [&a, &b]
            .into_iter()
            .filter_map(|o| match o {
                Operand::Activation(q) => Some(q),
                Operand::Constant { .. } => None,
            })
            .collect();
        let (top, k_max) = match activations.as_slice() {
            [] => {
                return Err(format!(
                    "'{}' of two constants: fold it before quantizing",
                    kind.op_name()
                ))
            }
            [x] => (x.scale, 24 - x.storage_bits() as i32),
            [x, y] => (x.scale.max(y.scale), 16),
            _ => unreachable!("two operands"),
        };
        let y = if kind.compares() {
            None
        } else {
            Some(self.output_grid(op)?)
        };
        let plan = (0..=k_max).rev().find_map(|k: i32| {
            let s = top / f64::from(k).exp2();
            let bounds = kind.bounds(a.widened(s)?, b.widened(s)?);
            let fits_i32 = bounds.0 >= i64::from(i32::MIN) && bounds.1 <= i64::from(i32::MAX);
            let fits_out = y.is_none_or(|y| scale_fits(s / y.scale, bounds).is_some());
            (fits_i32 && fits_out).then_some((s, bounds))
        });
        let Some((s, bounds)) = plan else {
            let scales: Vec<String> = activations.iter().map(|q| q.scale.to_string()).collect();
            return Err(format!(
                "no common scale for the operands (activation scales {}){} meets the rescale REQUIREs",
                scales.join(" and "),
                y.map_or(String::new(), |y| format!(" and the output (scale {})", y.scale))
            ));
        };
        let at = Emitter::before(op);
        let wa = a.emit(&at, s)?;
        let wb = b.emit(&at, s)?;
        let shape = shape_of(emit::result_of(op, 0))?;
        let Some(y) = y else {
            let flag = at.value(kind.op_name(), &[wa, wb], at.tensor(&shape, "i1"), &[]);
            emit::replace_uses(emit::result_of(op, 0), flag);
            state.dead.push(op);
            return Ok(());
        };
        let wide = at.value(kind.op_name(), &[wa, wb], at.tensor(&shape, "i32"), &[]);
        let out = rescale(
            &at,
            wide,
            y.element(),
            &[s / y.scale],
            0,
            y.zero_point,
            bounds,
        )?;
        let out = restrict_result(&at, op, out, y)?;
        state.done_on(op, out, y);
        Ok(())
    }
}
