//! How cim-quant-convert rewrites each float op it handles as integer
//! TOSA: the op's output grid, its integer form, the rescales onto that
//! grid.

use super::integer::{attrs_except, clamp_int, rescale, restrict, restrict_result, shape_of};
use super::value::{Quantized, State};
use crate::emit::{self, Emitter};
use crate::quant::grid::{
    fused_clamp, positive_scalar_factor, quantize_weights, sum_chain, weight_layout, ActChoice,
    ActGrid, WeightChoice,
};
use crate::quant::options::{
    bits_override, bool_override, range_attr, ACTIVATION_BITS, ACTIVATION_BITS_ATTR,
    ACTIVATION_SYMMETRIC_ATTR, RANGE_ATTR,
};
use crate::raw::{RawOp, RawValue};
use cimc_dialects::handle::{OpRef, ValueRef};
use cimc_quant::WeightRange;
use mlir_sys as sys;

/// The range of `op`'s output grid: a convolution's only user being a clamp
/// (ReLU, ReLU6), the clamp's range, else the op's own.
fn output_range(op: RawOp) -> Result<(f64, f64), String> {
    fused_clamp(op)
        .and_then(range_attr)
        .or_else(|| range_attr(op))
        .ok_or_else(|| format!("no '{RANGE_ATTR}' on the op: calibrate first (cimc quantize)"))
}

/// The rules, with the widths, symmetry and weight range the pass's
/// options choose (an op's attributes may override them).
pub(super) struct Rules {
    pub(super) activations: ActChoice,
    pub(super) weights: WeightChoice,
    pub(super) weight_range: WeightRange,
}

impl Rules {
    /// The output grid of an op that sets a new one: its range (or its
    /// fused clamp's) on the width and symmetry the fused clamp, else the
    /// op, asks for.
    pub(super) fn output_grid(&self, op: RawOp) -> Result<ActGrid, String> {
        let (lo, hi) = output_range(op)?;
        self.activations.output(op)?.grid(lo, hi)
    }

    /// An op that keeps its input's grid accepts an activation width or
    /// symmetry only when it is the input's.
    fn keeps_grid(&self, op: RawOp, x: &Quantized) -> Result<(), String> {
        match bits_override(op, ACTIVATION_BITS_ATTR, ACTIVATION_BITS, "activations")? {
            Some(bits) if bits != x.bits => Err(format!(
                "'{ACTIVATION_BITS_ATTR}' = {bits}: this op keeps its input's grid ({} bits); set the width on the op that produces the input",
                x.bits
            )),
            _ => match bool_override(op, ACTIVATION_SYMMETRIC_ATTR)? {
                Some(symmetric) if symmetric != x.symmetric => Err(format!(
                    "'{ACTIVATION_SYMMETRIC_ATTR}' = {symmetric}: this op keeps its input's grid ({}); set it on the op that produces the input",
                    if x.symmetric { "symmetric" } else { "asymmetric" }
                )),
                _ => Ok(()),
            },
        }
    }

