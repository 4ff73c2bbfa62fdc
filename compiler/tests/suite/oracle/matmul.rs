//! `tosa.matmul`: i8 x i8 -> i32 with zero points, i16 x i16 -> i48.

use super::gen::Gen;
use super::harness::check_family;
use super::mlir::{Case, Elem, Ty};

const CASES: usize = 250;

fn matmul_case(g: &mut Gen, id: usize) -> Case {
    let (in_elem, acc) = g.pick(&[(Elem::I8, Elem::I32), (Elem::I16, Elem::I48)]);
    let (n, h, c, w) = (g.size(1, 3), g.size(1, 6), g.size(1, 9), g.size(1, 6));
    // Zero points only for 8-bit operands.
    let zero_point = |g: &mut Gen| {
        if in_elem == Elem::I8 && g.chance(0.7) {
            g.range(-128, 127)
        } else {
            0
        }
    };
    let (a_zp, b_zp) = (zero_point(g), zero_point(g));
    let a = g.tensor(&[n, h, c], in_elem);
    let b = g.tensor(&[n, c, w], in_elem);
    // The accumulator must fit i32 (i8) or i48 (i16); reference execution
    // returns i48 exactly when it fits i32 (see Case::output_i48).
    let max_abs =
        |values: &[i64], zp: i64| values.iter().map(|v| (v - zp).abs()).max().unwrap_or(0);
    let bound = c as i64 * max_abs(&a, a_zp) * max_abs(&b, b_zp);
    assert!(bound <= acc.max());

    let label =
        format!("matmul {in_elem}->{acc} [{n}x{h}x{c}] x [{n}x{c}x{w}] zero points {a_zp}, {b_zp}");
    let mut case = Case::new(id, label);
    let a = case.konst(&[n, h, c], in_elem, &a);
    let b = case.konst(&[n, c, w], in_elem, &b);
    let a_zp = case.scalar(in_elem, a_zp);
    let b_zp = case.scalar(in_elem, b_zp);
    let result = case.op(
        "tosa.matmul",
        &[&a, &b, &a_zp, &b_zp],
        "",
        Ty::tensor(&[n, h, w], acc),
    );
    if acc == Elem::I48 {
        case.output_i48(result, bound);
    } else {
        case.output(result);
    }
    case
}

#[test]
fn matmul_matches_the_reference_model() {
    let mut g = Gen::new("matmul");
    let cases = (0..CASES).map(|id| matmul_case(&mut g, id)).collect();
    check_family("matmul", cases);
}
