//! The kernels against a slow, obviously correct transcription of the
//! semantics in `dialects/cim/README.md`.

use super::*;
use proptest::prelude::*;

/// The B-bit two's complement value of the low B bits of `x`.
fn value(x: i8, b: u32) -> i64 {
    let low = i64::from(x) & ((1i64 << b) - 1);
    if low >= 1i64 << (b - 1) {
        low - (1i64 << b)
    } else {
        low
    }
}

/// Digit `t` of `x`: the B-bit pattern sign-extended to T·d bits, cut into
/// d-bit digits, least significant first; the last one is signed.
fn digit(x: i8, p: &MvmParams, t: u32) -> i64 {
    let (d, digits) = (p.dac_bits, p.digits());
    let piece = (value(x, p.input_bits) >> (t * d)) & ((1i64 << d) - 1);
    if t + 1 == digits && piece >= 1i64 << (d - 1) {
        piece - (1i64 << d)
    } else {
        piece
    }
}

/// The README, word for word: per step, per group of ≤ A rows, the column
/// sum over the stored levels, the ADC clamp, the flip correction, the
/// readings added over groups, Σ_t q_t·2^(t·d). Also says whether any clamp
/// changed a reading.
fn reference(tile: &Tile, p: &MvmParams, input: &[i8], n: usize) -> (Vec<i32>, bool) {
    let (rows, cols) = (tile.rows() as usize, tile.cols() as usize);
    let a = p.max_active_rows as usize;
    let m = i64::from(tile.max_level());
    let mut out = vec![0i32; n * cols];
    let mut clipped = false;
    for v in 0..n {
        let x = &input[v * rows..][..rows];
        for c in 0..cols {
            let mut total: i128 = 0;
            for t in 0..p.digits() {
                let sign = t + 1 == p.digits();
                for g in (0..rows).step_by(a) {
                    let (mut s, mut usum) = (0i64, 0i64);
                    for (r, &xr) in x.iter().enumerate().take((g + a).min(rows)).skip(g) {
                        let u = digit(xr, p, t);
                        s += u * i64::from(tile.stored(r, c));
                        usum += u;
                    }
                    let mut q = s;
                    if p.adc_bits > 0 {
                        // One LSB of 2^k sum units: the nearest code, halves up.
                        let (hi, lsb) = ((1i64 << p.adc_bits) - 1, 1i64 << p.adc_shift);
                        let lo = if sign { -hi } else { 0 };
                        q = ((s + lsb / 2).div_euclid(lsb)).clamp(lo, hi) * lsb;
                        clipped |= q != s;
                    }
                    if tile.is_flipped(c) {
                        q = m * usum - q;
                    }
                    total += i128::from(q) << (t * p.dac_bits);
                }
            }
            out[v * cols + c] = total as i32;
        }
    }
    (out, clipped)
}

/// Σ_r x·W with x the B-bit value of each input.
fn exact(tile: &Tile, b: u32, input: &[i8], n: usize) -> Vec<i32> {
    let (rows, cols) = (tile.rows() as usize, tile.cols() as usize);
    let mut out = vec![0i32; n * cols];
    for v in 0..n {
        for c in 0..cols {
            let sum: i64 = (0..rows)
                .map(|r| value(input[v * rows + r], b) * i64::from(tile.level(r, c)))
                .sum();
            out[v * cols + c] = sum as i32;
        }
    }
    out
}

