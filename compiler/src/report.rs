//! The mapping report (`--report`, `--report-json`): per layer and in total,
//! read from the placed and scheduled `cim` IR alone.

use cimc_dialects::cim::{self, MalformedOp};
use cimc_target::{cost, Encoding, Target};
use melior::ir::Module;
use serde_json::json;
use std::fmt::Write as _;

/// One crossbar layer.
#[derive(Debug, Default, Clone)]
pub struct Layer {
    pub name: String,
    pub input_bits: i64,
    pub weight_bits: i64,
    pub cell_bits: i64,
    pub rows: i64,
    pub cols: i64,
    pub slices: i64,
    pub arrays: i64,
    pub windows: i64,
    pub max_steps: i64,
    pub steps: i64,
    pub used_cells: i64,
    pub stage: i64,
}

impl Layer {
    /// The share of the cells of its arrays the layer uses.
    pub fn utilization(&self, target: &Target) -> f64 {
        cell_share(self.used_cells, self.arrays, target)
    }
}

/// `used` cells as a share of those of `arrays` arrays of `target`.
fn cell_share(used: i64, arrays: i64, target: &Target) -> f64 {
    let cells = arrays as f64 * f64::from(target.array.rows) * f64::from(target.array.cols);
    if cells == 0.0 {
        0.0
    } else {
        used as f64 / cells
    }
}

/// One crossbar layer as a stage of the pipeline, with its copies: the
/// cost model cim-replicate minimises ([`cost::stage`]).
#[derive(Debug, Clone)]
pub struct Stage {
    pub name: String,
    /// Copies of the layer's weights (`cim.replicas`).
    pub replicas: u64,
    /// Arrays the copies take (tiles × replicas).
    pub arrays: u64,
    pub cost: cost::StageCost,
}

#[derive(Debug, Default)]
pub struct Report {
    pub layers: Vec<Layer>,
    pub phases: i64,
    /// The layers as pipeline stages, in order.
    pub stages: Vec<Stage>,
    /// The chip's bound on the period ([`cost::period_bound`]), cycles.
    pub period_bound: f64,
    /// `cim.schedule` of the first function that records one.
    pub schedule: Option<String>,
    /// What the graph phase did, per function that records it
    /// (`cim.graph`): the function and its entries, as written.
    pub graph: Vec<(String, Vec<(String, String)>)>,
}

/// The `cim.graph` records of the module's functions.
fn graph_of(module: &Module) -> Vec<(String, Vec<(String, String)>)> {
    use cimc_dialects::handle::{attribute_text, OpRef};
    let root = module.as_operation().to_raw();
    cimc_passes::ir::nested_ops(root)
        .into_iter()
        .filter_map(OpRef::new)
        .filter(|op| op.is("func.func"))
        .filter_map(|func| {
            let entries = func.attribute("cim.graph")?.as_dict()?;
            let name = func
                .attribute("sym_name")
                .and_then(|a| a.as_string())
                .unwrap_or_default();
            let text = entries
                .into_iter()
                .map(|(key, value)| {
                    let text = value
                        .as_string()
                        .unwrap_or_else(|| attribute_text(value.raw()).replace(" : i64", ""));
                    (key, text)
                })
                .collect();
            Some((name, text))
        })
        .collect()
}

/// The `cim.schedule` of the module's first function that records one.
fn schedule_of(module: &Module) -> Option<String> {
    let root = module.as_operation().to_raw();
    cimc_passes::ir::nested_ops(root)
        .into_iter()
        .find_map(cim::schedule)
}

