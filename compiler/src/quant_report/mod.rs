//! The quantization report of `cimc quantize --report FILE.json`: after
//! calibration, before conversion, the calibrated float model is compared
//! with fake-quantized copies of itself (`cim-quant-fake-quant`), all run
//! through reference execution on the evaluation data:
//!   * per layer, the fully fake-quantized model's activation against the
//!     float model's (SQNR in dB, cosine similarity), over all samples;
//!   * at the output, weight-only, activation-only and both;
//!   * per layer, the output with only that layer quantized and with every
//!     layer but that one;
//!   * with labels, top-1 of the float, fake-quantized and (after
//!     conversion) integer models.
//!
//! The tables go to standard error, everything to the JSON file.
//!
//! `experiment` runs the models and measures them, `findings` is what it
//! measures, `render` writes it out, `observe` finds where each model's
//! values are read. The IR rewriting the report needs (fake quantization,
//! weights carried over from a weight pass) is in `cimc_passes::quant`.

mod experiment;
mod findings;
mod observe;
mod render;

pub use experiment::Job;
