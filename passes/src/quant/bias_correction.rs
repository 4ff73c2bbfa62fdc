//! `cim-quant-bias-correction`: rounds each layer's weights to nearest on
//! their grid and moves the bias so the layer's mean output is what the
//! float layer's was.

use crate::emit::{self, Emitter};
use crate::quant::layer::{self, Layer, WeightChoice};
use crate::quant::options::{
    weight_range, PER_CHANNEL_HELP, WEIGHT_BITS_HELP, WEIGHT_RANGES, WEIGHT_RANGE_HELP,
    WEIGHT_SYMMETRIC_HELP,
};
use crate::raw::{RawOp, RawValue};
use crate::{Pass, PassFailed, PassInfo};
use cimc_dialects::handle::{AttrRef, ValueRef};
use cimc_quant::{Activation, BnStats, InputChannels, WeightRange};
use melior::ir::operation::OperationRefMut;
use ndarray::{Array1, Axis};

/// Batch-norm statistics cim-quant-fold-batch-norm records on the folded
/// convolution: the mean and the (signed) standard deviation of each output
/// channel, β and γ of the normalised output.
pub const BN_BETA_ATTR: &str = cimc_dialects::quant::BN_BETA;
pub const BN_GAMMA_ATTR: &str = cimc_dialects::quant::BN_GAMMA;
/// The correction added to each output channel's bias.
pub const CORRECTION_ATTR: &str = cimc_dialects::quant::BIAS_CORRECTION;

pub static INFO: PassInfo = PassInfo {
    argument: "cim-quant-bias-correction",
    summary: "Round weights to nearest and correct the bias for the shift it causes",
    description: "\
Nagel et al. 2019 (\"Data-Free Quantization\", section 4.2): rounding errors
eps = W~ - W do not average out per output channel, so the quantized
layer's mean output moves by eps * E[x]. For each float tosa.conv2d,
tosa.depthwise_conv2d and tosa.matmul (with its bias in the tosa.add of a
constant that follows) with constant weights, the pass rounds the weights
to nearest on the grid cim-quant-convert would choose (`weight-bits`,
`per-channel`, `weight-symmetric`, `weight-range`; `cim.quant.weight_bits`,
`cim.quant.per_channel`, `cim.quant.weight_symmetric` on the op override
them) and adds
  delta[o] = sum_k (W - W~)[o, k] * E[x_k]
to the bias, where E[x] comes from
  * empirical: the layer's calibration inputs (`cim.quant.inputs`, which
    `cimc quantize --bias-correction` records): the mean im2col row, so zero
    padding at the borders is accounted for exactly;
  * analytical (data-free): the batch-norm statistics of the convolution
    that produces the input (`cim.quant.bn_beta` / `cim.quant.bn_gamma`,
    recorded by cim-quant-fold-batch-norm): its pre-activation in channel c
    is taken as N(beta_c, gamma_c^2), and through a ReLU or clamp between
    the two layers E[x_c] is the mean of the clipped normal (borders
    ignored).
`mode=auto` uses the data where the op has it, else the statistics. A
layer with neither (the first layer, data-free), a matmul without a bias
addition, and layers whose weights a pass already put on a grid
(`cim.quant.weight_scale`) are left unchanged. A corrected layer's weight
constant holds W~ and the op records `cim.quant.weight_scale` (and
`cim.quant.weight_zero_point` on an asymmetric grid),
`cim.quant.weight_bits` and `cim.quant.bias_correction = array<f64: delta...>`;
cim-quant-convert keeps these integer weights. `mode=empirical` on an op
without calibration inputs is an error.

Example: `cimc quantize dscnn.f32.mlir --calibration x.npy --per-tensor
--bias-correction`; alone, data-free: `cimc dscnn_bn.f32.mlir
--pass-pipeline='builtin.module(func.func(cim-quant-fold-batch-norm,
cim-quant-bias-correction{mode=analytical weight-bits=4}))'`.",
    anchor: Some("func.func"),
    options: BiasCorrectionOptions::INFO,
    create: |options, _| {
        let options = BiasCorrectionOptions::from(options);
        Box::new(BiasCorrection {
            weights: WeightChoice {
                bits: options.weight_bits,
                per_channel: options.per_channel,
                symmetric: options.weight_symmetric,
            },
            weight_range: weight_range(&options.weight_range),
            mode: options.mode,
        })
    },
};

crate::pass_options! {
    /// The options of `cim-quant-bias-correction`.
    pub struct BiasCorrectionOptions {
        weight_bits: i64 = ("weight-bits", "8", WEIGHT_BITS_HELP),
        per_channel: bool = ("per-channel", "true", PER_CHANNEL_HELP),
        weight_symmetric: bool = ("weight-symmetric", "true", WEIGHT_SYMMETRIC_HELP),
        weight_range: String = (
            "weight-range",
            "min-max",
            WEIGHT_RANGE_HELP,
            one_of WEIGHT_RANGES
        ),
        mode: String = (
            "mode",
            "auto",
            "where E[x] comes from: calibration inputs, batch-norm statistics, or whichever the op has",
            one_of ["auto", "empirical", "analytical"]
        ),
    }
}

