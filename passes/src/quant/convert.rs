//! `cim-quant-convert`: rewrites a calibrated float TOSA function as integer
//! TOSA (int8 activations of 4..=8 bits or int16 ones, symmetric or
//! asymmetric; int8/int4 weights, symmetric or asymmetric; i32 or i48
//! accumulators; `tosa.rescale`).

use crate::emit::{self, Emitter};
use crate::ir::single_user;
use crate::quant::grid::{fused_clamp, quantize_weights, weight_layout, ActGrid};
use crate::quant::options::{bits_override, bool_override, check_widths, range_attr};
use crate::raw::{RawOp, RawValue};
use crate::{OptionInfo, OptionKind, Pass, PassFailed, PassInfo};
use cimc_quant::WeightRange;
use melior::ir::operation::OperationRefMut;
use mlir_sys as sys;
use std::collections::HashMap;

// The pass's options, attributes and grids live in `options` and `grid`;
// these paths keep working for other crates.
pub use crate::quant::grid::{ActChoice, WeightChoice, KEEPS_GRID};
pub use crate::quant::options::{
    Widths, ACTIVATION_BITS, ACTIVATION_BITS_ATTR, ACTIVATION_BITS_OPTION,
    ACTIVATION_SYMMETRIC_ATTR, ACTIVATION_SYMMETRIC_OPTION, ARG_GRIDS_ATTR, ARG_RANGES_ATTR,
    PER_CHANNEL_ATTR, RANGE_ATTR, RESULT_GRIDS_ATTR, WEIGHT_BITS, WEIGHT_BITS_ATTR,
    WEIGHT_RANGE_ATTR, WEIGHT_SCALE_ATTR, WEIGHT_SYMMETRIC_ATTR, WEIGHT_ZERO_POINT_ATTR,
};