impl Report {
    /// Reads the report from a module at the `cim` phase; `None` when it has
    /// no scheduled crossbar work; an error for a malformed `cim` op.
    pub fn from_module(module: &Module, target: &Target) -> Result<Option<Report>, MalformedOp> {
        let mut report = Report::default();
        let root = module.as_operation().to_raw();
        let ops: Vec<_> = cimc_passes::ir::nested_ops(root);
        let slices_per_weight = |wb: i64, cb: i64| {
            let s = (wb + cb - 1) / cb.max(1);
            if target.array.encoding == Encoding::Differential {
                2 * s
            } else {
                s
            }
        };
        let mut any_schedule = false;
        for op in ops {
            let view = cim::Op::from_op(op)?;
            let layer_name = match &view {
                Some(cim::Op::Program(program)) => program.layer(),
                Some(cim::Op::Mvm(mvm)) => mvm.layer(),
                _ => continue,
            }
            .to_string();
            let index = match report.layers.iter().position(|l| l.name == layer_name) {
                Some(i) => i,
                None => {
                    report.layers.push(Layer {
                        name: layer_name,
                        ..Layer::default()
                    });
                    report.layers.len() - 1
                }
            };
            let layer = &mut report.layers[index];
            if let Some(cim::Op::Program(program)) = &view {
                let shape = program.levels_shape();
                layer.weight_bits = i64::from(program.weight_bits());
                layer.cell_bits = i64::from(program.cell_bits());
                layer.slices = slices_per_weight(layer.weight_bits, layer.cell_bits);
                layer.rows = layer.rows.max(program.row_offset().unwrap_or(0) + shape[0]);
                layer.cols = layer.cols.max(program.col_offset().unwrap_or(0) + shape[1]);
                layer.used_cells += program.used_cells().unwrap_or(shape[0] * shape[1]);
                layer.arrays += 1;
                report.phases = report.phases.max(program.phase().map_or(0, i64::from) + 1);
            } else if let Some(cim::Op::Mvm(mvm)) = &view {
                let input = mvm.input_shape();
                let Some(steps) = mvm.steps() else {
                    return Ok(None);
                };
                any_schedule = true;
                layer.input_bits = i64::from(mvm.input_bits());
                layer.windows = input[0];
                layer.steps += steps;
                layer.max_steps = layer.max_steps.max(steps);
                layer.stage = mvm.stage().unwrap_or(0);
            }
        }
        if !any_schedule {
            return Ok(None);
        }
        let (shapes, programs) = cimc_passes::mapping::replicate::layer_shapes(root)?;
        for (shape, programs) in shapes.iter().zip(&programs) {
            let replicas = programs
                .first()
                .map_or(1, |p| u64::from(p.replicas()).max(1));
            report.stages.push(Stage {
                name: shape.name.clone(),
                replicas,
                arrays: programs.len() as u64 * replicas,
                cost: cost::stage(target, shape, replicas),
            });
        }
        report.period_bound = cost::period_bound(target, &shapes, target.total_arrays());
        report.schedule = schedule_of(module);
        report.graph = graph_of(module);
        Ok(Some(report))
    }

    /// The HT period the stage model gives: the slowest stage, cycles, and
    /// its layer.
    pub fn period(&self) -> (u64, &str) {
        self.stages
            .iter()
            .map(|s| (s.cost.cycles, s.name.as_str()))
            .fold((0, ""), |best, cur| if cur.0 > best.0 { cur } else { best })
    }

    /// One sample's latency the stage model gives when each layer starts
    /// after the one before it has finished: the stages' sum, cycles.
    pub fn stage_latency(&self) -> u64 {
        self.stages.iter().map(|s| s.cost.cycles).sum()
    }

    pub fn arrays(&self) -> i64 {
        self.layers.iter().map(|l| l.arrays).sum()
    }

    pub fn work(&self) -> i64 {
        self.layers.iter().map(|l| l.steps).sum()
    }

    /// The busiest array's steps, and its layer.
    pub fn bottleneck(&self) -> (i64, &str) {
        self.layers
            .iter()
            .map(|l| (l.max_steps, l.name.as_str()))
            .fold((0, ""), |best, cur| if cur.0 > best.0 { cur } else { best })
    }

    /// The share of the cells of all its arrays the layers use.
    pub fn utilization(&self, target: &Target) -> f64 {
        let used: i64 = self.layers.iter().map(|l| l.used_cells).sum();
        cell_share(used, self.arrays(), target)
    }

