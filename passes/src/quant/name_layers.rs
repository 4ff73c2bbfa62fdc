//! `cim-quant-name-layers`: pins each layer's quantization name on the op,
//! so the passes after it, `--config`, the quantization report and the
//! mapped program all call a layer by the same name, however the rewrites
//! in between add, remove or reorder ops.

use crate::raw::RawOp;
use crate::{OptionInfo, Pass, PassFailed, PassInfo};
use cimc_dialects::cim;
use cimc_dialects::handle::{location_name, OpRef};
use melior::ir::operation::OperationRefMut;

pub static INFO: PassInfo = PassInfo {
    argument: "cim-quant-name-layers",
    summary: "Pin every layer's name (cim.layer) before calibration",
    description: "\
Every `tosa` op of the function other than constants gets a `cim.layer`
string attribute, unless it has one: the name of its location when the
producer gave one (`loc(\"model/conv1\")`, also inside a fused location),
else `<op name>#<index>` with the op's index in the function's pre-order
walk at this point. `cimc quantize` runs it after batch-norm folding and
equalization, so the names are those of the model it calibrates; the
layers keep them through calibration, the range and weight passes,
fake-quantized report variants and the conversion, and the mapping passes
(which name only crossbar layers still unnamed) carry them into the
placed program, the simulator's statistics and the trace.

Example: `%1 = tosa.conv2d %x, ...` (op 5 of the walk, no location name)
becomes `%1 = tosa.conv2d %x, ... {cim.layer = \"tosa.conv2d#5\", ...}`.",
    anchor: Some("func.func"),
    options: &[] as &[OptionInfo],
    create: |_, _| Box::new(NameLayers),
};

struct NameLayers;

impl Pass for NameLayers {
    fn run(&self, func: OperationRefMut<'_, '_>) -> Result<(), PassFailed> {
        let Some(func) = OpRef::new(func.to_raw()) else {
            return Err(PassFailed);
        };
        for (index, op) in func.preorder().into_iter().enumerate() {
            if is_layer(op) && cim::layer_name(op.raw()).is_none() {
                cim::set_layer_name(op.raw(), &computed_name(op, index));
            }
        }
        Ok(())
    }
}

/// Whether `op` is named as a layer: a TOSA op that is not a constant.
fn is_layer(op: OpRef) -> bool {
    let name = op.name();
    name.starts_with("tosa.") && name != "tosa.const" && name != "tosa.const_shape"
}

/// The name of `op`, `index`-th in its function's pre-order walk, when no
/// name is pinned: its location's name, else `<op name>#<index>`.
fn computed_name(op: OpRef, index: usize) -> String {
    location_name(op.location()).unwrap_or_else(|| format!("{}#{index}", op.name()))
}

/// A layer's name: the one pinned on it (`cim.layer`), else its location's
/// name, else `<op name>#<index>` with its index in the enclosing
/// function's pre-order walk now.
pub fn layer_name(op: RawOp) -> String {
    let Some(handle) = OpRef::new(op) else {
        return String::new();
    };
    if let Some(name) = cim::layer_name(op) {
        return name;
    }
    let index = handle
        .ancestor("func.func")
        .and_then(|func| func.preorder().iter().position(|o| *o == handle))
        .unwrap_or(0);
    computed_name(handle, index)
}

/// [`layer_name`] for an op known to be `index`-th in the walk.
pub fn layer_name_at(op: RawOp, index: usize) -> String {
    match (cim::layer_name(op), OpRef::new(op)) {
        (Some(name), _) => name,
        (None, Some(handle)) => computed_name(handle, index),
        (None, None) => String::new(),
    }
}
