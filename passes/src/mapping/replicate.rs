//! `cim-replicate`: copies of each layer's weights, so that every stage of
//! a high-throughput pipeline takes about the same time.

use crate::{OptionInfo, Pass, PassContext, PassFailed, PassInfo};
use cimc_dialects::cim::{MalformedOp, Mvm, Program};
use cimc_target::cost::{self, LayerShape};
use cimc_target::Target;
use melior::ir::operation::OperationRefMut;
use std::collections::HashMap;
use std::sync::Arc;

pub static INFO: PassInfo = PassInfo {
    argument: "cim-replicate",
    summary: "Choose copies of each layer's weights that minimise the pipeline period",
    description: "\
Sets `cim.replicas` on every `cim.program` of a layer: how many copies of the
layer's weights cim-place puts on the chip. Each copy takes a contiguous
share of the layer's input vectors (windows), so a layer's stage shrinks
with its copies. The stage model is the cost model's
(`cimc_target::cost::stage`): the longest of the slowest tile's read cycles
for ⌈W / r⌉ windows, the busiest core's buffer port, and the layer's
row-tile reduction and shift-add on the vector units of the cores its
copies fill. The counts (the high-throughput objective) minimise the largest stage over all layers, within the chip's arrays
and `replication.max_replicas`: exactly, by bisection over the period (each
stage is non-increasing in its copies, so the fewest copies that fit a
period are unique and the least feasible period is the optimum).
The ll schedule takes the same counts: a sample's latency there is at least
its slowest stage (every band passes every stage), plus each stage's first
band.
Nothing is replicated when the network needs more arrays than the chip has
(cim-place then time-multiplexes) or `max_replicas` is 1. Runs after
cim-tile, before cim-place.

Example: ResNet-18 on isaac (16128 arrays, max_replicas 256): conv1 (4
arrays, 12544 windows) gets the most copies, the 7×7 layers one each.",
    anchor: Some("func.func"),
    options: &[] as &[OptionInfo],
    create: |_, ctx: &PassContext| {
        Box::new(Replicate {
            target: ctx.target.clone(),
        })
    },
};

struct Replicate {
    target: Arc<Target>,
}

/// The crossbar layers under `root` (a function or a module), in order of
/// their first program, as the stage model sees them, with the programs of
/// each: what cim-replicate optimises and the mapping report shows.
pub fn layer_shapes(
    root: crate::raw::RawOp,
) -> Result<(Vec<LayerShape>, Vec<Vec<Program>>), MalformedOp> {
    let ops = crate::ir::nested_ops(root);
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut shapes: Vec<LayerShape> = Vec::new();
    let mut programs: Vec<Vec<Program>> = Vec::new();
    // Per layer: partial-sum column → tiles writing it.
    let mut columns: Vec<HashMap<i64, u32>> = Vec::new();
    let mut sliced: Vec<bool> = Vec::new();
    for op in ops {
        let name = crate::raw::op_name(op);
        if name == Program::NAME {
            let program = Program::from_op(op)?;
            let layer = program.layer().to_string();
            let i = *index.entry(layer.clone()).or_insert_with(|| {
                shapes.push(LayerShape {
                    name: layer,
                    windows: 0,
                    tiles: Vec::new(),
                    digital_elements: 0,
                });
                programs.push(Vec::new());
                columns.push(HashMap::new());
                sliced.push(false);
                shapes.len() - 1
            });
            sliced[i] |= program.weight_bits() > program.cell_bits();
            programs[i].push(program);
        } else if name == Mvm::NAME {
            let mvm = Mvm::from_op(op)?;
            let Some(&i) = index.get(mvm.layer()) else {
                continue;
            };
            let [rows, cols] = mvm.tile().levels_shape();
            let windows = u64::try_from(mvm.input_shape()[0]).unwrap_or(0);
            let shape = &mut shapes[i];
            shape.windows = shape.windows.max(windows);
            shape.tiles.push(cost::Mvm {
                vectors: 0,
                rows: u32::try_from(rows).unwrap_or(u32::MAX),
                cols: u32::try_from(cols).unwrap_or(u32::MAX),
                input_bits: mvm.input_bits(),
                dac_bits: mvm.dac_bits(),
                adc_bits: mvm.adc_bits(),
                max_active_rows: mvm.max_active_rows(),
            });
            let start = mvm.tile().col_offset().unwrap_or(0);
            for c in start..start + cols {
                *columns[i].entry(c).or_insert(0) += 1;
            }
        }
    }
    for (i, shape) in shapes.iter_mut().enumerate() {
        let p = columns[i].len() as u64;
        let reduces = columns[i].values().any(|w| *w > 1);
        let passes = u64::from(reduces) + u64::from(sliced[i]);
        shape.digital_elements = shape.windows * p * passes;
    }
    Ok((shapes, programs))
}

impl Pass for Replicate {
    fn run(&self, func: OperationRefMut<'_, '_>) -> Result<(), PassFailed> {
        let (shapes, programs) = layer_shapes(func.to_raw()).map_err(crate::diag::malformed)?;
        // A layer with no mvm (its tiles unread) keeps one copy.
        let budget = self.target.total_arrays();
        let counts = cost::replicate_for_period(
            &self.target,
            &shapes,
            budget,
            u64::from(self.target.replication.max_replicas),
        );
        // The model counts a layer's arrays by its mvms; cim-place places its
        // programs. Should the two differ (a tile read twice or never),
        // check the copies against the chip with the programs.
        let counts: Vec<u64> = shapes
            .iter()
            .zip(counts)
            .map(|(shape, r)| if shape.tiles.is_empty() { 1 } else { r })
            .collect();
        let placed: u64 = programs
            .iter()
            .zip(&counts)
            .map(|(p, r)| p.len() as u64 * r)
            .sum();
        let counts = if placed <= budget {
            counts
        } else {
            vec![1; shapes.len()]
        };
        for (programs, r) in programs.iter().zip(counts) {
            for program in programs {
                program.set_replicas(u32::try_from(r).unwrap_or(1));
            }
        }
        Ok(())
    }
}
