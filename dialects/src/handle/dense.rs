//! Dense elements attributes (the `values` of `tosa.const`): building them
//! from integer data and reading them back as integers.

use super::{AttrRef, TypeRef};
use mlir_sys as sys;

/// Element types the C API can fill a dense attribute from a slice of.
pub trait DenseInt: Copy + Into<i64> {
    #[doc(hidden)]
    fn dense(ty: sys::MlirType, data: &[Self]) -> sys::MlirAttribute;
}

macro_rules! dense_int {
    ($($int:ty => $get:ident),*) => {$(
        impl DenseInt for $int {
            fn dense(ty: sys::MlirType, data: &[Self]) -> sys::MlirAttribute {
                unsafe { sys::$get(ty, data.len() as isize, data.as_ptr()) }
            }
        }
    )*};
}
dense_int!(i8 => mlirDenseElementsAttrInt8Get, i16 => mlirDenseElementsAttrInt16Get,
    i32 => mlirDenseElementsAttrInt32Get, i64 => mlirDenseElementsAttrInt64Get);

impl AttrRef {
    /// `dense<data> : ty` for a shaped type `ty` of `T`'s width (an
    /// `index` is 64 bits) holding `data.len()` elements; `None` when the
    /// sizes disagree.
    pub fn dense_ints<T: DenseInt>(ty: TypeRef, data: &[T]) -> Option<AttrRef> {
        let (shape, element) = ty.ranked_shape()?;
        let count: i64 = shape.iter().product();
        let width = element
            .integer_width()
            .or_else(|| element.is_index().then_some(64))? as usize;
        (count == data.len() as i64 && width == 8 * std::mem::size_of::<T>())
            .then(|| AttrRef::new(T::dense(ty.0, data)))
            .flatten()
    }

    /// `dense<data> : ty` for a shaped integer type of any width (`i4`,
    /// `i48`), element by element; each value must fit the width.
    pub fn dense_ints_any_width<T: Copy + Into<i64>>(ty: TypeRef, data: &[T]) -> Option<AttrRef> {
        let (shape, element) = ty.ranked_shape()?;
        element.integer_width()?;
        if shape.iter().product::<i64>() != data.len() as i64 {
            return None;
        }
        let elements: Vec<sys::MlirAttribute> = data
            .iter()
            .map(|v| unsafe { sys::mlirIntegerAttrGet(element.0, (*v).into()) })
            .collect();
        AttrRef::new(unsafe {
            sys::mlirDenseElementsAttrGet(ty.0, elements.len() as isize, elements.as_ptr())
        })
    }

    /// Whether this is a dense elements attribute.
    pub fn is_dense_elements(self) -> bool {
        unsafe { sys::mlirAttributeIsADenseElements(self.0) }
    }

    /// The bytes of a dense `i8` elements attribute, row-major (a splat
    /// expanded): the two's-complement patterns, without widening each
    /// element as [`AttrRef::as_dense_ints`] does.
    pub fn as_dense_i8_bytes(self) -> Option<Vec<u8>> {
        if !self.is_dense_elements() {
            return None;
        }
        unsafe {
            let ty = TypeRef(sys::mlirAttributeGetType(self.0));
            if ty.ranked_shape()?.1.integer_width()? != 8 {
                return None;
            }
            let count = sys::mlirElementsAttrGetNumElements(self.0) as usize;
            let raw = sys::mlirDenseElementsAttrGetRawData(self.0).cast::<u8>();
            if sys::mlirDenseElementsAttrIsSplat(self.0) {
                return Some(vec![*raw; count]);
            }
            Some(std::slice::from_raw_parts(raw, count).to_vec())
        }
    }

    /// The values of a dense integer elements attribute, row-major, as i64.
    pub fn as_dense_ints(self) -> Option<Vec<i64>> {
        if !self.is_dense_elements() {
            return None;
        }
        unsafe {
            let count = sys::mlirElementsAttrGetNumElements(self.0) as usize;
            let ty = TypeRef(sys::mlirAttributeGetType(self.0));
            let (dims, element) = ty.ranked_shape()?;
            // An `index` element is stored in 64 bits.
            let width = element
                .integer_width()
                .or_else(|| element.is_index().then_some(64))?;
            if sys::mlirDenseElementsAttrIsSplat(self.0) {
                let splat = sys::mlirDenseElementsAttrGetSplatValue(self.0);
                return Some(vec![sys::mlirIntegerAttrGetValueSInt(splat); count]);
            }
            // Byte-aligned integers are stored densely, row-major,
            // little-endian: read them straight from the buffer.
            let raw = sys::mlirDenseElementsAttrGetRawData(self.0).cast::<u8>();
            let bytes = |size: usize| std::slice::from_raw_parts(raw, count * size);
            Some(match width {
                8 => bytes(1).iter().map(|b| i64::from(*b as i8)).collect(),
                16 => bytes(2)
                    .chunks_exact(2)
                    .map(|c| i64::from(i16::from_le_bytes([c[0], c[1]])))
                    .collect(),
                32 => bytes(4)
                    .chunks_exact(4)
                    .map(|c| i64::from(i32::from_le_bytes([c[0], c[1], c[2], c[3]])))
                    .collect(),
                64 => bytes(8)
                    .chunks_exact(8)
                    .map(|c| i64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
                    .collect(),
                _ => {
                    // Sub-byte and odd widths (i4, i48): element by element.
                    let rank = dims.len();
                    let mut index = vec![0u64; rank];
                    let mut out = Vec::with_capacity(count);
                    for _ in 0..count {
                        let v = sys::mlirElementsAttrGetValue(
                            self.0,
                            rank as isize,
                            index.as_mut_ptr(),
                        );
                        out.push(sys::mlirIntegerAttrGetValueSInt(v));
                        for d in (0..rank).rev() {
                            index[d] += 1;
                            if index[d] < dims[d] as u64 {
                                break;
                            }
                            index[d] = 0;
                        }
                    }
                    out
                }
            })
        }
    }

    /// The values of a dense f32 elements attribute, row-major.
    pub fn as_dense_f32_values(self) -> Option<Vec<f32>> {
        self.as_dense_f32().map(|(_, values)| values)
    }
}