    /// Layer-sequential estimate: each stage lasts as long as its busiest
    /// array; a step costs the slowest of its pipelined stages on a full
    /// array (read, ADC conversions, shift-add: the cost model's
    /// [`cost::StepCycles::interval`], which the simulator uses too);
    /// reprogramming between phases writes a full set of arrays in
    /// parallel ([`cost::program`]).
    pub fn estimated_cycles(&self, target: &Target) -> u64 {
        let per_step = target.step_cycles().interval();
        let compute: u64 = self
            .layers
            .iter()
            .map(|l| l.max_steps as u64 * per_step)
            .sum();
        let (write, _) = cost::program(target, target.array.rows, target.array.cols);
        let reprogram = (self.phases.max(1) as u64 - 1) * write;
        compute + reprogram
    }

    pub fn to_text(&self, target: &Target) -> String {
        let mut out = String::new();
        let a = &target.array;
        let _ = writeln!(
            out,
            "cim mapping report: target '{}' ({} arrays of {}x{}, {}-bit cells, {:?} encoding, {}-bit DAC, {}-bit ADC)",
            target.name,
            target.total_arrays(),
            a.rows,
            a.cols,
            a.cell_bits,
            a.encoding,
            a.dac_bits,
            a.adc.bits
        );
        let _ = writeln!(
            out,
            "{:<24} {:>5} {:>5} {:>6} {:>6} {:>6} {:>6} {:>8} {:>10} {:>12}",
            "layer",
            "in-b",
            "w-b",
            "rows",
            "cols",
            "slices",
            "arrays",
            "windows",
            "steps/arr",
            "steps"
        );
        for l in &self.layers {
            let _ = writeln!(
                out,
                "{:<24} {:>5} {:>5} {:>6} {:>6} {:>6} {:>6} {:>8} {:>10} {:>12}",
                l.name,
                l.input_bits,
                l.weight_bits,
                l.rows,
                l.cols,
                l.slices,
                l.arrays,
                l.windows,
                l.max_steps,
                l.steps
            );
        }
        let (bottleneck, layer) = self.bottleneck();
        let n = target.total_arrays() as f64;
        let _ = writeln!(out, "arrays used X = {}", self.arrays());
        let _ = writeln!(
            out,
            "spatial utilization = {:.2}%",
            100.0 * self.utilization(target)
        );
        let _ = writeln!(out, "work W = {} crossbar steps per inference", self.work());
        let _ = writeln!(
            out,
            "no-replication bottleneck = {bottleneck} steps ({layer})"
        );
        let _ = writeln!(
            out,
            "bound W/N = {:.1} steps (N = {} arrays)",
            self.work() as f64 / n,
            n
        );
        let _ = writeln!(out, "weight programming phases = {}", self.phases.max(1));
        let _ = writeln!(
            out,
            "estimated cycles = {} (layer-sequential)",
            self.estimated_cycles(target)
        );
        self.pipeline_text(target, &mut out);
        match target.adc_loss() {
            Some(loss) => {
                let _ = writeln!(out, "ADC clips: {loss}");
            }
            None => {
                let _ = writeln!(out, "ADC: lossless for this target");
            }
        }
        for (func, entries) in &self.graph {
            let get = |key: &str| {
                entries
                    .iter()
                    .find(|(k, _)| k == key)
                    .map_or("-", |(_, v)| v.as_str())
            };
            if get("skipped") != "-" {
                let _ = writeln!(out, "graph phase @{func}: skipped: {}", get("skipped"));
                continue;
            }
            let _ = writeln!(
                out,
                "graph phase @{func}: {} after {} rounds ({} e-nodes, {} classes, {} s), extraction {} ({} s)",
                get("stop"),
                get("iterations"),
                get("nodes"),
                get("classes"),
                get("seconds"),
                get("extraction"),
                get("extraction_seconds")
            );
            let _ = writeln!(out, "  before: {}", get("before"));
            let _ = writeln!(out, "  after:  {}", get("after"));
            let _ = writeln!(out, "  fired:  {}", get("fired"));
        }
        out
    }

