//! `cim-quant-fold-batch-norm`: folds the per-channel affine ops that follow
//! a convolution (explicit batch norm as torch-mlir emits it) into the
//! convolution's weights and bias.

use crate::emit::{self, Emitter};
use crate::quant::bias_correction::set_bn_stats;
use crate::raw::{RawOp, RawValue};
use crate::{OptionInfo, Pass, PassFailed, PassInfo};
use cimc_dialects::handle::{AttrRef, OpRef, ValueRef};
use melior::ir::operation::OperationRefMut;

pub static INFO: PassInfo = PassInfo {
    argument: "cim-quant-fold-batch-norm",
    summary: "Fold batch norm (per-channel sub/mul/add after a convolution) into its weights",
    description: "\
torch-mlir lowers BatchNormalization to explicit TOSA after the convolution:
  y = ((conv(x) - mean) * rsqrt(var + eps)) * gamma + beta
Quantizing that as written would quantize every intermediate tensor. This
pass folds the chain into the convolution: while a float tosa.conv2d or
tosa.depthwise_conv2d with constant weights and bias has exactly one user,
and that user is tosa.add, tosa.sub or tosa.mul with a constant per-channel
operand (shape [1, 1, 1, C] or a single value; constants may be computed
from tosa.const by add, sub, mul, rsqrt and reciprocal, which the pass
evaluates), the op is absorbed:
  add c: b += c;  sub c: b -= c;  c - y: W = -W, b = c - b;
  mul c: W[o] *= c[o], b[o] *= c[o].
The folded convolution replaces the chain's last op; the constant subgraph
is removed when nothing else uses it. Exact up to f32 rounding.
When the chain multiplies by rsqrt(var + eps) (batch norm's
normalisation), the ops after it map the normalised value n to
gamma * n + beta; the folded convolution records them as
`cim.quant.bn_beta` / `cim.quant.bn_gamma = array<f64: ...>` (per output
channel): the statistics high-bias absorption (cim-quant-equalize) and
data-free bias correction (cim-quant-bias-correction) assume, that the
pre-activation in channel c is N(beta_c, gamma_c^2).

Example: `cimc dscnn_bn.f32.mlir --pass-pipeline='builtin.module(
func.func(cim-quant-fold-batch-norm))'`.",
    anchor: Some("func.func"),
    options: &[] as &[OptionInfo],
    create: |_, _| Box::new(FoldBatchNorm),
};

struct FoldBatchNorm;

/// A constant's values (row-major) and shape, evaluating the small float
/// subgraphs batch norm parameters come in.
fn evaluate(value: RawValue, depth: usize) -> Option<(Vec<f32>, Vec<i64>)> {
    let (shape, element) = emit::tensor_info(value)?;
    if element != "f32" || depth > 8 {
        return None;
    }
    let op = ValueRef::new(value)?.producer()?.raw();
    let name = crate::raw::op_name(op);
    let unary = |f: fn(f32) -> f32| -> Option<(Vec<f32>, Vec<i64>)> {
        let (v, _) = evaluate(emit::operand(op, 0), depth + 1)?;
        Some((v.into_iter().map(f).collect(), shape.clone()))
    };
    let binary = |f: fn(f32, f32) -> f32| -> Option<(Vec<f32>, Vec<i64>)> {
        let (a, _) = evaluate(emit::operand(op, 0), depth + 1)?;
        let (b, _) = evaluate(emit::operand(op, 1), depth + 1)?;
        let n = shape.iter().product::<i64>() as usize;
        // Same shape, or one side a single value.
        let at = |v: &[f32], i: usize| if v.len() == 1 { v[0] } else { v[i] };
        if (a.len() != n && a.len() != 1) || (b.len() != n && b.len() != 1) {
            return None;
        }
        Some((
            (0..n).map(|i| f(at(&a, i), at(&b, i))).collect(),
            shape.clone(),
        ))
    };
    match name.as_str() {
        "tosa.const" => Some((emit::const_floats(value)?, shape)),
        "tosa.rsqrt" => unary(|x| 1.0 / x.sqrt()),
        "tosa.reciprocal" => unary(|x| 1.0 / x),
        "tosa.add" => binary(|a, b| a + b),
        "tosa.sub" => binary(|a, b| a - b),
        "tosa.mul" => {
            if emit::const_ints(emit::operand(op, 2)).is_some_and(|s| s.iter().any(|v| *v != 0)) {
                return None;
            }
            binary(|a, b| a * b)
        }
        _ => None,
    }
}

