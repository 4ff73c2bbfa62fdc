//! The quantization level: float TOSA to integer TOSA. Calibration (running
//! the float model on data) happens in the driver, which records each
//! activation's range on the IR (`cim.quant.range`); the passes here read
//! those ranges and the constants, and rewrite.

pub mod adaround;
pub mod bias_correction;
pub mod convert;
pub mod equalize;
pub mod fake_quant;
pub mod fold_batch_norm;
pub mod layer;
