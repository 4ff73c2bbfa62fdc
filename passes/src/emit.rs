//! Building and reading IR from passes through MLIR's C API: ops inserted
//! before an anchor op, tensor types, integer constants (`tosa.const`,
//! `tosa.const_shape`) and the values of constant operands.

use cimc_dialects::handle::{AttrRef, DenseInt, OpRef, TypeRef, ValueRef};
use cimc_dialects::Builder;
use mlir_sys as sys;

// The handles and the attribute lookup live in `crate::raw`, below this
// module and `crate::ir`; these paths keep working for other crates.
pub use crate::raw::{attr, string_ref, RawAttr, RawOp, RawType, RawValue};

/// Inserts new ops before an anchor op, at the anchor's location: the
/// dialects' [`Builder`] (which the typed `cim` views build with) plus the
/// TOSA ops and constants the passes emit around them.
/// What a failed build yields: null handles, which the verifier rejects.
const NULL_TYPE: RawType = sys::MlirType {
    ptr: std::ptr::null(),
};
const NULL_ATTR: RawAttr = sys::MlirAttribute {
    ptr: std::ptr::null(),
};
const NULL_LOCATION: sys::MlirLocation = sys::MlirLocation {
    ptr: std::ptr::null(),
};
const NULL_VALUE: RawValue = sys::MlirValue {
    ptr: std::ptr::null(),
};

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
        TypeRef::new(self.ty(element))
            .map(|element| TypeRef::ranked_tensor(shape, element).raw())
            .unwrap_or(NULL_TYPE)
    }

    /// Parses an attribute (`3 : i64`, `array<i64: 1, 2>`, `"conv1"`).
    pub fn attr(&self, text: &str) -> RawAttr {
        AttrRef::parse(self.context(), text).map_or(NULL_ATTR, AttrRef::raw)
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
        self.constant(ty, data)
    }

    /// A `tosa.const` of type `ty` holding `data` (of the type's width).
    fn constant<T: DenseInt>(&self, ty: RawType, data: &[T]) -> RawValue {
        let attr = TypeRef::new(ty)
            .and_then(|ty| AttrRef::dense_ints(ty, data))
            .map_or(NULL_ATTR, AttrRef::raw);
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
            self.constant(ty, &data)
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
        let attr = TypeRef::new(ty)
            .and_then(|ty| AttrRef::dense_ints_any_width(ty, data))
            .map_or(NULL_ATTR, AttrRef::raw);
        self.value("tosa.const", &[], ty, &[("values", attr)])
    }

    /// A `tosa.const` of i32 values.
    pub fn const_i32(&self, shape: &[i64], data: &[i32]) -> RawValue {
        self.constant(self.tensor(shape, "i32"), data)
    }

    /// A `tosa.const_shape`.
    pub fn shape(&self, dims: &[i64]) -> RawValue {
        let index = self.tensor(&[dims.len() as i64], "index");
        let attr = TypeRef::new(index)
            .and_then(|index| AttrRef::dense_ints(index, dims))
            .map_or(NULL_ATTR, AttrRef::raw);
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

/// Result `index` of `op` (a null value when it has no such result).
pub fn result_of(op: RawOp, index: isize) -> RawValue {
    OpRef::new(op)
        .and_then(|op| op.result(index as usize))
        .map_or(NULL_VALUE, ValueRef::raw)
}

/// Operand `index` of `op` (a null value when it has no such operand).
pub fn operand(op: RawOp, index: isize) -> RawValue {
    OpRef::new(op)
        .and_then(|op| op.operand(index as usize))
        .map_or(NULL_VALUE, ValueRef::raw)
}

/// The shape and element type spelling of a ranked tensor value.
pub fn tensor_info(value: RawValue) -> Option<(Vec<i64>, String)> {
    let (shape, element) = TypeRef::new(ValueRef::new(value)?.ty())?.ranked_shape()?;
    Some((shape, element.text()))
}

/// The dense `values` of the `tosa.const` (or `tosa.const_shape`) that
/// defines `value`, directly or through reshapes (which keep row-major
/// order).
fn const_values(value: RawValue) -> Option<AttrRef> {
    let op = ValueRef::new(value)?.producer()?;
    match op.name().as_str() {
        "tosa.reshape" => const_values(op.operand(0)?.raw()),
        "tosa.const" | "tosa.const_shape" => {
            op.attribute("values").filter(|a| a.is_dense_elements())
        }
        _ => None,
    }
}

/// The integer values of a `tosa.const` or `tosa.const_shape` that defines
/// `value` (directly or through reshapes), row-major.
pub fn const_ints(value: RawValue) -> Option<Vec<i64>> {
    const_values(value)?.as_dense_ints()
}

/// The bytes of an i8 `tosa.const` that defines `value` (directly or
/// through reshapes), row-major; `None` for other element types.
pub fn const_i8_bytes(value: RawValue) -> Option<Vec<u8>> {
    const_values(value)?.as_dense_i8_bytes()
}

/// The f32 values of a `tosa.const` that defines `value` (directly or
/// through reshapes), row-major.
pub fn const_floats(value: RawValue) -> Option<Vec<f32>> {
    const_values(value)?.as_dense_f32_values()
}

/// The attribute `name` of `op` as a typed handle.
fn attribute(op: RawOp, name: &str) -> Option<AttrRef> {
    OpRef::new(op)?.attribute(name)
}

/// A dense f64 array attribute of `op`, if present.
pub fn f64_array_attr(op: RawOp, name: &str) -> Option<Vec<f64>> {
    attribute(op, name)?.as_f64_array()
}

/// Removes the attribute `name` of `op` (nothing if absent).
pub fn remove_attr(op: RawOp, name: &str) {
    if let Some(op) = OpRef::new(op) {
        op.remove_attr(name);
    }
}

/// An integer attribute of `op`, if present.
pub fn int_attr(op: RawOp, name: &str) -> Option<i64> {
    attribute(op, name)?.as_int()
}

/// A dense i64 array attribute of `op`, if present.
pub fn i64_array_attr(op: RawOp, name: &str) -> Option<Vec<i64>> {
    attribute(op, name)?.as_i64_array()
}

/// A dense bool array attribute of `op`, if present.
pub fn bool_array_attr(op: RawOp, name: &str) -> Option<Vec<bool>> {
    attribute(op, name)?.as_bool_array()
}

/// An array attribute of `op` whose elements are two-element dense f64
/// arrays (ranges, grids), as pairs.
pub fn f64_pairs_attr(op: RawOp, name: &str) -> Option<Vec<(f64, f64)>> {
    attribute(op, name)?.as_f64_pairs()
}

/// A string attribute of `op`, if present.
pub fn str_attr(op: RawOp, name: &str) -> Option<String> {
    attribute(op, name)?.as_string()
}

/// Sets a discardable or inherent attribute.
pub fn set_attr(op: RawOp, name: &str, value: RawAttr) {
    if let Some(op) = OpRef::new(op) {
        op.set_attr(name, value);
    }
}

/// Redirects all uses of `from` to `to`.
pub fn replace_uses(from: RawValue, to: RawValue) {
    if let (Some(from), Some(to)) = (ValueRef::new(from), ValueRef::new(to)) {
        from.replace_all_uses_with(to);
    }
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
    if let Some(op) = OpRef::new(op) {
        op.erase();
    }
}

/// The location of `op`.
pub fn location(op: RawOp) -> melior::ir::Location<'static> {
    cimc_dialects::handle::melior_location(OpRef::new(op).map_or(NULL_LOCATION, OpRef::location))
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