fn single_user(value: RawValue) -> Option<(RawOp, isize)> {
    let (user, index) = ValueRef::new(value)?.single_use()?;
    Some((user.raw(), index as isize))
}

/// Per-channel values of a constant of `channels` channels along the last
/// axis (all other dimensions 1), or one value for all.
fn per_channel(values: &[f32], shape: &[i64], channels: usize) -> Option<Vec<f32>> {
    let leading_ones = shape.iter().rev().skip(1).all(|d| *d == 1);
    match values.len() {
        1 => Some(vec![values[0]; channels]),
        n if n == channels && leading_ones => Some(values.to_vec()),
        _ => None,
    }
}

/// A convolution's float weights, bias and the output channel of each
/// weight element.
struct Conv {
    op: RawOp,
    weights: Vec<f32>,
    w_shape: Vec<i64>,
    bias: Vec<f32>,
    channel_of: Vec<usize>,
}

fn conv(op: RawOp) -> Option<Conv> {
    let name = crate::raw::op_name(op);
    if name != "tosa.conv2d" && name != "tosa.depthwise_conv2d" {
        return None;
    }
    let (_, element) = emit::tensor_info(emit::result_of(op, 0))?;
    if element != "f32" {
        return None;
    }
    let weight = emit::operand(op, 1);
    let weights = emit::const_floats(weight)?;
    let (w_shape, _) = emit::tensor_info(weight)?;
    let (out_shape, _) = emit::tensor_info(emit::result_of(op, 0))?;
    let channels = *out_shape.last()? as usize;
    let bias = per_channel(
        &emit::const_floats(emit::operand(op, 2))?,
        &emit::tensor_info(emit::operand(op, 2))?.0,
        channels,
    )?;
    let channel_of = if name == "tosa.conv2d" {
        let fan = weights.len() / channels;
        (0..weights.len()).map(|i| i / fan).collect()
    } else {
        // [KH, KW, C, M]: the last two dimensions are the output channel.
        (0..weights.len()).map(|i| i % channels).collect()
    };
    Some(Conv {
        op,
        weights,
        w_shape,
        bias,
        channel_of,
    })
}

/// How an op after the normalisation changes the statistics: the output
/// is gamma*n + beta with n ~ N(0, 1).
fn track_stats(name: &str, index: isize, k: &[f32], beta: &mut [f32], gamma: &mut [f32]) {
    for ((b, g), k) in beta.iter_mut().zip(gamma.iter_mut()).zip(k) {
        match (name, index) {
            ("tosa.add", _) => *b += k,
            ("tosa.sub", 0) => *b -= k,
            ("tosa.sub", _) => {
                *b = k - *b;
                *g = -*g;
            }
            _ => {
                *b *= k;
                *g *= k;
            }
        }
    }
}

