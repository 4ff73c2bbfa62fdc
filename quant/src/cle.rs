//! Cross-layer equalization (CLE) and high-bias absorption (Nagel et al.
//! 2019, "Data-Free Quantization Through Weight Equalization and Bias
//! Correction", §4.1; also Nagel et al. 2021, white paper §3.2).
//!
//! Why: per-tensor weight grids (and, on crossbars, one conductance range
//! per array) suffer when the output channels of a layer have very
//! different ranges, as after folding BN into depthwise convolutions.
//! Because ReLU is positively homogeneous, relu(x / s) = relu(x) / s for
//! s > 0, so output channel i of layer 1 can be divided by s_i if input
//! channel i of layer 2 is multiplied by s_i, without changing the function:
//!
//! ```text
//! W1[i, :] /= s_i,   b1[i] /= s_i,   W2[:, input channel i] *= s_i
//! ```
//!
//! With r1_i = max |W1[i, :]| and r2_i = max |W2[:, input channel i]|, the
//! choice s_i = (1/r2_i)·sqrt(r1_i·r2_i) = sqrt(r1_i / r2_i) makes both
//! ranges sqrt(r1_i·r2_i), which maximises the product of the channels'
//! relative precisions (paper, eq. 10). A channel with r1_i = 0 or r2_i = 0
//! is left alone (s_i = 1). Chains (conv → depthwise → conv) are equalized
//! pair by pair, repeatedly, until no scale differs from 1 by more than a
//! tolerance ([`equalize_chain`]).
//!
//! The activation between the two layers must be positively homogeneous
//! (identity, ReLU, leaky ReLU); ReLU6 is not, the caller must treat it as
//! ReLU first (as the paper does) or not equalize across it.
//!
//! **High-bias absorption**: if the folded BN says channel i's
//! pre-activation is ~N(β_i, γ_i²), then c_i = max(0, β_i − 3|γ_i|) is almost
//! always below it, so relu(h_i − c_i) = relu(h_i) − c_i and
//!
//! ```text
//! b1 −= c,   b2 += W2 · c      (c expanded over layer 2's fan-in)
//! ```
//!
//! keeps the function while shrinking layer 1's output range. With zero
//! padding in layer 2 the border outputs change slightly (padding taps see
//! 0, not c) — the paper accepts that.
//!
//! **Layouts.** Weights are 2-D, rows = output channels, columns = fan-in.
//! Which columns belong to input channel i of layer 2 is an
//! [`InputChannels`]: TOSA conv2d weights [O, KH, KW, I] reshape to
//! [O, KH·KW·I] with the input channel fastest (column j is channel j % I);
//! a matmul's [K, N] is transposed to [N, K] (channel = column); depthwise
//! weights [KH, KW, C, M] become rows C·M (row c·M + m) by columns KH·KW,
//! and output row r reads only input channel r / M, so input channel i owns
//! whole rows i·M..(i+1)·M.

use ndarray::{Array1, Array2, ArrayView2, Axis};

use crate::bn_fold::BnStats;
use crate::error::{check_finite, check_len, check_nonempty, QuantError, Result};

/// How a layer's weight matrix (rows = output channels, columns = fan-in)
/// groups into its input channels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputChannels {
    /// Dense fan-in, input channel fastest: column j belongs to input
    /// channel j % `channels` (conv2d: KH·KW taps of `channels` each; a
    /// matmul: one tap).
    Interleaved { channels: usize },
    /// Depthwise: row r reads only input channel r / `multiplier`; every
    /// column of that row belongs to it.
    Depthwise { multiplier: usize },
}

impl InputChannels {
    /// The number of input channels of a (rows × cols) weight, checking that
    /// the layout divides it.
    pub fn channels(&self, rows: usize, cols: usize) -> Result<usize> {
        match *self {
            InputChannels::Interleaved { channels } => {
                if channels == 0 || !cols.is_multiple_of(channels) {
                    return Err(QuantError::mismatch(
                        "interleaved input channels",
                        format!("a fan-in that is a multiple of {channels} channels"),
                        format!("{cols} columns"),
                    ));
                }
                Ok(channels)
            }
            InputChannels::Depthwise { multiplier } => {
                if multiplier == 0 || !rows.is_multiple_of(multiplier) {
                    return Err(QuantError::mismatch(
                        "depthwise channel multiplier",
                        format!("a row count that is a multiple of {multiplier}"),
                        format!("{rows} rows"),
                    ));
                }
                Ok(rows / multiplier)
            }
        }
    }

