//! `cim.shift_add`: recombines the partial sums of weight bit-slices.

use super::attrs::{CELL_BITS, DIFFERENTIAL, SLICES};
use super::check::{self, operand_shape, Check};
use super::MalformedOp;
use crate::Builder;
use mlir_sys as sys;

/// The attributes of a `cim.shift_add`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShiftAddAttrs {
    /// Bit-slices per weight (S).
    pub slices: u32,
    pub cell_bits: u32,
    /// Each weight has S positive then S negative slice columns.
    pub differential: bool,
}

/// A checked `cim.shift_add`: `(tensor<NxPxi32>) -> tensor<NxOxi32>`.
#[derive(Debug, Clone)]
pub struct ShiftAdd {
    op: sys::MlirOperation,
    attrs: ShiftAddAttrs,
}

impl ShiftAdd {
    pub const NAME: &'static str = "cim.shift_add";
    /// The attributes `cim.irdl.mlir` declares, all set by [`ShiftAdd::build`].
    pub const ATTRIBUTES: &'static [&'static str] = &[SLICES, CELL_BITS, DIFFERENTIAL];

    pub fn from_op(op: sys::MlirOperation) -> Result<Self, MalformedOp> {
        let check = Check::new(op, Self::NAME)?;
        check.operands(1)?;
        check.results(1)?;
        check.tensor(0, "partials", 2)?;
        let attrs = ShiftAddAttrs {
            slices: check.width(SLICES)?,
            cell_bits: check.width(CELL_BITS)?,
            differential: check.flag(DIFFERENTIAL)?,
        };
        if attrs.slices == 0 {
            return Err(check.fail(format!("attribute '{SLICES}' must be at least 1")));
        }
        Ok(ShiftAdd { op, attrs })
    }

    /// Inserts a `cim.shift_add` of `partials`, of result type `output`.
    pub fn build(
        at: &Builder,
        partials: sys::MlirValue,
        output: sys::MlirType,
        attrs: &ShiftAddAttrs,
    ) -> Self {
        let op = at.create(
            Self::NAME,
            &[partials],
            &[output],
            &[
                (SLICES, at.i64_attr(i64::from(attrs.slices))),
                (CELL_BITS, at.i64_attr(i64::from(attrs.cell_bits))),
                (DIFFERENTIAL, at.bool_attr(attrs.differential)),
            ],
        );
        ShiftAdd {
            op,
            attrs: attrs.clone(),
        }
    }

    pub fn op(&self) -> sys::MlirOperation {
        self.op
    }

    pub fn attrs(&self) -> &ShiftAddAttrs {
        &self.attrs
    }

    pub fn partials(&self) -> sys::MlirValue {
        check::operand(self.op, 0)
    }

    /// `[N, P]`.
    pub fn partials_shape(&self) -> [i64; 2] {
        operand_shape(self.op, 0)
    }

    pub fn result(&self) -> sys::MlirValue {
        check::result(self.op, 0)
    }

    pub fn slices(&self) -> u32 {
        self.attrs.slices
    }

    pub fn cell_bits(&self) -> u32 {
        self.attrs.cell_bits
    }

    pub fn differential(&self) -> bool {
        self.attrs.differential
    }
}
