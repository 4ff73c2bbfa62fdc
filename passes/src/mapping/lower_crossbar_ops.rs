//! `cim-lower-crossbar-ops`: integer convolutions and matmuls with constant
//! weights become host im2col + `cim.matmul` + exact zero-point and bias
//! corrections.

use super::{repeat_columns, row_sums};
use crate::diag::raw_op_error;
use crate::emit::{self, Emitter, RawOp, RawValue};
use crate::{OptionInfo, Pass, PassFailed, PassInfo};
use cimc_dialects::cim;
use melior::ir::operation::OperationRefMut;

pub static INFO: PassInfo = PassInfo {
    argument: "cim-lower-crossbar-ops",
    summary: "Lower integer conv2d, depthwise_conv2d and matmul to crossbar matmuls",
    description: "\
Every `tosa.conv2d`, `tosa.depthwise_conv2d` and `tosa.matmul` whose input is
i8 and whose weights, bias and zero points are constants becomes

  %cols = cim.im2col %x            (host: windows as rows, padding = input zp)
  %p    = cim.matmul %cols, %W     (the crossbar part: Σ x·w, exact in i32)
  %y    = %p - wzp·Σx + c          (host: c[o] = bias - xzp·Σw + K·xzp·wzp)

reshaped back to the op's result. The correction makes the result equal the
TOSA op's exactly: Σ(x - xzp)(w - wzp) + bias. Depthwise convolutions keep
their channels as blocks (`blocks` = channels; im2col is channel-major) so
that cim-tile can pack them block-diagonally. Input bits come from the
producer's clamp range (else the element type), weight bits from the
constant's value range. A float convolution or matmul is an error: quantize
first. Other integer ops (i16 activations, non-constant weights) stay host
ops.

Example: `tosa.conv2d` of tensor<1x8x8x1xi8> by 8x3x3x1 weights becomes a
cim.im2col to tensor<64x9xi8>, a cim.matmul with tensor<9x8xi8> weights and
a tosa.add of the per-channel constant.",
    anchor: Some("func.func"),
    options: &[] as &[OptionInfo],
    create: |_, _| Box::new(LowerCrossbarOps),
};

struct LowerCrossbarOps;

