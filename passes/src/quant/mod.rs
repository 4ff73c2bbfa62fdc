//! The quantization level: float TOSA to integer TOSA. Calibration (running
//! the float model on data) happens in the driver, which records each
//! activation's observer state on the IR (`cim.quant.observed`);
//! cim-quant-activation-range turns those into ranges (`cim.quant.range`),
//! cim-quant-weight-range chooses the weights' (`cim.quant.weight_range`),
//! and the other passes here read the ranges and the constants, and
//! rewrite.

pub mod activation_range;
pub mod adaround;
pub mod bias_correction;
pub mod convert;
pub mod equalize;
pub mod fake_quant;
pub mod fold_batch_norm;
pub mod fold_constants;
pub mod grid;
pub mod layer;
pub mod name_layers;
pub mod options;
pub mod transplant;
pub mod weight_range;
