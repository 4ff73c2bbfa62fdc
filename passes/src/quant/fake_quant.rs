//! `cim-quant-fake-quant`: simulates quantization in float TOSA on a
//! calibrated function — weights replaced by their dequantized values,
//! activations rounded onto their int8 grids by float ops — with the grids
//! `cim-quant-convert` would use. The quantization report compares it with
//! the float model layer by layer.

use super::grid::{fused_clamp, quantize_weights, weight_layout, ActChoice, WeightChoice};
use super::options::{
    check_widths, range_attr, ACTIVATION_BITS_HELP, ACTIVATION_SYMMETRIC_HELP, ARG_RANGES_ATTR,
    PER_CHANNEL_HELP, WEIGHT_BITS_HELP, WEIGHT_RANGES, WEIGHT_RANGE_HELP, WEIGHT_SYMMETRIC_HELP,
};
use crate::emit::{self, Emitter};
use crate::ir::float_attr;
pub use crate::quant::name_layers::layer_name;
use crate::quant::name_layers::layer_name_at;
use crate::raw::{RawOp, RawValue};
use crate::{Pass, PassFailed, PassInfo};
use cimc_dialects::handle::{location_name, AttrRef, OpRef, ValueRef};
use cimc_quant::WeightRange;
use melior::ir::operation::OperationRefMut;
use std::collections::HashMap;

pub static INFO: PassInfo = PassInfo {
    argument: "cim-quant-fake-quant",
    summary: "Simulate quantization in float TOSA (fake quantization) on a calibrated function",
    description: "\
Reads the ranges calibration recorded (`cim.quant.arg_ranges` on the
function, `cim.quant.range` on ops) and keeps the function float while
making it compute what the integer model computes, up to rounding inside
accumulators:
  * weights (option `weights`): the constant weight of each tosa.conv2d,
    tosa.depthwise_conv2d and tosa.matmul becomes a new tosa.const holding
    w' = (q - z_w) * s_w[c] with q = clamp(round(w / s_w[c]) + z_w, qmin,
    qmax) (round half away from zero; z_w = 0 and qmin = -(2^(b-1)-1) on a
    symmetric grid), on exactly the grid cim-quant-convert chooses (same
    `weight-bits`, `per-channel`, `weight-symmetric`, `weight-range`, and
    convert's per-op overrides: `cim.quant.weight_bits = N : i64`,
    `cim.quant.per_channel`, `cim.quant.weight_symmetric`, and
    `cim.quant.weight_scale = array<f64: ...>` (with
    `cim.quant.weight_zero_point`) for weights a pass already put on a
    grid, which gives s_w and q directly);
  * activations (option `activations`): after every value convert puts on a
    new b-bit grid (s, z) — each function argument, each op carrying
    `cim.quant.range` (a convolution, matmul, reduce_sum, mul, add, sub or
    concat whose only user is a tosa.clamp takes the clamp's range, as convert
    fuses ReLU; a tosa.clamp keeps its input's grid) and each
    tosa.avg_pool2d (integer pooling rounds onto its input's grid) — five
    float ops compute
      q(x) = clamp(floor(x * (1/s) + 0.5), qmin - z, qmax - z) * s
    which is (clamp(floor(x/s + 0.5) + z, qmin, qmax) - z) * s, the
    integer value dequantized, with 1/s rounded to f32: tosa.mul by the
    constant 1/s, tosa.add of 0.5, tosa.floor, tosa.clamp, tosa.mul by s
    (constants of rank equal to x, all dimensions 1; mul shift 0). The
    grid is convert's: b = `activation-bits` (8: qmin = -128, qmax = 127;
    4..=8 or 16), or an op's `cim.quant.activation_bits` (its fused
    clamp's first), qmin = -2^(b-1), qmax = 2^(b-1) - 1; asymmetric:
    s = (hi - lo) / (2^b - 1), z = qmin - round(lo / s), the range widened
    to contain 0; symmetric (`activation-symmetric`,
    `cim.quant.activation_symmetric`, and always at 16 bits):
    s = max(|lo|, |hi|) / (2^(b-1) - 1), z = 0. Rounding
    half up matches tosa.rescale's SINGLE_ROUND; inputs fed to the integer
    model round half away from zero, which differs only on exact ties.
    tosa.reshape and tosa.max_pool2d keep their input's grid exactly and
    get nothing. The last op of each inserted chain carries
    `cim.quant.fake_quant = \"<layer>\"`.
Layers are named by the name cim-quant-name-layers pinned (`cim.layer`),
else the op's location name (`loc(\"conv1\")`, the first name inside a
fused location), else `<op name>#<index>` with the op's index in the
function's pre-order walk (what reference execution's taps count);
arguments by their location name or `arg#<i>`. `only` (comma-separated
layer names) restricts the rewrite to those layers; `skip` leaves those
layers float; an unknown name is an error. A function without any
recorded range is an error when activations are fake-quantized.

