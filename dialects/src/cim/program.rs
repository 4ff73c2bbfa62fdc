//! `cim.program`: programs cell levels into one crossbar array and yields a
//! `!cim.tile`; carries the tile's position (cim-tile) and placement
//! (cim-place) as discardable attributes.

use super::attrs::{
    ARRAY, CELL_BITS, COL_OFFSET, CORE, FLIPPED, LAYER, MACRO, PHASE, REPLICAS, REPLICA_PLACEMENTS,
    ROW_OFFSET, USED_CELLS, WEIGHT_BITS,
};
use super::check::{self, operand_shape, Check};
use super::{MalformedOp, TILE_TYPE};
use crate::builder::{bool_array, i64_attr};
use crate::Builder;
use mlir_sys as sys;

/// The attributes of a `cim.program`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgramAttrs {
    /// Bits stored per cell.
    pub cell_bits: u32,
    /// Bits of the weights the levels were sliced from.
    pub weight_bits: u32,
    pub layer: String,
}

/// Where a tile sits in its layer's level matrix (`cim-tile`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TilePosition {
    pub row_offset: i64,
    pub col_offset: i64,
    /// Cells that hold weights (a partial or block-diagonal tile has fewer
    /// than its rows × columns).
    pub used_cells: i64,
}

/// The array a tile is programmed into (`cim-place`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    pub core: u32,
    /// The macro within its core.
    pub macro_: u32,
    /// The array within its macro.
    pub array: u32,
    /// The reprogramming phase (0 unless the network is time-multiplexed).
    pub phase: u32,
}

/// A checked `cim.program`: `(tensor<RxC>) -> !cim.tile`.
#[derive(Debug, Clone)]
pub struct Program {
    op: sys::MlirOperation,
    attrs: ProgramAttrs,
}

