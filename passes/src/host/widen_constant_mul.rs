//! `cim-widen-constant-mul`: computes 8- and 16-bit `tosa.mul` of constants
//! as i32 multiplications, so that upstream's wrong folder never sees them.

use crate::emit::{self, Emitter};
use crate::raw::{RawOp, RawValue};
use crate::{OptionInfo, Pass, PassFailed, PassInfo};
use cimc_dialects::handle::{OpRef, ValueRef};
use melior::ir::operation::OperationRefMut;
use std::collections::HashMap;

pub static INFO: PassInfo = PassInfo {
    argument: "cim-widen-constant-mul",
    summary: "Widen i8/i16 tosa.mul of constants to i32, around a wrong upstream folder",
    description: "\
TOSA's i8 x i8 and i16 x i16 `tosa.mul` produce i32: the product of the
sign-extended operands, which always fits. MLIR 22's folder for tosa.mul
(mulBinaryFolder, shift 0) multiplies two splat constants at the operand
width instead, then stores that truncated product, zero-extended, as the
i32 result: 14 x -21 folds to 218, not -294. Dialect conversion
(tosa-to-linalg) runs folders, so reference execution computed such products
wrongly whenever both operands were splat constants, or became constants
when the ops computing them from constants folded.
This pass rewrites every i8/i16 tosa.mul whose two operands are computed
from constants only (tosa.const and TOSA ops of constants) as `tosa.cast`
of each operand to i32 and an i32 `tosa.mul` with the same shift (0): the
same values (the specification's product), which upstream folds (sign
extension, then a 32-bit product) and lowers correctly. A tosa.mul with a
non-constant operand is left alone: its upstream lowering is exact.

Example: `tosa.mul %a, %b, %s : (tensor<1xi8>, tensor<1xi8>, tensor<1xi8>) ->
tensor<1xi32>` with %a, %b from tosa.const becomes two `tosa.cast` to
tensor<1xi32> and `tosa.mul` of those.",
    anchor: Some("func.func"),
    options: &[] as &[OptionInfo],
    create: |_, _| Box::new(WidenConstantMul),
};

struct WidenConstantMul;

impl Pass for WidenConstantMul {
    fn run(&self, func: OperationRefMut<'_, '_>) -> Result<(), PassFailed> {
        let ops: Vec<RawOp> = crate::ir::nested_ops_named(func.to_raw(), "tosa.mul");
        let mut constant = HashMap::new();
        for op in ops {
            let (a, b, shift) = (
                emit::operand(op, 0),
                emit::operand(op, 1),
                emit::operand(op, 2),
            );
            let (Some((a_shape, element)), Some((b_shape, _))) =
                (emit::tensor_info(a), emit::tensor_info(b))
            else {
                continue;
            };
            if !matches!(element.as_str(), "i8" | "i16")
                || !is_constant(a, &mut constant)
                || !is_constant(b, &mut constant)
            {
                continue;
            }
            let e = Emitter::before(op);
            let wide_a = e.cast(a, &a_shape, "i32");
            let wide_b = e.cast(b, &b_shape, "i32");
            let Some(result) = OpRef::new(op).and_then(|o| o.result(0)) else {
                continue;
            };
            let result_ty = result.ty();
            let product = e.value("tosa.mul", &[wide_a, wide_b, shift], result_ty, &[]);
            emit::replace_uses(emit::result_of(op, 0), product);
            emit::erase(op);
        }
        Ok(())
    }
}

/// Whether `value` is computed from constants only: a `tosa.const` or
/// `tosa.const_shape`, or a region-free TOSA op all of whose operands are.
fn is_constant(value: RawValue, memo: &mut HashMap<usize, bool>) -> bool {
    let Some(op) = ValueRef::new(value).and_then(ValueRef::producer) else {
        return false;
    };
    let key = op.raw().ptr as usize;
    if let Some(known) = memo.get(&key) {
        return *known;
    }
    let name = op.name();
    let result = match name.as_str() {
        "tosa.const" | "tosa.const_shape" => true,
        _ if name.starts_with("tosa.") && op.num_operands() > 0 && op.num_regions() == 0 => op
            .operands()
            .into_iter()
            .all(|operand| is_constant(operand.raw(), memo)),
        _ => false,
    };
    memo.insert(key, result);
    result
}
