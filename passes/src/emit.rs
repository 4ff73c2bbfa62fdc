//! Building and reading IR from passes through MLIR's C API: ops inserted
//! before an anchor op, tensor types, integer constants (`tosa.const`,
//! `tosa.const_shape`) and the values of constant operands.

use cimc_dialects::Builder;
use mlir_sys as sys;

use crate::raw::op_name;
// The handles and the attribute lookup live in `crate::raw`, below this
// module and `crate::ir`; these paths keep working for other crates.
pub use crate::raw::{attr, string_ref, RawAttr, RawOp, RawType, RawValue};

/// Inserts new ops before an anchor op, at the anchor's location: the
/// dialects' [`Builder`] (which the typed `cim` views build with) plus the
/// TOSA ops and constants the passes emit around them.
pub struct Emitter {
    at: Builder,
}

impl Emitter {
    /// Emits before `anchor`, with its location.
    pub fn before(anchor: RawOp) -> Self {
        Emitter {
            at: Builder::before(anchor),
        }
    }

    /// Where typed `cim` ops are built (`cim::Mvm::build(e.builder(), ...)`).
    pub fn builder(&self) -> &Builder {
        &self.at
    }

    pub fn context(&self) -> sys::MlirContext {
        self.at.context()
    }

    /// Parses a type (`i32`, `tensor<4x8xi8>`, `!cim.tile`).
    pub fn ty(&self, text: &str) -> RawType {
        self.at.ty(text)
    }

    /// A ranked tensor type.
    pub fn tensor(&self, shape: &[i64], element: &str) -> RawType {
        unsafe {
            sys::mlirRankedTensorTypeGet(
                shape.len() as isize,
                shape.as_ptr(),
                self.ty(element),
                sys::mlirAttributeGetNull(),
            )
        }
    }

    /// Parses an attribute (`3 : i64`, `array<i64: 1, 2>`, `"conv1"`).
    pub fn attr(&self, text: &str) -> RawAttr {
        unsafe { sys::mlirAttributeParseGet(self.context(), string_ref(text)) }
    }

    pub fn i64_attr(&self, value: i64) -> RawAttr {
        self.at.i64_attr(value)
    }

    pub fn bool_attr(&self, value: bool) -> RawAttr {
        self.at.bool_attr(value)
    }

    pub fn str_attr(&self, value: &str) -> RawAttr {
        self.at.str_attr(value)
    }

    pub fn bool_array(&self, values: &[bool]) -> RawAttr {
        self.at.bool_array(values)
    }

    pub fn i64_array(&self, values: &[i64]) -> RawAttr {
        self.at.i64_array(values)
    }

    /// Creates `name` and inserts it; returns the op.
    pub fn op(
        &self,
        name: &str,
        operands: &[RawValue],
        results: &[RawType],
        attrs: &[(&str, RawAttr)],
    ) -> RawOp {
        self.at.create(name, operands, results, attrs)
    }

    /// Like [`Emitter::op`], returning the single result.
    pub fn value(
        &self,
        name: &str,
        operands: &[RawValue],
        result: RawType,
        attrs: &[(&str, RawAttr)],
    ) -> RawValue {
        result_of(self.op(name, operands, &[result], attrs), 0)
    }

    /// A `tosa.const` of i8 values.
    pub fn const_i8(&self, shape: &[i64], data: &[i8]) -> RawValue {
        let ty = self.tensor(shape, "i8");
        let attr =
            unsafe { sys::mlirDenseElementsAttrInt8Get(ty, data.len() as isize, data.as_ptr()) };
        self.value("tosa.const", &[], ty, &[("values", attr)])
    }

    /// Cell levels of `cell_bits` bits: i8 up to 7 bits, i16 for 8.
    pub fn const_levels(&self, shape: &[i64], levels: &[i64], cell_bits: i64) -> RawValue {
        if cell_bits <= 7 {
            let data: Vec<i8> = levels.iter().map(|v| *v as i8).collect();
            self.const_i8(shape, &data)
        } else {
            let ty = self.tensor(shape, "i16");
            let data: Vec<i16> = levels.iter().map(|v| *v as i16).collect();
            let attr = unsafe {
                sys::mlirDenseElementsAttrInt16Get(ty, data.len() as isize, data.as_ptr())
            };
            self.value("tosa.const", &[], ty, &[("values", attr)])
        }
    }

