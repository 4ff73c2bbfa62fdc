//! The target schema: the serde structs a target TOML file deserializes into.
//!
//! Units are in the field names or the docs: latencies in clock cycles,
//! energies in picojoules (pJ) per event, areas in mm², buffer sizes in KiB.
//! The catalogue of keys with their types, units, defaults and meanings is
//! [`crate::keys::KEYS`]; a unit test keeps it and these structs in step.

use serde::{Deserialize, Serialize};

/// A compute-in-memory chip, as every compiler pass and the simulator see it.
///
/// The hierarchy is chip → `chip.cores` cores → `core.macros` macros per
/// core → `macro.arrays` crossbar arrays per macro.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// Short name of the design point (e.g. `isaac`).
    pub name: String,
    /// Free text: what the design point follows and what is assumed.
    #[serde(default)]
    pub description: String,
    /// Clock frequency in MHz; every latency is in cycles of this clock.
    pub clock_mhz: f64,
    pub chip: Chip,
    pub core: Core,
    #[serde(rename = "macro")]
    pub macro_: Macro,
    pub array: Array,
    pub latency: Latency,
    pub buffer: Buffer,
    pub interconnect: Interconnect,
    pub energy: Energy,
    pub area: Area,
    #[serde(default)]
    pub vector: Vector,
    #[serde(default)]
    pub global_memory: GlobalMemory,
    #[serde(default)]
    pub host: Host,
    #[serde(default)]
    pub non_idealities: NonIdealities,
    #[serde(default)]
    pub replication: Replication,
}

/// Top of the hierarchy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Chip {
    /// Cores on the chip (ISAAC's tiles, PUMA's tiles).
    pub cores: u32,
}

/// One core: macros plus the core's buffers and interconnect port.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Core {
    /// Macros per core (ISAAC's IMAs, PUMA's cores).
    pub macros: u32,
}

/// One macro: arrays that share DACs, ADCs and shift-and-add logic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Macro {
    /// Crossbar arrays per macro.
    pub arrays: u32,
}

/// How a signed weight becomes non-negative cell conductances.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Encoding {
    /// One column per weight slice: the weight plus a bias of
    /// 2^(weight_bits−1) is stored unsigned; the bias times the input sum is
    /// subtracted digitally.
    Offset,
    /// Two columns per weight slice: the positive part in one, the negative
    /// part in the other; the two column results are subtracted.
    Differential,
}

/// What the ADC's input range is set to (see the crate README).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AdcRange {
    /// The range spans the largest possible column sum; when that needs more
    /// levels than the ADC has, the LSB covers several sum units (low bits lost).
    FullScale,
    /// One LSB is one sum unit; sums above 2^bits − 1 saturate (high values clipped).
    Clipped,
    /// No ADC: a digital macro whose adder tree sums exactly.
    None,
}

/// One crossbar array and its analog periphery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Array {
    /// Word lines (inputs).
    pub rows: u32,
    /// Bit lines (outputs).
    pub cols: u32,
    /// Rows driven in one read step (≤ rows).
    pub max_active_rows: u32,
    /// Bits stored per cell (1..=8).
    pub cell_bits: u32,
    /// Weight bit widths the chip supports (each 1..=16).
    pub weight_bits: Vec<u32>,
    /// Signed-weight encoding.
    pub encoding: Encoding,
    /// Input bits applied per read step (1..=8).
    pub dac_bits: u32,
    pub adc: Adc,
    /// ISAAC's weight flip: a column (per group of rows read together)
    /// stores the weights or their complements, whichever has the smaller
    /// sum, so that column sums stay at or below half the worst case.
    #[serde(default)]
    pub weight_flip: bool,
}

/// The array's analog-to-digital converters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Adc {
    /// Resolution in bits (1..=24, above 16 an ideal converter; 0 exactly when `range = "none"`).
    pub bits: u32,
    /// ADCs per array; columns share them (1..=cols; 0 when `range = "none"`).
    pub per_array: u32,
    /// What the ADC's input range is set to.
    pub range: AdcRange,
}

