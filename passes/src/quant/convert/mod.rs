//! `cim-quant-convert`: rewrites a calibrated float TOSA function as integer
//! TOSA (int8 activations of 4..=8 bits or int16 ones, symmetric or
//! asymmetric; int8/int4 weights, symmetric or asymmetric; i32 or i48
//! accumulators; `tosa.rescale`).
//!
//! This file is the pass: its options and the walk over the function (its
//! arguments, each op in order, the return, then the function's type and
//! grids). How each op is rewritten is in `rules`, the integer TOSA the
//! rules build (checked rescales, clamps) in `integer`, the activations
//! already on a grid in `value`.

mod binary;
mod float_island;
mod integer;
mod rules;
mod value;

use crate::emit::{self, Emitter};
use crate::ir::single_user;
pub use crate::quant::options::keeps_float;
use crate::quant::options::{
    check_widths, ACTIVATION_BITS_HELP, ACTIVATION_SYMMETRIC_HELP, PER_CHANNEL_HELP, WEIGHT_RANGES,
    WEIGHT_RANGE_HELP, WEIGHT_SYMMETRIC_HELP,
};
use crate::raw::RawOp;
use crate::{Pass, PassFailed, PassInfo};
use binary::Elementwise;
use cimc_dialects::handle::{AttrRef, OpRef, TypeRef, ValueRef};
use cimc_quant::WeightRange;
use integer::restrict;
use melior::ir::operation::OperationRefMut;
use mlir_sys as sys;
use rules::Rules;
use std::collections::HashMap;
use value::{key, Quantized, State};

// The pass's options, attributes and grids live in `options` and `grid`;
// these paths keep working for other crates.
pub use crate::quant::grid::{ActChoice, WeightChoice, KEEPS_GRID};
pub use crate::quant::options::{
    Widths, ACTIVATION_BITS, ACTIVATION_BITS_ATTR, ACTIVATION_SYMMETRIC_ATTR, ARG_GRIDS_ATTR,
    ARG_RANGES_ATTR, PER_CHANNEL_ATTR, RANGE_ATTR, RESULT_GRIDS_ATTR, WEIGHT_BITS,
    WEIGHT_BITS_ATTR, WEIGHT_RANGE_ATTR, WEIGHT_SCALE_ATTR, WEIGHT_SYMMETRIC_ATTR,
    WEIGHT_ZERO_POINT_ATTR,
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
  * tosa.reshape, tosa.transpose, tosa.slice, tosa.tile, tosa.max_pool2d,
    tosa.reduce_max, tosa.reduce_min: unchanged on the input's grid;
    tosa.pad on the input's grid, padding
    with the padding value put on it (the zero point for 0); tosa.cast
    between float activations: the input's integer value (no op);
    tosa.avg_pool2d: integer pooling with the input's zero point and grid;
    tosa.resize on the input's grid: NEAREST_NEIGHBOR as it is, BILINEAR
    as TOSA's i32 weighted sums less W * z (W = scale_y_n * scale_x_n) and
    a rescale by 1 / W; tosa.argmax of an activation: the same op on its
    integer values (i32 indices, returned as they are);
  * tosa.sigmoid, tosa.tanh, tosa.exp, tosa.log, tosa.reciprocal,
    tosa.rsqrt, tosa.erf, and tosa.pow by a constant scalar exponent: a
    `tosa.table` lookup, the function put on the
    output's grid (its calibrated range): at 8 bits 256 i8 entries, entry
    i for input value i - 128; at 16 bits TOSA's interpolated table (513
    i16 entries, entry i for 128 i - 32768; i32 results with 7 fraction
    bits, rescaled by 1/128);
  * tosa.reduce_sum: a rescale to i32 removing the zero point, an i32 sum,
    a rescale by s_x / s_y; further reduce_sums (reshapes between) and a
    final mul by a positive constant scalar c that only it feeds (a mean
    as TFLite's converter spells it) continue in i32, one rescale by
    s_x * c / s_y at the end;
  * tosa.mul by a positive constant scalar: one rescale by s_x * c / s_y;
    tosa.mul of two activations, or by any other constant (PReLU slopes):
    both factors as i32 without their zero points (a constant on the
    symmetric 16-bit grid max |c| / 32767), an i32 product, a rescale by
    s_a * s_b / s_y;
  * tosa.add, tosa.sub, tosa.maximum, tosa.minimum of activations and
    constants (equal shapes or broadcast): the operands as i32 on the
    common scale s = max(s_a, s_b) / 2^k (a constant rounded onto it), k
    the largest of 16..=0 (24 - b..=0 for one b-bit activation and a
    constant) for which every rescale meets the REQUIREs and the result
    fits i32, the i32 op, a rescale by s / s_y onto the output's grid;
    tosa.greater_equal, tosa.greater, tosa.equal the same way, their i1
    result as it is;
  * tosa.select of an i1 condition between activations or constants: both
    put on the output's grid (a rescale, or the constant rounded onto it),
    an integer select (PReLU and leaky ReLU as converters spell them);
  * tosa.concat of activations: each input rescaled onto the output's grid
    (by s_in / s_y; none when the grids and types are the same), a concat;
  * ops with no float operand or result that read no activation (logic on
    comparison flags) stay as they are;
  * an op carrying `cim.quant.keep_float = true` (`cimc quantize
    --float-fallback` for ops without an integer form, `keep_float = true`
    in `--config`) stays in float: its inputs dequantized (tosa.cast to
    f32, sub z, mul s), its one float result quantized onto its calibrated
    grid (mul 1/s, add z + 1/2, floor, clamp, tosa.cast); the mapping
    leaves it to the host.
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
    grid's. Ops that keep their input's grid (clamp, views, pad, cast, pooling)
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
    options: ConvertOptions::INFO,
    create: |options, _| {
        let options = ConvertOptions::from(options);
        Box::new(Convert {
            weight_bits: options.weight_bits,
            per_channel: options.per_channel,
            weight_symmetric: options.weight_symmetric,
            weight_range: crate::quant::options::weight_range(&options.weight_range),
            activation_bits: options.activation_bits,
            activation_symmetric: options.activation_symmetric,
        })
    },
};

