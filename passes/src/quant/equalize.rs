//! `cim-quant-equalize`: cross-layer equalization of convolution chains
//! joined by ReLU (and max pooling), so per-tensor and low-bit weight grids
//! lose less.

use crate::emit;
use crate::ir::{float_attr, single_user};
use crate::quant::bias_correction::{bn_stats, set_bn_stats};
use crate::raw::RawOp;
use crate::{Pass, PassFailed, PassInfo};
use cimc_quant::{CleLayer, CleOptions, InputChannels};
use melior::ir::operation::OperationRefMut;
use ndarray::Array1;

pub static INFO: PassInfo = PassInfo {
    argument: "cim-quant-equalize",
    summary: "Cross-layer equalization of convolution chains joined by ReLU",
    description: "\
Nagel et al. 2019 (\"Data-Free Quantization\", section 4.1): ReLU is
positively homogeneous, so output channel i of a convolution can be divided
by s_i > 0 if the next convolution's input channel i is multiplied by s_i.
With s_i = sqrt(r1_i / r2_i) (r = the channel's largest |weight| in each
layer) both ranges become sqrt(r1_i * r2_i), which is what per-tensor and
low-bit weight grids need, most of all after batch norm is folded into
depthwise convolutions. A chain is a run of float tosa.conv2d /
tosa.depthwise_conv2d with constant weights and bias where each output has
exactly one user path to the next convolution through at most one ReLU
(tosa.clamp with min 0 and no upper bound) and max pooling (which commutes
with positive per-channel scales); ReLU6 ends a chain (its bound would have
to scale per channel). The chain is swept pair by pair until the scales
converge (cimc_quant::equalize_chain); the function is unchanged up to f32
rounding.

High-bias absorption (ibid., section 4.1; `absorb-high-bias`, on by
default): where batch norm was folded into layer 1
(`cim.quant.bn_beta` / `cim.quant.bn_gamma`, kept in step with the scales),
its pre-activation in channel i is about N(beta_i, gamma_i^2), so
c_i = max(0, beta_i - 3|gamma_i|) almost always passes the ReLU unchanged:
b1 -= c and b2 += W2 c shrink layer 1's activation range at (almost) no
change of the function. Only for a pair joined by exactly one ReLU where
layer 2 does not pad its input (the depthwise -> pointwise pairs of
separable convolutions): padded borders would see 0, not -c.

Run it after cim-quant-fold-batch-norm and before calibration; `cimc
quantize --cle` does.

Example: `cimc dscnn_bn.f32.mlir --pass-pipeline='builtin.module(
func.func(cim-quant-fold-batch-norm,cim-quant-equalize))'`.",
    anchor: Some("func.func"),
    options: EqualizeOptions::INFO,
    create: |options, _| {
        Box::new(Equalize {
            absorb_high_bias: EqualizeOptions::from(options).absorb_high_bias,
        })
    },
};

crate::pass_options! {
    /// The options of `cim-quant-equalize`.
    pub struct EqualizeOptions {
        absorb_high_bias: bool = (
            "absorb-high-bias",
            "true",
            "move the part of a ReLU layer's bias its batch-norm statistics say is always passed into the next layer"
        ),
    }
}

struct Equalize {
    absorb_high_bias: bool,
}

/// A float convolution with constant weights and a per-channel bias, and
/// how CLE sees it.
struct Layer {
    ir: crate::quant::layer::Layer,
    cle: CleLayer,
}

fn layer(op: RawOp) -> Option<Layer> {
    let ir = crate::quant::layer::Layer::of(op).filter(|l| l.kind != "tosa.matmul")?;
    let input = match ir.depthwise_multiplier() {
        0 => InputChannels::Interleaved {
            channels: ir.w_shape[3] as usize,
        },
        multiplier => InputChannels::Depthwise { multiplier },
    };
    let stats = bn_stats(op).filter(|s| s.channels() == ir.weight.nrows());
    let cle = CleLayer::new(
        ir.weight.clone(),
        Array1::from(ir.bias.clone()),
        input,
        stats,
    )
    .ok()?;
    Some(Layer { ir, cle })
}

