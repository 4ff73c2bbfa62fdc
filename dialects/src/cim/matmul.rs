//! `cim.matmul`: a crossbar matrix product before tiling.

use super::attrs::{BLOCKS, CELL_BITS, INPUT_BITS, LAYER, WEIGHT_BITS};
use super::check::{self, operand_shape, Check};
use super::MalformedOp;
use crate::Builder;
use mlir_sys as sys;

/// The attributes of a `cim.matmul`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatmulAttrs {
    pub input_bits: u32,
    pub weight_bits: u32,
    /// 0 while the weights are signed integers, the cells' bits after
    /// `cim-bit-slice` (the weights are then cell levels).
    pub cell_bits: u32,
    pub layer: String,
    /// Compact diagonal weight blocks (depthwise channels); 1 for a plain matrix.
    pub blocks: u32,
}

/// A checked `cim.matmul`: `(tensor<NxK>, tensor<KxP>) -> tensor<NxPxi32>`.
#[derive(Debug, Clone)]
pub struct Matmul {
    op: sys::MlirOperation,
    attrs: MatmulAttrs,
}

impl Matmul {
    pub const NAME: &'static str = "cim.matmul";
    /// The attributes `cim.irdl.mlir` declares, all set by [`Matmul::build`].
    pub const ATTRIBUTES: &'static [&'static str] =
        &[INPUT_BITS, WEIGHT_BITS, CELL_BITS, LAYER, BLOCKS];

    pub fn from_op(op: sys::MlirOperation) -> Result<Self, MalformedOp> {
        let check = Check::new(op, Self::NAME)?;
        check.operands(2)?;
        check.results(1)?;
        check.tensor(0, "input", 2)?;
        check.tensor(1, "weights", 2)?;
        let attrs = MatmulAttrs {
            input_bits: check.width(INPUT_BITS)?,
            weight_bits: check.width(WEIGHT_BITS)?,
            cell_bits: check.width(CELL_BITS)?,
            layer: check.string(LAYER)?,
            blocks: check.width(BLOCKS)?,
        };
        if attrs.blocks == 0 {
            return Err(check.fail(format!("attribute '{BLOCKS}' must be at least 1")));
        }
        Ok(Matmul { op, attrs })
    }

    /// Inserts a `cim.matmul` of `input` against `weights` with result type
    /// `output`.
    pub fn build(
        at: &Builder,
        input: sys::MlirValue,
        weights: sys::MlirValue,
        output: sys::MlirType,
        attrs: &MatmulAttrs,
    ) -> Self {
        let op = at.create(
            Self::NAME,
            &[input, weights],
            &[output],
            &[
                (INPUT_BITS, at.i64_attr(i64::from(attrs.input_bits))),
                (WEIGHT_BITS, at.i64_attr(i64::from(attrs.weight_bits))),
                (CELL_BITS, at.i64_attr(i64::from(attrs.cell_bits))),
                (LAYER, at.str_attr(&attrs.layer)),
                (BLOCKS, at.i64_attr(i64::from(attrs.blocks))),
            ],
        );
        Matmul {
            op,
            attrs: attrs.clone(),
        }
    }

    pub fn op(&self) -> sys::MlirOperation {
        self.op
    }

    pub fn attrs(&self) -> &MatmulAttrs {
        &self.attrs
    }

    pub fn input(&self) -> sys::MlirValue {
        check::operand(self.op, 0)
    }

    /// `[N, K]` (`[N, G·K]` with G blocks).
    pub fn input_shape(&self) -> [i64; 2] {
        operand_shape(self.op, 0)
    }

    pub fn weights(&self) -> sys::MlirValue {
        check::operand(self.op, 1)
    }

    /// `[K, P]` (`[K, G·Q]` with G blocks).
    pub fn weights_shape(&self) -> [i64; 2] {
        operand_shape(self.op, 1)
    }

    pub fn result(&self) -> sys::MlirValue {
        check::result(self.op, 0)
    }

    pub fn input_bits(&self) -> u32 {
        self.attrs.input_bits
    }

    pub fn weight_bits(&self) -> u32 {
        self.attrs.weight_bits
    }

    pub fn cell_bits(&self) -> u32 {
        self.attrs.cell_bits
    }

    pub fn layer(&self) -> &str {
        &self.attrs.layer
    }

    pub fn blocks(&self) -> u32 {
        self.attrs.blocks
    }
}