    pub(super) fn weighted(&self, state: &mut State, op: RawOp, name: &str) -> Result<(), String> {
        let x = state.input(op, 0)?;
        let weight = emit::operand(op, 1);
        let w_shape = shape_of(weight)?;
        let w_data = emit::const_floats(weight)
            .ok_or("the weights must be a float tosa.const: crossbars hold constant weights")?;
        let layout = weight_layout(name, &w_shape, &w_data)?;
        let w = quantize_weights(op, &layout, self.weights, self.weight_range)?;
        let wide = x.storage_bits() == 16;
        let matmul = name == "tosa.matmul";
        if wide && matmul && w.zero_point != 0 {
            return Err(
                "asymmetric weights of a matmul of 16-bit activations: TOSA's int16 matmul takes zero point 0 (make this layer's weights symmetric)"
                    .into(),
            );
        }
        let mut q = vec![0i32; w_data.len()];
        for (o, row) in layout.index.iter().enumerate() {
            for (k, p) in row.iter().enumerate() {
                q[*p] = w.q[[o, k]];
            }
        }
        let rows = layout.matrix.nrows();
        let z = i64::from(w.zero_point);
        let row_abs: Vec<i64> = (0..rows)
            .map(|o| w.q.row(o).iter().map(|v| (i64::from(*v) - z).abs()).sum())
            .collect();
        let y = self.output_grid(op)?;
        let at = Emitter::before(op);
        // TOSA's int4 weights: convolutions of int8 activations only (no
        // int4 matmul, no int16 x int4), zero point 0. int16 activations
        // take int8 weights, or int16 ones in a matmul (both operands of a
        // TOSA matmul have one type).
        let int4 = w.bits <= 4 && !matmul && !wide && w.symmetric;
        let (w_int, w_zp) = if int4 {
            (
                at.const_int(&w_shape, "i4", &q),
                at.const_int(&[1], "i4", &[0]),
            )
        } else if wide && matmul {
            (
                at.const_int(&w_shape, "i16", &q),
                at.const_int(&[1], "i16", &[0]),
            )
        } else {
            (
                at.const_i8_from(&w_shape, &q),
                at.const_i8(&[1], &[w.zero_point as i8]),
            )
        };
        let acc = if wide { "i48" } else { "i32" };
        let out_shape = shape_of(emit::result_of(op, 0))?;
        let acc_ty = at.tensor(&out_shape, acc);
        let x_zp = at.const_int(&[1], x.element(), &[x.zero_point]);
        let (x_lo, x_hi) = x.centred();
        let max_x = x_lo.abs().max(x_hi.abs());
        let mut bias_abs = 0i64;
        let value = if matmul {
            // tosa.matmul has no attributes of its own: what it carries
            // (its pinned layer name) is discardable.
            let owned = attrs_except(op, &[]);
            let attrs: Vec<(&str, sys::MlirAttribute)> =
                owned.iter().map(|(n, a)| (n.as_str(), *a)).collect();
            at.value("tosa.matmul", &[x.value, w_int, x_zp, w_zp], acc_ty, &attrs)
        } else {
            let bias = emit::operand(op, 2);
            let b = emit::const_floats(bias).ok_or("the bias must be a float tosa.const")?;
            let b_shape = shape_of(bias)?;
            // The bias is added to the accumulator: within i32 / 2 (i48 / 2).
            let limit = if wide {
                (1i64 << 46) as f64
            } else {
                f64::from(i32::MAX / 2)
            };
            let b_int: Vec<i64> = (0..b.len())
                .map(|o| {
                    let channel = if b.len() == 1 { 0 } else { o };
                    let v = (f64::from(b[o]) / (x.scale * w.scale(channel))).round();
                    v.clamp(-limit, limit) as i64
                })
                .collect();
            bias_abs = b_int.iter().map(|v| v.abs()).max().unwrap_or(0);
            let b_const = if wide {
                at.const_int(&b_shape, "i48", &b_int)
            } else {
                let narrow: Vec<i32> = b_int.iter().map(|v| *v as i32).collect();
                at.const_i32(&b_shape, &narrow)
            };
            let owned = attrs_except(op, &["acc_type"]);
            let mut attrs: Vec<(&str, sys::MlirAttribute)> =
                owned.iter().map(|(n, a)| (n.as_str(), *a)).collect();
            attrs.push(("acc_type", at.attr(acc)));
            at.value(name, &[x.value, w_int, b_const, x_zp, w_zp], acc_ty, &attrs)
        };
        let bound = row_abs.iter().max().copied().unwrap_or(0) * max_x + bias_abs;
        let scales: Vec<f64> = if w.scales.len() == 1 {
            vec![x.scale * w.scales[0] / y.scale]
        } else {
            (0..rows).map(|o| x.scale * w.scale(o) / y.scale).collect()
        };
        let out = rescale(
            &at,
            value,
            y.element(),
            &scales,
            0,
            y.zero_point,
            (-bound, bound),
        )?;
        let out = restrict_result(&at, op, out, y)?;
        state.done_on(op, out, y);
        Ok(())
    }

