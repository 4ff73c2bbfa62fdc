//! AdaRound: learning, per weight, whether to round up or down so that the
//! layer's output (not the weight) is reconstructed best (Nagel et al. 2020,
//! "Up or Down? Adaptive Rounding for Post-Training Quantization").
//!
//! Why: rounding each weight to nearest minimises ‖W − W_q‖ but not the
//! output error ‖X·W_qᵀ − X·Wᵀ‖, which is what the network sees; at 2–4 bits
//! the difference is large. AdaRound optimises the rounding of one layer at a
//! time on calibration inputs.
//!
//! **Problem.** Inputs X (N × K, the layer's inputs on calibration data as
//! the *quantized* network produces them; for a convolution the rows are
//! im2col patches, which the caller subsamples), float weights W (O × K,
//! rows = output channels), bias b, a weight grid (scale s and zero point z
//! per tensor or per row, integer range [qmin, qmax]). A soft rounding
//! variable V (O × K) gives
//!
//! ```text
//! h(V)  = clip(sigmoid(V)·(ζ − γ) + γ, 0, 1),   ζ = 1.1, γ = −0.1   (rectified sigmoid)
//! W̃     = s · (clamp(floor(W/s) + h(V) + z, qmin, qmax) − z)
//! loss  = ‖act(X W̃ᵀ + b) − act(X_t Wᵀ + b)‖²_F / N  +  λ · Σ (1 − |2h(V) − 1|^β)
//! ```
//!
//! `act` is optional (identity by default; the paper reconstructs after the
//! activation: pass ReLU/clamp). X_t are the float network's inputs to the
//! layer (default: X itself). The reconstruction term is the mean over the
//! rows of the squared output-vector error. The regulariser is off during a
//! warm-up (default the first 20% of the iterations); after it β anneals from
//! 20 to 2 — linearly by default, or along a half cosine — pushing every h
//! to 0 or 1. V starts where h(V) equals the fractional part W/s − floor(W/s),
//! i.e. at the float weights. Optimiser: Adam (lr 1e-2, β₁ 0.9, β₂ 0.999),
//! mini-batches drawn without replacement from a seeded shuffle (PCG64). At
//! the end the rounding is hardened: up where h ≥ 0.5.
//!
//! The gradient is analytic: with R = act(Y) − T on a batch of B rows,
//! ∂/∂W̃ = (2/B)·(R ⊙ act'(Y))ᵀ·X_b, times s where the clamp is inactive,
//! plus the regulariser's −2λβ·|2h−1|^(β−1)·sign(2h−1), all times
//! h'(V) = (ζ−γ)·σ(V)(1−σ(V)) where the rectifier is inactive. The two
//! matrix products use ndarray's `dot` (matrixmultiply's SGEMM).
//!
//! **Defaults**: 1000 iterations, batch 256, λ = 0.01. Measured with
//! `examples/adaround_bench.rs` at opt-level 2 on one core of the 2-core
//! development machine while another build shared it: a 64 × 576 layer
//! (3×3×64 → 64 convolution) with 2000 input rows takes 1.7–2.0 s, a
//! 600 × 64 layer 1.8–2.4 s (about 2 ms per iteration: two SGEMMs of the
//! batch, one pass over V with an exp and, after the warm-up, a powf per
//! weight); the loss drops to a third to a half of round-to-nearest's.
//!
//! The result is checked on all N rows against round-to-nearest; should
//! AdaRound ever reconstruct worse (it optimises on mini-batches), the
//! nearest rounding is returned and the result says so.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use ndarray::{s, Array1, Array2, ArrayView1, ArrayView2, Axis};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_pcg::Pcg64Mcg;

use crate::activation::Activation;
use crate::error::{check_finite, check_len, QuantError, Result};
use crate::grid::Grid;

/// ζ of the rectified sigmoid.
pub const ZETA: f32 = 1.1;
/// γ of the rectified sigmoid.
pub const GAMMA: f32 = -0.1;