impl Pass for LowerCrossbarOps {
    fn run(&self, func: OperationRefMut<'_, '_>) -> Result<(), PassFailed> {
        let ops: Vec<RawOp> = crate::ir::nested_ops(func.to_raw());
        let mut ok = true;
        let mut index = 0;
        for op in ops {
            let name = crate::ir::op_name(op);
            let kind = match name.as_str() {
                "tosa.conv2d" => Kind::Conv,
                "tosa.depthwise_conv2d" => Kind::Depthwise,
                "tosa.matmul" => Kind::Matmul,
                _ => continue,
            };
            let Some((_, element)) = emit::tensor_info(emit::operand(op, 0)) else {
                continue;
            };
            if element.starts_with('f') || element.starts_with("bf") {
                raw_op_error(op,
                    &format!(
                        "computes on {element}: crossbar arrays compute on integers; quantize first \
                         (cimc's quantization level, or an int8 model)"
                    ),
                );
                ok = false;
                continue;
            }
            if element != "i8" {
                continue; // i16 activations: a host op
            }
            let layer = format!("{}_{index}", name.trim_start_matches("tosa."));
            if lower(op, kind, &layer).is_some() {
                index += 1;
            }
        }
        if ok {
            Ok(())
        } else {
            Err(PassFailed)
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Conv,
    Depthwise,
    Matmul,
}

fn single(values: Option<Vec<i64>>) -> Option<i64> {
    let values = values?;
    (values.len() == 1 || values.iter().all(|v| *v == values[0])).then(|| values[0])
}

/// Bits of the values `value` can take: a producing clamp's range, else its type.
fn input_bits(value: RawValue, zero_point: i64) -> i64 {
    let (lo, hi) = unsafe {
        if mlir_sys::mlirValueIsAOpResult(value) {
            let producer = mlir_sys::mlirOpResultGetOwner(value);
            if crate::ir::op_name(producer) == "tosa.clamp" {
                match (
                    emit::int_attr(producer, "min_val"),
                    emit::int_attr(producer, "max_val"),
                ) {
                    (Some(lo), Some(hi)) => (lo, hi),
                    _ => (-128, 127),
                }
            } else {
                (-128, 127)
            }
        } else {
            (-128, 127)
        }
    };
    // Padding feeds the zero point too.
    i64::from(emit::signed_bits(lo.min(zero_point), hi.max(zero_point)))
}

fn lower(op: RawOp, kind: Kind, layer: &str) -> Option<()> {
    let e = Emitter::before(op);
    let x = emit::operand(op, 0);
    let (x_shape, _) = emit::tensor_info(x)?;
    let (out_shape, _) = emit::tensor_info(emit::result_of(op, 0))?;
    let w_value = emit::operand(op, 1);
    let (w_shape, _) = emit::tensor_info(w_value)?;
    let w = emit::const_ints(w_value)?;
    let (bias, xzp, wzp) = match kind {
        Kind::Matmul => (
            None,
            single(emit::const_ints(emit::operand(op, 2)))?,
            single(emit::const_ints(emit::operand(op, 3)))?,
        ),
        _ => (
            Some(emit::const_ints(emit::operand(op, 2))?),
            single(emit::const_ints(emit::operand(op, 3)))?,
            single(emit::const_ints(emit::operand(op, 4)))?,
        ),
    };

    // The crossbar input (rows = windows) and the weight matrix [K, P].
    let (cols, windows, width, matrix, k, p, blocks) = match kind {
        Kind::Matmul => {
            if x_shape[0] != 1 || w_shape[0] != 1 {
                return None; // batched matmul: a host op
            }
            let (m, kk, n) = (x_shape[1], x_shape[2], w_shape[2]);
            let cols = e.reshape(x, &[m, kk], "i8");
            (cols, m, kk, w, kk, n, 1)
        }
        Kind::Conv | Kind::Depthwise => {
            let pad = emit::i64_array_attr(op, "pad")?;
            let stride = emit::i64_array_attr(op, "stride")?;
            let dilation = emit::i64_array_attr(op, "dilation")?;
            let (kh, kw) = if kind == Kind::Conv {
                (w_shape[1], w_shape[2])
            } else {
                (w_shape[0], w_shape[1])
            };
            let c = x_shape[3];
            let windows = out_shape[0] * out_shape[1] * out_shape[2];
            let width = kh * kw * c;
            let cols = e.value(
                cim::IM2COL,
                &[x],
                e.tensor(&[windows, width], "i8"),
                &[
                    ("kernel", e.i64_array(&[kh, kw])),
                    ("stride", e.i64_array(&stride)),
                    ("dilation", e.i64_array(&dilation)),
                    ("pad", e.i64_array(&pad)),
                    ("pad_value", e.i64_attr(xzp)),
                    ("channel_major", e.bool_attr(kind == Kind::Depthwise)),
                ],
            );
            if kind == Kind::Conv {
                // OHWI weights → W[(kh, kw, c)][o].
                let o = w_shape[0];
                let mut m = vec![0i64; (width * o) as usize];
                for oo in 0..o {
                    for r in 0..width {
                        m[(r * o + oo) as usize] = w[(oo * width + r) as usize];
                    }
                }
                (cols, windows, width, m, width, o, 1)
            } else {
                // HWCM weights → compact blocks W[(kh, kw)][c·M + m].
                let mult = w_shape[3];
                let k2 = kh * kw;
                let mut m = vec![0i64; (k2 * c * mult) as usize];
                for r in 0..k2 {
                    for cc in 0..c {
                        for mm in 0..mult {
                            m[(r * c * mult + cc * mult + mm) as usize] =
                                w[((r * c + cc) * mult + mm) as usize];
                        }
                    }
                }
                (cols, windows, width, m, k2, c * mult, c)
            }
        }
    };

    let (lo, hi) = matrix
        .iter()
        .fold((0, 0), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
    let weight_bits = i64::from(emit::signed_bits(lo, hi));
    let narrow: Vec<i8> = matrix.iter().map(|v| *v as i8).collect();
    let weights = e.const_i8(&[k, p], &narrow);
    let product = e.value(
        cim::MATMUL,
        &[cols, weights],
        e.tensor(&[windows, p], "i32"),
        &[
            ("input_bits", e.i64_attr(input_bits(x, xzp))),
            ("weight_bits", e.i64_attr(weight_bits)),
            ("cell_bits", e.i64_attr(0)),
            ("layer", e.str_attr(layer)),
            ("blocks", e.i64_attr(blocks)),
        ],
    );

    // c[o] = bias[o] - xzp·Σ_k w[k][o] + K·xzp·wzp, with K the rows per block.
    let per_block = p / blocks;
    let constant: Vec<i32> = (0..p)
        .map(|o| {
            let colsum: i64 = (0..k).map(|r| matrix[(r * p + o) as usize]).sum();
            let b = bias
                .as_ref()
                .map_or(0, |b| if b.len() == 1 { b[0] } else { b[o as usize] });
            (b - xzp * colsum + k * xzp * wzp) as i32
        })
        .collect();
    let mut y = product;
    if wzp != 0 {
        let sums = row_sums(&e, cols, windows, width, width / blocks);
        // One sum per window broadcasts; per-channel sums repeat per output.
        let (sums, sum_cols) = if blocks == 1 {
            (sums, 1)
        } else {
            (repeat_columns(&e, sums, windows, blocks, per_block), p)
        };
        let scale = e.const_i32(&[1, 1], &[wzp as i32]);
        let term = e.mul(sums, scale, &[windows, sum_cols]);
        y = e.binary("tosa.sub", y, term, &[windows, p]);
    }
    if constant.iter().any(|c| *c != 0) {
        let c = e.const_i32(&[1, p], &constant);
        y = e.binary("tosa.add", y, c, &[windows, p]);
    }
    let result = e.reshape(y, &out_shape, "i32");
    emit::replace_uses(emit::result_of(op, 0), result);
    emit::erase(op);
    Some(())
}
