//! Range setting: choosing the real range [min, max] a grid covers, for
//! weights (from the tensor itself) and for activations (from calibration
//! statistics).
//!
//! Why: the range trades clipping error (values outside it saturate) against
//! rounding error (a wider range means a coarser step). Nagel et al. 2021,
//! "A White Paper on Neural Network Quantization", §3.1, compares min-max,
//! MSE and percentile setting; MSE wins at low bit widths.
//!
//! **Weights** (a 2-D matrix, rows = output channels, columns = fan-in;
//! per channel = per row):
//! - [`WeightRange::MinMax`]: the row's (or tensor's) min and max.
//! - [`WeightRange::Mse`]: the clipping range (α·min, α·max), α ∈ (0, 1],
//!   minimising ‖W − fq_α(W)‖². The search evaluates α on a uniform grid
//!   k/n, k = 1..=n (default n = 100), then refines around the best k with a
//!   golden-section search on [(k−1)/n, (k+1)/n] (default 20 evaluations),
//!   keeping the best α seen. The error is not unimodal in α (rounding makes
//!   it jagged), hence the coarse grid first. α = 1 is a candidate, so MSE is
//!   never worse than min-max on the tensor it is fitted to. With
//!   [`MseSearch::noise_lsb`] = σ > 0 (noise-aware: the chip adds an error
//!   of σ integer steps to every stored weight, e.g. programming noise) the
//!   objective is the expected error on the chip, ‖W − fq_α(W)‖² + n·(Δ·σ)²
//!   (Δ the grid step, n the weights): a wider range makes every weight's
//!   share of the noise larger, so noise pushes the choice to clip more.
//!
//! **Activations** are never held in memory: an [`Observer`] accumulates
//! exact min/max, the count and a fixed-size histogram over calibration
//! batches. The histogram has `n` equal bins over [origin, origin + n·w).
//! When a batch falls outside, the bin width doubles (w → 2^k·w, smallest k)
//! and the origin moves left by whole new bins, so every old bin lies inside
//! exactly one new bin and re-binning is exact (no interpolation). The price
//! is resolution: the final bin width is at most 2× what the final range
//! alone would give. From an observer:
//! - [`ActivationRange::MinMax`]: the exact observed min and max.
//! - [`ActivationRange::Percentile`]`(p)`: the p-th and (100 − p)-th
//!   percentiles (linear inside a bin), e.g. 99.99.
//! - [`ActivationRange::Mse`]: the range minimising the expected squared
//!   error over the histogram. Each bin's values are taken at its centre c;
//!   a value outside the grid's representable range [L, U] costs (c − L)² or
//!   (c − U)²; a value inside costs Δ²/12 (uniform rounding error, Δ = the
//!   grid step). With prefix sums of count, count·c and count·c² each
//!   candidate costs O(1), so the search is dense: 512 ratios of the
//!   min-max range for symmetric grids, 128 × 128 independent ratios of the
//!   lower and upper end for asymmetric ones. Candidates are real grids
//!   (zero point rounded), so the error is that of the grid returned.

use ndarray::{ArrayBase, ArrayView2, Data, Dimension};

use crate::error::{check_finite, check_finite_slice, check_nonempty, QuantError, Result};
use crate::grid::{dequantize_one, quantize_one, range_params, Grid, QuantSpec};

/// How a weight range is chosen.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum WeightRange {
    /// Min and max of the row (per channel) or tensor.
    MinMax,
    /// Clipping that minimises the squared quantization error.
    Mse(MseSearch),
}

impl Default for WeightRange {
    fn default() -> Self {
        WeightRange::Mse(MseSearch::default())
    }
}

/// Parameters of the MSE clipping search for weights.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MseSearch {
    /// Number of uniformly spaced ratios α = k/n tried first (≥ 1).
    pub candidates: usize,
    /// Golden-section evaluations around the best candidate.
    pub refine_steps: usize,
    /// σ, in integer steps, of the noise the chip adds to every stored
    /// weight (0: plain MSE).
    pub noise_lsb: f64,
}

impl Default for MseSearch {
    fn default() -> Self {
        MseSearch {
            candidates: 100,
            refine_steps: 20,
            noise_lsb: 0.0,
        }
    }
}

/// The grid of a weight matrix (rows = output channels, columns = fan-in):
/// one range per row if `spec.per_channel`, else one for the tensor.
pub fn weight_grid(w: ArrayView2<f32>, spec: &QuantSpec, method: WeightRange) -> Result<Grid> {
    let (mins, maxs) = weight_ranges(w, spec, method)?;
    Grid::from_ranges(spec, &mins, &maxs)
}

/// The ranges (mins, maxs) [`weight_grid`] builds its grid from: one per
/// row if `spec.per_channel`, else one for the tensor.
pub fn weight_ranges(
    w: ArrayView2<f32>,
    spec: &QuantSpec,
    method: WeightRange,
) -> Result<(Vec<f32>, Vec<f32>)> {
    spec.validate()?;
    check_nonempty("weights", &w)?;
    check_finite("weights", &w)?;
    if let WeightRange::Mse(m) = method {
        if m.candidates == 0 {
            return Err(QuantError::invalid(
                "MSE search candidates",
                0,
                "must be at least 1",
            ));
        }
        if !(m.noise_lsb.is_finite() && m.noise_lsb >= 0.0) {
            return Err(QuantError::invalid(
                "weight noise",
                m.noise_lsb,
                "must be a finite number ≥ 0",
            ));
        }
    }
    let ranges: Vec<(f32, f32)> = if spec.per_channel {
        w.rows()
            .into_iter()
            .map(|row| {
                let v: Vec<f32> = row.iter().copied().collect();
                weight_range(&v, spec, method)
            })
            .collect::<Result<_>>()?
    } else {
        let v: Vec<f32> = w.iter().copied().collect();
        vec![weight_range(&v, spec, method)?]
    };
    Ok(ranges.into_iter().unzip())
}

