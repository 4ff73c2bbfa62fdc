//! `cim-quant-weight-range`: chooses each layer's weight range (min-max or
//! MSE-optimal clipping, per channel or per tensor) and records it on the
//! op, where the passes that put weights on a grid read it.

use crate::emit::{self, Emitter};
use crate::quant::grid::WeightChoice;
use crate::quant::layer::{self, Layer};
use crate::quant::options::{
    weight_range, PER_CHANNEL_HELP, WEIGHT_BITS_HELP, WEIGHT_RANGES, WEIGHT_RANGE_ATTR,
    WEIGHT_RANGE_HELP, WEIGHT_SYMMETRIC_HELP,
};
use crate::{Pass, PassFailed, PassInfo};
use cimc_dialects::handle::AttrRef;
use cimc_quant::WeightRange;
use melior::ir::operation::OperationRefMut;

pub static INFO: PassInfo = PassInfo {
    argument: "cim-quant-weight-range",
    summary: "Choose each layer's weight range (min-max or MSE clipping) and record it",
    description: "\
Weight range setting. For each float tosa.conv2d, tosa.depthwise_conv2d
and tosa.matmul with constant weights, viewed as a matrix of output
channels x fan-in, the pass chooses the real range [lo, hi] the layer's
weight grid covers and records it as `cim.quant.weight_range = array<f64:
lo_0, hi_0, lo_1, hi_1, ...>` (one pair per output channel when the grid
is per channel, one pair when it is per tensor):
  * weight-range=min-max: the row's (or tensor's) min and max;
  * weight-range=mse: the clipping (a * min, a * max), a in (0, 1], that
    minimises the squared rounding error |W - q(W)|^2 on the grid the
    other options give (a search over a = k/100, k = 1..=100, refined by
    20 golden-section steps around the best k; a = 1 is a candidate, so it
    is never worse than min-max on these weights); with weight-noise = s > 0
    (noise-aware: the chip adds an error of s integer steps to every stored
    weight, e.g. its programming noise) the expected squared error on the
    chip, |W - q(W)|^2 + n (step * s)^2, which clips harder.
The grid is the one cim-quant-convert would choose: `weight-bits`,
`per-channel`, `weight-symmetric` (a symmetric grid's range is widened to
[-m, m], m = max(|lo|, |hi|), when the grid is built), overridden per op by
`cim.quant.weight_bits`, `cim.quant.per_channel` and
`cim.quant.weight_symmetric`. cim-quant-convert, cim-quant-fake-quant,
cim-quant-adaround and cim-quant-bias-correction build the layer's grid
from the recorded range instead of choosing one (a range recorded for a
different number of channels than the grid they build is an error).
Layers whose weights a pass already put on a grid (`cim.quant.weight_scale`)
are left alone; running the pass again replaces the ranges; passes that
rescale weights (cim-quant-equalize) drop them.

Example: weights [[1.0, -0.3], [0.5, 0.0]] (two output channels) give
`cim.quant.weight_range = array<f64: -0.3, 1.0, 0.0, 0.5>` per channel and
`array<f64: -0.3, 1.0>` with per-channel=false; `cimc calibrated.mlir
--pass-pipeline='builtin.module(func.func(cim-quant-weight-range{
weight-bits=2 weight-range=mse},cim-quant-convert{weight-bits=2}))'`
converts with MSE-clipped 2-bit weights.",
    anchor: Some("func.func"),
    options: WeightRangeOptions::INFO,
    create: |options, _| {
        let options = WeightRangeOptions::from(options);
        Box::new(WeightRangePass {
            weights: WeightChoice {
                bits: options.weight_bits,
                per_channel: options.per_channel,
                symmetric: options.weight_symmetric,
            },
            method: match weight_range(&options.weight_range) {
                cimc_quant::WeightRange::Mse(search) => {
                    cimc_quant::WeightRange::Mse(cimc_quant::MseSearch {
                        noise_lsb: options.weight_noise,
                        ..search
                    })
                }
                other => other,
            },
            noise: options.weight_noise,
        })
    },
};

crate::pass_options! {
    /// The options of `cim-quant-weight-range`.
    pub struct WeightRangeOptions {
        weight_bits: i64 = ("weight-bits", "8", WEIGHT_BITS_HELP),
        per_channel: bool = ("per-channel", "true", PER_CHANNEL_HELP),
        weight_symmetric: bool = ("weight-symmetric", "true", WEIGHT_SYMMETRIC_HELP),
        weight_range: String = ("weight-range", "min-max", WEIGHT_RANGE_HELP, one_of WEIGHT_RANGES),
        weight_noise: f64 = (
            "weight-noise",
            "0",
            "noise-aware MSE: the error, in integer steps (sigma), the chip adds to every stored weight"
        ),
    }
}

struct WeightRangePass {
    weights: WeightChoice,
    method: WeightRange,
    noise: f64,
}

impl WeightRangePass {
    fn layer(&self, layer: &Layer) -> Result<(), String> {
        let choice = self.weights.at(layer.op)?;
        let (mins, maxs) =
            cimc_quant::weight_ranges(layer.weight.view(), &choice.spec()?, self.method)
                .map_err(|e| e.to_string())?;
        let pairs: Vec<f64> = mins
            .iter()
            .zip(&maxs)
            .flat_map(|(lo, hi)| [f64::from(*lo), f64::from(*hi)])
            .collect();
        let at = Emitter::before(layer.op);
        let attr = AttrRef::f64_array(at.context(), &pairs).raw();
        emit::set_attr(layer.op, WEIGHT_RANGE_ATTR, attr);
        Ok(())
    }
}

impl Pass for WeightRangePass {
    fn run(&self, func: OperationRefMut<'_, '_>) -> Result<(), PassFailed> {
        let func = func.to_raw();
        if let Err(message) = crate::quant::options::check_widths(self.weights.bits, 8) {
            crate::diag::raw_op_error(func, &message);
            return Err(PassFailed);
        }
        if !(self.noise.is_finite() && self.noise >= 0.0) {
            crate::diag::raw_op_error(
                func,
                &format!("weight-noise = {}: must be a finite number ≥ 0", self.noise),
            );
            return Err(PassFailed);
        }
        if self.noise > 0.0 && self.method == WeightRange::MinMax {
            crate::diag::raw_op_error(
                func,
                "weight-noise needs weight-range=mse (min-max has nothing to trade the noise against)",
            );
            return Err(PassFailed);
        }
        for l in crate::ir::nested_ops(func)
            .into_iter()
            .filter_map(Layer::of)
            .filter(|l| !l.already_on_grid())
        {
            self.layer(&l).map_err(|e| layer::fail(l.op, &e))?;
        }
        Ok(())
    }
}
