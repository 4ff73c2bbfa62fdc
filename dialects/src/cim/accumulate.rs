//! `cim.accumulate`: sums row-tile partial sums.

use super::check::Check;
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
        let count = unsafe { sys::mlirOperationGetNumOperands(op) };
        for index in 0..count {
            check.tensor(index, "partials", 2)?;
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
        let count = unsafe { sys::mlirOperationGetNumOperands(self.op) };
        (0..count)
            .map(|i| unsafe { sys::mlirOperationGetOperand(self.op, i) })
            .collect()
    }

    pub fn result(&self) -> sys::MlirValue {
        unsafe { sys::mlirOperationGetResult(self.op, 0) }
    }
}
