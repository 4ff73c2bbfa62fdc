//! `cim-lower-crossbar-ops`: integer convolutions and matmuls with constant
//! weights become host im2col + `cim.matmul` + exact zero-point and bias
//! corrections; 16-bit inputs go through the crossbars as two i8 digit planes.

use super::{repeat_columns, row_sums};
use crate::diag::raw_op_error;
use crate::emit::{self, Emitter};
use crate::raw::{RawOp, RawValue};
use crate::{OptionInfo, Pass, PassFailed, PassInfo};
use cimc_dialects::cim::{Im2col, Im2colAttrs, Matmul, MatmulAttrs};
use cimc_dialects::handle::ValueRef;
use melior::ir::operation::OperationRefMut;

pub static INFO: PassInfo = PassInfo {
    argument: "cim-lower-crossbar-ops",
    summary: "Lower integer conv2d, depthwise_conv2d and matmul to crossbar matmuls",
    description: "\
Every `tosa.conv2d`, `tosa.depthwise_conv2d` and `tosa.matmul` whose input is
i8 or i16 and whose weights (values within i8) and zero points are constants
becomes

  %cols = cim.im2col %x            (host: windows as rows, padding = input zp)
  %p    = cim.matmul %cols, %W     (the crossbar part: Σ x·w, exact in i32)
  %y    = %p - wzp·Σx + c          (host: c[o] = bias - xzp·Σw + K·xzp·wzp)

reshaped back to the op's result. The correction makes the result equal the
TOSA op's exactly: Σ(x - xzp)(w - wzp) + bias. A computed bias (a function
argument, say) is left out of c and added to %y on the host. Depthwise convolutions keep
their channels as blocks (`blocks` = channels; im2col is channel-major) so
that cim-tile can pack them block-diagonally. Input bits come from the
producer's clamp range (else the element type), weight bits from the
constant's value range. A float convolution or matmul is an error: quantize
first. Other integer ops (i32 inputs, non-constant weights or weights beyond
i8; `cim-orient-matmuls` has made batched matmuls with constant weights
batch-1 ones) stay host ops; `cimc --remarks` says which and why.

16-bit inputs are streamed as two i8 digit planes, as a CIM macro streams
wide inputs in slices: x = 256·h + l' + 128 with h = x >> 8 and
l' = (x & 255) - 128, both in [-128, 127] (host ops on the i16 tensor). Each
plane is im2col'd (padding: the zero point's digits, 0 and -128 for zp 0)
and the two matrices are stacked along rows (high plane first) into one
cim.matmul of 2N rows against the same weights: the same tiles, read for
2N windows of 8-bit inputs, the cost of N windows of 16-bit inputs. The
host takes wzp·Σ off both planes' partial sums in i32, then computes
256·(P_h - wzp·Σh) + (P_l - wzp·Σl') + c' in the op's accumulator type
(i48: 256·P_h overflows i32 for large fan-in), where c' adds
128·Σ_k w[k][o] - 128·K·wzp to c (from Σx = 256·Σh + Σl' + 128·K). The
result is the op's i48 value, exactly.

Example: `tosa.conv2d` of tensor<1x8x8x1xi8> by 8x3x3x1 weights becomes a
cim.im2col to tensor<64x9xi8>, a cim.matmul with tensor<9x8xi8> weights and
a tosa.add of the per-channel constant. Of tensor<1x8x8x1xi16> it becomes
two cim.im2col (pad_value 0 and -128) to tensor<64x9xi8>, a tosa.concat to
tensor<128x9xi8>, the same cim.matmul on it, two tosa.slice of its
tensor<128x8xi32> cast to i48, 256·high + low + c' and a reshape to
tensor<1x8x8x8xi48>.",
    anchor: Some("func.func"),
    options: &[] as &[OptionInfo],
    create: |_, context| {
        Box::new(LowerCrossbarOps {
            remarks: context.remarks.clone(),
            max_im2col_bytes: context.max_im2col_bytes,
            array_rows: u64::from(context.target.array.rows),
        })
    },
};

struct LowerCrossbarOps {
    remarks: std::sync::Arc<crate::remark::Remarks>,
    max_im2col_bytes: u64,
    array_rows: u64,
}

/// Why a convolution or matmul on integers stays a host op.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostReason {
    /// Its input is i32 (or another integer type the crossbars do not take).
    InputType,
    /// An operand or result is not a ranked static tensor.
    NotStatic,
    /// The weights are not a constant: crossbars hold programmed weights.
    WeightsNotConstant,
    /// A weight lies outside i8 (i16 weights).
    WeightsBeyondI8,
    /// A zero point is not one constant value.
    ZeroPointNotConstant,
    /// A 16-bit input with a weight zero point outside i8.
    WideWeightZeroPoint,
    /// A matmul with a batch larger than one.
    BatchedMatmul,
    /// A convolution without its pad, stride or dilation attribute.
    MissingWindow,
    /// Quantization kept the layer in float (`cim.quant.keep_float`).
    KeptFloat,
}