/// How β of the rounding regulariser anneals after the warm-up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum BetaSchedule {
    /// β = β_start + (β_end − β_start)·p, p ∈ [0, 1] the annealing progress.
    #[default]
    Linear,
    /// β = β_end + (β_start − β_end)·(1 + cos(πp))/2.
    Cosine,
}

/// AdaRound's knobs (see the module documentation for the defaults' origin).
#[derive(Clone, Debug, PartialEq)]
pub struct AdaRoundOptions {
    /// Optimisation steps.
    pub iterations: usize,
    /// Rows per mini-batch (capped at N).
    pub batch_size: usize,
    /// Adam learning rate.
    pub learning_rate: f32,
    /// Weight λ of the rounding regulariser.
    pub lambda: f32,
    /// β at the end of the warm-up.
    pub beta_start: f32,
    /// β at the last iteration.
    pub beta_end: f32,
    /// Fraction of the iterations without the regulariser, in [0, 1).
    pub warmup: f32,
    /// β annealing curve.
    pub schedule: BetaSchedule,
    /// Activation applied to the layer's output before the loss.
    pub activation: Activation,
    /// Seed of the mini-batch sampler.
    pub seed: u64,
    /// Show a progress bar on stderr (indicatif hides it when stderr is not
    /// a terminal).
    pub progress: bool,
    /// Label of the progress bar (e.g. the layer's name).
    pub label: String,
}

impl Default for AdaRoundOptions {
    fn default() -> Self {
        AdaRoundOptions {
            iterations: 1000,
            batch_size: 256,
            learning_rate: 1e-2,
            lambda: 0.01,
            beta_start: 20.0,
            beta_end: 2.0,
            warmup: 0.2,
            schedule: BetaSchedule::Linear,
            activation: Activation::Identity,
            seed: 0,
            progress: true,
            label: String::from("adaround"),
        }
    }
}

impl AdaRoundOptions {
    fn validate(&self) -> Result<()> {
        let bad = |what: &str, v: String, why: &str| Err(QuantError::invalid(what, v, why));
        if self.iterations == 0 {
            return bad("adaround iterations", "0".into(), "must be >= 1");
        }
        if self.batch_size == 0 {
            return bad("adaround batch_size", "0".into(), "must be >= 1");
        }
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return bad(
                "adaround learning_rate",
                self.learning_rate.to_string(),
                "must be finite and > 0",
            );
        }
        if !(self.lambda.is_finite() && self.lambda >= 0.0) {
            return bad(
                "adaround lambda",
                self.lambda.to_string(),
                "must be finite and >= 0",
            );
        }
        if !(self.beta_end.is_finite()
            && self.beta_start.is_finite()
            && self.beta_end >= 1.0
            && self.beta_start >= self.beta_end)
        {
            return bad(
                "adaround beta",
                format!("{} -> {}", self.beta_start, self.beta_end),
                "need beta_start >= beta_end >= 1",
            );
        }
        if !(0.0..1.0).contains(&self.warmup) {
            return bad(
                "adaround warmup",
                self.warmup.to_string(),
                "must lie in [0, 1)",
            );
        }
        self.activation.validate()
    }

    /// β at iteration `t`, or None during the warm-up.
    fn beta_at(&self, t: usize) -> Option<f32> {
        let warm = (self.warmup as f64 * self.iterations as f64) as usize;
        if t < warm {
            return None;
        }
        let span = (self.iterations - warm).max(1) as f32;
        let p = ((t - warm) as f32 / (span - 1.0).max(1.0)).min(1.0);
        Some(match self.schedule {
            BetaSchedule::Linear => self.beta_start + (self.beta_end - self.beta_start) * p,
            BetaSchedule::Cosine => {
                self.beta_end
                    + (self.beta_start - self.beta_end)
                        * 0.5
                        * (1.0 + (std::f32::consts::PI * p).cos())
            }
        })
    }
}

