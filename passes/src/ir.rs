//! Small raw-IR helpers the clean-up passes share. They work on MLIR's C
//! handles because they erase ops while iterating, which melior's borrowed
//! references cannot express.

use mlir_sys as sys;

use crate::raw::attr;
// `op_name` and `RawOp` live in `crate::raw`; these paths keep working for
// other crates.
pub use crate::raw::{op_name, RawOp};

/// Whether no result of `op` is used.
pub fn results_unused(op: RawOp) -> bool {
    unsafe {
        (0..sys::mlirOperationGetNumResults(op)).all(|i| {
            let result = sys::mlirOperationGetResult(op, i);
            sys::mlirOpOperandIsNull(sys::mlirValueGetFirstUse(result))
        })
    }
}

/// The op using `value`, if it has exactly one use.
pub fn single_user(value: sys::MlirValue) -> Option<RawOp> {
    unsafe {
        let first = sys::mlirValueGetFirstUse(value);
        if sys::mlirOpOperandIsNull(first)
            || !sys::mlirOpOperandIsNull(sys::mlirOpOperandGetNextUse(first))
        {
            return None;
        }
        Some(sys::mlirOpOperandGetOwner(first))
    }
}

/// A float attribute of `op`, if present.
pub fn float_attr(op: RawOp, name: &str) -> Option<f64> {
    let attr = attr(op, name)?;
    unsafe { sys::mlirAttributeIsAFloat(attr).then(|| sys::mlirFloatAttrGetValueDouble(attr)) }
}

/// The ops defining `op`'s operands (block arguments have none).
pub fn operand_producers(op: RawOp) -> Vec<RawOp> {
    unsafe {
        (0..sys::mlirOperationGetNumOperands(op))
            .map(|i| sys::mlirOperationGetOperand(op, i))
            .filter(|value| sys::mlirValueIsAOpResult(*value))
            .map(|value| sys::mlirOpResultGetOwner(value))
            .collect()
    }
}

/// Every block nested anywhere under `root`, outermost first.
pub fn nested_blocks(root: RawOp) -> Vec<sys::MlirBlock> {
    let mut blocks = Vec::new();
    let mut pending = vec![root];
    while let Some(op) = pending.pop() {
        unsafe {
            for r in 0..sys::mlirOperationGetNumRegions(op) {
                let mut block = sys::mlirRegionGetFirstBlock(sys::mlirOperationGetRegion(op, r));
                while !block.ptr.is_null() {
                    blocks.push(block);
                    pending.extend(block_ops(block));
                    block = sys::mlirBlockGetNextInRegion(block);
                }
            }
        }
    }
    blocks
}

/// Every op nested anywhere under `root` (not `root` itself), block by
/// block, outermost blocks first.
pub fn nested_ops(root: RawOp) -> Vec<RawOp> {
    nested_blocks(root)
        .into_iter()
        .flat_map(block_ops)
        .collect()
}

/// The ops of `block`, in order.
pub fn block_ops(block: sys::MlirBlock) -> Vec<RawOp> {
    let mut ops = Vec::new();
    unsafe {
        let mut op = sys::mlirBlockGetFirstOperation(block);
        while !op.ptr.is_null() {
            ops.push(op);
            op = sys::mlirOperationGetNextInBlock(op);
        }
    }
    ops
}
