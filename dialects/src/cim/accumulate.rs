//! `cim.accumulate`: sums row-tile partial sums.

use super::check::{self, Check};
use super::MalformedOp;
use crate::Builder;
use mlir_sys as sys;

/// A checked `cim.accumulate`: `(tensor<NxPxi32>, ...) -> tensor<NxPxi32>`.
#[derive(Debug, Clone)]
pub struct Accumulate {
    op: sys::MlirOperation,
}

impl Accumulate {
    pub const NAME: &'static str = "cim.accumulate";
    /// `cim.irdl.mlir` declares none.
    pub const ATTRIBUTES: &'static [&'static str] = &[];

    pub fn from_op(op: sys::MlirOperation) -> Result<Self, MalformedOp> {
        let check = Check::new(op, Self::NAME)?;
        check.at_least_operands(1)?;
        check.results(1)?;
        for index in 0..check::operands(op).len() {
            check.tensor(index as isize, "partials", 2)?;
        }
        Ok(Accumulate { op })
    }

    /// Inserts a `cim.accumulate` of `partials`, of result type `output`.
    pub fn build(at: &Builder, partials: &[sys::MlirValue], output: sys::MlirType) -> Self {
        let op = at.create(Self::NAME, partials, &[output], &[]);
        Accumulate { op }
    }

    pub fn op(&self) -> sys::MlirOperation {
        self.op
    }

    pub fn partials(&self) -> Vec<sys::MlirValue> {
        check::operands(self.op)
    }

    pub fn result(&self) -> sys::MlirValue {
        check::result(self.op, 0)
    }
}
