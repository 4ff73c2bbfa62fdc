//! The timing and energy of each operation, from the target (formulas in
//! the crate's README, "Timing and energy model").

use cimc_target::Target;

use crate::mvm::MvmParams;
use crate::stats::Energy;

/// ⌈a / b⌉ for b ≥ 1 (b = 0 counts as 1).
fn div_ceil(a: u64, b: u64) -> u64 {
    a.div_ceil(b.max(1))
}

/// Writing a tile: `rows × latency.program_row` cycles on its array,
/// `rows × cols × energy.program_cell` pJ.
pub fn program(target: &Target, rows: u32, cols: u32) -> (u64, f64) {
    let cycles = u64::from(rows).saturating_mul(target.latency.program_row);
    let energy = (u64::from(rows) * u64::from(cols)) as f64 * target.energy.program_cell;
    (cycles, energy)
}

/// Everything one mvm costs.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct MvmCost {
    /// Array read steps: n · ⌈B/d⌉ · ⌈R/A⌉.
    pub steps: u64,
    /// Row activations: n · ⌈B/d⌉ · R (each row is driven once per digit).
    pub row_activations: u64,
    /// Cycles of one read step in the array (`latency.array_step`).
    pub read_cycles_per_step: u64,
    /// Cycles to convert one step's columns: ⌈C / adc.per_array⌉ ×
    /// `latency.adc_conversion` (0 without an ADC).
    pub adc_cycles_per_step: u64,
    /// Cycles of one step's shift-and-add (`latency.shift_add`).
    pub shift_add_cycles_per_step: u64,
    /// The pipeline's interval: the largest of the three stages above.
    pub step_interval: u64,
    /// Cycles the array is busy: steps × interval + the other stages'
    /// fill/drain (read + convert + shift-add − interval).
    pub array_cycles: u64,
    /// ADC conversions: steps × C (0 without an ADC).
    pub conversions: u64,
    /// Shift-and-adds: steps × C.
    pub shift_adds: u64,
    /// Input bytes read from the core's buffer: n · R · ⌈B/8⌉.
    pub load_bytes: u64,
    /// Output bytes written to the core's buffer: n · C · 4 (i32).
    pub store_bytes: u64,
    /// Buffer-port cycles of the load: `latency.buffer_access` +
    /// ⌈load_bytes / buffer.bandwidth_bytes_per_cycle⌉.
    pub load_cycles: u64,
    /// Same for the store.
    pub store_cycles: u64,
    /// Operations: 2 · n · R · C.
    pub ops: u64,
    /// Energy of the read (array, DAC, ADC, shift-add components).
    pub read_energy: Energy,
    /// Energy of the load (buffer component).
    pub load_energy_pj: f64,
    /// Energy of the store (buffer component).
    pub store_energy_pj: f64,
}

/// The cost of an mvm of `n` vectors on a `rows × cols` tile.
pub fn mvm(target: &Target, n: u64, rows: u32, cols: u32, p: &MvmParams) -> MvmCost {
    let (r, c) = (u64::from(rows), u64::from(cols));
    let digits = u64::from(p.digits());
    let steps = p.steps(n, rows);
    let row_activations = n * digits * r;
    let has_adc = p.adc_bits > 0;
    let read = target.latency.array_step.max(1);
    let adc = if has_adc {
        div_ceil(c, target.array.adc.per_array.into()).saturating_mul(target.latency.adc_conversion)
    } else {
        0
    };
    let shift_add = target.latency.shift_add;
    let interval = read.max(adc).max(shift_add);
    let fill = read + adc + shift_add - interval;
    let array_cycles = if steps == 0 {
        0
    } else {
        steps.saturating_mul(interval).saturating_add(fill)
    };
    let conversions = if has_adc { steps * c } else { 0 };
    let shift_adds = steps * c;
    let load_bytes = n * r * u64::from(p.input_bits.div_ceil(8));
    let store_bytes = n * c * 4;
    let bw = u64::from(target.buffer.bandwidth_bytes_per_cycle);
    let access = target.latency.buffer_access;
    let e = &target.energy;
    MvmCost {
        steps,
        row_activations,
        read_cycles_per_step: read,
        adc_cycles_per_step: adc,
        shift_add_cycles_per_step: shift_add,
        step_interval: interval,
        array_cycles,
        conversions,
        shift_adds,
        load_bytes,
        store_bytes,
        load_cycles: if load_bytes == 0 {
            0
        } else {
            access + div_ceil(load_bytes, bw)
        },
        store_cycles: if store_bytes == 0 {
            0
        } else {
            access + div_ceil(store_bytes, bw)
        },
        ops: 2 * n * r * c,
        read_energy: Energy {
            array: row_activations as f64 * e.array_step_per_row,
            dac: row_activations as f64 * e.dac_per_row,
            adc: conversions as f64 * e.adc_conversion,
            shift_add: shift_adds as f64 * e.shift_add,
            ..Energy::default()
        },
        load_energy_pj: load_bytes as f64 * e.buffer_access_per_byte,
        store_energy_pj: store_bytes as f64 * e.buffer_access_per_byte,
    }
}

/// A transfer of `bytes` between two cores: ⌈bytes /
/// interconnect.core_bandwidth_bytes_per_cycle⌉ cycles on both cores'
/// ports, `2 × bytes × energy.buffer_access_per_byte` pJ (read out of one
/// buffer, written into the other). Within one core it costs nothing.
pub fn transfer(target: &Target, bytes: u64, same_core: bool) -> (u64, f64) {
    if same_core {
        return (0, 0.0);
    }
    let bw = u64::from(target.interconnect.core_bandwidth_bytes_per_cycle);
    (
        div_ceil(bytes, bw),
        2.0 * bytes as f64 * target.energy.buffer_access_per_byte,
    )
}
