//! The element-wise activation that follows a layer, as far as the PTQ
//! algorithms need to know it.
//!
//! Why: three algorithms depend on it. Cross-layer equalization is exact only
//! across positively homogeneous activations (identity, ReLU); analytical bias
//! correction needs E[act(x)] for a normal pre-activation (Nagel et al. 2019,
//! "Data-Free Quantization", §4.2); AdaRound can reconstruct the layer's
//! output after its activation (Nagel et al. 2020, "Up or Down?", §4).
//! TOSA expresses ReLU and ReLU6 as `tosa.clamp`, so `Clamp` covers both.

use crate::error::{QuantError, Result};

/// An element-wise activation applied to a layer's output.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub enum Activation {
    /// No activation: y = x.
    #[default]
    Identity,
    /// y = max(x, 0).
    Relu,
    /// y = min(max(x, min), max) (ReLU6 is `Clamp { min: 0, max: 6 }`).
    Clamp { min: f32, max: f32 },
}

impl Activation {
    /// Checks that a clamp has finite bounds with min < max.
    pub fn validate(&self) -> Result<()> {
        if let Activation::Clamp { min, max } = *self {
            if !min.is_finite() || !max.is_finite() || min >= max {
                return Err(QuantError::invalid(
                    "activation clamp",
                    format!("[{min}, {max}]"),
                    "bounds must be finite with min < max",
                ));
            }
        }
        Ok(())
    }

    /// The activation of one value.
    #[inline]
    pub fn apply(&self, x: f32) -> f32 {
        match *self {
            Activation::Identity => x,
            Activation::Relu => x.max(0.0),
            Activation::Clamp { min, max } => x.clamp(min, max),
        }
    }

    /// The derivative at `x` (0 where the activation saturates; the kinks
    /// count as saturated, a valid subgradient).
    #[inline]
    pub fn derivative(&self, x: f32) -> f32 {
        match *self {
            Activation::Identity => 1.0,
            Activation::Relu => {
                if x > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Activation::Clamp { min, max } => {
                if x > min && x < max {
                    1.0
                } else {
                    0.0
                }
            }
        }
    }

    /// Whether act(s·x) = s·act(x) for all s > 0, the condition under which
    /// cross-layer equalization preserves the network's function.
    pub fn is_positively_homogeneous(&self) -> bool {
        match *self {
            Activation::Identity | Activation::Relu => true,
            Activation::Clamp { min, max } => min == 0.0 && max == f32::INFINITY,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apply_and_derivative() {
        let r6 = Activation::Clamp { min: 0.0, max: 6.0 };
        assert_eq!(r6.apply(7.0), 6.0);
        assert_eq!(r6.apply(-1.0), 0.0);
        assert_eq!(r6.apply(3.0), 3.0);
        assert_eq!(r6.derivative(3.0), 1.0);
        assert_eq!(r6.derivative(6.5), 0.0);
        assert_eq!(Activation::Relu.apply(-2.0), 0.0);
        assert_eq!(Activation::Relu.derivative(-2.0), 0.0);
        assert_eq!(Activation::Relu.derivative(2.0), 1.0);
        assert_eq!(Activation::Identity.apply(-2.0), -2.0);
        assert!(Activation::Relu.is_positively_homogeneous());
        assert!(!r6.is_positively_homogeneous());
    }

    #[test]
    fn bad_clamp_is_an_error() {
        assert!(Activation::Clamp { min: 1.0, max: 1.0 }.validate().is_err());
        assert!(Activation::Clamp {
            min: f32::NAN,
            max: 1.0
        }
        .validate()
        .is_err());
        assert!(Activation::Clamp { min: 0.0, max: 6.0 }.validate().is_ok());
    }
}
