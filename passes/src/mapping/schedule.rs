//! `cim-schedule`: orders crossbar work and counts its steps.

use crate::diag::raw_op_error;
use crate::{Pass, PassFailed, PassInfo};
use cimc_dialects::cim::{self, Mvm};
use cimc_target::cost;
use melior::ir::operation::OperationRefMut;
use std::collections::HashMap;

crate::pass_options! {
    /// The options of `cim-schedule`.
    pub struct ScheduleOptions {
        mode: String = ("mode", "auto", "how samples share the stages: auto (the driver's --schedule), layer-sequential, ht or ll", one_of ["auto", "layer-sequential", "ht", "ll"]),
    }
}

pub static INFO: PassInfo = PassInfo {
    argument: "cim-schedule",
    summary: "Schedule crossbar reads: stages and steps per tile",
    description: "\
Gives each `cim.mvm` its stage (`cim.stage`: layers in program order, a
layer's arrays working in parallel) and its array read steps (`cim.steps`):
windows × ceil(input_bits / dac_bits) × ceil(active rows / max_active_rows),
where the active rows are the rows of its tile (the cost model's
`cimc_target::cost::steps`, which the simulator counts too). The function gets
`cim.schedule`: `layer-sequential` (a sample starts when the previous one is
done) or `ht` (high throughput: samples overlap, each layer's arrays working
on a later sample while the next layer works on an earlier one, so the
period is the slowest stage; cim-replicate balances the stages) or `ll`
(low latency: samples one after the other, and inside a sample each op
starts once the first rows it reads exist, line-buffer granularity: a
layer's first windows read its input's first kernel rows). The
compiled entry starts every call as a sample under this schedule
(`cimc_rt_begin_sample`). `mode=auto` takes the driver's `--schedule`.
Tiles must be placed first (cim-place).

Example: conv1 of ResNet-18 on isaac: 12544 windows × 8 input bits × 1 =
100352 steps on each of its 4 arrays.",
    anchor: Some("func.func"),
    options: ScheduleOptions::INFO,
    create: |options, ctx| {
        let mode = ScheduleOptions::from(options).mode;
        Box::new(Schedule {
            mode: if mode == "auto" {
                ctx.schedule.to_string()
            } else {
                mode
            },
        })
    },
};

struct Schedule {
    mode: String,
}

impl Pass for Schedule {
    fn run(&self, func: OperationRefMut<'_, '_>) -> Result<(), PassFailed> {
        let ops: Vec<_> = crate::ir::nested_ops(func.to_raw());
        let mut stages: HashMap<String, i64> = HashMap::new();
        for op in ops {
            if crate::raw::op_name(op) != Mvm::NAME {
                continue;
            }
            let mvm = Mvm::from_op(op).map_err(crate::diag::malformed)?;
            let program = mvm.tile();
            if program.array().is_none() {
                raw_op_error(
                    op,
                    "reads a tile that is not placed; run cim-place before cim-schedule",
                );
                return Err(PassFailed);
            }
            let (levels, input) = (program.levels_shape(), mvm.input_shape());
            let steps = cost::steps(
                u64::try_from(input[0]).unwrap_or(0),
                narrow(levels[0]),
                mvm.input_bits().max(1),
                mvm.dac_bits().max(1),
                mvm.max_active_rows().max(1),
            );
            let steps = i64::try_from(steps).unwrap_or(i64::MAX);
            let layer = mvm.layer().to_string();
            let next = stages.len() as i64;
            let stage = *stages.entry(layer).or_insert(next);
            mvm.set_stage(stage);
            mvm.set_steps(steps);
        }
        cim::set_schedule(func.to_raw(), &self.mode);
        Ok(())
    }
}

/// An IR integer as the cost model's u32 (negative: 0; saturating).
fn narrow(v: i64) -> u32 {
    u32::try_from(v.max(0)).unwrap_or(u32::MAX)
}
