//! Deterministic random choices for the generators: proptest's `TestRng`
//! seeded from `CIMC_ORACLE_SEED` (or a fixed default) and the family name.

use super::mlir::{numel, Elem};
use proptest::prelude::Rng;
use proptest::test_runner::{RngAlgorithm, TestRng};
use std::sync::OnceLock;

/// The seed used when `CIMC_ORACLE_SEED` is not set.
const DEFAULT_SEED: u64 = 20_260_611;

/// The run's seed: `CIMC_ORACLE_SEED` if set, else [`DEFAULT_SEED`].
pub fn seed() -> u64 {
    static SEED: OnceLock<u64> = OnceLock::new();
    *SEED.get_or_init(|| match std::env::var("CIMC_ORACLE_SEED") {
        Ok(text) => text
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("CIMC_ORACLE_SEED={text:?} is not an unsigned integer")),
        Err(_) => DEFAULT_SEED,
    })
}

pub struct Gen {
    rng: TestRng,
}

impl Gen {
    /// A generator for one family: the same seed gives the same cases.
    pub fn new(family: &str) -> Gen {
        // FNV-1a of the family name, so that families draw different cases.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in family.bytes() {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
        let mut bytes = [0u8; 32];
        bytes[..8].copy_from_slice(&seed().to_le_bytes());
        bytes[8..16].copy_from_slice(&hash.to_le_bytes());
        Gen {
            rng: TestRng::from_seed(RngAlgorithm::ChaCha, &bytes),
        }
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        assert!(lo <= hi, "empty range {lo}..={hi}");
        let span = (hi as i128 - lo as i128 + 1) as u128;
        let draw = (u128::from(self.rng.next_u64()) << 64) | u128::from(self.rng.next_u64());
        (lo as i128 + (draw % span) as i128) as i64
    }

    /// Uniform in `lo..=hi`, as usize.
    pub fn size(&mut self, lo: usize, hi: usize) -> usize {
        self.range(lo as i64, hi as i64) as usize
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    pub fn flip(&mut self) -> bool {
        self.chance(0.5)
    }

    pub fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.size(0, items.len() - 1)].clone()
    }

    /// A value in `lo..=hi` that is one of the ends (or 0, ±1 when in range)
    /// a tenth of the time: edges are where bit-exactness breaks.
    pub fn value(&mut self, lo: i64, hi: i64) -> i64 {
        if self.chance(0.1) {
            let edges: Vec<i64> = [lo, hi, 0, 1, -1, lo + 1, hi - 1]
                .into_iter()
                .filter(|v| (lo..=hi).contains(v))
                .collect();
            self.pick(&edges)
        } else {
            self.range(lo, hi)
        }
    }

    /// `n` values from [`Gen::value`].
    pub fn values(&mut self, n: usize, lo: i64, hi: i64) -> Vec<i64> {
        (0..n).map(|_| self.value(lo, hi)).collect()
    }

    /// Values filling `shape` over the whole range of `elem`, or (a third of
    /// the time) a random narrower range, so small and large magnitudes both
    /// appear.
    pub fn tensor(&mut self, shape: &[usize], elem: Elem) -> Vec<i64> {
        let (lo, hi) = self.subrange(elem.min(), elem.max());
        self.values(numel(shape), lo, hi)
    }

    /// `lo..=hi` itself, or a third of the time a random part of it around 0.
    pub fn subrange(&mut self, lo: i64, hi: i64) -> (i64, i64) {
        if self.chance(0.33) && lo < 0 && hi > 0 {
            let top = 64 - i64::from((hi as u64).leading_zeros());
            let bits = self.range(1, top.max(1));
            ((-(1i64 << bits)).max(lo), ((1i64 << bits) - 1).min(hi))
        } else {
            (lo, hi)
        }
    }

    /// A random shape of rank `min_rank..=max_rank` with dims in `1..=max_dim`;
    /// a tenth of the time one dim is long (up to 40), so that LLVM
    /// vectorizes the loops over it.
    pub fn shape(&mut self, min_rank: usize, max_rank: usize, max_dim: usize) -> Vec<usize> {
        let rank = self.size(min_rank, max_rank);
        let mut shape: Vec<usize> = (0..rank).map(|_| self.size(1, max_dim)).collect();
        if rank > 0 && self.chance(0.1) {
            let axis = self.size(0, rank - 1);
            shape[axis] = self.size(max_dim, 40);
        }
        shape
    }
}
