//! Small IR helpers the clean-up passes share, on raw handles for the
//! passes not yet holding [`OpRef`]s; each is a thin call into the safe
//! handles of `cimc_dialects::handle`.

use cimc_dialects::handle::{AttrRef, BlockRef, OpRef, ValueRef};
use mlir_sys as sys;

use crate::raw::attr;
// `op_name` and `RawOp` live in `crate::raw`; these paths keep working for
// other crates.
pub use crate::raw::{op_name, RawOp};

fn op(raw: RawOp) -> Option<OpRef> {
    OpRef::new(raw)
}

/// Whether no result of `op` is used.
pub fn results_unused(raw: RawOp) -> bool {
    op(raw).is_none_or(OpRef::results_unused)
}

/// The op using `value`, if it has exactly one use.
pub fn single_user(value: sys::MlirValue) -> Option<RawOp> {
    ValueRef::new(value)?.single_user().map(OpRef::raw)
}

/// A float attribute of `op`, if present.
pub fn float_attr(op: RawOp, name: &str) -> Option<f64> {
    AttrRef::new(attr(op, name)?)?.as_float()
}

/// The ops defining `op`'s operands (block arguments have none).
pub fn operand_producers(raw: RawOp) -> Vec<RawOp> {
    op(raw).map_or_else(Vec::new, |o| {
        o.producers().into_iter().map(OpRef::raw).collect()
    })
}

/// Every block nested anywhere under `root`, outermost first.
pub fn nested_blocks(root: RawOp) -> Vec<sys::MlirBlock> {
    op(root).map_or_else(Vec::new, |o| {
        o.nested_blocks().into_iter().map(BlockRef::raw).collect()
    })
}

/// Every op nested anywhere under `root` (not `root` itself), block by
/// block, outermost blocks first.
pub fn nested_ops(root: RawOp) -> Vec<RawOp> {
    op(root).map_or_else(Vec::new, |o| {
        o.nested_ops().into_iter().map(OpRef::raw).collect()
    })
}

/// The ops nested in `root` (as [`nested_ops`]) named `name`.
pub fn nested_ops_named(root: RawOp, name: &str) -> Vec<RawOp> {
    nested_ops(root)
        .into_iter()
        .filter(|op| crate::raw::op_name(*op) == name)
        .collect()
}

/// The ops of `block`, in order.
pub fn block_ops(block: sys::MlirBlock) -> Vec<RawOp> {
    BlockRef::new(block).map_or_else(Vec::new, |b| b.ops().into_iter().map(OpRef::raw).collect())
}