/// The next convolution of a chain: through one ReLU and max pooling.
fn next(op: RawOp) -> Option<RawOp> {
    let mut at = op;
    let mut relus = 0;
    loop {
        let user = single_user(emit::result_of(at, 0))?;
        match crate::raw::op_name(user).as_str() {
            "tosa.clamp" => {
                let relu = float_attr(user, "min_val") == Some(0.0)
                    && float_attr(user, "max_val").is_some_and(|m| m >= 1e30);
                if !relu || relus > 0 {
                    return None;
                }
                relus += 1;
            }
            "tosa.max_pool2d" => {}
            "tosa.conv2d" | "tosa.depthwise_conv2d" => {
                // It must read the chain as its input, not as weights.
                return (emit::operand(user, 0).ptr == emit::result_of(at, 0).ptr).then_some(user);
            }
            _ => return None,
        }
        at = user;
    }
}

fn write_back(layer: &Layer) {
    layer.ir.replace_weights(layer.cle.weight.view());
    layer
        .ir
        .set_bias(layer.cle.bias.as_slice().expect("contiguous"))
        .expect("a convolution has its bias operand");
    if let Some(stats) = &layer.cle.stats {
        set_bn_stats(
            layer.ir.op,
            stats.beta.as_slice().expect("contiguous"),
            stats.gamma.as_slice().expect("contiguous"),
        );
    }
}

/// Whether `op` (a convolution) pads its input: shifting the input by a
/// constant then changes the border outputs, which high-bias absorption
/// cannot compensate.
fn pads(op: RawOp) -> bool {
    emit::i64_array_attr(op, "pad").is_none_or(|p| p.iter().any(|v| *v != 0))
}

/// Whether the path from `from` to `to` passes one ReLU (and no pooling,
/// across which a subtracted constant would not be exact).
fn relu_only_between(from: RawOp, to: RawOp) -> bool {
    let Some(user) = single_user(emit::result_of(from, 0)) else {
        return false;
    };
    crate::raw::op_name(user) == "tosa.clamp"
        && single_user(emit::result_of(user, 0)).is_some_and(|u| u.ptr == to.ptr)
}

impl Pass for Equalize {
    fn run(&self, func: OperationRefMut<'_, '_>) -> Result<(), PassFailed> {
        let func = func.to_raw();
        let ops = crate::ir::nested_ops(func);
        let mut in_chain = std::collections::HashSet::new();
        for op in ops.iter().copied() {
            if in_chain.contains(&(op.ptr as usize)) || layer(op).is_none() {
                continue;
            }
            let mut chain = vec![op];
            while let Some(n) = next(*chain.last().expect("not empty")) {
                if layer(n).is_none() {
                    break;
                }
                chain.push(n);
            }
            for c in &chain {
                in_chain.insert(c.ptr as usize);
            }
            if chain.len() < 2 {
                continue;
            }
            let mut layers: Vec<Layer> = chain.iter().filter_map(|op| layer(*op)).collect();
            let mut cles: Vec<CleLayer> = layers.iter().map(|l| l.cle.clone()).collect();
            match cimc_quant::equalize_chain(&mut cles, CleOptions::default()) {
                Ok(_) => {
                    if self.absorb_high_bias {
                        for i in 1..cles.len() {
                            let (head, tail) = cles.split_at_mut(i);
                            let (l1, l2) = (&mut head[i - 1], &mut tail[0]);
                            if l1.stats.is_some()
                                && !pads(layers[i].ir.op)
                                && relu_only_between(layers[i - 1].ir.op, layers[i].ir.op)
                            {
                                cimc_quant::absorb_high_bias(l1, l2, 3.0).map_err(|err| {
                                    crate::quant::layer::fail(
                                        layers[i - 1].ir.op,
                                        &format!("cannot absorb high bias: {err}"),
                                    )
                                })?;
                            }
                        }
                    }
                    for (l, c) in layers.iter_mut().zip(cles) {
                        l.cle = c;
                        write_back(l);
                    }
                }
                Err(err) => {
                    crate::diag::raw_op_error(
                        op,
                        &format!(
                            "cannot equalize the chain starting at this '{}': {err}",
                            layers[0].ir.kind
                        ),
                    );
                    return Err(PassFailed);
                }
            }
        }
        // The old weight constants.
        for op in crate::ir::nested_ops(func) {
            if crate::raw::op_name(op) == "tosa.const" && crate::ir::results_unused(op) {
                emit::erase(op);
            }
        }
        Ok(())
    }
}