    /// A `tosa.const` of i8 values in i8 tensor `shape` holding `data`
    /// (each already in range), from i32s.
    pub fn const_i8_from(&self, shape: &[i64], data: &[i32]) -> RawValue {
        let bytes: Vec<i8> = data.iter().map(|v| *v as i8).collect();
        self.const_i8(shape, &bytes)
    }

    /// A `tosa.const` of `element` (`i<N>`, e.g. i4, i16, i48) values, each
    /// within its range.
    pub fn const_int<T: Copy + Into<i64>>(
        &self,
        shape: &[i64],
        element: &str,
        data: &[T],
    ) -> RawValue {
        let ty = self.tensor(shape, element);
        let scalar = self.ty(element);
        let attr = unsafe {
            let elements: Vec<sys::MlirAttribute> = data
                .iter()
                .map(|v| sys::mlirIntegerAttrGet(scalar, (*v).into()))
                .collect();
            sys::mlirDenseElementsAttrGet(ty, elements.len() as isize, elements.as_ptr())
        };
        self.value("tosa.const", &[], ty, &[("values", attr)])
    }

    /// A `tosa.const` of i32 values.
    pub fn const_i32(&self, shape: &[i64], data: &[i32]) -> RawValue {
        let ty = self.tensor(shape, "i32");
        let attr =
            unsafe { sys::mlirDenseElementsAttrInt32Get(ty, data.len() as isize, data.as_ptr()) };
        self.value("tosa.const", &[], ty, &[("values", attr)])
    }

    /// A `tosa.const_shape`.
    pub fn shape(&self, dims: &[i64]) -> RawValue {
        let index = self.tensor(&[dims.len() as i64], "index");
        let attr = unsafe {
            sys::mlirDenseElementsAttrInt64Get(index, dims.len() as isize, dims.as_ptr())
        };
        let ty = self.ty(&format!("!tosa.shape<{}>", dims.len()));
        self.value("tosa.const_shape", &[], ty, &[("values", attr)])
    }

    /// `tosa.reshape` to `dims`.
    pub fn reshape(&self, value: RawValue, dims: &[i64], element: &str) -> RawValue {
        let shape = self.shape(dims);
        self.value(
            "tosa.reshape",
            &[value, shape],
            self.tensor(dims, element),
            &[],
        )
    }

    /// `tosa.cast`.
    pub fn cast(&self, value: RawValue, dims: &[i64], element: &str) -> RawValue {
        self.value("tosa.cast", &[value], self.tensor(dims, element), &[])
    }

    /// `tosa.slice` of a 2-D tensor: columns `[start, start + len)`.
    pub fn slice_cols(
        &self,
        value: RawValue,
        rows: i64,
        start: i64,
        len: i64,
        element: &str,
    ) -> RawValue {
        let begin = self.shape(&[0, start]);
        let size = self.shape(&[rows, len]);
        self.value(
            "tosa.slice",
            &[value, begin, size],
            self.tensor(&[rows, len], element),
            &[],
        )
    }

    /// i32 elementwise ops of TOSA with broadcasting: `tosa.add`, `tosa.sub`.
    pub fn binary(&self, name: &str, lhs: RawValue, rhs: RawValue, dims: &[i64]) -> RawValue {
        self.value(name, &[lhs, rhs], self.tensor(dims, "i32"), &[])
    }

    /// `tosa.mul` of i32 tensors (shift 0).
    pub fn mul(&self, lhs: RawValue, rhs: RawValue, dims: &[i64]) -> RawValue {
        let shift = self.const_i8(&[1], &[0]);
        self.value(
            "tosa.mul",
            &[lhs, rhs, shift],
            self.tensor(dims, "i32"),
            &[],
        )
    }
}

/// Result `index` of `op`.
pub fn result_of(op: RawOp, index: isize) -> RawValue {
    unsafe { sys::mlirOperationGetResult(op, index) }
}

/// Operand `index` of `op`.
pub fn operand(op: RawOp, index: isize) -> RawValue {
    unsafe { sys::mlirOperationGetOperand(op, index) }
}

/// The shape and element type spelling of a ranked tensor value.
pub fn tensor_info(value: RawValue) -> Option<(Vec<i64>, String)> {
    unsafe {
        let ty = sys::mlirValueGetType(value);
        if !sys::mlirTypeIsARankedTensor(ty) {
            return None;
        }
        let rank = sys::mlirShapedTypeGetRank(ty);
        let shape = (0..rank)
            .map(|i| sys::mlirShapedTypeGetDimSize(ty, i as isize))
            .collect();
        let element = melior::ir::Type::from_raw(sys::mlirShapedTypeGetElementType(ty)).to_string();
        Some((shape, element))
    }
}