pub static INFO: PassInfo = PassInfo {
    argument: "cim-quant-convert",
    summary: "Rewrite a calibrated float TOSA function as integer TOSA",
    description: "\
Reads the activation ranges calibration recorded on the IR — the
function attribute `cim.quant.arg_ranges = [array<f64: lo, hi>, ...]` (one
per argument) and `cim.quant.range = array<f64: lo, hi>` on ops — and
rewrites every float op as integer TOSA:
  * activations: per tensor on b = activation-bits bits, 4..=8 in i8
    tensors or 16 in i16 tensors; asymmetric: s = (hi - lo) / (2^b - 1),
    z = -2^(b-1) - round(lo / s) (ranges widened to contain 0), values in
    [-2^(b-1), 2^(b-1) - 1]; symmetric (activation-symmetric=true, and
    always at 16 bits, since TOSA's int16 zero points are 0):
    s = max(|lo|, |hi|) / (2^(b-1) - 1), z = 0;
    arguments and results become i8 (i16) tensors (feed q = round(x / s)
    + z); below 8 bits every value put on a new grid (by a rescale, or an
    argument) is followed by a `tosa.clamp` to that range, since
    tosa.rescale saturates to the tensor's type only; a value whose only
    user is a tosa.clamp is left to that clamp, which clamps within the
    range anyway. The crossbar mapping reads such a clamp as the input's
    bit width (fewer DAC cycles);
  * tosa.conv2d, tosa.depthwise_conv2d, tosa.matmul with constant weights:
    weights symmetric in [-(2^(b-1)-1), 2^(b-1)-1] (b = weight-bits, per
    output channel or per tensor), or with weight-symmetric=false
    asymmetric in [-2^(b-1), 2^(b-1)-1] with a zero point, per tensor only
    (TOSA takes one weight zero point per op; per channel is an error);
    min-max ranges, or with weight-range=mse the clipping that minimises
    the squared rounding error, unless cim-quant-weight-range recorded the
    layer's range (`cim.quant.weight_range`), which is used; as an i8
    tensor, or an i4 tensor with an i4 zero point when b <= 4, the weights
    are symmetric and the op is a conv2d or depthwise_conv2d of i8
    activations (TOSA's int4 extension,
    which cim-attach-tosa-target adds for validation; reference execution,
    the crossbar mapping and Arm's reference model take i4 weights; there
    is no int4 matmul, so a matmul keeps i8 holding values in the b-bit
    range); bias as i32 at s_x * s_w, an i32 accumulator and a per-channel
    `tosa.rescale` (SINGLE_ROUND, scale32) by s_x * s_w[c] / s_y. Over
    16-bit activations (TOSA's int16 extension): i8 weights (a matmul's
    are i16, both operands of a TOSA matmul having one type, with zero
    point 0, so asymmetric weights there are an error), an i48 bias and
    accumulator, and the rescale takes a 16-bit multiplier (scale32 =
    false, which TOSA requires of an i48 input). A convolution whose only
    user is a clamp takes the clamp's range, so ReLU/ReLU6 fuse into the
    output grid;
  * tosa.clamp: the float bounds on the input's grid, within its range;
  * tosa.reshape, tosa.max_pool2d: unchanged on the input's grid;
    tosa.avg_pool2d: integer pooling with the input's zero point and grid;
  * tosa.reduce_sum: a rescale to i32 removing the zero point, an i32 sum,
    a rescale by s_x / s_y; tosa.mul by a positive constant scalar: one
    rescale by s_x * c / s_y; tosa.add / tosa.sub of a constant (a matmul's
    bias): x widened to i32 at s_x / 2^16 (s_x / 2^8 for 16-bit x), the
    constant at that scale, an i32 add, a rescale to the output grid;
  * tosa.add / tosa.sub of two activations (equal shapes or broadcast):
    both rescaled to i32 on the common scale s = max(s_a, s_b) / 2^k, k the
    largest of 16..=0 for which every rescale meets the REQUIREs, an i32
    add or sub, a rescale by s / s_y onto the output's grid;
  * tosa.concat of activations: each input rescaled onto the output's grid
    (by s_in / s_y; none when the grids and types are the same), a concat.
Per-op overrides (attributes a configuration sets on the float ops):
  * `cim.quant.weight_bits = N : i64` (2..=8) on a conv2d, depthwise_conv2d
    or matmul overrides `weight-bits`, `cim.quant.per_channel = true|false`
    overrides `per-channel`;
  * `cim.quant.weight_scale = array<f64: s, ...>` (one scale, or one per
    output channel) on such an op says its float weights already lie on
    that grid (w = s * q up to f32 rounding): q = round(w / s) is used as
    is, with these scales, no range is computed; every q must lie in the
    b-bit range and w / s within 1e-3 of it; with
    `cim.quant.weight_zero_point = z : i64` beside one scale the grid is
    asymmetric: q = round(w / s) + z;
  * `cim.quant.weight_symmetric = true|false` overrides `weight-symmetric`;
  * `cim.quant.activation_bits = N : i64` (4..=8 or 16) and
    `cim.quant.activation_symmetric = true|false` on an op that sets a new
    grid (conv2d, depthwise_conv2d, matmul, reduce_sum, mul, add, sub,
    concat) override `activation-bits` / `activation-symmetric` for its
    result; on the tosa.clamp a convolution fuses with, they set the fused
    grid's. Ops that keep their input's grid (clamp, reshape, pooling)
    accept them only when they are the input's. The function's arguments
    take these attributes on the func.func (for all of them), else the
    options.
An override out of range, of the wrong type, or contradicting another
(several weight scales with `cim.quant.per_channel = false`) is an error
at the op naming the attribute.
Every rescale's (multiplier, shift) is checked against the TOSA reference
model's REQUIREs for every input the accumulator can hold. A float op not
listed, a missing range or a weight that is not a constant is an error at
the op.

Example: `cimc quantize net.f32.mlir --calibration x.npy` records the ranges
and runs this pass; alone: `cimc calibrated.mlir
--pass-pipeline='builtin.module(func.func(cim-quant-convert{weight-bits=4}))'`
(i4 convolution weights); `{activation-bits=16}` gives i16 activations
and i48 accumulators; `{weight-symmetric=false per-channel=false}`
asymmetric weights; a conv2d carrying `cim.quant.weight_bits = 2 : i64,
cim.quant.activation_bits = 6 : i64` gets W2 weights and a 6-bit output
grid whatever the options say.",
    anchor: Some("func.func"),
    options: &[
        OptionInfo {
            name: "weight-bits",
            kind: OptionKind::Int,
            default: "8",
            help: "weight bit width, 2..=8 (symmetric: values in [-(2^(b-1)-1), 2^(b-1)-1]; i4 tensors at <= 4 bits on convolutions of i8 activations with symmetric weights, else i8)",
        },
        crate::quant::options::PER_CHANNEL_OPTION,
        crate::quant::options::WEIGHT_SYMMETRIC_OPTION,
        crate::quant::options::WEIGHT_RANGE_OPTION,
        ACTIVATION_BITS_OPTION,
        ACTIVATION_SYMMETRIC_OPTION,
    ],
    create: |options, _| {
        Box::new(Convert {
            weight_bits: options.int("weight-bits"),
            per_channel: options.bool("per-channel"),
            weight_symmetric: options.bool("weight-symmetric"),
            weight_range: crate::quant::options::weight_range(options.str("weight-range")),
            activation_bits: options.int("activation-bits"),
            activation_symmetric: options.bool("activation-symmetric"),
        })
    },
};

/// The float ops this pass rewrites (besides constants and the return).
pub const SUPPORTED: &[&str] = &[
    "tosa.conv2d",
    "tosa.depthwise_conv2d",
    "tosa.matmul",
    "tosa.clamp",
    "tosa.reshape",
    "tosa.max_pool2d",
    "tosa.avg_pool2d",
    "tosa.reduce_sum",
    "tosa.mul",
    "tosa.add",
    "tosa.sub",
    "tosa.concat",
];

/// The message for an op outside [`SUPPORTED`].
pub fn unsupported(name: &str) -> String {
    format!(
        "cannot quantize '{name}': cimc's quantization covers conv2d, depthwise_conv2d, matmul, clamp, reshape, max_pool2d, avg_pool2d, reduce_sum, concat, mul by a constant, and add and sub of a constant or of two activations"
    )
}

struct Convert {
    weight_bits: i64,
    per_channel: bool,
    weight_symmetric: bool,
    weight_range: WeightRange,
    activation_bits: i64,
    activation_symmetric: bool,
}

/// A quantized activation: the i8 value and its grid.
#[derive(Clone, Copy)]
struct Quantized {
    value: RawValue,
    scale: f64,
    zero_point: i32,
    bits: u32,
    symmetric: bool,
}

impl Quantized {
    fn on(value: RawValue, grid: ActGrid) -> Self {
        Quantized {
            value,
            scale: grid.scale,
            zero_point: grid.zero_point,
            bits: grid.bits,
            symmetric: grid.symmetric,
        }
    }

    fn grid(&self) -> ActGrid {
        ActGrid {
            scale: self.scale,
            zero_point: self.zero_point,
            bits: self.bits,
            symmetric: self.symmetric,
        }
    }

    fn storage_bits(&self) -> u32 {
        self.grid().storage_bits()
    }

    fn element(&self) -> &'static str {
        self.grid().element()
    }

    /// The values `q - z` can take: what a rescale removing the zero point
    /// sees.
    fn centred(&self) -> (i64, i64) {
        let (lo, hi) = self.grid().qrange();
        let z = i64::from(self.zero_point);
        (lo - z, hi - z)
    }
}

