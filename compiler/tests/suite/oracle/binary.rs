//! Elementwise binary (and the ternary select) integer ops with TOSA
//! broadcasting: add, sub, mul (with shift), intdiv, maximum, minimum,
//! arithmetic_right_shift (round or not), logical shifts, bitwise and/or/xor,
//! equal/greater/greater_equal, logical and/or/xor, select. Element types are
//! the ones TOSA 1.0's integer profile defines for each op.

use super::gen::Gen;
use super::harness::check_family;
use super::mlir::{broadcast_index, numel, Case, Elem, Ty};

const CASES: usize = 400;

/// `count` operand shapes that broadcast to `out`: every dim of `out` kept
/// or (a quarter of the time) 1. `out` shrinks to the shapes' broadcast
/// where they all have 1.
fn broadcast_shapes(g: &mut Gen, out: &mut [usize], count: usize) -> Vec<Vec<usize>> {
    let shapes: Vec<Vec<usize>> = (0..count)
        .map(|_| {
            out.iter()
                .map(|&d| if g.chance(0.25) { 1 } else { d })
                .collect()
        })
        .collect();
    for (axis, dim) in out.iter_mut().enumerate() {
        *dim = shapes.iter().map(|s| s[axis]).max().unwrap_or(1);
    }
    shapes
}

/// True when `ok` holds for every pair of elements broadcasting reads.
fn all_pairs(
    out: &[usize],
    a: (&[usize], &[i64]),
    b: (&[usize], &[i64]),
    ok: impl Fn(i64, i64) -> bool,
) -> bool {
    (0..numel(out)).all(|i| {
        ok(
            a.1[broadcast_index(out, a.0, i)],
            b.1[broadcast_index(out, b.0, i)],
        )
    })
}

fn fits_i32(value: i128) -> bool {
    (i32::MIN as i128..=i32::MAX as i128).contains(&value)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Add,
    Sub,
    Mul,
    IntDiv,
    Maximum,
    Minimum,
    ArithmeticRightShift,
    LogicalLeftShift,
    LogicalRightShift,
    BitwiseAnd,
    BitwiseOr,
    BitwiseXor,
    Equal,
    Greater,
    GreaterEqual,
    LogicalAnd,
    LogicalOr,
    LogicalXor,
    Select,
}

impl Op {
    const ALL: [Op; 19] = [
        Op::Add,
        Op::Sub,
        Op::Mul,
        Op::IntDiv,
        Op::Maximum,
        Op::Minimum,
        Op::ArithmeticRightShift,
        Op::LogicalLeftShift,
        Op::LogicalRightShift,
        Op::BitwiseAnd,
        Op::BitwiseOr,
        Op::BitwiseXor,
        Op::Equal,
        Op::Greater,
        Op::GreaterEqual,
        Op::LogicalAnd,
        Op::LogicalOr,
        Op::LogicalXor,
        Op::Select,
    ];

    fn name(self) -> &'static str {
        match self {
            Op::Add => "tosa.add",
            Op::Sub => "tosa.sub",
            Op::Mul => "tosa.mul",
            Op::IntDiv => "tosa.intdiv",
            Op::Maximum => "tosa.maximum",
            Op::Minimum => "tosa.minimum",
            Op::ArithmeticRightShift => "tosa.arithmetic_right_shift",
            Op::LogicalLeftShift => "tosa.logical_left_shift",
            Op::LogicalRightShift => "tosa.logical_right_shift",
            Op::BitwiseAnd => "tosa.bitwise_and",
            Op::BitwiseOr => "tosa.bitwise_or",
            Op::BitwiseXor => "tosa.bitwise_xor",
            Op::Equal => "tosa.equal",
            Op::Greater => "tosa.greater",
            Op::GreaterEqual => "tosa.greater_equal",
            Op::LogicalAnd => "tosa.logical_and",
            Op::LogicalOr => "tosa.logical_or",
            Op::LogicalXor => "tosa.logical_xor",
            Op::Select => "tosa.select",
        }
    }

    /// The input element types TOSA 1.0 (pro_int) defines.
    fn types(self) -> &'static [Elem] {
        use Elem::*;
        match self {
            Op::Add | Op::Sub | Op::IntDiv | Op::Maximum | Op::Minimum => &[I32],
            Op::Equal | Op::Greater | Op::GreaterEqual => &[I32],
            Op::Mul => &[I8, I16, I32],
            Op::ArithmeticRightShift | Op::LogicalLeftShift | Op::LogicalRightShift => {
                &[I8, I16, I32]
            }
            Op::BitwiseAnd | Op::BitwiseOr | Op::BitwiseXor => &[I8, I16, I32],
            Op::LogicalAnd | Op::LogicalOr | Op::LogicalXor => &[I1],
            Op::Select => &[I1, I8, I16, I32],
        }
    }
}

