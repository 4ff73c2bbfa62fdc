//! [`AttrRef`]: a safe handle on an attribute, with the typed reads the
//! passes make of the attributes they keep on ops (observations, ranges,
//! overrides) and the builders for the ones they write.

use super::{string_ref, text, TypeRef};
use mlir_sys as sys;

/// An attribute.
#[derive(Clone, Copy, Debug)]
pub struct AttrRef(pub(super) sys::MlirAttribute);

impl AttrRef {
    /// The handle of `attr`; `None` for a null attribute.
    pub fn new(attr: sys::MlirAttribute) -> Option<AttrRef> {
        (!attr.ptr.is_null()).then_some(AttrRef(attr))
    }

    pub fn raw(self) -> sys::MlirAttribute {
        self.0
    }

    /// The value of an integer attribute (not a boolean).
    pub fn as_int(self) -> Option<i64> {
        unsafe {
            (sys::mlirAttributeIsAInteger(self.0) && !sys::mlirAttributeIsABool(self.0))
                .then(|| sys::mlirIntegerAttrGetValueSInt(self.0))
        }
    }

    pub fn as_bool(self) -> Option<bool> {
        unsafe { sys::mlirAttributeIsABool(self.0).then(|| sys::mlirBoolAttrGetValue(self.0)) }
    }

    pub fn as_float(self) -> Option<f64> {
        unsafe {
            sys::mlirAttributeIsAFloat(self.0).then(|| sys::mlirFloatAttrGetValueDouble(self.0))
        }
    }

    pub fn as_string(self) -> Option<String> {
        unsafe {
            sys::mlirAttributeIsAString(self.0).then(|| text(sys::mlirStringAttrGetValue(self.0)))
        }
    }

    /// The bytes of a string attribute (which may hold any bytes, such as
    /// a TFLite custom operator's options).
    pub fn as_bytes(self) -> Option<Vec<u8>> {
        unsafe {
            if !sys::mlirAttributeIsAString(self.0) {
                return None;
            }
            let value = sys::mlirStringAttrGetValue(self.0);
            if value.length == 0 {
                return Some(Vec::new());
            }
            Some(std::slice::from_raw_parts(value.data.cast::<u8>(), value.length).to_vec())
        }
    }

    /// The entries of a dictionary attribute, in its (sorted) order.
    pub fn as_dict(self) -> Option<Vec<(String, AttrRef)>> {
        unsafe {
            if !sys::mlirAttributeIsADictionary(self.0) {
                return None;
            }
            Some(
                (0..sys::mlirDictionaryAttrGetNumElements(self.0))
                    .map(|i| {
                        let entry = sys::mlirDictionaryAttrGetElement(self.0, i);
                        (
                            text(sys::mlirIdentifierStr(entry.name)),
                            AttrRef(entry.attribute),
                        )
                    })
                    .collect(),
            )
        }
    }

    /// The elements of an array attribute.
    pub fn as_array(self) -> Option<Vec<AttrRef>> {
        unsafe {
            if !sys::mlirAttributeIsAArray(self.0) {
                return None;
            }
            Some(
                (0..sys::mlirArrayAttrGetNumElements(self.0))
                    .map(|i| AttrRef(sys::mlirArrayAttrGetElement(self.0, i)))
                    .collect(),
            )
        }
    }

    /// The values of an `array<i64: ...>`, or of an `array<i32: ...>`
    /// (`tosa.transpose`'s `perms`) widened.
    pub fn as_i64_array(self) -> Option<Vec<i64>> {
        unsafe {
            let n = |a| 0..sys::mlirDenseArrayGetNumElements(a);
            if sys::mlirAttributeIsADenseI64Array(self.0) {
                return Some(
                    n(self.0)
                        .map(|i| sys::mlirDenseI64ArrayGetElement(self.0, i))
                        .collect(),
                );
            }
            if sys::mlirAttributeIsADenseI32Array(self.0) {
                return Some(
                    n(self.0)
                        .map(|i| i64::from(sys::mlirDenseI32ArrayGetElement(self.0, i)))
                        .collect(),
                );
            }
            None
        }
    }

