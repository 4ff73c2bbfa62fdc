//! What the weight-rounding passes (`cim-quant-adaround`,
//! `cim-quant-bias-correction`) share: a float layer with constant weights
//! seen as an output-channels × fan-in matrix, its bias, the activation that
//! follows it, its inputs on calibration data as im2col rows, and writing
//! weights that already lie on their integer grid back into the IR.
//!
//! Calibration inputs travel on the IR: the driver (`cimc quantize
//! --adaround` / `--bias-correction`) records the float model's input of
//! each weighted op over the calibration samples as
//! `cim.quant.inputs = dense<...> : tensor<N x (input shape without its
//! batch axis)xf32>` on the op, so each pass also runs alone in
//! `--pass-pipeline` on IR that carries the attribute.
//!
//! A layer whose weights a pass has put on their grid gets
//! `cim.quant.weight_scale = array<f64: s...>` (one per output channel, or
//! one) and `cim.quant.weight_bits`; `cim-quant-convert` then uses exactly
//! these scales instead of setting a range, so the integer weights are the
//! ones the pass chose.

use crate::emit::{self, Emitter};
use crate::ir::{float_attr, single_user};
use crate::quant::grid::{weight_grid, weight_layout};
use crate::raw::{RawAttr, RawOp, RawValue};
use cimc_dialects::handle::{AttrRef, OpRef, ValueRef};
use cimc_quant::{Activation, Grid, WeightRange};
use mlir_sys as sys;
use ndarray::{Array2, ArrayView2};

pub const INPUTS_ATTR: &str = cimc_dialects::quant::INPUTS;
/// The float network's inputs of the layer, when `cim.quant.inputs` holds
/// those of the partly rounded network.
pub const TARGET_INPUTS_ATTR: &str = cimc_dialects::quant::TARGET_INPUTS;
pub(crate) use crate::quant::grid::WeightChoice;
pub use crate::quant::options::{
    PER_CHANNEL_ATTR, WEIGHT_BITS_ATTR, WEIGHT_SCALE_ATTR, WEIGHT_ZERO_POINT_ATTR,
};

/// The ops with constant weights the quantization level rewrites.
pub const WEIGHTED: &[&str] = &["tosa.conv2d", "tosa.depthwise_conv2d", "tosa.matmul"];

/// A layer's inputs as im2col rows, one matrix per channel group.
pub type InputRows = Vec<Array2<f32>>;

/// Where a layer's bias lives.
pub enum BiasSlot {
    /// Operand 2 of a convolution.
    Operand,
    /// The constant operand `operand` of the `tosa.add` that follows a
    /// matmul.
    Add { op: RawOp, operand: isize },
    /// No bias (a matmul not followed by the addition of a constant).
    None,
}

/// A float conv2d / depthwise_conv2d / matmul with constant weights.
pub struct Layer {
    pub op: RawOp,
    pub kind: String,
    pub w_shape: Vec<i64>,
    /// Output channels × fan-in.
    pub weight: Array2<f32>,
    /// `index[o][k]`: position of `weight[o, k]` in the TOSA tensor.
    pub index: Vec<Vec<usize>>,
    /// Per output channel (zeros when there is none).
    pub bias: Vec<f32>,
    pub bias_slot: BiasSlot,
    /// The op after the layer (and its bias) whose output is the layer's
    /// activation, and the activation itself.
    pub activation: Activation,
}

/// The activation a `tosa.clamp` computes on floats.
pub fn clamp_activation(op: RawOp) -> Option<Activation> {
    if crate::raw::op_name(op) != "tosa.clamp" {
        return None;
    }
    let lo = float_attr(op, "min_val")? as f32;
    let hi = float_attr(op, "max_val")? as f32;
    Some(if lo == 0.0 && hi >= 1e30 {
        Activation::Relu
    } else {
        Activation::Clamp { min: lo, max: hi }
    })
}

