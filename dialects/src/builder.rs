//! Creating ops and attributes through MLIR's C API: the one insertion
//! primitive the dialects' typed `build`s use, and that cimc's passes build
//! every other op with (their `Emitter` wraps a [`Builder`]).
//!
//! Raw C handles, not melior's borrowed references: passes create and erase
//! ops while they walk a function, which borrowed references cannot express.

use mlir_sys as sys;

/// `text` as the C API's string reference (borrowed, not copied).
pub use crate::handle::string_ref;

/// Creates ops before an anchor op, at the anchor's location.
#[derive(Debug, Clone, Copy)]
pub struct Builder {
    context: sys::MlirContext,
    location: sys::MlirLocation,
    block: sys::MlirBlock,
    before: sys::MlirOperation,
}

impl Builder {
    /// Inserts before `anchor`, with its location.
    pub fn before(anchor: sys::MlirOperation) -> Self {
        unsafe {
            Builder {
                context: sys::mlirOperationGetContext(anchor),
                location: sys::mlirOperationGetLocation(anchor),
                block: sys::mlirOperationGetBlock(anchor),
                before: anchor,
            }
        }
    }

    pub fn context(&self) -> sys::MlirContext {
        self.context
    }

    pub fn location(&self) -> sys::MlirLocation {
        self.location
    }

    /// Creates `name` with these operands, result types and attributes,
    /// inserts it and returns it.
    pub fn create(
        &self,
        name: &str,
        operands: &[sys::MlirValue],
        results: &[sys::MlirType],
        attrs: &[(&str, sys::MlirAttribute)],
    ) -> sys::MlirOperation {
        unsafe {
            let mut state = sys::mlirOperationStateGet(string_ref(name), self.location);
            sys::mlirOperationStateAddOperands(
                &mut state,
                operands.len() as isize,
                operands.as_ptr(),
            );
            sys::mlirOperationStateAddResults(&mut state, results.len() as isize, results.as_ptr());
            let named: Vec<sys::MlirNamedAttribute> = attrs
                .iter()
                .map(|(key, value)| {
                    sys::mlirNamedAttributeGet(
                        sys::mlirIdentifierGet(self.context, string_ref(key)),
                        *value,
                    )
                })
                .collect();
            sys::mlirOperationStateAddAttributes(&mut state, named.len() as isize, named.as_ptr());
            let op = sys::mlirOperationCreate(&mut state);
            sys::mlirBlockInsertOwnedOperationBefore(self.block, self.before, op);
            op
        }
    }

    /// Parses a type (`i32`, `tensor<4x8xi8>`, `!cim.tile`).
    pub fn ty(&self, text: &str) -> sys::MlirType {
        unsafe { sys::mlirTypeParseGet(self.context, string_ref(text)) }
    }

    pub fn i64_attr(&self, value: i64) -> sys::MlirAttribute {
        i64_attr(self.context, value)
    }

    pub fn bool_attr(&self, value: bool) -> sys::MlirAttribute {
        bool_attr(self.context, value)
    }

    pub fn str_attr(&self, value: &str) -> sys::MlirAttribute {
        str_attr(self.context, value)
    }

    pub fn i64_array(&self, values: &[i64]) -> sys::MlirAttribute {
        i64_array(self.context, values)
    }

    pub fn bool_array(&self, values: &[bool]) -> sys::MlirAttribute {
        bool_array(self.context, values)
    }
}

pub(crate) fn i64_attr(context: sys::MlirContext, value: i64) -> sys::MlirAttribute {
    unsafe { sys::mlirIntegerAttrGet(sys::mlirIntegerTypeGet(context, 64), value) }
}

pub(crate) fn bool_attr(context: sys::MlirContext, value: bool) -> sys::MlirAttribute {
    unsafe { sys::mlirBoolAttrGet(context, i32::from(value)) }
}

pub(crate) fn str_attr(context: sys::MlirContext, value: &str) -> sys::MlirAttribute {
    unsafe { sys::mlirStringAttrGet(context, string_ref(value)) }
}

pub(crate) fn i64_array(context: sys::MlirContext, values: &[i64]) -> sys::MlirAttribute {
    unsafe { sys::mlirDenseI64ArrayGet(context, values.len() as isize, values.as_ptr()) }
}

pub(crate) fn bool_array(context: sys::MlirContext, values: &[bool]) -> sys::MlirAttribute {
    let ints: Vec<i32> = values.iter().map(|v| i32::from(*v)).collect();
    unsafe { sys::mlirDenseBoolArrayGet(context, ints.len() as isize, ints.as_ptr()) }
}
