//! Layers as pipeline stages: what one layer's stage costs with r copies
//! of its weights, and the replica counts that minimise the period of a
//! high-throughput (HT) pipeline within an array budget.
//!
//! A layer has `a` tiles (arrays per copy) that each read all `W` of its
//! input vectors (windows). With `r` copies each copy takes ⌈W / r⌉
//! windows, so its stage takes the longest of
//! - **arrays**: the slowest tile's read cycles for ⌈W / r⌉ windows
//!   ([`Mvm::cost`]);
//! - **buffer**: the busiest core's buffer port: min(a·r, arrays per core)
//!   tiles each loading and storing ⌈W / r⌉ windows;
//! - **vector**: the layer's digital work (row-tile reduction, shift-add:
//!   `digital_elements` elementwise ops) and the ops between it and the
//!   next layers that run where its result lives (`post`: bias, rescale,
//!   activation, pooling, residual adds), spread over the ⌈a·r / arrays
//!   per core⌉ cores its copies fill.
//!
//! Every term is non-increasing in r, so the least period P with Σ a·r(P)
//! ≤ budget, r(P) the fewest copies whose stage fits P, is found exactly by
//! bisection over P ([`replicate_for_period`]): the optimum of the min–max
//! problem over integer replica counts.

use super::{spread_cycles, Mvm, OpClass};
use crate::Target;

/// What bounds a stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StageBound {
    Arrays,
    Buffer,
    Vector,
}

impl StageBound {
    pub fn as_str(self) -> &'static str {
        match self {
            StageBound::Arrays => "arrays",
            StageBound::Buffer => "buffer",
            StageBound::Vector => "vector",
        }
    }
}

/// One crossbar layer, as the stage model sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerShape {
    pub name: String,
    /// W: input vectors (windows) per sample.
    pub windows: u64,
    /// Each tile's read with `vectors` ignored (set per share).
    pub tiles: Vec<Mvm>,
    /// Elementwise digital work per sample (row-tile reduction and
    /// shift-add of the partial sums), elements.
    pub digital_elements: u64,
    /// The on-chip ops after the layer that run on its cores (their first
    /// operand is its result), per sample: class and elements.
    pub post: Vec<(OpClass, u64)>,
}

impl LayerShape {
    /// Arrays one copy takes.
    pub fn arrays(&self) -> u64 {
        self.tiles.len() as u64
    }
}

/// A stage's cycles per sample and what bounds it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StageCost {
    pub array_cycles: u64,
    pub buffer_cycles: u64,
    pub vector_cycles: u64,
    pub cycles: u64,
    pub bound: StageBound,
}

fn arrays_per_core(target: &Target) -> u64 {
    u64::from(target.core.macros) * u64::from(target.macro_.arrays)
}

/// The stage of `layer` with `replicas` (≥ 1) copies.
pub fn stage(target: &Target, layer: &LayerShape, replicas: u64) -> StageCost {
    let r = replicas.max(1);
    let share = layer.windows.div_ceil(r);
    let mut array = 0;
    let mut port = 0;
    for t in &layer.tiles {
        let c = Mvm {
            vectors: share,
            ..*t
        }
        .cost(target);
        array = array.max(c.array_cycles);
        port = port.max(c.load_cycles + c.store_cycles);
    }
    let per_core = arrays_per_core(target).max(1);
    let tiles = layer.arrays().saturating_mul(r);
    let buffer = port.saturating_mul(tiles.min(per_core));
    let cores = tiles.div_ceil(per_core).max(1);
    let vector = layer.post.iter().filter(|(class, _)| class.on_chip()).fold(
        spread_cycles(target, OpClass::Elementwise, layer.digital_elements, cores),
        |sum, &(class, elements)| sum.saturating_add(spread_cycles(target, class, elements, cores)),
    );
    let (cycles, bound) = [
        (array, StageBound::Arrays),
        (buffer, StageBound::Buffer),
        (vector, StageBound::Vector),
    ]
    .into_iter()
    .fold(
        (0, StageBound::Arrays),
        |best, x| {
            if x.0 > best.0 {
                x
            } else {
                best
            }
        },
    );
    StageCost {
        array_cycles: array,
        buffer_cycles: buffer,
        vector_cycles: vector,
        cycles,
        bound,
    }
}

/// The fewest copies (≤ `max`) whose stage fits `period`, if any.
fn copies_for(target: &Target, layer: &LayerShape, period: u64, max: u64) -> Option<u64> {
    if stage(target, layer, max).cycles > period {
        return None;
    }
    let (mut lo, mut hi) = (1, max);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if stage(target, layer, mid).cycles <= period {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    Some(lo)
}

/// Replica counts (one per layer) that minimise the HT period
/// max_l stage(l, r_l) subject to Σ arrays_l · r_l ≤ `budget` and
/// 1 ≤ r_l ≤ `max_replicas` (exact). All ones when even one copy each
/// exceeds the budget.
pub fn replicate_for_period(
    target: &Target,
    layers: &[LayerShape],
    budget: u64,
    max_replicas: u64,
) -> Vec<u64> {
    let max = max_replicas.max(1);
    let ones = vec![1; layers.len()];
    let base: u64 = layers.iter().map(LayerShape::arrays).sum();
    if layers.is_empty() || base > budget {
        return ones;
    }
    let fit = |period: u64| -> Option<Vec<u64>> {
        let mut used = 0u64;
        let mut out = Vec::with_capacity(layers.len());
        for l in layers {
            let r = copies_for(target, l, period, max)?;
            used = used.saturating_add(l.arrays().saturating_mul(r));
            if used > budget {
                return None;
            }
            out.push(r);
        }
        Some(out)
    };
    let mut hi = layers
        .iter()
        .map(|l| stage(target, l, 1).cycles)
        .max()
        .unwrap_or(0);
    let mut lo = layers
        .iter()
        .map(|l| stage(target, l, max).cycles)
        .max()
        .unwrap_or(0);
    // `hi` fits (all ones, within the budget); find the least that fits.
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if fit(mid).is_some() {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    fit(hi).unwrap_or(ones)
}

/// The chip's bound on the period: all layers' array work (cycles × arrays
/// of one copy at W windows) spread perfectly over `arrays` arrays.
pub fn period_bound(target: &Target, layers: &[LayerShape], arrays: u64) -> f64 {
    let work: f64 = layers
        .iter()
        .map(|l| stage(target, l, 1).array_cycles as f64 * l.arrays() as f64)
        .sum();
    work / arrays.max(1) as f64
}