/// One layer's AdaRound problem (module documentation).
#[derive(Clone, Debug)]
pub struct AdaRoundProblem<'a> {
    /// X: N × K inputs of the quantized layer.
    pub input: ArrayView2<'a, f32>,
    /// X_t: N × K inputs of the float layer (None: the same as `input`).
    pub target_input: Option<ArrayView2<'a, f32>>,
    /// W: O × K float weights (rows = output channels).
    pub weight: ArrayView2<'a, f32>,
    /// b: O (None: zero).
    pub bias: Option<ArrayView1<'a, f32>>,
    /// The weight grid: per tensor or one channel per row.
    pub grid: &'a Grid,
}

/// What AdaRound produced.
#[derive(Clone, Debug, PartialEq)]
pub struct AdaRoundResult {
    /// The integer weights (O × K), in [qmin, qmax].
    pub weight_int: Array2<i32>,
    /// The same, dequantized.
    pub weight: Array2<f32>,
    /// Reconstruction loss (‖·‖²_F / N on all rows) with round-to-nearest.
    pub loss_nearest: f64,
    /// Reconstruction loss with the returned weights.
    pub loss: f64,
    /// Fraction of weights rounded differently from round-to-nearest.
    pub flipped_fraction: f64,
    /// AdaRound reconstructed worse than nearest, so nearest was returned.
    pub fell_back_to_nearest: bool,
    /// Iterations run.
    pub iterations: usize,
}

#[inline]
fn sigmoid(v: f32) -> f32 {
    1.0 / (1.0 + (-v).exp())
}

