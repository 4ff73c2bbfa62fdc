//! `tosa.rescale`: every input (i8, i16, i32, i48) and output (i8, i16, i32)
//! type, scale32 and scale16, SINGLE_ROUND and DOUBLE_ROUND, per-tensor and
//! per-channel, signed and unsigned 8/16-bit sides with their zero points.

use super::gen::Gen;
use super::harness::check_family;
use super::mlir::{numel, Case, Elem, Rescale};

const CASES: usize = 300;

/// TOSA's apply_scale_32 / apply_scale_16 with their REQUIREs, then the
/// output zero point: `None` when the spec leaves the result undefined.
/// (Only to keep generated cases valid; the oracle computes the results.)
fn scaled(value: i64, r: &Rescale, channel: usize, output_zp: i64) -> Option<i64> {
    let (m, s) = (r.multiplier[channel] as i128, r.shift[channel]);
    if m < 0 || !(2..=62).contains(&s) {
        return None;
    }
    if r.scale32 && !(-(1i64 << (s - 1))..(1i64 << (s - 1))).contains(&value) {
        return None;
    }
    let mut round = 1i128 << (s - 1);
    if r.double_round && s > 31 {
        round += if value >= 0 { 1 << 30 } else { -(1 << 30) };
    }
    let result = (value as i128 * m + round) >> s;
    let fits = |v: i128| (i32::MIN as i128..=i32::MAX as i128).contains(&v);
    (fits(result) && fits(result + output_zp as i128)).then_some(result as i64)
}

/// A zero point a `elem` side of a rescale may have (stored value).
fn zero_point(g: &mut Gen, elem: Elem, unsigned: bool) -> i64 {
    match elem {
        Elem::I8 => g.range(-128, 127),
        Elem::I16 if unsigned => g.pick(&[0, -32768]),
        _ => 0,
    }
}

fn rescale_case(g: &mut Gen, id: usize) -> Case {
    use Elem::*;
    let in_elem = g.pick(&[I8, I16, I32, I48]);
    let out_elem = g.pick(&[I8, I16, I32]);
    // scale32 with an i48 input, and DOUBLE_ROUND without scale32, are errors.
    let scale32 = in_elem != I48 && g.chance(0.7);
    let double_round = scale32 && g.flip();
    // Unsigned sides: 8 or 16 bits, never both, never beside an i32/i48 side.
    let input_unsigned = matches!(in_elem, I8 | I16) && out_elem != I32 && g.chance(0.3);
    let output_unsigned = !input_unsigned
        && matches!(out_elem, I8 | I16)
        && matches!(in_elem, I8 | I16)
        && g.chance(0.3);
    let shape = g.shape(1, 4, 5);
    let per_channel = g.flip();
    let channels = if per_channel {
        shape[shape.len() - 1]
    } else {
        1
    };
    let max_multiplier = if scale32 {
        i32::MAX as i64
    } else {
        i16::MAX as i64
    };
    let mut r = Rescale {
        multiplier: Vec::new(),
        shift: Vec::new(),
        scale32,
        double_round,
        per_channel,
        input_zp: zero_point(g, in_elem, input_unsigned),
        output_zp: zero_point(g, out_elem, output_unsigned),
        input_unsigned,
        output_unsigned,
    };
    for _ in 0..channels {
        // Realistic set-ups (a normalized multiplier, a shift around 30-40)
        // and anything the spec allows.
        let (m, s) = if g.flip() {
            (g.range(max_multiplier / 2, max_multiplier), g.range(20, 45))
        } else {
            (g.value(0, max_multiplier), g.value(2, 62))
        };
        r.multiplier.push(m);
        r.shift.push(s);
    }
    let extend = |elem: Elem, unsigned: bool, stored: i64| {
        if unsigned {
            elem.unsigned(stored)
        } else {
            stored
        }
    };
    let izp = extend(in_elem, input_unsigned, r.input_zp);
    let ozp = extend(out_elem, output_unsigned, r.output_zp);
    let (lo, hi) = if input_unsigned {
        (0, in_elem.umax())
    } else {
        (in_elem.min(), in_elem.max())
    };
    // Inputs whose scaled value the spec defines; 0 after the zero point
    // always is.
    let values: Vec<i64> = (0..numel(&shape))
        .map(|i| {
            let channel = if per_channel { i % channels } else { 0 };
            let s = r.shift[channel];
            let (mut vlo, mut vhi) = (lo - izp, hi - izp);
            if scale32 {
                vlo = vlo.max(-(1 << (s - 1)));
                vhi = vhi.min((1 << (s - 1)) - 1);
            }
            // |value * multiplier| must stay below about 2^(31 + shift).
            let m = r.multiplier[channel] as i128;
            if m > 0 {
                let limit = ((1i128 << (31 + s)) / m).min(i64::MAX as i128) as i64;
                vlo = vlo.max(-limit);
                vhi = vhi.min(limit);
            }
            let (vlo, vhi) = g.subrange(vlo.min(0), vhi.max(0));
            let value = (0..20)
                .map(|_| g.value(vlo, vhi))
                .find(|v| scaled(*v, &r, channel, ozp).is_some())
                .unwrap_or(0);
            in_elem.wrap(value + izp)
        })
        .collect();
    let label = format!(
        "rescale {in_elem}{}->{out_elem}{} {} {}{}",
        if input_unsigned { "(u)" } else { "" },
        if output_unsigned { "(u)" } else { "" },
        if scale32 { "scale32" } else { "scale16" },
        if double_round {
            "DOUBLE_ROUND"
        } else {
            "SINGLE_ROUND"
        },
        if per_channel { " per_channel" } else { "" },
    );
    let mut case = Case::new(id, label);
    let input = case.konst(&shape, in_elem, &values);
    let result = case.rescale(&input, out_elem, &r);
    case.output(result);
    case
}

#[test]
fn rescale_matches_the_reference_model() {
    let mut g = Gen::new("rescale");
    let cases = (0..CASES).map(|id| rescale_case(&mut g, id)).collect();
    check_family("rescale", cases);
}