    pub(super) fn clamp(&self, state: &mut State, op: RawOp) -> Result<(), String> {
        let x = state.input(op, 0)?;
        self.keeps_grid(op, &x)?;
        let bound = |name: &str| -> Result<f64, String> {
            crate::ir::float_attr(op, name).ok_or_else(|| format!("'{name}' is not a float"))
        };
        let (qmin, qmax) = x.grid().qrange();
        let to_q = |v: f64| -> i64 {
            let q = (v / x.scale).round() + f64::from(x.zero_point);
            q.clamp(qmin as f64, qmax as f64) as i64
        };
        let (lo, hi) = (to_q(bound("min_val")?), to_q(bound("max_val")?));
        let at = Emitter::before(op);
        let y = clamp_int(&at, x.value, lo, hi)?;
        state.done(op, Quantized { value: y, ..x });
        Ok(())
    }

    /// Ops that keep the input's grid and whose operands after the first
    /// are shapes or attributes: reshape, transpose, slice, tile, max
    /// pooling.
    pub(super) fn same_grid(&self, state: &mut State, op: RawOp, name: &str) -> Result<(), String> {
        let x = state.input(op, 0)?;
        self.keeps_grid(op, &x)?;
        let at = Emitter::before(op);
        let shape = shape_of(emit::result_of(op, 0))?;
        let mut operands = vec![x.value];
        let n = OpRef::new(op).map_or(0, OpRef::num_operands) as isize;
        for i in 1..n {
            operands.push(emit::operand(op, i));
        }
        let owned = attrs_except(op, &[]);
        let attrs: Vec<(&str, sys::MlirAttribute)> =
            owned.iter().map(|(n, a)| (n.as_str(), *a)).collect();
        let y = at.value(name, &operands, at.tensor(&shape, x.element()), &attrs);
        state.done(op, Quantized { value: y, ..x });
        Ok(())
    }

    /// A cast between float activations: the values on the input's grid
    /// are the values (f16 rounding is far below an int8 step), so the
    /// cast goes and its result is its input's integer value.
    pub(super) fn float_cast(&self, state: &mut State, op: RawOp) -> Result<(), String> {
        let x = state.input(op, 0)?;
        self.keeps_grid(op, &x)?;
        state.done(op, x);
        Ok(())
    }

    /// tosa.pad on the input's grid: the padding value (`pad_const`, a
    /// float constant, 0 unless the model says otherwise) is put on that
    /// grid, q = round(v / s) + z within the grid's range.
    pub(super) fn pad(&self, state: &mut State, op: RawOp) -> Result<(), String> {
        let x = state.input(op, 0)?;
        self.keeps_grid(op, &x)?;
        let value = match emit::const_floats(emit::operand(op, 2)).as_deref() {
            Some([v]) => f64::from(*v),
            _ => {
                return Err("the padding value (pad_const) must be a constant of one float".into())
            }
        };
        let (qmin, qmax) = x.grid().qrange();
        let q = ((value / x.scale).round() as i64 + i64::from(x.zero_point)).clamp(qmin, qmax);
        let at = Emitter::before(op);
        let shape = shape_of(emit::result_of(op, 0))?;
        let pad_const = at.const_int(&[1], x.element(), &[q]);
        let y = at.value(
            "tosa.pad",
            &[x.value, emit::operand(op, 1), pad_const],
            at.tensor(&shape, x.element()),
            &[],
        );
        state.done(op, Quantized { value: y, ..x });
        Ok(())
    }

