//! [`TypeRef`]: a safe handle on a type, with the ranked tensor types the
//! passes build and take apart.

use super::{string_ref, type_text};
use mlir_sys as sys;

/// A type.
#[derive(Clone, Copy, Debug)]
pub struct TypeRef(pub(super) sys::MlirType);

impl PartialEq for TypeRef {
    fn eq(&self, other: &Self) -> bool {
        unsafe { sys::mlirTypeEqual(self.0, other.0) }
    }
}

impl std::fmt::Display for TypeRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text())
    }
}

impl TypeRef {
    /// The handle of `ty`; `None` for a null type.
    pub fn new(ty: sys::MlirType) -> Option<TypeRef> {
        (!ty.ptr.is_null()).then_some(TypeRef(ty))
    }

    pub fn raw(self) -> sys::MlirType {
        self.0
    }

    /// Parses `text` (`i32`, `tensor<4x8xi8>`, `!cim.tile`); `None` when MLIR
    /// cannot.
    pub fn parse(context: sys::MlirContext, text: &str) -> Option<TypeRef> {
        TypeRef::new(unsafe { sys::mlirTypeParseGet(context, string_ref(text)) })
    }

    /// The type as MLIR prints it.
    pub fn text(self) -> String {
        type_text(self.0)
    }

    /// `tensor<shape x element>`.
    pub fn ranked_tensor(shape: &[i64], element: TypeRef) -> TypeRef {
        TypeRef(unsafe {
            sys::mlirRankedTensorTypeGet(
                shape.len() as isize,
                shape.as_ptr(),
                element.0,
                sys::mlirAttributeGetNull(),
            )
        })
    }

    /// The shape and element type of a ranked tensor (or other shaped) type.
    pub fn ranked_shape(self) -> Option<(Vec<i64>, TypeRef)> {
        unsafe {
            if !sys::mlirTypeIsARankedTensor(self.0) {
                return None;
            }
            let shape = (0..sys::mlirShapedTypeGetRank(self.0) as isize)
                .map(|d| sys::mlirShapedTypeGetDimSize(self.0, d))
                .collect();
            Some((shape, TypeRef(sys::mlirShapedTypeGetElementType(self.0))))
        }
    }

    /// The width of an integer type.
    pub fn integer_width(self) -> Option<u32> {
        unsafe { sys::mlirTypeIsAInteger(self.0).then(|| sys::mlirIntegerTypeGetWidth(self.0)) }
    }

    pub fn is_index(self) -> bool {
        unsafe { sys::mlirTypeIsAIndex(self.0) }
    }

    pub fn is_f32(self) -> bool {
        unsafe { sys::mlirTypeIsAF32(self.0) }
    }

    /// `(inputs) -> (results)`.
    pub fn function(context: sys::MlirContext, inputs: &[TypeRef], results: &[TypeRef]) -> TypeRef {
        let inputs: Vec<sys::MlirType> = inputs.iter().map(|t| t.0).collect();
        let results: Vec<sys::MlirType> = results.iter().map(|t| t.0).collect();
        TypeRef(unsafe {
            sys::mlirFunctionTypeGet(
                context,
                inputs.len() as isize,
                inputs.as_ptr(),
                results.len() as isize,
                results.as_ptr(),
            )
        })
    }

    /// Whether a ranked tensor type has only static dimensions.
    pub fn has_static_shape(self) -> bool {
        unsafe { sys::mlirTypeIsARankedTensor(self.0) && sys::mlirShapedTypeHasStaticShape(self.0) }
    }

    /// `(width, signless)` of an integer type.
    pub fn integer(self) -> Option<(u32, bool)> {
        unsafe {
            sys::mlirTypeIsAInteger(self.0).then(|| {
                (
                    sys::mlirIntegerTypeGetWidth(self.0),
                    sys::mlirIntegerTypeIsSignless(self.0),
                )
            })
        }
    }

    /// The width of a float type.
    pub fn float_width(self) -> Option<u32> {
        unsafe { sys::mlirTypeIsAFloat(self.0).then(|| sys::mlirFloatTypeGetWidth(self.0)) }
    }

    /// Whether the type is one of the `quant` dialect's.
    pub fn is_quantized(self) -> bool {
        unsafe { sys::mlirTypeIsAQuantizedType(self.0) }
    }

    /// `(ranked, element)` of a tensor type, ranked or not.
    pub fn tensor(self) -> Option<(bool, TypeRef)> {
        unsafe {
            sys::mlirTypeIsATensor(self.0).then(|| {
                (
                    sys::mlirTypeIsARankedTensor(self.0),
                    TypeRef(sys::mlirShapedTypeGetElementType(self.0)),
                )
            })
        }
    }

    /// The number of inputs of a function type.
    pub fn function_inputs(self) -> Option<usize> {
        unsafe {
            sys::mlirTypeIsAFunction(self.0)
                .then(|| sys::mlirFunctionTypeGetNumInputs(self.0) as usize)
        }
    }

    /// `(inputs, results)` of a function type.
    pub fn function_types(self) -> Option<(Vec<TypeRef>, Vec<TypeRef>)> {
        unsafe {
            sys::mlirTypeIsAFunction(self.0).then(|| {
                let inputs = (0..sys::mlirFunctionTypeGetNumInputs(self.0))
                    .map(|i| TypeRef(sys::mlirFunctionTypeGetInput(self.0, i)))
                    .collect();
                let results = (0..sys::mlirFunctionTypeGetNumResults(self.0))
                    .map(|i| TypeRef(sys::mlirFunctionTypeGetResult(self.0, i)))
                    .collect();
                (inputs, results)
            })
        }
    }

    /// The namespace of the dialect the type belongs to (`builtin`, `tosa`).
    pub fn dialect_namespace(self) -> String {
        super::text(unsafe { sys::mlirDialectGetNamespace(sys::mlirTypeGetDialect(self.0)) })
    }
}
