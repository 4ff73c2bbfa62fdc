//! Bias correction: removing the shift that weight quantization causes in
//! the mean of a layer's output (Nagel et al. 2019, "Data-Free
//! Quantization", §4.2; Nagel et al. 2021, white paper §3.3).
//!
//! Why: rounding errors in W do not average out per output channel. With
//! ε = W_q − W, the quantized layer's output y_q = y + ε·x has mean
//! `E[y_q] = E[y] + ε·E[x]`; the next layers see a biased input. Adding
//! `−ε·E[x]` to the bias removes that.
//!
//! - **Empirical**: from outputs on calibration data, correction =
//!   mean(y_float − y_quant) per output channel; or from the layer's inputs,
//!   (W − W_q)·mean(x) (the same thing for a linear layer, cheaper). For a
//!   convolution the rows are output positions (N·H·W of them) and the
//!   columns output channels; from inputs, x is the im2col patch.
//! - **Analytical (data-free)**: `E[x]` comes from the previous layer's folded
//!   BN: its pre-activation in channel c is ~N(β_c, γ_c²), so
//!   `E[x_c] = E[act(N(β_c, γ_c²))]`, which for ReLU and clamps is the mean
//!   of a clipped normal:
//!
//! ```text
//! E[clip(X, a, b)] = a·Φ(α) + b·(1 − Φ(β')) + μ·(Φ(β') − Φ(α)) + σ·(φ(α) − φ(β'))
//! α = (a − μ)/σ, β' = (b − μ)/σ;   ReLU: a = 0, b = ∞ → μ·Φ(μ/σ) + σ·φ(μ/σ)
//! ```
//!
//!   and `correction_o = −Σ_j (W_q − W)[o, j] · E[x_{channel(o, j)}]`, with
//!   the channel of each weight given by the layer's [`InputChannels`]
//!   layout. (Zero padding makes border positions see 0 instead of `E[x]`;
//!   ignored.)

use ndarray::{Array1, ArrayView1, ArrayView2, Axis};

use crate::activation::Activation;
use crate::bn_fold::BnStats;
use crate::cle::InputChannels;
use crate::error::{check_finite, check_nonempty, QuantError, Result};

fn check_same_shape(what: &str, a: &[usize], b: &[usize]) -> Result<()> {
    if a == b {
        Ok(())
    } else {
        Err(QuantError::mismatch(
            what,
            format!("{a:?}"),
            format!("{b:?}"),
        ))
    }
}

/// Per output channel, mean(float_out − quant_out) over the rows (samples
/// or output positions): the amount to add to the quantized layer's bias.
/// Both arrays are (samples × output channels).
pub fn empirical_bias_correction(
    float_out: ArrayView2<f32>,
    quant_out: ArrayView2<f32>,
) -> Result<Array1<f32>> {
    check_nonempty("float outputs", &float_out)?;
    check_same_shape("quantized outputs", float_out.shape(), quant_out.shape())?;
    check_finite("float outputs", &float_out)?;
    check_finite("quantized outputs", &quant_out)?;
    let n = float_out.nrows() as f64;
    let mut acc = vec![0.0f64; float_out.ncols()];
    for (f, q) in float_out
        .axis_iter(Axis(0))
        .zip(quant_out.axis_iter(Axis(0)))
    {
        for ((a, &x), &y) in acc.iter_mut().zip(f.iter()).zip(q.iter()) {
            *a += x as f64 - y as f64;
        }
    }
    Ok(acc.into_iter().map(|a| (a / n) as f32).collect())
}

/// (W − W_q) · mean(x): the empirical correction computed from the layer's
/// inputs x (samples × fan-in) and both weight matrices (output channels ×
/// fan-in).
pub fn empirical_bias_correction_from_inputs(
    x: ArrayView2<f32>,
    w: ArrayView2<f32>,
    w_q: ArrayView2<f32>,
) -> Result<Array1<f32>> {
    check_nonempty("layer inputs", &x)?;
    check_nonempty("weights", &w)?;
    check_same_shape("quantized weights", w.shape(), w_q.shape())?;
    if x.ncols() != w.ncols() {
        return Err(QuantError::mismatch(
            "layer inputs",
            format!("{} columns (the weights' fan-in)", w.ncols()),
            format!("{} columns", x.ncols()),
        ));
    }
    check_finite("layer inputs", &x)?;
    check_finite("weights", &w)?;
    check_finite("quantized weights", &w_q)?;
    let mean = x
        .mean_axis(Axis(0))
        .ok_or_else(|| QuantError::empty("layer inputs"))?;
    let eps = &w - &w_q;
    Ok(eps.dot(&mean))
}

