//! Emitting diagnostics from passes: they reach the driver's handler, which
//! prints them as `file:line:col: error: ...`.

use melior::ir::operation::OperationLike;
use melior::ir::{Location, OperationRef};
use std::ffi::CString;

/// Emits an error at `location`.
pub fn emit_error(location: Location<'_>, message: &str) {
    // Interior NULs cannot cross the C API; show them instead of truncating.
    let text = CString::new(message.replace('\0', "\\0")).unwrap_or_default();
    unsafe { mlir_sys::mlirEmitError(location.to_raw(), text.as_ptr()) }
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
    op_error(unsafe { OperationRef::from_raw(op) }, message);
}

/// Reports a malformed `cim` op at its location; the pass then fails.
pub fn malformed(err: cimc_dialects::cim::MalformedOp) -> crate::PassFailed {
    emit_error(
        unsafe { melior::ir::Location::from_raw(err.location()) },
        &err.to_string(),
    );
    crate::PassFailed
}