fn binary_case(g: &mut Gen, id: usize) -> Case {
    let op = g.pick(&Op::ALL);
    let elem = g.pick(op.types());
    // Rank 0 now and then; else rank 1-4.
    let mut out = if g.chance(0.05) {
        vec![]
    } else {
        g.shape(1, 4, 4)
    };
    let operands = if op == Op::Select { 3 } else { 2 };
    let shapes = broadcast_shapes(g, &mut out, operands);
    let (sa, sb) = (shapes[0].clone(), shapes[1].clone());
    let sc = shapes.get(2).cloned().unwrap_or_default();
    let bits = elem.bits() as i64;
    // mul's shift: 0 for i8/i16; for i32 0 (wrapping product) or 1..=63.
    let shift = if op == Op::Mul && elem == Elem::I32 && g.flip() {
        g.range(1, 63)
    } else {
        0
    };
    let draw = |g: &mut Gen| {
        let a = g.tensor(&sa, elem);
        let b = match op {
            Op::ArithmeticRightShift | Op::LogicalLeftShift | Op::LogicalRightShift => {
                g.values(numel(&sb), 0, bits - 1)
            }
            _ => g.tensor(&sb, elem),
        };
        (a, b)
    };
    // Values for which the spec defines the result: draw until they are.
    let valid = |a: &[i64], b: &[i64]| -> bool {
        let pairs = |ok: &dyn Fn(i64, i64) -> bool| all_pairs(&out, (&sa, a), (&sb, b), ok);
        match op {
            Op::Add => pairs(&|x, y| fits_i32(x as i128 + y as i128)),
            Op::Sub => pairs(&|x, y| fits_i32(x as i128 - y as i128)),
            Op::IntDiv => pairs(&|x, y| y != 0 && fits_i32(x as i128 / y as i128)),
            Op::Mul if shift > 0 => {
                pairs(&|x, y| fits_i32((x as i128 * y as i128 + (1i128 << (shift - 1))) >> shift))
            }
            _ => true,
        }
    };
    let (a, b) = (0..50)
        .map(|_| draw(g))
        .find(|(a, b)| valid(a, b))
        .unwrap_or_else(|| {
            // Always defined: small values, nonzero divisors.
            (
                g.values(numel(&sa), -1000, 1000),
                g.values(numel(&sb), 1, 1000),
            )
        });

    let out_elem = match op {
        Op::Equal | Op::Greater | Op::GreaterEqual => Elem::I1,
        Op::Mul => Elem::I32,
        _ => elem,
    };
    let mut case = Case::new(
        id,
        format!(
            "{} {elem} {sa:?} x {sb:?} -> {out:?}{}",
            op.name(),
            if op == Op::Mul {
                format!(" shift {shift}")
            } else {
                String::new()
            }
        ),
    );
    let result_ty = Ty::tensor(&out, out_elem);
    let result = match op {
        Op::Select => {
            let cond = g.values(numel(&sc), 0, 1);
            let cond = case.konst(&sc, Elem::I1, &cond);
            let a = case.konst(&sa, elem, &a);
            let b = case.konst(&sb, elem, &b);
            case.op(op.name(), &[&cond, &a, &b], "", result_ty)
        }
        Op::Mul => {
            let a = case.konst(&sa, elem, &a);
            let b = case.konst(&sb, elem, &b);
            let shift = case.scalar(Elem::I8, shift);
            case.op(op.name(), &[&a, &b, &shift], "", result_ty)
        }
        _ => {
            let attrs = if op == Op::ArithmeticRightShift {
                format!("{{round = {}}}", g.flip())
            } else {
                String::new()
            };
            let a = case.konst(&sa, elem, &a);
            let b = case.konst(&sb, elem, &b);
            case.op(op.name(), &[&a, &b], &attrs, result_ty)
        }
    };
    case.output(result);
    case
}

#[test]
fn elementwise_binary_ops_match_the_reference_model() {
    let mut g = Gen::new("binary");
    let cases = (0..CASES).map(|id| binary_case(&mut g, id)).collect();
    check_family("binary", cases);
}
