//! Errors of the driver that are not MLIR diagnostics on the IR.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum DriverError {
    #[error("{path}: error: cannot open input file: {reason}")]
    ReadInput { path: String, reason: String },
    #[error("{path}: error: cannot open output file: {reason}")]
    WriteOutput { path: String, reason: String },
    #[error("{0}")]
    Usage(String),
    #[error("internal error: {0}")]
    Internal(String),
}
