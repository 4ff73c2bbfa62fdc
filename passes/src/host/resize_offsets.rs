//! `cim-resize-offsets`: a `tosa.resize` with a negative offset reads a
//! replicated border instead, which upstream lowering computes correctly.

use crate::emit::{self, Emitter};
use crate::raw::{RawOp, RawValue};
use crate::{OptionInfo, Pass, PassFailed, PassInfo};
use melior::ir::operation::OperationRefMut;

pub static INFO: PassInfo = PassInfo {
    argument: "cim-resize-offsets",
    summary: "Rewrite tosa.resize with a negative offset as one on a border-extended input",
    description: "\
TOSA 1.0 resizes [N,IH,IW,C] by scale [y_n, y_d, x_n, x_d] and offset
[oy, ox]: output row y reads input position (y·y_d + oy) / y_n, clamped to
the input (and likewise for columns); TOSA allows offsets down to -y_n
(-x_n). MLIR 22's tosa-to-linalg computes the first rows' positions wrongly
when an offset is negative: Arm's conformance tests found integer bilinear
results interpolated towards the second row instead of held at the first,
and float ones read outside the input (NaN).
Clamping makes position -1 read row 0, so this pass, for a negative
offset, puts a copy of the first row (column) before the input
(`tosa.slice`, `tosa.concat`) and adds y_n (x_n) to the offset: every
output reads the same input value at the same fraction, now from a
position that is never negative. The border and output shape are unchanged
(the input grew by one row as the offset did by y_n).

Example: `tosa.resize %x, %scale, %offset, %border` with offset [0, -1920]
and scale [1, 3, 1920, 30] on tensor<1x4x9x3xi16> becomes a concat of the
first column and %x (tensor<1x4x10x3xi16>) resized with offset [0, 0].",
    anchor: Some("func.func"),
    options: &[] as &[OptionInfo],
    create: |_, _| Box::new(ResizeOffsets),
};

struct ResizeOffsets;

impl Pass for ResizeOffsets {
    fn run(&self, func: OperationRefMut<'_, '_>) -> Result<(), PassFailed> {
        for op in crate::ir::nested_ops_named(func.to_raw(), "tosa.resize") {
            if let Some(value) = rewrite(op) {
                emit::replace_uses(emit::result_of(op, 0), value);
                emit::erase(op);
            }
        }
        Ok(())
    }
}

/// The input with its first row (`axis` 1) or column (`axis` 2) repeated
/// in front.
fn extend(e: &Emitter, x: RawValue, shape: &mut [i64; 4], axis: usize, element: &str) -> RawValue {
    let mut edge = *shape;
    edge[axis] = 1;
    let start = e.shape(&[0, 0, 0, 0]);
    let size = e.shape(&edge);
    let first = e.value(
        "tosa.slice",
        &[x, start, size],
        e.tensor(&edge, element),
        &[],
    );
    shape[axis] += 1;
    e.value(
        "tosa.concat",
        &[first, x],
        e.tensor(shape, element),
        &[("axis", e.attr(&format!("{axis} : i32")))],
    )
}

fn rewrite(op: RawOp) -> Option<RawValue> {
    let x = emit::operand(op, 0);
    let scale = emit::const_ints(emit::operand(op, 1))?;
    let mut offset = emit::const_ints(emit::operand(op, 2))?;
    let (shape, element) = emit::tensor_info(x)?;
    let mut shape = <[i64; 4]>::try_from(shape).ok()?;
    if scale.len() != 4 || offset.len() != 2 || offset.iter().all(|o| *o >= 0) {
        return None;
    }
    let result_ty = cimc_dialects::handle::OpRef::new(op)?.result(0)?.ty();
    let e = Emitter::before(op);
    let mut input = x;
    for (axis, n) in [(1, scale[0]), (2, scale[2])] {
        if offset[axis - 1] < 0 {
            input = extend(&e, input, &mut shape, axis, &element);
            offset[axis - 1] += n;
        }
    }
    let offset = e.shape(&offset);
    let mode = crate::raw::attr(op, "mode")?;
    Some(e.value(
        "tosa.resize",
        &[input, emit::operand(op, 1), offset, emit::operand(op, 3)],
        result_ty,
        &[("mode", mode)],
    ))
}