    /// The pipeline section: per layer copies, arrays, the stage's cycles
    /// and what bounds them; the period, the latency, the bound.
    fn pipeline_text(&self, target: &Target, out: &mut String) {
        let us = |cycles: f64| cycles * target.cycle_ns() / 1000.0;
        let _ = writeln!(
            out,
            "pipeline stages ({} schedule; cycles per sample, the cost model cim-replicate minimises):",
            self.schedule.as_deref().unwrap_or("layer-sequential")
        );
        let _ = writeln!(
            out,
            "{:<24} {:>8} {:>7} {:>12} {:>12} {:>12} {:>12}  bound",
            "layer", "replicas", "arrays", "array-cyc", "buffer-cyc", "vector-cyc", "stage-cyc"
        );
        for st in &self.stages {
            let c = &st.cost;
            let _ = writeln!(
                out,
                "{:<24} {:>8} {:>7} {:>12} {:>12} {:>12} {:>12}  {}",
                st.name,
                st.replicas,
                st.arrays,
                c.array_cycles,
                c.buffer_cycles,
                c.vector_cycles,
                c.cycles,
                c.bound.as_str()
            );
        }
        let (period, layer) = self.period();
        let placed: u64 = self.stages.iter().map(|s| s.arrays).sum();
        let _ = writeln!(
            out,
            "arrays placed = {placed} of {} (copies included)",
            target.total_arrays()
        );
        let _ = writeln!(
            out,
            "HT period = {period} cycles = {:.3} us ({layer}); bound = {:.1} cycles = {:.3} us (all array work over the chip's arrays), period/bound = {:.2}",
            us(period as f64),
            self.period_bound,
            us(self.period_bound),
            period as f64 / self.period_bound.max(f64::MIN_POSITIVE)
        );
        let _ = writeln!(
            out,
            "latency = {} cycles = {:.3} us (stages one after another; the simulator adds transfers and host work)",
            self.stage_latency(),
            us(self.stage_latency() as f64)
        );
    }

    pub fn to_json(&self, target: &Target) -> serde_json::Value {
        let (bottleneck, layer) = self.bottleneck();
        let (period, period_layer) = self.period();
        json!({
            "target": target.name,
            "layers": self.layers.iter().map(|l| json!({
                "name": l.name,
                "input_bits": l.input_bits,
                "weight_bits": l.weight_bits,
                "cell_bits": l.cell_bits,
                "rows": l.rows,
                "cols": l.cols,
                "slices": l.slices,
                "arrays": l.arrays,
                "windows": l.windows,
                "steps_per_array": l.max_steps,
                "steps": l.steps,
                "used_cells": l.used_cells,
                "utilization": l.utilization(target),
                "stage": l.stage,
            })).collect::<Vec<_>>(),
            "totals": {
                "arrays": self.arrays(),
                "chip_arrays": target.total_arrays(),
                "spatial_utilization": self.utilization(target),
                "work": self.work(),
                "bottleneck": bottleneck,
                "bottleneck_layer": layer,
                "bound": self.work() as f64 / target.total_arrays() as f64,
                "phases": self.phases.max(1),
                "estimated_cycles": self.estimated_cycles(target),
                "adc_lossless": target.adc_loss().is_none(),
                "schedule": self.schedule.as_deref().unwrap_or("layer-sequential"),
                "period_cycles": period,
                "period_layer": period_layer,
                "period_bound_cycles": self.period_bound,
                "latency_cycles": self.stage_latency(),
                "arrays_placed": self.stages.iter().map(|s| s.arrays).sum::<u64>(),
            },
            "graph": self.graph.iter().map(|(func, entries)| json!({
                "function": func,
                "entries": entries.iter().cloned().collect::<std::collections::BTreeMap<_, _>>(),
            })).collect::<Vec<_>>(),
            "stages": self.stages.iter().map(|st| json!({
                "name": st.name,
                "replicas": st.replicas,
                "arrays": st.arrays,
                "array_cycles": st.cost.array_cycles,
                "buffer_cycles": st.cost.buffer_cycles,
                "vector_cycles": st.cost.vector_cycles,
                "cycles": st.cost.cycles,
                "bound": st.cost.bound.as_str(),
            })).collect::<Vec<_>>(),
        })
    }
}
