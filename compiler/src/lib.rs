//! cimc: a compiler from TOSA to compute-in-memory accelerators.
//!
//! The driver ([`driver`]) reads MLIR, runs phase pipelines or a user's pass
//! pipeline ([`pipeline`]) built from cimc passes and upstream MLIR passes,
//! and prints the result or located diagnostics.

pub mod adc_calibration;
pub mod budget;
pub mod cli;
pub mod context;
pub mod crash;
pub mod diagnostics;
pub mod driver;
pub mod error;
pub mod fuzz;
pub mod list_passes;
pub mod llvm;
pub mod pass_context;
pub mod pipeline;
pub mod pipelines;
pub mod quant_config;
pub mod quant_report;
pub mod quantize;
pub mod reference;
pub mod report;
pub mod run;
pub mod simulate;
pub mod source;
pub mod stderr_capture;
pub mod sweep;
pub mod verify_diagnostics;
