//! `cim-attach-tosa-target`: attaches the TOSA profiles and extensions a
//! module uses, so that upstream `tosa-validate` checks it against them.

use crate::diag::emit_error;
use crate::types::{self, Element};
use crate::{Pass, PassFailed, PassInfo};
use cimc_dialects::handle::{AttrRef, OpRef};
use melior::ir::operation::{OperationLike, OperationRefMut, WalkOrder, WalkResult};
use melior::ir::{OperationRef, ValueLike};
use std::collections::BTreeSet;

crate::pass_options! {
    /// The options of `cim-attach-tosa-target`.
    pub struct AttachTosaTargetOptions {
        level: String = ("level", "none", "TOSA level to validate against", one_of ["none", "8k"]),
    }
}

pub static INFO: PassInfo = PassInfo {
    argument: "cim-attach-tosa-target",
    summary: "Attach the TOSA profiles and extensions the module uses",
    description: "\
Sets `tosa.target_env` on the module from what it contains, so that the
upstream `tosa-validate` pass that follows checks every op against exactly the
profiles and extensions in use:
  * `pro_int` when an op computes on integer tensors, `pro_fp` on floats;
  * `doubleround` for DOUBLE_ROUND rescales, `inexactround` for INEXACT_ROUND,
    `int4` for i4 tensors, `int16` for i48 accumulators or 16-bit activations
    into convolutions and matmuls, `bf16`, `fp8e4m3`, `fp8e5m2` for those
    element types, `fft` for fft2d/rfft2d, `variable` for variables and
    `controlflow` for cond_if/while_loop.
The level is `none` by default: `8k` wrongly rejects 4-D pads in MLIR 22.
A module that already carries `tosa.target_env` keeps it.
MLIR 22 cannot parse an empty profile or extension list (it prints `[]` and
rejects it), and `none` fails validation; so a list that would be empty names
one entry that gates nothing the module contains: `pro_int` for a module with
no integer or float compute, `doubleround` for a module with no DOUBLE_ROUND
rescale (were there one, `doubleround` would be needed anyway). Validation is
the same. `cim-detach-tosa-target` removes the attribute afterwards.

Example: a module with a DOUBLE_ROUND `tosa.rescale` on i8 gets
`#tosa.target_env<specification_version = \"1.0\", level = none,
profiles = [pro_int], extensions = [doubleround]>`.",
    anchor: Some("builtin.module"),
    options: AttachTosaTargetOptions::INFO,
    create: |options, _| {
        Box::new(AttachTosaTarget {
            level: AttachTosaTargetOptions::from(options).level,
        })
    },
};

struct AttachTosaTarget {
    level: String,
}

/// Profiles and extensions a module needs.
#[derive(Default, Debug)]
struct Needs {
    int: bool,
    fp: bool,
    extensions: BTreeSet<&'static str>,
}

impl Needs {
    fn scan_op(&mut self, op: OperationRef<'_, '_>) {
        let name = op.name();
        let name = name.as_string_ref().as_str().unwrap_or("");
        let Some(kind) = name.strip_prefix("tosa.") else {
            return;
        };
        match kind {
            "rescale" => {
                if let Ok(mode) = op.attribute("rounding_mode") {
                    let mode = mode.to_string();
                    if mode.contains("DOUBLE_ROUND") {
                        self.extensions.insert("doubleround");
                    } else if mode.contains("INEXACT_ROUND") {
                        self.extensions.insert("inexactround");
                    }
                }
            }
            "fft2d" | "rfft2d" => {
                self.extensions.insert("fft");
            }
            "variable" | "variable_read" | "variable_write" => {
                self.extensions.insert("variable");
            }
            "cond_if" | "while_loop" => {
                self.extensions.insert("controlflow");
            }
            _ => {}
        }
        let accumulating = matches!(
            kind,
            "conv2d" | "conv3d" | "depthwise_conv2d" | "transpose_conv2d" | "matmul"
        );
        // Shapes and booleans are in every profile; they decide nothing.
        let values = op
            .operands()
            .map(|value| value.r#type())
            .chain(op.results().map(|value| value.r#type()));
        for ty in values {
            let Some(tensor) = types::tensor(ty) else {
                continue;
            };
            match types::element(tensor.element) {
                Element::Int(1) => {}
                Element::Int(width) => {
                    self.int = true;
                    match width {
                        4 => {
                            self.extensions.insert("int4");
                        }
                        48 => {
                            self.extensions.insert("int16");
                        }
                        16 if accumulating => {
                            self.extensions.insert("int16");
                        }
                        _ => {}
                    }
                }
                Element::Float(_) => {
                    self.fp = true;
                    let text = tensor.element.to_string();
                    match text.as_str() {
                        "bf16" => {
                            self.extensions.insert("bf16");
                        }
                        "f8E4M3FN" => {
                            self.extensions.insert("fp8e4m3");
                        }
                        "f8E5M2" => {
                            self.extensions.insert("fp8e5m2");
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
        }
    }

    fn attribute_text(&self, level: &str) -> String {
        let mut profiles = Vec::new();
        if self.int {
            profiles.push("pro_int");
        }
        if self.fp {
            profiles.push("pro_fp");
        }
        if profiles.is_empty() {
            profiles.push("pro_int");
        }
        let mut extensions: Vec<_> = self.extensions.iter().copied().collect();
        if extensions.is_empty() {
            extensions.push("doubleround");
        }
        // The level prints as a keyword (`none`) or a string (`"8k"`).
        let level = if level == "none" {
            level.to_string()
        } else {
            format!("{level:?}")
        };
        format!(
            "#tosa.target_env<specification_version = \"1.0\", level = {level}, \
             profiles = [{}], extensions = [{}]>",
            profiles.join(", "),
            extensions.join(", ")
        )
    }
}

pub(crate) const TARGET_ENV: &str = "tosa.target_env";

impl Pass for AttachTosaTarget {
    fn run(&self, module: OperationRefMut<'_, '_>) -> Result<(), PassFailed> {
        if module.has_attribute(TARGET_ENV) {
            return Ok(());
        }
        let mut needs = Needs::default();
        module.walk(WalkOrder::PreOrder, |op| {
            needs.scan_op(op);
            WalkResult::Advance
        });
        let text = needs.attribute_text(&self.level);
        let Some(handle) = OpRef::new(module.to_raw()) else {
            return Err(PassFailed);
        };
        let Some(attribute) = AttrRef::parse(handle.context(), &text) else {
            emit_error(
                module.location(),
                &format!("cannot build the TOSA target environment '{text}'"),
            );
            return Err(PassFailed);
        };
        handle.set_attr(TARGET_ENV, attribute.raw());
        Ok(())
    }
}