/// Runs AdaRound on one layer.
pub fn adaround(p: &AdaRoundProblem, opts: &AdaRoundOptions) -> Result<AdaRoundResult> {
    opts.validate()?;
    let (o, k) = p.weight.dim();
    if o == 0 || k == 0 {
        return Err(QuantError::empty("weights"));
    }
    let n = p.input.nrows();
    if n == 0 {
        return Err(QuantError::TooFewSamples {
            what: "adaround input rows".into(),
            need: 1,
            got: 0,
        });
    }
    if p.input.ncols() != k {
        return Err(QuantError::mismatch(
            "adaround input",
            format!("{k} columns (the weights' fan-in)"),
            format!("{} columns", p.input.ncols()),
        ));
    }
    if let Some(t) = &p.target_input {
        if t.dim() != p.input.dim() {
            return Err(QuantError::mismatch(
                "adaround target input",
                format!("{:?} (like the input)", p.input.dim()),
                format!("{:?}", t.dim()),
            ));
        }
        check_finite("adaround target input", t)?;
    }
    p.grid.validate()?;
    if p.grid.channels() != 1 && p.grid.channels() != o {
        return Err(QuantError::mismatch(
            "adaround weight grid",
            format!("1 or {o} channels"),
            format!("{} channels", p.grid.channels()),
        ));
    }
    check_finite("weights", &p.weight)?;
    check_finite("adaround input", &p.input)?;
    let bias = match p.bias {
        Some(b) => {
            check_len("bias", o, b.len())?;
            check_finite("bias", &b)?;
            b.to_owned()
        }
        None => Array1::zeros(o),
    };
    let act = opts.activation;
    let grid = p.grid;

    // Per element: floor(W/s), the scale, and the clamp bounds of
    // floor + h in units of steps relative to the zero point.
    let mut floor = vec![0.0f32; o * k];
    let mut scale = vec![0.0f32; o * k];
    let mut lo = vec![0.0f32; o];
    let mut hi = vec![0.0f32; o];
    let mut v = vec![0.0f32; o * k];
    for r in 0..o {
        let (s, z) = grid.params(r);
        lo[r] = (grid.qmin - z) as f32;
        hi[r] = (grid.qmax - z) as f32;
        for c in 0..k {
            let x = p.weight[[r, c]] / s;
            let f = x.floor();
            let frac = (x - f).clamp(0.0, 1.0);
            floor[r * k + c] = f;
            scale[r * k + c] = s;
            // h(V) = frac  ⇔  sigmoid(V) = (frac − γ)/(ζ − γ) ∈ [1/12, 11/12].
            let q = (frac - GAMMA) / (ZETA - GAMMA);
            v[r * k + c] = (q / (1.0 - q)).ln();
        }
    }

    // Targets on all rows, once.
    let target_x = p.target_input.unwrap_or(p.input);
    let target = output(target_x, p.weight, &bias, act);

    let nearest = hard_weights(&floor, &scale, &lo, &hi, o, k, |c| {
        let r = c / k;
        let (s, _) = grid.params(r);
        let x = p.weight[[r, c % k]] / s;
        x.round() - floor[c]
    });
    let loss_nearest = recon_loss(p.input, &nearest.1, &bias, act, &target);

    // Optimisation.
    let b = opts.batch_size.min(n);
    let mut order: Vec<usize> = (0..n).collect();
    let mut rng = Pcg64Mcg::seed_from_u64(opts.seed);
    order.shuffle(&mut rng);
    let mut cursor = 0usize;
    let mut xb = Array2::<f32>::zeros((b, k));
    let mut tb = Array2::<f32>::zeros((b, o));
    let mut sig = vec![0.0f32; o * k];
    let mut w_soft = Array2::<f32>::zeros((o, k));
    let mut adam_m = vec![0.0f32; o * k];
    let mut adam_v = vec![0.0f32; o * k];
    let (beta1, beta2, adam_eps) = (0.9f32, 0.999f32, 1e-8f32);
    let lr = opts.learning_rate;

    let bar = if opts.progress {
        ProgressBar::with_draw_target(Some(opts.iterations as u64), ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{msg:>12} [{bar:30}] {pos}/{len} {elapsed_precise}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(opts.label.clone());

    for t in 0..opts.iterations {
        // Mini-batch without replacement; reshuffle after each epoch.
        for i in 0..b {
            if cursor == n {
                order.shuffle(&mut rng);
                cursor = 0;
            }
            let row = order[cursor];
            cursor += 1;
            xb.row_mut(i).assign(&p.input.row(row));
            tb.row_mut(i).assign(&target.row(row));
        }

        // Forward: h(V), W̃ (row by row: each row has its own clamp bounds).
        {
            let ws = w_soft.as_slice_mut().expect("standard layout");
            let rows = ws
                .chunks_mut(k)
                .zip(sig.chunks_mut(k))
                .zip(v.chunks(k).zip(floor.chunks(k)).zip(scale.chunks(k)));
            for (r, ((ws_row, sig_row), ((v_row, f_row), s_row))) in rows.enumerate() {
                let (l, h) = (lo[r], hi[r]);
                let elems = ws_row
                    .iter_mut()
                    .zip(sig_row.iter_mut())
                    .zip(v_row.iter().zip(f_row).zip(s_row));
                for ((w, sg), ((&vv, &f), &sc)) in elems {
                    *sg = sigmoid(vv);
                    let hv = (*sg * (ZETA - GAMMA) + GAMMA).clamp(0.0, 1.0);
                    *w = sc * (f + hv).clamp(l, h);
                }
            }
        }
        let mut y = xb.dot(&w_soft.t());
        y += &bias.view().insert_axis(Axis(0));
        // dL/dY = 2/B · (act(Y) − T) ⊙ act'(Y).
        let g_scale = 2.0 / b as f32;
        ndarray::Zip::from(&mut y).and(&tb).for_each(|yv, &tv| {
            let a = act.apply(*yv);
            *yv = g_scale * (a - tv) * act.derivative(*yv);
        });
        let g_w = y.t().dot(&xb); // O × K
        let g_w = g_w.as_standard_layout();
        let g_w = g_w.as_slice().expect("standard layout");

        // Backward to V, Adam step.
        let beta = opts.beta_at(t);
        let step = (t + 1) as i32;
        let bc1 = 1.0 - beta1.powi(step);
        let bc2 = 1.0 - beta2.powi(step);
        let lr_t = lr * bc2.sqrt() / bc1;
        let rows = v
            .chunks_mut(k)
            .zip(adam_m.chunks_mut(k).zip(adam_v.chunks_mut(k)))
            .zip(sig.chunks(k).zip(g_w.chunks(k)))
            .zip(floor.chunks(k).zip(scale.chunks(k)));
        for (r, (((v_row, (m_row, s2_row)), (sig_row, g_row)), (f_row, s_row))) in rows.enumerate()
        {
            let (l, h) = (lo[r], hi[r]);
            let elems = v_row
                .iter_mut()
                .zip(m_row.iter_mut().zip(s2_row.iter_mut()))
                .zip(sig_row.iter().zip(g_row))
                .zip(f_row.iter().zip(s_row));
            for (((vi, (mi, s2i)), (&sg, &gw)), (&f, &sc)) in elems {
                let u = sg * (ZETA - GAMMA) + GAMMA;
                if u <= 0.0 || u >= 1.0 {
                    // Rectifier saturated: h'(V) = 0; Adam's moments decay.
                    *mi *= beta1;
                    *s2i *= beta2;
                    continue;
                }
                let wq = f + u;
                let mut g_h = if wq >= l && wq <= h { gw * sc } else { 0.0 };
                if let Some(beta) = beta {
                    let d = 2.0 * u - 1.0;
                    let a = d.abs();
                    if a > 0.0 {
                        g_h -= 2.0 * opts.lambda * beta * a.powf(beta - 1.0) * d.signum();
                    }
                }
                let g = g_h * (ZETA - GAMMA) * sg * (1.0 - sg);
                *mi = beta1 * *mi + (1.0 - beta1) * g;
                *s2i = beta2 * *s2i + (1.0 - beta2) * g * g;
                *vi -= lr_t * *mi / (s2i.sqrt() + adam_eps);
            }
        }
        if t % 16 == 15 || t + 1 == opts.iterations {
            bar.set_position(t as u64 + 1);
        }
    }
    bar.finish_and_clear();

    // Harden: round up where h(V) ≥ 0.5.
    let ada = hard_weights(&floor, &scale, &lo, &hi, o, k, |i| {
        let u = (sigmoid(v[i]) * (ZETA - GAMMA) + GAMMA).clamp(0.0, 1.0);
        if u >= 0.5 {
            1.0
        } else {
            0.0
        }
    });
    let loss_ada = recon_loss(p.input, &ada.1, &bias, act, &target);
    let fell_back = loss_ada > loss_nearest;
    let (q_int, w_deq, loss) = if fell_back {
        (nearest.0.clone(), nearest.1, loss_nearest)
    } else {
        (ada.0, ada.1, loss_ada)
    };
    let flipped = q_int
        .iter()
        .zip(nearest.0.iter())
        .filter(|(a, b)| a != b)
        .count();
    // Offsets are relative to the zero point: add it back.
    let mut weight_int = q_int;
    for (r, mut row) in weight_int.axis_iter_mut(Axis(0)).enumerate() {
        let (_, z) = grid.params(r);
        row.mapv_inplace(|q| q + z);
    }
    Ok(AdaRoundResult {
        weight_int,
        weight: w_deq,
        loss_nearest,
        loss,
        flipped_fraction: flipped as f64 / (o * k) as f64,
        fell_back_to_nearest: fell_back,
        iterations: opts.iterations,
    })
}

/// Integer offsets q − z = clamp(floor + up, lo, hi) and the dequantized
/// weights, for a rounding decision `up(i)` ∈ {0, 1} per element.
fn hard_weights(
    floor: &[f32],
    scale: &[f32],
    lo: &[f32],
    hi: &[f32],
    o: usize,
    k: usize,
    up: impl Fn(usize) -> f32,
) -> (Array2<i32>, Array2<f32>) {
    let mut q = Array2::<i32>::zeros((o, k));
    let mut w = Array2::<f32>::zeros((o, k));
    for r in 0..o {
        for c in 0..k {
            let i = r * k + c;
            let off = (floor[i] + up(i)).clamp(lo[r], hi[r]);
            q[[r, c]] = off as i32;
            w[[r, c]] = off * scale[i];
        }
    }
    (q, w)
}

/// act(X Wᵀ + b), computed in row chunks.
fn output(
    x: ArrayView2<f32>,
    w: ArrayView2<f32>,
    bias: &Array1<f32>,
    act: Activation,
) -> Array2<f32> {
    let mut y = x.dot(&w.t());
    y += &bias.view().insert_axis(Axis(0));
    y.mapv_inplace(|v| act.apply(v));
    y
}

/// ‖act(X Wᵀ + b) − T‖²_F / N, in chunks of rows to bound memory.
fn recon_loss(
    x: ArrayView2<f32>,
    w: &Array2<f32>,
    bias: &Array1<f32>,
    act: Activation,
    target: &Array2<f32>,
) -> f64 {
    const CHUNK: usize = 4096;
    let n = x.nrows();
    let mut total = 0.0f64;
    let mut start = 0;
    while start < n {
        let end = (start + CHUNK).min(n);
        let y = output(x.slice(s![start..end, ..]), w.view(), bias, act);
        total += y
            .iter()
            .zip(target.slice(s![start..end, ..]).iter())
            .map(|(a, b)| {
                let d = (*a - *b) as f64;
                d * d
            })
            .sum::<f64>();
        start = end;
    }
    total / n as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::QuantSpec;
    use crate::range::{weight_grid, WeightRange};
    use rand::RngExt;

    fn normal(rng: &mut Pcg64Mcg) -> f32 {
        let u1: f64 = rng.random_range(1e-12..1.0);
        let u2: f64 = rng.random_range(0.0..1.0);
        ((-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()) as f32
    }

    /// Correlated, post-ReLU-like inputs (a rank-8 component plus noise, as
    /// real activations are) and Gaussian weights.
    fn problem(seed: u64, n: usize, k: usize, o: usize) -> (Array2<f32>, Array2<f32>, Array1<f32>) {
        let mut rng = Pcg64Mcg::seed_from_u64(seed);
        let basis = Array2::from_shape_fn((8, k), |_| normal(&mut rng));
        let w = Array2::from_shape_fn((o, k), |_| normal(&mut rng) / (k as f32).sqrt());
        let b = Array1::from_shape_fn(o, |_| 0.1 * normal(&mut rng));
        (inputs(&mut rng, &basis, n), w, b)
    }

    fn inputs(rng: &mut Pcg64Mcg, basis: &Array2<f32>, n: usize) -> Array2<f32> {
        let coeff = Array2::from_shape_fn((n, basis.nrows()), |_| normal(rng));
        let noise = Array2::from_shape_fn((n, basis.ncols()), |_| normal(rng));
        (coeff.dot(basis) * 0.5 + noise).mapv(|v| v.max(0.0))
    }

    fn quick() -> AdaRoundOptions {
        AdaRoundOptions {
            iterations: 600,
            batch_size: 128,
            progress: false,
            ..AdaRoundOptions::default()
        }
    }

    #[test]
    fn beats_round_to_nearest_at_low_bit_widths() {
        let (x, w, b) = problem(1, 512, 32, 16);
        for (bits, margin) in [(2u32, 0.85), (3, 0.8), (4, 1.0)] {
            let spec = QuantSpec::weights(bits).unwrap();
            let grid = weight_grid(w.view(), &spec, WeightRange::default()).unwrap();
            let p = AdaRoundProblem {
                input: x.view(),
                target_input: None,
                weight: w.view(),
                bias: Some(b.view()),
                grid: &grid,
            };
            let r = adaround(&p, &quick()).unwrap();
            assert!(!r.fell_back_to_nearest, "{bits} bits: {r:?}");
            assert!(
                r.loss <= margin * r.loss_nearest,
                "{bits} bits: adaround {} nearest {}",
                r.loss,
                r.loss_nearest
            );
            assert!(r.flipped_fraction > 0.0 && r.flipped_fraction < 0.5);
            // The integers lie on the grid and match the dequantized weights.
            let (qmin, qmax) = spec.qrange();
            assert!(r.weight_int.iter().all(|q| (qmin..=qmax).contains(q)));
            assert_eq!(grid.dequantize(&r.weight_int).unwrap(), r.weight);
            // Every weight is rounded down or up from its float value.
            for ((rr, c), &q) in r.weight_int.indexed_iter() {
                let f = w[[rr, c]] / grid.scale[rr];
                let (down, up) = (
                    f.floor().clamp(qmin as f32, qmax as f32),
                    f.ceil().clamp(qmin as f32, qmax as f32),
                );
                assert!(q as f32 >= down && q as f32 <= up, "{f} -> {q}");
            }
            // And it generalises: better on held-out inputs drawn alike.
            if bits <= 3 {
                // Same input distribution (basis), fresh samples.
                let mut rng = Pcg64Mcg::seed_from_u64(1);
                let basis = Array2::from_shape_fn((8, 32), |_| normal(&mut rng));
                let mut rng = Pcg64Mcg::seed_from_u64(77);
                let xt = inputs(&mut rng, &basis, 512);
                let target = xt.dot(&w.t()) + &b;
                let err = |wq: &Array2<f32>| (xt.dot(&wq.t()) + &b - &target).mapv(|d| d * d).sum();
                let nearest = grid.fake_quant(&w).unwrap();
                assert!(err(&r.weight) < err(&nearest), "{bits} bits held-out");
            }
        }
    }

    #[test]
    fn deterministic_under_a_seed_and_options_matter() {
        let (x, w, b) = problem(2, 200, 16, 8);
        let grid = weight_grid(
            w.view(),
            &QuantSpec::weights(3).unwrap(),
            WeightRange::MinMax,
        )
        .unwrap();
        let p = AdaRoundProblem {
            input: x.view(),
            target_input: None,
            weight: w.view(),
            bias: Some(b.view()),
            grid: &grid,
        };
        let opts = AdaRoundOptions {
            iterations: 200,
            batch_size: 32,
            progress: false,
            ..AdaRoundOptions::default()
        };
        let a = adaround(&p, &opts).unwrap();
        let b2 = adaround(&p, &opts).unwrap();
        assert_eq!(a, b2);
        let cos = adaround(
            &p,
            &AdaRoundOptions {
                schedule: BetaSchedule::Cosine,
                ..opts.clone()
            },
        )
        .unwrap();
        assert!(cos.loss <= cos.loss_nearest);
    }

    #[test]
    fn relu_output_and_per_tensor_asymmetric_grid() {
        let (x, w, b) = problem(3, 300, 24, 12);
        let spec = QuantSpec::new(3, true, false, false).unwrap();
        let grid = weight_grid(w.view(), &spec, WeightRange::default()).unwrap();
        assert!(!grid.is_symmetric() || grid.zero_point[0] == 0);
        let p = AdaRoundProblem {
            input: x.view(),
            target_input: Some(x.view()),
            weight: w.view(),
            bias: Some(b.view()),
            grid: &grid,
        };
        let r = adaround(
            &p,
            &AdaRoundOptions {
                activation: Activation::Relu,
                ..quick()
            },
        )
        .unwrap();
        assert!(r.loss < r.loss_nearest, "{r:?}");
        assert_eq!(grid.dequantize(&r.weight_int).unwrap(), r.weight);
    }

    #[test]
    fn degenerate_shapes_work() {
        // One fan-in column and one sample: every matrix is a vector.
        let x = Array2::from_elem((1, 1), 0.7f32);
        let w = Array2::from_shape_vec((3, 1), vec![0.26f32, -0.74, 0.1]).unwrap();
        let grid = weight_grid(
            w.view(),
            &QuantSpec::weights(2).unwrap(),
            WeightRange::MinMax,
        )
        .unwrap();
        let p = AdaRoundProblem {
            input: x.view(),
            target_input: None,
            weight: w.view(),
            bias: None,
            grid: &grid,
        };
        let r = adaround(
            &p,
            &AdaRoundOptions {
                iterations: 50,
                batch_size: 1,
                ..quick()
            },
        )
        .unwrap();
        assert_eq!(r.weight_int.dim(), (3, 1));
        assert!(r.loss <= r.loss_nearest);
    }

    #[test]
    fn beta_schedules() {
        let o = AdaRoundOptions {
            iterations: 101,
            warmup: 0.2,
            ..AdaRoundOptions::default()
        };
        assert_eq!(o.beta_at(0), None);
        assert_eq!(o.beta_at(19), None);
        assert_eq!(o.beta_at(20), Some(20.0));
        assert!((o.beta_at(100).unwrap() - 2.0).abs() < 1e-5);
        let c = AdaRoundOptions {
            schedule: BetaSchedule::Cosine,
            ..o.clone()
        };
        assert_eq!(c.beta_at(20), Some(20.0));
        assert!((c.beta_at(100).unwrap() - 2.0).abs() < 1e-4);
        // Cosine stays higher than linear early on.
        assert!(c.beta_at(40).unwrap() > o.beta_at(40).unwrap());
    }

    #[test]
    fn bad_inputs_are_errors() {
        let (x, w, b) = problem(4, 20, 8, 4);
        let grid = weight_grid(
            w.view(),
            &QuantSpec::weights(4).unwrap(),
            WeightRange::MinMax,
        )
        .unwrap();
        let ok = AdaRoundProblem {
            input: x.view(),
            target_input: None,
            weight: w.view(),
            bias: Some(b.view()),
            grid: &grid,
        };
        let opts = quick();
        let x_bad = Array2::<f32>::zeros((20, 7));
        let e = adaround(
            &AdaRoundProblem {
                input: x_bad.view(),
                ..ok.clone()
            },
            &opts,
        )
        .unwrap_err();
        assert!(matches!(e, QuantError::ShapeMismatch { .. }), "{e}");
        let x0 = Array2::<f32>::zeros((0, 8));
        assert!(matches!(
            adaround(
                &AdaRoundProblem {
                    input: x0.view(),
                    ..ok.clone()
                },
                &opts
            ),
            Err(QuantError::TooFewSamples { .. })
        ));
        let mut xn = x.clone();
        xn[[3, 3]] = f32::NAN;
        assert!(matches!(
            adaround(
                &AdaRoundProblem {
                    input: xn.view(),
                    ..ok.clone()
                },
                &opts
            ),
            Err(QuantError::NonFinite { .. })
        ));
        let b3 = Array1::<f32>::zeros(3);
        assert!(adaround(
            &AdaRoundProblem {
                bias: Some(b3.view()),
                ..ok.clone()
            },
            &opts
        )
        .is_err());
        let g3 = Grid::new(vec![0.1; 3], vec![0; 3], -7, 7).unwrap();
        assert!(adaround(
            &AdaRoundProblem {
                grid: &g3,
                ..ok.clone()
            },
            &opts
        )
        .is_err());
        let xt = Array2::<f32>::zeros((19, 8));
        assert!(adaround(
            &AdaRoundProblem {
                target_input: Some(xt.view()),
                ..ok.clone()
            },
            &opts
        )
        .is_err());
        for bad in [
            AdaRoundOptions {
                iterations: 0,
                ..quick()
            },
            AdaRoundOptions {
                batch_size: 0,
                ..quick()
            },
            AdaRoundOptions {
                learning_rate: -1.0,
                ..quick()
            },
            AdaRoundOptions {
                lambda: f32::NAN,
                ..quick()
            },
            AdaRoundOptions {
                beta_start: 1.0,
                beta_end: 2.0,
                ..quick()
            },
            AdaRoundOptions {
                warmup: 1.0,
                ..quick()
            },
            AdaRoundOptions {
                activation: Activation::Clamp { min: 1.0, max: 0.0 },
                ..quick()
            },
        ] {
            assert!(adaround(&ok, &bad).is_err(), "{bad:?}");
        }
        let g_bad = Grid {
            scale: vec![0.0],
            zero_point: vec![0],
            qmin: -7,
            qmax: 7,
        };
        assert!(adaround(
            &AdaRoundProblem {
                grid: &g_bad,
                ..ok.clone()
            },
            &opts
        )
        .is_err());
        // Batch larger than N is capped, not an error.
        assert!(adaround(
            &ok,
            &AdaRoundOptions {
                batch_size: 1000,
                iterations: 5,
                ..quick()
            }
        )
        .is_ok());
    }
}