    /// The values of an `array<i1: ...>`.
    pub fn as_bool_array(self) -> Option<Vec<bool>> {
        unsafe {
            sys::mlirAttributeIsADenseBoolArray(self.0).then(|| {
                (0..sys::mlirDenseArrayGetNumElements(self.0))
                    .map(|i| sys::mlirDenseBoolArrayGetElement(self.0, i))
                    .collect()
            })
        }
    }

    /// The pairs of an array of two-element `array<f64: ...>` (ranges, grids).
    pub fn as_f64_pairs(self) -> Option<Vec<(f64, f64)>> {
        self.as_array()?
            .into_iter()
            .map(|pair| match pair.as_f64_array()?.as_slice() {
                [a, b] => Some((*a, *b)),
                _ => None,
            })
            .collect()
    }

    /// Parses `text` (`3 : i64`, `array<i64: 1, 2>`, `"conv1"`); `None` when
    /// MLIR cannot.
    pub fn parse(context: sys::MlirContext, text: &str) -> Option<AttrRef> {
        AttrRef::new(unsafe { sys::mlirAttributeParseGet(context, string_ref(text)) })
    }

    /// A `true` / `false` attribute.
    pub fn bool(context: sys::MlirContext, value: bool) -> AttrRef {
        AttrRef(unsafe { sys::mlirBoolAttrGet(context, i32::from(value)) })
    }

    /// `unit`.
    pub fn unit(context: sys::MlirContext) -> AttrRef {
        AttrRef(unsafe { sys::mlirUnitAttrGet(context) })
    }

    /// `"value"`.
    pub fn string(context: sys::MlirContext, value: &str) -> AttrRef {
        AttrRef(unsafe { sys::mlirStringAttrGet(context, string_ref(value)) })
    }

    /// A type attribute holding `ty`.
    pub fn of_type(ty: super::TypeRef) -> AttrRef {
        AttrRef(unsafe { sys::mlirTypeAttrGet(ty.0) })
    }

    /// The values of an `array<f64: ...>`.
    pub fn as_f64_array(self) -> Option<Vec<f64>> {
        unsafe {
            if !sys::mlirAttributeIsADenseF64Array(self.0) {
                return None;
            }
            Some(
                (0..sys::mlirDenseArrayGetNumElements(self.0))
                    .map(|i| sys::mlirDenseF64ArrayGetElement(self.0, i))
                    .collect(),
            )
        }
    }

    /// The shape and values of a dense f32 elements attribute.
    pub fn as_dense_f32(self) -> Option<(Vec<i64>, Vec<f32>)> {
        unsafe {
            if !sys::mlirAttributeIsADenseElements(self.0) {
                return None;
            }
            let ty = sys::mlirAttributeGetType(self.0);
            if !sys::mlirTypeIsAF32(sys::mlirShapedTypeGetElementType(ty)) {
                return None;
            }
            let count = sys::mlirElementsAttrGetNumElements(self.0) as usize;
            let values = if sys::mlirDenseElementsAttrIsSplat(self.0) {
                vec![sys::mlirDenseElementsAttrGetFloatSplatValue(self.0); count]
            } else {
                (0..count)
                    .map(|i| sys::mlirDenseElementsAttrGetFloatValue(self.0, i as isize))
                    .collect()
            };
            Some((TypeRef::new(ty)?.ranked_shape()?.0, values))
        }
    }

    /// The shape and values, widened to f32 (exactly), of a dense elements
    /// attribute of f32, f16 or bf16 elements.
    pub fn as_dense_float(self) -> Option<(Vec<i64>, Vec<f32>)> {
        if let Some(dense) = self.as_dense_f32() {
            return Some(dense);
        }
        unsafe {
            if !sys::mlirAttributeIsADenseElements(self.0) {
                return None;
            }
            let ty = sys::mlirAttributeGetType(self.0);
            let element = sys::mlirShapedTypeGetElementType(ty);
            let widen: fn(u16) -> f32 = if sys::mlirTypeIsAF16(element) {
                |bits| half::f16::from_bits(bits).to_f32()
            } else if sys::mlirTypeIsABF16(element) {
                |bits| half::bf16::from_bits(bits).to_f32()
            } else {
                return None;
            };
            let count = sys::mlirElementsAttrGetNumElements(self.0) as usize;
            // 16-bit elements, stored densely; a splat stores one.
            let stored = if sys::mlirDenseElementsAttrIsSplat(self.0) {
                1
            } else {
                count
            };
            let data = sys::mlirDenseElementsAttrGetRawData(self.0).cast::<u8>();
            let bytes = std::slice::from_raw_parts(data, stored * 2);
            let values: Vec<f32> = bytes
                .chunks_exact(2)
                .map(|b| widen(u16::from_ne_bytes([b[0], b[1]])))
                .collect();
            let values = if stored == 1 {
                vec![values[0]; count]
            } else {
                values
            };
            Some((TypeRef::new(ty)?.ranked_shape()?.0, values))
        }
    }

