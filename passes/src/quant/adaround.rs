//! `cim-quant-adaround`: learned rounding of each layer's weights
//! (AdaRound), so low-bit weights reconstruct the layer's output rather than
//! the weights themselves.

use crate::emit::{self, Emitter};
use crate::quant::layer::{self, Layer, WeightChoice};
use crate::quant::options::{
    weight_range, PER_CHANNEL_HELP, WEIGHT_BITS_HELP, WEIGHT_RANGES, WEIGHT_RANGE_HELP,
    WEIGHT_SYMMETRIC_HELP,
};
use crate::{Pass, PassFailed, PassInfo};
use cimc_dialects::handle::AttrRef;
use cimc_quant::{AdaRoundOptions, AdaRoundProblem, Grid, WeightRange};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use melior::ir::operation::OperationRefMut;
use ndarray::{s, Array2, Axis};
use rayon::prelude::*;

pub static INFO: PassInfo = PassInfo {
    argument: "cim-quant-adaround",
    summary: "Learn the rounding of low-bit weights from calibration inputs (AdaRound)",
    description: "\
Nagel et al. 2020 (\"Up or Down? Adaptive Rounding for Post-Training
Quantization\"): rounding every weight to nearest minimises the weight error,
not the layer's output error. For each float tosa.conv2d,
tosa.depthwise_conv2d and tosa.matmul with constant weights that carries
its calibration inputs (`cim.quant.inputs = dense<...> : tensor<N x ...>`,
the float model's input of the op on N samples, which `cimc quantize
--adaround` records), the pass sets the weight grid the way
cim-quant-convert would (`weight-bits`, per channel or per tensor,
`weight-symmetric`, `weight-range`; an op's `cim.quant.weight_bits`,
`cim.quant.per_channel`, `cim.quant.weight_symmetric` override the options)
and learns, per weight, floor or ceil:
  h(V) = clip(sigmoid(V) * 1.2 - 0.1, 0, 1)
  W~   = s * (clamp(floor(W / s) + h(V) + z, qmin, qmax) - z)
  loss = |act(X W~^T + b) - act(X W^T + b)|^2 / rows
         + lambda * sum(1 - |2 h(V) - 1|^beta)
with X the layer's im2col input rows (at most `rows` of them, evenly
strided; a depthwise convolution solves one problem per input channel,
any other layer one per block of 16 output channels, which are
independent: the problems run in parallel, and the result is the same
whatever the core count),
act the ReLU / clamp that follows the layer (after a matmul's bias
addition), Adam (lr 1e-2, batch 256), `iterations` steps (default 4000:
on the digits CNN at 4 bits, 4000 steps gave 7.7 misclassified test
samples against 10.0 with 1000, over three calibration seeds) of which the first
20% without the regulariser, then beta annealed from 20 to 2, lambda 0.01,
V initialised at the float weights, hardened at h >= 0.5
(cimc_quant::adaround; the crate's documentation has the details). X is
`cim.quant.inputs`; when the op also carries `cim.quant.target_inputs`
the float target is computed from those (asymmetric reconstruction: `cimc
quantize --adaround` rounds one layer at a time, `layers=1`, re-recording
the inputs of the network rounded so far, and keeps the float network's
first recording as the target). If the learned rounding
reconstructs worse than nearest on all rows, nearest is kept.
The weight constant is replaced by W~ (values on the grid) and the op
records `cim.quant.weight_scale` (the grid's scales; with
`cim.quant.weight_zero_point` on an asymmetric grid), `cim.quant.weight_bits`
and `cim.quant.adaround_loss = array<f64: nearest, learned>` (summed over
the layer's problems); cim-quant-convert then keeps exactly these integer
weights. Layers already on a grid (`cim.quant.weight_scale`) are left
alone; a weighted float op without `cim.quant.inputs` is an error. A
progress bar per layer (problems solved) shows on a terminal.

Example: `cimc quantize cnn.f32.mlir --calibration x.npy --weight-bits 2
--adaround`; alone: `cimc calibrated.mlir --pass-pipeline='builtin.module(
func.func(cim-quant-adaround{weight-bits=2 iterations=500}))'`.",
    anchor: Some("func.func"),
    options: AdaRoundPassOptions::INFO,
    create: |options, _| {
        let options = AdaRoundPassOptions::from(options);
        Box::new(AdaRound {
            weights: WeightChoice {
                bits: options.weight_bits,
                per_channel: options.per_channel,
                symmetric: options.weight_symmetric,
            },
            weight_range: weight_range(&options.weight_range),
            iterations: options.iterations,
            rows: options.rows,
            layers: options.layers,
            seed: options.seed,
        })
    },
};

crate::pass_options! {
    /// The options of `cim-quant-adaround`.
    pub struct AdaRoundPassOptions {
        weight_bits: i64 = ("weight-bits", "4", WEIGHT_BITS_HELP),
        per_channel: bool = ("per-channel", "true", PER_CHANNEL_HELP),
        weight_symmetric: bool = ("weight-symmetric", "true", WEIGHT_SYMMETRIC_HELP),
        weight_range: String = ("weight-range", "min-max", WEIGHT_RANGE_HELP, one_of WEIGHT_RANGES),
        iterations: usize = ("iterations", "4000", "optimisation steps per layer"),
        rows: usize = (
            "rows",
            "4096",
            "at most this many input rows (im2col patches) per problem"
        ),
        layers: usize = (
            "layers",
            "0",
            "round at most this many layers (the first not yet on a grid; 0: all)"
        ),
        seed: u64 = ("seed", "0", "seed of the mini-batch sampler"),
    }
}

struct AdaRound {
    weights: WeightChoice,
    weight_range: WeightRange,
    iterations: usize,
    rows: usize,
    layers: usize,
    seed: u64,
}