/// The chosen (min, max) of one set of weight values.
fn weight_range(v: &[f32], spec: &QuantSpec, method: WeightRange) -> Result<(f32, f32)> {
    let (lo, hi) = min_max(v);
    match method {
        WeightRange::MinMax => Ok((lo, hi)),
        WeightRange::Mse(m) => mse_clip(v, spec, lo, hi, m),
    }
}

fn min_max(v: &[f32]) -> (f32, f32) {
    v.iter()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        })
}

/// Σ (v − fq(v))² for the grid of range (lo, hi), plus n·(Δ·σ)² for a
/// noise of σ steps on every stored weight.
fn sq_error(v: &[f32], spec: &QuantSpec, lo: f32, hi: f32, noise_lsb: f64) -> Result<f64> {
    let (s, z) = range_params(spec, lo, hi, "candidate range")?;
    let (qmin, qmax) = spec.qrange();
    let rounding: f64 = v
        .iter()
        .map(|&x| {
            let d = (x - dequantize_one(quantize_one(x, s, z, qmin, qmax), s, z)) as f64;
            d * d
        })
        .sum();
    Ok(rounding + v.len() as f64 * (f64::from(s) * noise_lsb).powi(2))
}

/// The MSE clipping search of the module documentation.
fn mse_clip(v: &[f32], spec: &QuantSpec, lo: f32, hi: f32, m: MseSearch) -> Result<(f32, f32)> {
    if lo.min(0.0) == 0.0 && hi.max(0.0) == 0.0 {
        return Ok((lo, hi));
    }
    let n = m.candidates as f64;
    let eval = |alpha: f64| {
        sq_error(
            v,
            spec,
            (lo as f64 * alpha) as f32,
            (hi as f64 * alpha) as f32,
            m.noise_lsb,
        )
    };
    let mut best = (1.0f64, eval(1.0)?);
    let mut best_k = m.candidates;
    for k in 1..m.candidates {
        let alpha = k as f64 / n;
        let e = eval(alpha)?;
        if e < best.1 {
            best = (alpha, e);
            best_k = k;
        }
    }
    // Golden-section refinement around the best grid point.
    let mut a = if best_k > 1 {
        (best_k - 1) as f64 / n
    } else {
        0.5 / n
    };
    let mut b = ((best_k + 1) as f64 / n).min(1.0);
    let phi = (5f64.sqrt() - 1.0) / 2.0;
    let mut c = b - phi * (b - a);
    let mut d = a + phi * (b - a);
    let (mut fc, mut fd) = if m.refine_steps >= 2 {
        (eval(c)?, eval(d)?)
    } else {
        (f64::INFINITY, f64::INFINITY)
    };
    for (alpha, e) in [(c, fc), (d, fd)] {
        if e < best.1 {
            best = (alpha, e);
        }
    }
    for _ in 2..m.refine_steps {
        if fc < fd {
            b = d;
            d = c;
            fd = fc;
            c = b - phi * (b - a);
            fc = eval(c)?;
            if fc < best.1 {
                best = (c, fc);
            }
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + phi * (b - a);
            fd = eval(d)?;
            if fd < best.1 {
                best = (d, fd);
            }
        }
    }
    let alpha = best.0;
    Ok(((lo as f64 * alpha) as f32, (hi as f64 * alpha) as f32))
}

/// How an activation range is chosen from an [`Observer`].
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub enum ActivationRange {
    /// Exact observed min and max.
    MinMax,
    /// The p-th and (100 − p)-th percentiles, p in [50, 100] (e.g. 99.99).
    Percentile(f64),
    /// Histogram MSE search (the module documentation).
    #[default]
    Mse,
}

/// Calibration statistics of one activation tensor, accumulated batch by
/// batch in bounded memory: exact min, max and count, and a histogram that
/// re-bins exactly when the range grows (module documentation).
#[derive(Clone, Debug, PartialEq)]
pub struct Observer {
    counts: Vec<u64>,
    origin: f64,
    /// Bin width; 0 while every value seen is the same (all in `counts[0]`).
    width: f64,
    count: u64,
    min: f32,
    max: f32,
}

/// The complete state of an [`Observer`] ([`Observer::parts`]), from which
/// [`Observer::from_parts`] rebuilds it exactly.
#[derive(Clone, Debug, PartialEq)]
pub struct ObserverParts {
    /// Every histogram bin's count (at least 16 bins).
    pub counts: Vec<u64>,
    /// Left edge of bin 0.
    pub origin: f64,
    /// Bin width; 0 while every value seen is the same (all in bin 0).
    pub width: f64,
    /// Number of values observed, the sum of `counts`.
    pub count: u64,
    /// The exact smallest and largest value observed; `None` iff `count`
    /// is 0.
    pub min_max: Option<(f32, f32)>,
}

impl Default for Observer {
    fn default() -> Self {
        Observer::new(Observer::DEFAULT_BINS).expect("default bin count is valid")
    }
}

impl Observer {
    /// Default number of histogram bins.
    pub const DEFAULT_BINS: usize = 2048;

    /// An empty observer with `bins` (≥ 16) histogram bins.
    pub fn new(bins: usize) -> Result<Self> {
        if bins < 16 {
            return Err(QuantError::invalid(
                "observer bins",
                bins,
                "need at least 16",
            ));
        }
        Ok(Observer {
            counts: vec![0; bins],
            origin: 0.0,
            width: 0.0,
            count: 0,
            min: f32::INFINITY,
            max: f32::NEG_INFINITY,
        })
    }

    /// Number of values observed.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Smallest value observed.
    pub fn min(&self) -> Option<f32> {
        (self.count > 0).then_some(self.min)
    }

    /// Largest value observed.
    pub fn max(&self) -> Option<f32> {
        (self.count > 0).then_some(self.max)
    }