impl std::fmt::Display for HostReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            HostReason::InputType => "its input is not i8 or i16",
            HostReason::NotStatic => "an operand or result is not a static tensor",
            HostReason::WeightsNotConstant => "its weights are not a constant",
            HostReason::WeightsBeyondI8 => "a weight lies outside i8",
            HostReason::ZeroPointNotConstant => "a zero point is not a single constant",
            HostReason::WideWeightZeroPoint => {
                "its input is i16 and its weight zero point lies outside i8"
            }
            HostReason::BatchedMatmul => "it is a batched matmul (batch > 1)",
            HostReason::MissingWindow => "it lacks its pad, stride or dilation attribute",
            HostReason::KeptFloat => {
                "quantization kept it in float (cim.quant.keep_float: --float-fallback or keep_float in --config)"
            }
        })
    }
}

impl Pass for LowerCrossbarOps {
    fn run(&self, func: OperationRefMut<'_, '_>) -> Result<(), PassFailed> {
        // Layers keep the names they got at input (cim-name-layers); a
        // pipeline that starts here names them the same way.
        crate::input::name_layers::name_layers(func.to_raw());
        let ops: Vec<RawOp> = crate::ir::nested_ops(func.to_raw());
        let mut ok = true;
        for op in ops {
            let name = crate::raw::op_name(op);
            let kind = match name.as_str() {
                "tosa.conv2d" => Kind::Conv,
                "tosa.depthwise_conv2d" => Kind::Depthwise,
                "tosa.matmul" => Kind::Matmul,
                _ => continue,
            };
            let Some((_, element)) = emit::tensor_info(emit::operand(op, 0)) else {
                self.remarks.at_op(op, stays(HostReason::NotStatic));
                continue;
            };
            if crate::quant::options::keeps_float(op) {
                self.remarks.at_op(op, stays(HostReason::KeptFloat));
                continue;
            }
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
            let layer = match crate::input::name_layers::layer_name(op) {
                Some(layer) if element == "i8" || element == "i16" => layer,
                _ => {
                    self.remarks.at_op(op, stays(HostReason::InputType));
                    continue;
                }
            };
            if let Some(bytes) = im2col_bytes(op, kind).filter(|b| *b > self.max_im2col_bytes) {
                self.remarks.at_op(
                    op,
                    format!(
                        "stays a host op: its im2col matrix would take {bytes} bytes, more than \
                         --max-im2col-bytes ({})",
                        self.max_im2col_bytes
                    ),
                );
                continue;
            }
            if let Some(rows) = depthwise_block_rows(op, kind).filter(|r| *r > self.array_rows) {
                self.remarks.at_op(
                    op,
                    format!(
                        "stays a host op: its per-channel kernel of {rows} rows exceeds one array's {} \
                         rows (a depthwise channel's weights stay on one array)",
                        self.array_rows
                    ),
                );
                continue;
            }
            if let Err(reason) = lower(op, kind, &layer) {
                self.remarks.at_op(op, stays(reason));
            }
        }
        if ok {
            Ok(())
        } else {
            Err(PassFailed)
        }
    }
}

