//! ADC range calibration: the column sums a layer's reads present to the
//! ADC on calibration data, and the range (LSB shift k, `cim.adc_shift`)
//! that converts them best.
//!
//! A [`SumHistogram`] counts every step sum s of a layer (before the ADC,
//! on the ideal chip) by digit t, the column's significance w and value. A
//! range of LSB 2^k converts s to `adc_convert(s, k, lo, hi)` (the kernels'
//! conversion); its error on a reading of digit t in a column of weight 2^w
//! (a bit slice's 2^(slice·cell_bits), a reference column's offset) weighs
//! 2^(t·d + w) in the layer's result, so the methods compare ranges by
//! Σ count · 4^(t·d + w) · (q − s)²:
//! - `min-max`: the smallest k that clips nothing observed;
//! - `percentile`: the smallest k that clips at most 1 − p of the reads;
//! - `mse`: the k (from 0 to min-max's) of least weighted squared error,
//!   rounding against clipping.

use std::collections::HashMap;
use std::fmt;

use cimc_target::cost;

/// How a layer's ADC range is chosen from its observed sums.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RangeMethod {
    MinMax,
    /// The fraction of reads (e.g. 0.9999) the range must not clip.
    Percentile(f64),
    Mse,
}

impl fmt::Display for RangeMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RangeMethod::MinMax => f.write_str("min-max"),
            RangeMethod::Percentile(p) => write!(f, "percentile {}", p * 100.0),
            RangeMethod::Mse => f.write_str("mse"),
        }
    }
}

/// The step sums of one layer's reads: count by (digit, sum).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SumHistogram {
    /// (digit, column significance, sum) → reads.
    counts: HashMap<(u32, u32, i32), u64>,
    /// The digit index of the sign digit (the last), per the reads seen.
    sign_digit: Option<u32>,
    dac_bits: u32,
    reads: u64,
}

/// A layer's chosen range and what it does to the observed sums.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RangeChoice {
    /// k: one LSB is 2^k sum units.
    pub shift: u32,
    /// Reads the range clips, as a fraction of all.
    pub clipped: f64,
    /// Σ 4^(t·d + w)·(q − s)² over the reads, per read.
    pub mse: f64,
}

impl SumHistogram {
    /// Counts one step's sums for digit `t` of `digits` (`dac_bits` input
    /// bits per digit); column i weighs 2^`significance[i]` in the result.
    pub fn add(&mut self, t: u32, digits: u32, dac_bits: u32, sums: &[i32], significance: &[u32]) {
        self.sign_digit = Some(digits - 1);
        self.dac_bits = dac_bits;
        self.reads += sums.len() as u64;
        for (&s, &w) in sums.iter().zip(significance) {
            *self.counts.entry((t, w, s)).or_default() += 1;
        }
    }

    /// Reads counted.
    pub fn reads(&self) -> u64 {
        self.reads
    }

    /// The largest |sum| observed.
    pub fn max_abs(&self) -> u64 {
        self.counts
            .keys()
            .map(|&(_, _, s)| u64::from(s.unsigned_abs()))
            .max()
            .unwrap_or(0)
    }

    /// What the range of LSB 2^`shift` does with an `adc_bits` ADC.
    pub fn evaluate(&self, adc_bits: u32, shift: u32) -> RangeChoice {
        let hi = cost::max_adc_code(adc_bits) as i64;
        let (mut clipped, mut error) = (0u64, 0f64);
        for (&(t, w, s), &n) in &self.counts {
            let lo = if Some(t) == self.sign_digit { -hi } else { 0 };
            let s = i64::from(s);
            let code = cost::adc_code(s, shift);
            if code > hi || code < lo {
                clipped += n;
            }
            let q = code.clamp(lo, hi) << shift;
            let weight = 4f64.powi((t * self.dac_bits + w) as i32);
            error += n as f64 * weight * ((q - s) as f64).powi(2);
        }
        let reads = self.reads.max(1) as f64;
        RangeChoice {
            shift,
            clipped: clipped as f64 / reads,
            mse: error / reads,
        }
    }

    /// The range `method` picks for an `adc_bits` ADC (shifts 0..=30).
    pub fn choose(&self, adc_bits: u32, method: RangeMethod) -> RangeChoice {
        let full = cost::full_scale_adc_shift(self.max_abs(), adc_bits).min(30);
        match method {
            RangeMethod::MinMax => self.evaluate(adc_bits, full),
            RangeMethod::Percentile(p) => (0..=full)
                .map(|k| self.evaluate(adc_bits, k))
                .find(|c| c.clipped <= 1.0 - p)
                .unwrap_or_else(|| self.evaluate(adc_bits, full)),
            RangeMethod::Mse => (0..=full)
                .map(|k| self.evaluate(adc_bits, k))
                .min_by(|a, b| a.mse.total_cmp(&b.mse))
                .expect("at least k = 0"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_trade_rounding_against_clipping() {
        // 8 unsigned digits of one bit; sums mostly small, a few large.
        let mut h = SumHistogram::default();
        let mut sums = vec![3; 100_000];
        sums.extend([100; 10]);
        sums.push(1000);
        for t in 0..8 {
            h.add(t, 8, 1, &sums, &vec![0; sums.len()]);
        }
        assert_eq!(h.reads(), 8 * 100_011);
        assert_eq!(h.max_abs(), 1000);
        // A 6-bit ADC (codes 0..=63): 1000 needs an LSB of 16.
        let minmax = h.choose(6, RangeMethod::MinMax);
        assert_eq!((minmax.shift, minmax.clipped), (4, 0.0));
        // Clipping only the one outlier per digit: an LSB of 2 covers 100.
        let pct = h.choose(6, RangeMethod::Percentile(0.99999));
        assert_eq!(pct.shift, 1);
        assert!((pct.clipped - 1.0 / 100_011.0).abs() < 1e-12);
        // MSE: rounding 100000 small sums of 3 by 16 costs more than clipping.
        let mse = h.choose(6, RangeMethod::Mse);
        assert!(mse.shift < minmax.shift, "{mse:?}");
        assert!(mse.mse <= h.evaluate(6, minmax.shift).mse);
        // The sign digit's range is symmetric: −40 fits a 6-bit ADC there.
        let mut signed = SumHistogram::default();
        signed.add(0, 1, 1, &[-40, 40], &[0, 0]);
        assert_eq!(signed.evaluate(6, 0).clipped, 0.0);
        let mut unsigned = SumHistogram::default();
        unsigned.add(0, 2, 1, &[-40, 40], &[0, 0]);
        assert_eq!(unsigned.evaluate(6, 0).clipped, 0.5);
        // A column of significance w weighs 4^w in the error.
        let mut low = SumHistogram::default();
        low.add(0, 2, 1, &[5], &[0]);
        let mut high = SumHistogram::default();
        high.add(0, 2, 1, &[5], &[3]);
        assert_eq!(low.evaluate(6, 2).mse * 64.0, high.evaluate(6, 2).mse);
    }
}