impl Layer {
    /// The layer `op` is, if it is a float weighted op with constant
    /// weights (and, for a convolution, a constant bias).
    pub fn of(op: RawOp) -> Option<Layer> {
        let kind = crate::raw::op_name(op);
        // A layer kept in float is not quantized: no grid, no rounding.
        if !WEIGHTED.contains(&kind.as_str()) || crate::quant::options::keeps_float(op) {
            return None;
        }
        let (_, element) = emit::tensor_info(emit::result_of(op, 0))?;
        if element != "f32" {
            return None;
        }
        let weight = emit::operand(op, 1);
        let (w_shape, _) = emit::tensor_info(weight)?;
        let data = emit::const_floats(weight)?;
        let layout = weight_layout(&kind, &w_shape, &data).ok()?;
        let rows = layout.matrix.nrows();
        let per_row = |values: Vec<f32>| match values.len() {
            1 => Some(vec![values[0]; rows]),
            n if n == rows => Some(values),
            _ => None,
        };
        let (bias, bias_slot, after) = if kind == "tosa.matmul" {
            let add = single_user(emit::result_of(op, 0))
                .filter(|u| crate::raw::op_name(*u) == "tosa.add");
            let constant = add.and_then(|add| {
                (0..2).find_map(|i| {
                    let other = emit::operand(add, i);
                    let values = emit::const_floats(other)?;
                    (emit::operand(add, 1 - i).ptr == emit::result_of(op, 0).ptr)
                        .then_some((i, values))
                })
            });
            match (add, constant) {
                (Some(add), Some((operand, values))) => {
                    (per_row(values)?, BiasSlot::Add { op: add, operand }, add)
                }
                _ => (vec![0.0; rows], BiasSlot::None, op),
            }
        } else {
            let values = emit::const_floats(emit::operand(op, 2))?;
            (per_row(values)?, BiasSlot::Operand, op)
        };
        let activation = single_user(emit::result_of(after, 0))
            .and_then(clamp_activation)
            .unwrap_or_default();
        Some(Layer {
            op,
            kind,
            w_shape,
            weight: layout.matrix,
            index: layout.index,
            bias,
            bias_slot,
            activation,
        })
    }

    /// Output channels per input channel of a depthwise convolution (each
    /// group of that many rows reads one input channel); 0 otherwise.
    pub fn depthwise_multiplier(&self) -> usize {
        if self.kind == "tosa.depthwise_conv2d" {
            self.w_shape[3] as usize
        } else {
            0
        }
    }

    /// The weight grid the pass options `defaults`, the op's overrides
    /// (`cim.quant.weight_bits`, `cim.quant.per_channel`,
    /// `cim.quant.weight_symmetric`) and `method` give this layer: what
    /// cim-quant-convert would choose.
    pub fn grid(
        &self,
        defaults: WeightChoice,
        method: WeightRange,
    ) -> Result<(Grid, WeightChoice), String> {
        let choice = defaults.at(self.op)?;
        let grid = weight_grid(self.op, self.weight.view(), choice, method)?;
        Ok((grid, choice))
    }

    /// Whether a pass already put the weights on a grid.
    pub fn already_on_grid(&self) -> bool {
        crate::raw::attr(self.op, WEIGHT_SCALE_ATTR).is_some()
    }

    /// Replaces the weight constant by `weight` (output channels × fan-in).
    pub fn replace_weights(&self, weight: ArrayView2<f32>) {
        let at = Emitter::before(self.op);
        let mut data = vec![0f32; self.index.iter().map(Vec::len).sum()];
        for (o, row) in self.index.iter().enumerate() {
            for (k, p) in row.iter().enumerate() {
                data[*p] = weight[[o, k]];
            }
        }
        let w = float_const(&at, &self.w_shape, &data);
        set_operand(self.op, 1, w);
        // A range chosen for the old weights does not hold the new ones.
        emit::remove_attr(self.op, crate::quant::options::WEIGHT_RANGE_ATTR);
    }

    /// Replaces the weight constant by `weight` (output channels × fan-in,
    /// on `grid`) and records the grid.
    pub fn write_weights(&self, weight: ArrayView2<f32>, grid: &Grid, choice: WeightChoice) {
        self.replace_weights(weight);
        let at = Emitter::before(self.op);
        let scales: Vec<f64> = grid.scale.iter().map(|s| f64::from(*s)).collect();
        emit::set_attr(self.op, WEIGHT_SCALE_ATTR, f64_array(&at, &scales));
        // An asymmetric grid's zero point, even 0: its range is [-2^(b-1),
        // 2^(b-1) - 1], a symmetric one's [-(2^(b-1) - 1), 2^(b-1) - 1].
        if !choice.symmetric {
            emit::set_attr(
                self.op,
                WEIGHT_ZERO_POINT_ATTR,
                at.i64_attr(i64::from(grid.zero_point[0])),
            );
        }
        emit::set_attr(self.op, WEIGHT_BITS_ATTR, at.i64_attr(choice.bits));
    }