impl Program {
    pub const NAME: &'static str = "cim.program";
    /// The attributes `cim.irdl.mlir` declares, all set by [`Program::build`].
    pub const ATTRIBUTES: &'static [&'static str] = &[CELL_BITS, WEIGHT_BITS, LAYER];
    /// The discardable attributes passes add, each with its setter.
    pub const DISCARDABLE: &'static [&'static str] = &[
        ROW_OFFSET,
        COL_OFFSET,
        USED_CELLS,
        FLIPPED,
        CORE,
        MACRO,
        ARRAY,
        PHASE,
        REPLICAS,
        REPLICA_PLACEMENTS,
    ];

    pub fn from_op(op: sys::MlirOperation) -> Result<Self, MalformedOp> {
        let check = Check::new(op, Self::NAME)?;
        check.operands(1)?;
        check.results(1)?;
        check.tensor(0, "levels", 2)?;
        let attrs = ProgramAttrs {
            cell_bits: check.width(CELL_BITS)?,
            weight_bits: check.width(WEIGHT_BITS)?,
            layer: check.string(LAYER)?,
        };
        for name in [ROW_OFFSET, COL_OFFSET, USED_CELLS] {
            check.optional_int(name)?;
        }
        for name in [CORE, MACRO, ARRAY, PHASE] {
            check.optional_width(name)?;
        }
        if check.optional_width(REPLICAS)? == Some(0) {
            return Err(check.fail(format!(
                "has `{REPLICAS}` = 0: a layer has at least one copy"
            )));
        }
        if check::attr(op, REPLICA_PLACEMENTS).is_some() {
            let ok = check::ints(op, REPLICA_PLACEMENTS)
                .is_some_and(|v| v.len() % 4 == 0 && v.iter().all(|x| u32::try_from(*x).is_ok()));
            if !ok {
                return Err(check.fail(format!(
                    "has `{REPLICA_PLACEMENTS}` that is not an array<i64> of core, macro, array, phase per copy"
                )));
            }
        }
        let [_, cols] = operand_shape(op, 0);
        check.optional_bools(FLIPPED, cols)?;
        Ok(Program { op, attrs })
    }

    /// Inserts a `cim.program` of `levels` (a constant `tensor<RxC>`).
    pub fn build(at: &Builder, levels: sys::MlirValue, attrs: &ProgramAttrs) -> Self {
        let op = at.create(
            Self::NAME,
            &[levels],
            &[at.ty(TILE_TYPE)],
            &[
                (CELL_BITS, at.i64_attr(i64::from(attrs.cell_bits))),
                (WEIGHT_BITS, at.i64_attr(i64::from(attrs.weight_bits))),
                (LAYER, at.str_attr(&attrs.layer)),
            ],
        );
        Program {
            op,
            attrs: attrs.clone(),
        }
    }

    pub fn op(&self) -> sys::MlirOperation {
        self.op
    }

    pub fn attrs(&self) -> &ProgramAttrs {
        &self.attrs
    }

    pub fn levels(&self) -> sys::MlirValue {
        check::operand(self.op, 0)
    }

    /// `[R, C]`: rows (word lines) and columns (bit lines) of the tile.
    pub fn levels_shape(&self) -> [i64; 2] {
        operand_shape(self.op, 0)
    }

    /// The `!cim.tile`.
    pub fn result(&self) -> sys::MlirValue {
        check::result(self.op, 0)
    }

    pub fn cell_bits(&self) -> u32 {
        self.attrs.cell_bits
    }

    pub fn weight_bits(&self) -> u32 {
        self.attrs.weight_bits
    }

    pub fn layer(&self) -> &str {
        &self.attrs.layer
    }

    // Discardable: `None` until the pass that adds them has run.

    pub fn row_offset(&self) -> Option<i64> {
        check::int(self.op, ROW_OFFSET)
    }

    pub fn col_offset(&self) -> Option<i64> {
        check::int(self.op, COL_OFFSET)
    }

    pub fn used_cells(&self) -> Option<i64> {
        check::int(self.op, USED_CELLS)
    }

    pub fn set_position(&self, position: TilePosition) {
        let context = check::context(self.op);
        check::set(self.op, ROW_OFFSET, i64_attr(context, position.row_offset));
        check::set(self.op, COL_OFFSET, i64_attr(context, position.col_offset));
        check::set(self.op, USED_CELLS, i64_attr(context, position.used_cells));
    }

    /// The columns stored complemented, one flag per column.
    pub fn flipped(&self) -> Option<Vec<bool>> {
        check::bools(self.op, FLIPPED)
    }

    pub fn set_flipped(&self, columns: &[bool]) {
        let context = check::context(self.op);
        check::set(self.op, FLIPPED, bool_array(context, columns));
    }

    pub fn core(&self) -> Option<u32> {
        check::width(self.op, CORE)
    }

    pub fn macro_(&self) -> Option<u32> {
        check::width(self.op, MACRO)
    }

    pub fn array(&self) -> Option<u32> {
        check::width(self.op, ARRAY)
    }

    pub fn phase(&self) -> Option<u32> {
        check::width(self.op, PHASE)
    }

    /// Each placement attribute with its value, in ABI order (core, macro,
    /// array, phase): for callers that name the one missing.
    pub fn placement_parts(&self) -> [(&'static str, Option<u32>); 4] {
        [
            (CORE, self.core()),
            (MACRO, self.macro_()),
            (ARRAY, self.array()),
            (PHASE, self.phase()),
        ]
    }

    /// The placement, once all of it is set.
    pub fn placement(&self) -> Option<Placement> {
        Some(Placement {
            core: self.core()?,
            macro_: self.macro_()?,
            array: self.array()?,
            phase: self.phase()?,
        })
    }

    /// Copies of the layer's weights to place (`cim.replicas`, default 1).
    pub fn replicas(&self) -> u32 {
        check::width(self.op, REPLICAS).unwrap_or(1).max(1)
    }

    pub fn set_replicas(&self, copies: u32) {
        let context = check::context(self.op);
        check::set(self.op, REPLICAS, i64_attr(context, i64::from(copies)));
    }

    /// Where the copies after the first sit (`cim.replica_placements`).
    pub fn replica_placements(&self) -> Vec<Placement> {
        let values = check::ints(self.op, REPLICA_PLACEMENTS).unwrap_or_default();
        values
            .chunks_exact(4)
            .map(|c| Placement {
                core: c[0] as u32,
                macro_: c[1] as u32,
                array: c[2] as u32,
                phase: c[3] as u32,
            })
            .collect()
    }

    pub fn set_replica_placements(&self, placements: &[Placement]) {
        let context = check::context(self.op);
        let values: Vec<i64> = placements
            .iter()
            .flat_map(|p| [p.core, p.macro_, p.array, p.phase].map(i64::from))
            .collect();
        check::set(
            self.op,
            REPLICA_PLACEMENTS,
            crate::builder::i64_array(context, &values),
        );
    }

    pub fn set_placement(&self, placement: Placement) {
        let context = check::context(self.op);
        let int = |value: u32| i64_attr(context, i64::from(value));
        check::set(self.op, CORE, int(placement.core));
        check::set(self.op, MACRO, int(placement.macro_));
        check::set(self.op, ARRAY, int(placement.array));
        check::set(self.op, PHASE, int(placement.phase));
    }
}