crate::pass_options! {
    /// The options of `cim-quant-convert`.
    pub struct ConvertOptions {
        weight_bits: i64 = (
            "weight-bits",
            "8",
            "weight bit width, 2..=8 (symmetric: values in [-(2^(b-1)-1), 2^(b-1)-1]; i4 tensors at <= 4 bits on convolutions of i8 activations with symmetric weights, else i8)"
        ),
        per_channel: bool = ("per-channel", "true", PER_CHANNEL_HELP),
        weight_symmetric: bool = ("weight-symmetric", "true", WEIGHT_SYMMETRIC_HELP),
        weight_range: String = ("weight-range", "min-max", WEIGHT_RANGE_HELP, one_of WEIGHT_RANGES),
        activation_bits: i64 = ("activation-bits", "8", ACTIVATION_BITS_HELP),
        activation_symmetric: bool = ("activation-symmetric", "false", ACTIVATION_SYMMETRIC_HELP),
    }
}

/// The float ops this pass rewrites (besides constants and the return).
pub const SUPPORTED: &[&str] = &[
    "tosa.conv2d",
    "tosa.depthwise_conv2d",
    "tosa.matmul",
    "tosa.clamp",
    "tosa.reshape",
    "tosa.transpose",
    "tosa.slice",
    "tosa.tile",
    "tosa.pad",
    "tosa.cast",
    "tosa.max_pool2d",
    "tosa.avg_pool2d",
    "tosa.resize",
    "tosa.sigmoid",
    "tosa.tanh",
    "tosa.exp",
    "tosa.log",
    "tosa.reciprocal",
    "tosa.rsqrt",
    "tosa.erf",
    "tosa.pow",
    "tosa.reduce_sum",
    "tosa.reduce_max",
    "tosa.reduce_min",
    "tosa.argmax",
    "tosa.mul",
    "tosa.add",
    "tosa.sub",
    "tosa.maximum",
    "tosa.minimum",
    "tosa.greater_equal",
    "tosa.greater",
    "tosa.equal",
    "tosa.select",
    "tosa.concat",
];

