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

#[derive(Debug, Default)]
pub struct Report {
    pub layers: Vec<Layer>,
    pub phases: i64,
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
        Ok(any_schedule.then_some(report))
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

    pub fn utilization(&self, target: &Target) -> f64 {
        let cells =
            self.arrays() as f64 * f64::from(target.array.rows) * f64::from(target.array.cols);
        let used: i64 = self.layers.iter().map(|l| l.used_cells).sum();
        if cells == 0.0 {
            0.0
        } else {
            used as f64 / cells
        }
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
        match target.adc_loss() {
            Some(loss) => {
                let _ = writeln!(out, "ADC clips: {loss}");
            }
            None => {
                let _ = writeln!(out, "ADC: lossless for this target");
            }
        }
        out
    }

    pub fn to_json(&self, target: &Target) -> serde_json::Value {
        let (bottleneck, layer) = self.bottleneck();
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
            }
        })
    }
}