    /// An elementwise function as a `tosa.table` lookup, f put on the
    /// output grid: q_y = clamp(round(f(x) / s_y) + z_y). An input with no
    /// real result (log or rsqrt of a negative value) gives the zero point.
    ///   * 8-bit activations: 256 i8 entries, entry i for input value
    ///     q = i - 128 (x = s_x (q - z_x)), i8 out;
    ///   * 16-bit activations: TOSA's interpolated table, 513 i16 entries,
    ///     entry i for q = 128 i - 32768; the op returns i32 values with 7
    ///     more bits (linear between entries), which a rescale by 1/128 puts
    ///     on the output's i16 grid.
    pub(super) fn table(
        &self,
        state: &mut State,
        op: RawOp,
        f: impl Fn(f64) -> f64,
    ) -> Result<(), String> {
        let x = state.input(op, 0)?;
        let y = self.output_grid(op)?;
        if x.storage_bits() != y.storage_bits() {
            return Err(format!(
                "a lookup table maps {}-bit activations to {}-bit ones: give this op the input's width ('cim.quant.activation_bits')",
                x.storage_bits(),
                y.storage_bits()
            ));
        }
        let (qmin, qmax) = y.qrange();
        let level = |q: i64| -> i64 {
            let real = f(x.scale * (q - i64::from(x.zero_point)) as f64);
            let level = if real.is_nan() {
                f64::from(y.zero_point)
            } else {
                (real / y.scale).round() + f64::from(y.zero_point)
            };
            level.clamp(qmin as f64, qmax as f64) as i64
        };
        let at = Emitter::before(op);
        let shape = shape_of(emit::result_of(op, 0))?;
        if x.storage_bits() == 8 {
            let entries: Vec<i8> = (-128..=127).map(|q| level(q) as i8).collect();
            let table = at.const_i8(&[256], &entries);
            let out = at.value(
                "tosa.table",
                &[x.value, table],
                at.tensor(&shape, "i8"),
                &[],
            );
            state.done_on(op, out, y);
            return Ok(());
        }
        let entries: Vec<i64> = (0..=512).map(|i| level(128 * i - 32768)).collect();
        let table = at.const_int(&[513], "i16", &entries);
        let fine = at.value(
            "tosa.table",
            &[x.value, table],
            at.tensor(&shape, "i32"),
            &[],
        );
        let out = rescale(
            &at,
            fine,
            y.element(),
            &[1.0 / 128.0],
            0,
            y.zero_point,
            (qmin * 128, qmax * 128),
        )?;
        state.done_on(op, out, y);
        Ok(())
    }

    /// tosa.resize on the input's grid. NEAREST_NEIGHBOR picks input values.
    /// BILINEAR's integer form returns i32 (i48 for i16 input) sums of the
    /// four neighbours weighted in units of the scale numerators, so
    /// W = scale_y_n * scale_x_n times the interpolated value, zero point
    /// included (the weights sum to W): W * z_x is subtracted and a rescale
    /// by 1 / W puts the result back on the input's grid (interpolation
    /// stays within the input's range).
    pub(super) fn resize(&self, state: &mut State, op: RawOp) -> Result<(), String> {
        let x = state.input(op, 0)?;
        self.keeps_grid(op, &x)?;
        let mode = OpRef::new(op)
            .and_then(|o| o.attribute("mode"))
            .map(|a| cimc_dialects::handle::attribute_text(a.raw()))
            .unwrap_or_default();
        let at = Emitter::before(op);
        let shape = shape_of(emit::result_of(op, 0))?;
        let operands = [
            x.value,
            emit::operand(op, 1),
            emit::operand(op, 2),
            emit::operand(op, 3),
        ];
        let owned = attrs_except(op, &[]);
        let attrs: Vec<(&str, sys::MlirAttribute)> =
            owned.iter().map(|(n, a)| (n.as_str(), *a)).collect();
        if !mode.contains("BILINEAR") {
            let y = at.value(
                "tosa.resize",
                &operands,
                at.tensor(&shape, x.element()),
                &attrs,
            );
            state.done(op, Quantized { value: y, ..x });
            return Ok(());
        }
        let scale = emit::const_ints(emit::operand(op, 1))
            .filter(|s| s.len() == 4)
            .ok_or("the resize scale must be a constant [y_n, y_d, x_n, x_d]")?;
        let unit = scale[0] * scale[2];
        // i8 in, i32 out; i16 in (zero point 0), i48 out.
        let wide = if x.storage_bits() == 16 { "i48" } else { "i32" };
        let sums = at.value("tosa.resize", &operands, at.tensor(&shape, wide), &attrs);
        let centred = if x.zero_point == 0 {
            sums
        } else {
            let ones = vec![1i64; shape.len()];
            let offset = at.const_i32(&ones, &[(unit * i64::from(x.zero_point)) as i32]);
            at.value("tosa.sub", &[sums, offset], at.tensor(&shape, "i32"), &[])
        };
        let (lo, hi) = x.centred();
        let out = rescale(
            &at,
            centred,
            x.element(),
            &[1.0 / unit as f64],
            0,
            x.zero_point,
            (lo * unit, hi * unit),
        )?;
        state.done(op, Quantized { value: out, ..x });
        Ok(())
    }