/// The message for an op outside [`SUPPORTED`].
pub fn unsupported(name: &str) -> String {
    format!(
        "cannot quantize '{name}': cimc's quantization covers conv2d, depthwise_conv2d, matmul, clamp, reshape, transpose, slice, tile, pad, cast between floats, max_pool2d, avg_pool2d, resize, sigmoid, tanh, exp, log, reciprocal, rsqrt, erf, pow by a constant, reduce_sum, reduce_max, reduce_min, argmax, concat, select, and mul, add, sub, maximum, minimum, greater_equal, greater and equal of activations and constants"
    )
}

/// The exponent of `tosa.pow(x, c)` with a constant scalar (or splat) c.
fn pow_exponent(op: RawOp) -> Option<f64> {
    let c = emit::const_floats(emit::operand(op, 1))?;
    let (first, rest) = c.split_first()?;
    (rest.iter().all(|v| v == first) && first.is_finite()).then_some(f64::from(*first))
}

/// An op with no float operand or result that reads no quantized
/// activation (logic on the flags comparisons give, index arithmetic): it
/// stays as it is.
fn integer_only(op: RawOp, state: &State) -> bool {
    let Some(handle) = OpRef::new(op) else {
        return false;
    };
    let float = |v: ValueRef| {
        emit::tensor_info(v.raw()).is_some_and(|(_, e)| e.starts_with('f') || e.starts_with("bf"))
    };
    let n = handle.num_operands();
    !(0..n).any(|i| state.has_input(op, i as isize))
        && !handle.operands().into_iter().any(float)
        && !handle.results().into_iter().any(float)
}

struct Convert {
    weight_bits: i64,
    per_channel: bool,
    weight_symmetric: bool,
    weight_range: WeightRange,
    activation_bits: i64,
    activation_symmetric: bool,
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
}

fn f64_pair_array(context: sys::MlirContext, pairs: &[(f64, i32)]) -> sys::MlirAttribute {
    let elements: Vec<AttrRef> = pairs
        .iter()
        .map(|(s, z)| AttrRef::f64_array(context, &[*s, f64::from(*z)]))
        .collect();
    AttrRef::array(context, &elements).raw()
}

