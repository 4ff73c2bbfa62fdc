//! `cim-name-layers`: a stable name for every crossbar layer, at input.

use crate::emit::{self, RawOp};
use crate::{OptionInfo, Pass, PassFailed, PassInfo};
use cimc_dialects::cim;
use cimc_dialects::handle::{location_name, OpRef};
use melior::ir::operation::OperationRefMut;
use std::collections::HashSet;

pub static INFO: PassInfo = PassInfo {
    argument: "cim-name-layers",
    summary: "Give every crossbar layer a stable name (cim.layer)",
    description: "\
Every `tosa.conv2d`, `tosa.depthwise_conv2d` and `tosa.matmul` on i8 or i16
inputs (the ops cim-lower-crossbar-ops puts on crossbars) gets a `cim.layer`
string attribute, unless it has one: the name of its location when the
producer gave one (`loc(\"model/conv1\")`, also inside a fused location),
else `<op>_<k>` with k its index among the function's crossbar layers in
program order. A name already taken in the function gets `_2`, `_3`, ...
appended. Later passes carry the name into the `layer` attribute of every
`cim` op, and the mapping report, the simulator's statistics and the trace
key on it, so rewrites that reorder or remove ops do not rename layers.

Example: `%0 = tosa.conv2d %x, ...` (the first crossbar layer, no location
name) becomes `%0 = tosa.conv2d %x, ... {cim.layer = \"conv2d_0\", ...}`.",
    anchor: Some("func.func"),
    options: &[] as &[OptionInfo],
    create: |_, _| Box::new(NameLayers),
};

struct NameLayers;

impl Pass for NameLayers {
    fn run(&self, func: OperationRefMut<'_, '_>) -> Result<(), PassFailed> {
        name_layers(func.to_raw());
        Ok(())
    }
}

/// The kind of a crossbar layer (`conv2d`, `depthwise_conv2d`, `matmul`),
/// or `None` when `op` is not one: these TOSA ops on i8 or i16 inputs.
pub fn crossbar_kind(op: RawOp) -> Option<&'static str> {
    let kind = match crate::raw::op_name(op).as_str() {
        "tosa.conv2d" => "conv2d",
        "tosa.depthwise_conv2d" => "depthwise_conv2d",
        "tosa.matmul" => "matmul",
        _ => return None,
    };
    let (_, element) = emit::tensor_info(emit::operand(op, 0))?;
    matches!(element.as_str(), "i8" | "i16").then_some(kind)
}

/// Names every crossbar layer of `func` that has no `cim.layer` yet.
pub fn name_layers(func: RawOp) {
    let layers: Vec<(RawOp, &str)> = crate::ir::nested_ops(func)
        .into_iter()
        .filter_map(|op| crossbar_kind(op).map(|kind| (op, kind)))
        .collect();
    let mut taken: HashSet<String> = layers
        .iter()
        .filter_map(|(op, _)| cim::layer_name(*op))
        .collect();
    for (index, (op, kind)) in layers.into_iter().enumerate() {
        if cim::layer_name(op).is_some() {
            continue;
        }
        let base = OpRef::new(op)
            .and_then(|op| location_name(op.location()))
            .unwrap_or_else(|| format!("{kind}_{index}"));
        let mut name = base.clone();
        let mut n = 2;
        while taken.contains(&name) {
            name = format!("{base}_{n}");
            n += 1;
        }
        cim::set_layer_name(op, &name);
        taken.insert(name);
    }
}

/// The name of the crossbar layer `op`: its `cim.layer` (see
/// [`name_layers`]).
pub fn layer_name(op: RawOp) -> Option<String> {
    cim::layer_name(op)
}
