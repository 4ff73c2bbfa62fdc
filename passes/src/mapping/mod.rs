//! Mapping: integer TOSA onto crossbar arrays.
//!
//! `cim-lower-crossbar-ops` turns convolutions and matmuls with constant
//! weights into host-side im2col plus `cim.matmul`; `cim-bit-slice` spreads
//! weights over multi-bit cells; `cim-tile` cuts the level matrices into
//! array-sized tiles (`cim.program` + `cim.mvm`); `cim-replicate` chooses
//! copies of each layer's weights; `cim-place` assigns arrays,
//! macros and cores; `cim-schedule` orders the crossbar work. Every pass reads
//! the same target (`PassContext::target`). Conventions are in
//! dialects/cim/README.md.

pub mod bit_slice;
pub mod decompose_conv3d;
pub mod lower_crossbar_ops;
pub mod orient_matmuls;
pub mod place;
pub mod replicate;
pub mod schedule;
pub mod tile;

use crate::emit::{self, Emitter};
use crate::raw::{RawOp, RawValue};
use crate::PassFailed;
use cimc_dialects::cim::{MalformedOp, Matmul, MatmulAttrs};

/// Σ over each window of its im2col row (per block of `block` columns when
/// `block` divides the row): `[rows, width / block]` in i32.
pub(crate) fn row_sums(e: &Emitter, cols: RawValue, rows: i64, width: i64, block: i64) -> RawValue {
    let wide = e.cast(cols, &[rows, width], "i32");
    let groups = width / block;
    let grouped = e.reshape(wide, &[rows, groups, block], "i32");
    let axis = e.attr("2 : i32");
    let summed = e.value(
        "tosa.reduce_sum",
        &[grouped],
        e.tensor(&[rows, groups, 1], "i32"),
        &[("axis", axis)],
    );
    e.reshape(summed, &[rows, groups], "i32")
}

/// Repeats each column of `[rows, groups]` `times` times: `[rows, groups * times]`.
pub(crate) fn repeat_columns(
    e: &Emitter,
    value: RawValue,
    rows: i64,
    groups: i64,
    times: i64,
) -> RawValue {
    if times == 1 {
        return value;
    }
    let three = e.reshape(value, &[rows, groups, 1], "i32");
    let multiples = e.shape(&[1, 1, times]);
    let tiled = e.value(
        "tosa.tile",
        &[three, multiples],
        e.tensor(&[rows, groups, times], "i32"),
        &[],
    );
    e.reshape(tiled, &[rows, groups * times], "i32")
}

/// The `cim.matmul` ops of a function, in order, each checked; a malformed
/// one is reported and fails the pass.
pub(crate) fn matmuls(root: RawOp) -> Result<Vec<MatmulFacts>, PassFailed> {
    crate::ir::nested_ops(root)
        .into_iter()
        .filter(|op| crate::raw::op_name(*op) == Matmul::NAME)
        .map(|op| {
            Matmul::from_op(op)
                .and_then(|matmul| matmul_facts(&matmul))
                .map_err(crate::diag::malformed)
        })
        .collect()
}

/// Facts of a `cim.matmul` every mapping pass needs.
pub(crate) struct MatmulFacts {
    pub op: RawOp,
    pub input: RawValue,
    pub windows: i64,
    pub weights: Vec<i64>,
    pub k: i64,
    pub p: i64,
    pub weight_bits: i64,
    pub cell_bits: i64,
    pub blocks: i64,
    /// The op's attributes, for the ops that replace it.
    pub attrs: MatmulAttrs,
}

fn matmul_facts(matmul: &Matmul) -> Result<MatmulFacts, MalformedOp> {
    let [windows, _] = matmul.input_shape();
    let [k, p] = matmul.weights_shape();
    let weights = emit::const_ints(matmul.weights())
        .ok_or_else(|| MalformedOp::new(matmul.op(), "has weights that are not constant"))?;
    Ok(MatmulFacts {
        op: matmul.op(),
        input: matmul.input(),
        windows,
        weights,
        k,
        p,
        weight_bits: i64::from(matmul.weight_bits()),
        cell_bits: i64::from(matmul.cell_bits()),
        blocks: i64::from(matmul.blocks()),
        attrs: matmul.attrs().clone(),
    })
}
