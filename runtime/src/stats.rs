//! What a simulation reports.

use std::ops::{Add, AddAssign};

use cimc_target::cost::ReadEnergy;
use serde_json::{json, Value};

use crate::ids::ArrayId;

/// Energy by component, in picojoules.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Energy {
    /// Writing weights (`energy.program_cell` per cell).
    pub program: f64,
    /// Array read steps (`energy.array_step_per_row` per active row and step).
    pub array: f64,
    /// DACs (`energy.dac_per_row` per active row and step).
    pub dac: f64,
    /// ADC conversions (`energy.adc_conversion` per column and step).
    pub adc: f64,
    /// Shift-and-add (`energy.shift_add` per column and step).
    pub shift_add: f64,
    /// Core buffer traffic of mvms (`energy.buffer_access_per_byte`).
    pub buffer: f64,
    /// Transfers between cores (read + write, `energy.buffer_access_per_byte`,
    /// plus `energy.network_per_byte_hop` per byte and hop).
    pub network: f64,
    /// Vector units (`vector.pj_per_element`).
    pub vector: f64,
    /// Global memory traffic of spills (`global_memory.pj_per_byte`).
    pub memory: f64,
    /// Host operations (per element).
    pub host: f64,
}

impl Energy {
    /// The sum of all components.
    pub fn total(&self) -> f64 {
        self.program
            + self.array
            + self.dac
            + self.adc
            + self.shift_add
            + self.buffer
            + self.network
            + self.vector
            + self.memory
            + self.host
    }

    /// The components as a JSON object (pJ), with `total`.
    pub fn to_json(&self) -> Value {
        json!({
            "program": self.program,
            "array": self.array,
            "dac": self.dac,
            "adc": self.adc,
            "shift_add": self.shift_add,
            "buffer": self.buffer,
            "network": self.network,
            "vector": self.vector,
            "memory": self.memory,
            "host": self.host,
            "total": self.total(),
        })
    }
}

impl From<ReadEnergy> for Energy {
    /// An mvm's read energy (the cost model's) as components.
    fn from(e: ReadEnergy) -> Energy {
        Energy {
            array: e.array,
            dac: e.dac,
            adc: e.adc,
            shift_add: e.shift_add,
            ..Energy::default()
        }
    }
}

impl Add for Energy {
    type Output = Energy;
    fn add(mut self, o: Energy) -> Energy {
        self += o;
        self
    }
}

impl AddAssign for Energy {
    fn add_assign(&mut self, o: Energy) {
        self.program += o.program;
        self.array += o.array;
        self.dac += o.dac;
        self.adc += o.adc;
        self.shift_add += o.shift_add;
        self.buffer += o.buffer;
        self.network += o.network;
        self.vector += o.vector;
        self.memory += o.memory;
        self.host += o.host;
    }
}

/// Activity of one array.
#[derive(Debug, Clone, PartialEq)]
pub struct ArrayStats {
    pub id: ArrayId,
    /// mvms issued to it.
    pub mvms: u64,
    /// Its array read steps.
    pub steps: u64,
    /// Cycles it spent reading (mvms).
    pub read_cycles: u64,
    /// Writes of a tile (initial programming and reprogramming).
    pub programs: u64,
    /// Cycles it spent being written.
    pub program_cycles: u64,
    /// Cycles of the run it spent reading or being rewritten.
    pub run_busy_cycles: u64,
    /// read_cycles / run_cycles (0 when the run is empty).
    pub utilization: f64,
}