Example: `cimc calibrated.mlir --pass-pipeline='builtin.module(func.func(
cim-quant-fake-quant{weight-bits=4 only=tosa.conv2d#9}))'` quantizes the
weights and the output of that convolution only; `activations=false`
gives the weight-only model, `weights=false` the activation-only one.",
    anchor: Some("func.func"),
    options: FakeQuantOptions::INFO,
    create: |options, _| {
        let options = FakeQuantOptions::from(options);
        Box::new(FakeQuant {
            weights: options.weights,
            activations: options.activations,
            only: split_names(&options.only),
            skip: split_names(&options.skip),
            weight_bits: options.weight_bits,
            per_channel: options.per_channel,
            weight_symmetric: options.weight_symmetric,
            mse: options.weight_range == "mse",
            activation_bits: options.activation_bits,
            activation_symmetric: options.activation_symmetric,
        })
    },
};

crate::pass_options! {
    /// The options of `cim-quant-fake-quant`.
    pub struct FakeQuantOptions {
        weights: bool = (
            "weights",
            "true",
            "fake-quantize the weights of conv2d, depthwise_conv2d and matmul"
        ),
        activations: bool = (
            "activations",
            "true",
            "fake-quantize the arguments and every calibrated activation onto its grid"
        ),
        only: String = (
            "only",
            "",
            "comma-separated layer names: fake-quantize only these (empty: all)"
        ),
        skip: String = ("skip", "", "comma-separated layer names to leave float"),
        weight_bits: i64 = ("weight-bits", "8", WEIGHT_BITS_HELP),
        per_channel: bool = ("per-channel", "true", PER_CHANNEL_HELP),
        weight_symmetric: bool = ("weight-symmetric", "true", WEIGHT_SYMMETRIC_HELP),
        weight_range: String = ("weight-range", "min-max", WEIGHT_RANGE_HELP, one_of WEIGHT_RANGES),
        activation_bits: i64 = ("activation-bits", "8", ACTIVATION_BITS_HELP),
        activation_symmetric: bool = ("activation-symmetric", "false", ACTIVATION_SYMMETRIC_HELP),
    }
}

/// The attribute naming the layer whose activation an inserted chain
/// fake-quantizes (on the chain's last op).
pub const MARKER_ATTR: &str = cimc_dialects::quant::FAKE_QUANT;

