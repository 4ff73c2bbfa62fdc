//! Batch-norm folding: merging an inference-mode batch norm into the weights
//! and bias of the layer before it, and keeping the statistics the later
//! data-free steps need.
//!
//! Why: a quantized network computes `conv → rescale`, with no separate
//! normalisation, so BN must be folded before the weight ranges are set
//! (Nagel et al. 2021, "A White Paper on Neural Network Quantization",
//! §2.3.1). For output channel i, with σ_i = sqrt(var_i + ε):
//!
//! ```text
//! y_i = γ_i · (W_i·x + b_i − μ_i) / σ_i + β_i
//!     = W'_i·x + b'_i,   W'_i = (γ_i / σ_i) · W_i,   b'_i = (γ_i / σ_i) · (b_i − μ_i) + β_i
//! ```
//!
//! The BN's β and γ survive as statistics ([`BnStats`]): on the data BN was
//! trained on, the folded layer's pre-activation output in channel i is
//! approximately normal with mean β_i and standard deviation |γ_i|. That is
//! what high-bias absorption (Nagel et al. 2019, "Data-Free Quantization",
//! §4.1) and analytical bias correction (ibid. §4.2) use, so CLE must keep
//! it up to date when it rescales a channel.
//!
//! Weights are 2-D: rows = output channels, columns = fan-in.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};

use crate::error::{check_finite, check_len, check_nonempty, QuantError, Result};

/// An inference-mode batch norm over the output channels of a layer.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchNorm {
    /// Scale γ per channel.
    pub gamma: Vec<f32>,
    /// Shift β per channel.
    pub beta: Vec<f32>,
    /// Running mean μ per channel.
    pub mean: Vec<f32>,
    /// Running variance per channel (≥ 0).
    pub var: Vec<f32>,
    /// ε added to the variance (≥ 0; var + ε must be > 0).
    pub eps: f32,
}

impl BatchNorm {
    /// Checks lengths (all equal to `channels`), finiteness, var ≥ 0 and
    /// var + ε > 0.
    pub fn validate(&self, channels: usize) -> Result<()> {
        for (name, v) in [
            ("batch norm gamma", &self.gamma),
            ("batch norm beta", &self.beta),
            ("batch norm mean", &self.mean),
            ("batch norm var", &self.var),
        ] {
            check_len(name, channels, v.len())?;
            crate::error::check_finite_slice(name, v)?;
        }
        if !self.eps.is_finite() || self.eps < 0.0 {
            return Err(QuantError::invalid(
                "batch norm eps",
                self.eps,
                "must be finite and >= 0",
            ));
        }
        for (c, &v) in self.var.iter().enumerate() {
            if v < 0.0 || v + self.eps <= 0.0 {
                return Err(QuantError::invalid(
                    &format!("batch norm var[{c}]"),
                    v,
                    "must be >= 0 with var + eps > 0",
                ));
            }
        }
        Ok(())
    }
}

/// Per-output-channel statistics of a layer's pre-activation output after a
/// folded BN: mean β and standard deviation |γ|.
#[derive(Clone, Debug, PartialEq)]
pub struct BnStats {
    /// Mean of the output per channel.
    pub beta: Array1<f32>,
    /// Scale of the output per channel; its absolute value is the standard
    /// deviation.
    pub gamma: Array1<f32>,
}

impl BnStats {
    /// Validated statistics (equal lengths, finite).
    pub fn new(beta: Array1<f32>, gamma: Array1<f32>) -> Result<Self> {
        check_len("bn stats gamma", beta.len(), gamma.len())?;
        check_finite("bn stats beta", &beta)?;
        check_finite("bn stats gamma", &gamma)?;
        Ok(BnStats { beta, gamma })
    }

    /// Number of channels.
    pub fn channels(&self) -> usize {
        self.beta.len()
    }

    /// Standard deviation per channel, |γ|.
    pub fn std(&self) -> Array1<f32> {
        self.gamma.mapv(f32::abs)
    }

    /// Channel i's output was divided by `s[i]` (CLE): β_i /= s_i, γ_i /= s_i.
    pub fn divide_channels(&mut self, s: &[f32]) -> Result<()> {
        check_len("bn stats channel scales", self.channels(), s.len())?;
        for (i, &si) in s.iter().enumerate() {
            if !(si.is_finite() && si > 0.0) {
                return Err(QuantError::invalid(
                    &format!("channel scale[{i}]"),
                    si,
                    "must be finite and > 0",
                ));
            }
            self.beta[i] /= si;
            self.gamma[i] /= si;
        }
        Ok(())
    }

    /// `c` was subtracted from channel i's output (bias absorption): β_i −= c_i.
    pub fn subtract(&mut self, c: ArrayView1<f32>) -> Result<()> {
        check_len("bn stats shift", self.channels(), c.len())?;
        self.beta -= &c;
        Ok(())
    }
}

/// The result of folding a BN into a layer.
#[derive(Clone, Debug, PartialEq)]
pub struct Folded {
    /// W' (rows = output channels).
    pub weight: Array2<f32>,
    /// b'.
    pub bias: Array1<f32>,
    /// The folded BN's β and γ.
    pub stats: BnStats,
}