/// Latencies in clock cycles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Latency {
    /// One array read step (drive inputs, settle, sample), ≥ 1.
    pub array_step: u64,
    /// One ADC conversion (one column).
    pub adc_conversion: u64,
    /// One shift-and-add of a partial sum.
    pub shift_add: u64,
    /// One buffer access.
    pub buffer_access: u64,
    /// Writing (programming) one row of weights.
    pub program_row: u64,
}

/// The per-core buffers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Buffer {
    /// Input buffer per core, KiB.
    pub input_kib: u32,
    /// Output buffer per core, KiB.
    pub output_kib: u32,
    /// Buffer bandwidth per core, bytes per cycle.
    pub bandwidth_bytes_per_cycle: u32,
}

/// The on-chip network between cores: a 2-D mesh of ⌈√cores⌉ columns, the
/// cores numbered along a snake (row 0 left to right, row 1 right to left,
/// ...), so consecutive cores are neighbours.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Interconnect {
    /// Bandwidth of one core's network port, bytes per cycle.
    pub core_bandwidth_bytes_per_cycle: u32,
    /// Latency of one router hop, cycles.
    #[serde(default = "one")]
    pub hop_cycles: u64,
}

fn one() -> u64 {
    1
}

/// The digital post-processing unit of each core (ISAAC's sigmoid,
/// max-pool and shift-and-add units; PUMA's vector functional unit): it
/// runs the integer ops between crossbar layers next to the arrays.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Vector {
    /// Elements processed per cycle step of one core's unit (≥ 1).
    pub lanes: u32,
    /// Cycles per `lanes` elements of a requantization (`tosa.rescale`).
    pub requantize_cycles: u64,
    /// Same for a clamp or activation function.
    pub activation_cycles: u64,
    /// Same for pooling, per input element of the windows.
    pub pool_cycles: u64,
    /// Same for an elementwise binary op (residual add, multiply).
    pub elementwise_cycles: u64,
    /// Same for a copy: concatenation, slice, pad, transpose, cast.
    pub copy_cycles: u64,
    /// Energy per element of any of these ops, pJ.
    pub pj_per_element: f64,
}

impl Default for Vector {
    fn default() -> Self {
        Vector {
            lanes: 16,
            requantize_cycles: 1,
            activation_cycles: 1,
            pool_cycles: 1,
            elementwise_cycles: 1,
            copy_cycles: 1,
            pj_per_element: 0.1,
        }
    }
}

/// Off-core memory shared by the chip: where data that does not fit a
/// core's input buffer spills.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GlobalMemory {
    /// Bandwidth of the whole chip's global memory, bytes per cycle (≥ 1).
    pub bandwidth_bytes_per_cycle: u32,
    /// Latency of one access, cycles.
    pub latency: u64,
    /// Energy per byte read or written, pJ.
    pub pj_per_byte: f64,
}

impl Default for GlobalMemory {
    fn default() -> Self {
        GlobalMemory {
            bandwidth_bytes_per_cycle: 32,
            latency: 100,
            pj_per_byte: 20.0,
        }
    }
}

/// The host processor: runs the ops no unit of the chip can.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Host {
    /// Chip cycles per element of a host op.
    pub cycles_per_element: f64,
}

impl Default for Host {
    fn default() -> Self {
        Host {
            cycles_per_element: 1.0,
        }
    }
}

/// Energies in picojoules per event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Energy {
    /// One read step, per active row (all of the row's cells and columns):
    /// a step with `a` active rows costs `a × array_step_per_row`.
    pub array_step_per_row: f64,
    /// One ADC conversion (one column, one step).
    pub adc_conversion: f64,
    /// Driving one row's DAC for one step.
    pub dac_per_row: f64,
    /// One shift-and-add of a partial sum.
    pub shift_add: f64,
    /// Buffer traffic, per byte read or written.
    pub buffer_access_per_byte: f64,
    /// Programming one cell.
    pub program_cell: f64,
    /// One element of an operation run on the host (not in the arrays).
    pub host_op_per_element: f64,
    /// One byte crossing one router hop of the interconnect.
    #[serde(default)]
    pub network_per_byte_hop: f64,
}