    /// Adds `delta` (per output channel) to the bias.
    pub fn add_to_bias(&self, delta: &[f32]) -> Result<(), String> {
        let bias: Vec<f32> = self.bias.iter().zip(delta).map(|(b, d)| b + d).collect();
        self.set_bias(&bias)
    }

    /// Replaces the bias (one value per output channel).
    pub fn set_bias(&self, bias: &[f32]) -> Result<(), String> {
        let rows = bias.len() as i64;
        match self.bias_slot {
            BiasSlot::Operand => {
                let at = Emitter::before(self.op);
                let b = float_const(&at, &[rows], bias);
                set_operand(self.op, 2, b);
            }
            BiasSlot::Add { op, operand } => {
                let at = Emitter::before(op);
                let (shape, _) = emit::tensor_info(emit::result_of(op, 0))
                    .ok_or("the bias addition has no ranked result")?;
                let mut dims = vec![1; shape.len()];
                *dims.last_mut().ok_or("rank-0 bias addition")? = rows;
                let b = float_const(&at, &dims, bias);
                set_operand(op, operand as usize, b);
            }
            BiasSlot::None => {
                return Err(
                    "the matmul has no bias to correct (no tosa.add of a constant after it)".into(),
                )
            }
        }
        Ok(())
    }

    /// The layer's inputs recorded by calibration, as im2col rows: one
    /// matrix (rows × fan-in) for conv2d and matmul, one per input channel
    /// (rows × taps) for a depthwise convolution. None without the
    /// attribute.
    pub fn input_rows(&self) -> Result<Option<InputRows>, String> {
        self.rows_of(INPUTS_ATTR)
    }

    /// [`Layer::input_rows`] of the float network
    /// (`cim.quant.target_inputs`), if recorded apart.
    pub fn target_rows(&self) -> Result<Option<InputRows>, String> {
        self.rows_of(TARGET_INPUTS_ATTR)
    }

