//! `cimc-quant`: the numerical core of cimc's post-training quantization
//! (PTQ), in plain Rust over `ndarray`, with no MLIR dependency.
//!
//! The MLIR passes that build the `quant` level (TOSA on plain integer
//! tensors with `tosa.rescale`) read weights and calibration statistics out
//! of the graph, call this crate, and write integer constants and rescale
//! parameters back. Each module holds one algorithm:
//!
//! | module | what |
//! |---|---|
//! | [`grid`] | quantization specs and grids; quantize / dequantize / fake-quantize |
//! | [`range`] | weight ranges (min-max, MSE); activation observers and ranges (min-max, percentile, histogram MSE) |
//! | [`rescale`] | TOSA 1.0 `tosa.rescale` arithmetic: (multiplier, shift), `apply_scale_32/16`, REQUIRE checks |
//! | [`bn_fold`] | batch-norm folding, keeping BN β/γ as statistics |
//! | [`cle`] | cross-layer equalization and high-bias absorption |
//! | [`bias_correction`] | empirical and analytical bias correction |
//! | [`mod@adaround`] | AdaRound, per layer |
//! | [`activation`] | the activation after a layer, as those algorithms need it |
//!
//! **Weight layout.** Every weight is a 2-D matrix, rows = output channels,
//! columns = fan-in; per-channel grids are per row. The MLIR side reshapes:
//! conv2d [O, KH, KW, I] → [O, KH·KW·I] (input channel fastest);
//! depthwise_conv2d [KH, KW, C, M] → [C·M, KH·KW] (row c·M + m); matmul's
//! right operand [K, N] → its transpose [N, K]. [`cle::InputChannels`] says
//! which columns (or rows, for depthwise) belong to which input channel.
//!
//! References: Nagel et al. 2021, "A White Paper on Neural Network
//! Quantization"; Nagel et al. 2019, "Data-Free Quantization Through Weight
//! Equalization and Bias Correction"; Nagel et al. 2020, "Up or Down?
//! Adaptive Rounding for Post-Training Quantization"; the TOSA 1.0
//! specification. The crate's README.md documents every algorithm, formula
//! and default.

pub mod activation;
pub mod adaround;
pub mod bias_correction;
pub mod bn_fold;
pub mod cle;
pub mod error;
pub mod grid;
pub mod range;
pub mod rescale;

pub use activation::Activation;
pub use adaround::{adaround, AdaRoundOptions, AdaRoundProblem, AdaRoundResult, BetaSchedule};
pub use bias_correction::{
    analytical_bias_correction, clipped_normal_mean, empirical_bias_correction,
    empirical_bias_correction_from_inputs, expected_activation,
};
pub use bn_fold::{fold_batch_norm, BatchNorm, BnStats, Folded};
pub use cle::{
    absorb_high_bias, equalize_chain, equalize_pair, CleLayer, CleOptions, CleReport, InputChannels,
};
pub use error::{QuantError, Result};
pub use grid::{Grid, QuantSpec};
pub use range::{
    activation_grid, activation_grid_from_samples, weight_grid, weight_ranges, ActivationRange,
    MseSearch, Observer, ObserverParts, WeightRange,
};
pub use rescale::{
    apply_scale_16, apply_scale_32, check_require, check_require_16, per_channel_scale32, scale16,
    scale32, Scale16, Scale32,
};