/// Areas in mm².
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Area {
    /// One crossbar array (cells only).
    pub array: f64,
    /// One ADC.
    pub adc: f64,
    /// Per macro, the periphery other than arrays and ADCs (DACs,
    /// sample-and-hold, shift-and-add, registers).
    pub macro_periphery: f64,
    /// Per core, everything outside the macros (buffers, router, digital units).
    pub core: f64,
}

/// Device and circuit non-idealities of the simulated chip (the crate
/// README's "Non-idealities" section). All off by default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NonIdealities {
    /// Seed of the random draws.
    pub seed: u64,
    /// Programming error, standard deviation relative to the cell's full range.
    pub programming_sigma: f64,
    /// Read noise on a column sum, standard deviation relative to one cell
    /// at full conductance under a full input digit.
    pub read_noise_sigma: f64,
    /// Mean conductance drift exponent ν in G(t) = G(t0)·(t/t0)^−ν.
    pub drift_nu: f64,
    /// Per-cell standard deviation of ν.
    pub drift_nu_sigma: f64,
    /// Drift reference time t0, seconds (> 0).
    pub drift_t0_s: f64,
    /// Time of inference t after programming, seconds (≥ t0).
    pub drift_t_s: f64,
    /// Global drift compensation: readings scaled by each array's
    /// calibrated G(t0)/G(t).
    pub drift_compensation: bool,
    /// Probability that a cell is stuck at its highest conductance.
    pub stuck_at_on_rate: f64,
    /// Probability that a cell is stuck at its lowest conductance.
    pub stuck_at_off_rate: f64,
    /// Constant ADC offset, in LSBs.
    pub adc_offset_lsb: f64,
    /// Relative ADC gain error e: the ADC converts (1 + e) × its input.
    pub adc_gain_error: f64,
}

impl Default for NonIdealities {
    fn default() -> Self {
        NonIdealities {
            seed: 0,
            programming_sigma: 0.0,
            read_noise_sigma: 0.0,
            drift_nu: 0.0,
            drift_nu_sigma: 0.0,
            drift_t0_s: 1.0,
            drift_t_s: 1.0,
            drift_compensation: true,
            stuck_at_on_rate: 0.0,
            stuck_at_off_rate: 0.0,
            adc_offset_lsb: 0.0,
            adc_gain_error: 0.0,
        }
    }
}

impl NonIdealities {
    /// The keys of the non-idealities this target turns on (empty: an
    /// ideal, exact chip).
    pub fn enabled(&self) -> Vec<&'static str> {
        let drifts =
            (self.drift_nu > 0.0 || self.drift_nu_sigma > 0.0) && self.drift_t_s > self.drift_t0_s;
        [
            (
                "non_idealities.programming_sigma",
                self.programming_sigma > 0.0,
            ),
            (
                "non_idealities.read_noise_sigma",
                self.read_noise_sigma > 0.0,
            ),
            ("non_idealities.drift_nu", drifts),
            (
                "non_idealities.stuck_at_on_rate",
                self.stuck_at_on_rate > 0.0,
            ),
            (
                "non_idealities.stuck_at_off_rate",
                self.stuck_at_off_rate > 0.0,
            ),
            ("non_idealities.adc_offset_lsb", self.adc_offset_lsb != 0.0),
            ("non_idealities.adc_gain_error", self.adc_gain_error != 0.0),
        ]
        .into_iter()
        .filter_map(|(key, on)| on.then_some(key))
        .collect()
    }

    /// Whether any non-ideality is on.
    pub fn any(&self) -> bool {
        !self.enabled().is_empty()
    }
}

/// Weight replication: `cim-replicate` places up to this many copies of a
/// layer's weights, each taking a share of its windows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Replication {
    /// Most copies of one layer's weights the mapper may place (≥ 1).
    pub max_replicas: u32,
}

impl Default for Replication {
    fn default() -> Self {
        Replication { max_replicas: 1 }
    }
}

impl Encoding {
    /// The TOML spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Offset => "offset",
            Encoding::Differential => "differential",
        }
    }
}

impl AdcRange {
    /// The TOML spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            AdcRange::FullScale => "full-scale",
            AdcRange::Clipped => "clipped",
            AdcRange::None => "none",
        }
    }
}