    /// The histogram: (left edge of bin 0, bin width, counts). The width is 0
    /// while all values seen are equal.
    pub fn histogram(&self) -> (f64, f64, &[u64]) {
        (self.origin, self.width, &self.counts)
    }

    /// The complete state, for storing it elsewhere (cimc keeps it on the
    /// IR between calibration and range setting); [`Observer::from_parts`]
    /// rebuilds this observer exactly.
    pub fn parts(&self) -> ObserverParts {
        ObserverParts {
            counts: self.counts.clone(),
            origin: self.origin,
            width: self.width,
            count: self.count,
            min_max: (self.count > 0).then_some((self.min, self.max)),
        }
    }

    /// The observer whose state is `parts`, after checking that it is one
    /// an observer can be in: at least 16 bins, a finite origin and a
    /// finite, non-negative bin width (and a finite histogram end), bins
    /// summing to `count`; without values (count 0) no min/max and width 0;
    /// else a finite min ≤ max, all in bin 0 with min = max when the width
    /// is 0, and min < max inside the histogram (give or take a bin, the
    /// slack the re-binning's rounding needs) when it is not.
    pub fn from_parts(parts: ObserverParts) -> Result<Observer> {
        let ObserverParts {
            counts,
            origin,
            width,
            count,
            min_max,
        } = parts;
        let n = counts.len();
        if n < 16 {
            return Err(QuantError::invalid("observer bins", n, "need at least 16"));
        }
        for (what, value) in [("observer origin", origin), ("observer bin width", width)] {
            if !value.is_finite() {
                return Err(QuantError::NonFinite {
                    what: what.into(),
                    index: 0,
                    value,
                });
            }
        }
        if width < 0.0 {
            return Err(QuantError::invalid(
                "observer bin width",
                width,
                "must not be negative",
            ));
        }
        let end = origin + n as f64 * width;
        if !end.is_finite() {
            return Err(QuantError::invalid(
                "observer histogram",
                format!("origin {origin}, {n} bins of width {width}"),
                "its end overflows",
            ));
        }
        let sum = counts
            .iter()
            .try_fold(0u64, |sum, c| sum.checked_add(*c))
            .ok_or_else(|| QuantError::invalid("observer bins", "their sum", "overflows u64"))?;
        if sum != count {
            return Err(QuantError::mismatch(
                "observer bins",
                format!("counts summing to the count, {count}"),
                format!("a sum of {sum}"),
            ));
        }
        let (min, max) = match min_max {
            None if count == 0 => (f32::INFINITY, f32::NEG_INFINITY),
            None => {
                return Err(QuantError::invalid(
                    "observer min/max",
                    "none",
                    format!("{count} values were observed"),
                ))
            }
            Some((min, max)) if count == 0 => {
                return Err(QuantError::invalid(
                    "observer min/max",
                    format!("[{min}, {max}]"),
                    "nothing was observed (count 0)",
                ))
            }
            Some((min, max)) => (min, max),
        };
        if count == 0 && width != 0.0 {
            return Err(QuantError::invalid(
                "observer bin width",
                width,
                "nothing was observed (count 0): it must be 0",
            ));
        }
        if count > 0 {
            for (index, value) in [min, max].into_iter().enumerate() {
                if !value.is_finite() {
                    return Err(QuantError::NonFinite {
                        what: "observer min/max".into(),
                        index,
                        value: value.into(),
                    });
                }
            }
            if min > max {
                return Err(QuantError::invalid(
                    "observer min/max",
                    format!("[{min}, {max}]"),
                    "min exceeds max",
                ));
            }
            if width == 0.0 && (min != max || counts[0] != count) {
                return Err(QuantError::invalid(
                    "observer bin width",
                    0,
                    format!(
                        "a zero width means every value seen is the same, all in bin 0; got [{min}, {max}] with {} of {count} in bin 0",
                        counts[0]
                    ),
                ));
            }
            if width > 0.0 && min == max {
                return Err(QuantError::invalid(
                    "observer bin width",
                    width,
                    format!("a histogram is spread only once two different values were seen; got min = max = {min}"),
                ));
            }
            if width > 0.0 && ((min as f64) < origin - width || (max as f64) > end + width) {
                return Err(QuantError::invalid(
                    "observer min/max",
                    format!("[{min}, {max}]"),
                    format!("outside the histogram [{origin}, {end})"),
                ));
            }
        }
        Ok(Observer {
            counts,
            origin,
            width,
            count,
            min,
            max,
        })
    }

    /// Adds a batch of values. A non-finite value is an error and the batch
    /// is then not counted at all.
    pub fn observe(&mut self, values: &[f32]) -> Result<()> {
        check_finite_slice("calibration values", values)?;
        self.observe_iter(values.iter().copied());
        Ok(())
    }

    /// Adds every element of an array.
    pub fn observe_array<S, D>(&mut self, a: &ArrayBase<S, D>) -> Result<()>
    where
        S: Data<Elem = f32>,
        D: Dimension,
    {
        check_finite("calibration values", a)?;
        self.observe_iter(a.iter().copied());
        Ok(())
    }

