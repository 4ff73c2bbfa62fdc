//! Reductions: reduce_sum (i32), reduce_max and reduce_min (i8, i16, i32),
//! reduce_all and reduce_any (bool), argmax (i8, i16), over a random axis.

use super::gen::Gen;
use super::harness::check_family;
use super::mlir::{numel, Case, Elem, Ty};

const CASES: usize = 250;

/// Whether every running sum along `axis`, in index order (as the spec adds),
/// fits i32.
fn sums_fit(shape: &[usize], axis: usize, values: &[i64]) -> bool {
    let inner: usize = shape[axis + 1..].iter().product();
    let outer: usize = shape[..axis].iter().product();
    (0..outer).all(|o| {
        (0..inner).all(|i| {
            let mut sum = 0i64;
            (0..shape[axis]).all(|k| {
                sum += values[(o * shape[axis] + k) * inner + i];
                (i64::from(i32::MIN)..=i64::from(i32::MAX)).contains(&sum)
            })
        })
    })
}

fn reduce_case(g: &mut Gen, id: usize) -> Case {
    use Elem::*;
    let (op, elem) = g.pick(&[
        ("tosa.reduce_sum", I32),
        ("tosa.reduce_max", I8),
        ("tosa.reduce_max", I16),
        ("tosa.reduce_max", I32),
        ("tosa.reduce_min", I8),
        ("tosa.reduce_min", I16),
        ("tosa.reduce_min", I32),
        ("tosa.reduce_all", I1),
        ("tosa.reduce_any", I1),
        ("tosa.argmax", I8),
        ("tosa.argmax", I16),
    ]);
    let shape = g.shape(1, 4, 5);
    let axis = g.size(0, shape.len() - 1);
    // Narrow ranges make ties (argmax picks the first) and all-true/false.
    let values = if g.chance(0.2) {
        let lo = g.range(elem.min(), elem.max());
        g.values(numel(&shape), lo, (lo + 2).min(elem.max()))
    } else {
        g.tensor(&shape, elem)
    };
    let values = if op == "tosa.reduce_sum" && !sums_fit(&shape, axis, &values) {
        (0..20)
            .map(|_| {
                let (lo, hi) = g.subrange(elem.min(), elem.max());
                g.values(numel(&shape), lo, hi)
            })
            .find(|v| sums_fit(&shape, axis, v))
            .unwrap_or_else(|| g.values(numel(&shape), -1 << 20, 1 << 20))
    } else {
        values
    };
    let mut out_shape = shape.clone();
    let out_elem = if op == "tosa.argmax" {
        out_shape.remove(axis);
        I32
    } else {
        out_shape[axis] = 1;
        elem
    };
    let mut case = Case::new(id, format!("{op} {elem} {shape:?} axis {axis}"));
    let input = case.konst(&shape, elem, &values);
    let result = case.op(
        op,
        &[&input],
        &format!("{{axis = {axis} : i32}}"),
        Ty::tensor(&out_shape, out_elem),
    );
    case.output(result);
    case
}

#[test]
fn reductions_match_the_reference_model() {
    let mut g = Gen::new("reduce");
    let cases = (0..CASES).map(|id| reduce_case(&mut g, id)).collect();
    check_family("reduce", cases);
}