    /// `dense<data> : ty` for a shaped f32 type `ty` holding `data.len()`
    /// elements.
    pub fn dense_f32(ty: sys::MlirType, data: &[f32]) -> AttrRef {
        unsafe {
            AttrRef(sys::mlirDenseElementsAttrFloatGet(
                ty,
                data.len() as isize,
                data.as_ptr(),
            ))
        }
    }

    /// `dense<data> : tensor<shape x f32>`.
    pub fn dense_f32_tensor(context: sys::MlirContext, shape: &[i64], data: &[f32]) -> AttrRef {
        let ty = unsafe {
            sys::mlirRankedTensorTypeGet(
                shape.len() as isize,
                shape.as_ptr(),
                sys::mlirF32TypeGet(context),
                sys::mlirAttributeGetNull(),
            )
        };
        AttrRef::dense_f32(ty, data)
    }

    /// The type a type attribute holds.
    pub fn as_type(self) -> Option<sys::MlirType> {
        unsafe { sys::mlirAttributeIsAType(self.0).then(|| sys::mlirTypeAttrGetValue(self.0)) }
    }

    /// `value : i64`.
    pub fn i64(context: sys::MlirContext, value: i64) -> AttrRef {
        unsafe {
            AttrRef(sys::mlirIntegerAttrGet(
                sys::mlirIntegerTypeGet(context, 64),
                value,
            ))
        }
    }

    /// `value : f64`.
    pub fn f64(context: sys::MlirContext, value: f64) -> AttrRef {
        unsafe {
            AttrRef(sys::mlirFloatAttrDoubleGet(
                context,
                sys::mlirF64TypeGet(context),
                value,
            ))
        }
    }

    /// `value : f32`.
    pub fn f32(context: sys::MlirContext, value: f32) -> AttrRef {
        unsafe {
            AttrRef(sys::mlirFloatAttrDoubleGet(
                context,
                sys::mlirF32TypeGet(context),
                value.into(),
            ))
        }
    }

    /// `array<i64: ...>`.
    pub fn i64_array(context: sys::MlirContext, values: &[i64]) -> AttrRef {
        unsafe {
            AttrRef(sys::mlirDenseI64ArrayGet(
                context,
                values.len() as isize,
                values.as_ptr(),
            ))
        }
    }

    /// `array<f64: ...>`.
    pub fn f64_array(context: sys::MlirContext, values: &[f64]) -> AttrRef {
        unsafe {
            AttrRef(sys::mlirDenseF64ArrayGet(
                context,
                values.len() as isize,
                values.as_ptr(),
            ))
        }
    }

    /// `[a, b, ...]`.
    pub fn array(context: sys::MlirContext, elements: &[AttrRef]) -> AttrRef {
        let raw: Vec<sys::MlirAttribute> = elements.iter().map(|a| a.0).collect();
        unsafe {
            AttrRef(sys::mlirArrayAttrGet(
                context,
                raw.len() as isize,
                raw.as_ptr(),
            ))
        }
    }

    /// `{name = value, ...}`.
    pub fn dict(context: sys::MlirContext, entries: &[(&str, AttrRef)]) -> AttrRef {
        let named: Vec<sys::MlirNamedAttribute> = entries
            .iter()
            .map(|(name, value)| unsafe {
                sys::mlirNamedAttributeGet(
                    sys::mlirIdentifierGet(context, string_ref(name)),
                    value.0,
                )
            })
            .collect();
        unsafe {
            AttrRef(sys::mlirDictionaryAttrGet(
                context,
                named.len() as isize,
                named.as_ptr(),
            ))
        }
    }
}