    fn rows_of(&self, attr: &str) -> Result<Option<InputRows>, String> {
        let Some((shape, data)) = dense_f32_attr(self.op, attr)? else {
            return Ok(None);
        };
        let (in_shape, _) = emit::tensor_info(emit::operand(self.op, 0))
            .ok_or("the input has no ranked tensor type")?;
        if shape.len() != in_shape.len() || shape[1..] != in_shape[1..] || shape[0] == 0 {
            return Err(format!(
                "'{attr}' has shape {shape:?}; the input is {in_shape:?}: it must be [N, {}]",
                in_shape[1..]
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let n = shape[0] as usize;
        if self.kind == "tosa.matmul" {
            // [1, M, K] per sample → N·M rows of K.
            let k = *in_shape.last().expect("rank checked") as usize;
            let rows = data.len() / k;
            let x = Array2::from_shape_vec((rows, k), data).map_err(|e| e.to_string())?;
            return Ok(Some(vec![x]));
        }
        let geometry = Conv::of(self, &in_shape)?;
        Ok(Some(geometry.patches(
            &data,
            n,
            self.depthwise_multiplier() > 0,
        )))
    }

    /// The channel group (index into [`Layer::input_rows`]) row `o` reads.
    pub fn group_of(&self, o: usize) -> usize {
        match self.depthwise_multiplier() {
            0 => 0,
            m => o / m,
        }
    }
}

/// Convolution geometry, NHWC.
struct Conv {
    h: usize,
    w: usize,
    c: usize,
    kh: usize,
    kw: usize,
    pad: [usize; 4],
    stride: [usize; 2],
    dilation: [usize; 2],
    out_h: usize,
    out_w: usize,
}

impl Conv {
    fn of(layer: &Layer, in_shape: &[i64]) -> Result<Conv, String> {
        let attr = |name: &str, len: usize| -> Result<Vec<usize>, String> {
            emit::i64_array_attr(layer.op, name)
                .filter(|v| v.len() == len && v.iter().all(|x| *x >= 0))
                .map(|v| v.into_iter().map(|x| x as usize).collect())
                .ok_or_else(|| format!("missing or bad '{name}'"))
        };
        let pad = attr("pad", 4)?;
        let stride = attr("stride", 2)?;
        let dilation = attr("dilation", 2)?;
        let (kh, kw) = if layer.kind == "tosa.conv2d" {
            (layer.w_shape[1] as usize, layer.w_shape[2] as usize)
        } else {
            (layer.w_shape[0] as usize, layer.w_shape[1] as usize)
        };
        let (out, _) = emit::tensor_info(emit::result_of(layer.op, 0))
            .ok_or("the result has no ranked tensor type")?;
        Ok(Conv {
            h: in_shape[1] as usize,
            w: in_shape[2] as usize,
            c: in_shape[3] as usize,
            kh,
            kw,
            pad: [pad[0], pad[1], pad[2], pad[3]],
            stride: [stride[0], stride[1]],
            dilation: [dilation[0], dilation[1]],
            out_h: out[1] as usize,
            out_w: out[2] as usize,
        })
    }

    /// im2col of `n` NHWC samples (zero padding). Columns follow the
    /// weight layout: conv2d (kh·KW + kw)·C + c; depthwise one matrix per
    /// channel with columns kh·KW + kw.
    fn patches(&self, data: &[f32], n: usize, depthwise: bool) -> Vec<Array2<f32>> {
        let taps = self.kh * self.kw;
        let rows = n * self.out_h * self.out_w;
        let groups = if depthwise { self.c } else { 1 };
        let cols = if depthwise { taps } else { taps * self.c };
        let mut out = vec![Array2::<f32>::zeros((rows, cols)); groups];
        let mut r = 0;
        for s in 0..n {
            for oy in 0..self.out_h {
                for ox in 0..self.out_w {
                    for ky in 0..self.kh {
                        for kx in 0..self.kw {
                            let y = (oy * self.stride[0] + ky * self.dilation[0])
                                .checked_sub(self.pad[0]);
                            let x = (ox * self.stride[1] + kx * self.dilation[1])
                                .checked_sub(self.pad[2]);
                            let (Some(y), Some(x)) = (y, x) else { continue };
                            if y >= self.h || x >= self.w {
                                continue;
                            }
                            let base = ((s * self.h + y) * self.w + x) * self.c;
                            let tap = ky * self.kw + kx;
                            for c in 0..self.c {
                                let v = data[base + c];
                                if depthwise {
                                    out[c][[r, tap]] = v;
                                } else {
                                    out[0][[r, tap * self.c + c]] = v;
                                }
                            }
                        }
                    }
                    r += 1;
                }
            }
        }
        out
    }
}

/// Records a layer's calibration inputs; inputs recorded before (the float
/// network's) become the target inputs.
pub fn record_inputs(op: RawOp, inputs: RawAttr) {
    if let (Some(old), None) = (
        crate::raw::attr(op, INPUTS_ATTR),
        crate::raw::attr(op, TARGET_INPUTS_ATTR),
    ) {
        emit::set_attr(op, TARGET_INPUTS_ATTR, old);
    }
    emit::set_attr(op, INPUTS_ATTR, inputs);
}

/// A shape and its row-major values.
pub type ShapedF32 = (Vec<i64>, Vec<f32>);

/// A dense f32 elements attribute of `op`: its shape and values.
pub fn dense_f32_attr(op: RawOp, name: &str) -> Result<Option<ShapedF32>, String> {
    let Some(attr) = OpRef::new(op).and_then(|o| o.attribute(name)) else {
        return Ok(None);
    };
    attr.as_dense_f32()
        .map(Some)
        .ok_or_else(|| format!("'{name}' must be a dense f32 tensor attribute"))
}

/// A `dense<...> : tensor<shape x f32>` attribute.
pub fn dense_f32(context: sys::MlirContext, shape: &[i64], data: &[f32]) -> RawAttr {
    AttrRef::dense_f32_tensor(context, shape, data).raw()
}

/// Makes operand `index` of `op` `value`.
fn set_operand(op: RawOp, index: usize, value: RawValue) {
    if let (Some(op), Some(value)) = (OpRef::new(op), ValueRef::new(value)) {
        op.set_operand(index, value);
    }
}

fn float_const(at: &Emitter, shape: &[i64], data: &[f32]) -> RawValue {
    let values = dense_f32(at.context(), shape, data);
    let ty = at.tensor(shape, "f32");
    at.value("tosa.const", &[], ty, &[("values", values)])
}

fn f64_array(at: &Emitter, values: &[f64]) -> RawAttr {
    AttrRef::f64_array(at.context(), values).raw()
}

/// Erases the constants nothing uses any more (replaced weights and
/// biases).
pub fn erase_dead_constants(func: RawOp) {
    for op in crate::ir::nested_ops(func) {
        if crate::raw::op_name(op) == "tosa.const" && crate::ir::results_unused(op) {
            emit::erase(op);
        }
    }
}

/// Emits `message` at the layer and fails.
pub fn fail(op: RawOp, message: &str) -> crate::PassFailed {
    crate::diag::raw_op_error(op, message);
    crate::PassFailed
}
