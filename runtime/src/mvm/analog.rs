//! The analog kernel: the bit-serial read of a tile whose cells hold real
//! conductances ([`crate::noise`]), with read noise and a real ADC.
//!
//! Per input vector, DAC digit t (the same digits as the exact kernels:
//! 0 … T−2 unsigned, the last signed) and row group, each column's sum is
//! s = Σ_r digit_t[r]·g[r][c] + σ·z; the ADC, whose LSB is 2^k sum units
//! (`adc_shift`), converts `code = clamp(⌊(1 + e)·s / LSB + offset + ½⌋,
//! lo, hi)` (the exact kernels' rounding and ranges), the reading
//! `α·code·LSB` (drift compensation α) of a
//! flipped column becomes M·Σ_r digit_t[r] − reading, and the readings add
//! up as Σ_t 2^(t·d)·reading, rounded to the nearest integer once per mvm.
//! With every non-ideality at zero this is exactly the bit-plane kernel's
//! result.

use rand_distr::{Distribution, StandardNormal};

use super::MvmParams;
use crate::noise::{Analog as Model, Programmed};
use crate::tile::Tile;

/// The analog kernel of one tile.
#[derive(Debug, Clone)]
pub(super) struct Analog {
    params: MvmParams,
    rows: usize,
    cols: usize,
    /// Conductances at the inference time, in level units: row r's at
    /// `g[r·stride …]`, zero-padded to whole blocks of [`BLOCK`] columns.
    g: Vec<f32>,
    stride: usize,
    flipped: Vec<bool>,
    any_flipped: bool,
    max_level: f64,
    /// (start, len) of each group of rows read together.
    groups: Vec<(usize, usize)>,
    alpha: f64,
    sigma: f32,
    lsb: Option<f64>,
    offset: f64,
    gain: f64,
    slot_key: u64,
    pub(super) stuck: (u64, u64),
}

impl Analog {
    pub(super) fn new(tile: &Tile, params: MvmParams, model: &Model, slot_key: u64) -> Analog {
        let Programmed {
            g,
            alpha,
            stuck_on,
            stuck_off,
        } = model.program(tile, slot_key);
        let rows = tile.rows() as usize;
        let cols = tile.cols() as usize;
        let stride = cols.div_ceil(BLOCK) * BLOCK;
        let mut padded = vec![0f32; rows * stride];
        for (dst, src) in padded.chunks_exact_mut(stride).zip(g.chunks_exact(cols)) {
            dst[..cols].copy_from_slice(src);
        }
        let a = params.max_active_rows as usize;
        let groups = (0..rows)
            .step_by(a)
            .map(|start| (start, a.min(rows - start)))
            .collect();
        let flipped: Vec<bool> = (0..tile.cols() as usize)
            .map(|c| tile.is_flipped(c))
            .collect();
        Analog {
            params,
            rows,
            cols,
            g: padded,
            stride,
            any_flipped: flipped.contains(&true),
            flipped,
            max_level: f64::from(tile.max_level()),
            groups,
            alpha,
            sigma: model.read_sigma(tile.max_level(), params.dac_bits) as f32,
            lsb: (params.adc_bits > 0).then(|| f64::from(1u32 << params.adc_shift.min(30))),
            offset: model.n.adc_offset_lsb,
            gain: 1.0 + model.n.adc_gain_error,
            slot_key,
            stuck: (stuck_on, stuck_off),
        }
    }
}

/// Columns summed together in registers.
const BLOCK: usize = 64;