thread_local! {
    /// Set to run the portable direct kernel instead of the AVX2 one.
    pub(super) static PORTABLE_ONLY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn run(tile: &Tile, p: MvmParams, choice: KernelChoice, input: &[i8], n: usize) -> Vec<i32> {
    let kernel = MvmKernel::new(tile, p, choice).unwrap();
    let mut out = vec![7; n * tile.cols() as usize];
    kernel.run(input, n, &mut out).unwrap();
    out
}

#[derive(Debug, Clone)]
struct Case {
    tile: Tile,
    params: MvmParams,
    input: Vec<i8>,
    n: usize,
}

/// Random tiles, inputs and bit widths. Levels are skewed towards high or
/// low values per column so that both clipping and ideal columns occur.
fn case() -> impl Strategy<Value = Case> {
    (1u32..=150, 1u32..=70, 1u32..=8, 1usize..=3)
        .prop_flat_map(|(rows, cols, cell_bits, n)| {
            let max = (1u32 << cell_bits) - 1;
            (
                Just((rows, cols, cell_bits, n)),
                proptest::collection::vec(0u32..=max, (rows * cols) as usize),
                proptest::collection::vec(0u32..=4, cols as usize),
                proptest::collection::vec(any::<bool>(), cols as usize),
                proptest::collection::vec(any::<i8>(), n * rows as usize),
                (
                    1u32..=12,
                    1u32..=8,
                    0u32..=14,
                    1u32..=rows + 8,
                    prop_oneof![3 => Just(0u32), 1 => 1u32..=4],
                ),
            )
        })
        .prop_map(
            |((rows, cols, cell_bits, n), raw, skew, flipped, input, bits)| {
                let max = (1u32 << cell_bits) - 1;
                let levels = raw
                    .iter()
                    .enumerate()
                    .map(|(i, &l)| match skew[i % cols as usize] {
                        0 => 0,
                        1 => max,
                        2 => l / 4,
                        _ => l,
                    } as u8)
                    .collect();
                let (input_bits, dac_bits, adc_bits, max_active_rows, adc_shift) = bits;
                Case {
                    tile: Tile::new(rows, cols, cell_bits, levels, flipped).unwrap(),
                    params: MvmParams {
                        input_bits,
                        dac_bits,
                        adc_bits,
                        adc_shift,
                        max_active_rows,
                    },
                    input,
                    n,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn bitplane_kernel_matches_reference(c in case()) {
        let (expect, _) = reference(&c.tile, &c.params, &c.input, c.n);
        prop_assert_eq!(run(&c.tile, c.params, KernelChoice::BitPlane, &c.input, c.n), expect);
    }

    #[test]
    fn auto_kernel_matches_reference(c in case()) {
        let (expect, clipped) = reference(&c.tile, &c.params, &c.input, c.n);
        let kernel = MvmKernel::new(&c.tile, c.params, KernelChoice::Auto).unwrap();
        let mut out = vec![0; c.n * c.tile.cols() as usize];
        kernel.run(&c.input, c.n, &mut out).unwrap();
        prop_assert_eq!(&out, &expect);
        // Provably ideal columns never clip; with none clipped the result is exact.
        if kernel.is_fast_path() {
            prop_assert!(!clipped);
        }
        if !clipped {
            prop_assert_eq!(out, exact(&c.tile, c.params.input_bits, &c.input, c.n));
        }
    }

    #[test]
    fn ideal_adc_is_the_exact_product(c in case(), adc_bits in prop_oneof![Just(0u32), 28u32..=30]) {
        let p = MvmParams { adc_bits, adc_shift: 0, ..c.params };
        let kernel = MvmKernel::new(&c.tile, p, KernelChoice::Auto).unwrap();
        prop_assert!(kernel.is_fast_path());
        let expect = exact(&c.tile, p.input_bits, &c.input, c.n);
        prop_assert_eq!(run(&c.tile, p, KernelChoice::Auto, &c.input, c.n), expect.clone());
        PORTABLE_ONLY.with(|f| f.set(true));
        let portable = run(&c.tile, p, KernelChoice::Auto, &c.input, c.n);
        PORTABLE_ONLY.with(|f| f.set(false));
        prop_assert_eq!(portable, expect.clone());
        prop_assert_eq!(run(&c.tile, p, KernelChoice::BitPlane, &c.input, c.n), expect);
    }

    #[test]
    fn digits_recompose_the_input(x in any::<i8>(), b in 1u32..=32, d in 1u32..=8) {
        let p = MvmParams { input_bits: b, dac_bits: d, adc_bits: 0, adc_shift: 0, max_active_rows: 1 };
        let sum: i64 = (0..p.digits()).map(|t| digit(x, &p, t) << (t * d)).sum();
        prop_assert_eq!(sum, value(x, b.min(63)));
    }
}

#[test]
fn transpose8_transposes() {
    for seed in 0..64u64 {
        let x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (seed << 17);
        let y = transpose8(x);
        for i in 0..8 {
            for j in 0..8 {
                assert_eq!(x >> (8 * i + j) & 1, y >> (8 * j + i) & 1);
            }
        }
    }
}

/// A 4 × 1 tile of level 3 read with 2-bit inputs, a 1-bit DAC and a 3-bit
/// ADC: every step's sum (±12) clips at ±7.
#[test]
fn clipping_as_the_semantics_say() {
    let p = MvmParams {
        input_bits: 2,
        dac_bits: 1,
        adc_bits: 3,
        adc_shift: 0,
        max_active_rows: 4,
    };
    let tile = Tile::new(4, 1, 2, vec![3; 4], vec![]).unwrap();
    // x = 1: digit 0 is 1 (sum 12 → 7), the sign digit 0.
    assert_eq!(mvm(&tile, p, &[1; 4], 1).unwrap(), vec![7]);
    // x = −1 = 0b11: digit 0 is 1 (12 → 7), the sign digit −1 (−12 → −7): 7 − 2·7.
    assert_eq!(mvm(&tile, p, &[-1; 4], 1).unwrap(), vec![-7]);
    // x = −2 = 0b10: only the sign digit, −12 → −7, weighted 2.
    assert_eq!(mvm(&tile, p, &[-2; 4], 1).unwrap(), vec![-14]);
    // Only the low 2 bits are read: 5 = 0b101 reads as 1.
    assert_eq!(mvm(&tile, p, &[5; 4], 1).unwrap(), vec![7]);
    // Exact with two groups of two rows (sums ±6 ≤ 7).
    let two = MvmParams {
        max_active_rows: 2,
        ..p
    };
    assert_eq!(mvm(&tile, two, &[-1; 4], 1).unwrap(), vec![-12]);

    // Flipped: logical level 0 is stored as 3, so the sum (12) clips at 7 and
    // the correction gives 3·4 − 7 = 5 instead of the exact 0.
    let flipped = Tile::new(4, 1, 2, vec![0; 4], vec![true]).unwrap();
    assert_eq!(mvm(&flipped, p, &[1; 4], 1).unwrap(), vec![5]);
    // Logical 3 stored as 0 never clips: exact 12.
    let flipped = Tile::new(4, 1, 2, vec![3; 4], vec![true]).unwrap();
    assert_eq!(mvm(&flipped, p, &[1; 4], 1).unwrap(), vec![12]);
    // No ADC: exact.
    let digital = MvmParams { adc_bits: 0, ..p };
    assert_eq!(mvm(&tile, digital, &[-1; 4], 1).unwrap(), vec![-12]);
}

/// ISAAC: 128 rows of 2-bit cells, 1-bit DAC, 8-bit ADC, weight flip: every
/// column is provably ideal, so the fast path runs and equals Σ x·W.
#[test]
fn isaac_flip_takes_the_fast_path() {
    let (rows, cols) = (128u32, 128u32);
    let levels: Vec<u8> = (0..rows * cols).map(|i| (i * 7 % 11 % 4) as u8).collect();
    let mut flipped = vec![false; cols as usize];
    for (c, f) in flipped.iter_mut().enumerate() {
        let sum: u32 = (0..rows)
            .map(|r| u32::from(levels[(r * cols) as usize + c]))
            .sum();
        *f = 2 * sum > rows * 3;
    }
    let tile = Tile::new(rows, cols, 2, levels, flipped).unwrap();
    let p = MvmParams {
        input_bits: 8,
        dac_bits: 1,
        adc_bits: 8,
        adc_shift: 0,
        max_active_rows: 128,
    };
    let kernel = MvmKernel::new(&tile, p, KernelChoice::Auto).unwrap();
    assert!(kernel.is_fast_path());
    let input: Vec<i8> = (0..3 * rows).map(|i| (i * 37 % 256) as u8 as i8).collect();
    let out = run(&tile, p, KernelChoice::Auto, &input, 3);
    assert_eq!(out, exact(&tile, 8, &input, 3));
    assert_eq!(out, run(&tile, p, KernelChoice::BitPlane, &input, 3));
}

#[test]
fn bad_arguments_are_errors() {
    assert!(matches!(
        Tile::new(2, 2, 2, vec![0, 1, 2, 4], vec![]),
        Err(SimError::BadArgument(_))
    ));
    assert!(matches!(
        Tile::new(2, 2, 2, vec![0; 3], vec![]),
        Err(SimError::ShapeMismatch(_))
    ));
    assert!(matches!(
        Tile::new(2, 2, 9, vec![0; 4], vec![]),
        Err(SimError::BadArgument(_))
    ));
    let tile = Tile::new(2, 2, 2, vec![0; 4], vec![]).unwrap();
    let p = MvmParams {
        input_bits: 8,
        dac_bits: 1,
        adc_bits: 8,
        adc_shift: 0,
        max_active_rows: 2,
    };
    for bad in [
        MvmParams { input_bits: 0, ..p },
        MvmParams { dac_bits: 9, ..p },
        MvmParams { adc_bits: 31, ..p },
        MvmParams {
            max_active_rows: 0,
            ..p
        },
    ] {
        assert!(matches!(
            mvm(&tile, bad, &[0; 2], 1),
            Err(SimError::BadArgument(_))
        ));
    }
    assert!(matches!(
        mvm(&tile, p, &[0; 3], 1),
        Err(SimError::ShapeMismatch(_))
    ));
}

/// The analog kernel of a chip whose non-idealities are all zero, with a
/// `clipped` ADC (1 LSB = 1 sum unit).
fn noiseless(tile: &Tile, p: MvmParams) -> MvmKernel {
    let model = crate::noise::Analog {
        n: cimc_target::NonIdealities::default(),
    };
    MvmKernel::analog(tile, p, &model, 42).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Without noise the analog read is the exact one, ADC range included
    /// (column sums stay below 2^24, where f32 sums are exact).
    #[test]
    fn noiseless_analog_kernel_matches_reference(c in case()) {
        let (expect, _) = reference(&c.tile, &c.params, &c.input, c.n);
        let kernel = noiseless(&c.tile, c.params);
        prop_assert!(kernel.is_analog());
        let mut out = vec![7; c.n * c.tile.cols() as usize];
        kernel.run(&c.input, c.n, &mut out).unwrap();
        prop_assert_eq!(out, expect);
    }
}