/// The standard normal CDF Φ(x), absolute error below 1e-7 (a Chebyshev
/// fit of erfc).
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// The standard normal density φ(x).
pub fn normal_pdf(x: f64) -> f64 {
    (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// Complementary error function, fractional error < 1.2e-7.
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

/// E[clip(X, lo, hi)] for X ~ N(mu, sigma²); `lo` may be −∞ and `hi` +∞.
/// sigma = 0 gives clip(mu).
pub fn clipped_normal_mean(mu: f64, sigma: f64, lo: f64, hi: f64) -> f64 {
    if sigma <= 0.0 {
        return mu.clamp(lo, hi);
    }
    let a = (lo - mu) / sigma;
    let b = (hi - mu) / sigma;
    let (cdf_a, pdf_a) = if lo.is_finite() {
        (normal_cdf(a), normal_pdf(a))
    } else {
        (0.0, 0.0)
    };
    let (sf_b, pdf_b) = if hi.is_finite() {
        (normal_cdf(-b), normal_pdf(b))
    } else {
        (0.0, 0.0)
    };
    let low = if lo.is_finite() { lo * cdf_a } else { 0.0 };
    let high = if hi.is_finite() { hi * sf_b } else { 0.0 };
    let inside = (1.0 - sf_b - cdf_a).max(0.0);
    let m = low + high + mu * inside + sigma * (pdf_a - pdf_b);
    m.clamp(lo, hi)
}

/// E[act(h_c)] per channel for h_c ~ N(β_c, γ_c²), from folded-BN
/// statistics: the expected input of the next layer.
pub fn expected_activation(stats: &BnStats, act: Activation) -> Result<Array1<f32>> {
    act.validate()?;
    check_finite("bn stats beta", &stats.beta)?;
    check_finite("bn stats gamma", &stats.gamma)?;
    let (lo, hi) = match act {
        Activation::Identity => (f64::NEG_INFINITY, f64::INFINITY),
        Activation::Relu => (0.0, f64::INFINITY),
        Activation::Clamp { min, max } => (min as f64, max as f64),
    };
    Ok(stats
        .beta
        .iter()
        .zip(stats.gamma.iter())
        .map(|(&b, &g)| clipped_normal_mean(b as f64, g.abs() as f64, lo, hi) as f32)
        .collect())
}

/// The data-free correction `−(W_q − W)·E[x]` per output channel, with `E[x]`
/// given per input channel of the layer (`input` says which channel each
/// weight reads).
pub fn analytical_bias_correction(
    w: ArrayView2<f32>,
    w_q: ArrayView2<f32>,
    input: InputChannels,
    expected_input: ArrayView1<f32>,
) -> Result<Array1<f32>> {
    check_nonempty("weights", &w)?;
    check_same_shape("quantized weights", w.shape(), w_q.shape())?;
    check_finite("weights", &w)?;
    check_finite("quantized weights", &w_q)?;
    check_finite("expected input", &expected_input)?;
    let eps = &w - &w_q;
    let ex = expected_input.to_vec();
    input.apply_per_channel(eps.view(), &ex)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{array, Array2};
    use rand::{RngExt, SeedableRng};
    use rand_pcg::Pcg64Mcg;

    fn normal(rng: &mut Pcg64Mcg) -> f64 {
        let u1: f64 = rng.random_range(1e-12..1.0);
        let u2: f64 = rng.random_range(0.0..1.0);
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    #[test]
    fn normal_cdf_known_values() {
        for (x, p) in [
            (0.0, 0.5),
            (1.0, 0.841_344_746_068_543),
            (-2.0, 0.022_750_131_948_179),
            (3.0, 0.998_650_101_968_370),
            (-0.5, 0.308_537_538_725_987),
            (-6.0, 9.865_876_450e-10),
        ] {
            assert!(
                (normal_cdf(x) - p).abs() < 1e-7,
                "Φ({x}) = {} ≠ {p}",
                normal_cdf(x)
            );
        }
        assert!((normal_pdf(0.0) - 0.398_942_280_4).abs() < 1e-9);
    }

    #[test]
    fn clipped_normal_mean_matches_monte_carlo() {
        let mut rng = Pcg64Mcg::seed_from_u64(11);
        let z: Vec<f64> = (0..200_000).map(|_| normal(&mut rng)).collect();
        for (mu, sigma, lo, hi) in [
            (0.0, 1.0, 0.0, f64::INFINITY),
            (1.5, 0.7, 0.0, f64::INFINITY),
            (-2.0, 1.0, 0.0, f64::INFINITY),
            (3.0, 2.0, 0.0, 6.0),
            (0.3, 1.0, f64::NEG_INFINITY, f64::INFINITY),
            (0.0, 3.0, -1.0, 1.0),
        ] {
            let mc = z
                .iter()
                .map(|v| (mu + sigma * v).clamp(lo, hi))
                .sum::<f64>()
                / z.len() as f64;
            let an = clipped_normal_mean(mu, sigma, lo, hi);
            assert!(
                (mc - an).abs() < 0.01 * sigma,
                "μ={mu} σ={sigma} [{lo},{hi}]: mc {mc} analytic {an}"
            );
        }
        // ReLU of N(0,1) has mean 1/sqrt(2π).
        assert!((clipped_normal_mean(0.0, 1.0, 0.0, f64::INFINITY) - 0.398_942_28).abs() < 1e-7);
        assert_eq!(clipped_normal_mean(-1.0, 0.0, 0.0, f64::INFINITY), 0.0);
        assert_eq!(clipped_normal_mean(7.0, 0.0, 0.0, 6.0), 6.0);
        // Far in the tail: the mean is the mean, not a cancellation artefact.
        assert!((clipped_normal_mean(50.0, 1.0, 0.0, f64::INFINITY) - 50.0).abs() < 1e-9);
    }

    #[test]
    fn empirical_corrections_agree() {
        let mut rng = Pcg64Mcg::seed_from_u64(4);
        let x = Array2::from_shape_fn((500, 6), |(_, j)| {
            (normal(&mut rng) + j as f64 * 0.3) as f32
        });
        let w = Array2::from_shape_fn((3, 6), |_| normal(&mut rng) as f32);
        let wq = w.mapv(|v| (v * 2.0).round() / 2.0);
        let from_inputs =
            empirical_bias_correction_from_inputs(x.view(), w.view(), wq.view()).unwrap();
        let yf = x.dot(&w.t());
        let yq = x.dot(&wq.t());
        let from_outputs = empirical_bias_correction(yf.view(), yq.view()).unwrap();
        for (a, b) in from_inputs.iter().zip(from_outputs.iter()) {
            assert!((a - b).abs() < 1e-4, "{a} vs {b}");
        }
        // The corrected quantized outputs have the float outputs' mean.
        let corrected = &yq + &from_outputs;
        let d = (&yf - &corrected).mean_axis(Axis(0)).unwrap();
        assert!(d.iter().all(|v| v.abs() < 1e-5));
    }

    #[test]
    fn analytical_correction_matches_data_drawn_from_the_bn_statistics() {
        // Previous layer: 3 channels, pre-activation ~N(β, γ²), then ReLU.
        let stats = BnStats::new(array![0.5, -0.3, 2.0], array![1.0, 0.5, -1.5]).unwrap();
        let ex = expected_activation(&stats, Activation::Relu).unwrap();
        // This layer: conv with 2 taps × 3 channels (interleaved).
        let mut rng = Pcg64Mcg::seed_from_u64(9);
        let w = Array2::from_shape_fn((4, 6), |_| normal(&mut rng) as f32);
        let wq = w.mapv(|v| (v * 1.5).round() / 1.5);
        let layout = InputChannels::Interleaved { channels: 3 };
        let an = analytical_bias_correction(w.view(), wq.view(), layout, ex.view()).unwrap();
        let x = Array2::from_shape_fn((100_000, 6), |(_, j)| {
            let c = j % 3;
            ((stats.beta[c] as f64 + stats.gamma[c].abs() as f64 * normal(&mut rng)).max(0.0))
                as f32
        });
        let emp = empirical_bias_correction_from_inputs(x.view(), w.view(), wq.view()).unwrap();
        for (a, e) in an.iter().zip(emp.iter()) {
            assert!((a - e).abs() < 0.02, "analytic {an} empirical {emp}");
        }
        // Depthwise layout: row r reads channel r / M.
        let dw = InputChannels::Depthwise { multiplier: 1 };
        let w3 = Array2::from_elem((3, 2), 1.0f32);
        let w3q = Array2::from_elem((3, 2), 1.25f32);
        let c =
            analytical_bias_correction(w3.view(), w3q.view(), dw, array![1.0f32, 2.0, 4.0].view())
                .unwrap();
        assert_eq!(c, array![-0.5, -1.0, -2.0]);
    }

    #[test]
    fn bad_inputs_are_errors() {
        let a = Array2::<f32>::zeros((4, 3));
        let b = Array2::<f32>::zeros((4, 2));
        assert!(matches!(
            empirical_bias_correction(a.view(), b.view()),
            Err(QuantError::ShapeMismatch { .. })
        ));
        assert!(empirical_bias_correction(
            Array2::<f32>::zeros((0, 3)).view(),
            Array2::<f32>::zeros((0, 3)).view()
        )
        .is_err());
        let mut n = a.clone();
        n[[2, 2]] = f32::INFINITY;
        assert!(matches!(
            empirical_bias_correction(a.view(), n.view()),
            Err(QuantError::NonFinite { .. })
        ));
        let w = Array2::<f32>::zeros((2, 3));
        assert!(empirical_bias_correction_from_inputs(b.view(), w.view(), w.view()).is_err());
        assert!(empirical_bias_correction_from_inputs(a.view(), w.view(), b.view()).is_err());
        let layout = InputChannels::Interleaved { channels: 3 };
        assert!(
            analytical_bias_correction(w.view(), w.view(), layout, array![1.0f32, 2.0].view())
                .is_err()
        );
        let bad_stats = BnStats {
            beta: array![f32::NAN],
            gamma: array![1.0],
        };
        assert!(expected_activation(&bad_stats, Activation::Relu).is_err());
        let ok = BnStats::new(array![0.0], array![1.0]).unwrap();
        assert!(expected_activation(&ok, Activation::Clamp { min: 1.0, max: 0.0 }).is_err());
    }
}
