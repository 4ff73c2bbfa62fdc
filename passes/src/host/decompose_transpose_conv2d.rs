//! `cim-decompose-transpose-conv2d`: rewrites `tosa.transpose_conv2d` as a
//! stride-1 `tosa.conv2d`, which upstream lowering handles (MLIR 22's
//! tosa-to-linalg has no pattern for transpose_conv2d).

use crate::emit::{self, Emitter};
use crate::raw::{RawOp, RawValue};
use crate::{OptionInfo, Pass, PassFailed, PassInfo};
use cimc_dialects::handle::OpRef;
use melior::ir::operation::OperationRefMut;

pub static INFO: PassInfo = PassInfo {
    argument: "cim-decompose-transpose-conv2d",
    summary: "Rewrite tosa.transpose_conv2d as an exact stride-1 tosa.conv2d",
    description: "\
MLIR 22's tosa-to-linalg cannot lower `tosa.transpose_conv2d` (\"failed to
legalize\"), so reference execution rewrites it first, exactly, into ops it
does lower. With input [N,IH,IW,IC], weights [OC,KH,KW,IC], out_pad
[t,b,l,r] and stride [sy,sx]:
  1. when a stride exceeds 1, the input is dilated: reshaped to
     [N,IH,1,IW,1,IC], padded with the input zero point to
     [N,IH,sy,IW,sx,IC], reshaped to [N,IH*sy,IW*sx,IC] and sliced to
     [N,(IH-1)*sy+1,(IW-1)*sx+1,IC]; an inserted input-zero-point value
     contributes 0 once the zero point is subtracted;
  2. the weights are reversed along KH and KW (tosa.reverse);
  3. a tosa.conv2d with the same bias, zero points and acc_type, stride and
     dilation 1, and pad [KH-1+t, KH-1+b, KW-1+l, KW-1+r] (never negative:
     TOSA requires out_pad > -kernel) gives the transpose_conv2d result,
     [N,(IH-1)*sy+t+b+KH,(IW-1)*sx+l+r+KW,OC], with every product and sum the
     same as the specification's.
A constant integer kernel is flipped into a new constant instead, so that
the convolution keeps constant weights: the pass also runs at the start of
the cim phase, where that convolution goes onto crossbars. Runs after
validation; its output is not meant to be re-validated (the padded rank-6 tensor exceeds TOSA's level limits).

Example: `tosa.transpose_conv2d %x, %w, %b, %xz, %wz {out_pad = array<i64:
0, 0, 0, 0>, stride = array<i64: 1, 1>, acc_type = i32}` on a 3x3 kernel
becomes two `tosa.reverse` of %w and `tosa.conv2d` with `pad = array<i64: 2,
2, 2, 2>`.",
    anchor: Some("func.func"),
    options: &[] as &[OptionInfo],
    create: |_, _| Box::new(DecomposeTransposeConv2d),
};

struct DecomposeTransposeConv2d;

impl Pass for DecomposeTransposeConv2d {
    fn run(&self, func: OperationRefMut<'_, '_>) -> Result<(), PassFailed> {
        let ops: Vec<RawOp> = crate::ir::nested_ops_named(func.to_raw(), "tosa.transpose_conv2d");
        for op in ops {
            emit::replace_or_report(op, decompose(op))?;
        }
        Ok(())
    }
}

fn static_tensor(value: RawValue, what: &str, rank: usize) -> Result<(Vec<i64>, String), String> {
    match emit::tensor_info(value) {
        Some((shape, element)) if shape.len() == rank && shape.iter().all(|d| *d > 0) => {
            Ok((shape, element))
        }
        _ => Err(format!(
            "cannot be decomposed: its {what} is not a static rank-{rank} tensor"
        )),
    }
}

fn decompose(op: RawOp) -> Result<RawValue, String> {
    let e = Emitter::before(op);
    let (input, weight, bias, input_zp, weight_zp) = (
        emit::operand(op, 0),
        emit::operand(op, 1),
        emit::operand(op, 2),
        emit::operand(op, 3),
        emit::operand(op, 4),
    );
    let (in_shape, in_elem) = static_tensor(input, "input", 4)?;
    let (w_shape, w_elem) = static_tensor(weight, "weight", 4)?;
    static_tensor(emit::result_of(op, 0), "result", 4)?;
    let attr = |name| emit::i64_array_attr(op, name).ok_or(format!("lacks '{name}'"));
    let (out_pad, stride) = (attr("out_pad")?, attr("stride")?);
    let acc_type = crate::raw::attr(op, "acc_type").ok_or("lacks 'acc_type'")?;
    let (n, ih, iw, ic) = (in_shape[0], in_shape[1], in_shape[2], in_shape[3]);
    let (kh, kw) = (w_shape[1], w_shape[2]);
    let (sy, sx) = (stride[0], stride[1]);
    let pad = [
        kh - 1 + out_pad[0],
        kh - 1 + out_pad[1],
        kw - 1 + out_pad[2],
        kw - 1 + out_pad[3],
    ];
    if pad.iter().any(|p| *p < 0) || sy < 1 || sx < 1 {
        return Err("has an out_pad <= -kernel or a stride < 1, which TOSA does not define".into());
    }

    // 1. Dilate the input by the strides with input-zero-point values.
    let mut x = input;
    if sy > 1 || sx > 1 {
        let split = e.reshape(input, &[n, ih, 1, iw, 1, ic], &in_elem);
        let padding = e.shape(&[0, 0, 0, 0, 0, sy - 1, 0, 0, 0, sx - 1, 0, 0]);
        let spread = e.value(
            "tosa.pad",
            &[split, padding, input_zp],
            e.tensor(&[n, ih, sy, iw, sx, ic], &in_elem),
            &[],
        );
        let merged = e.reshape(spread, &[n, ih * sy, iw * sx, ic], &in_elem);
        let dilated = [n, (ih - 1) * sy + 1, (iw - 1) * sx + 1, ic];
        let begin = e.shape(&[0, 0, 0, 0]);
        let size = e.shape(&dilated);
        x = e.value(
            "tosa.slice",
            &[merged, begin, size],
            e.tensor(&dilated, &in_elem),
            &[],
        );
    }

    // 2. Flip the kernel: a constant integer kernel as a flipped constant
    // (which crossbars take as weights), any other by tosa.reverse.
    let flipped = match emit::const_ints(weight).filter(|_| w_elem.starts_with('i')) {
        Some(values) => e.const_int(&w_shape, &w_elem, &flip_kernel(&values, &w_shape)),
        None => {
            let w_ty = e.tensor(&w_shape, &w_elem);
            let flipped_h = e.value(
                "tosa.reverse",
                &[weight],
                w_ty,
                &[("axis", e.attr("1 : i32"))],
            );
            e.value(
                "tosa.reverse",
                &[flipped_h],
                w_ty,
                &[("axis", e.attr("2 : i32"))],
            )
        }
    };

    // 3. A stride-1 convolution over the padded, dilated input.
    let mut attrs = vec![
        ("acc_type", acc_type),
        ("pad", e.i64_array(&pad)),
        ("stride", e.i64_array(&[1, 1])),
        ("dilation", e.i64_array(&[1, 1])),
    ];
    if let Some(local_bound) = crate::raw::attr(op, "local_bound") {
        attrs.push(("local_bound", local_bound));
    }
    let result_ty = OpRef::new(op)
        .and_then(|o| o.result(0))
        .ok_or("tosa.transpose_conv2d has no result")?
        .ty();
    Ok(e.value(
        "tosa.conv2d",
        &[x, flipped, bias, input_zp, weight_zp],
        result_ty,
        &attrs,
    ))
}

/// Weights [OC, KH, KW, IC] reversed along KH and KW.
fn flip_kernel(values: &[i64], shape: &[i64]) -> Vec<i64> {
    let [oc, kh, kw, ic] = [0, 1, 2, 3].map(|i| shape[i] as usize);
    let mut out = Vec::with_capacity(values.len());
    for o in 0..oc {
        for y in 0..kh {
            for x in 0..kw {
                let from = ((o * kh + (kh - 1 - y)) * kw + (kw - 1 - x)) * ic;
                out.extend_from_slice(&values[from..from + ic]);
            }
        }
    }
    out
}