/// The results of a simulation. Every total is the sum of the trace's
/// events (see the crate README, "Trace").
#[derive(Debug, Clone, PartialEq)]
pub struct Stats {
    /// The target's name and clock.
    pub target: String,
    pub clock_mhz: f64,
    /// Whether `finish` was called.
    pub finished: bool,
    /// Cycles of the initial weight programming (the programs issued before
    /// the first mvm, host op or transfer; arrays are written in parallel).
    pub init_cycles: u64,
    /// Cycles of the run: from the end of the initial programming to the
    /// end of the last event.
    pub run_cycles: u64,
    /// init_cycles + run_cycles.
    pub total_cycles: u64,
    /// run_cycles in nanoseconds (run_cycles × 1000 / clock_mhz).
    pub latency_ns: f64,
    /// total_cycles in nanoseconds.
    pub total_ns: f64,
    /// Inferences the run computed (set by the caller; default 1).
    pub batch: u64,
    /// Inferences per second: batch / run time, or with two samples or more
    /// (`begin_sample`) the inferences of one sample per period.
    pub throughput_per_s: f64,
    /// Samples begun (calls of the compiled entry; 0 when the caller never
    /// called `begin_sample`).
    pub samples: u64,
    /// Cycles between consecutive samples' ends: (end of the last − end of
    /// the first) / (samples − 1); with one sample (or none) its latency.
    pub period_cycles: f64,
    /// Mean over samples of end − first start, cycles.
    pub sample_latency_cycles: f64,
    /// Mean over the arrays used of their read cycles per sample / period:
    /// how busy the arrays are in one period of the steady state.
    pub period_utilization: f64,
    /// Cycles of the busiest resource in the run (array, buffer port,
    /// network port or host): what bounds a pipelined schedule.
    pub bottleneck_cycles: u64,
    /// batch / bottleneck time: the throughput if consecutive runs were
    /// pipelined perfectly.
    pub pipelined_throughput_per_s: f64,
    /// Array read steps, summed over all mvms (Σ of `cim.steps`).
    pub array_steps: u64,
    pub mvms: u64,
    /// Tile writes (initial and reprogramming).
    pub programs: u64,
    /// Tile writes caused by a phase switch (time multiplexing).
    pub reprograms: u64,
    pub host_ops: u64,
    /// Ops run on the cores' vector units.
    pub vector_ops: u64,
    pub transfers: u64,
    /// Bytes spilled through the global memory.
    pub spilled_bytes: u64,
    /// Operations: Σ over mvms of 2 · n · R · C (a multiply and an add per
    /// input element and cell column; bit-sliced weights count each slice).
    pub ops: u64,
    /// ops / run time / 10^12.
    pub tops: f64,
    /// ops / run energy (pJ): TOPS per watt.
    pub tops_per_w: f64,
    /// Energy by component (everything, initial programming included).
    pub energy: Energy,
    /// Energy of the initial programming.
    pub init_energy_pj: f64,
    /// Energy of the run: energy.total() − init_energy_pj.
    pub run_energy_pj: f64,
    /// Arrays that were written or read.
    pub arrays_used: u32,
    /// Mean and largest utilization over the arrays used.
    pub mean_utilization: f64,
    pub max_utilization: f64,
    /// The arrays used, in (core, macro, array) order.
    pub arrays: Vec<ArrayStats>,
    /// The analog chip instance, when the target has non-idealities.
    pub analog: Option<AnalogStats>,
    /// Per crossbar layer (run from program tables), its results against
    /// the ideal chip's and the exact product, on the same inputs: recorded
    /// on an analog chip, or when asked (`Simulator::set_layer_errors`).
    pub layers: Vec<LayerError>,
}

/// One simulated analog chip instance: what its non-idealities did.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalogStats {
    /// The `non_idealities` keys the target turns on.
    pub enabled: Vec<String>,
    pub seed: u64,
    /// Cells of the tiles read so far, and how many of them are stuck.
    pub cells: u64,
    pub stuck_on: u64,
    pub stuck_off: u64,
}

/// A layer's crossbar results on the same inputs against the ideal chip's
/// (the same circuit, ADC included, without device non-idealities) and
/// against the exact product Σ x·W (an ideal ADC too).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LayerError {
    pub layer: String,
    /// Σ ideal² and Σ (result − ideal)².
    pub signal: f64,
    pub noise: f64,
    /// Σ exact² and Σ (result − exact)².
    pub exact_signal: f64,
    pub exact_noise: f64,
}