/// The kernel's body; inlined into each ISA's dispatch target (`FMA`:
/// it has fused multiply-add). `x` holds the sign-extended inputs; `read`
/// keys the read noise.
#[inline(always)]
pub(super) fn analog_body<const FMA: bool>(
    k: &Analog,
    x: &[i8],
    n: usize,
    out: &mut [i32],
    read: u64,
) {
    let (params, rows, cols) = (&k.params, k.rows, k.cols);
    let d = params.dac_bits;
    let digits = params.digits();
    let mask = (1i32 << d) - 1;
    let mut rng = crate::noise::read_stream(k.slot_key, read);
    let noisy = k.sigma > 0.0;
    let flip: Vec<f32> = k.flipped.iter().map(|&f| f32::from(u8::from(f))).collect();
    let (gain, offset, alpha) = (k.gain as f32, k.offset as f32, k.alpha as f32);
    let mut s = vec![0f32; cols];
    let mut z = vec![0f32; cols];
    let mut acc = vec![0f64; cols];
    let mut digit = vec![0i32; rows];
    // Compacted without branches (digits are random bits to a predictor).
    let mut active: Vec<(u32, f32)> = vec![(0, 0.0); rows];
    for v in 0..n {
        let xv = &x[v * rows..][..rows];
        acc.fill(0.0);
        for t in 0..digits {
            let sign = t + 1 == digits;
            let shift = t * d;
            for (dst, &xi) in digit.iter_mut().zip(xv) {
                // t·d < B ≤ 32; an i8 shifted by ≥ 8 is its sign.
                let wide = i32::from(xi) >> shift.min(31);
                *dst = if sign { wide } else { wide & mask };
            }
            let range = params.adc_range(sign);
            let weight = f64::from(2u32.pow(shift.min(31)));
            for &(start, len) in &k.groups {
                // The rows this digit drives (zero digits add nothing).
                let mut count = 0;
                let mut usum = 0i64;
                for (r, &dv) in digit.iter().enumerate().skip(start).take(len) {
                    active[count] = (r as u32, dv as f32);
                    count += usize::from(dv != 0);
                    usum += i64::from(dv);
                }
                for b0 in (0..cols).step_by(BLOCK) {
                    let mut sum = [0f32; BLOCK];
                    for &(r, dv) in &active[..count] {
                        let row: &[f32; BLOCK] = k.g[r as usize * k.stride + b0..][..BLOCK]
                            .try_into()
                            .expect("padded block");
                        for (acc, &g) in sum.iter_mut().zip(row) {
                            // Fused only where the ISA has it (else a libm call).
                            *acc = if FMA {
                                dv.mul_add(g, *acc)
                            } else {
                                *acc + dv * g
                            };
                        }
                    }
                    let width = BLOCK.min(cols - b0);
                    s[b0..b0 + width].copy_from_slice(&sum[..width]);
                }
                if noisy {
                    for zc in z.iter_mut() {
                        *zc = StandardNormal.sample(&mut rng);
                    }
                    for (sc, &zc) in s.iter_mut().zip(&z) {
                        *sc += k.sigma * zc;
                    }
                }
                // The ADC, then α; below, vectorizable loops over the columns.
                match (k.lsb, range) {
                    (Some(lsb), Some((lo, hi))) => {
                        let (lsb, lo, hi) = (lsb as f32, lo as f32, hi as f32);
                        let scale = gain / lsb;
                        let back = lsb * alpha;
                        for sc in s.iter_mut() {
                            *sc = (*sc * scale + offset + 0.5).floor().clamp(lo, hi) * back;
                        }
                    }
                    // No ADC: an adder tree sums the analog values.
                    _ => {
                        for sc in s.iter_mut() {
                            *sc *= alpha;
                        }
                    }
                }
                if k.any_flipped {
                    // A flipped column reads M·Σ digit − reading.
                    let mu = (usum as f64 * k.max_level) as f32;
                    for (sc, &f) in s.iter_mut().zip(&flip) {
                        *sc += f * (mu - 2.0 * *sc);
                    }
                }
                for (a, &sc) in acc.iter_mut().zip(&s) {
                    *a += f64::from(sc) * weight;
                }
            }
        }
        for (o, &a) in out[v * cols..][..cols].iter_mut().zip(&acc) {
            // `as` saturates at the i32 range.
            *o = a.round() as i32;
        }
    }
}
