//! Checking a `cim` op against its definition as a typed view reads it, and
//! reading and writing the attributes behind the views' getters and setters.
//!
//! IRDL already checks, at parse and after every pass, that each declared
//! attribute is present with its base kind; a view checks what its getters
//! promise on top (widths that fit `u32`, arrays of the right length, tensor
//! operands of the documented rank, a tile from a `cim.program`), so that no
//! getter can fail and no pass reads a default in place of a missing value.

use super::error::{op_name, MalformedOp};
use crate::handle::{AttrRef, OpRef, TypeRef, ValueRef};
use mlir_sys as sys;

type Result<T> = std::result::Result<T, MalformedOp>;

/// Checks one op, reporting at it.
#[derive(Clone, Copy)]
pub(crate) struct Check {
    op: sys::MlirOperation,
}

impl Check {
    /// Checks that `op` is a `name` op.
    pub fn new(op: sys::MlirOperation, name: &str) -> Result<Check> {
        let found = op_name(op);
        if found != name {
            return Err(MalformedOp::new(op, format!("is not a '{name}' op")));
        }
        Ok(Check { op })
    }

    pub fn fail(&self, reason: impl Into<String>) -> MalformedOp {
        MalformedOp::new(self.op, reason)
    }

    fn handle(&self) -> Option<OpRef> {
        OpRef::new(self.op)
    }

    fn num_operands(&self) -> isize {
        self.handle().map_or(0, OpRef::num_operands) as isize
    }

    pub fn operands(&self, expected: isize) -> Result<()> {
        let found = self.num_operands();
        if found != expected {
            return Err(self.fail(format!(
                "expected {expected} operand{}, but found {found}",
                plural(expected)
            )));
        }
        Ok(())
    }

    pub fn at_least_operands(&self, expected: isize) -> Result<()> {
        let found = self.num_operands();
        if found < expected {
            return Err(self.fail(format!(
                "expected at least {expected} operand{}, but found {found}",
                plural(expected)
            )));
        }
        Ok(())
    }

    pub fn results(&self, expected: isize) -> Result<()> {
        let found = self.handle().map_or(0, OpRef::num_results) as isize;
        if found != expected {
            return Err(self.fail(format!(
                "expected {expected} result{}, but found {found}",
                plural(expected)
            )));
        }
        Ok(())
    }

    /// Operand `index` (named `name` in the IRDL) is a statically shaped
    /// tensor of `rank` dimensions; returns its value.
    pub fn tensor(&self, index: isize, name: &str, rank: usize) -> Result<sys::MlirValue> {
        let Some(value) = self.handle().and_then(|op| op.operand(index as usize)) else {
            return Err(self.fail(format!("operand #{index} ('{name}') is missing")));
        };
        if static_shape(value.raw()).is_some_and(|shape| shape.len() == rank) {
            return Ok(value.raw());
        }
        let ty = crate::handle::type_text(value.ty());
        Err(self.fail(format!(
            "operand #{index} ('{name}') must be a statically shaped {rank}-D tensor, but got '{ty}'"
        )))
    }

    fn attr(&self, name: &str) -> Option<sys::MlirAttribute> {
        attr(self.op, name)
    }

    fn required(&self, name: &str) -> Result<sys::MlirAttribute> {
        self.attr(name)
            .ok_or_else(|| self.fail(format!("requires attribute '{name}'")))
    }

    fn kind(&self, name: &str, kind: &str) -> MalformedOp {
        self.fail(format!("attribute '{name}' must be {kind}"))
    }

    pub fn int(&self, name: &str) -> Result<i64> {
        let attr = self.required(name)?;
        int_value(attr).ok_or_else(|| self.kind(name, "an integer"))
    }

    pub fn flag(&self, name: &str) -> Result<bool> {
        Ok(self.int(name)? != 0)
    }

    pub fn width(&self, name: &str) -> Result<u32> {
        let value = self.int(name)?;
        u32::try_from(value).map_err(|_| self.kind(name, WIDTH))
    }

    pub fn string(&self, name: &str) -> Result<String> {
        let attr = self.required(name)?;
        string_value(attr).ok_or_else(|| self.kind(name, "a string"))
    }

    pub fn i64s<const N: usize>(&self, name: &str) -> Result<[i64; N]> {
        let attr = self.required(name)?;
        i64s_value(attr)
            .and_then(|values| values.try_into().ok())
            .ok_or_else(|| self.kind(name, &format!("an array<i64> of {N} elements")))
    }

    /// A discardable integer: absent, or an integer.
    pub fn optional_int(&self, name: &str) -> Result<Option<i64>> {
        self.attr(name)
            .map(|attr| int_value(attr).ok_or_else(|| self.kind(name, "an integer")))
            .transpose()
    }

    /// A discardable width or index: absent, or an integer that fits `u32`.
    pub fn optional_width(&self, name: &str) -> Result<Option<u32>> {
        self.optional_int(name)?
            .map(|value| u32::try_from(value).map_err(|_| self.kind(name, WIDTH)))
            .transpose()
    }

