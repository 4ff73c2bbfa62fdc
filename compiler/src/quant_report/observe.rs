//! Where the quantization report reads a model: its entry function, each
//! observed activation (an input, a result or a reference-execution tap),
//! the end of a layer's fake-quantization chain, and the converted model's
//! result grids.

use crate::quantize::QuantizeError;
use crate::reference::{self, Tap, Tensor};
use cimc_dialects::handle::OpRef;
use cimc_passes::quant::fake_quant::MARKER_ATTR;
use melior::ir::Module;
use mlir_sys as sys;

/// An activation to observe: an op's result (pre-order index) or an argument.
#[derive(Debug, Clone, Copy)]
pub(super) enum Observed {
    Op(usize),
    Arg(usize),
}

/// Where an observed activation is read.
pub(super) enum Source {
    Input(usize),
    Result(usize),
    Tap(usize),
}

/// Taps for `values`; a value the function returns is read from its result
/// (the same buffer returned twice crashes MLIR 22's
/// buffer-results-to-out-params, see `quantize::calibrate`).
pub(super) fn plan_taps(
    func: sys::MlirOperation,
    ops: &[sys::MlirOperation],
    values: &[Observed],
) -> (Vec<Tap>, Vec<Source>) {
    let ret = ops.iter().rev().filter_map(|o| OpRef::new(*o)).find(|o| {
        o.is("func.return") && o.parent().map(OpRef::raw).map(|p| p.ptr) == Some(func.ptr)
    });
    let returned = |value: sys::MlirValue| -> Option<usize> {
        ret?.operands()
            .iter()
            .position(|v| v.raw().ptr == value.ptr)
    };
    let mut taps = Vec::new();
    let sources = values
        .iter()
        .map(|v| match v {
            Observed::Arg(i) => Source::Input(*i),
            Observed::Op(index) => match returned(cimc_passes::emit::result_of(ops[*index], 0)) {
                Some(r) => Source::Result(r),
                None => {
                    taps.push(Tap {
                        op: *index,
                        result: 0,
                    });
                    Source::Tap(taps.len() - 1)
                }
            },
        })
        .collect();
    (taps, sources)
}

pub(super) fn read_source(
    source: &Source,
    inputs: &[Tensor],
    outputs: &[Tensor],
    results: usize,
) -> Vec<f64> {
    match source {
        Source::Input(i) => inputs[*i].to_f64(),
        Source::Result(r) => outputs[*r].to_f64(),
        Source::Tap(t) => outputs[results + t].to_f64(),
    }
}

/// The entry function's raw handle.
pub(super) fn entry_func(
    module: &Module,
    func: Option<&str>,
) -> Result<sys::MlirOperation, QuantizeError> {
    Ok(reference::entry_func(module, func)?)
}

/// The op (pre-order index in `ops`) cim-quant-fake-quant marked as the
/// end of layer `name`'s chain.
pub(super) fn marked(ops: &[sys::MlirOperation], name: &str) -> Option<usize> {
    ops.iter()
        .position(|op| cimc_passes::emit::str_attr(*op, MARKER_ATTR).as_deref() == Some(name))
}