fn key(value: RawValue) -> usize {
    value.ptr as usize
}

fn shape_of(value: RawValue) -> Result<Vec<i64>, String> {
    emit::tensor_info(value)
        .map(|(shape, _)| shape)
        .ok_or_else(|| "expected a ranked tensor".to_string())
}

/// The scale32 parameters of `scale` if they meet the REQUIREs over
/// `bounds`.
fn scale_fits(scale: f64, bounds: (i64, i64)) -> Option<cimc_quant::Scale32> {
    let s = cimc_quant::scale32(scale).ok()?;
    cimc_quant::check_require(bounds.0, bounds.1, s.multiplier, s.shift, false).ok()?;
    Some(s)
}

/// A TOSA 1.0 rescale of `input` (element `from`) to `to` with one
/// (multiplier, shift) per channel (or one), checked against the reference
/// model's REQUIREs over `bounds`, the values (input zero point removed)
/// it can see.
#[allow(clippy::too_many_arguments)]
fn rescale(
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
fn clamp_int(at: &Emitter, value: RawValue, lo: i64, hi: i64) -> Result<RawValue, String> {
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
fn restrict(at: &Emitter, value: RawValue, grid: ActGrid) -> Result<RawValue, String> {
    if grid.bits >= grid.storage_bits() {
        return Ok(value);
    }
    let (lo, hi) = grid.qrange();
    clamp_int(at, value, lo, hi)
}

/// [`restrict`] for the result of `op`, unless `op`'s only user is a
/// tosa.clamp: that clamp restricts it (to the grid's range or less).
fn restrict_result(
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
fn attrs_except(op: RawOp, skip: &[&str]) -> Vec<(String, sys::MlirAttribute)> {
    let mut out = Vec::new();
    unsafe {
        for i in 0..sys::mlirOperationGetNumAttributes(op) {
            let named = sys::mlirOperationGetAttribute(op, i);
            let name = sys::mlirIdentifierStr(named.name);
            let name = String::from_utf8_lossy(std::slice::from_raw_parts(
                name.data.cast::<u8>(),
                name.length,
            ))
            .into_owned();
            if !skip.contains(&name.as_str()) && !name.starts_with("cim.quant") {
                out.push((name, named.attribute));
            }
        }
    }
    out
}

struct State {
    quantized: HashMap<usize, Quantized>,
    dead: Vec<RawOp>,
}

impl State {
    fn input(&self, op: RawOp, index: isize) -> Result<Quantized, String> {
        self.quantized
            .get(&key(emit::operand(op, index)))
            .copied()
            .ok_or_else(|| {
                format!("operand {index} has no integer value: its producer was not quantized")
            })
    }

    fn has_input(&self, op: RawOp, index: isize) -> bool {
        self.quantized.contains_key(&key(emit::operand(op, index)))
    }

    fn done(&mut self, op: RawOp, q: Quantized) {
        self.quantized.insert(key(emit::result_of(op, 0)), q);
        self.dead.push(op);
    }

    /// `op` is replaced by `value` on `grid`.
    fn done_on(&mut self, op: RawOp, value: RawValue, grid: ActGrid) {
        self.done(op, Quantized::on(value, grid));
    }
}

/// The range of `op`'s output grid: a convolution's only user being a clamp
/// (ReLU, ReLU6), the clamp's range, else the op's own.
fn output_range(op: RawOp) -> Result<(f64, f64), String> {
    fused_clamp(op)
        .and_then(range_attr)
        .or_else(|| range_attr(op))
        .ok_or_else(|| format!("no '{RANGE_ATTR}' on the op: calibrate first (cimc quantize)"))
}

impl Convert {
    fn activations(&self) -> ActChoice {
        ActChoice {
            bits: self.activation_bits as u32,
            symmetric: self.activation_symmetric,
        }
    }

    fn weights(&self) -> WeightChoice {
        WeightChoice {
            bits: self.weight_bits,
            per_channel: self.per_channel,
            symmetric: self.weight_symmetric,
        }
    }

    /// The output grid of an op that sets a new one: its range (or its
    /// fused clamp's) on the width and symmetry the fused clamp, else the
    /// op, asks for.
    fn output_grid(&self, op: RawOp) -> Result<ActGrid, String> {
        let (lo, hi) = output_range(op)?;
        self.activations().output(op)?.grid(lo, hi)
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

    fn weighted(&self, state: &mut State, op: RawOp, name: &str) -> Result<(), String> {
        let x = state.input(op, 0)?;
        let weight = emit::operand(op, 1);
        let w_shape = shape_of(weight)?;
        let w_data = emit::const_floats(weight)
            .ok_or("the weights must be a float tosa.const: crossbars hold constant weights")?;
        let layout = weight_layout(name, &w_shape, &w_data)?;
        let w = quantize_weights(op, &layout, self.weights(), self.weight_range)?;
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
            at.value("tosa.matmul", &[x.value, w_int, x_zp, w_zp], acc_ty, &[])
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

    fn clamp(&self, state: &mut State, op: RawOp) -> Result<(), String> {
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

    /// Ops that keep the input's grid: reshape, max pooling.
    fn same_grid(&self, state: &mut State, op: RawOp, name: &str) -> Result<(), String> {
        let x = state.input(op, 0)?;
        self.keeps_grid(op, &x)?;
        let at = Emitter::before(op);
        let shape = shape_of(emit::result_of(op, 0))?;
        let mut operands = vec![x.value];
        let n = unsafe { sys::mlirOperationGetNumOperands(op) };
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

    fn avg_pool(&self, state: &mut State, op: RawOp) -> Result<(), String> {
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

    fn reduce_sum(&self, state: &mut State, op: RawOp) -> Result<(), String> {
        let x = state.input(op, 0)?;
        let y = self.output_grid(op)?;
        let at = Emitter::before(op);
        let wide = rescale(&at, x.value, "i32", &[1.0], x.zero_point, 0, x.centred())?;
        let shape = shape_of(emit::result_of(op, 0))?;
        let owned = attrs_except(op, &[]);
        let attrs: Vec<(&str, sys::MlirAttribute)> =
            owned.iter().map(|(n, a)| (n.as_str(), *a)).collect();
        let sum = at.value("tosa.reduce_sum", &[wide], at.tensor(&shape, "i32"), &attrs);
        let in_shape = shape_of(emit::operand(op, 0))?;
        let count: i64 = in_shape.iter().product::<i64>() / shape.iter().product::<i64>().max(1);
        let (lo, hi) = x.centred();
        let out = rescale(
            &at,
            sum,
            y.element(),
            &[x.scale / y.scale],
            0,
            y.zero_point,
            (lo * count, hi * count),
        )?;
        let out = restrict_result(&at, op, out, y)?;
        state.done_on(op, out, y);
        Ok(())
    }

    fn mul_by_constant(&self, state: &mut State, op: RawOp) -> Result<(), String> {
        let (x, c) = match (
            state.input(op, 0),
            emit::const_floats(emit::operand(op, 1)),
            state.input(op, 1),
            emit::const_floats(emit::operand(op, 0)),
        ) {
            (Ok(x), Some(c), _, _) | (_, _, Ok(x), Some(c)) => (x, c),
            _ => return Err("only a multiplication by a constant scalar is quantized".into()),
        };
        // One value, or one repeated (a splat): finite and positive.
        let c = match c.split_first() {
            Some((first, rest))
                if rest.iter().all(|v| v == first) && first.is_finite() && *first > 0.0 =>
            {
                f64::from(*first)
            }
            _ => {
                return Err(
                    "only a multiplication by a positive constant scalar is quantized".into(),
                )
            }
        };
        let y = self.output_grid(op)?;
        let at = Emitter::before(op);
        let out = rescale(
            &at,
            x.value,
            y.element(),
            &[x.scale * c / y.scale],
            x.zero_point,
            y.zero_point,
            x.centred(),
        )?;
        if shape_of(out)? != shape_of(emit::result_of(op, 0))? {
            return Err("the multiplication broadcasts its activation: not supported".into());
        }
        let out = restrict_result(&at, op, out, y)?;
        state.done_on(op, out, y);
        Ok(())
    }

    /// `x + c` (or `x - c`) with a constant `c`: x widened to i32 at
    /// s_acc = s_x / 2^16 (2^8 for 16-bit x), c at the same scale, an i32 add, a rescale to the
    /// output grid.
    fn add_constant(&self, state: &mut State, op: RawOp, subtract: bool) -> Result<(), String> {
        let (x, c_value) = match (state.input(op, 0), emit::const_floats(emit::operand(op, 1))) {
            (Ok(x), Some(_)) => (x, emit::operand(op, 1)),
            _ if !subtract => {
                match (state.input(op, 1), emit::const_floats(emit::operand(op, 0))) {
                    (Ok(x), Some(_)) => (x, emit::operand(op, 0)),
                    _ => {
                        return Err(
                            "only an addition of a constant or of two activations is quantized"
                                .into(),
                        )
                    }
                }
            }
            _ => {
                return Err(
                    "only a subtraction of a constant or of two activations is quantized".into(),
                )
            }
        };
        let c = emit::const_floats(c_value).ok_or("the constant is not f32")?;
        let c_shape = shape_of(c_value)?;
        let y = self.output_grid(op)?;
        // 2^16 for int8, 2^8 for int16: |x - z| * widen stays below 2^24.
        let widen = 1i64 << (24 - x.storage_bits());
        let acc_scale = x.scale / widen as f64;
        let sign = if subtract { -1.0 } else { 1.0 };
        let mut c_q = Vec::with_capacity(c.len());
        for v in &c {
            let q = (sign * f64::from(*v) / acc_scale).round();
            if q.abs() >= f64::from(1u32 << 30) {
                return Err(format!(
                    "the constant {v} is too large for the activation's scale {}",
                    x.scale
                ));
            }
            c_q.push(q as i32);
        }
        let at = Emitter::before(op);
        let (lo, hi) = x.centred();
        let wide = rescale(
            &at,
            x.value,
            "i32",
            &[widen as f64],
            x.zero_point,
            0,
            (lo, hi),
        )?;
        let c_const = at.const_i32(&c_shape, &c_q);
        let shape = shape_of(emit::result_of(op, 0))?;
        let sum = at.value("tosa.add", &[wide, c_const], at.tensor(&shape, "i32"), &[]);
        let (c_min, c_max) = c_q.iter().fold((0i64, 0i64), |(a, b), v| {
            (a.min(i64::from(*v)), b.max(i64::from(*v)))
        });
        let out = rescale(
            &at,
            sum,
            y.element(),
            &[acc_scale / y.scale],
            0,
            y.zero_point,
            (lo * widen + c_min, hi * widen + c_max),
        )?;
        let out = restrict_result(&at, op, out, y)?;
        state.done_on(op, out, y);
        Ok(())
    }

    /// `a + b` (or `a - b`) of two activations: both rescaled to i32 on the
    /// common scale s = max(s_a, s_b) / 2^k, an i32 add (or sub, TOSA
    /// broadcasting), a rescale by s / s_y to the output grid. k is the
    /// largest of 16..=0 for which every rescale meets the REQUIREs.
    fn add_activations(&self, state: &mut State, op: RawOp, subtract: bool) -> Result<(), String> {
        let a = state.input(op, 0)?;
        let b = state.input(op, 1)?;
        let y = self.output_grid(op)?;
        let top = a.scale.max(b.scale);
        // Each input's i32 range after its rescale (monotone in the value).
        let widened = |q: &Quantized, s: f64| -> Option<(i64, i64)> {
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
        };
        let plan = (0..=16).rev().find_map(|k: i32| {
            let s = top / f64::from(k).exp2();
            let (a_lo, a_hi) = widened(&a, s)?;
            let (b_lo, b_hi) = widened(&b, s)?;
            let sum = if subtract {
                (a_lo - b_hi, a_hi - b_lo)
            } else {
                (a_lo + b_lo, a_hi + b_hi)
            };
            let fits_i32 = sum.0 >= i64::from(i32::MIN) && sum.1 <= i64::from(i32::MAX);
            (fits_i32 && scale_fits(s / y.scale, sum).is_some()).then_some((s, sum))
        });
        let Some((s, sum_bounds)) = plan else {
            return Err(format!(
                "no common scale for the operands (scales {} and {}) and the output (scale {}) meets the rescale REQUIREs",
                a.scale, b.scale, y.scale
            ));
        };
        let at = Emitter::before(op);
        let wa = rescale(
            &at,
            a.value,
            "i32",
            &[a.scale / s],
            a.zero_point,
            0,
            a.centred(),
        )?;
        let wb = rescale(
            &at,
            b.value,
            "i32",
            &[b.scale / s],
            b.zero_point,
            0,
            b.centred(),
        )?;
        let shape = shape_of(emit::result_of(op, 0))?;
        let kind = if subtract { "tosa.sub" } else { "tosa.add" };
        let sum = at.value(kind, &[wa, wb], at.tensor(&shape, "i32"), &[]);
        let out = rescale(
            &at,
            sum,
            y.element(),
            &[s / y.scale],
            0,
            y.zero_point,
            sum_bounds,
        )?;
        let out = restrict_result(&at, op, out, y)?;
        state.done_on(op, out, y);
        Ok(())
    }

    /// `tosa.concat` of activations: each input rescaled onto the output's
    /// grid (unless it is already on it), an int8 concat.
    fn concat(&self, state: &mut State, op: RawOp) -> Result<(), String> {
        let y = self.output_grid(op)?;
        let at = Emitter::before(op);
        let n = unsafe { sys::mlirOperationGetNumOperands(op) };
        let mut inputs = Vec::with_capacity(n as usize);
        for i in 0..n {
            let x = state.input(op, i)?;
            let same = x.scale == y.scale
                && x.zero_point == y.zero_point
                && x.bits <= y.bits
                && x.storage_bits() == y.storage_bits();
            let value = if same {
                x.value
            } else {
                let v = rescale(
                    &at,
                    x.value,
                    y.element(),
                    &[x.scale / y.scale],
                    x.zero_point,
                    y.zero_point,
                    x.centred(),
                )
                .map_err(|m| format!("input {i}: {m}"))?;
                restrict(&at, v, y)?
            };
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

fn f64_pair_array(context: sys::MlirContext, pairs: &[(f64, i32)]) -> sys::MlirAttribute {
    unsafe {
        let elements: Vec<sys::MlirAttribute> = pairs
            .iter()
            .map(|(s, z)| {
                let values = [*s, f64::from(*z)];
                sys::mlirDenseF64ArrayGet(context, 2, values.as_ptr())
            })
            .collect();
        sys::mlirArrayAttrGet(context, elements.len() as isize, elements.as_ptr())
    }
}

impl Pass for Convert {
    fn run(&self, func: OperationRefMut<'_, '_>) -> Result<(), PassFailed> {
        let func = func.to_raw();
        if let Err(message) = check_widths(self.weight_bits, self.activation_bits) {
            crate::diag::raw_op_error(func, &message);
            return Err(PassFailed);
        }
        let body = unsafe { sys::mlirRegionGetFirstBlock(sys::mlirOperationGetRegion(func, 0)) };
        if body.ptr.is_null() {
            return Ok(());
        }
        let context = unsafe { sys::mlirOperationGetContext(func) };
        let ops = crate::ir::block_ops(body);
        let floats = ops.iter().any(|op| {
            (0..unsafe { sys::mlirOperationGetNumResults(*op) }).any(|i| {
                emit::tensor_info(emit::result_of(*op, i)).is_some_and(|(_, e)| e == "f32")
                    && crate::raw::op_name(*op) != "tosa.const"
            })
        });
        if !floats {
            // Already integer (e.g. a TFLite int8 model): nothing to do.
            return Ok(());
        }
        let fail = |op: RawOp, message: String| {
            crate::diag::raw_op_error(op, &message);
            PassFailed
        };
        // Arguments: i8 on the recorded ranges.
        // Malformed (not pairs of f64): as absent, which is diagnosed below.
        let ranges = emit::f64_pairs_attr(func, ARG_RANGES_ATTR).unwrap_or_default();
        let mut state = State {
            quantized: HashMap::new(),
            dead: Vec::new(),
        };
        let n_args = unsafe { sys::mlirBlockGetNumArguments(body) };
        if ranges.len() != n_args as usize {
            return Err(fail(
                func,
                format!("'{ARG_RANGES_ATTR}' must give one range per argument ({n_args}): calibrate first (cimc quantize)"),
            ));
        }
        let mut arg_grids = Vec::new();
        for (i, (lo, hi)) in ranges.iter().enumerate() {
            let arg = unsafe { sys::mlirBlockGetArgument(body, i as isize) };
            let (shape, element) = emit::tensor_info(arg)
                .ok_or_else(|| fail(func, format!("argument {i} is not a ranked tensor")))?;
            if element != "f32" {
                return Err(fail(func, format!("argument {i} is {element}, not f32")));
            }
            let grid = self
                .activations()
                .at(func)
                .and_then(|choice| choice.grid(*lo, *hi))
                .map_err(|m| fail(func, m))?;
            let at = Emitter::before(ops[0]);
            unsafe { sys::mlirValueSetType(arg, at.tensor(&shape, grid.element())) };
            // Callers feed int8: below 8 bits the argument is clamped to its
            // grid's range (unless its only user is a clamp, which does it).
            let only_clamp =
                single_user(arg).is_some_and(|user| crate::raw::op_name(user) == "tosa.clamp");
            let value = if only_clamp {
                arg
            } else {
                restrict(&at, arg, grid).map_err(|m| fail(func, m))?
            };
            state.quantized.insert(key(arg), Quantized::on(value, grid));
            arg_grids.push((grid.scale, grid.zero_point));
        }
        let mut result_grids = Vec::new();
        for op in ops {
            let name = crate::raw::op_name(op);
            let result = match name.as_str() {
                "tosa.const" | "tosa.const_shape" => Ok(()),
                "tosa.conv2d" | "tosa.depthwise_conv2d" | "tosa.matmul" => {
                    self.weighted(&mut state, op, &name)
                }
                "tosa.clamp" => self.clamp(&mut state, op),
                "tosa.reshape" | "tosa.max_pool2d" => self.same_grid(&mut state, op, &name),
                "tosa.avg_pool2d" => self.avg_pool(&mut state, op),
                "tosa.reduce_sum" => self.reduce_sum(&mut state, op),
                "tosa.mul" => self.mul_by_constant(&mut state, op),
                "tosa.add" | "tosa.sub" => {
                    let subtract = name == "tosa.sub";
                    if state.has_input(op, 0) && state.has_input(op, 1) {
                        self.add_activations(&mut state, op, subtract)
                    } else {
                        self.add_constant(&mut state, op, subtract)
                    }
                }
                "tosa.concat" => self.concat(&mut state, op),
                "func.return" => {
                    let n = unsafe { sys::mlirOperationGetNumOperands(op) };
                    let mut values = Vec::new();
                    for i in 0..n {
                        match state.input(op, i) {
                            Ok(q) => {
                                values.push(q.value);
                                result_grids.push((q.scale, q.zero_point));
                            }
                            Err(m) => return Err(fail(op, m)),
                        }
                    }
                    unsafe { sys::mlirOperationSetOperands(op, n, values.as_ptr()) };
                    Ok(())
                }
                other => Err(unsupported(other)),
            };
            result.map_err(|m| fail(op, m))?;
        }
        for op in state.dead.into_iter().rev() {
            if crate::ir::results_unused(op) {
                emit::erase(op);
            }
        }
        for op in crate::ir::block_ops(body) {
            if crate::raw::op_name(op) == "tosa.const" && crate::ir::results_unused(op) {
                emit::erase(op);
            }
        }
        // The function type follows its arguments and results.
        unsafe {
            let inputs: Vec<sys::MlirType> = (0..n_args)
                .map(|i| sys::mlirValueGetType(sys::mlirBlockGetArgument(body, i)))
                .collect();
            let ret = crate::ir::block_ops(body)
                .into_iter()
                .last()
                .expect("a function body ends with its return");
            let results: Vec<sys::MlirType> = (0..sys::mlirOperationGetNumOperands(ret))
                .map(|i| sys::mlirValueGetType(sys::mlirOperationGetOperand(ret, i)))
                .collect();
            let fty = sys::mlirFunctionTypeGet(
                context,
                inputs.len() as isize,
                inputs.as_ptr(),
                results.len() as isize,
                results.as_ptr(),
            );
            sys::mlirOperationSetAttributeByName(
                func,
                crate::raw::string_ref("function_type"),
                sys::mlirTypeAttrGet(fty),
            );
            for used in [
                ARG_RANGES_ATTR,
                ACTIVATION_BITS_ATTR,
                ACTIVATION_SYMMETRIC_ATTR,
            ] {
                emit::remove_attr(func, used);
            }
            sys::mlirOperationSetAttributeByName(
                func,
                crate::raw::string_ref(ARG_GRIDS_ATTR),
                f64_pair_array(context, &arg_grids),
            );
            sys::mlirOperationSetAttributeByName(
                func,
                crate::raw::string_ref(RESULT_GRIDS_ATTR),
                f64_pair_array(context, &result_grids),
            );
        }
        Ok(())
    }
}