    /// The input channel weight element (row, col) reads.
    #[inline]
    pub fn channel_of(&self, row: usize, col: usize) -> usize {
        match *self {
            InputChannels::Interleaved { channels } => col % channels.max(1),
            InputChannels::Depthwise { multiplier } => row / multiplier.max(1),
        }
    }

    /// max |w| over the weights of each input channel.
    pub fn channel_abs_max(&self, w: ArrayView2<f32>) -> Result<Vec<f32>> {
        let n = self.channels(w.nrows(), w.ncols())?;
        let mut r = vec![0.0f32; n];
        for ((row, col), &v) in w.indexed_iter() {
            let c = self.channel_of(row, col);
            r[c] = r[c].max(v.abs());
        }
        Ok(r)
    }

    /// Multiplies every weight of input channel i by `s[i]`.
    pub fn scale_channels(&self, w: &mut Array2<f32>, s: &[f32]) -> Result<()> {
        let n = self.channels(w.nrows(), w.ncols())?;
        check_len("input channel scales", n, s.len())?;
        for ((row, col), v) in w.indexed_iter_mut() {
            *v *= s[self.channel_of(row, col)];
        }
        Ok(())
    }

    /// W · c with c given per input channel (expanded over the fan-in):
    /// one value per output row.
    pub fn apply_per_channel(&self, w: ArrayView2<f32>, c: &[f32]) -> Result<Array1<f32>> {
        let n = self.channels(w.nrows(), w.ncols())?;
        check_len("per-input-channel vector", n, c.len())?;
        let mut out = Array1::<f64>::zeros(w.nrows());
        for ((row, col), &v) in w.indexed_iter() {
            out[row] += v as f64 * c[self.channel_of(row, col)] as f64;
        }
        Ok(out.mapv(|x| x as f32))
    }
}

/// One layer as CLE sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct CleLayer {
    /// Weights, rows = output channels, columns = fan-in.
    pub weight: Array2<f32>,
    /// Bias per output channel.
    pub bias: Array1<f32>,
    /// How the fan-in groups into input channels (unused for the first
    /// layer of a chain).
    pub input: InputChannels,
    /// Folded BN statistics of the output channels, kept in step with the
    /// rescaling; needed for high-bias absorption and analytical bias
    /// correction.
    pub stats: Option<BnStats>,
}

impl CleLayer {
    /// A validated layer (finite weights and bias, matching lengths, a
    /// layout that divides the weight).
    pub fn new(
        weight: Array2<f32>,
        bias: Array1<f32>,
        input: InputChannels,
        stats: Option<BnStats>,
    ) -> Result<Self> {
        let l = CleLayer {
            weight,
            bias,
            input,
            stats,
        };
        l.validate()?;
        Ok(l)
    }

    fn validate(&self) -> Result<()> {
        check_nonempty("weights", &self.weight)?;
        check_finite("weights", &self.weight)?;
        check_len("bias", self.weight.nrows(), self.bias.len())?;
        check_finite("bias", &self.bias)?;
        self.input
            .channels(self.weight.nrows(), self.weight.ncols())?;
        if let Some(s) = &self.stats {
            check_len("bn stats", self.weight.nrows(), s.channels())?;
        }
        Ok(())
    }
}

fn check_pair(l1: &CleLayer, l2: &CleLayer) -> Result<()> {
    l1.validate()?;
    l2.validate()?;
    let n2 = l2.input.channels(l2.weight.nrows(), l2.weight.ncols())?;
    if n2 != l1.weight.nrows() {
        return Err(QuantError::mismatch(
            "layer 2 input channels",
            format!("{} (layer 1's output channels)", l1.weight.nrows()),
            n2,
        ));
    }
    Ok(())
}

/// Equalizes one pair in place and returns the scales s_i (layer 1's output
/// channel i was divided by s_i, layer 2's input channel i multiplied).
pub fn equalize_pair(l1: &mut CleLayer, l2: &mut CleLayer) -> Result<Vec<f32>> {
    check_pair(l1, l2)?;
    Ok(equalize_unchecked(l1, l2))
}

