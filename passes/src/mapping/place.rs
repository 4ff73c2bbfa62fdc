//! `cim-place`: assigns every programmed tile an array, macro and core.

use crate::diag::raw_op_error;
use crate::{Pass, PassContext, PassFailed, PassInfo};
use cimc_dialects::cim::{Placement, Program};
use cimc_target::Target;
use melior::ir::operation::OperationRefMut;
use std::sync::Arc;

crate::pass_options! {
    /// The options of `cim-place`.
    pub struct PlaceOptions {
        reprogram: bool = (
            "reprogram",
            "true",
            "allow time-multiplexing arrays with weight reprogramming when the network does not fit"
        ),
    }
}

pub static INFO: PassInfo = PassInfo {
    argument: "cim-place",
    summary: "Place weight tiles on arrays, macros and cores",
    description: "\
Gives each `cim.program` its own array, in program order (arrays are not
shared between layers, so a layer's tiles sit on consecutive arrays and fill
macros, then cores): `cim.core`, `cim.macro`, `cim.array` (within its macro)
and `cim.phase`. When the network needs more arrays than the chip has, it is
time-multiplexed: phase p holds arrays p·N … (p+1)·N-1 and the weights are
reprogrammed between phases (cim-schedule counts that cost). With
`reprogram=false` that is an error naming the first layer that does not fit,
the arrays the network needs and the arrays the chip has.

Example: on isaac (8 arrays per macro, 12 macros per core) tile 100 goes to
core 1, macro 0, array 4, phase 0.",
    anchor: Some("func.func"),
    options: PlaceOptions::INFO,
    create: |options, ctx: &PassContext| {
        Box::new(Place {
            target: ctx.target.clone(),
            reprogram: PlaceOptions::from(options).reprogram,
        })
    },
};

struct Place {
    target: Arc<Target>,
    reprogram: bool,
}

impl Pass for Place {
    fn run(&self, func: OperationRefMut<'_, '_>) -> Result<(), PassFailed> {
        let programs: Vec<Program> = crate::ir::nested_ops(func.to_raw())
            .into_iter()
            .filter(|op| crate::raw::op_name(*op) == Program::NAME)
            .map(Program::from_op)
            .collect::<Result<_, _>>()
            .map_err(crate::diag::malformed)?;
        let total = self.target.total_arrays() as usize;
        if !self.reprogram && programs.len() > total {
            let first = &programs[total];
            let layer = first.layer();
            let layer_tiles = programs.iter().filter(|op| op.layer() == layer).count();
            raw_op_error(first.op(),
                &format!(
                    "layer '{layer}' ({layer_tiles} arrays) does not fit: the network needs {} arrays, \
                     the chip has {total} (target '{}'); allow reprogramming or choose a larger target",
                    programs.len(),
                    self.target.name
                ),
            );
            return Err(PassFailed);
        }
        let arrays = self.target.macro_.arrays as usize;
        let macros = self.target.core.macros as usize;
        for (index, program) in programs.into_iter().enumerate() {
            let slot = index % total;
            program.set_placement(Placement {
                phase: (index / total) as u32,
                core: (slot / (arrays * macros)) as u32,
                macro_: ((slot / arrays) % macros) as u32,
                array: (slot % arrays) as u32,
            });
        }
        Ok(())
    }
}