    pub(super) fn avg_pool(&self, state: &mut State, op: RawOp) -> Result<(), String> {
        let x = state.input(op, 0)?;
        self.keeps_grid(op, &x)?;
        let at = Emitter::before(op);
        let shape = shape_of(emit::result_of(op, 0))?;
        let zp = at.const_int(&[1], x.element(), &[x.zero_point]);
        let owned = attrs_except(op, &["acc_type"]);
        let mut attrs: Vec<(&str, sys::MlirAttribute)> =
            owned.iter().map(|(n, a)| (n.as_str(), *a)).collect();
        attrs.push(("acc_type", at.attr("i32")));
        let y = at.value(
            "tosa.avg_pool2d",
            &[x.value, zp, zp],
            at.tensor(&shape, x.element()),
            &attrs,
        );
        state.done(op, Quantized { value: y, ..x });
        Ok(())
    }

    /// tosa.reduce_sum: x without its zero point as i32, the sum, and the
    /// sums, reshapes and final positive scalar product of its
    /// [`sum_chain`] in i32 too; one rescale by s_x * c / s_y onto the grid
    /// of the chain's last op (the op itself when the chain is empty).
    pub(super) fn reduce_sum(&self, state: &mut State, op: RawOp) -> Result<(), String> {
        let x = state.input(op, 0)?;
        let chain = sum_chain(op);
        let last = chain.last().copied().unwrap_or(op);
        let y = self.output_grid(last)?;
        let at = Emitter::before(last);
        let mut value = rescale(&at, x.value, "i32", &[1.0], x.zero_point, 0, x.centred())?;
        let mut count: i64 = 1;
        let mut factor = 1.0;
        for step in std::iter::once(op).chain(chain.iter().copied()) {
            let name = crate::raw::op_name(step);
            let shape = shape_of(emit::result_of(step, 0))?;
            match name.as_str() {
                "tosa.reduce_sum" => {
                    let in_shape = shape_of(emit::operand(step, 0))?;
                    count *=
                        in_shape.iter().product::<i64>() / shape.iter().product::<i64>().max(1);
                    let owned = attrs_except(step, &[]);
                    let attrs: Vec<(&str, sys::MlirAttribute)> =
                        owned.iter().map(|(n, a)| (n.as_str(), *a)).collect();
                    value = at.value(
                        "tosa.reduce_sum",
                        &[value],
                        at.tensor(&shape, "i32"),
                        &attrs,
                    );
                }
                "tosa.reshape" => {
                    value = at.value(
                        "tosa.reshape",
                        &[value, emit::operand(step, 1)],
                        at.tensor(&shape, "i32"),
                        &[],
                    );
                }
                _ => {
                    let previous = emit::result_of(
                        crate::ir::operand_producers(step)
                            .into_iter()
                            .find(|p| chain.iter().chain([&op]).any(|c| c.ptr == p.ptr))
                            .ok_or("internal error: a sum chain's product without its sum")?,
                        0,
                    );
                    factor = positive_scalar_factor(step, previous).ok_or(
                        "internal error: a sum chain's product is not by a positive scalar",
                    )?;
                }
            }
            // The chain's ops are done here (the main walk skips them); the
            // last one's result is the value (below).
            if step.ptr != op.ptr {
                state.absorbed.insert(step.ptr as usize);
            }
            if step.ptr != last.ptr {
                state.dead.push(step);
            }
        }
        let (lo, hi) = x.centred();
        let out = rescale(
            &at,
            value,
            y.element(),
            &[x.scale * factor / y.scale],
            0,
            y.zero_point,
            (lo * count, hi * count),
        )?;
        if shape_of(out)? != shape_of(emit::result_of(last, 0))? {
            return Err("the multiplication after the sum broadcasts it: not supported".into());
        }
        let out = restrict_result(&at, last, out, y)?;
        state.done_on(last, out, y);
        Ok(())
    }