    fn observe_iter<I: Iterator<Item = f32> + Clone>(&mut self, values: I) {
        let (lo, hi) = values
            .clone()
            .fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), x| {
                (a.min(x), b.max(x))
            });
        if lo > hi {
            return; // empty batch
        }
        let (lo, hi) = (lo.min(self.min), hi.max(self.max));
        self.ensure_range(lo as f64, hi as f64);
        let mut n = 0u64;
        for x in values {
            let i = self.bin_of(x as f64);
            self.counts[i] += 1;
            n += 1;
        }
        self.count += n;
        self.min = lo;
        self.max = hi;
    }

    /// Adds another observer's statistics (its bins are re-binned at their
    /// centres, so this is exact only up to one bin width of the coarser of
    /// the two histograms).
    pub fn merge(&mut self, other: &Observer) {
        if other.count == 0 {
            return;
        }
        let lo = other.min.min(self.min);
        let hi = other.max.max(self.max);
        self.ensure_range(lo as f64, hi as f64);
        for (i, &c) in other.counts.iter().enumerate() {
            if c > 0 {
                let centre = if other.width == 0.0 {
                    other.min as f64
                } else {
                    (other.origin + (i as f64 + 0.5) * other.width)
                        .clamp(other.min as f64, other.max as f64)
                };
                let j = self.bin_of(centre);
                self.counts[j] += c;
            }
        }
        self.count += other.count;
        self.min = lo;
        self.max = hi;
    }

    #[inline]
    fn bin_of(&self, x: f64) -> usize {
        if self.width == 0.0 {
            return 0;
        }
        let t = ((x - self.origin) / self.width).floor();
        t.clamp(0.0, (self.counts.len() - 1) as f64) as usize
    }

    /// Makes the histogram cover [lo, hi] (which contains every value seen).
    fn ensure_range(&mut self, lo: f64, hi: f64) {
        let n = self.counts.len();
        if self.width == 0.0 {
            if hi > lo {
                // First spread: set up the bins, then move the point mass (all
                // values seen so far equal self.min) into its bin.
                let old = std::mem::replace(&mut self.counts[0], 0);
                self.origin = lo;
                self.width = (hi - lo) / n as f64 * (1.0 + 1e-9);
                if self.count > 0 {
                    let i = self.bin_of(self.min as f64);
                    self.counts[i] += old;
                }
            } else {
                self.origin = lo;
            }
            return;
        }
        let end = self.origin + n as f64 * self.width;
        if lo >= self.origin && hi < end {
            return;
        }
        let imax = self.counts.iter().rposition(|&c| c > 0).unwrap_or(0);
        for k in 0..1100u32 {
            let w = self.width * 2f64.powi(k as i32);
            if !w.is_finite() {
                break;
            }
            let j = if lo < self.origin {
                ((self.origin - lo) / w).ceil()
            } else {
                0.0
            };
            let origin = self.origin - j * w;
            let new_end = origin + n as f64 * w;
            let top = if k >= 64 { 0 } else { imax >> k };
            if new_end > hi && j + (top as f64) < n as f64 {
                let j = j as usize;
                let mut counts = vec![0u64; n];
                for (i, &c) in self.counts.iter().enumerate() {
                    if c > 0 {
                        let t = if k >= 64 { 0 } else { i >> k };
                        counts[j + t] += c;
                    }
                }
                self.counts = counts;
                self.origin = origin;
                self.width = w;
                return;
            }
        }
        // Unreachable for finite f32 data; keep counting into the edge bins.
    }

    /// The q-quantile (q in [0, 1]) of the observed values, linear inside a
    /// bin and clamped to the exact min and max. None if nothing was seen.
    pub fn quantile(&self, q: f64) -> Option<f32> {
        if self.count == 0 {
            return None;
        }
        let q = q.clamp(0.0, 1.0);
        if self.width == 0.0 {
            return Some(self.min);
        }
        let target = q * self.count as f64;
        let mut cum = 0.0;
        for (i, &c) in self.counts.iter().enumerate() {
            if c == 0 {
                continue;
            }
            let c = c as f64;
            if cum + c >= target {
                let frac = ((target - cum) / c).clamp(0.0, 1.0);
                let v = self.origin + (i as f64 + frac) * self.width;
                return Some((v as f32).clamp(self.min, self.max));
            }
            cum += c;
        }
        Some(self.max)
    }
}

/// The grid of an activation from its calibration statistics. Activations
/// are quantized per tensor: a per-channel spec is an error.
pub fn activation_grid(obs: &Observer, spec: &QuantSpec, method: ActivationRange) -> Result<Grid> {
    spec.validate()?;
    if spec.per_channel {
        return Err(QuantError::invalid(
            "activation spec",
            "per_channel = true",
            "activations are quantized per tensor",
        ));
    }
    if obs.count == 0 {
        return Err(QuantError::TooFewSamples {
            what: "activation observer".into(),
            need: 1,
            got: 0,
        });
    }
    let (lo, hi) = match method {
        ActivationRange::MinMax => (obs.min, obs.max),
        ActivationRange::Percentile(p) => {
            if !(50.0..=100.0).contains(&p) {
                return Err(QuantError::invalid(
                    "activation percentile",
                    p,
                    "must lie in [50, 100]",
                ));
            }
            let hi = obs.quantile(p / 100.0).unwrap_or(obs.max);
            let lo = obs.quantile(1.0 - p / 100.0).unwrap_or(obs.min);
            (lo, hi)
        }
        ActivationRange::Mse => histogram_mse_range(obs, spec)?,
    };
    Grid::from_range(spec, lo, hi)
}

/// Convenience: observe one flat set of calibration values and set the
/// range.
pub fn activation_grid_from_samples(
    samples: &[f32],
    spec: &QuantSpec,
    method: ActivationRange,
) -> Result<Grid> {
    let mut obs = Observer::default();
    obs.observe(samples)?;
    activation_grid(&obs, spec, method)
}

/// Expected squared error of a per-tensor grid over the histogram (the
/// module documentation's model), for tests and diagnostics.
pub fn histogram_mse(obs: &Observer, grid: &Grid) -> Result<f64> {
    if obs.count == 0 {
        return Err(QuantError::TooFewSamples {
            what: "activation observer".into(),
            need: 1,
            got: 0,
        });
    }
    grid.validate()?;
    if grid.is_per_channel() {
        return Err(QuantError::invalid(
            "histogram MSE grid",
            format!("{} channels", grid.channels()),
            "activation grids are per tensor",
        ));
    }
    let p = Prefix::new(obs);
    let (l, u) = grid.bounds(0);
    Ok(p.error(l as f64, u as f64, grid.scale[0] as f64))
}

