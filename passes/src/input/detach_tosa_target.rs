//! `cim-detach-tosa-target`: removes `tosa.target_env` once validation is done.

use crate::{OptionInfo, Pass, PassFailed, PassInfo};
use melior::ir::operation::{OperationLike, OperationMutLike, OperationRefMut};

pub static INFO: PassInfo = PassInfo {
    argument: "cim-detach-tosa-target",
    summary: "Remove the tosa.target_env attribute after validation",
    description: "\
The target environment is how `tosa-validate` learns which profiles and
extensions to check against; it is not part of cimc's IR. It is removed
because later phases change the types it describes (quantization turns a
pro_fp module into a pro_int one), and because MLIR 22 prints an empty
profile or extension list as `[]` but cannot parse that back, so keeping it
would make printed IR unreadable to mlir-opt and cimc.

Example: `module attributes {tosa.target_env = #tosa.target_env<...>} {...}`
becomes `module {...}`.",
    anchor: Some("builtin.module"),
    options: &[] as &[OptionInfo],
    create: |_, _| Box::new(DetachTosaTarget),
};

struct DetachTosaTarget;

impl Pass for DetachTosaTarget {
    fn run(&self, mut module: OperationRefMut<'_, '_>) -> Result<(), PassFailed> {
        if module.has_attribute(super::attach_tosa_target::TARGET_ENV) {
            // Present, so removal cannot fail.
            let _ = module.remove_attribute(super::attach_tosa_target::TARGET_ENV);
        }
        Ok(())
    }
}