    /// tosa.mul (shift 0) of an activation by a positive constant scalar:
    /// one rescale by s_x * c / s_y. Of two activations, or of an
    /// activation by any other constant (a PReLU's slopes, a negative
    /// scale): an i32 product of the two factors without their zero points
    /// (an activation rescaled to i32, exact; a constant on the symmetric
    /// 16-bit grid s_c = max |c| / 32767), then a rescale by s_a * s_b / s_y
    /// onto the output's grid.
    pub(super) fn mul(&self, state: &mut State, op: RawOp) -> Result<(), String> {
        if emit::const_ints(emit::operand(op, 2)).is_some_and(|s| s.iter().any(|v| *v != 0)) {
            return Err("a float multiplication has shift 0".into());
        }
        let y = self.output_grid(op)?;
        let at = Emitter::before(op);
        let result_shape = shape_of(emit::result_of(op, 0))?;
        let by_scalar = match (state.input(op, 0), state.input(op, 1)) {
            (Ok(x), Err(_)) => positive_scalar_factor(op, emit::operand(op, 0)).map(|c| (x, c)),
            (Err(_), Ok(x)) => positive_scalar_factor(op, emit::operand(op, 1)).map(|c| (x, c)),
            _ => None,
        };
        if let Some((x, c)) =
            by_scalar.filter(|(x, _)| shape_of(x.value).ok() == Some(result_shape.clone()))
        {
            let out = rescale(
                &at,
                x.value,
                y.element(),
                &[x.scale * c / y.scale],
                x.zero_point,
                y.zero_point,
                x.centred(),
            )?;
            let out = restrict_result(&at, op, out, y)?;
            state.done_on(op, out, y);
            return Ok(());
        }
        let a = self.factor(state, &at, op, 0)?;
        let b = self.factor(state, &at, op, 1)?;
        let shift = at.const_i8(&[1], &[0]);
        let product = at.value(
            "tosa.mul",
            &[a.value, b.value, shift],
            at.tensor(&result_shape, "i32"),
            &[],
        );
        let ((a_lo, a_hi), (b_lo, b_hi)) = (a.bounds, b.bounds);
        let corners = [a_lo * b_lo, a_lo * b_hi, a_hi * b_lo, a_hi * b_hi];
        let bounds = (
            corners.iter().copied().min().unwrap_or(0),
            corners.iter().copied().max().unwrap_or(0),
        );
        let out = rescale(
            &at,
            product,
            y.element(),
            &[a.scale * b.scale / y.scale],
            0,
            y.zero_point,
            bounds,
        )?;
        let out = restrict_result(&at, op, out, y)?;
        state.done_on(op, out, y);
        Ok(())
    }

    /// Operand `index` of a multiplication as an i32 factor: an activation
    /// without its zero point, or a constant on its symmetric 16-bit grid.
    fn factor(
        &self,
        state: &State,
        at: &Emitter,
        op: RawOp,
        index: isize,
    ) -> Result<Factor, String> {
        if let Ok(x) = state.input(op, index) {
            return Ok(Factor {
                value: rescale(at, x.value, "i32", &[1.0], x.zero_point, 0, x.centred())?,
                scale: x.scale,
                bounds: x.centred(),
            });
        }
        let value = emit::operand(op, index);
        let c = finite_constant(value, index)?;
        let top = c.iter().fold(0f64, |m, v| m.max(f64::from(v.abs())));
        let scale = if top > 0.0 { top / 32767.0 } else { 1.0 };
        let q: Vec<i32> = c
            .iter()
            .map(|v| (f64::from(*v) / scale).round().clamp(-32767.0, 32767.0) as i32)
            .collect();
        let lo = q.iter().copied().min().unwrap_or(0);
        let hi = q.iter().copied().max().unwrap_or(0);
        Ok(Factor {
            value: at.const_i32(&shape_of(value)?, &q),
            scale,
            bounds: (i64::from(lo), i64::from(hi)),
        })
    }

