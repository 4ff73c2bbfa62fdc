//! Pooling: `tosa.avg_pool2d` (i8 with zero points, i16; i32 accumulator) and
//! `tosa.max_pool2d` (i8, i16), with random kernels, strides and pads.

use super::gen::Gen;
use super::harness::check_family;
use super::mlir::{i64_array, Case, Elem, Ty};

const CASES: usize = 250;

/// Output size and the bottom (right) pad: pads stay below the kernel, and
/// the stride must divide exactly (`None` if no pad makes it).
fn pool_extent(
    input: usize,
    kernel: usize,
    stride: usize,
    before: usize,
    after: usize,
) -> Option<(usize, usize)> {
    (after..kernel)
        .find(|after| {
            input + before + after >= kernel
                && (input + before + after - kernel).is_multiple_of(stride)
        })
        .map(|after| ((input + before + after - kernel) / stride + 1, after))
}

fn pool_case(g: &mut Gen, id: usize) -> Case {
    loop {
        let avg = g.flip();
        let elem = g.pick(&[Elem::I8, Elem::I16]);
        let (batch, ih, iw, c) = (g.size(1, 2), g.size(1, 7), g.size(1, 7), g.size(1, 4));
        let (kh, kw) = (g.size(1, 4), g.size(1, 4));
        let (sy, sx) = (g.size(1, 3), g.size(1, 3));
        let (pt, pl) = (g.size(0, kh - 1), g.size(0, kw - 1));
        let Some((oh, pb)) = pool_extent(ih, kh, sy, pt, g.size(0, kh - 1)) else {
            continue;
        };
        let Some((ow, pr)) = pool_extent(iw, kw, sx, pl, g.size(0, kw - 1)) else {
            continue;
        };
        let geometry = format!(
            "kernel = {}, pad = {}, stride = {}",
            i64_array(&[kh, kw]),
            i64_array(&[pt, pb, pl, pr]),
            i64_array(&[sy, sx])
        );
        let in_shape = [batch, ih, iw, c];
        let values = g.tensor(&in_shape, elem);
        let out_ty = Ty::tensor(&[batch, oh, ow, c], elem);
        if avg {
            // Zero points only for i8.
            let (input_zp, output_zp) = if elem == Elem::I8 {
                (g.range(-128, 127), g.range(-128, 127))
            } else {
                (0, 0)
            };
            let mut case = Case::new(
                id,
                format!("avg_pool2d {elem} input {in_shape:?} {geometry} zero points {input_zp}, {output_zp}"),
            );
            let input = case.konst(&in_shape, elem, &values);
            let input_zp = case.scalar(elem, input_zp);
            let output_zp = case.scalar(elem, output_zp);
            let attrs = format!("{{acc_type = i32, {geometry}}}");
            let result = case.op(
                "tosa.avg_pool2d",
                &[&input, &input_zp, &output_zp],
                &attrs,
                out_ty,
            );
            case.output(result);
            return case;
        }
        let mut case = Case::new(
            id,
            format!("max_pool2d {elem} input {in_shape:?} {geometry}"),
        );
        let input = case.konst(&in_shape, elem, &values);
        let result = case.op(
            "tosa.max_pool2d",
            &[&input],
            &format!("{{{geometry}}}"),
            out_ty,
        );
        case.output(result);
        return case;
    }
}

#[test]
fn pooling_matches_the_reference_model() {
    let mut g = Gen::new("pool");
    let cases = (0..CASES).map(|id| pool_case(&mut g, id)).collect();
    check_family("pool", cases);
}
