//! `cim.shift_add`: recombines the partial sums of weight bit-slices.

use super::attrs::{CELL_BITS, DIFFERENTIAL, OFFSET, SLICES};
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
    /// The offset of offset-encoded weights (2^(B-1)), taken off once per
    /// reference column (a column of ones: its window's input sum) of each
    /// block of outputs; 0: the partials have no reference columns.
    pub offset: u32,
}

/// A checked `cim.shift_add`: `(tensor<NxPxi32>) -> tensor<NxOxi32>`, with
/// P = O·G, or O·G + R for R reference columns (R divides O) when `offset`
/// is set.
#[derive(Debug, Clone)]
pub struct ShiftAdd {
    op: sys::MlirOperation,
    attrs: ShiftAddAttrs,
}

impl ShiftAdd {
    pub const NAME: &'static str = "cim.shift_add";
    /// The attributes `cim.irdl.mlir` declares, all set by [`ShiftAdd::build`].
    pub const ATTRIBUTES: &'static [&'static str] = &[SLICES, CELL_BITS, DIFFERENTIAL, OFFSET];

    pub fn from_op(op: sys::MlirOperation) -> Result<Self, MalformedOp> {
        let check = Check::new(op, Self::NAME)?;
        check.operands(1)?;
        check.results(1)?;
        check.tensor(0, "partials", 2)?;
        let attrs = ShiftAddAttrs {
            slices: check.width(SLICES)?,
            cell_bits: check.width(CELL_BITS)?,
            differential: check.flag(DIFFERENTIAL)?,
            offset: check.width(OFFSET)?,
        };
        if attrs.slices == 0 {
            return Err(check.fail(format!("attribute '{SLICES}' must be at least 1")));
        }
        let view = ShiftAdd { op, attrs };
        let [_, p] = view.partials_shape();
        let o = check::static_shape(view.result()).map_or(0, |s| s.get(1).copied().unwrap_or(0));
        if p > 0 && o > 0 {
            let group = i64::from(view.group());
            let references = p - o * group;
            let fits = if view.attrs.offset == 0 {
                references == 0
            } else {
                references >= 1 && o % references == 0
            };
            if !fits {
                return Err(check.fail(format!(
                    "has {p} partial-sum columns for {o} outputs of {group} columns each{}",
                    if view.attrs.offset == 0 {
                        " (no reference columns without an offset)"
                    } else {
                        " and one reference column per block of outputs"
                    }
                )));
            }
        }
        Ok(view)
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
                (OFFSET, at.i64_attr(i64::from(attrs.offset))),
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

    pub fn offset(&self) -> u32 {
        self.attrs.offset
    }

    /// Partial-sum columns per output (S, 2·S when differential).
    pub fn group(&self) -> u32 {
        self.attrs.slices * if self.attrs.differential { 2 } else { 1 }
    }

    /// The reference columns: P − O·G, one per block of outputs (0 without
    /// an offset; 0 too when a shape is not static).
    pub fn references(&self) -> u32 {
        let [_, p] = self.partials_shape();
        let o = check::static_shape(self.result()).map_or(0, |s| s.get(1).copied().unwrap_or(0));
        u32::try_from(p - o * i64::from(self.group())).unwrap_or(0)
    }
}
