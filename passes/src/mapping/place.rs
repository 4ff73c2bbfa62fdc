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
reprogrammed between phases (cim-schedule counts that cost). A layer with
copies (`cim.replicas`, cim-replicate) takes its tiles' arrays once per copy,
each copy contiguous, the copies after the layer's first
(`cim.replica_placements`); copies are never time-multiplexed. With
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
        let at = |index: usize| {
            let slot = index % total;
            Placement {
                phase: (index / total) as u32,
                core: (slot / (arrays * macros)) as u32,
                macro_: ((slot / arrays) % macros) as u32,
                array: (slot % arrays) as u32,
            }
        };
        // Layer by layer in program order: copy c of a layer's tile i sits
        // at base + c·tiles + i, so each copy's tiles are contiguous and
        // the copies follow their layer (its producer and consumer are its
        // neighbours on the snake-numbered mesh).
        let mut order: Vec<&str> = Vec::new();
        let mut layers: std::collections::HashMap<&str, Vec<&Program>> = Default::default();
        for program in &programs {
            let entry = layers.entry(program.layer()).or_default();
            if entry.is_empty() {
                order.push(program.layer());
            }
            entry.push(program);
        }
        let copies_of = |tiles: &[&Program]| {
            tiles
                .iter()
                .map(|p| p.replicas() as usize)
                .max()
                .unwrap_or(1)
        };
        let needed: usize = order
            .iter()
            .map(|l| copies_of(&layers[l]) * layers[l].len())
            .sum();
        if needed > programs.len() && needed > total {
            raw_op_error(
                programs[0].op(),
                &format!(
                    "the layers' copies (cim.replicas) need {needed} arrays, the chip has {total} (target '{}'): \
                     replicas cannot be time-multiplexed",
                    self.target.name
                ),
            );
            return Err(PassFailed);
        }
        let mut next = 0usize;
        for layer in order {
            let tiles = &layers[layer];
            let copies = copies_of(tiles);
            for (i, program) in tiles.iter().enumerate() {
                program.set_placement(at(next + i));
                if copies > 1 {
                    let more: Vec<Placement> = (1..copies)
                        .map(|c| at(next + c * tiles.len() + i))
                        .collect();
                    program.set_replica_placements(&more);
                }
            }
            next += copies * tiles.len();
        }
        Ok(())
    }
}
