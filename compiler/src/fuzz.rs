//! The fuzz targets' bodies (`fuzz/`, run by `scripts/dev fuzz`): each
//! takes arbitrary bytes through the path the driver takes them and must
//! return, whatever they are. An error is an answer; a panic, a signal or
//! a hang is a finding. The suite runs each over the malformed-input corpus
//! and the bundled models (`compiler/tests/suite/fuzz_smoke.rs`).

use std::cell::RefCell;

use melior::ir::operation::OperationLike;
use melior::Context;

use crate::diagnostics::Collector;
use crate::reference::{DType, Tensor, TensorType};
use cimc_passes::PassContext;

/// A context is reused for this many inputs, then made afresh (MLIR keeps
/// every attribute and type it ever uniqued).
const REUSE: usize = 500;

thread_local! {
    static CONTEXT: RefCell<(usize, Option<Context>)> = const { RefCell::new((0, None)) };
}

fn with_context(f: impl FnOnce(&Context)) {
    CONTEXT.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.1.is_none() || slot.0 >= REUSE {
            *slot = (0, crate::context::new_context().ok());
        }
        slot.0 += 1;
        if let Some(context) = &slot.1 {
            f(context);
        }
    });
}

/// MLIR text or bytecode: read as the driver reads an input file, parsed,
/// verified, then the input checks every path runs (`cim-verify-tosa-input`,
/// `tosa-validate`, `cim-verify-tosa-spec`, with the batch specialisation
/// and resource materialisation before them).
pub fn mlir(data: &[u8]) {
    let input = crate::source::Input {
        name: "fuzz.mlir".into(),
        bytes: data.to_vec(),
    };
    if input.source_text().is_err() {
        return;
    }
    with_context(|context| {
        let collector = Collector::default();
        let handler = collector.attach(context);
        if let Some(mut module) = crate::source::parse(context, data, "fuzz.mlir", &collector) {
            if module.as_operation().verify() {
                let _ = crate::pipeline::run(
                    context,
                    &mut module,
                    &crate::pipelines::tosa_checks(1),
                    &PassContext::default(),
                    &collector,
                );
            }
        }
        context.detach_diagnostic_handler(handler);
    });
}

/// A target file, then (after a line `%%`) one `--target-opt` per line;
/// a target that loads has its derived figures computed.
pub fn target(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (toml, overrides) = text.split_once("\n%%\n").unwrap_or((text, ""));
    let Ok(mut target) = cimc_target::Target::from_toml_str(toml, "fuzz.toml") else {
        return;
    };
    let overrides: Vec<&str> = overrides.lines().collect();
    if target.apply_overrides(&overrides).is_err() {
        return;
    }
    let _ = target.chip_area_mm2();
    let _ = target.step_cycles().interval();
    let _ = target.total_arrays();
    let _ = target.adc_loss();
}

/// The signature [`npy`] checks against: the digits CNN's one input.
fn digits_input() -> TensorType {
    TensorType {
        dtype: DType::I8,
        shape: vec![1, 8, 8, 1],
    }
}

/// A `.npy` file decoded, then checked against a signature as `--input`
/// is (and split into samples when it is a batch of them).
pub fn npy(data: &[u8]) {
    let Ok(tensor) = Tensor::from_npy_bytes(data, "fuzz.npy") else {
        return;
    };
    let _ = tensor.to_f64();
    let name = ["fuzz.npy".to_string()];
    if let Ok(Some(batch)) =
        crate::run::batch_size(&name, std::slice::from_ref(&tensor), &[digits_input()])
    {
        if batch.samples() > 0 {
            let _ = tensor.rows(0, 1);
        }
    }
}

/// A `--pass-pipeline` string: parsed and built into a pass manager, as the
/// driver does before running it.
pub fn pipeline(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(elements) = crate::pipeline::parse(text) else {
        return;
    };
    with_context(|context| {
        let pm = melior::pass::PassManager::new(context);
        let _ = crate::pipeline::build(&pm, &elements, &PassContext::default());
    });
}

/// A per-layer quantization config (`cimc quantize --config`).
pub fn quant_config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = crate::quant_config::Config::parse("fuzz.toml", text);
}
