//! The activations cim-quant-convert has put on an integer grid: each
//! one's integer value and grid, by the float value it replaces, and the
//! float ops left to erase.

use crate::emit;
use crate::quant::grid::ActGrid;
use crate::raw::{RawOp, RawValue};
use std::collections::HashMap;

/// A quantized activation: the i8 value and its grid.
#[derive(Clone, Copy)]
pub(super) struct Quantized {
    pub(super) value: RawValue,
    pub(super) scale: f64,
    pub(super) zero_point: i32,
    pub(super) bits: u32,
    pub(super) symmetric: bool,
}

impl Quantized {
    pub(super) fn on(value: RawValue, grid: ActGrid) -> Self {
        Quantized {
            value,
            scale: grid.scale,
            zero_point: grid.zero_point,
            bits: grid.bits,
            symmetric: grid.symmetric,
        }
    }

    pub(super) fn grid(&self) -> ActGrid {
        ActGrid {
            scale: self.scale,
            zero_point: self.zero_point,
            bits: self.bits,
            symmetric: self.symmetric,
        }
    }

    pub(super) fn storage_bits(&self) -> u32 {
        self.grid().storage_bits()
    }

    pub(super) fn element(&self) -> &'static str {
        self.grid().element()
    }

    /// The values `q - z` can take: what a rescale removing the zero point
    /// sees.
    pub(super) fn centred(&self) -> (i64, i64) {
        let (lo, hi) = self.grid().qrange();
        let z = i64::from(self.zero_point);
        (lo - z, hi - z)
    }
}

pub(super) fn key(value: RawValue) -> usize {
    value.ptr as usize
}

pub(super) struct State {
    pub(super) quantized: HashMap<usize, Quantized>,
    pub(super) dead: Vec<RawOp>,
    /// Ops an earlier rule already rewrote with their producer (the sums
    /// and reshapes of a reduce_sum chain before its last op).
    pub(super) absorbed: std::collections::HashSet<usize>,
}

impl State {
    pub(super) fn input(&self, op: RawOp, index: isize) -> Result<Quantized, String> {
        self.quantized
            .get(&key(emit::operand(op, index)))
            .copied()
            .ok_or_else(|| {
                format!("operand {index} has no integer value: its producer was not quantized")
            })
    }

    pub(super) fn has_input(&self, op: RawOp, index: isize) -> bool {
        self.quantized.contains_key(&key(emit::operand(op, index)))
    }

    pub(super) fn done(&mut self, op: RawOp, q: Quantized) {
        self.quantized.insert(key(emit::result_of(op, 0)), q);
        self.dead.push(op);
    }

    /// `op` is replaced by `value` on `grid`.
    pub(super) fn done_on(&mut self, op: RawOp, value: RawValue, grid: ActGrid) {
        self.done(op, Quantized::on(value, grid));
    }
}
