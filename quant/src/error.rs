//! Errors of the quantization core, and the input checks every public
//! function runs before it computes anything.
//!
//! Why: the MLIR passes feed this crate weights, statistics and calibration
//! data taken from user models; bad data (a NaN weight, a BN variance of −1,
//! a bias with the wrong length, a 1-bit grid) must come back as an error that
//! names the offending thing, never as a panic or a silently wrong result.

use ndarray::{ArrayBase, Data, Dimension};

/// Result alias of this crate.
pub type Result<T> = std::result::Result<T, QuantError>;

/// Everything that can go wrong in the quantization core. Each variant names
/// the offending argument (`what`), so the caller can prefix the layer name.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum QuantError {
    /// A bit width outside the supported range.
    #[error("{what}: bit width {bits} is outside {min}..={max}")]
    BitWidth {
        what: String,
        bits: u32,
        min: u32,
        max: u32,
    },
    /// An empty tensor, list or range where data is needed.
    #[error("{what}: is empty")]
    Empty { what: String },
    /// Two arguments whose shapes or lengths must agree do not.
    #[error("{what}: shape mismatch: expected {expected}, got {got}")]
    ShapeMismatch {
        what: String,
        expected: String,
        got: String,
    },
    /// A NaN or infinite value in the input.
    #[error("{what}: non-finite value {value} at flat index {index}")]
    NonFinite {
        what: String,
        index: usize,
        value: f64,
    },
    /// Not enough samples for a statistic or an optimisation.
    #[error("{what}: too few samples: need at least {need}, got {got}")]
    TooFewSamples {
        what: String,
        need: usize,
        got: usize,
    },
    /// A value that is finite but not allowed (a negative scale, a negative
    /// variance, a percentile above 100, ...).
    #[error("{what}: invalid value {value}: {reason}")]
    InvalidValue {
        what: String,
        value: String,
        reason: String,
    },
    /// A `tosa.rescale` parameter set that violates a REQUIRE of the TOSA 1.0
    /// specification for some input in the stated range.
    #[error("rescale: {requirement} does not hold: {detail}")]
    RescaleRequire { requirement: String, detail: String },
}

impl QuantError {
    pub(crate) fn invalid(what: &str, value: impl ToString, reason: impl Into<String>) -> Self {
        QuantError::InvalidValue {
            what: what.to_string(),
            value: value.to_string(),
            reason: reason.into(),
        }
    }

    pub(crate) fn mismatch(what: &str, expected: impl ToString, got: impl ToString) -> Self {
        QuantError::ShapeMismatch {
            what: what.to_string(),
            expected: expected.to_string(),
            got: got.to_string(),
        }
    }

    pub(crate) fn empty(what: &str) -> Self {
        QuantError::Empty {
            what: what.to_string(),
        }
    }
}

/// Every element finite, else [`QuantError::NonFinite`] with the first bad one.
pub(crate) fn check_finite<S, D>(what: &str, a: &ArrayBase<S, D>) -> Result<()>
where
    S: Data<Elem = f32>,
    D: Dimension,
{
    match a.iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(index) => {
            let value = a.iter().nth(index).copied().unwrap_or(f32::NAN) as f64;
            Err(QuantError::NonFinite {
                what: what.to_string(),
                index,
                value,
            })
        }
    }
}

/// Every element of a slice finite.
pub(crate) fn check_finite_slice(what: &str, a: &[f32]) -> Result<()> {
    match a.iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(index) => Err(QuantError::NonFinite {
            what: what.to_string(),
            index,
            value: a[index] as f64,
        }),
    }
}

/// Non-empty, else [`QuantError::Empty`].
pub(crate) fn check_nonempty<S, D>(what: &str, a: &ArrayBase<S, D>) -> Result<()>
where
    S: Data,
    D: Dimension,
{
    if a.is_empty() {
        Err(QuantError::empty(what))
    } else {
        Ok(())
    }
}

/// A length equal to `expected`.
pub(crate) fn check_len(what: &str, expected: usize, got: usize) -> Result<()> {
    if expected == got {
        Ok(())
    } else {
        Err(QuantError::mismatch(
            what,
            format!("length {expected}"),
            format!("length {got}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn finite_check_names_the_first_bad_element() {
        let a = array![[1.0f32, 2.0], [f32::NAN, f32::INFINITY]];
        match check_finite("weights", &a) {
            Err(QuantError::NonFinite { what, index, .. }) => {
                assert_eq!(what, "weights");
                assert_eq!(index, 2);
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(check_finite("w", &array![1.0f32]).is_ok());
        assert!(matches!(
            check_finite_slice("x", &[0.0, f32::NEG_INFINITY]),
            Err(QuantError::NonFinite { index: 1, .. })
        ));
    }

    #[test]
    fn messages_name_the_argument() {
        let e = QuantError::mismatch("bias", "length 3", "length 4");
        assert_eq!(
            e.to_string(),
            "bias: shape mismatch: expected length 3, got length 4"
        );
        assert!(check_len("bias", 3, 4).is_err());
        assert!(check_len("bias", 3, 3).is_ok());
        let empty: ndarray::Array1<f32> = ndarray::Array1::zeros(0);
        assert_eq!(
            check_nonempty("samples", &empty).unwrap_err().to_string(),
            "samples: is empty"
        );
    }
}
