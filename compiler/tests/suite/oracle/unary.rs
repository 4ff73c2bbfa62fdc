//! Elementwise unary integer ops: abs, negate (i8 with zero points, i16,
//! i32), clz, bitwise_not, logical_not, table (i8 with a 256-entry table; i16
//! with a 513-entry table and an i32 result), cast between bool/i8/i16/i32,
//! and clamp (i8, i16).

use super::gen::Gen;
use super::harness::check_family;
use super::mlir::{Case, Elem, Ty};

const CASES: usize = 300;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Abs,
    Negate,
    Clz,
    BitwiseNot,
    LogicalNot,
    Table,
    Cast,
    Clamp,
}

fn unary_case(g: &mut Gen, id: usize) -> Case {
    use Elem::*;
    let op = g.pick(&[
        Op::Abs,
        Op::Negate,
        Op::Clz,
        Op::BitwiseNot,
        Op::LogicalNot,
        Op::Table,
        Op::Cast,
        Op::Clamp,
    ]);
    let elem = match op {
        Op::Abs | Op::Clz => I32,
        Op::Negate | Op::BitwiseNot => g.pick(&[I8, I16, I32]),
        Op::LogicalNot => I1,
        Op::Table | Op::Clamp => g.pick(&[I8, I16]),
        Op::Cast => g.pick(&[I1, I8, I16, I32]),
    };
    let shape = if g.chance(0.05) {
        vec![]
    } else {
        g.shape(1, 4, 5)
    };
    let mut values = g.tensor(&shape, elem);
    // abs and negate of i32's minimum do not fit i32: the spec REQUIREs
    // against it.
    if matches!(op, Op::Abs | Op::Negate) && elem == I32 {
        values
            .iter_mut()
            .filter(|v| **v == I32.min())
            .for_each(|v| *v += 1);
    }
    let mut case = Case::new(id, String::new());
    let input = case.konst(&shape, elem, &values);
    let (result, label) = match op {
        Op::Negate => {
            // Zero points only for i8.
            let (izp, ozp) = if elem == I8 {
                (g.range(-128, 127), g.range(-128, 127))
            } else {
                (0, 0)
            };
            let input_zp = case.scalar(elem, izp);
            let output_zp = case.scalar(elem, ozp);
            let result = case.op(
                "tosa.negate",
                &[&input, &input_zp, &output_zp],
                "",
                Ty::tensor(&shape, elem),
            );
            (
                result,
                format!("tosa.negate {elem} {shape:?} zero points {izp}, {ozp}"),
            )
        }
        Op::Table => {
            let (entries, out) = if elem == I8 { (256, I8) } else { (513, I32) };
            // i16 tables: the spec REQUIREs every slope (the difference of
            // neighbouring entries) to fit i16. A random walk keeps them so.
            let mut table = vec![g.value(elem.min(), elem.max())];
            while table.len() < entries {
                let next = if elem == I8 {
                    g.value(I8.min(), I8.max())
                } else {
                    // Smooth or steep steps.
                    let step = if g.flip() {
                        g.range(-300, 300)
                    } else {
                        g.value(-32768, 32767)
                    };
                    (table[table.len() - 1] + step).clamp(I16.min(), I16.max())
                };
                table.push(next);
            }
            let table = case.konst(&[entries], elem, &table);
            let result = case.op("tosa.table", &[&input, &table], "", Ty::tensor(&shape, out));
            (result, format!("tosa.table {elem} {shape:?}"))
        }
        Op::Cast => {
            let out = g.pick(
                &[I1, I8, I16, I32]
                    .into_iter()
                    .filter(|e| *e != elem)
                    .collect::<Vec<_>>(),
            );
            let result = case.op("tosa.cast", &[&input], "", Ty::tensor(&shape, out));
            (result, format!("tosa.cast {elem}->{out} {shape:?}"))
        }
        Op::Clamp => {
            let (a, b) = (
                g.value(elem.min(), elem.max()),
                g.value(elem.min(), elem.max()),
            );
            let (lo, hi) = (a.min(b), a.max(b));
            let attrs = format!("{{min_val = {lo} : {elem}, max_val = {hi} : {elem}}}");
            let result = case.op("tosa.clamp", &[&input], &attrs, Ty::tensor(&shape, elem));
            (result, format!("tosa.clamp {elem} {shape:?} [{lo}, {hi}]"))
        }
        Op::Abs | Op::Clz | Op::BitwiseNot | Op::LogicalNot => {
            let name = match op {
                Op::Abs => "tosa.abs",
                Op::Clz => "tosa.clz",
                Op::BitwiseNot => "tosa.bitwise_not",
                _ => "tosa.logical_not",
            };
            let result = case.op(name, &[&input], "", Ty::tensor(&shape, elem));
            (result, format!("{name} {elem} {shape:?}"))
        }
    };
    case.label = label;
    case.output(result);
    case
}

#[test]
fn elementwise_unary_ops_match_the_reference_model() {
    let mut g = Gen::new("unary");
    let cases = (0..CASES).map(|id| unary_case(&mut g, id)).collect();
    check_family("unary", cases);
}