fn sqnr(signal: f64, noise: f64) -> f64 {
    if noise == 0.0 {
        f64::INFINITY
    } else {
        10.0 * (signal / noise).log10()
    }
}

/// A finite dB value, or `null` for an exact result.
fn db_json(db: f64) -> Value {
    if db.is_finite() {
        json!(db)
    } else {
        Value::Null
    }
}

impl LayerError {
    /// Against the ideal chip: 10·log10(signal / noise), dB (infinite when
    /// the device added no error).
    pub fn sqnr_db(&self) -> f64 {
        sqnr(self.signal, self.noise)
    }

    /// Against the exact product, dB (what the ADC and the device lose).
    pub fn sqnr_exact_db(&self) -> f64 {
        sqnr(self.exact_signal, self.exact_noise)
    }

    /// Adds another measurement of the same layer.
    pub fn merge(&mut self, o: &LayerError) {
        self.signal += o.signal;
        self.noise += o.noise;
        self.exact_signal += o.exact_signal;
        self.exact_noise += o.exact_noise;
    }

    /// As JSON (an exact result's SQNR is `null`).
    pub fn to_json(&self) -> Value {
        json!({
            "layer": self.layer,
            "sqnr_db": db_json(self.sqnr_db()),
            "sqnr_exact_db": db_json(self.sqnr_exact_db()),
        })
    }
}

impl AnalogStats {
    /// As JSON (an exact layer's SQNR is `null`).
    pub fn to_json(&self) -> Value {
        json!({
            "enabled": self.enabled,
            "seed": self.seed,
            "cells": self.cells,
            "stuck_on": self.stuck_on,
            "stuck_off": self.stuck_off,
        })
    }
}

impl Stats {
    /// The stats as JSON (without the per-array list when `per_array` is false).
    pub fn to_json(&self, per_array: bool) -> Value {
        let mut v = json!({
            "target": self.target,
            "clock_mhz": self.clock_mhz,
            "finished": self.finished,
            "init_cycles": self.init_cycles,
            "run_cycles": self.run_cycles,
            "total_cycles": self.total_cycles,
            "latency_ns": self.latency_ns,
            "total_ns": self.total_ns,
            "batch": self.batch,
            "throughput_per_s": self.throughput_per_s,
            "samples": self.samples,
            "period_cycles": self.period_cycles,
            "sample_latency_cycles": self.sample_latency_cycles,
            "period_utilization": self.period_utilization,
            "bottleneck_cycles": self.bottleneck_cycles,
            "pipelined_throughput_per_s": self.pipelined_throughput_per_s,
            "array_steps": self.array_steps,
            "mvms": self.mvms,
            "programs": self.programs,
            "reprograms": self.reprograms,
            "host_ops": self.host_ops,
            "vector_ops": self.vector_ops,
            "transfers": self.transfers,
            "spilled_bytes": self.spilled_bytes,
            "ops": self.ops,
            "tops": self.tops,
            "tops_per_w": self.tops_per_w,
            "energy_pj": self.energy.to_json(),
            "init_energy_pj": self.init_energy_pj,
            "run_energy_pj": self.run_energy_pj,
            "arrays_used": self.arrays_used,
            "mean_utilization": self.mean_utilization,
            "max_utilization": self.max_utilization,
            "analog": self.analog.as_ref().map_or(Value::Null, AnalogStats::to_json),
            "layers": self.layers.iter().map(LayerError::to_json).collect::<Vec<_>>(),
        });
        if per_array {
            v["arrays"] = self
                .arrays
                .iter()
                .map(|a| {
                    json!({
                        "core": a.id.core, "macro": a.id.macro_, "array": a.id.array,
                        "mvms": a.mvms, "steps": a.steps, "read_cycles": a.read_cycles,
                        "programs": a.programs, "program_cycles": a.program_cycles,
                        "utilization": a.utilization,
                    })
                })
                .collect();
        }
        v
    }
}
