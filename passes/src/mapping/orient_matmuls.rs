//! `cim-orient-matmuls`: integer matmuls with one constant operand become
//! batch-1 matmuls whose constant is the right-hand side, the form
//! `cim-lower-crossbar-ops` puts on crossbars.

use crate::emit::{self, Emitter};
use crate::raw::{RawOp, RawValue};
use crate::{OptionInfo, Pass, PassFailed, PassInfo};
use melior::ir::operation::OperationRefMut;

pub static INFO: PassInfo = PassInfo {
    argument: "cim-orient-matmuls",
    summary: "Put the constant of an integer matmul on the right, one batch at a time",
    description: "\
A crossbar holds a matmul's constant right-hand side B [1,C,W] as weights.
This pass brings the other integer (i8, i16) `tosa.matmul`s with a
constant operand into that form, exactly:
  - a constant left-hand side A [N,H,C] with a computed B: A·B is the
    transpose of Bᵀ·Aᵀ, so the matmul becomes `tosa.transpose` of B to
    [N,W,C], a matmul by the constant Aᵀ [N,C,H] with the two zero points
    exchanged, and a transpose of its [N,W,H] result back to [N,H,W];
  - a batch N > 1 with a constant B: one matmul per batch, of the
    `tosa.slice` [1,H,C] of A by the constant B[n], joined by `tosa.concat`
    along the batch; batch n is layer `<layer>_batch<n>`.
Every product and sum is the one the original matmul computes. A matmul
with both operands computed stays as it is (a host op: a crossbar's weights
are programmed once).

Example: `tosa.matmul %c, %x` with %c a constant tensor<1x2x3xi8> and %x a
computed tensor<1x3x8xi8> becomes `tosa.transpose %x` (tensor<1x8x3xi8>),
`tosa.matmul` of it by a constant tensor<1x3x2xi8>, and a transpose of the
tensor<1x8x2xi32> product to tensor<1x2x8xi32>.",
    anchor: Some("func.func"),
    options: &[] as &[OptionInfo],
    create: |_, _| Box::new(OrientMatmuls),
};

struct OrientMatmuls;

impl Pass for OrientMatmuls {
    fn run(&self, func: OperationRefMut<'_, '_>) -> Result<(), PassFailed> {
        crate::input::name_layers::name_layers(func.to_raw());
        let ops: Vec<RawOp> = crate::ir::nested_ops(func.to_raw())
            .into_iter()
            .filter(|op| crate::input::name_layers::crossbar_kind(*op) == Some("matmul"))
            .collect();
        for op in ops {
            if crate::quant::options::keeps_float(op) {
                continue;
            }
            if let Some(value) = orient(op) {
                emit::replace_uses(emit::result_of(op, 0), value);
                emit::erase(op);
            }
        }
        Ok(())
    }
}

/// A 3-D integer tensor's shape, element and (when constant) values.
fn operand(op: RawOp, index: isize) -> Option<([i64; 3], String, Option<Vec<i64>>)> {
    let value = emit::operand(op, index);
    let (shape, element) = emit::tensor_info(value)?;
    let shape = <[i64; 3]>::try_from(shape).ok()?;
    Some((shape, element, emit::const_ints(value)))
}

/// `values` of shape [n, rows, cols] with each batch's matrix transposed.
fn transposed(values: &[i64], [n, rows, cols]: [i64; 3]) -> Vec<i64> {
    let (n, rows, cols) = (n as usize, rows as usize, cols as usize);
    let mut out = Vec::with_capacity(values.len());
    for b in 0..n {
        for c in 0..cols {
            for r in 0..rows {
                out.push(values[(b * rows + r) * cols + c]);
            }
        }
    }
    out
}

fn transpose(e: &Emitter, value: RawValue, [n, rows, cols]: [i64; 3], element: &str) -> RawValue {
    e.value(
        "tosa.transpose",
        &[value],
        e.tensor(&[n, cols, rows], element),
        &[("perms", e.attr("array<i32: 0, 2, 1>"))],
    )
}

/// The rewritten matmul's value, or `None` when it is already in form or
/// has no constant operand.
fn orient(op: RawOp) -> Option<RawValue> {
    let (a_shape, element, a) = operand(op, 0)?;
    let (b_shape, _, b) = operand(op, 1)?;
    let (out_shape, out_element) = emit::tensor_info(emit::result_of(op, 0))?;
    let layer = crate::input::name_layers::layer_name(op)?;
    let (a_zp, b_zp) = (emit::operand(op, 2), emit::operand(op, 3));
    let e = Emitter::before(op);
    let [n, h, c] = a_shape;
    let w = b_shape[2];
    match (a, b) {
        (Some(a), None) => {
            // A·B = (Bᵀ·Aᵀ)ᵀ.
            let bt = transpose(&e, emit::operand(op, 1), b_shape, &element);
            let at = e.const_int(&[n, c, h], &element, &transposed(&a, a_shape));
            let product = matmul(&e, bt, at, b_zp, a_zp, [n, w, h], &out_element, &layer);
            let oriented = emit::result_of(product, 0);
            let value = transpose(&e, oriented, [n, w, h], &out_element);
            // The new matmul may itself be batched.
            if n > 1 {
                if let Some(split) = orient(product) {
                    emit::replace_uses(oriented, split);
                    emit::erase(product);
                }
            }
            Some(value)
        }
        (_, Some(b)) if n > 1 => {
            let x = emit::operand(op, 0);
            let per = (c * w) as usize;
            let parts: Vec<RawValue> = (0..n)
                .map(|i| {
                    let start = e.shape(&[i, 0, 0]);
                    let size = e.shape(&[1, h, c]);
                    let slice = e.value(
                        "tosa.slice",
                        &[x, start, size],
                        e.tensor(&[1, h, c], &element),
                        &[],
                    );
                    let weights = &b[i as usize * per..(i as usize + 1) * per];
                    let weights = e.const_int(&[1, c, w], &element, weights);
                    let name = format!("{layer}_batch{i}");
                    let part = matmul(
                        &e,
                        slice,
                        weights,
                        a_zp,
                        b_zp,
                        [1, h, w],
                        &out_element,
                        &name,
                    );
                    emit::result_of(part, 0)
                })
                .collect();
            Some(e.value(
                "tosa.concat",
                &parts,
                e.tensor(&out_shape, &out_element),
                &[("axis", e.attr("0 : i32"))],
            ))
        }
        _ => None,
    }
}

#[allow(clippy::too_many_arguments)]
fn matmul(
    e: &Emitter,
    a: RawValue,
    b: RawValue,
    a_zp: RawValue,
    b_zp: RawValue,
    shape: [i64; 3],
    element: &str,
    layer: &str,
) -> RawOp {
    let op = e.op(
        "tosa.matmul",
        &[a, b, a_zp, b_zp],
        &[e.tensor(&shape, element)],
        &[],
    );
    cimc_dialects::cim::set_layer_name(op, layer);
    op
}
