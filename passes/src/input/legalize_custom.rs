//! `cim-legalize-custom`: TFLite custom operators that are TOSA ops in
//! disguise, rewritten as those ops.
//!
//! The TFLite-to-TOSA converter passes a custom operator through as
//! `tosa.custom` with its options as raw bytes. MediaPipe's segmentation
//! models end in `Convolution2DTransposeBias`, a transposed convolution with
//! a bias (TFLite's TRANSPOSE_CONV had no bias operand when MediaPipe wrote
//! it): that is exactly `tosa.transpose_conv2d`. Custom operators cimc does
//! not know stay, and `cim-verify-tosa-spec` names them.

use crate::diag::raw_op_error;
use crate::emit::Emitter;
use crate::{OptionInfo, Pass, PassFailed, PassInfo};
use cimc_dialects::handle::{AttrRef, OpRef, TypeRef, ValueRef};
use melior::ir::operation::OperationRefMut;

pub static INFO: PassInfo = PassInfo {
    argument: "cim-legalize-custom",
    summary: "Rewrite known TFLite custom operators (Convolution2DTransposeBias) as TOSA ops",
    description: "\
A `tosa.custom` with domain_name \"TFL\" and operator_name
\"Convolution2DTransposeBias\" (MediaPipe's transposed convolution with a
bias; operands input [N,IH,IW,IC], weights [OC,KH,KW,IC], bias [OC]; its
implementation_attrs are TFLite's TfLiteTransposeConvParams, three
little-endian i32: padding (1 SAME, 2 VALID), stride_width, stride_height)
becomes `tosa.transpose_conv2d` with that stride, zero points 0 and
out_pad = -(the padding TFLite removes): SAME removes
max(0, (I - 1) * s + K - O) rows or columns, half (rounded down) before,
VALID none. The result shape must be the one the parameters give; float
operands only. Other custom operators are left for cim-verify-tosa-spec to
report. The tosa phase runs it after the batch is specialised.

Example: `tosa.custom %x, %w, %b {domain_name = \"TFL\", operator_name =
\"Convolution2DTransposeBias\", implementation_attrs =
\"\\01\\00\\00\\00\\02\\00\\00\\00\\02\\00\\00\\00\"}` (SAME, stride 2) on a
[1,128,128,16] input and [1,2,2,16] weights becomes `tosa.transpose_conv2d
%x, %w, %b, %zp, %zp {acc_type = f32, out_pad = array<i64: 0, 0, 0, 0>,
stride = array<i64: 2, 2>}` with a [1,256,256,1] result.",
    anchor: Some("func.func"),
    options: &[] as &[OptionInfo],
    create: |_, _| Box::new(LegalizeCustom),
};

struct LegalizeCustom;

impl Pass for LegalizeCustom {
    fn run(&self, func: OperationRefMut<'_, '_>) -> Result<(), PassFailed> {
        let Some(func) = OpRef::new(func.to_raw()) else {
            return Err(PassFailed);
        };
        let mut ok = true;
        for op in func
            .preorder()
            .into_iter()
            .filter(|op| op.is("tosa.custom"))
        {
            let name = string_attr(op, "operator_name");
            if string_attr(op, "domain_name") != "TFL" || name != "Convolution2DTransposeBias" {
                continue;
            }
            if let Err(problem) = transpose_conv_bias(op) {
                raw_op_error(op.raw(), &format!("TFL {name}: {problem}"));
                ok = false;
            }
        }
        if ok {
            Ok(())
        } else {
            Err(PassFailed)
        }
    }
}

fn string_attr(op: OpRef, name: &str) -> String {
    op.attribute(name)
        .and_then(AttrRef::as_string)
        .unwrap_or_default()
}

/// The shape of a static f32 tensor value.
fn f32_shape(value: ValueRef, what: &str) -> Result<Vec<i64>, String> {
    TypeRef::new(value.ty())
        .filter(|ty| ty.has_static_shape())
        .and_then(TypeRef::ranked_shape)
        .filter(|(_, element)| element.is_f32())
        .map(|(shape, _)| shape)
        .ok_or_else(|| format!("its {what} is not a static f32 tensor"))
}

