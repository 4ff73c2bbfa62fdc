//! Convolutions: `tosa.conv2d`, `tosa.depthwise_conv2d` and
//! `tosa.transpose_conv2d` on i8 x i8 -> i32 (any zero points), i8 x i4 ->
//! i32 and i16 x i8 -> i48, with random strides, pads, dilations, output pads
//! and per-channel or broadcast biases.

use super::gen::Gen;
use super::harness::check_family;
use super::mlir::{i64_array, numel, Case, Elem, Ty};

const CASES: usize = 300;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Conv2d,
    Depthwise,
    Transpose,
}

/// Input, weight and accumulator (= output) types TOSA 1.0 defines.
const TYPES: [(Elem, Elem, Elem); 3] = [
    (Elem::I8, Elem::I8, Elem::I32),
    (Elem::I8, Elem::I4, Elem::I32),
    (Elem::I16, Elem::I8, Elem::I48),
];

/// The range of weights of type `elem`: TOSA's int4 is [-7, 7].
fn weight_range(elem: Elem) -> (i64, i64) {
    match elem {
        Elem::I4 => (-7, 7),
        _ => (elem.min(), elem.max()),
    }
}

/// Output size and the bottom (right) pad that make a strided convolution
/// divide exactly: the pad grows from `after` until it does.
fn conv_extent(
    input: usize,
    kernel: usize,
    stride: usize,
    dilation: usize,
    before: usize,
    mut after: usize,
) -> (usize, usize) {
    let span = (kernel - 1) * dilation;
    while input - 1 + before + after < span
        || !(input - 1 + before + after - span).is_multiple_of(stride)
    {
        after += 1;
    }
    ((input - 1 + before + after - span) / stride + 1, after)
}

/// The shape-dependent part of a case.
struct Geometry {
    op: &'static str,
    weights: Vec<usize>,
    out_channels: usize,
    out_hw: (usize, usize),
    attrs: String,
    /// Products summed into one output element.
    terms: usize,
}

/// conv2d or depthwise_conv2d: random pads, strides and dilations; the
/// bottom and right pads grow until the strides divide exactly.
fn direct(
    g: &mut Gen,
    kind: Kind,
    acc: Elem,
    input: [usize; 4],
    kernel: (usize, usize),
) -> Geometry {
    let [_, ih, iw, ic] = input;
    let (kh, kw) = kernel;
    let (sy, sx) = (g.size(1, 3), g.size(1, 3));
    let (dy, dx) = (g.size(1, 3), g.size(1, 3));
    let (pt, pl) = (g.size(0, 2), g.size(0, 2));
    let (oh, pb) = conv_extent(ih, kh, sy, dy, pt, g.size(0, 2));
    let (ow, pr) = conv_extent(iw, kw, sx, dx, pl, g.size(0, 2));
    let attrs = format!(
        "{{acc_type = {acc}, pad = {}, stride = {}, dilation = {}}}",
        i64_array(&[pt, pb, pl, pr]),
        i64_array(&[sy, sx]),
        i64_array(&[dy, dx])
    );
    if kind == Kind::Conv2d {
        let oc = g.size(1, 4);
        Geometry {
            op: "tosa.conv2d",
            weights: vec![oc, kh, kw, ic],
            out_channels: oc,
            out_hw: (oh, ow),
            attrs,
            terms: kh * kw * ic,
        }
    } else {
        let multiplier = g.size(1, 3);
        Geometry {
            op: "tosa.depthwise_conv2d",
            weights: vec![kh, kw, ic, multiplier],
            out_channels: ic * multiplier,
            out_hw: (oh, ow),
            attrs,
            terms: kh * kw,
        }
    }
}