fn split_names(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// The pass, also built directly by the quantization report.
#[derive(Debug, Clone)]
pub struct FakeQuant {
    pub weights: bool,
    pub activations: bool,
    /// Layer names; empty: every layer.
    pub only: Vec<String>,
    pub skip: Vec<String>,
    pub weight_bits: i64,
    pub per_channel: bool,
    pub weight_symmetric: bool,
    /// MSE weight ranges instead of min-max.
    pub mse: bool,
    /// The activation width where no op overrides it.
    pub activation_bits: i64,
    pub activation_symmetric: bool,
}

/// What the pass can quantize at one place of the function.
#[derive(Debug, Clone)]
pub struct Layer {
    pub name: String,
    /// The op (`None` for a function argument).
    pub op: Option<RawOp>,
    /// Its index in the function's pre-order walk (reference taps).
    pub index: Option<usize>,
    /// The argument's position, for an argument.
    pub arg: Option<usize>,
    /// The op's name, or `argument`.
    pub kind: String,
    /// A conv2d, depthwise_conv2d or matmul: constant weights to quantize.
    pub weighted: bool,
    /// The grid (scale, zero point) its result is rounded onto.
    pub grid: Option<(f64, i32)>,
    /// That grid's width in bits (values in [-2^(b-1), 2^(b-1) - 1]).
    pub bits: u32,
    /// The bounds of the tosa.clamp whose grid the op's result takes
    /// (ReLU fused into a convolution's output).
    pub fused_clamp: Option<(f64, f64)>,
}

/// The ops of `func` in pre-order (the function itself excluded).
pub fn preorder(func: RawOp) -> Vec<RawOp> {
    OpRef::new(func).map_or_else(Vec::new, |f| {
        f.preorder().into_iter().map(OpRef::raw).collect()
    })
}

/// The op defining a value the emitter just built (always an op result).
fn owner(value: RawValue) -> RawOp {
    ValueRef::new(value)
        .and_then(ValueRef::producer)
        .map(OpRef::raw)
        .expect("a value the emitter built is an op's result")
}

fn arg_name(arg: RawValue, index: usize) -> String {
    ValueRef::new(arg)
        .and_then(|a| location_name(a.location()))
        .unwrap_or_else(|| format!("arg#{index}"))
}

fn key(value: RawValue) -> usize {
    value.ptr as usize
}

/// The recorded argument ranges, if any.
fn arg_ranges(func: RawOp) -> Option<Vec<(f64, f64)>> {
    emit::f64_pairs_attr(func, ARG_RANGES_ATTR)
}

fn is_f32_result(op: RawOp) -> bool {
    OpRef::new(op).is_some_and(|o| o.num_results() == 1)
        && emit::tensor_info(emit::result_of(op, 0)).is_some_and(|(_, e)| e == "f32")
}

/// Every layer of `func` in order: arguments first, then ops in pre-order.
/// Grids follow cim-quant-convert: arguments (on `activation_bits`) and ops
/// that set a new grid take their recorded range (an op whose only user is
/// a clamp takes the clamp's range and width), clamps and pooling keep
/// their input's.
pub fn layers(func: RawOp, defaults: ActChoice) -> Result<Vec<Layer>, String> {
    let Some(body) = OpRef::new(func).and_then(OpRef::body) else {
        return Ok(Vec::new());
    };
    type Grid = ((f64, i32), u32);
    let grid_of = |lo: f64, hi: f64, choice: ActChoice| -> Result<Grid, String> {
        let g = choice.grid(lo, hi)?;
        Ok(((g.scale, g.zero_point), g.bits))
    };
    let activation_bits = defaults.bits;
    let mut grids: HashMap<usize, Grid> = HashMap::new();
    let mut out = Vec::new();
    let ranges = arg_ranges(func).unwrap_or_default();
    for (i, arg) in body.arguments().into_iter().enumerate() {
        let arg = arg.raw();
        let float = emit::tensor_info(arg).is_some_and(|(_, e)| e == "f32");
        let grid = match ranges.get(i) {
            Some((lo, hi)) if float => Some(grid_of(*lo, *hi, defaults.at(func)?)?),
            _ => None,
        };
        if let Some(grid) = grid {
            grids.insert(key(arg), grid);
        }
        if float {
            out.push(Layer {
                name: arg_name(arg, i),
                op: None,
                index: None,
                arg: Some(i),
                kind: "argument".into(),
                weighted: false,
                grid: grid.map(|g| g.0),
                bits: grid.map_or(activation_bits, |g| g.1),
                fused_clamp: None,
            });
        }
    }
    for (index, op) in preorder(func).into_iter().enumerate() {
        let name = crate::raw::op_name(op);
        if !is_f32_result(op) || matches!(name.as_str(), "tosa.const" | "tosa.const_shape") {
            continue;
        }
        let input = OpRef::new(op)
            .and_then(|o| o.operand(0))
            .and_then(|x| grids.get(&key(x.raw())).copied());
        let weighted = matches!(
            name.as_str(),
            "tosa.conv2d" | "tosa.depthwise_conv2d" | "tosa.matmul"
        );
        let (grid, fused_clamp, layer) = match name.as_str() {
            view if crate::quant::grid::KEEPS_VALUES.contains(&view) => (input, None, false),
            // A sum whose chain goes on in i32 (a mean's first sums) is on
            // no grid: cim-quant-convert rounds only at the chain's end.
            "tosa.reduce_sum" if !crate::quant::grid::sum_chain(op).is_empty() => {
                (None, None, false)
            }
            "tosa.clamp" | "tosa.avg_pool2d" | "tosa.resize" => {
                let grid = match (input, range_attr(op)) {
                    (Some(grid), _) => Some(grid),
                    (None, Some((lo, hi))) => Some(grid_of(lo, hi, defaults.at(op)?)?),
                    (None, None) => None,
                };
                (grid, None, true)
            }
            _ => {
                let clamp = fused_clamp(op);
                let range = clamp.and_then(range_attr).or_else(|| range_attr(op));
                let grid = match range {
                    Some((lo, hi)) => Some(grid_of(lo, hi, defaults.output(op)?)?),
                    None => None,
                };
                let bounds = clamp
                    .filter(|_| grid.is_some())
                    .and_then(|c| Some((float_attr(c, "min_val")?, float_attr(c, "max_val")?)));
                (grid, bounds, weighted || grid.is_some())
            }
        };
        if let Some(grid) = grid {
            grids.insert(key(emit::result_of(op, 0)), grid);
        }
        if layer {
            out.push(Layer {
                name: layer_name_at(op, index),
                op: Some(op),
                index: Some(index),
                arg: None,
                kind: name,
                weighted,
                grid: grid.map(|g| g.0),
                bits: grid.map_or(activation_bits, |g| g.1),
                fused_clamp,
            });
        }
    }
    Ok(out)
}

fn f32_const(at: &Emitter, shape: &[i64], data: &[f32]) -> RawValue {
    let ty = at.tensor(shape, "f32");
    let attr = AttrRef::dense_f32(ty, data).raw();
    at.value("tosa.const", &[], ty, &[("values", attr)])
}

/// The five-op chain q(x) (module documentation), built before `at`'s
/// anchor; returns its ops in order and the result.
fn fake_quant_chain(
    at: &Emitter,
    x: RawValue,
    (scale, zero_point): (f64, i32),
    bits: u32,
    layer: &str,
) -> Result<(Vec<RawOp>, RawValue), String> {
    let (shape, element) = emit::tensor_info(x).ok_or("expected a ranked tensor")?;
    if element != "f32" {
        return Err(format!("expected an f32 tensor, got {element}"));
    }
    let half_range = 1i32 << (bits - 1);
    let (qmin, qmax) = (-half_range, half_range - 1);
    let ones = vec![1i64; shape.len()];
    let ty = at.tensor(&shape, "f32");
    let mut ops = Vec::new();
    let mut constant = |v: f32| {
        let c = f32_const(at, &ones, &[v]);
        ops.push(owner(c));
        c
    };
    let inv = constant((1.0 / scale) as f32);
    let half = constant(0.5);
    let s = constant(scale as f32);
    let shift = at.const_i8(&[1], &[0]);
    ops.push(owner(shift));
    let scaled = at.value("tosa.mul", &[x, inv, shift], ty, &[]);
    let shifted = at.value("tosa.add", &[scaled, half], ty, &[]);
    let floored = at.value("tosa.floor", &[shifted], ty, &[]);
    let bound = |v: i32| AttrRef::f32(at.context(), v as f32).raw();
    let clamped = at.value(
        "tosa.clamp",
        &[floored],
        ty,
        &[
            ("min_val", bound(qmin - zero_point)),
            ("max_val", bound(qmax - zero_point)),
        ],
    );
    let y = at.value("tosa.mul", &[clamped, s, shift], ty, &[]);
    emit::set_attr(owner(y), MARKER_ATTR, at.str_attr(layer));
    ops.extend([scaled, shifted, floored, clamped, y].map(owner));
    Ok((ops, y))
}

/// Redirects the uses of `x` to `y`, except inside the chain that computes `y`.
fn reroute(x: RawValue, y: RawValue, chain: &[RawOp]) {
    if let (Some(x), Some(y)) = (ValueRef::new(x), ValueRef::new(y)) {
        let chain: Vec<OpRef> = chain.iter().filter_map(|op| OpRef::new(*op)).collect();
        x.replace_all_uses_except(y, &chain);
    }
}

impl FakeQuant {
    fn check_options(&self) -> Result<(), String> {
        check_widths(self.weight_bits, self.activation_bits)
    }

    /// The activation width and symmetry where no op overrides them.
    pub fn activation_defaults(&self) -> ActChoice {
        ActChoice {
            bits: self.activation_bits as u32,
            symmetric: self.activation_symmetric,
        }
    }

    /// Whether `only` and `skip` leave layer `name` to the pass.
    pub fn enabled(&self, name: &str) -> bool {
        (self.only.is_empty() || self.only.iter().any(|n| n == name))
            && !self.skip.iter().any(|n| n == name)
    }

    /// The dequantized weights (TOSA layout) on the grid cim-quant-convert
    /// gives `op`.
    fn weight_values(
        &self,
        op: RawOp,
        kind: &str,
        shape: &[i64],
        data: &[f32],
    ) -> Result<Vec<f32>, String> {
        let layout = weight_layout(kind, shape, data)?;
        let method = if self.mse {
            WeightRange::Mse(cimc_quant::MseSearch::default())
        } else {
            WeightRange::MinMax
        };
        let defaults = WeightChoice {
            bits: self.weight_bits,
            per_channel: self.per_channel,
            symmetric: self.weight_symmetric,
        };
        let w = quantize_weights(op, &layout, defaults, method)?;
        let mut fq = vec![0f32; data.len()];
        for (o, row) in layout.index.iter().enumerate() {
            for (k, p) in row.iter().enumerate() {
                fq[*p] = w.real(o, k);
            }
        }
        Ok(fq)
    }

    /// Replaces the weight operand of `op` by its fake-quantized constant.
    fn weights_of(&self, op: RawOp, kind: &str) -> Result<(), String> {
        let weight = emit::operand(op, 1);
        let (shape, _) = emit::tensor_info(weight).ok_or("the weights are not a ranked tensor")?;
        let data = emit::const_floats(weight)
            .ok_or("the weights must be a float tosa.const: crossbars hold constant weights")?;
        let fq = self.weight_values(op, kind, &shape, &data)?;
        let at = Emitter::before(op);
        let replacement = f32_const(&at, &shape, &fq);
        let (Some(handle), Some(replacement)) = (OpRef::new(op), ValueRef::new(replacement)) else {
            return Err("the op has no weight operand to replace".into());
        };
        handle.set_operand(1, replacement);
        if let Some(old) = ValueRef::new(weight).and_then(ValueRef::producer) {
            if old.is("tosa.const") && old.results_unused() {
                old.erase();
            }
        }
        Ok(())
    }

    fn run_on(&self, func: RawOp) -> Result<(), (RawOp, String)> {
        let Some(body) = OpRef::new(func).and_then(OpRef::body) else {
            return Ok(());
        };
        if !self.weights && !self.activations {
            return Ok(());
        }
        let layers = layers(func, self.activation_defaults()).map_err(|m| (func, m))?;
        for name in self.only.iter().chain(&self.skip) {
            if !layers.iter().any(|l| &l.name == name) {
                let known: Vec<&str> = layers.iter().map(|l| l.name.as_str()).collect();
                return Err((
                    func,
                    format!(
                        "no layer named '{name}' (the layers: {})",
                        if known.is_empty() {
                            "none".to_string()
                        } else {
                            known.join(", ")
                        }
                    ),
                ));
            }
        }
        if self.activations
            && layers.iter().any(|l| l.kind == "argument" || l.weighted)
            && layers.iter().all(|l| l.grid.is_none())
        {
            return Err((
                func,
                "no activation ranges recorded ('cim.quant.arg_ranges', 'cim.quant.range'): calibrate first (cimc quantize), or fake-quantize weights only (activations=false)".into(),
            ));
        }
        for layer in &layers {
            if !self.enabled(&layer.name) {
                continue;
            }
            if let Some(op) = layer.op {
                if self.weights && layer.weighted {
                    self.weights_of(op, &layer.kind).map_err(|m| (op, m))?;
                }
            }
            let Some(grid) = layer.grid.filter(|_| self.activations) else {
                continue;
            };
            match (layer.op, layer.arg) {
                (Some(op), _) => {
                    if OpRef::new(op).and_then(OpRef::next).is_none() {
                        return Err((op, "the op has no successor to insert after".into()));
                    }
                    let x = emit::result_of(op, 0);
                    // Built before the op, at its location, then moved after it.
                    let at = Emitter::before(op);
                    let (chain, y) = fake_quant_chain(&at, x, grid, layer.bits, &layer.name)
                        .map_err(|m| (op, m))?;
                    let mut previous = op;
                    for c in &chain {
                        if let (Some(c), Some(p)) = (OpRef::new(*c), OpRef::new(previous)) {
                            c.move_after(p);
                        }
                        previous = *c;
                    }
                    reroute(x, y, &chain);
                }
                (None, Some(i)) => {
                    let (Some(first), Some(x)) = (body.first(), body.argument(i)) else {
                        return Err((func, format!("the function has no argument {i}")));
                    };
                    let x = x.raw();
                    let at = Emitter::before(first.raw());
                    let (chain, y) = fake_quant_chain(&at, x, grid, layer.bits, &layer.name)
                        .map_err(|m| (func, m))?;
                    reroute(x, y, &chain);
                }
                (None, None) => {}
            }
        }
        Ok(())
    }
}

impl Pass for FakeQuant {
    fn run(&self, func: OperationRefMut<'_, '_>) -> Result<(), PassFailed> {
        let func = func.to_raw();
        if let Err(message) = self.check_options() {
            crate::diag::raw_op_error(func, &message);
            return Err(PassFailed);
        }
        self.run_on(func).map_err(|(op, message)| {
            crate::diag::raw_op_error(op, &message);
            PassFailed
        })
    }
}