/// The bytes of the im2col matrix of a convolution (windows x kernel
/// volume x input channels, two digit planes for i16 inputs); `None` for a
/// matmul, which reads its input as it is.
fn im2col_bytes(op: RawOp, kind: Kind) -> Option<u64> {
    if kind == Kind::Matmul {
        return None;
    }
    let (x_shape, x_element) = emit::tensor_info(emit::operand(op, 0))?;
    let (out_shape, _) = emit::tensor_info(emit::result_of(op, 0))?;
    let (w_shape, _) = emit::tensor_info(emit::operand(op, 1))?;
    let planes = if x_element == "i16" { 2 } else { 1 };
    let windows = out_shape.iter().take(3).product::<i64>();
    // conv2d weights are [OC, KH, KW, IC], depthwise ones [KH, KW, C, M].
    let kernel = match kind {
        Kind::Depthwise => w_shape.first()? * w_shape.get(1)?,
        _ => w_shape.get(1)? * w_shape.get(2)?,
    };
    let volume = kernel * x_shape.get(3)?;
    u64::try_from(windows.checked_mul(volume)?.checked_mul(planes)?).ok()
}

/// The crossbar rows of one channel of a depthwise convolution: its
/// kernel's KH x KW (weights [KH, KW, C, M]).
fn depthwise_block_rows(op: RawOp, kind: Kind) -> Option<u64> {
    if kind != Kind::Depthwise {
        return None;
    }
    let (w_shape, _) = emit::tensor_info(emit::operand(op, 1))?;
    u64::try_from(w_shape.first()?.checked_mul(*w_shape.get(1)?)?).ok()
}