struct BiasCorrection {
    weights: WeightChoice,
    weight_range: WeightRange,
    mode: String,
}

/// The batch-norm statistics recorded on `op`, if any.
pub fn bn_stats(op: RawOp) -> Option<BnStats> {
    let read = |name| -> Option<Array1<f32>> {
        Some(
            emit::f64_array_attr(op, name)?
                .iter()
                .map(|v| *v as f32)
                .collect(),
        )
    };
    BnStats::new(read(BN_BETA_ATTR)?, read(BN_GAMMA_ATTR)?).ok()
}

/// Records batch-norm statistics on `op`.
pub fn set_bn_stats(op: RawOp, beta: &[f32], gamma: &[f32]) {
    let at = Emitter::before(op);
    for (name, values) in [(BN_BETA_ATTR, beta), (BN_GAMMA_ATTR, gamma)] {
        let v: Vec<f64> = values.iter().map(|x| f64::from(*x)).collect();
        let attr = AttrRef::f64_array(at.context(), &v).raw();
        emit::set_attr(op, name, attr);
    }
}

/// E[x] per input channel of `layer` from the statistics of the
/// convolution that produces its input, through at most one clamp.
fn expected_input(layer: &Layer) -> Result<Option<Array1<f32>>, String> {
    let producer_of = |value: RawValue| ValueRef::new(value).and_then(ValueRef::producer);
    let Some(first) = producer_of(emit::operand(layer.op, 0)) else {
        return Ok(None);
    };
    let mut producer = first.raw();
    let mut activation = Activation::Identity;
    if let Some(clamp) = layer::clamp_activation(producer) {
        activation = clamp;
        let Some(inner) = producer_of(emit::operand(producer, 0)) else {
            return Ok(None);
        };
        producer = inner.raw();
    }
    let Some(stats) = bn_stats(producer) else {
        return Ok(None);
    };
    cimc_quant::expected_activation(&stats, activation)
        .map(Some)
        .map_err(|e| e.to_string())
}

impl BiasCorrection {
    /// Corrects one layer; false when it has nothing to correct from.
    fn layer(&self, layer: &Layer) -> Result<bool, String> {
        if matches!(layer.bias_slot, layer::BiasSlot::None) {
            return Ok(false);
        }
        let inputs = if self.mode == "analytical" {
            None
        } else {
            layer.input_rows()?
        };
        if inputs.is_none() && self.mode == "empirical" {
            return Err(format!(
                "has no calibration inputs ('{}') for empirical bias correction: run `cimc quantize --bias-correction`, which records them",
                layer::INPUTS_ATTR
            ));
        }
        let (grid, choice) = layer.grid(self.weights, self.weight_range)?;
        let rounded = grid.fake_quant(&layer.weight).map_err(|e| e.to_string())?;
        let eps = &layer.weight - &rounded;
        let delta: Vec<f32> = if let Some(groups) = inputs {
            let means: Vec<Array1<f32>> = groups
                .iter()
                .map(|x| {
                    x.mean_axis(Axis(0))
                        .expect("calibration rows are not empty")
                })
                .collect();
            (0..eps.nrows())
                .map(|o| eps.row(o).dot(&means[layer.group_of(o)]))
                .collect()
        } else {
            let Some(expected) = expected_input(layer)? else {
                return Ok(false);
            };
            let channels = match layer.depthwise_multiplier() {
                0 => InputChannels::Interleaved {
                    channels: expected.len(),
                },
                m => InputChannels::Depthwise { multiplier: m },
            };
            cimc_quant::analytical_bias_correction(
                layer.weight.view(),
                rounded.view(),
                channels,
                expected.view(),
            )
            .map_err(|e| e.to_string())?
            .to_vec()
        };
        layer.write_weights(rounded.view(), &grid, choice);
        layer.add_to_bias(&delta)?;
        let at = Emitter::before(layer.op);
        let d: Vec<f64> = delta.iter().map(|x| f64::from(*x)).collect();
        let attr = AttrRef::f64_array(at.context(), &d).raw();
        emit::set_attr(layer.op, CORRECTION_ATTR, attr);
        Ok(true)
    }
}

impl Pass for BiasCorrection {
    fn run(&self, func: OperationRefMut<'_, '_>) -> Result<(), PassFailed> {
        let func = func.to_raw();
        let layers: Vec<Layer> = crate::ir::nested_ops(func)
            .into_iter()
            .filter_map(Layer::of)
            .filter(|l| !l.already_on_grid())
            .collect();
        for l in &layers {
            self.layer(l).map_err(|e| layer::fail(l.op, &e))?;
        }
        layer::erase_dead_constants(func);
        Ok(())
    }
}
