//! Safe views of MLIR types for the checks passes make.

use cimc_dialects::handle::TypeRef;
use melior::ir::{Type, TypeLike};

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
pub fn element(ty: TypeRef) -> Element {
    if let Some((width, signless)) = ty.integer() {
        if signless {
            Element::Int(width)
        } else {
            Element::SignedInt(width)
        }
    } else if let Some(width) = ty.float_width() {
        Element::Float(width)
    } else if ty.is_quantized() {
        Element::Quant
    } else {
        Element::Other
    }
}

/// A shaped type's facts.
#[derive(Debug, Clone, Copy)]
pub struct Shaped {
    pub ranked: bool,
    pub static_shape: bool,
    pub element: TypeRef,
}

/// Views `ty` as a tensor type, if it is one.
pub fn tensor(ty: Type<'_>) -> Option<Shaped> {
    let handle = TypeRef::new(ty.to_raw())?;
    let (ranked, element) = handle.tensor()?;
    Some(Shaped {
        ranked,
        static_shape: ranked && handle.has_static_shape(),
        element,
    })
}

/// The dialect namespace a type belongs to (`builtin`, `tosa`, `quant`, ...).
pub fn dialect_namespace(ty: Type<'_>) -> String {
    TypeRef::new(ty.to_raw()).map_or_else(String::new, TypeRef::dialect_namespace)
}