fn stays(reason: HostReason) -> String {
    format!("stays a host op: {reason}")
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
fn input_bits(value: RawValue, zero_point: i64) -> u32 {
    let clamp = ValueRef::new(value)
        .and_then(ValueRef::producer)
        .filter(|op| op.is("tosa.clamp"));
    let (lo, hi) = clamp
        .and_then(|op| {
            Some((
                emit::int_attr(op.raw(), "min_val")?,
                emit::int_attr(op.raw(), "max_val")?,
            ))
        })
        .unwrap_or((-128, 127));
    // Padding feeds the zero point too.
    emit::signed_bits(lo.min(zero_point), hi.max(zero_point))
}

/// The digit planes of a 16-bit value: x = 256·h + l' + 128 with
/// h = x >> 8 and l' = (x & 255) - 128, both in [-128, 127].
fn digits(x: i64) -> (i64, i64) {
    (x >> 8, (x & 255) - 128)
}

/// The two i8 digit planes of an i16 tensor, high first (see [`digits`]).
fn planes(e: &Emitter, x: RawValue, dims: &[i64]) -> [RawValue; 2] {
    let ones = vec![1; dims.len()];
    let wide = e.tensor(dims, "i16");
    let eight = e.const_int(&ones, "i16", &[8]);
    let high = e.value(
        "tosa.arithmetic_right_shift",
        &[x, eight],
        wide,
        &[("round", e.bool_attr(false))],
    );
    let mask = e.const_int(&ones, "i16", &[255]);
    let low = e.value("tosa.bitwise_and", &[x, mask], wide, &[]);
    let offset = e.const_int(&ones, "i16", &[-128]);
    let low = e.value("tosa.add", &[low, offset], wide, &[]);
    [e.cast(high, dims, "i8"), e.cast(low, dims, "i8")]
}

/// Rows `[start, start + rows)` of a 2-D tensor.
fn slice_rows(
    e: &Emitter,
    value: RawValue,
    start: i64,
    rows: i64,
    cols: i64,
    element: &str,
) -> RawValue {
    let begin = e.shape(&[start, 0]);
    let size = e.shape(&[rows, cols]);
    e.value(
        "tosa.slice",
        &[value, begin, size],
        e.tensor(&[rows, cols], element),
        &[],
    )
}

/// Stacks 2-D i8 matrices along rows.
fn stack(e: &Emitter, parts: &[RawValue], rows: i64, cols: i64) -> RawValue {
    if parts.len() == 1 {
        return parts[0];
    }
    e.value(
        "tosa.concat",
        parts,
        e.tensor(&[rows * parts.len() as i64, cols], "i8"),
        &[("axis", e.attr("0 : i32"))],
    )
}

fn lower(op: RawOp, kind: Kind, layer: &str) -> Result<(), HostReason> {
    use HostReason::*;
    let e = Emitter::before(op);
    let x = emit::operand(op, 0);
    let (x_shape, x_element) = emit::tensor_info(x).ok_or(NotStatic)?;
    // 16-bit inputs go through the crossbars as two i8 digit planes.
    let wide = x_element == "i16";
    let (out_shape, out_element) = emit::tensor_info(emit::result_of(op, 0)).ok_or(NotStatic)?;
    let w_value = emit::operand(op, 1);
    let (w_shape, _) = emit::tensor_info(w_value).ok_or(NotStatic)?;
    let w = emit::const_ints(w_value).ok_or(WeightsNotConstant)?;
    if w.iter().any(|v| !(-128..=127).contains(v)) {
        return Err(WeightsBeyondI8); // i16 matmuls
    }
    let zero_point =
        |index| single(emit::const_ints(emit::operand(op, index))).ok_or(ZeroPointNotConstant);
    let (bias, xzp, wzp) = match kind {
        Kind::Matmul => (None, zero_point(2)?, zero_point(3)?),
        _ => (
            emit::const_ints(emit::operand(op, 2)),
            zero_point(3)?,
            zero_point(4)?,
        ),
    };
    // A computed bias is added to the crossbar sums on the host.
    let computed_bias = (kind != Kind::Matmul && bias.is_none()).then(|| emit::operand(op, 2));
    if wide && !(-128..=127).contains(&wzp) {
        return Err(WideWeightZeroPoint); // the i32 partial sums' corrections assume an 8-bit wzp
    }
    if kind == Kind::Matmul && (x_shape[0] != 1 || w_shape[0] != 1) {
        return Err(BatchedMatmul);
    }
    let windowing = if kind == Kind::Matmul {
        None
    } else {
        let window = |name: &str| -> Option<Vec<i64>> { emit::i64_array_attr(op, name) };
        Some((
            window("pad")
                .and_then(|v| <[i64; 4]>::try_from(v).ok())
                .ok_or(MissingWindow)?,
            window("stride")
                .and_then(|v| <[i64; 2]>::try_from(v).ok())
                .ok_or(MissingWindow)?,
            window("dilation")
                .and_then(|v| <[i64; 2]>::try_from(v).ok())
                .ok_or(MissingWindow)?,
        ))
    };
    // The crossbar inputs, i8: the input itself, or its digit planes (high
    // first) with the zero point's digits as their padding.
    let (inputs, pad_values) = if wide {
        let (zh, zl) = digits(xzp);
        let dims = if kind == Kind::Matmul {
            vec![x_shape[1], x_shape[2]]
        } else {
            x_shape.clone()
        };
        let x = if kind == Kind::Matmul {
            e.reshape(x, &dims, "i16")
        } else {
            x
        };
        (planes(&e, x, &dims).to_vec(), vec![zh, zl])
    } else {
        (vec![x], vec![xzp])
    };
    // Both planes take 8 bits: l' spans [-128, 127] (and holds -128 for the
    // zero point 0 that pads), whatever the clamp.
    let bits = if wide { 8 } else { input_bits(x, xzp) };

    // The crossbar input (rows = windows, one block of rows per plane) and
    // the weight matrix [K, P].
    let (cols, windows, width, matrix, k, p, blocks) = match kind {
        Kind::Matmul => {
            let (m, kk, n) = (x_shape[1], x_shape[2], w_shape[2]);
            let rows: Vec<RawValue> = inputs
                .iter()
                .map(|plane| {
                    if wide {
                        *plane
                    } else {
                        e.reshape(*plane, &[m, kk], "i8")
                    }
                })
                .collect();
            (stack(&e, &rows, m, kk), m, kk, w, kk, n, 1)
        }
        Kind::Conv | Kind::Depthwise => {
            let (pad, stride, dilation) = windowing.ok_or(MissingWindow)?;
            let (kh, kw) = if kind == Kind::Conv {
                (w_shape[1], w_shape[2])
            } else {
                (w_shape[0], w_shape[1])
            };
            let c = x_shape[3];
            let windows = out_shape[0] * out_shape[1] * out_shape[2];
            let width = kh * kw * c;
            let planes: Vec<RawValue> = inputs
                .iter()
                .zip(&pad_values)
                .map(|(plane, pad_value)| {
                    Im2col::build(
                        e.builder(),
                        *plane,
                        e.tensor(&[windows, width], "i8"),
                        &Im2colAttrs {
                            kernel: [kh, kw],
                            stride,
                            dilation,
                            pad,
                            pad_value: *pad_value,
                            channel_major: kind == Kind::Depthwise,
                        },
                    )
                    .result()
                })
                .collect();
            let cols = stack(&e, &planes, windows, width);
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
    let rows = windows * inputs.len() as i64;

    let (lo, hi) = matrix
        .iter()
        .fold((0, 0), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
    let weight_bits = emit::signed_bits(lo, hi);
    let narrow: Vec<i8> = matrix.iter().map(|v| *v as i8).collect();
    let weights = e.const_i8(&[k, p], &narrow);
    let product = Matmul::build(
        e.builder(),
        cols,
        weights,
        e.tensor(&[rows, p], "i32"),
        &MatmulAttrs {
            input_bits: bits,
            weight_bits,
            cell_bits: 0,
            layer: layer.to_string(),
            blocks: blocks as u32,
        },
    )
    .result();

    // c[o] = bias[o] - xzp·Σ_k w[k][o] + K·xzp·wzp, with K the rows per
    // block; with digit planes Σx = 256·Σh + Σl' + 128·K adds
    // 128·Σ_k w[k][o] - 128·K·wzp.
    let per_block = p / blocks;
    let constant: Vec<i64> = (0..p)
        .map(|o| {
            let colsum: i64 = (0..k).map(|r| matrix[(r * p + o) as usize]).sum();
            let b = bias
                .as_ref()
                .map_or(0, |b| if b.len() == 1 { b[0] } else { b[o as usize] });
            let offset = if wide {
                128 * colsum - 128 * k * wzp
            } else {
                0
            };
            b - xzp * colsum + k * xzp * wzp + offset
        })
        .collect();
    // Σ x·(w - wzp) per plane, in i32.
    let mut y = product;
    if wzp != 0 {
        let sums = row_sums(&e, cols, rows, width, width / blocks);
        // One sum per window broadcasts; per-channel sums repeat per output.
        let (sums, sum_cols) = if blocks == 1 {
            (sums, 1)
        } else {
            (repeat_columns(&e, sums, rows, blocks, per_block), p)
        };
        let scale = e.const_i32(&[1, 1], &[wzp as i32]);
        let term = e.mul(sums, scale, &[rows, sum_cols]);
        y = e.binary("tosa.sub", y, term, &[rows, p]);
    }
    if wide {
        // 256·high + low + c, in the op's accumulator type: 256·high
        // overflows i32 for large fan-in.
        let acc = out_element.as_str();
        let high = slice_rows(&e, y, 0, windows, p, "i32");
        let low = slice_rows(&e, y, windows, windows, p, "i32");
        let high = e.cast(high, &[windows, p], acc);
        let low = e.cast(low, &[windows, p], acc);
        let radix = e.const_int(&[1, 1], acc, &[256]);
        let shift = e.const_i8(&[1], &[0]);
        let high = e.value(
            "tosa.mul",
            &[high, radix, shift],
            e.tensor(&[windows, p], acc),
            &[],
        );
        y = e.value("tosa.add", &[high, low], e.tensor(&[windows, p], acc), &[]);
        if constant.iter().any(|c| *c != 0) {
            let c = e.const_int(&[1, p], acc, &constant);
            y = e.value("tosa.add", &[y, c], e.tensor(&[windows, p], acc), &[]);
        }
    } else if constant.iter().any(|c| *c != 0) {
        let c: Vec<i32> = constant.iter().map(|c| *c as i32).collect();
        let c = e.const_i32(&[1, p], &c);
        y = e.binary("tosa.add", y, c, &[windows, p]);
    }
    if let Some(b) = computed_bias {
        let (b_shape, _) = emit::tensor_info(b).ok_or(NotStatic)?;
        let b = e.reshape(b, &[1, b_shape.iter().product()], &out_element);
        y = e.value(
            "tosa.add",
            &[y, b],
            e.tensor(&[windows, p], &out_element),
            &[],
        );
    }
    let result = e.reshape(y, &out_shape, &out_element);
    emit::replace_uses(emit::result_of(op, 0), result);
    emit::erase(op);
    Ok(())
}