    /// tosa.select of an i1 condition (a comparison cimc already made
    /// integer) between activations or float constants: each put on the
    /// output's grid (an activation by a rescale unless it is already on
    /// it; a constant rounded onto it), an integer select.
    pub(super) fn select(&self, state: &mut State, op: RawOp) -> Result<(), String> {
        let y = self.output_grid(op)?;
        let at = Emitter::before(op);
        let condition = emit::operand(op, 0);
        if emit::tensor_info(condition).is_none_or(|(_, e)| e != "i1") {
            return Err("the condition must be an i1 tensor".into());
        }
        let mut choices = Vec::with_capacity(2);
        for i in 1..=2 {
            let value = match state.input(op, i) {
                Ok(x) => onto(&at, &x, y).map_err(|m| format!("operand {i}: {m}"))?,
                Err(_) => {
                    let c_value = emit::operand(op, i);
                    let c = finite_constant(c_value, i)?;
                    let (qmin, qmax) = y.qrange();
                    let q: Vec<i64> = c
                        .iter()
                        .map(|v| {
                            ((f64::from(*v) / y.scale).round() as i64 + i64::from(y.zero_point))
                                .clamp(qmin, qmax)
                        })
                        .collect();
                    at.const_int(&shape_of(c_value)?, y.element(), &q)
                }
            };
            choices.push(value);
        }
        let shape = shape_of(emit::result_of(op, 0))?;
        let out = at.value(
            "tosa.select",
            &[condition, choices[0], choices[1]],
            at.tensor(&shape, y.element()),
            &[],
        );
        state.done_on(op, out, y);
        Ok(())
    }

    /// tosa.argmax of an activation: the index of the largest integer
    /// value (quantization keeps the order; values that round together tie
    /// and the first is taken), an i32 result as before.
    pub(super) fn argmax(&self, state: &mut State, op: RawOp) -> Result<(), String> {
        let x = state.input(op, 0)?;
        let (Some(handle), Some(value)) = (OpRef::new(op), ValueRef::new(x.value)) else {
            return Err("internal error: no argmax".into());
        };
        handle.set_operand(0, value);
        Ok(())
    }

    /// `tosa.concat` of activations: each input rescaled onto the output's
    /// grid (unless it is already on it), an int8 concat.
    pub(super) fn concat(&self, state: &mut State, op: RawOp) -> Result<(), String> {
        let y = self.output_grid(op)?;
        let at = Emitter::before(op);
        let n = OpRef::new(op).map_or(0, OpRef::num_operands) as isize;
        let mut inputs = Vec::with_capacity(n as usize);
        for i in 0..n {
            let x = state.input(op, i)?;
            let value = onto(&at, &x, y).map_err(|m| format!("input {i}: {m}"))?;
            inputs.push(value);
        }
        let shape = shape_of(emit::result_of(op, 0))?;
        let owned = attrs_except(op, &[]);
        let attrs: Vec<(&str, sys::MlirAttribute)> =
            owned.iter().map(|(n, a)| (n.as_str(), *a)).collect();
        let out = at.value(
            "tosa.concat",
            &inputs,
            at.tensor(&shape, y.element()),
            &attrs,
        );
        state.done_on(op, out, y);
        Ok(())
    }
}

/// A factor of an i32 product: its value, scale and the values it takes.
struct Factor {
    value: RawValue,
    scale: f64,
    bounds: (i64, i64),
}

/// Activation `x` on grid `y`: itself when it is already there, else a
/// rescale by s_x / s_y (restricted to y's range).
fn onto(at: &Emitter, x: &Quantized, y: ActGrid) -> Result<RawValue, String> {
    let same = x.scale == y.scale
        && x.zero_point == y.zero_point
        && x.bits <= y.bits
        && x.storage_bits() == y.storage_bits();
    if same {
        return Ok(x.value);
    }
    let v = rescale(
        at,
        x.value,
        y.element(),
        &[x.scale / y.scale],
        x.zero_point,
        y.zero_point,
        x.centred(),
    )?;
    restrict(at, v, y)
}

/// Operand `index`, not an activation, as the values of a float constant,
/// each finite.
pub(super) fn finite_constant(value: RawValue, index: isize) -> Result<Vec<f32>, String> {
    let c = emit::const_floats(value).ok_or_else(|| {
        format!("operand {index} is neither an activation cimc quantized nor a float constant")
    })?;
    if c.iter().any(|v| !v.is_finite()) {
        return Err(format!(
            "operand {index}: a constant with a non-finite value"
        ));
    }
    Ok(c)
}