/// TfLiteTransposeConvParams: padding, stride_width, stride_height.
fn params(op: OpRef) -> Result<(i32, i64, i64), String> {
    let bytes = op
        .attribute("implementation_attrs")
        .and_then(AttrRef::as_bytes)
        .unwrap_or_default();
    if bytes.len() < 12 {
        return Err(format!(
            "implementation_attrs holds {} bytes, not TfLiteTransposeConvParams (12)",
            bytes.len()
        ));
    }
    let word = |i: usize| i32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    let (padding, stride_w, stride_h) = (word(0), word(4), word(8));
    if !(1..=2).contains(&padding) || stride_w < 1 || stride_h < 1 {
        return Err(format!(
            "padding {padding} (1 SAME, 2 VALID) and strides {stride_h} x {stride_w} (>= 1) are not transposed-convolution parameters"
        ));
    }
    Ok((padding, i64::from(stride_w), i64::from(stride_h)))
}

fn transpose_conv_bias(op: OpRef) -> Result<(), String> {
    let operands = op.operands();
    let [input, weights, bias] = operands.as_slice() else {
        return Err(format!(
            "takes 3 operands (input, weights, bias), got {}",
            operands.len()
        ));
    };
    let result = op.result(0).ok_or("has no result")?;
    let x = f32_shape(*input, "input")?;
    let w = f32_shape(*weights, "weights")?;
    let b = f32_shape(*bias, "bias")?;
    let y = f32_shape(result, "result")?;
    if x.len() != 4 || w.len() != 4 || y.len() != 4 || x[3] != w[3] || y[3] != w[0] || b != [w[0]] {
        return Err(format!(
            "shapes {x:?}, {w:?}, {b:?} -> {y:?} are not input [N,IH,IW,IC], weights [OC,KH,KW,IC], bias [OC] -> [N,OH,OW,OC]"
        ));
    }
    let (padding, stride_w, stride_h) = params(op)?;
    // The rows (columns) TFLite's padding removes from the full result.
    let removed = |i: i64, k: i64, s: i64, o: i64| -> (i64, i64) {
        if padding == 2 {
            return (0, 0);
        }
        let total = ((i - 1) * s + k - o).max(0);
        (total / 2, total - total / 2)
    };
    let (top, bottom) = removed(x[1], w[1], stride_h, y[1]);
    let (left, right) = removed(x[2], w[2], stride_w, y[2]);
    let out_pad = [-top, -bottom, -left, -right];
    let full = |i: i64, k: i64, s: i64, a: i64, b: i64| (i - 1) * s + a + b + k;
    let (oh, ow) = (
        full(x[1], w[1], stride_h, out_pad[0], out_pad[1]),
        full(x[2], w[2], stride_w, out_pad[2], out_pad[3]),
    );
    if (oh, ow) != (y[1], y[2]) {
        return Err(format!(
            "the parameters give a {oh} x {ow} result, the op's type says {} x {}",
            y[1], y[2]
        ));
    }
    let at = Emitter::before(op.raw());
    let context = op.context();
    let zero = AttrRef::dense_f32_tensor(context, &[1], &[0.0]);
    let zp = at.value(
        "tosa.const",
        &[],
        at.tensor(&[1], "f32"),
        &[("values", zero.raw())],
    );
    let conv = at.value(
        "tosa.transpose_conv2d",
        &[input.raw(), weights.raw(), bias.raw(), zp, zp],
        result.ty(),
        &[
            ("acc_type", at.attr("f32")),
            ("out_pad", AttrRef::i64_array(context, &out_pad).raw()),
            (
                "stride",
                AttrRef::i64_array(context, &[stride_h, stride_w]).raw(),
            ),
        ],
    );
    let conv = ValueRef::new(conv).ok_or("building tosa.transpose_conv2d failed")?;
    result.replace_all_uses_with(conv);
    op.erase();
    Ok(())
}