/// Output channels per AdaRound problem: a layer's rows are independent,
/// so blocks of this many are solved in parallel.
const CHUNK: usize = 16;

/// One AdaRound problem of a layer, owned, for a worker thread.
struct Job {
    range: std::ops::Range<usize>,
    input: std::sync::Arc<Array2<f32>>,
    target: Option<std::sync::Arc<Array2<f32>>>,
    weight: Array2<f32>,
    bias: ndarray::Array1<f32>,
    grid: Grid,
}

/// At most `limit` rows of `x`, evenly strided.
fn subsample(x: Array2<f32>, limit: usize) -> Array2<f32> {
    let n = x.nrows();
    if limit == 0 || n <= limit {
        return x;
    }
    let picked: Vec<usize> = (0..limit).map(|i| i * n / limit).collect();
    x.select(Axis(0), &picked)
}

/// The rows `range` of a grid (all of it when per tensor).
fn grid_rows(grid: &Grid, range: std::ops::Range<usize>) -> Result<Grid, String> {
    if grid.scale.len() == 1 {
        return Ok(grid.clone());
    }
    Grid::new(
        grid.scale[range.clone()].to_vec(),
        grid.zero_point[range].to_vec(),
        grid.qmin,
        grid.qmax,
    )
    .map_err(|e| e.to_string())
}

impl AdaRound {
    fn layer(&self, layer: &Layer, label: String) -> Result<(), String> {
        let inputs = layer.input_rows()?.ok_or_else(|| {
            format!(
                "has no calibration inputs ('{}'): run `cimc quantize --adaround`, which records them",
                layer::INPUTS_ATTR
            )
        })?;
        let targets = layer.target_rows()?;
        let (grid, choice) = layer.grid(self.weights, self.weight_range)?;
        let rows = layer.weight.nrows();
        // A depthwise convolution is one problem per input channel (its
        // own inputs); any other layer one problem whose output channels
        // are independent (the loss sums over them, Adam is per weight, the
        // mini-batches come from one seed): solved as blocks of CHUNK rows,
        // a fixed size, so the result does not depend on the core count.
        let group_rows = match layer.depthwise_multiplier() {
            0 => rows,
            m => m,
        };
        let mut jobs = Vec::new();
        for (g, x) in inputs.into_iter().enumerate() {
            let x = subsample(x, self.rows);
            let target = targets.as_ref().map(|t| subsample(t[g].clone(), self.rows));
            if target.as_ref().is_some_and(|t| t.dim() != x.dim()) {
                return Err(format!(
                    "'{}' and '{}' differ in shape",
                    layer::INPUTS_ATTR,
                    layer::TARGET_INPUTS_ATTR
                ));
            }
            let x = std::sync::Arc::new(x);
            let target = target.map(std::sync::Arc::new);
            let first = g * group_rows;
            for start in (first..first + group_rows).step_by(CHUNK) {
                let range = start..(start + CHUNK).min(first + group_rows);
                jobs.push(Job {
                    grid: grid_rows(&grid, range.clone())?,
                    weight: layer.weight.slice(s![range.clone(), ..]).to_owned(),
                    bias: ndarray::Array1::from(layer.bias[range.clone()].to_vec()),
                    range,
                    input: x.clone(),
                    target: target.clone(),
                });
            }
        }
        let bar =
            ProgressBar::with_draw_target(Some(jobs.len() as u64), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} problems {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.set_message(label);
        let activation = layer.activation;
        let solved: Vec<Result<cimc_quant::AdaRoundResult, String>> = jobs
            .par_iter()
            .map(|job| {
                let problem = AdaRoundProblem {
                    input: job.input.view(),
                    target_input: job.target.as_ref().map(|t| t.view()),
                    weight: job.weight.view(),
                    bias: Some(job.bias.view()),
                    grid: &job.grid,
                };
                let options = AdaRoundOptions {
                    iterations: self.iterations,
                    activation,
                    seed: self.seed,
                    progress: false,
                    ..AdaRoundOptions::default()
                };
                let result = cimc_quant::adaround(&problem, &options).map_err(|e| e.to_string());
                bar.inc(1);
                result
            })
            .collect();
        bar.finish_and_clear();
        let mut rounded = Array2::<f32>::zeros(layer.weight.raw_dim());
        let (mut nearest, mut learned) = (0.0, 0.0);
        for (job, result) in jobs.iter().zip(solved) {
            let result = result?;
            rounded
                .slice_mut(s![job.range.clone(), ..])
                .assign(&result.weight);
            nearest += result.loss_nearest;
            learned += result.loss;
        }
        layer.write_weights(rounded.view(), &grid, choice);
        let at = Emitter::before(layer.op);
        let losses = [nearest, learned];
        let attr = AttrRef::f64_array(at.context(), &losses).raw();
        emit::set_attr(layer.op, cimc_dialects::quant::ADAROUND_LOSS, attr);
        Ok(())
    }
}

impl Pass for AdaRound {
    fn run(&self, func: OperationRefMut<'_, '_>) -> Result<(), PassFailed> {
        let func = func.to_raw();
        let layers: Vec<Layer> = crate::ir::nested_ops(func)
            .into_iter()
            .filter_map(Layer::of)
            .filter(|l| !l.already_on_grid())
            .collect();
        let count = if self.layers == 0 {
            layers.len()
        } else {
            self.layers.min(layers.len())
        };
        for (i, l) in layers.iter().take(count).enumerate() {
            let label = format!("adaround {}/{} {}", i + 1, layers.len(), l.kind);
            self.layer(l, label).map_err(|e| layer::fail(l.op, &e))?;
        }
        layer::erase_dead_constants(func);
        Ok(())
    }
}
