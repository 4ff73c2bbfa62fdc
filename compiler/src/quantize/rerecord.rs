//! AdaRound's re-recording, compiled once: `cimc quantize --adaround`
//! rounds one layer at a time, and each next layer learns from the inputs
//! the network rounded so far gives it. Recompiling the whole network for
//! each layer (its weights changed) made the JIT, not AdaRound, the cost
//! (37 LLVM compilations of MediaPipe's face detector: about 90 % of 150 s).
//! Here the network is compiled once with every weighted layer's weights as
//! extra function arguments; each round feeds it the module's current
//! weights (rounded so far, float after) and records the inputs of the next
//! layer to round.

use super::{layer_input_sources, KeptInputs, QuantizeError, Source};
use crate::reference::{self, Executable, Tensor};
use cimc_dialects::handle::{OpRef, TypeRef};
use cimc_passes::quant::layer::Layer;
use melior::ir::Module;
use melior::Context;
use mlir_sys as sys;
use std::collections::HashMap;

/// The float network compiled with its weighted layers' weights as
/// arguments after the data, and where each layer's input comes from.
pub(super) struct Rerecorder {
    exe: Executable,
    /// Per weighted layer (in pre-order): the source of its input.
    sources: Vec<Source>,
    /// The data arguments' count (the weights follow).
    data_args: usize,
    /// The taps' count (their outputs follow the function's results).
    taps: usize,
}

fn internal(what: &str) -> QuantizeError {
    QuantizeError::Internal(format!("AdaRound's re-recording: {what}"))
}

/// The function `func` of `module` and its ops in pre-order.
fn target_ops(
    module: &Module,
    func: Option<&str>,
) -> Result<(sys::MlirOperation, Vec<sys::MlirOperation>), QuantizeError> {
    let target = reference::entry_func(module, func)?;
    Ok((target, super::ops_preorder(target)))
}

/// The weighted layers of a function's pre-order ops, as indices.
fn weighted(ops: &[sys::MlirOperation]) -> Vec<usize> {
    (0..ops.len())
        .filter(|i| Layer::of(ops[*i]).is_some())
        .collect()
}

impl Rerecorder {
    /// Compiles a copy of `module` whose weighted layers take their weights
    /// as arguments.
    pub(super) fn new(
        context: &Context,
        module: &Module,
        func: Option<&str>,
    ) -> Result<Self, QuantizeError> {
        let copy = super::clone_module(module);
        let (target, ops) = target_ops(&copy, func)?;
        let layers = weighted(&ops);
        let handle = OpRef::new(target).ok_or_else(|| internal("no function"))?;
        let body = handle
            .body()
            .ok_or_else(|| internal("a function without a body"))?;
        let data_args = body.arguments().len();
        let (mut inputs, results) = handle
            .function_signature()
            .ok_or_else(|| internal("no function type"))?;
        for index in &layers {
            let op = OpRef::new(ops[*index]).ok_or_else(|| internal("no layer"))?;
            let weight = op
                .operand(1)
                .ok_or_else(|| internal("a layer without weights"))?;
            let ty = TypeRef::new(weight.ty()).ok_or_else(|| internal("untyped weights"))?;
            let argument = body.add_argument(ty, op.location());
            op.set_operand(1, argument);
            inputs.push(ty);
        }
        handle.set_function_signature(&inputs, &results);
        // One attribute dictionary per argument, or none: the copy's
        // (exporters' argument names) are not needed to run it.
        handle.remove_attr("arg_attrs");
        let mut taps = Vec::new();
        let sources = layer_input_sources(&ops, target, &layers, &mut HashMap::new(), &mut taps)
            .into_iter()
            .map(|(_, source)| source)
            .collect::<Vec<_>>();
        if sources.len() != layers.len() {
            return Err(internal("a layer's input has no source"));
        }
        let exe = reference::compile(context, &copy, func, &taps, 2)?;
        Ok(Rerecorder {
            exe,
            sources,
            data_args,
            taps: taps.len(),
        })
    }

    /// Records on `module` the calibration inputs of its first weighted
    /// layer still in float (`cim.quant.inputs`), as the network with the
    /// module's current weights computes them. False when every layer is
    /// on a grid.
    pub(super) fn record_next(
        &self,
        context: &Context,
        module: &Module,
        func: Option<&str>,
        data: &[(String, Tensor)],
    ) -> Result<bool, QuantizeError> {
        let (_, ops) = target_ops(module, func)?;
        let layers = weighted(&ops);
        if layers.len() != self.sources.len() {
            return Err(internal("the layers changed"));
        }
        let Some(next) = layers
            .iter()
            .position(|i| Layer::of(ops[*i]).is_some_and(|l| !l.already_on_grid()))
        else {
            return Ok(false);
        };
        let mut weights = Vec::with_capacity(layers.len());
        for index in &layers {
            let weight = cimc_passes::emit::operand(ops[*index], 1);
            let shape: Vec<usize> = cimc_passes::emit::tensor_info(weight)
                .map(|(s, _)| s.iter().map(|d| *d as usize).collect())
                .ok_or_else(|| internal("unranked weights"))?;
            let values = cimc_passes::emit::const_floats(weight)
                .ok_or_else(|| internal("weights that are not a float constant"))?;
            let array = ndarray::ArrayD::from_shape_vec(shape, values)
                .map_err(|_| internal("weights of the wrong size"))?;
            weights.push(Tensor::F32(array));
        }
        let per_call = self
            .exe
            .inputs
            .first()
            .and_then(|t| t.shape.first().copied())
            .unwrap_or(1)
            .max(1);
        let samples = data.iter().map(|(_, t)| t.shape()[0]).min().unwrap_or(0);
        let results = self.exe.outputs.len() - self.taps;
        let mut kept = KeptInputs::default();
        for call in 0..samples / per_call {
            let mut arguments: Vec<Tensor> = data
                .iter()
                .map(|(_, t)| t.rows(call * per_call, per_call))
                .collect();
            debug_assert_eq!(arguments.len(), self.data_args);
            arguments.extend(weights.iter().cloned());
            let outputs = self.exe.run(&arguments)?;
            let input = match self.sources[next] {
                Source::Result(r) => &outputs[r],
                Source::Tap(t) => &outputs[results + t],
                Source::Arg(a) => &arguments[a],
            };
            kept.keep(input);
        }
        kept.record(context, ops[layers[next]]);
        Ok(true)
    }
}
