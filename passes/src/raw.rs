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

/// `text` as the C API's string reference (borrowed, not copied).
pub fn string_ref(text: &str) -> sys::MlirStringRef {
    sys::MlirStringRef {
        data: text.as_ptr().cast(),
        length: text.len(),
    }
}

/// The name of `op` (`tosa.conv2d`).
pub fn op_name(op: RawOp) -> String {
    unsafe {
        let id = sys::mlirOperationGetName(op);
        let name = sys::mlirIdentifierStr(id);
        let bytes = std::slice::from_raw_parts(name.data.cast::<u8>(), name.length);
        String::from_utf8_lossy(bytes).into_owned()
    }
}

/// The attribute `name` of `op`, if present.
pub fn attr(op: RawOp, name: &str) -> Option<RawAttr> {
    let attr = unsafe { sys::mlirOperationGetAttributeByName(op, string_ref(name)) };
    (!attr.ptr.is_null()).then_some(attr)
}