/// transpose_conv2d: random strides and out_pads (> -kernel), with a
/// non-empty output.
fn transposed(g: &mut Gen, acc: Elem, input: [usize; 4], kernel: (usize, usize)) -> Geometry {
    let [_, ih, iw, ic] = input;
    let (kh, kw) = kernel;
    let (sy, sx) = (g.size(1, 3), g.size(1, 3));
    let mut out_pad: Vec<i64> = vec![
        g.range(1 - kh as i64, 2),
        g.range(1 - kh as i64, 2),
        g.range(1 - kw as i64, 2),
        g.range(1 - kw as i64, 2),
    ];
    let extent = |input: usize, stride: usize, a: i64, b: i64, kernel: usize| {
        (input as i64 - 1) * stride as i64 + a + b + kernel as i64
    };
    while extent(ih, sy, out_pad[0], out_pad[1], kh) < 1 {
        out_pad[1] += 1;
    }
    while extent(iw, sx, out_pad[2], out_pad[3], kw) < 1 {
        out_pad[3] += 1;
    }
    let oh = extent(ih, sy, out_pad[0], out_pad[1], kh) as usize;
    let ow = extent(iw, sx, out_pad[2], out_pad[3], kw) as usize;
    let oc = g.size(1, 4);
    Geometry {
        op: "tosa.transpose_conv2d",
        weights: vec![oc, kh, kw, ic],
        out_channels: oc,
        out_hw: (oh, ow),
        attrs: format!(
            "{{acc_type = {acc}, out_pad = {}, stride = {}}}",
            i64_array(&out_pad),
            i64_array(&[sy, sx])
        ),
        terms: kh * kw * ic,
    }
}

fn conv_case(g: &mut Gen, id: usize) -> Case {
    let kind = g.pick(&[Kind::Conv2d, Kind::Depthwise, Kind::Transpose]);
    let (in_elem, w_elem, acc) = g.pick(&TYPES);
    // Zero points: only 8-bit inputs and 8-bit weights may have them.
    let input_zp = if in_elem == Elem::I8 && g.chance(0.7) {
        g.range(-128, 127)
    } else {
        0
    };
    let weight_zp = if w_elem == Elem::I8 && g.chance(0.7) {
        g.range(-128, 127)
    } else {
        0
    };
    let in_shape = [g.size(1, 2), g.size(1, 7), g.size(1, 7), g.size(1, 4)];
    let kernel = (g.size(1, 3), g.size(1, 3));
    let Geometry {
        op,
        weights: w_shape,
        out_channels: oc,
        out_hw: (oh, ow),
        attrs,
        terms,
    } = match kind {
        Kind::Transpose => transposed(g, acc, in_shape, kernel),
        _ => direct(g, kind, acc, in_shape, kernel),
    };
    let input = g.tensor(&in_shape, in_elem);
    let (wlo, whi) = weight_range(w_elem);
    let (wlo, whi) = g.subrange(wlo, whi);
    let weights = g.values(numel(&w_shape), wlo, whi);
    // The spec REQUIREs the accumulator to fit: bound |sum| by the terms.
    let max_abs =
        |values: &[i64], zp: i64| values.iter().map(|v| (v - zp).abs()).max().unwrap_or(0);
    let bound = terms as i64 * max_abs(&input, input_zp) * max_abs(&weights, weight_zp);
    let limit = if acc == Elem::I32 || g.chance(0.7) {
        i32::MAX as i64 - 1
    } else {
        acc.max()
    };
    let bias_max = (limit - bound).max(0);
    let (blo, bhi) = g.subrange(-bias_max, bias_max);
    let bias_len = if g.chance(0.3) { 1 } else { oc };
    let bias = g.values(bias_len, blo, bhi);

    let label = format!(
        "{op} {in_elem}x{w_elem}->{acc} input {in_shape:?} weights {w_shape:?} {attrs} \
         zero points {input_zp}, {weight_zp}, bias [{bias_len}]"
    );
    let mut case = Case::new(id, label);
    let input = case.konst(&in_shape, in_elem, &input);
    let weights = case.konst(&w_shape, w_elem, &weights);
    let bias = case.konst(&[bias_len], acc, &bias);
    let input_zp = case.scalar(in_elem, input_zp);
    let weight_zp = case.scalar(w_elem, weight_zp);
    let result = case.op(
        op,
        &[&input, &weights, &bias, &input_zp, &weight_zp],
        &attrs,
        Ty::tensor(&[in_shape[0], oh, ow, oc], acc),
    );
    if acc == Elem::I48 {
        case.output_i48(result, bound + bias_max);
    } else {
        case.output(result);
    }
    case
}

#[test]
fn convolutions_match_the_reference_model() {
    let mut g = Gen::new("conv");
    let cases = (0..CASES).map(|id| conv_case(&mut g, id)).collect();
    check_family("conv", cases);
}
