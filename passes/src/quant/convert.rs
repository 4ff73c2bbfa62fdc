//! `cim-quant-convert`: rewrites a calibrated float TOSA function as integer
//! TOSA (int8 activations, int8/int4-range weights, i32 accumulators,
//! `tosa.rescale`).

use crate::emit::{self, Emitter, RawOp, RawValue};
use crate::{OptionInfo, OptionKind, Pass, PassFailed, PassInfo};
use cimc_quant::{Grid, QuantSpec, WeightRange};
use melior::ir::operation::OperationRefMut;
use mlir_sys as sys;
use ndarray::Array2;
use std::collections::HashMap;

pub static INFO: PassInfo = PassInfo {
    argument: "cim-quant-convert",
    summary: "Rewrite a calibrated float TOSA function as integer TOSA",
    description: "\
Reads the activation ranges calibration recorded on the IR — the
function attribute `cim.quant.arg_ranges = [array<f64: lo, hi>, ...]` (one
per argument) and `cim.quant.range = array<f64: lo, hi>` on ops — and
rewrites every float op as integer TOSA:
  * activations: int8, asymmetric per tensor, s = (hi - lo) / 255,
    z = -128 - round(lo / s) (ranges widened to contain 0); arguments and
    results become i8 tensors (feed q = round(x / s) + z);
  * tosa.conv2d, tosa.depthwise_conv2d, tosa.matmul with constant weights:
    weights symmetric in [-(2^(b-1)-1), 2^(b-1)-1] (b = weight-bits, per
    output channel or per tensor; min-max ranges, or with weight-range=mse
    the clipping that minimises the squared rounding error), bias as i32 at
    s_x * s_w,
    an i32 accumulator and a per-channel `tosa.rescale` (SINGLE_ROUND,
    scale32) by s_x * s_w[c] / s_y; a convolution whose only user is a
    clamp takes the clamp's range, so ReLU/ReLU6 fuse into the int8 grid;
  * tosa.clamp: the float bounds on the input's grid, within [-128, 127];
  * tosa.reshape, tosa.max_pool2d: unchanged on the input's grid;
    tosa.avg_pool2d: integer pooling with the input's zero point and grid;
  * tosa.reduce_sum: a rescale to i32 removing the zero point, an i32 sum,
    a rescale by s_x / s_y; tosa.mul by a positive constant scalar: one
    rescale by s_x * c / s_y; tosa.add / tosa.sub of a constant (a matmul's
    bias): x widened to i32 at s_x / 2^16, the constant at that scale, an
    i32 add, a rescale to the output grid.
Every rescale's (multiplier, shift) is checked against the TOSA reference
model's REQUIREs for every input the accumulator can hold. A float op not
listed, a missing range or a weight that is not a constant is an error at
the op.

Example: `cimc quantize net.f32.mlir --calibration x.npy` records the ranges
and runs this pass; alone: `cimc calibrated.mlir
--pass-pipeline='builtin.module(func.func(cim-quant-convert{weight-bits=4}))'`.",
    anchor: Some("func.func"),
    options: &[
        OptionInfo {
            name: "weight-bits",
            kind: OptionKind::Int,
            default: "8",
            help: "weight bit width, 2..=8 (values in [-(2^(b-1)-1), 2^(b-1)-1], stored in i8)",
        },
        OptionInfo {
            name: "per-channel",
            kind: OptionKind::Bool,
            default: "true",
            help: "one weight scale per output channel (else one per tensor)",
        },
        OptionInfo {
            name: "weight-range",
            kind: OptionKind::Enum(&["min-max", "mse"]),
            default: "min-max",
            help: "weight ranges: the extremes, or the clipping that minimises the squared rounding error",
        },
    ],
    create: |options, _| {
        Box::new(Convert {
            weight_bits: options.int("weight-bits"),
            per_channel: options.bool("per-channel"),
            weight_range: if options.str("weight-range") == "mse" {
                WeightRange::Mse(cimc_quant::MseSearch::default())
            } else {
                WeightRange::MinMax
            },
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
];

/// The message for an op outside [`SUPPORTED`].
pub fn unsupported(name: &str) -> String {
    format!(
        "cannot quantize '{name}': cimc's quantization covers conv2d, depthwise_conv2d, matmul, clamp, reshape, max_pool2d, avg_pool2d, reduce_sum, and mul, add and sub with a constant"
    )
}

/// Attribute names the calibration writes.
pub const RANGE_ATTR: &str = "cim.quant.range";
pub const ARG_RANGES_ATTR: &str = "cim.quant.arg_ranges";
/// Written on the converted function: each argument's and result's (scale,
/// zero point), so callers can quantize inputs and dequantize outputs.
pub const ARG_GRIDS_ATTR: &str = "cim.quant.arg_grids";
pub const RESULT_GRIDS_ATTR: &str = "cim.quant.result_grids";

struct Convert {
    weight_bits: i64,
    per_channel: bool,
    weight_range: WeightRange,
}

/// An int8 activation: the value and its grid.
#[derive(Clone, Copy)]
struct Quantized {
    value: RawValue,
    scale: f64,
    zero_point: i32,
}

fn string_ref(text: &str) -> sys::MlirStringRef {
    sys::MlirStringRef {
        data: text.as_ptr().cast(),
        length: text.len(),
    }
}

fn key(value: RawValue) -> usize {
    value.ptr as usize
}

/// The int8 grid of a real range (module documentation of `cimc_quant::grid`).
fn activation_grid(lo: f64, hi: f64) -> Result<(f64, i32), String> {
    let spec = QuantSpec::activations(8).map_err(|e| e.to_string())?;
    let grid = Grid::from_range(&spec, lo as f32, hi as f32).map_err(|e| e.to_string())?;
    Ok((f64::from(grid.scale[0]), grid.zero_point[0]))
}

fn range_attr(op: RawOp) -> Option<(f64, f64)> {
    unsafe {
        let attr = sys::mlirOperationGetAttributeByName(op, string_ref(RANGE_ATTR));
        (!attr.ptr.is_null()
            && sys::mlirAttributeIsADenseF64Array(attr)
            && sys::mlirDenseArrayGetNumElements(attr) == 2)
            .then(|| {
                (
                    sys::mlirDenseF64ArrayGetElement(attr, 0),
                    sys::mlirDenseF64ArrayGetElement(attr, 1),
                )
            })
    }
}

fn shape_of(value: RawValue) -> Result<Vec<i64>, String> {
    emit::tensor_info(value)
        .map(|(shape, _)| shape)
        .ok_or_else(|| "expected a ranked tensor".to_string())
}

fn single_user(value: RawValue) -> Option<RawOp> {
    unsafe {
        let first = sys::mlirValueGetFirstUse(value);
        if sys::mlirOpOperandIsNull(first) {
            return None;
        }
        let next = sys::mlirOpOperandGetNextUse(first);
        sys::mlirOpOperandIsNull(next).then(|| sys::mlirOpOperandGetOwner(first))
    }
}

/// A TOSA 1.0 rescale of `input` (element `from`) to `to` with one
/// (multiplier, shift) per channel (or one), checked against the reference
/// model's REQUIREs over `[lo, hi]`, the inputs it can see.
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
    let mut multipliers = Vec::with_capacity(scales.len());
    let mut shifts = Vec::with_capacity(scales.len());
    for scale in scales {
        let s = cimc_quant::scale32(*scale).map_err(|e| e.to_string())?;
        cimc_quant::check_require(bounds.0, bounds.1, s.multiplier, s.shift, false)
            .map_err(|e| format!("rescale by {scale}: {e}"))?;
        multipliers.push(s.multiplier);
        shifts.push(s.shift);
    }
    let n = scales.len() as i64;
    let multiplier = at.const_i32(&[n], &multipliers);
    let shift = at.const_i8(&[n], &shifts);
    let zp = |element: &str, v: i32| {
        if element == "i32" {
            at.const_i32(&[1], &[v])
        } else {
            at.const_i8(&[1], &[v as i8])
        }
    };
    let in_zp = zp(&from, input_zp);
    let out_zp = zp(to, output_zp);
    Ok(at.value(
        "tosa.rescale",
        &[input, multiplier, shift, in_zp, out_zp],
        at.tensor(&shape, to),
        &[
            ("scale32", at.bool_attr(true)),
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

impl Convert {
    fn weight_spec(&self) -> Result<QuantSpec, String> {
        if !(2..=8).contains(&self.weight_bits) {
            return Err(format!(
                "weight-bits = {} is out of range: cimc quantizes weights to 2..=8 bits",
                self.weight_bits
            ));
        }
        QuantSpec::new(self.weight_bits as u32, true, true, self.per_channel)
            .map_err(|e| e.to_string())
    }
}

/// Output channels × fan-in view of a weight tensor, and the inverse map
/// back to its TOSA layout.
pub(crate) struct WeightLayout {
    pub(crate) matrix: Array2<f32>,
    /// `index[o][k]` = position in the original row-major tensor.
    pub(crate) index: Vec<Vec<usize>>,
}

/// Maps (output channel, fan-in index) to the position in the TOSA tensor.
type Position = Box<dyn Fn(usize, usize) -> usize>;

pub(crate) fn weight_layout(
    kind: &str,
    shape: &[i64],
    data: &[f32],
) -> Result<WeightLayout, String> {
    let dims: Vec<usize> = shape.iter().map(|d| *d as usize).collect();
    let (rows, cols, position): (usize, usize, Position) = match kind {
        // [O, KH, KW, I]
        "tosa.conv2d" => {
            let fan = dims[1] * dims[2] * dims[3];
            (dims[0], fan, Box::new(move |o, k| o * fan + k))
        }
        // [KH, KW, C, M]: channel c·M + m, taps kh·KW + kw.
        "tosa.depthwise_conv2d" => {
            let (kh, kw, c, m) = (dims[0], dims[1], dims[2], dims[3]);
            (
                c * m,
                kh * kw,
                Box::new(move |o, k| (k * c + o / m) * m + o % m),
            )
        }
        // [1, K, N]: column n.
        "tosa.matmul" => {
            let (k, n) = (dims[1], dims[2]);
            (n, k, Box::new(move |o, i| i * n + o))
        }
        _ => return Err(format!("no weight layout for '{kind}'")),
    };
    let mut matrix = Array2::zeros((rows, cols));
    let mut index = vec![vec![0; cols]; rows];
    for o in 0..rows {
        for k in 0..cols {
            let p = position(o, k);
            matrix[[o, k]] = data[p];
            index[o][k] = p;
        }
    }
    Ok(WeightLayout { matrix, index })
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
                format!("operand {index} has no int8 value: its producer was not quantized")
            })
    }

    fn done(&mut self, op: RawOp, q: Quantized) {
        self.quantized.insert(key(emit::result_of(op, 0)), q);
        self.dead.push(op);
    }

    /// `op` is replaced by `value` on the int8 grid `(scale, zero point)`.
    fn done_on(&mut self, op: RawOp, value: RawValue, (scale, zero_point): (f64, i32)) {
        self.done(
            op,
            Quantized {
                value,
                scale,
                zero_point,
            },
        );
    }
}

fn output_grid(op: RawOp) -> Result<(f64, i32), String> {
    // A convolution's only user being a clamp (ReLU, ReLU6): the clamp's
    // range is the convolution's output grid.
    let own = single_user(emit::result_of(op, 0))
        .filter(|user| crate::ir::op_name(*user) == "tosa.clamp")
        .and_then(range_attr)
        .or_else(|| range_attr(op))
        .ok_or_else(|| format!("no '{RANGE_ATTR}' on the op: calibrate first (cimc quantize)"))?;
    activation_grid(own.0, own.1)
}

impl Convert {
    fn weighted(&self, state: &mut State, op: RawOp, name: &str) -> Result<(), String> {
        let x = state.input(op, 0)?;
        let weight = emit::operand(op, 1);
        let w_shape = shape_of(weight)?;
        let w_data = emit::const_floats(weight)
            .ok_or("the weights must be a float tosa.const: crossbars hold constant weights")?;
        let layout = weight_layout(name, &w_shape, &w_data)?;
        let spec = self.weight_spec()?;
        let grid = cimc_quant::weight_grid(layout.matrix.view(), &spec, self.weight_range)
            .map_err(|e| e.to_string())?;
        let (rows, cols) = layout.matrix.dim();
        let mut q = vec![0i32; w_data.len()];
        let mut row_abs = vec![0i64; rows];
        for o in 0..rows {
            let c = if grid.scale.len() == 1 { 0 } else { o };
            for k in 0..cols {
                let v = grid.quantize_value(layout.matrix[[o, k]], c);
                q[layout.index[o][k]] = v;
                row_abs[o] += i64::from(v.abs());
            }
        }
        let w_scale = |o: usize| f64::from(grid.scale[if grid.scale.len() == 1 { 0 } else { o }]);
        let (y_scale, y_zp) = output_grid(op)?;
        let at = Emitter::before(op);
        let w_int = at.const_i8_from(&w_shape, &q);
        let out_shape = shape_of(emit::result_of(op, 0))?;
        let acc_ty = at.tensor(&out_shape, "i32");
        let x_zp = at.const_i8(&[1], &[x.zero_point as i8]);
        let w_zp = at.const_i8(&[1], &[0]);
        let max_x = i64::from(128 + x.zero_point.abs());
        let mut bias_abs = 0i64;
        let acc = if name == "tosa.matmul" {
            at.value("tosa.matmul", &[x.value, w_int, x_zp, w_zp], acc_ty, &[])
        } else {
            let bias = emit::operand(op, 2);
            let b = emit::const_floats(bias).ok_or("the bias must be a float tosa.const")?;
            let b_shape = shape_of(bias)?;
            let b_int: Vec<i32> = (0..b.len())
                .map(|o| {
                    let channel = if b.len() == 1 { 0 } else { o };
                    let v = (f64::from(b[o]) / (x.scale * w_scale(channel))).round();
                    v.clamp(f64::from(i32::MIN / 2), f64::from(i32::MAX / 2)) as i32
                })
                .collect();
            bias_abs = b_int.iter().map(|v| i64::from(v.abs())).max().unwrap_or(0);
            let b_const = at.const_i32(&b_shape, &b_int);
            let owned = attrs_except(op, &["acc_type"]);
            let mut attrs: Vec<(&str, sys::MlirAttribute)> =
                owned.iter().map(|(n, a)| (n.as_str(), *a)).collect();
            attrs.push(("acc_type", at.attr("i32")));
            at.value(name, &[x.value, w_int, b_const, x_zp, w_zp], acc_ty, &attrs)
        };
        let bound = row_abs.iter().max().copied().unwrap_or(0) * max_x + bias_abs;
        let scales: Vec<f64> = (0..rows).map(|o| x.scale * w_scale(o) / y_scale).collect();
        let scales = if self.per_channel {
            scales
        } else {
            vec![scales[0]]
        };
        let y = rescale(&at, acc, "i8", &scales, 0, y_zp, (-bound, bound))?;
        state.done_on(op, y, (y_scale, y_zp));
        Ok(())
    }
}

fn clamp(state: &mut State, op: RawOp) -> Result<(), String> {
    let x = state.input(op, 0)?;
    let bound = |name: &str| -> Result<f64, String> {
        unsafe {
            let attr = sys::mlirOperationGetAttributeByName(op, string_ref(name));
            if attr.ptr.is_null() || !sys::mlirAttributeIsAFloat(attr) {
                return Err(format!("'{name}' is not a float"));
            }
            Ok(sys::mlirFloatAttrGetValueDouble(attr))
        }
    };
    let to_q = |v: f64| -> i64 {
        let q = (v / x.scale).round() + f64::from(x.zero_point);
        q.clamp(-128.0, 127.0) as i64
    };
    let (lo, hi) = (to_q(bound("min_val")?), to_q(bound("max_val")?));
    let at = Emitter::before(op);
    let shape = shape_of(emit::result_of(op, 0))?;
    let y = at.value(
        "tosa.clamp",
        &[x.value],
        at.tensor(&shape, "i8"),
        &[
            ("min_val", at.attr(&format!("{lo} : i8"))),
            ("max_val", at.attr(&format!("{hi} : i8"))),
        ],
    );
    state.done(op, Quantized { value: y, ..x });
    Ok(())
}

/// Ops that keep the input's grid: reshape, max pooling.
fn same_grid(state: &mut State, op: RawOp, name: &str) -> Result<(), String> {
    let x = state.input(op, 0)?;
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
    let y = at.value(name, &operands, at.tensor(&shape, "i8"), &attrs);
    state.done(op, Quantized { value: y, ..x });
    Ok(())
}

fn avg_pool(state: &mut State, op: RawOp) -> Result<(), String> {
    let x = state.input(op, 0)?;
    let at = Emitter::before(op);
    let shape = shape_of(emit::result_of(op, 0))?;
    let zp = at.const_i8(&[1], &[x.zero_point as i8]);
    let owned = attrs_except(op, &["acc_type"]);
    let mut attrs: Vec<(&str, sys::MlirAttribute)> =
        owned.iter().map(|(n, a)| (n.as_str(), *a)).collect();
    attrs.push(("acc_type", at.attr("i32")));
    let y = at.value(
        "tosa.avg_pool2d",
        &[x.value, zp, zp],
        at.tensor(&shape, "i8"),
        &attrs,
    );
    state.done(op, Quantized { value: y, ..x });
    Ok(())
}

fn reduce_sum(state: &mut State, op: RawOp) -> Result<(), String> {
    let x = state.input(op, 0)?;
    let (y_scale, y_zp) = output_grid(op)?;
    let at = Emitter::before(op);
    let wide = rescale(&at, x.value, "i32", &[1.0], x.zero_point, 0, (-128, 127))?;
    let shape = shape_of(emit::result_of(op, 0))?;
    let owned = attrs_except(op, &[]);
    let attrs: Vec<(&str, sys::MlirAttribute)> =
        owned.iter().map(|(n, a)| (n.as_str(), *a)).collect();
    let sum = at.value("tosa.reduce_sum", &[wide], at.tensor(&shape, "i32"), &attrs);
    let in_shape = shape_of(emit::operand(op, 0))?;
    let count: i64 = in_shape.iter().product::<i64>() / shape.iter().product::<i64>().max(1);
    let bound = 255 * count;
    let y = rescale(
        &at,
        sum,
        "i8",
        &[x.scale / y_scale],
        0,
        y_zp,
        (-bound, bound),
    )?;
    state.done_on(op, y, (y_scale, y_zp));
    Ok(())
}

fn mul_by_constant(state: &mut State, op: RawOp) -> Result<(), String> {
    let (x, c) = match (
        state.input(op, 0),
        emit::const_floats(emit::operand(op, 1)),
        state.input(op, 1),
        emit::const_floats(emit::operand(op, 0)),
    ) {
        (Ok(x), Some(c), _, _) | (_, _, Ok(x), Some(c)) => (x, c),
        _ => return Err("only a multiplication by a constant scalar is quantized".into()),
    };
    let c = match c.as_slice() {
        [c] if c.is_finite() && *c > 0.0 => f64::from(*c),
        _ if c.iter().all(|v| *v == c[0]) && c[0] > 0.0 => f64::from(c[0]),
        _ => return Err("only a multiplication by a positive constant scalar is quantized".into()),
    };
    let (y_scale, y_zp) = output_grid(op)?;
    let at = Emitter::before(op);
    let y = rescale(
        &at,
        x.value,
        "i8",
        &[x.scale * c / y_scale],
        x.zero_point,
        y_zp,
        (-128, 127),
    )?;
    let y = if shape_of(y)? != shape_of(emit::result_of(op, 0))? {
        return Err("the multiplication broadcasts its activation: not supported".into());
    } else {
        y
    };
    state.done_on(op, y, (y_scale, y_zp));
    Ok(())
}

/// `x + c` (or `x - c`) with a constant `c`: x widened to i32 at
/// s_acc = s_x / 2^16, c at the same scale, an i32 add, a rescale to the
/// output grid.
fn add_constant(state: &mut State, op: RawOp, subtract: bool) -> Result<(), String> {
    let (x, c_value) = match (state.input(op, 0), emit::const_floats(emit::operand(op, 1))) {
        (Ok(x), Some(_)) => (x, emit::operand(op, 1)),
        _ if !subtract => match (state.input(op, 1), emit::const_floats(emit::operand(op, 0))) {
            (Ok(x), Some(_)) => (x, emit::operand(op, 0)),
            _ => return Err("only an addition of a constant is quantized".into()),
        },
        _ => return Err("only a subtraction of a constant is quantized".into()),
    };
    let c = emit::const_floats(c_value).ok_or("the constant is not f32")?;
    let c_shape = shape_of(c_value)?;
    let (y_scale, y_zp) = output_grid(op)?;
    let acc_scale = x.scale / 65536.0;
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
    let wide = rescale(
        &at,
        x.value,
        "i32",
        &[65536.0],
        x.zero_point,
        0,
        (-128, 127),
    )?;
    let c_const = at.const_i32(&c_shape, &c_q);
    let shape = shape_of(emit::result_of(op, 0))?;
    let sum = at.value("tosa.add", &[wide, c_const], at.tensor(&shape, "i32"), &[]);
    let c_max = c_q.iter().map(|v| i64::from(v.abs())).max().unwrap_or(0);
    let bound = 255 * 65536 + c_max;
    let y = rescale(
        &at,
        sum,
        "i8",
        &[acc_scale / y_scale],
        0,
        y_zp,
        (-bound, bound),
    )?;
    state.done_on(op, y, (y_scale, y_zp));
    Ok(())
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
        if let Err(message) = self.weight_spec() {
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
                    && crate::ir::op_name(*op) != "tosa.const"
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
        let ranges: Vec<(f64, f64)> = unsafe {
            let attr = sys::mlirOperationGetAttributeByName(func, string_ref(ARG_RANGES_ATTR));
            if attr.ptr.is_null() || !sys::mlirAttributeIsAArray(attr) {
                Vec::new()
            } else {
                (0..sys::mlirArrayAttrGetNumElements(attr))
                    .map(|i| {
                        let pair = sys::mlirArrayAttrGetElement(attr, i);
                        (
                            sys::mlirDenseF64ArrayGetElement(pair, 0),
                            sys::mlirDenseF64ArrayGetElement(pair, 1),
                        )
                    })
                    .collect()
            }
        };
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
            let (scale, zero_point) = activation_grid(*lo, *hi).map_err(|m| fail(func, m))?;
            let at = Emitter::before(ops[0]);
            unsafe { sys::mlirValueSetType(arg, at.tensor(&shape, "i8")) };
            state.quantized.insert(
                key(arg),
                Quantized {
                    value: arg,
                    scale,
                    zero_point,
                },
            );
            arg_grids.push((scale, zero_point));
        }
        let mut result_grids = Vec::new();
        for op in ops {
            let name = crate::ir::op_name(op);
            let result = match name.as_str() {
                "tosa.const" | "tosa.const_shape" => Ok(()),
                "tosa.conv2d" | "tosa.depthwise_conv2d" | "tosa.matmul" => {
                    self.weighted(&mut state, op, &name)
                }
                "tosa.clamp" => clamp(&mut state, op),
                "tosa.reshape" | "tosa.max_pool2d" => same_grid(&mut state, op, &name),
                "tosa.avg_pool2d" => avg_pool(&mut state, op),
                "tosa.reduce_sum" => reduce_sum(&mut state, op),
                "tosa.mul" => mul_by_constant(&mut state, op),
                "tosa.add" => add_constant(&mut state, op, false),
                "tosa.sub" => add_constant(&mut state, op, true),
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
            if crate::ir::op_name(op) == "tosa.const" && crate::ir::results_unused(op) {
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
                string_ref("function_type"),
                sys::mlirTypeAttrGet(fty),
            );
            sys::mlirOperationRemoveAttributeByName(func, string_ref(ARG_RANGES_ATTR));
            sys::mlirOperationSetAttributeByName(
                func,
                string_ref(ARG_GRIDS_ATTR),
                f64_pair_array(context, &arg_grids),
            );
            sys::mlirOperationSetAttributeByName(
                func,
                string_ref(RESULT_GRIDS_ATTR),
                f64_pair_array(context, &result_grids),
            );
        }
        Ok(())
    }
}
