//! Emitting diagnostics from passes: they reach the driver's handler, which
//! prints them as `file:line:col: error: ...`.

use cimc_dialects::handle::{self, OpRef};
use melior::ir::operation::OperationLike;
use melior::ir::{Location, OperationRef};

/// Emits an error at `location`.
pub fn emit_error(location: Location<'_>, message: &str) {
    handle::emit_error(location.to_raw(), message)
}

/// Emits an error at `op`'s location, prefixed with the op's name as MLIR's
/// own verifiers do: `'tosa.add' op ...`.
pub fn op_error(op: OperationRef<'_, '_>, message: &str) {
    let name = op.name();
    let name = name.as_string_ref().as_str().unwrap_or("<op>");
    emit_error(op.location(), &format!("'{name}' op {message}"));
}

/// [`op_error`] for an op held as a raw C handle.
pub fn raw_op_error(op: mlir_sys::MlirOperation, message: &str) {
    if let Some(op) = OpRef::new(op) {
        handle::emit_error(op.location(), &format!("'{}' op {message}", op.name()));
    }
}

/// Reports a malformed `cim` op at its location; the pass then fails.
pub fn malformed(err: cimc_dialects::cim::MalformedOp) -> crate::PassFailed {
    handle::emit_error(err.location(), &err.to_string());
    crate::PassFailed
}