/// Folds `bn` into the layer (weight rows = output channels, optional bias;
/// a missing bias is 0). See the module documentation for the formula.
pub fn fold_batch_norm(
    weight: ArrayView2<f32>,
    bias: Option<ArrayView1<f32>>,
    bn: &BatchNorm,
) -> Result<Folded> {
    check_nonempty("weights", &weight)?;
    check_finite("weights", &weight)?;
    let o = weight.nrows();
    let bias = match bias {
        Some(b) => {
            check_len("bias", o, b.len())?;
            check_finite("bias", &b)?;
            b.to_owned()
        }
        None => Array1::zeros(o),
    };
    bn.validate(o)?;
    let factor: Array1<f32> = (0..o)
        .map(|i| (bn.gamma[i] as f64 / (bn.var[i] as f64 + bn.eps as f64).sqrt()) as f32)
        .collect();
    let mut w = weight.to_owned();
    for (mut row, &f) in w.axis_iter_mut(Axis(0)).zip(factor.iter()) {
        row *= f;
    }
    let b: Array1<f32> = (0..o)
        .map(|i| factor[i] * (bias[i] - bn.mean[i]) + bn.beta[i])
        .collect();
    check_finite("folded weights", &w)?;
    check_finite("folded bias", &b)?;
    Ok(Folded {
        weight: w,
        bias: b,
        stats: BnStats {
            beta: Array1::from(bn.beta.clone()),
            gamma: Array1::from(bn.gamma.clone()),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;
    use proptest::prelude::*;

    fn bn3() -> BatchNorm {
        BatchNorm {
            gamma: vec![2.0, -0.5, 1.0],
            beta: vec![0.1, 0.2, -0.3],
            mean: vec![1.0, -1.0, 0.0],
            var: vec![4.0, 0.25, 0.0],
            eps: 1e-5,
        }
    }

    #[test]
    fn folding_matches_conv_then_bn() {
        let w = array![[1.0f32, 2.0], [0.5, -1.0], [3.0, 0.0]];
        let b = array![0.5f32, 0.0, -1.0];
        let bn = bn3();
        let f = fold_batch_norm(w.view(), Some(b.view()), &bn).unwrap();
        let x = array![0.3f32, -0.7];
        let y = w.dot(&x) + &b;
        for i in 0..3 {
            let expect =
                bn.gamma[i] * (y[i] - bn.mean[i]) / (bn.var[i] + bn.eps).sqrt() + bn.beta[i];
            let got = f.weight.row(i).dot(&x) + f.bias[i];
            assert!(
                (got - expect).abs() < 1e-3 * expect.abs().max(1.0),
                "{i}: {got} vs {expect}"
            );
        }
        assert_eq!(f.stats.beta, array![0.1, 0.2, -0.3]);
        assert_eq!(f.stats.std(), array![2.0, 0.5, 1.0]);
        // No bias = zero bias.
        let g = fold_batch_norm(w.view(), None, &bn).unwrap();
        let h = fold_batch_norm(w.view(), Some(Array1::zeros(3).view()), &bn).unwrap();
        assert_eq!(g, h);
    }

    #[test]
    fn bad_batch_norms_are_errors() {
        let w = Array2::<f32>::ones((3, 2));
        let mut bn = bn3();
        bn.var[1] = -1.0;
        let e = fold_batch_norm(w.view(), None, &bn).unwrap_err();
        assert!(e.to_string().contains("var[1]"), "{e}");
        let mut bn = bn3();
        bn.var[2] = 0.0;
        bn.eps = 0.0;
        assert!(fold_batch_norm(w.view(), None, &bn).is_err());
        let mut bn = bn3();
        bn.gamma.pop();
        assert!(matches!(
            fold_batch_norm(w.view(), None, &bn),
            Err(QuantError::ShapeMismatch { .. })
        ));
        let mut bn = bn3();
        bn.mean[0] = f32::NAN;
        assert!(matches!(
            fold_batch_norm(w.view(), None, &bn),
            Err(QuantError::NonFinite { .. })
        ));
        assert!(fold_batch_norm(w.view(), Some(array![1.0f32].view()), &bn3()).is_err());
        assert!(fold_batch_norm(Array2::<f32>::zeros((0, 2)).view(), None, &bn3()).is_err());
    }

    #[test]
    fn stats_follow_rescaling_and_shifts() {
        let mut s = BnStats::new(array![1.0, -2.0], array![0.5, -4.0]).unwrap();
        s.divide_channels(&[2.0, 4.0]).unwrap();
        assert_eq!(s.beta, array![0.5, -0.5]);
        assert_eq!(s.std(), array![0.25, 1.0]);
        s.subtract(array![0.5, 0.0].view()).unwrap();
        assert_eq!(s.beta, array![0.0, -0.5]);
        assert!(s.divide_channels(&[0.0, 1.0]).is_err());
        assert!(s.divide_channels(&[1.0]).is_err());
        assert!(BnStats::new(array![1.0], array![1.0, 2.0]).is_err());
    }

    proptest! {
        #[test]
        fn folded_layer_equals_layer_then_bn(
            w in proptest::collection::vec(-2.0f32..2.0, 8),
            x in proptest::collection::vec(-2.0f32..2.0, 4),
            gamma in proptest::collection::vec(-3.0f32..3.0, 2),
            var in proptest::collection::vec(0.01f32..4.0, 2),
            mean in proptest::collection::vec(-1.0f32..1.0, 2),
        ) {
            let w = Array2::from_shape_vec((2, 4), w).unwrap();
            let x = Array1::from(x);
            let bn = BatchNorm { gamma, beta: vec![0.3, -0.1], mean, var, eps: 1e-3 };
            let f = fold_batch_norm(w.view(), None, &bn).unwrap();
            let y = w.dot(&x);
            for i in 0..2 {
                let expect = bn.gamma[i] * (y[i] - bn.mean[i]) / (bn.var[i] + bn.eps).sqrt() + bn.beta[i];
                let got = f.weight.row(i).dot(&x) + f.bias[i];
                prop_assert!((got - expect).abs() < 1e-4 * (1.0 + expect.abs() * 10.0));
            }
        }
    }
}
