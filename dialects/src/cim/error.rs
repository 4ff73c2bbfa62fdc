//! A `cim` op that breaks its definition, with the op's location so that the
//! caller emits a located diagnostic.

use crate::handle::OpRef;
use mlir_sys as sys;
use std::fmt;

/// A malformed `cim` op: printed as MLIR's verifiers print, `'cim.mvm' op
/// requires attribute 'adc_bits'`, at the op's location.
#[derive(Debug, Clone)]
pub struct MalformedOp {
    op: sys::MlirOperation,
    op_name: String,
    location: sys::MlirLocation,
    reason: String,
}

impl MalformedOp {
    /// `op` is malformed for `reason` (a phrase following `'<op>' op`).
    pub fn new(op: sys::MlirOperation, reason: impl Into<String>) -> Self {
        MalformedOp {
            op,
            op_name: op_name(op),
            location: crate::handle::OpRef::new(op).map_or(
                sys::MlirLocation {
                    ptr: std::ptr::null_mut(),
                },
                crate::handle::OpRef::location,
            ),
            reason: reason.into(),
        }
    }

    /// Where the op is: report the diagnostic here.
    pub fn location(&self) -> sys::MlirLocation {
        self.location
    }

    /// The malformed op (a `cim.mvm`'s program when that is malformed).
    pub fn op(&self) -> sys::MlirOperation {
        self.op
    }

    pub fn op_name(&self) -> &str {
        &self.op_name
    }

    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for MalformedOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "'{}' op {}", self.op_name, self.reason)
    }
}

impl std::error::Error for MalformedOp {}

/// The name of `op` (`cim.mvm`).
pub(crate) fn op_name(op: sys::MlirOperation) -> String {
    OpRef::new(op).map(OpRef::name).unwrap_or_default()
}
