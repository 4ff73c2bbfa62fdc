//! Raw handles of MLIR's C API that the other IR helpers share: the handle
//! types, string references, an op's name and its attribute lookup. This is
//! the bottom of the passes' IR helpers: [`crate::ir`] (walking) and
//! [`crate::emit`] (building and reading) both stand on it.

use mlir_sys as sys;

/// A raw operation handle.
pub type RawOp = sys::MlirOperation;
pub type RawValue = sys::MlirValue;
pub type RawType = sys::MlirType;
pub type RawAttr = sys::MlirAttribute;

pub use cimc_dialects::handle::string_ref;
use cimc_dialects::handle::OpRef;

/// The name of `op` (`tosa.conv2d`).
pub fn op_name(op: RawOp) -> String {
    OpRef::new(op).map(OpRef::name).unwrap_or_default()
}

/// The attribute `name` of `op`, if present.
pub fn attr(op: RawOp, name: &str) -> Option<RawAttr> {
    OpRef::new(op)?.attr(name)
}
