//! Safe views of MLIR types for the checks passes make.

use melior::ir::{Type, TypeLike};
use mlir_sys as sys;

/// What a tensor (or other) type holds, as far as cimc's checks care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Element {
    /// Signless integer of this width.
    Int(u32),
    /// Signed or unsigned integer (TOSA 1.0 takes signless integers only).
    SignedInt(u32),
    /// A float type, with its bit width.
    Float(u32),
    /// A `!quant` type.
    Quant,
    /// Anything else (index, complex, a dialect's own type).
    Other,
}

/// Classifies a scalar (element) type.
pub fn element(ty: Type<'_>) -> Element {
    let raw = ty.to_raw();
    unsafe {
        if sys::mlirTypeIsAInteger(raw) {
            let width = sys::mlirIntegerTypeGetWidth(raw);
            if sys::mlirIntegerTypeIsSignless(raw) {
                Element::Int(width)
            } else {
                Element::SignedInt(width)
            }
        } else if sys::mlirTypeIsAFloat(raw) {
            Element::Float(ty.float_width())
        } else if sys::mlirTypeIsAQuantizedType(raw) {
            Element::Quant
        } else {
            Element::Other
        }
    }
}

/// A shaped type's facts.
#[derive(Debug, Clone, Copy)]
pub struct Shaped<'c> {
    pub ranked: bool,
    pub static_shape: bool,
    pub element: Type<'c>,
}

/// Views `ty` as a tensor type, if it is one.
pub fn tensor(ty: Type<'_>) -> Option<Shaped<'_>> {
    let raw = ty.to_raw();
    unsafe {
        if !sys::mlirTypeIsATensor(raw) {
            return None;
        }
        let ranked = sys::mlirTypeIsARankedTensor(raw);
        Some(Shaped {
            ranked,
            static_shape: ranked && sys::mlirShapedTypeHasStaticShape(raw),
            element: Type::from_raw(sys::mlirShapedTypeGetElementType(raw)),
        })
    }
}

/// The dialect namespace a type belongs to (`builtin`, `tosa`, `quant`, ...).
pub fn dialect_namespace(ty: Type<'_>) -> String {
    unsafe {
        let dialect = sys::mlirTypeGetDialect(ty.to_raw());
        let name = sys::mlirDialectGetNamespace(dialect);
        let bytes = std::slice::from_raw_parts(name.data.cast::<u8>(), name.length);
        String::from_utf8_lossy(bytes).into_owned()
    }
}

/// The element type of a tensor type, or the type itself for scalars.
pub fn element_of(ty: Type<'_>) -> Type<'_> {
    tensor(ty).map_or(ty, |shaped| shaped.element)
}