fn equalize_unchecked(l1: &mut CleLayer, l2: &mut CleLayer) -> Vec<f32> {
    let r1: Vec<f32> = l1
        .weight
        .axis_iter(Axis(0))
        .map(|row| row.iter().fold(0.0f32, |m, v| m.max(v.abs())))
        .collect();
    let r2 = l2
        .input
        .channel_abs_max(l2.weight.view())
        .expect("layout checked");
    let s: Vec<f32> = r1
        .iter()
        .zip(&r2)
        .map(|(&a, &b)| {
            if a > 0.0 && b > 0.0 {
                let s = ((a as f64) / (b as f64)).sqrt() as f32;
                if s.is_finite() && s > 0.0 {
                    s
                } else {
                    1.0
                }
            } else {
                1.0
            }
        })
        .collect();
    for ((mut row, b), &si) in l1
        .weight
        .axis_iter_mut(Axis(0))
        .zip(l1.bias.iter_mut())
        .zip(&s)
    {
        row /= si;
        *b /= si;
    }
    if let Some(st) = &mut l1.stats {
        st.divide_channels(&s).expect("scales are finite and > 0");
    }
    l2.input
        .scale_channels(&mut l2.weight, &s)
        .expect("layout checked");
    s
}

/// Options of [`equalize_chain`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CleOptions {
    /// Maximum sweeps over the chain.
    pub max_iterations: usize,
    /// Stop when every scale of a sweep lies within 1 ± tolerance.
    pub tolerance: f32,
}

impl Default for CleOptions {
    fn default() -> Self {
        CleOptions {
            max_iterations: 100,
            tolerance: 1e-4,
        }
    }
}

/// What [`equalize_chain`] did.
#[derive(Clone, Debug, PartialEq)]
pub struct CleReport {
    /// Sweeps run.
    pub iterations: usize,
    /// Whether the last sweep's scales were all within tolerance.
    pub converged: bool,
    /// Per pair (k, k+1), the accumulated scale of each channel between them.
    pub scales: Vec<Vec<f32>>,
}

/// Equalizes a chain of layers (each layer's output channels are the next
/// one's input channels) in place, sweeping over the pairs until
/// converged. Every pair is checked before anything changes.
pub fn equalize_chain(layers: &mut [CleLayer], opts: CleOptions) -> Result<CleReport> {
    if layers.len() < 2 {
        return Err(QuantError::TooFewSamples {
            what: "CLE chain layers".into(),
            need: 2,
            got: layers.len(),
        });
    }
    if opts.max_iterations == 0 || !(opts.tolerance.is_finite() && opts.tolerance >= 0.0) {
        return Err(QuantError::invalid(
            "CLE options",
            format!("{opts:?}"),
            "need max_iterations >= 1 and a finite tolerance >= 0",
        ));
    }
    for k in 0..layers.len() - 1 {
        check_pair(&layers[k], &layers[k + 1]).map_err(|e| match e {
            QuantError::ShapeMismatch {
                what,
                expected,
                got,
            } => QuantError::ShapeMismatch {
                what: format!("CLE pair ({k}, {}): {what}", k + 1),
                expected,
                got,
            },
            other => other,
        })?;
    }
    let mut scales: Vec<Vec<f32>> = (0..layers.len() - 1)
        .map(|k| vec![1.0; layers[k].weight.nrows()])
        .collect();
    let mut iterations = 0;
    let mut converged = false;
    while iterations < opts.max_iterations {
        iterations += 1;
        let mut worst = 0.0f32;
        for k in 0..layers.len() - 1 {
            let (a, b) = layers.split_at_mut(k + 1);
            let s = equalize_unchecked(&mut a[k], &mut b[0]);
            for (acc, si) in scales[k].iter_mut().zip(&s) {
                *acc *= si;
                worst = worst.max((si - 1.0).abs());
            }
        }
        if worst <= opts.tolerance {
            converged = true;
            break;
        }
    }
    Ok(CleReport {
        iterations,
        converged,
        scales,
    })
}

