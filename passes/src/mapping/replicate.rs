//! `cim-replicate`: copies of each layer's weights, so that every stage of
//! a high-throughput pipeline takes about the same time.

use crate::{OptionInfo, Pass, PassContext, PassFailed, PassInfo};
use cimc_dialects::cim::{Accumulate, Im2col, MalformedOp, Mvm, Program, ShiftAdd};
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
row-tile reduction and shift-add, plus the ops after it that run where its
result lives (bias, rescale, activation, pooling, residual adds: an op
whose first non-constant operand it produced), on the vector units of the
cores its copies fill. The counts (the high-throughput objective) minimise the largest stage over all layers, within the chip's arrays
and `replication.max_replicas`: exactly, by bisection over the period (each
stage is non-increasing in its copies, so the fewest copies that fit a
period are unique and the least feasible period is the optimum).
The ll schedule takes the same counts: a sample's latency there is at least
its slowest stage (every band passes every stage), plus each stage's first
band.
Nothing is replicated when the network needs more arrays than the chip has
(cim-place then time-multiplexes) or `max_replicas` is 1. Runs after
cim-tile, before cim-place. The driver's `--replicas FILE` (`layer =
copies` lines) gives the counts instead, to run another tool's replication
through cimc's mapping and simulator: every key must name a layer, every
count lie in 1..=max_replicas, and the copies fit the chip (unlisted layers
keep one copy).

Example: ResNet-18 on isaac (16128 arrays, max_replicas 256): conv1 (4
arrays, 12544 windows) gets the most copies, the 7×7 layers one each.",
    anchor: Some("func.func"),
    options: &[] as &[OptionInfo],
    create: |_, ctx: &PassContext| {
        Box::new(Replicate {
            target: ctx.target.clone(),
            fixed: ctx.replicas.clone(),
        })
    },
};

struct Replicate {
    target: Arc<Target>,
    fixed: Option<Arc<std::collections::BTreeMap<String, u32>>>,
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
    for &op in &ops {
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
                    post: Vec::new(),
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
                adc_shift: mvm.adc_shift(),
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
    post_ops(&ops, &index, &mut shapes);
    Ok((shapes, programs))
}

/// The ops after each layer that run where its result lives: an op whose
/// first non-constant operand comes (through views and other such ops)
/// from a layer's mvms runs on that layer's cores, as the simulator runs a
/// vector op on the cores of its first on-chip operand. The layer's own
/// row-tile reduction, column concat and shift-add are its digital work,
/// not post ops; a window gather (cim.im2col) starts the next layer.
fn post_ops(ops: &[crate::raw::RawOp], index: &HashMap<String, usize>, shapes: &mut [LayerShape]) {
    use cimc_dialects::handle::{OpRef, ValueRef};
    let constant = |v: &ValueRef| {
        v.producer().is_some_and(|p| {
            matches!(
                p.name().as_str(),
                "tosa.const" | "tosa.const_shape" | "arith.constant"
            )
        })
    };
    let elements = |v: &ValueRef| {
        crate::emit::tensor_info(v.raw()).map_or(0, |(dims, _)| {
            dims.iter().map(|d| (*d).max(0) as u64).product()
        })
    };
    let mut owner: HashMap<usize, usize> = HashMap::new();
    for &raw in ops {
        let Some(op) = OpRef::new(raw) else { continue };
        let name = op.name();
        let layer = if name == Mvm::NAME {
            Mvm::from_op(raw)
                .ok()
                .and_then(|m| index.get(m.layer()).copied())
        } else {
            None
        };
        if matches!(
            name.as_str(),
            Im2col::NAME | Program::NAME | "func.return" | "func.func" | "builtin.module"
        ) {
            continue;
        }
        let operands: Vec<ValueRef> = op.operands().into_iter().filter(|v| !constant(v)).collect();
        let Some(i) = layer.or_else(|| {
            operands
                .iter()
                .find_map(|v| owner.get(&(v.raw().ptr as usize)).copied())
        }) else {
            continue;
        };
        for r in op.results() {
            owner.insert(r.raw().ptr as usize, i);
        }
        let internal = name == Mvm::NAME
            || name == Accumulate::NAME
            || name == ShiftAdd::NAME
            || name == "tosa.reshape"
            || (name == "tosa.concat"
                && operands.iter().all(|v| {
                    v.producer()
                        .is_some_and(|p| p.is(Mvm::NAME) || p.is(Accumulate::NAME))
                }));
        if internal {
            continue;
        }
        let count = operands
            .iter()
            .chain(op.results().iter())
            .map(&elements)
            .max()
            .unwrap_or(0);
        shapes[i].post.push((crate::op_class::of(&name), count));
    }
}

impl Replicate {
    /// The `--replicas` counts, checked.
    fn impose(
        &self,
        func: crate::raw::RawOp,
        fixed: &std::collections::BTreeMap<String, u32>,
        shapes: &[LayerShape],
        programs: &[Vec<Program>],
    ) -> Result<(), PassFailed> {
        let fail = |message: String| {
            crate::diag::raw_op_error(func, &message);
            Err(PassFailed)
        };
        // Keys may name layers of other functions of the module.
        let parent = unsafe { mlir_sys::mlirOperationGetParentOperation(func) };
        let root = if parent.ptr.is_null() { func } else { parent };
        let (everywhere, _) = layer_shapes(root).map_err(crate::diag::malformed)?;
        if let Some(key) = fixed
            .keys()
            .find(|k| !everywhere.iter().any(|s| &s.name == *k))
        {
            return fail(format!(
                "--replicas names layer '{key}', which the module does not have (its layers: {})",
                everywhere
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let max = self.target.replication.max_replicas;
        let mut placed = 0u64;
        let mut counts = Vec::new();
        for (shape, programs) in shapes.iter().zip(programs) {
            let r = fixed.get(&shape.name).copied().unwrap_or(1);
            if r == 0 || r > max {
                return fail(format!(
                    "--replicas gives layer '{}' {r} copies: copies lie in 1..={max} (replication.max_replicas)",
                    shape.name
                ));
            }
            placed += programs.len() as u64 * u64::from(r);
            counts.push(r);
        }
        let chip = self.target.total_arrays();
        if placed > chip {
            return fail(format!(
                "the copies --replicas gives need {placed} arrays, the chip has {chip}"
            ));
        }
        for (programs, r) in programs.iter().zip(counts) {
            for program in programs {
                program.set_replicas(r);
            }
        }
        Ok(())
    }
}

impl Pass for Replicate {
    fn run(&self, func: OperationRefMut<'_, '_>) -> Result<(), PassFailed> {
        let (shapes, programs) = layer_shapes(func.to_raw()).map_err(crate::diag::malformed)?;
        if let Some(fixed) = &self.fixed {
            return self.impose(func.to_raw(), fixed, &shapes, &programs);
        }
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