/// Prefix sums of count, count·t, count·t² with t = bin centre in bin units.
struct Prefix {
    origin: f64,
    width: f64,
    point: Option<(f64, f64)>,
    p0: Vec<f64>,
    p1: Vec<f64>,
    p2: Vec<f64>,
}

impl Prefix {
    fn new(obs: &Observer) -> Self {
        let n = obs.counts.len();
        let (mut p0, mut p1, mut p2) = (vec![0.0; n + 1], vec![0.0; n + 1], vec![0.0; n + 1]);
        for i in 0..n {
            let c = obs.counts[i] as f64;
            let t = i as f64 + 0.5;
            p0[i + 1] = p0[i] + c;
            p1[i + 1] = p1[i] + c * t;
            p2[i + 1] = p2[i] + c * t * t;
        }
        Prefix {
            origin: obs.origin,
            width: obs.width,
            point: (obs.width == 0.0).then_some((obs.min as f64, obs.count as f64)),
            p0,
            p1,
            p2,
        }
    }

    /// Expected total squared error of a grid with bounds [l, u] and step s.
    fn error(&self, l: f64, u: f64, s: f64) -> f64 {
        if let Some((v, c)) = self.point {
            let d = if v < l {
                l - v
            } else if v > u {
                v - u
            } else {
                return c * s * s / 12.0;
            };
            return c * d * d;
        }
        let n = self.p0.len() - 1;
        let tl = (l - self.origin) / self.width;
        let tu = (u - self.origin) / self.width;
        // Bins with centre < tl: i < ceil(tl − 0.5); centre > tu: i ≥ floor(tu − 0.5) + 1.
        let il = ((tl - 0.5).ceil()).clamp(0.0, n as f64) as usize;
        let iu = ((tu - 0.5).floor() + 1.0).clamp(0.0, n as f64) as usize;
        let iu = iu.max(il);
        let seg = |a: usize, b: usize, t: f64| {
            let c0 = self.p0[b] - self.p0[a];
            let c1 = self.p1[b] - self.p1[a];
            let c2 = self.p2[b] - self.p2[a];
            (c2 - 2.0 * t * c1 + t * t * c0).max(0.0)
        };
        let clip = seg(0, il, tl) + seg(iu, n, tu);
        let inside = self.p0[iu] - self.p0[il];
        clip * self.width * self.width + inside * s * s / 12.0
    }
}