impl Pass for Convert {
    fn run(&self, func: OperationRefMut<'_, '_>) -> Result<(), PassFailed> {
        let func = func.to_raw();
        if let Err(message) = check_widths(self.weight_bits, self.activation_bits) {
            crate::diag::raw_op_error(func, &message);
            return Err(PassFailed);
        }
        let Some(handle) = OpRef::new(func) else {
            return Err(PassFailed);
        };
        let Some(body) = handle.body() else {
            return Ok(());
        };
        let context = handle.context();
        let ops: Vec<RawOp> = body.ops().into_iter().map(OpRef::raw).collect();
        let float_args = body
            .arguments()
            .into_iter()
            .any(|a| emit::tensor_info(a.raw()).is_some_and(|(_, e)| e == "f32"));
        let floats = float_args
            || body.ops().into_iter().any(|op| {
                !op.is("tosa.const")
                    && op
                        .results()
                        .into_iter()
                        .any(|r| emit::tensor_info(r.raw()).is_some_and(|(_, e)| e == "f32"))
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
            absorbed: Default::default(),
        };
        let args = body.arguments();
        let n_args = args.len();
        if ranges.len() != n_args {
            return Err(fail(
                func,
                format!("'{ARG_RANGES_ATTR}' must give one range per argument ({n_args}): calibrate first (cimc quantize)"),
            ));
        }
        let mut arg_grids = Vec::new();
        for (i, ((lo, hi), handle)) in ranges.iter().zip(&args).enumerate() {
            let arg = handle.raw();
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
            let ty = TypeRef::new(at.tensor(&shape, grid.element()))
                .ok_or_else(|| fail(func, format!("no {} type", grid.element())))?;
            handle.set_type(ty);
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
        let rules = Rules {
            activations: self.activations(),
            weights: self.weights(),
            weight_range: self.weight_range,
        };
        let mut result_grids = Vec::new();
        for op in ops {
            if state.absorbed.contains(&(op.ptr as usize)) {
                continue;
            }
            let name = crate::raw::op_name(op);
            let result = match name.as_str() {
                "tosa.const" | "tosa.const_shape" => Ok(()),
                _ if keeps_float(op) => rules.keep_float(&mut state, op),
                _ if integer_only(op, &state) => Ok(()),
                "tosa.conv2d" | "tosa.depthwise_conv2d" | "tosa.matmul" => {
                    rules.weighted(&mut state, op, &name)
                }
                "tosa.clamp" => rules.clamp(&mut state, op),
                "tosa.reshape" | "tosa.transpose" | "tosa.slice" | "tosa.tile"
                | "tosa.max_pool2d" | "tosa.reduce_max" | "tosa.reduce_min" => {
                    rules.same_grid(&mut state, op, &name)
                }
                "tosa.cast" => rules.float_cast(&mut state, op),
                "tosa.sigmoid" => rules.table(&mut state, op, |x| 1.0 / (1.0 + (-x).exp())),
                "tosa.tanh" => rules.table(&mut state, op, f64::tanh),
                "tosa.exp" => rules.table(&mut state, op, f64::exp),
                "tosa.log" => rules.table(&mut state, op, f64::ln),
                "tosa.reciprocal" => rules.table(&mut state, op, f64::recip),
                "tosa.rsqrt" => rules.table(&mut state, op, |x| 1.0 / x.sqrt()),
                "tosa.erf" => rules.table(&mut state, op, libm::erf),
                "tosa.pad" => rules.pad(&mut state, op),
                "tosa.resize" => rules.resize(&mut state, op),
                "tosa.avg_pool2d" => rules.avg_pool(&mut state, op),
                "tosa.reduce_sum" => rules.reduce_sum(&mut state, op),
                "tosa.pow" => match pow_exponent(op) {
                    Some(e) => rules.table(&mut state, op, |x| x.powf(e)),
                    None => Err("only a power with a constant scalar exponent is quantized".into()),
                },
                "tosa.mul" => rules.mul(&mut state, op),
                "tosa.select" => rules.select(&mut state, op),
                "tosa.argmax" => rules.argmax(&mut state, op),
                kind if Elementwise::of(kind).is_some() => {
                    rules.elementwise(&mut state, op, Elementwise::of(kind).expect("checked"))
                }
                "tosa.concat" => rules.concat(&mut state, op),
                "func.return" => {
                    let n = OpRef::new(op).map_or(0, OpRef::num_operands);
                    let mut values = Vec::new();
                    for i in 0..n {
                        let operand = emit::operand(op, i as isize);
                        let exact = !state.has_input(op, i as isize)
                            && emit::tensor_info(operand)
                                .is_some_and(|(_, e)| e.starts_with('i') || e == "index");
                        if exact {
                            // An index or a flag (tosa.argmax, a comparison):
                            // returned as it is, on the identity grid.
                            if let Some(value) = ValueRef::new(operand) {
                                values.push(value);
                            }
                            result_grids.push((1.0, 0));
                            continue;
                        }
                        match state.input(op, i as isize) {
                            Ok(q) => {
                                let value = ValueRef::new(q.value).ok_or_else(|| {
                                    fail(op, format!("internal error: result {i} has no value"))
                                })?;
                                values.push(value);
                                result_grids.push((q.scale, q.zero_point));
                            }
                            Err(m) => return Err(fail(op, m)),
                        }
                    }
                    if let Some(ret) = OpRef::new(op) {
                        ret.set_operands(&values);
                    }
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
        for op in body.ops() {
            if op.is("tosa.const") && op.results_unused() {
                op.erase();
            }
        }
        // The function type follows its arguments and results.
        let types = |values: Vec<ValueRef>| -> Vec<TypeRef> {
            values
                .into_iter()
                .filter_map(|v| TypeRef::new(v.ty()))
                .collect()
        };
        let inputs = types(body.arguments());
        let results = types(
            body.ops()
                .last()
                .map_or_else(Vec::new, |ret| ret.operands()),
        );
        let fty = TypeRef::function(context, &inputs, &results);
        handle.set_attr("function_type", AttrRef::of_type(fty).raw());
        for used in [
            ARG_RANGES_ATTR,
            ACTIVATION_BITS_ATTR,
            ACTIVATION_SYMMETRIC_ATTR,
        ] {
            handle.remove_attr(used);
        }
        handle.set_attr(ARG_GRIDS_ATTR, f64_pair_array(context, &arg_grids));
        handle.set_attr(RESULT_GRIDS_ATTR, f64_pair_array(context, &result_grids));
        Ok(())
    }
}
