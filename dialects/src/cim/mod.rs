//! The `cim` dialect: weight tiles on crossbar arrays, bit-serial crossbar
//! matrix-vector products and the digital recombination of their partial sums.
//! Semantics: `dialects/cim/README.md`.
//!
//! Each op has a typed view (one file each): `from_op` checks an op against
//! what its getters promise and returns a [`MalformedOp`] (located at the
//! op) otherwise; `build` creates the op with every attribute the IRDL
//! declares; setters add the discardable `cim.*` attributes of the passes
//! that decide them. Attribute names are declared once, in [`attrs`].

mod accumulate;
mod annotations;
pub mod attrs;
mod check;
mod error;
mod im2col;
mod matmul;
mod mvm;
mod program;
mod shift_add;

pub use accumulate::Accumulate;
pub use annotations::{
    adc_shifts, layer_name, schedule, set_adc_shifts, set_layer_name, set_schedule,
};
/// The stable layer name's attribute on a crossbar layer's TOSA op (the name
/// the input passes have always used; read and write it with
/// [`layer_name`] and [`set_layer_name`]).
pub use attrs::LAYER_NAME as LAYER_ATTR;
pub use error::MalformedOp;
pub use im2col::{Im2col, Im2colAttrs};
pub use matmul::{Matmul, MatmulAttrs};
pub use mvm::{Mvm, MvmAttrs};
pub use program::{Placement, Program, ProgramAttrs, TilePosition};
pub use shift_add::{ShiftAdd, ShiftAddAttrs};

use mlir_sys as sys;

/// The dialect namespace.
pub const NAMESPACE: &str = "cim";

/// The IRDL definition, also usable as `mlir-opt --irdl-file=dialects/cim/cim.irdl.mlir`.
pub const IRDL: &str = include_str!("../../cim/cim.irdl.mlir");

/// The type of a tile programmed onto one array, `cim.program`'s result.
pub const TILE_TYPE: &str = "!cim.tile";

/// Every op of the dialect.
pub const OPS: &[&str] = &[
    Im2col::NAME,
    Matmul::NAME,
    Program::NAME,
    Mvm::NAME,
    ShiftAdd::NAME,
    Accumulate::NAME,
];

/// Whether `op_name` is an op of this dialect.
pub fn is_cim_op(op_name: &str) -> bool {
    op_name
        .strip_prefix(NAMESPACE)
        .is_some_and(|rest| rest.starts_with('.'))
}

/// Any `cim` op, checked: the one dispatcher for passes that handle several.
#[derive(Debug, Clone)]
pub enum Op {
    Im2col(Im2col),
    Matmul(Matmul),
    Program(Program),
    Mvm(Mvm),
    ShiftAdd(ShiftAdd),
    Accumulate(Accumulate),
}

impl Op {
    /// The view of `op`: `Ok(None)` for an op of another dialect, an error
    /// for a malformed or unknown `cim` op.
    pub fn from_op(op: sys::MlirOperation) -> Result<Option<Op>, MalformedOp> {
        let name = error::op_name(op);
        Ok(Some(match name.as_str() {
            Im2col::NAME => Op::Im2col(Im2col::from_op(op)?),
            Matmul::NAME => Op::Matmul(Matmul::from_op(op)?),
            Program::NAME => Op::Program(Program::from_op(op)?),
            Mvm::NAME => Op::Mvm(Mvm::from_op(op)?),
            ShiftAdd::NAME => Op::ShiftAdd(ShiftAdd::from_op(op)?),
            Accumulate::NAME => Op::Accumulate(Accumulate::from_op(op)?),
            _ if is_cim_op(&name) => {
                return Err(MalformedOp::new(op, "is not an op of the cim dialect"))
            }
            _ => return Ok(None),
        }))
    }

    pub fn op(&self) -> sys::MlirOperation {
        match self {
            Op::Im2col(view) => view.op(),
            Op::Matmul(view) => view.op(),
            Op::Program(view) => view.op(),
            Op::Mvm(view) => view.op(),
            Op::ShiftAdd(view) => view.op(),
            Op::Accumulate(view) => view.op(),
        }
    }
}
