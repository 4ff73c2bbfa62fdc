//! Data movement on bool/i8/i16/i32 tensors: reshape, transpose, pad (with a
//! pad value), concat, slice, tile, reverse.

use super::gen::Gen;
use super::harness::check_family;
use super::mlir::{numel, Case, Elem, Ty};

const CASES: usize = 300;

/// A random shape with `count` elements and rank 1..=4.
fn factor_shape(g: &mut Gen, count: usize) -> Vec<usize> {
    let rank = g.size(1, 4);
    let mut shape = vec![1; rank];
    let mut rest = count;
    for dim in shape.iter_mut().take(rank - 1) {
        let divisors: Vec<usize> = (1..=rest).filter(|d| rest.is_multiple_of(*d)).collect();
        *dim = g.pick(&divisors);
        rest /= *dim;
    }
    shape[rank - 1] = rest;
    shape
}

fn layout_case(g: &mut Gen, id: usize) -> Case {
    let op = g.pick(&[
        "reshape",
        "transpose",
        "pad",
        "concat",
        "slice",
        "tile",
        "reverse",
    ]);
    let elem = g.pick(&[Elem::I1, Elem::I8, Elem::I16, Elem::I32]);
    let shape = g.shape(1, 4, 4);
    let rank = shape.len();
    let values = g.tensor(&shape, elem);
    let mut case = Case::new(id, String::new());
    let input = case.konst(&shape, elem, &values);
    let dims = |s: &[usize]| s.iter().map(|d| *d as i64).collect::<Vec<i64>>();
    let (result, label) = match op {
        "reshape" => {
            let out = factor_shape(g, numel(&shape));
            let new_shape = case.shape(&dims(&out));
            let result = case.op(
                "tosa.reshape",
                &[&input, &new_shape],
                "",
                Ty::tensor(&out, elem),
            );
            (result, format!("tosa.reshape {elem} {shape:?} -> {out:?}"))
        }
        "transpose" => {
            let mut perms: Vec<usize> = (0..rank).collect();
            for i in (1..rank).rev() {
                let j = g.size(0, i);
                perms.swap(i, j);
            }
            let out: Vec<usize> = perms.iter().map(|p| shape[*p]).collect();
            let list: Vec<String> = perms.iter().map(usize::to_string).collect();
            let attrs = format!("{{perms = array<i32: {}>}}", list.join(", "));
            let result = case.op("tosa.transpose", &[&input], &attrs, Ty::tensor(&out, elem));
            (
                result,
                format!("tosa.transpose {elem} {shape:?} perms {perms:?}"),
            )
        }
        "pad" => {
            let padding: Vec<i64> = (0..2 * rank).map(|_| g.range(0, 2)).collect();
            let out: Vec<usize> = (0..rank)
                .map(|i| shape[i] + (padding[2 * i] + padding[2 * i + 1]) as usize)
                .collect();
            let pad_value = g.value(elem.min(), elem.max());
            let padding_value = case.shape(&padding);
            let pad_const = case.scalar(elem, pad_value);
            let result = case.op(
                "tosa.pad",
                &[&input, &padding_value, &pad_const],
                "",
                Ty::tensor(&out, elem),
            );
            (
                result,
                format!("tosa.pad {elem} {shape:?} padding {padding:?} value {pad_value}"),
            )
        }
        "concat" => {
            let axis = g.size(0, rank - 1);
            let mut inputs = vec![input];
            let mut out = shape.clone();
            for _ in 0..g.size(0, 3) {
                let mut other = shape.clone();
                other[axis] = g.size(1, 3);
                out[axis] += other[axis];
                let values = g.tensor(&other, elem);
                inputs.push(case.konst(&other, elem, &values));
            }
            let refs: Vec<_> = inputs.iter().collect();
            let attrs = format!("{{axis = {axis} : i32}}");
            let result = case.op("tosa.concat", &refs, &attrs, Ty::tensor(&out, elem));
            (
                result,
                format!(
                    "tosa.concat {elem} {} inputs {shape:?}.. axis {axis}",
                    inputs.len()
                ),
            )
        }
        "slice" => {
            let start: Vec<usize> = shape.iter().map(|d| g.size(0, d - 1)).collect();
            let size: Vec<usize> = (0..rank).map(|i| g.size(1, shape[i] - start[i])).collect();
            let start_value = case.shape(&dims(&start));
            let size_value = case.shape(&dims(&size));
            let result = case.op(
                "tosa.slice",
                &[&input, &start_value, &size_value],
                "",
                Ty::tensor(&size, elem),
            );
            (
                result,
                format!("tosa.slice {elem} {shape:?} start {start:?} size {size:?}"),
            )
        }
        "tile" => {
            let multiples: Vec<usize> = (0..rank).map(|_| g.size(1, 3)).collect();
            let out: Vec<usize> = (0..rank).map(|i| shape[i] * multiples[i]).collect();
            let multiples_value = case.shape(&dims(&multiples));
            let result = case.op(
                "tosa.tile",
                &[&input, &multiples_value],
                "",
                Ty::tensor(&out, elem),
            );
            (
                result,
                format!("tosa.tile {elem} {shape:?} multiples {multiples:?}"),
            )
        }
        _ => {
            let axis = g.size(0, rank - 1);
            let attrs = format!("{{axis = {axis} : i32}}");
            let result = case.op("tosa.reverse", &[&input], &attrs, Ty::tensor(&shape, elem));
            (result, format!("tosa.reverse {elem} {shape:?} axis {axis}"))
        }
    };
    case.label = label;
    case.output(result);
    case
}

#[test]
fn data_movement_matches_the_reference_model() {
    let mut g = Gen::new("layout");
    let cases = (0..CASES).map(|id| layout_case(&mut g, id)).collect();
    check_family("layout", cases);
}
