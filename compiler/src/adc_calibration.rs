//! ADC range calibration (`--adc-calibration`): each layer's ADC range
//! chosen from the column sums its reads present on calibration data,
//! written on the module as `cim.adc_shifts = {layer = k}` (one LSB = 2^k
//! sum units), which `cim-tile` puts on the layer's mvms and the simulator
//! honours.
//!
//! The model is compiled for the target and run on the simulated ideal chip
//! (non-idealities off: the ranges are the circuit's, not one instance's)
//! while the runtime records every step sum by layer, digit and column
//! significance (`cimc_runtime::adc_range`); the method then picks, per
//! layer, the shift of least weighted error (`mse`), the smallest that
//! clips at most 1 − p of the reads (`percentile`) or the smallest that
//! clips nothing (`min-max`).

use std::collections::BTreeMap;

use cimc_runtime::{KernelChoice, RangeChoice, RangeMethod};
use melior::ir::Module;
use melior::Context;

use crate::error::DriverError;
use crate::pipelines::OptLevel;
use crate::run::{self, RunError};
use cimc_passes::PassContext;

/// One layer's calibrated range.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerRange {
    pub layer: String,
    /// Step sums observed.
    pub reads: u64,
    pub max_abs_sum: u64,
    /// The target's policy (`array.adc.range`) and what it does.
    pub policy: RangeChoice,
    /// The method's choice.
    pub chosen: RangeChoice,
}

/// What to calibrate on and how.
pub struct Request<'a> {
    /// The function run (default: the module's only public one).
    pub entry: Option<&'a str>,
    /// The passes' context; its target's non-idealities are ignored.
    pub passes: &'a PassContext,
    /// The -O level compiled at.
    pub opt: u8,
    /// The calibration samples: one `.npy` per argument, batched like `--input`.
    pub paths: &'a [String],
    pub method: RangeMethod,
    /// Passes left out of the phases (`pipelines::skipped`): the program
    /// calibrated must be the one that runs.
    pub skip: &'a [&'a str],
}

/// Calibrates the ADC range of every layer of `module` on the request's
/// samples and records it on the module. Returns the ranges, by layer name.
pub fn calibrate(
    context: &Context,
    module: &mut Module,
    request: &Request,
) -> Result<Vec<LayerRange>, RunError> {
    let Request {
        entry,
        passes,
        opt,
        paths,
        method,
        skip,
    } = *request;
    let target = passes.target.as_ref();
    let adc_bits = target.array.adc.bits;
    if target.array.adc.range == cimc_target::AdcRange::None || adc_bits == 0 {
        return Err(RunError::Options(DriverError::Usage(format!(
            "target '{}' has no ADC (array.adc.range = \"none\")",
            target.name
        ))));
    }
    let mut ideal = target.clone();
    ideal.non_idealities = cimc_target::NonIdealities::default();
    let passes = PassContext {
        target: std::sync::Arc::new(ideal),
        ..passes.clone()
    };
    let mut sim = crate::simulate::Simulation::compile(
        context,
        module,
        entry,
        &passes,
        (OptLevel(opt), skip),
        KernelChoice::Auto,
    )?;
    sim.observe_adc();
    let types = sim.inputs().to_vec();
    let (tensors, batch) = run::load_inputs(paths, module, entry, &types)?;
    let results = sim.outputs().len();
    run::run_samples(&mut |sample| Ok(sim.run(sample)?), &tensors, batch, results)?;
    let histograms = sim
        .simulator()
        .adc_histograms()
        .expect("observing since compile");
    let policy = target.adc_shift();
    let ranges: Vec<LayerRange> = histograms
        .iter()
        .map(|(layer, h)| LayerRange {
            layer: layer.clone(),
            reads: h.reads(),
            max_abs_sum: h.max_abs(),
            policy: h.evaluate(adc_bits, policy),
            chosen: h.choose(adc_bits, method),
        })
        .collect();
    let shifts: BTreeMap<String, u32> = ranges
        .iter()
        .map(|r| (r.layer.clone(), r.chosen.shift))
        .collect();
    cimc_dialects::cim::set_adc_shifts(module_op(module), &shifts);
    Ok(ranges)
}

fn module_op(module: &Module) -> mlir_sys::MlirOperation {
    module.as_operation().to_raw()
}

/// The ranges as a table for standard error.
pub fn summary(ranges: &[LayerRange], method: RangeMethod, adc_bits: u32, policy: &str) -> String {
    let mut text = format!(
        "ADC ranges calibrated ({method}, {adc_bits}-bit ADC; the target's {policy} policy beside): one LSB = 2^k sum units\n  {:<24}{:>10}{:>9}{:>8}{:>10}{:>12}{:>8}{:>10}{:>12}\n",
        "layer", "reads", "max|s|", "k", "clipped", "mse", "k", "clipped", "mse"
    );
    for r in ranges {
        text += &format!(
            "  {:<24}{:>10}{:>9}{:>8}{:>9.4}%{:>12.4e}{:>8}{:>9.4}%{:>12.4e}\n",
            r.layer,
            r.reads,
            r.max_abs_sum,
            r.chosen.shift,
            r.chosen.clipped * 100.0,
            r.chosen.mse,
            r.policy.shift,
            r.policy.clipped * 100.0,
            r.policy.mse,
        );
    }
    text
}