/// The integer values of a `tosa.const` that defines `value` (directly or
/// through reshapes), row-major.
/// The dense `values` of the `tosa.const` that defines `value`, directly or
/// through reshapes (which keep row-major order).
fn const_values(value: RawValue) -> Option<sys::MlirAttribute> {
    unsafe {
        if !sys::mlirValueIsAOpResult(value) {
            return None;
        }
        let op = sys::mlirOpResultGetOwner(value);
        if op_name(op) == "tosa.reshape" {
            return const_values(sys::mlirOperationGetOperand(op, 0));
        }
        if op_name(op) != "tosa.const" {
            return None;
        }
        let attr = sys::mlirOperationGetAttributeByName(op, string_ref("values"));
        (!attr.ptr.is_null() && sys::mlirAttributeIsADenseElements(attr)).then_some(attr)
    }
}

pub fn const_ints(value: RawValue) -> Option<Vec<i64>> {
    let attr = const_values(value)?;
    unsafe {
        let count = sys::mlirElementsAttrGetNumElements(attr) as usize;
        let ty = sys::mlirAttributeGetType(attr);
        let element = sys::mlirShapedTypeGetElementType(ty);
        if !sys::mlirTypeIsAInteger(element) {
            return None;
        }
        let width = sys::mlirIntegerTypeGetWidth(element);
        if sys::mlirDenseElementsAttrIsSplat(attr) {
            let splat = sys::mlirDenseElementsAttrGetSplatValue(attr);
            return Some(vec![sys::mlirIntegerAttrGetValueSInt(splat); count]);
        }
        // Byte-aligned integers are stored densely, row-major, little-endian:
        // read them straight from the attribute's buffer.
        let raw = sys::mlirDenseElementsAttrGetRawData(attr).cast::<u8>();
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
                // Sub-byte types (i4): element by element through attributes.
                let rank = sys::mlirShapedTypeGetRank(ty) as usize;
                let dims: Vec<u64> = (0..rank)
                    .map(|d| sys::mlirShapedTypeGetDimSize(ty, d as isize) as u64)
                    .collect();
                let mut index = vec![0u64; rank];
                let mut out = Vec::with_capacity(count);
                for _ in 0..count {
                    let v = sys::mlirElementsAttrGetValue(attr, rank as isize, index.as_mut_ptr());
                    out.push(sys::mlirIntegerAttrGetValueSInt(v));
                    for d in (0..rank).rev() {
                        index[d] += 1;
                        if index[d] < dims[d] {
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

/// The f32 values of a `tosa.const` that defines `value` (directly or
/// through reshapes), row-major.
pub fn const_floats(value: RawValue) -> Option<Vec<f32>> {
    let attr = const_values(value)?;
    unsafe {
        let count = sys::mlirElementsAttrGetNumElements(attr) as usize;
        let element = sys::mlirShapedTypeGetElementType(sys::mlirAttributeGetType(attr));
        if !sys::mlirTypeIsAF32(element) {
            return None;
        }
        if sys::mlirDenseElementsAttrIsSplat(attr) {
            return Some(vec![
                sys::mlirDenseElementsAttrGetFloatSplatValue(attr);
                count
            ]);
        }
        Some(
            (0..count)
                .map(|i| sys::mlirDenseElementsAttrGetFloatValue(attr, i as isize))
                .collect(),
        )
    }
}

/// A dense f64 array attribute of `op`, if present.
pub fn f64_array_attr(op: RawOp, name: &str) -> Option<Vec<f64>> {
    let attr = attr(op, name)?;
    unsafe {
        sys::mlirAttributeIsADenseF64Array(attr).then(|| {
            (0..sys::mlirDenseArrayGetNumElements(attr))
                .map(|i| sys::mlirDenseF64ArrayGetElement(attr, i))
                .collect()
        })
    }
}

/// Removes the attribute `name` of `op` (nothing if absent).
pub fn remove_attr(op: RawOp, name: &str) {
    unsafe {
        sys::mlirOperationRemoveAttributeByName(op, string_ref(name));
    }
}

/// An integer attribute of `op`, if present.
pub fn int_attr(op: RawOp, name: &str) -> Option<i64> {
    unsafe {
        let attr = sys::mlirOperationGetAttributeByName(op, string_ref(name));
        (!attr.ptr.is_null() && sys::mlirAttributeIsAInteger(attr))
            .then(|| sys::mlirIntegerAttrGetValueSInt(attr))
    }
}

/// A dense i64 array attribute of `op`, if present.
pub fn i64_array_attr(op: RawOp, name: &str) -> Option<Vec<i64>> {
    unsafe {
        let attr = sys::mlirOperationGetAttributeByName(op, string_ref(name));
        if attr.ptr.is_null() || !sys::mlirAttributeIsADenseI64Array(attr) {
            return None;
        }
        let n = sys::mlirDenseArrayGetNumElements(attr);
        Some(
            (0..n)
                .map(|i| sys::mlirDenseI64ArrayGetElement(attr, i))
                .collect(),
        )
    }
}

/// A dense bool array attribute of `op`, if present.
pub fn bool_array_attr(op: RawOp, name: &str) -> Option<Vec<bool>> {
    unsafe {
        let attr = sys::mlirOperationGetAttributeByName(op, string_ref(name));
        if attr.ptr.is_null() || !sys::mlirAttributeIsADenseBoolArray(attr) {
            return None;
        }
        let n = sys::mlirDenseArrayGetNumElements(attr);
        Some(
            (0..n)
                .map(|i| sys::mlirDenseBoolArrayGetElement(attr, i))
                .collect(),
        )
    }
}

/// An array attribute of `op` whose elements are two-element dense f64
/// arrays (ranges, grids), as pairs.
pub fn f64_pairs_attr(op: RawOp, name: &str) -> Option<Vec<(f64, f64)>> {
    unsafe {
        let attr = sys::mlirOperationGetAttributeByName(op, string_ref(name));
        if attr.ptr.is_null() || !sys::mlirAttributeIsAArray(attr) {
            return None;
        }
        (0..sys::mlirArrayAttrGetNumElements(attr))
            .map(|i| {
                let pair = sys::mlirArrayAttrGetElement(attr, i);
                (sys::mlirAttributeIsADenseF64Array(pair)
                    && sys::mlirDenseArrayGetNumElements(pair) == 2)
                    .then(|| {
                        (
                            sys::mlirDenseF64ArrayGetElement(pair, 0),
                            sys::mlirDenseF64ArrayGetElement(pair, 1),
                        )
                    })
            })
            .collect()
    }
}

/// A string attribute of `op`, if present.
pub fn str_attr(op: RawOp, name: &str) -> Option<String> {
    unsafe {
        let attr = sys::mlirOperationGetAttributeByName(op, string_ref(name));
        if attr.ptr.is_null() || !sys::mlirAttributeIsAString(attr) {
            return None;
        }
        let s = sys::mlirStringAttrGetValue(attr);
        Some(
            String::from_utf8_lossy(std::slice::from_raw_parts(s.data.cast::<u8>(), s.length))
                .into_owned(),
        )
    }
}

/// Sets a discardable or inherent attribute.
pub fn set_attr(op: RawOp, name: &str, value: RawAttr) {
    unsafe { sys::mlirOperationSetAttributeByName(op, string_ref(name), value) }
}

/// Redirects all uses of `from` to `to`.
pub fn replace_uses(from: RawValue, to: RawValue) {
    unsafe { sys::mlirValueReplaceAllUsesOfWith(from, to) }
}

/// Finishes a rewrite of a single-result op: uses of its result go to the
/// rewrite's value and the op is erased; or the rewrite's error is reported
/// at the op.
pub fn replace_or_report(
    op: RawOp,
    rewritten: Result<RawValue, String>,
) -> Result<(), crate::PassFailed> {
    match rewritten {
        Ok(value) => {
            replace_uses(result_of(op, 0), value);
            erase(op);
            Ok(())
        }
        Err(message) => {
            crate::diag::raw_op_error(op, &message);
            Err(crate::PassFailed)
        }
    }
}

/// Erases an op that has no uses left.
pub fn erase(op: RawOp) {
    unsafe { sys::mlirOperationDestroy(op) }
}

/// The location of `op`.
pub fn location(op: RawOp) -> melior::ir::Location<'static> {
    unsafe { melior::ir::Location::from_raw(sys::mlirOperationGetLocation(op)) }
}

/// Bits of a two's-complement integer that holds every value in `[min, max]`.
pub fn signed_bits(min: i64, max: i64) -> u32 {
    (1..=64)
        .find(|b| {
            let lo = -(1i128 << (b - 1));
            let hi = (1i128 << (b - 1)) - 1;
            i128::from(min) >= lo && i128::from(max) <= hi
        })
        .unwrap_or(64)
}