impl Pass for FoldBatchNorm {
    fn run(&self, func: OperationRefMut<'_, '_>) -> Result<(), PassFailed> {
        let func = func.to_raw();
        for op in crate::ir::nested_ops(func) {
            let Some(mut c) = conv(op) else { continue };
            let channels = c.bias.len();
            let mut last = op;
            let mut absorbed = Vec::new();
            // Batch-norm statistics: from the multiplication by rsqrt(var +
            // eps) on, the chain maps a normalised value n to gamma*n + beta.
            let mut stats: Option<(Vec<f32>, Vec<f32>)> = None;
            while let Some((user, index)) = single_user(emit::result_of(last, 0)) {
                let name = crate::raw::op_name(user);
                if !matches!(name.as_str(), "tosa.add" | "tosa.sub" | "tosa.mul") || index > 1 {
                    break;
                }
                let other = emit::operand(user, 1 - index);
                let Some((values, shape)) = evaluate(other, 0) else {
                    break;
                };
                let Some(k) = per_channel(&values, &shape, channels) else {
                    break;
                };
                // The chain's result keeps the convolution's shape.
                if emit::tensor_info(emit::result_of(user, 0)).map(|t| t.0)
                    != emit::tensor_info(emit::result_of(op, 0)).map(|t| t.0)
                {
                    break;
                }
                let normalises = name == "tosa.mul"
                    && ValueRef::new(other)
                        .and_then(ValueRef::producer)
                        .is_some_and(|p| p.is("tosa.rsqrt"));
                if normalises {
                    stats = Some((vec![0.0; channels], vec![1.0; channels]));
                } else if let Some((beta, gamma)) = &mut stats {
                    track_stats(&name, index, &k, beta, gamma);
                }
                match (name.as_str(), index) {
                    ("tosa.add", _) => c.bias.iter_mut().zip(&k).for_each(|(b, k)| *b += k),
                    ("tosa.sub", 0) => c.bias.iter_mut().zip(&k).for_each(|(b, k)| *b -= k),
                    ("tosa.sub", _) => {
                        c.weights.iter_mut().for_each(|w| *w = -*w);
                        c.bias.iter_mut().zip(&k).for_each(|(b, k)| *b = k - *b);
                    }
                    _ => {
                        for (w, ch) in c.weights.iter_mut().zip(&c.channel_of) {
                            *w *= k[*ch];
                        }
                        c.bias.iter_mut().zip(&k).for_each(|(b, k)| *b *= k);
                    }
                }
                absorbed.push(user);
                last = user;
            }
            if absorbed.is_empty() {
                continue;
            }
            let at = Emitter::before(last);
            let w_ty = at.tensor(&c.w_shape, "f32");
            let b_ty = at.tensor(&[channels as i64], "f32");
            let w = AttrRef::dense_f32(w_ty, &c.weights).raw();
            let b = AttrRef::dense_f32(b_ty, &c.bias).raw();
            let w = at.value("tosa.const", &[], w_ty, &[("values", w)]);
            let b = at.value("tosa.const", &[], b_ty, &[("values", b)]);
            // A copy of the convolution with the folded constants, where the
            // chain ends.
            let (Some(conv), Some(last_op), Some(w), Some(b)) = (
                OpRef::new(c.op),
                OpRef::new(last),
                ValueRef::new(w),
                ValueRef::new(b),
            ) else {
                continue;
            };
            let folded = conv.deep_clone();
            folded.set_operand(1, w);
            folded.set_operand(2, b);
            // A weight range chosen before folding does not hold.
            folded.remove_attr(crate::quant::options::WEIGHT_RANGE_ATTR);
            last_op.insert_before(folded);
            let folded = folded.raw();
            if let Some((beta, gamma)) = &stats {
                set_bn_stats(folded, beta, gamma);
            }
            emit::replace_uses(emit::result_of(last, 0), emit::result_of(folded, 0));
            for dead in absorbed.iter().rev().chain(std::iter::once(&c.op)) {
                emit::erase(*dead);
            }
        }
        // Constant subgraphs nothing uses any more (batch norm parameters).
        loop {
            let mut erased = false;
            for op in crate::ir::nested_ops(func).into_iter().rev() {
                let name = crate::raw::op_name(op);
                let pure = matches!(
                    name.as_str(),
                    "tosa.const"
                        | "tosa.add"
                        | "tosa.sub"
                        | "tosa.mul"
                        | "tosa.rsqrt"
                        | "tosa.reciprocal"
                );
                if pure
                    && OpRef::new(op).is_some_and(|o| o.num_results() == 1)
                    && crate::ir::results_unused(op)
                    && (name == "tosa.const" || evaluate(emit::result_of(op, 0), 0).is_some())
                {
                    emit::erase(op);
                    erased = true;
                }
            }
            if !erased {
                break;
            }
        }
        Ok(())
    }
}
