//! One instance of an analog chip: the conductances its cells hold once
//! programmed (programming error, stuck cells, drift and its compensation)
//! and the read-time model (read noise, ADC range, offset and gain), per
//! the target's `[non_idealities]` (`chip/README.md`, "Non-idealities").
//!
//! Every draw is keyed, never taken from a shared stream: a tile's cells
//! from (seed, array, phase), in row-major order, three draws per cell
//! whichever non-idealities are on; a read's noise from (seed, array,
//! phase, the slot's read count). So the same seed programs the same chip
//! whatever the kernel, batch or the order in which arrays are programmed
//! and read, and sweeping one σ keeps the others' draws (common random
//! numbers).

use cimc_target::{NonIdealities, Target};
use rand_core::SeedableRng;
use rand_distr::{Distribution, StandardNormal, StandardUniform};
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::tile::Tile;

/// The random generator of one keyed stream.
pub type Stream = Xoshiro256PlusPlus;

/// Folds `parts` into one 64-bit key (SplitMix64's finalizer after each
/// part), so that nearby keys give unrelated streams.
pub fn key(parts: &[u64]) -> u64 {
    parts.iter().fold(0x9E37_79B9_7F4A_7C15, |h, &p| {
        let mut z = (h ^ p).wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    })
}

/// The stream of `key`.
pub fn stream(key: u64) -> Stream {
    Stream::seed_from_u64(key)
}

/// The stream of read number `read` of the slot of `slot_key`
/// ([`Analog::slot_key`]: the seed is in it).
pub fn read_stream(slot_key: u64, read: u64) -> Stream {
    stream(key(&[READ, slot_key, read]))
}

/// Tags that keep the two kinds of streams apart.
const PROGRAM: u64 = 1;
const READ: u64 = 2;

/// The analog model of a target whose `[non_idealities]` turn something on.
#[derive(Debug, Clone, PartialEq)]
pub struct Analog {
    pub n: NonIdealities,
}

/// What programming a tile left in its cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Programmed {
    /// The conductance of each cell at the inference time, in level units
    /// (a cell at full conductance holds 2^cell_bits − 1), row-major.
    pub g: Vec<f32>,
    /// The drift compensation factor G(t0)/G(t) of the array (1 without
    /// drift or compensation).
    pub alpha: f64,
    pub stuck_on: u64,
    pub stuck_off: u64,
}

impl Analog {
    /// The model of `target`, or `None` when no non-ideality is on (then the
    /// simulator is exact).
    pub fn of(target: &Target) -> Option<Analog> {
        target.non_idealities.any().then(|| Analog {
            n: target.non_idealities.clone(),
        })
    }

    /// The key of array `array` (its index on the chip) holding `phase`.
    pub fn slot_key(&self, array: u64, phase: u32) -> u64 {
        key(&[self.n.seed, array, u64::from(phase)])
    }

    /// Programs `tile` onto the slot of `slot_key`: each cell's stored level
    /// becomes a conductance.
    ///
    /// Per cell, u ~ U[0, 1), z, z' ~ N(0, 1): stuck on (u < p_on: the full
    /// conductance M) or off (u < p_on + p_off: 0), which neither vary nor
    /// drift; otherwise g0 = clamp(level + σ_p·M·z, 0, M) and, at time t,
    /// g = g0·(t/t0)^−ν with ν = max(0, ν̄ + σ_ν·z').
    pub fn program(&self, tile: &Tile, slot_key: u64) -> Programmed {
        let n = &self.n;
        let m = tile.max_level() as f64;
        let mut rng = stream(key(&[PROGRAM, slot_key]));
        let ratio = n.drift_t_s / n.drift_t0_s;
        let drifts = ratio > 1.0 && (n.drift_nu > 0.0 || n.drift_nu_sigma > 0.0);
        let (rows, cols) = (tile.rows() as usize, tile.cols() as usize);
        let mut g = Vec::with_capacity(rows * cols);
        let (mut sum0, mut sum_t) = (0.0f64, 0.0f64);
        let (mut stuck_on, mut stuck_off) = (0, 0);
        for r in 0..rows {
            for c in 0..cols {
                let u: f64 = StandardUniform.sample(&mut rng);
                let z: f64 = StandardNormal.sample(&mut rng);
                let z_nu: f64 = StandardNormal.sample(&mut rng);
                let (g0, gt) = if u < n.stuck_at_on_rate {
                    stuck_on += 1;
                    (m, m)
                } else if u < n.stuck_at_on_rate + n.stuck_at_off_rate {
                    stuck_off += 1;
                    (0.0, 0.0)
                } else {
                    let level = f64::from(tile.stored(r, c));
                    let g0 = (level + n.programming_sigma * m * z).clamp(0.0, m);
                    let gt = if drifts {
                        let nu = (n.drift_nu + n.drift_nu_sigma * z_nu).max(0.0);
                        g0 * ratio.powf(-nu)
                    } else {
                        g0
                    };
                    (g0, gt)
                };
                sum0 += g0;
                sum_t += gt;
                g.push(gt as f32);
            }
        }
        let alpha = if drifts && n.drift_compensation && sum_t > 0.0 {
            sum0 / sum_t
        } else {
            1.0
        };
        Programmed {
            g,
            alpha,
            stuck_on,
            stuck_off,
        }
    }

    /// The read noise σ of one column sum, in sum units: σ_r × M × D (one
    /// cell at full conductance under the largest digit D = 2^d − 1).
    pub fn read_sigma(&self, max_level: u32, dac_bits: u32) -> f64 {
        let digit = ((1u64 << dac_bits) - 1) as f64;
        self.n.read_noise_sigma * f64::from(max_level) * digit
    }
}

#[cfg(test)]
mod tests;