/// The histogram MSE search of the module documentation.
fn histogram_mse_range(obs: &Observer, spec: &QuantSpec) -> Result<(f32, f32)> {
    let lo = obs.min.min(0.0);
    let hi = obs.max.max(0.0);
    if lo == 0.0 && hi == 0.0 {
        return Ok((0.0, 0.0));
    }
    let p = Prefix::new(obs);
    let (qmin, qmax) = spec.qrange();
    let cost = |a: f32, b: f32| -> Result<f64> {
        let (s, z) = range_params(spec, a, b, "candidate range")?;
        let l = dequantize_one(qmin, s, z) as f64;
        let u = dequantize_one(qmax, s, z) as f64;
        Ok(p.error(l, u, s as f64))
    };
    let mut best = ((lo, hi), cost(lo, hi)?);
    if spec.symmetric {
        const K: usize = 512;
        for k in 1..K {
            let r = k as f32 / K as f32;
            let e = cost(lo * r, hi * r)?;
            if e < best.1 {
                best = ((lo * r, hi * r), e);
            }
        }
    } else {
        const K: usize = 128;
        let ks_lo = if lo == 0.0 { K..K + 1 } else { 1..K + 1 };
        for a in ks_lo {
            let ks_hi = if hi == 0.0 { K..K + 1 } else { 1..K + 1 };
            for b in ks_hi {
                let (ra, rb) = (a as f32 / K as f32, b as f32 / K as f32);
                let e = cost(lo * ra, hi * rb)?;
                if e < best.1 {
                    best = ((lo * ra, hi * rb), e);
                }
            }
        }
    }
    Ok(best.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{array, Array2};
    use proptest::prelude::*;
    use rand::{RngExt, SeedableRng};
    use rand_pcg::Pcg64Mcg;

    fn normal(rng: &mut Pcg64Mcg) -> f32 {
        let u1: f64 = rng.random_range(1e-12..1.0);
        let u2: f64 = rng.random_range(0.0..1.0);
        ((-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()) as f32
    }

    fn fq_error(v: &[f32], g: &Grid) -> f64 {
        v.iter()
            .map(|&x| {
                let d = (x - g.fake_quant_value(x, 0)) as f64;
                d * d
            })
            .sum()
    }

    #[test]
    fn minmax_per_channel_and_per_tensor() {
        let w = array![[1.0f32, -2.0, 0.5], [0.1, 0.2, -0.05]];
        let spec = QuantSpec::weights(8).unwrap();
        let g = weight_grid(w.view(), &spec, WeightRange::MinMax).unwrap();
        assert_eq!(g.channels(), 2);
        assert!((g.scale[0] - 2.0 / 127.0).abs() < 1e-7);
        assert!((g.scale[1] - 0.2 / 127.0).abs() < 1e-8);
        let spec_t = QuantSpec::new(8, true, true, false).unwrap();
        let g = weight_grid(w.view(), &spec_t, WeightRange::MinMax).unwrap();
        assert_eq!(g.channels(), 1);
        assert!((g.scale[0] - 2.0 / 127.0).abs() < 1e-7);
    }

    #[test]
    fn mse_clips_an_outlier_and_beats_minmax() {
        let mut rng = Pcg64Mcg::seed_from_u64(1);
        let mut v: Vec<f32> = (0..4000).map(|_| normal(&mut rng)).collect();
        v[17] = 12.0;
        let w = Array2::from_shape_vec((1, v.len()), v.clone()).unwrap();
        let spec = QuantSpec::new(3, true, true, false).unwrap();
        let mm = weight_grid(w.view(), &spec, WeightRange::MinMax).unwrap();
        let mse = weight_grid(w.view(), &spec, WeightRange::default()).unwrap();
        assert!(mse.scale[0] < 0.5 * mm.scale[0], "{:?} vs {:?}", mse, mm);
        let (e_mm, e_mse) = (fq_error(&v, &mm), fq_error(&v, &mse));
        assert!(e_mse < 0.5 * e_mm, "mse {e_mse} minmax {e_mm}");
        // Close to a brute-force dense search over the clipping ratio.
        let (lo, hi) = min_max(&v);
        let dense = (1..=4000)
            .map(|k| {
                let a = k as f32 / 4000.0;
                sq_error(&v, &spec, lo * a, hi * a, 0.0).unwrap()
            })
            .fold(f64::INFINITY, f64::min);
        assert!(e_mse <= dense * 1.02, "search {e_mse} dense {dense}");
    }

    /// With noise on every stored weight the search clips harder, and its
    /// choice has a lower expected error on the noisy chip than plain MSE's
    /// (sampled: the grid's rounding plus σ steps of Gaussian noise).
    #[test]
    fn noise_aware_mse_clips_harder_and_wins_under_noise() {
        let mut rng = Pcg64Mcg::seed_from_u64(7);
        let v: Vec<f32> = (0..4000).map(|_| normal(&mut rng)).collect();
        let w = Array2::from_shape_vec((1, v.len()), v.clone()).unwrap();
        let spec = QuantSpec::weights(8).unwrap();
        let sigma = 10.0;
        let plain = weight_grid(w.view(), &spec, WeightRange::default()).unwrap();
        let noisy = WeightRange::Mse(MseSearch {
            noise_lsb: sigma,
            ..MseSearch::default()
        });
        let aware = weight_grid(w.view(), &spec, noisy).unwrap();
        assert!(
            aware.scale[0] < 0.8 * plain.scale[0],
            "{aware:?} vs {plain:?}"
        );
        let on_chip = |g: &Grid, rng: &mut Pcg64Mcg| -> f64 {
            let (qmin, qmax) = spec.qrange();
            v.iter()
                .map(|&x| {
                    let q = quantize_one(x, g.scale[0], g.zero_point[0], qmin, qmax);
                    let got = (q as f32 - g.zero_point[0] as f32 + sigma as f32 * normal(rng))
                        * g.scale[0];
                    f64::from(x - got).powi(2)
                })
                .sum()
        };
        let (e_plain, e_aware) = (on_chip(&plain, &mut rng), on_chip(&aware, &mut rng));
        assert!(e_aware < 0.7 * e_plain, "aware {e_aware} plain {e_plain}");
        let bad = WeightRange::Mse(MseSearch {
            noise_lsb: -1.0,
            ..MseSearch::default()
        });
        assert!(weight_grid(w.view(), &spec, bad).is_err());
    }

    #[test]
    fn mse_handles_all_zero_rows_and_errors() {
        let w = Array2::<f32>::zeros((2, 5));
        let g = weight_grid(
            w.view(),
            &QuantSpec::weights(4).unwrap(),
            WeightRange::default(),
        )
        .unwrap();
        assert_eq!(g.scale, vec![1.0, 1.0]);
        let spec = QuantSpec::weights(4).unwrap();
        assert!(matches!(
            weight_grid(
                Array2::<f32>::zeros((0, 3)).view(),
                &spec,
                WeightRange::MinMax
            ),
            Err(QuantError::Empty { .. })
        ));
        let mut bad = Array2::<f32>::zeros((2, 2));
        bad[[1, 0]] = f32::NAN;
        assert!(matches!(
            weight_grid(bad.view(), &spec, WeightRange::MinMax),
            Err(QuantError::NonFinite { index: 2, .. })
        ));
        let zero = WeightRange::Mse(MseSearch {
            candidates: 0,
            refine_steps: 0,
            noise_lsb: 0.0,
        });
        assert!(weight_grid(w.view(), &spec, zero).is_err());
    }

    #[test]
    fn observer_rebins_exactly_when_the_range_grows() {
        let mut o = Observer::new(64).unwrap();
        o.observe(&[0.0, 0.25, 0.5, 1.0]).unwrap();
        o.observe(&[-5.0, 3.0]).unwrap();
        o.observe(&[100.0]).unwrap();
        o.observe(&[]).unwrap();
        assert_eq!(o.count(), 7);
        assert_eq!(o.min(), Some(-5.0));
        assert_eq!(o.max(), Some(100.0));
        let (origin, width, counts) = o.histogram();
        assert_eq!(counts.iter().sum::<u64>(), 7);
        assert!(origin <= -5.0 && origin + width * 64.0 > 100.0);
        // 100 sits in a bin of its own, at the right place.
        let i = ((100.0 - origin) / width).floor() as usize;
        assert_eq!(counts[i], 1);
        assert_eq!(o.quantile(1.0), Some(100.0));
        assert_eq!(o.quantile(0.0), Some(-5.0));
    }

    #[test]
    fn observer_point_mass_then_spread() {
        let mut o = Observer::new(16).unwrap();
        o.observe(&[0.0; 10]).unwrap();
        assert_eq!(o.histogram().1, 0.0);
        assert_eq!(o.quantile(0.5), Some(0.0));
        o.observe(&[0.0, 4.0]).unwrap();
        let (origin, width, counts) = o.histogram();
        assert_eq!(origin, 0.0);
        assert!(width > 0.0);
        assert_eq!(counts[0], 11);
        assert_eq!(counts[15], 1);
    }

    #[test]
    fn observer_errors() {
        assert!(Observer::new(4).is_err());
        let mut o = Observer::default();
        assert!(matches!(
            o.observe(&[1.0, f32::NAN]),
            Err(QuantError::NonFinite { index: 1, .. })
        ));
        assert_eq!(o.count(), 0);
        let spec = QuantSpec::activations(8).unwrap();
        assert!(matches!(
            activation_grid(&o, &spec, ActivationRange::MinMax),
            Err(QuantError::TooFewSamples { .. })
        ));
        o.observe(&[1.0, 2.0]).unwrap();
        assert!(activation_grid(&o, &spec, ActivationRange::Percentile(101.0)).is_err());
        assert!(activation_grid(&o, &spec, ActivationRange::Percentile(f64::NAN)).is_err());
        let pc = QuantSpec::new(8, true, false, true).unwrap();
        assert!(activation_grid(&o, &pc, ActivationRange::MinMax).is_err());
    }

    #[test]
    fn observer_parts_round_trip() {
        let mut rng = Pcg64Mcg::seed_from_u64(7);
        let mut observers = vec![Observer::default(), Observer::new(16).unwrap()];
        let mut point = Observer::new(16).unwrap();
        point.observe(&[2.5; 5]).unwrap();
        observers.push(point.clone());
        let mut spread = Observer::default();
        for k in 0..6 {
            let batch: Vec<f32> = (0..500)
                .map(|_| normal(&mut rng) * 2f32.powi(k) - k as f32)
                .collect();
            spread.observe(&batch).unwrap();
        }
        observers.push(spread.clone());
        let mut merged = point;
        merged.merge(&spread);
        observers.push(merged);
        for o in observers {
            let parts = o.parts();
            assert_eq!(parts.count, parts.counts.iter().sum::<u64>());
            assert_eq!(parts.min_max.is_some(), o.count() > 0);
            let back = Observer::from_parts(parts).unwrap();
            assert_eq!(back, o);
            // ... and it goes on observing the same way.
            let (mut a, mut b) = (o.clone(), back);
            a.observe(&[-40.0, 0.5, 70.0]).unwrap();
            b.observe(&[-40.0, 0.5, 70.0]).unwrap();
            assert_eq!(a, b);
            let spec = QuantSpec::activations(8).unwrap();
            assert_eq!(
                activation_grid(&a, &spec, ActivationRange::Mse).unwrap(),
                activation_grid(&b, &spec, ActivationRange::Mse).unwrap()
            );
        }
    }

    #[test]
    fn observer_parts_reject_inconsistent_states() {
        let mut o = Observer::new(16).unwrap();
        o.observe(&[0.0, 1.0, 2.0, 3.0]).unwrap();
        let good = o.parts();
        type Change = fn(&mut ObserverParts);
        let cases: [(Change, &str); 14] = [
            (|p| p.counts.truncate(8), "observer bins: invalid value 8: need at least 16"),
            (
                |p| p.counts[3] += 1,
                "observer bins: shape mismatch: expected counts summing to the count, 4, got a sum of 5",
            ),
            (|p| p.count = 5, "a sum of 4"),
            (|p| p.counts[0] = u64::MAX, "overflows u64"),
            (|p| p.width = -p.width, "observer bin width: invalid value -0.1875"),
            (|p| p.width = f64::NAN, "observer bin width: non-finite value NaN"),
            (|p| p.origin = f64::INFINITY, "observer origin: non-finite value inf"),
            (|p| p.width = f64::MAX, "its end overflows"),
            (
                |p| p.min_max = Some((3.0, 0.0)),
                "observer min/max: invalid value [3, 0]: min exceeds max",
            ),
            (
                |p| p.min_max = Some((f32::NAN, 3.0)),
                "observer min/max: non-finite value NaN at flat index 0",
            ),
            (
                |p| p.min_max = None,
                "observer min/max: invalid value none: 4 values were observed",
            ),
            (
                |p| p.min_max = Some((-10.0, 3.0)),
                "outside the histogram [0, 3.0000000030000002)",
            ),
            (|p| p.width = 0.0, "a zero width means every value seen is the same"),
            (
                |p| p.min_max = Some((1.0, 1.0)),
                "spread only once two different values were seen; got min = max = 1",
            ),
        ];
        for (change, message) in cases {
            let mut p = good.clone();
            change(&mut p);
            let got = Observer::from_parts(p).unwrap_err().to_string();
            assert!(got.contains(message), "{got:?} lacks {message:?}");
        }
        let empty = Observer::new(16).unwrap().parts();
        let mut p = empty.clone();
        p.min_max = Some((0.0, 0.0));
        assert!(Observer::from_parts(p)
            .unwrap_err()
            .to_string()
            .contains("count 0"));
        let mut p = empty;
        p.width = 1.0;
        assert!(Observer::from_parts(p)
            .unwrap_err()
            .to_string()
            .contains("it must be 0"));
    }

    #[test]
    fn merge_matches_observing_everything() {
        let mut rng = Pcg64Mcg::seed_from_u64(5);
        let a: Vec<f32> = (0..3000).map(|_| normal(&mut rng)).collect();
        let b: Vec<f32> = (0..3000).map(|_| 3.0 * normal(&mut rng) + 1.0).collect();
        let (mut oa, mut ob, mut all) = (
            Observer::default(),
            Observer::default(),
            Observer::default(),
        );
        oa.observe(&a).unwrap();
        ob.observe(&b).unwrap();
        all.observe(&a).unwrap();
        all.observe(&b).unwrap();
        oa.merge(&ob);
        assert_eq!(oa.count(), all.count());
        assert_eq!(oa.min(), all.min());
        assert_eq!(oa.max(), all.max());
        let tol = 3.0 * oa.histogram().1.max(all.histogram().1) as f32;
        for q in [0.01, 0.25, 0.5, 0.9, 0.999] {
            let (x, y) = (oa.quantile(q).unwrap(), all.quantile(q).unwrap());
            assert!((x - y).abs() <= tol, "q={q}: {x} vs {y}");
        }
    }

    #[test]
    fn percentile_ignores_rare_outliers() {
        let mut rng = Pcg64Mcg::seed_from_u64(2);
        let mut v: Vec<f32> = (0..100_000).map(|_| normal(&mut rng).max(0.0)).collect();
        v[3] = 500.0;
        let spec = QuantSpec::activations(8).unwrap();
        let g =
            activation_grid_from_samples(&v, &spec, ActivationRange::Percentile(99.99)).unwrap();
        let (lo, hi) = g.bounds(0);
        assert!(
            lo.abs() < 1e-6,
            "ReLU output keeps 0 as its lower end: {lo}"
        );
        assert!(hi > 3.0 && hi < 6.0, "upper end {hi}");
        let mm = activation_grid_from_samples(&v, &spec, ActivationRange::MinMax).unwrap();
        assert!(mm.bounds(0).1 >= 499.0);
    }

    #[test]
    fn histogram_mse_beats_minmax_on_the_samples() {
        let mut rng = Pcg64Mcg::seed_from_u64(3);
        let mut v: Vec<f32> = (0..50_000).map(|_| normal(&mut rng)).collect();
        for i in 0..5 {
            v[i * 1000] = 40.0 - 8.0 * i as f32;
        }
        for bits in [4, 8] {
            for spec in [
                QuantSpec::activations(bits).unwrap(),
                QuantSpec::new(bits, true, true, false).unwrap(),
            ] {
                let mse = activation_grid_from_samples(&v, &spec, ActivationRange::Mse).unwrap();
                let mm = activation_grid_from_samples(&v, &spec, ActivationRange::MinMax).unwrap();
                let (e_mse, e_mm) = (fq_error(&v, &mse), fq_error(&v, &mm));
                // At 4 bits clipping the outliers pays; at 8 bits the steps
                // are fine enough that keeping them is (nearly) optimal.
                let factor = if bits == 4 { 0.7 } else { 1.0 };
                assert!(
                    e_mse <= factor * e_mm,
                    "{spec:?}: mse {e_mse} minmax {e_mm}"
                );
                // The histogram model tracks the true error.
                let mut o = Observer::default();
                o.observe(&v).unwrap();
                let model = histogram_mse(&o, &mse).unwrap();
                assert!(
                    (model / e_mse - 1.0).abs() < 0.25,
                    "model {model} true {e_mse}"
                );
            }
        }
    }

    #[test]
    fn degenerate_activation_ranges() {
        let spec = QuantSpec::activations(8).unwrap();
        for m in [
            ActivationRange::MinMax,
            ActivationRange::Mse,
            ActivationRange::Percentile(99.0),
        ] {
            let g = activation_grid_from_samples(&[0.0; 8], &spec, m).unwrap();
            assert_eq!(g.fake_quant_value(0.0, 0), 0.0);
            let g = activation_grid_from_samples(&[2.5; 8], &spec, m).unwrap();
            assert!(
                (g.fake_quant_value(2.5, 0) - 2.5).abs() < 0.02,
                "{m:?}: {g:?}"
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn mse_never_worse_than_minmax(
            rows in proptest::collection::vec(proptest::collection::vec(-3.0f32..3.0, 8..40), 1..4),
            bits in 2u32..=8,
            symmetric in any::<bool>(),
        ) {
            let k = rows[0].len();
            let data: Vec<f32> = rows.iter().flat_map(|r| r.iter().cycle().take(k).copied()).collect();
            let w = Array2::from_shape_vec((rows.len(), k), data).unwrap();
            let spec = QuantSpec::new(bits, true, symmetric, true).unwrap();
            let mm = weight_grid(w.view(), &spec, WeightRange::MinMax).unwrap();
            let mse = weight_grid(w.view(), &spec, WeightRange::default()).unwrap();
            let e = |g: &Grid| -> f64 {
                let f = g.fake_quant(&w).unwrap();
                (&f - &w).iter().map(|d| (*d as f64) * (*d as f64)).sum()
            };
            prop_assert!(e(&mse) <= e(&mm) * (1.0 + 1e-9) + 1e-12);
        }

        #[test]
        fn observer_quantiles_track_exact_ones(
            batches in proptest::collection::vec(
                (0.01f32..100.0, -50f32..50.0, proptest::collection::vec(-1.0f32..1.0, 1..200)),
                1..6,
            ),
        ) {
            let mut o = Observer::new(256).unwrap();
            let mut all = Vec::new();
            for (scale, shift, v) in &batches {
                let b: Vec<f32> = v.iter().map(|x| x * scale + shift).collect();
                o.observe(&b).unwrap();
                all.extend(b);
            }
            all.sort_by(f32::total_cmp);
            let (_, width, counts) = o.histogram();
            prop_assert_eq!(counts.iter().sum::<u64>(), all.len() as u64);
            prop_assert_eq!(o.min(), Some(all[0]));
            prop_assert_eq!(o.max(), Some(*all.last().unwrap()));
            for q in [0.0, 0.1, 0.5, 0.9, 1.0] {
                let rank = (q * (all.len() - 1) as f64).round() as usize;
                let exact = all[rank];
                let got = o.quantile(q).unwrap();
                // A quantile is located to within its bin, plus one rank.
                let next = all[(rank + 1).min(all.len() - 1)];
                let prev = all[rank.saturating_sub(1)];
                let tol = 1.01 * width as f32
                    + 1e-3 * exact.abs().max(1.0)
                    + (next - exact).abs()
                    + (exact - prev).abs();
                prop_assert!((got - exact).abs() <= tol, "q={} got {} exact {} width {}", q, got, exact, width);
            }
        }
    }
}
