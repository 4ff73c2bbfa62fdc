//! What the quantization report measures: error sums of a model's output
//! or activation against the float model's, top-1 accuracy, one row per
//! layer, and all of it as the report shows it.

use crate::quantize::Settings;
use cimc_passes::quant::fake_quant::Layer;
use std::time::Instant;

/// Squared-error sums of a quantized signal against its float reference.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Error {
    pub(super) signal: f64,
    pub(super) noise: f64,
    pub(super) dot: f64,
    pub(super) quantized: f64,
}

impl Error {
    pub(super) fn add(&mut self, reference: &[f64], quantized: &[f64]) {
        for (r, q) in reference.iter().zip(quantized) {
            self.signal += r * r;
            self.noise += (r - q) * (r - q);
            self.dot += r * q;
            self.quantized += q * q;
        }
    }

    /// 10·log10(Σ r² / Σ (r − q)²); `None` when there is no error at all.
    pub(super) fn sqnr_db(&self) -> Option<f64> {
        (self.noise > 0.0).then(|| 10.0 * (self.signal / self.noise).log10())
    }

    /// Σ r·q / √(Σ r² · Σ q²); 1 when both are zero.
    pub(super) fn cosine(&self) -> f64 {
        let norms = (self.signal * self.quantized).sqrt();
        if norms > 0.0 {
            self.dot / norms
        } else if self.signal == self.quantized {
            1.0
        } else {
            0.0
        }
    }
}

/// Correct top-1 predictions out of a total.
#[derive(Debug, Clone, Copy)]
pub(super) struct Top1 {
    pub(super) correct: usize,
    pub(super) total: usize,
}

impl Top1 {
    pub(super) fn accuracy(&self) -> f64 {
        100.0 * self.correct as f64 / self.total.max(1) as f64
    }
}

/// A model's output compared with the float model's.
#[derive(Debug, Clone, Copy)]
pub(super) struct Outcome {
    pub(super) error: Error,
    pub(super) top1: Option<Top1>,
}

/// One row of the per-layer table.
pub(super) struct LayerRow {
    pub(super) layer: Layer,
    /// The fully fake-quantized model's activation against the float one.
    pub(super) error: Option<Error>,
    pub(super) only: Outcome,
    pub(super) all_but: Outcome,
}

/// What the report shows, borrowed from the experiment that measured it.
pub(super) struct Findings<'a> {
    pub(super) settings: &'a Settings,
    /// The evaluation data files, and the labels file.
    pub(super) inputs: Vec<&'a str>,
    pub(super) labels: Option<&'a str>,
    pub(super) samples: usize,
    /// When the measurements began (the tables give how long they took).
    pub(super) started: Instant,
    pub(super) float_top1: Option<Top1>,
    pub(super) ablation: &'a [(&'static str, Outcome)],
    pub(super) rows: &'a [LayerRow],
    pub(super) integer: Option<Outcome>,
    pub(super) agreement: Option<(Error, usize)>,
}