    /// A discardable bool array of `len` elements, if present.
    pub fn optional_bools(&self, name: &str, len: i64) -> Result<Option<Vec<bool>>> {
        let Some(attr) = self.attr(name) else {
            return Ok(None);
        };
        match bools_value(attr) {
            Some(values) if values.len() as i64 == len => Ok(Some(values)),
            _ => Err(self.kind(name, &format!("an array<i1> of {len} elements"))),
        }
    }
}

const WIDTH: &str = "a non-negative integer that fits 32 bits";

fn plural(n: isize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The shape of a statically shaped tensor value.
pub(crate) fn static_shape(value: sys::MlirValue) -> Option<Vec<i64>> {
    let ty = TypeRef::new(ValueRef::new(value)?.ty())?;
    if !ty.has_static_shape() {
        return None;
    }
    ty.ranked_shape().map(|(shape, _)| shape)
}

/// The shape of operand `index`, which the view checked is a static tensor
/// of rank `N`.
pub(crate) fn operand_shape<const N: usize>(op: sys::MlirOperation, index: isize) -> [i64; N] {
    let shape = OpRef::new(op)
        .and_then(|op| op.operand(index as usize))
        .and_then(|value| static_shape(value.raw()));
    let mut dims = [0; N];
    for (dim, size) in dims.iter_mut().zip(shape.unwrap_or_default()) {
        *dim = size;
    }
    dims
}

/// Operand `index` of an op whose view checked it has it (a null value
/// otherwise).
pub(crate) fn operand(op: sys::MlirOperation, index: usize) -> sys::MlirValue {
    OpRef::new(op).and_then(|op| op.operand(index)).map_or(
        sys::MlirValue {
            ptr: std::ptr::null_mut(),
        },
        ValueRef::raw,
    )
}

/// Result `index` of an op whose view checked it has it (a null value
/// otherwise).
pub(crate) fn result(op: sys::MlirOperation, index: usize) -> sys::MlirValue {
    OpRef::new(op).and_then(|op| op.result(index)).map_or(
        sys::MlirValue {
            ptr: std::ptr::null_mut(),
        },
        ValueRef::raw,
    )
}

/// The operands of `op`.
pub(crate) fn operands(op: sys::MlirOperation) -> Vec<sys::MlirValue> {
    OpRef::new(op).map_or_else(Vec::new, |op| {
        op.operands().into_iter().map(ValueRef::raw).collect()
    })
}

pub(crate) fn attr(op: sys::MlirOperation, name: &str) -> Option<sys::MlirAttribute> {
    OpRef::new(op)?.attr(name)
}

pub(crate) fn set(op: sys::MlirOperation, name: &str, value: sys::MlirAttribute) {
    if let Some(op) = OpRef::new(op) {
        op.set_attr(name, value);
    }
}

pub(crate) fn remove(op: sys::MlirOperation, name: &str) {
    if let Some(op) = OpRef::new(op) {
        op.remove_attr(name);
    }
}

pub(crate) fn context(op: sys::MlirOperation) -> sys::MlirContext {
    OpRef::new(op).map_or(
        sys::MlirContext {
            ptr: std::ptr::null_mut(),
        },
        OpRef::context,
    )
}

/// A discardable integer as it is now (`None` when absent or not an integer).
pub(crate) fn int(op: sys::MlirOperation, name: &str) -> Option<i64> {
    attr(op, name).and_then(int_value)
}

pub(crate) fn width(op: sys::MlirOperation, name: &str) -> Option<u32> {
    int(op, name).and_then(|value| u32::try_from(value).ok())
}

pub(crate) fn ints(op: sys::MlirOperation, name: &str) -> Option<Vec<i64>> {
    attr(op, name).and_then(i64s_value)
}

pub(crate) fn bools(op: sys::MlirOperation, name: &str) -> Option<Vec<bool>> {
    attr(op, name).and_then(bools_value)
}

pub(crate) fn string(op: sys::MlirOperation, name: &str) -> Option<String> {
    attr(op, name).and_then(string_value)
}

/// An integer attribute's value; a bool (an `i1` integer attribute) reads
/// as 0 or 1, which is how the views' flags are stored.
fn int_value(attr: sys::MlirAttribute) -> Option<i64> {
    let attr = AttrRef::new(attr)?;
    attr.as_int().or_else(|| attr.as_bool().map(i64::from))
}

fn string_value(attr: sys::MlirAttribute) -> Option<String> {
    AttrRef::new(attr)?.as_string()
}

fn i64s_value(attr: sys::MlirAttribute) -> Option<Vec<i64>> {
    AttrRef::new(attr)?.as_i64_array()
}

fn bools_value(attr: sys::MlirAttribute) -> Option<Vec<bool>> {
    AttrRef::new(attr)?.as_bool_array()
}