/// High-bias absorption from layer 1 (whose BN statistics must be known)
/// into layer 2 across a ReLU: c_i = max(0, β_i − n_sigma·|γ_i|) (the paper
/// uses n_sigma = 3); b1 −= c, β −= c, b2 += W2 · c. Returns c.
pub fn absorb_high_bias(l1: &mut CleLayer, l2: &mut CleLayer, n_sigma: f32) -> Result<Array1<f32>> {
    check_pair(l1, l2)?;
    if !(n_sigma.is_finite() && n_sigma >= 0.0) {
        return Err(QuantError::invalid(
            "high-bias absorption n_sigma",
            n_sigma,
            "must be finite and >= 0",
        ));
    }
    let stats = l1.stats.as_mut().ok_or_else(|| {
        QuantError::invalid(
            "layer 1 BN statistics",
            "none",
            "high-bias absorption needs the folded BN's beta and gamma",
        )
    })?;
    let c: Array1<f32> = stats
        .beta
        .iter()
        .zip(stats.gamma.iter())
        .map(|(&b, &g)| (b - n_sigma * g.abs()).max(0.0))
        .collect();
    let delta = l2
        .input
        .apply_per_channel(l2.weight.view(), c.as_slice().expect("contiguous"))?;
    l1.bias -= &c;
    stats.subtract(c.view())?;
    l2.bias += &delta;
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{array, Array1};
    use proptest::prelude::*;

    fn relu(v: Array1<f32>) -> Array1<f32> {
        v.mapv(|x| x.max(0.0))
    }

    /// Layer 2 applied to per-tap layer-1 outputs h[t] (each n1 long).
    fn layer2(l2: &CleLayer, h: &[Array1<f32>]) -> Array1<f32> {
        match l2.input {
            InputChannels::Interleaved { channels } => {
                let mut x = Array1::zeros(h.len() * channels);
                for (t, ht) in h.iter().enumerate() {
                    x.slice_mut(ndarray::s![t * channels..(t + 1) * channels])
                        .assign(ht);
                }
                l2.weight.dot(&x) + &l2.bias
            }
            InputChannels::Depthwise { multiplier } => {
                let mut y = l2.bias.clone();
                for r in 0..l2.weight.nrows() {
                    for (t, ht) in h.iter().enumerate() {
                        y[r] += l2.weight[[r, t]] * ht[r / multiplier];
                    }
                }
                y
            }
        }
    }

    fn pair_forward(l1: &CleLayer, l2: &CleLayer, xs: &[Array1<f32>]) -> Array1<f32> {
        let h: Vec<Array1<f32>> = xs
            .iter()
            .map(|x| relu(l1.weight.dot(x) + &l1.bias))
            .collect();
        layer2(l2, &h)
    }

    fn close(a: &Array1<f32>, b: &Array1<f32>, tol: f32) -> bool {
        a.iter()
            .zip(b)
            .all(|(x, y)| (x - y).abs() <= tol * (1.0 + x.abs().max(y.abs())))
    }

    fn ranges(l1: &CleLayer, l2: &CleLayer) -> (Vec<f32>, Vec<f32>) {
        let r1 = l1
            .weight
            .axis_iter(Axis(0))
            .map(|r| r.iter().fold(0.0f32, |m, v| m.max(v.abs())))
            .collect();
        (r1, l2.input.channel_abs_max(l2.weight.view()).unwrap())
    }

    #[test]
    fn layouts() {
        let il = InputChannels::Interleaved { channels: 3 };
        assert_eq!(il.channels(2, 9).unwrap(), 3);
        assert!(il.channels(2, 8).is_err());
        assert_eq!(il.channel_of(0, 7), 1);
        let dw = InputChannels::Depthwise { multiplier: 2 };
        assert_eq!(dw.channels(6, 9).unwrap(), 3);
        assert!(dw.channels(5, 9).is_err());
        assert_eq!(dw.channel_of(5, 0), 2);
        let w = array![[1.0f32, -4.0, 2.0, 0.5], [0.0, 1.0, -3.0, 0.0]];
        let il2 = InputChannels::Interleaved { channels: 2 };
        assert_eq!(il2.channel_abs_max(w.view()).unwrap(), vec![3.0, 4.0]);
        assert_eq!(
            il2.apply_per_channel(w.view(), &[1.0, 10.0]).unwrap(),
            array![1.0 - 40.0 + 2.0 + 5.0, 10.0 - 3.0]
        );
        let dw1 = InputChannels::Depthwise { multiplier: 1 };
        assert_eq!(dw1.channel_abs_max(w.view()).unwrap(), vec![4.0, 3.0]);
        assert!(InputChannels::Interleaved { channels: 0 }
            .channels(1, 1)
            .is_err());
        assert!(InputChannels::Depthwise { multiplier: 0 }
            .channels(1, 1)
            .is_err());
    }

    #[test]
    fn pair_equalizes_ranges_exactly_as_the_paper() {
        let mut l1 = CleLayer::new(
            array![[4.0f32, -1.0], [0.1, 0.05], [0.0, 0.0]],
            array![1.0, 0.2, 0.0],
            InputChannels::Interleaved { channels: 1 },
            None,
        )
        .unwrap();
        let mut l2 = CleLayer::new(
            array![[1.0f32, 2.0, 5.0], [-0.25, 8.0, 1.0]],
            array![0.0, 0.0],
            InputChannels::Interleaved { channels: 3 },
            None,
        )
        .unwrap();
        let s = equalize_pair(&mut l1, &mut l2).unwrap();
        // r1 = [4, 0.1, 0], r2 = [1, 8, 5] → s = [2, sqrt(0.1/8), 1 (dead channel)].
        assert!((s[0] - 2.0).abs() < 1e-6);
        assert!((s[1] - (0.1f32 / 8.0).sqrt()).abs() < 1e-6);
        assert_eq!(s[2], 1.0);
        let (r1, r2) = ranges(&l1, &l2);
        assert!((r1[0] - 2.0).abs() < 1e-6 && (r2[0] - 2.0).abs() < 1e-6);
        assert!((r1[1] - r2[1]).abs() < 1e-6);
        assert_eq!(l1.bias[0], 0.5);
    }

    #[test]
    fn mismatched_pairs_are_errors() {
        let l1 = CleLayer::new(
            Array2::ones((3, 2)),
            Array1::zeros(3),
            InputChannels::Interleaved { channels: 1 },
            None,
        )
        .unwrap();
        let mut l2 = CleLayer::new(
            Array2::ones((2, 8)),
            Array1::zeros(2),
            InputChannels::Interleaved { channels: 4 },
            None,
        )
        .unwrap();
        let mut a = l1.clone();
        assert!(matches!(
            equalize_pair(&mut a, &mut l2),
            Err(QuantError::ShapeMismatch { .. })
        ));
        assert_eq!(a, l1, "nothing changes on error");
        assert!(CleLayer::new(
            Array2::ones((3, 2)),
            Array1::zeros(2),
            InputChannels::Interleaved { channels: 1 },
            None
        )
        .is_err());
        let mut bad = Array2::<f32>::ones((3, 2));
        bad[[0, 0]] = f32::NAN;
        assert!(CleLayer::new(
            bad,
            Array1::zeros(3),
            InputChannels::Interleaved { channels: 1 },
            None
        )
        .is_err());
        let mut chain = vec![l1.clone(), l2.clone()];
        let e = equalize_chain(&mut chain, CleOptions::default()).unwrap_err();
        assert!(e.to_string().contains("CLE pair (0, 1)"), "{e}");
        assert!(equalize_chain(&mut chain[..1], CleOptions::default()).is_err());
        // No statistics: absorption is an error.
        let mut l2ok = CleLayer::new(
            Array2::ones((2, 3)),
            Array1::zeros(2),
            InputChannels::Interleaved { channels: 3 },
            None,
        )
        .unwrap();
        let mut a = l1.clone();
        assert!(absorb_high_bias(&mut a, &mut l2ok, 3.0).is_err());
    }

    #[test]
    fn high_bias_absorption_keeps_the_function_when_activations_clear_c() {
        // Channel 0 is ~N(5, 1) → c = 2; channel 1 ~N(0.5, 1) → c = 0.
        let stats = BnStats::new(array![5.0, 0.5], array![1.0, -1.0]).unwrap();
        let mut l1 = CleLayer::new(
            array![[0.5f32, 0.0], [0.0, 1.0]],
            array![5.0, 0.5],
            InputChannels::Interleaved { channels: 1 },
            Some(stats),
        )
        .unwrap();
        let mut l2 = CleLayer::new(
            array![[1.0f32, 2.0, -1.0, 0.5], [0.3, -0.2, 0.1, 4.0]],
            array![0.1, -0.1],
            InputChannels::Interleaved { channels: 2 },
            None,
        )
        .unwrap();
        let xs = vec![array![1.0f32, 2.0], array![-2.0f32, -3.0]];
        let before = pair_forward(&l1, &l2, &xs);
        let c = absorb_high_bias(&mut l1, &mut l2, 3.0).unwrap();
        assert_eq!(c, array![2.0, 0.0]);
        assert_eq!(l1.bias, array![3.0, 0.5]);
        assert_eq!(l1.stats.as_ref().unwrap().beta, array![3.0, 0.5]);
        let after = pair_forward(&l1, &l2, &xs);
        assert!(close(&before, &after, 1e-5), "{before} vs {after}");
    }

    fn vec_f32(n: usize, lo: f32, hi: f32) -> impl Strategy<Value = Vec<f32>> {
        proptest::collection::vec(lo..hi, n)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn equalizing_a_conv_pair_keeps_the_function(
            w1 in vec_f32(4 * 3, -2.0, 2.0),
            b1 in vec_f32(4, -1.0, 1.0),
            w2 in vec_f32(2 * 4 * 3, -2.0, 2.0),
            b2 in vec_f32(2, -1.0, 1.0),
            xs in proptest::collection::vec(vec_f32(3, -2.0, 2.0), 3),
            row_scale in vec_f32(4, -3.0, 3.0),
        ) {
            // Layer 1 rows of very different magnitudes (10^±3).
            let mut w1 = Array2::from_shape_vec((4, 3), w1).unwrap();
            for (mut r, e) in w1.axis_iter_mut(Axis(0)).zip(&row_scale) { r *= 10f32.powf(*e); }
            let mut l1 = CleLayer::new(w1, Array1::from(b1), InputChannels::Interleaved { channels: 1 }, None).unwrap();
            // Layer 2: 3 taps × 4 channels.
            let mut l2 = CleLayer::new(
                Array2::from_shape_vec((2, 12), w2).unwrap(),
                Array1::from(b2),
                InputChannels::Interleaved { channels: 4 },
                None,
            ).unwrap();
            let xs: Vec<Array1<f32>> = xs.into_iter().map(Array1::from).collect();
            let before = pair_forward(&l1, &l2, &xs);
            let s = equalize_pair(&mut l1, &mut l2).unwrap();
            prop_assert!(s.iter().all(|v| *v > 0.0));
            let after = pair_forward(&l1, &l2, &xs);
            let scale = before.iter().fold(1.0f32, |m, v| m.max(v.abs()));
            prop_assert!(close(&(before / scale), &(after / scale), 1e-4));
            let (r1, r2) = ranges(&l1, &l2);
            for (a, b) in r1.iter().zip(&r2) {
                prop_assert!((a - b).abs() <= 1e-5 * a.max(*b), "{} vs {}", a, b);
            }
        }

        #[test]
        fn equalizing_conv_dw_conv_chain_converges_and_keeps_the_function(
            w0 in vec_f32(3 * 2, -2.0, 2.0),
            b0 in vec_f32(3, -0.5, 0.5),
            wd in vec_f32(6 * 4, -2.0, 2.0),
            bd in vec_f32(6, -0.5, 0.5),
            w2 in vec_f32(2 * 6, -2.0, 2.0),
            xs in proptest::collection::vec(vec_f32(2, -2.0, 2.0), 4),
            mags in vec_f32(6, -2.0, 2.0),
        ) {
            let mut w0 = Array2::from_shape_vec((3, 2), w0).unwrap();
            for (i, mut r) in w0.axis_iter_mut(Axis(0)).enumerate() { r *= 10f32.powf(mags[i]); }
            let mut wd = Array2::from_shape_vec((6, 4), wd).unwrap();
            for (i, mut r) in wd.axis_iter_mut(Axis(0)).enumerate() { r *= 10f32.powf(mags[i]); }
            let mut chain = vec![
                CleLayer::new(w0, Array1::from(b0), InputChannels::Interleaved { channels: 2 }, None).unwrap(),
                // Depthwise: 3 channels, multiplier 2, 4 taps.
                CleLayer::new(wd, Array1::from(bd), InputChannels::Depthwise { multiplier: 2 }, None).unwrap(),
                CleLayer::new(Array2::from_shape_vec((2, 6), w2).unwrap(), Array1::zeros(2), InputChannels::Interleaved { channels: 6 }, None).unwrap(),
            ];
            let xs: Vec<Array1<f32>> = xs.into_iter().map(Array1::from).collect();
            let forward = |c: &[CleLayer]| {
                let h0: Vec<Array1<f32>> = xs.iter().map(|x| relu(c[0].weight.dot(x) + &c[0].bias)).collect();
                let h1 = relu(layer2(&c[1], &h0));
                layer2(&c[2], &[h1])
            };
            let before = forward(&chain);
            let rep = equalize_chain(&mut chain, CleOptions::default()).unwrap();
            prop_assert!(rep.converged, "{:?}", rep);
            let after = forward(&chain);
            let scale = before.iter().fold(1.0f32, |m, v| m.max(v.abs()));
            prop_assert!(close(&(before / scale), &(after / scale), 1e-3));
            for k in 0..2 {
                let (r1, r2) = ranges(&chain[k], &chain[k + 1]);
                for (a, b) in r1.iter().zip(&r2) {
                    prop_assert!((a - b).abs() <= 1e-3 * a.max(*b), "pair {}: {} vs {}", k, a, b);
                }
            }
        }
    }
}
