//! The crossbar cost model: what one `cim.mvm` costs on a target (read
//! steps, cycles, energy, buffer traffic), what writing a tile costs, which
//! column sums an ADC must resolve for a read to be exact; the digital
//! units and the host (`digital`); moving data over the mesh and through the
//! global memory (`network`).
//!
//! One home for these formulas: `cim-schedule` (steps), `cim-lower-to-tosa`
//! (ideal ADC of a tile), the mapping report (estimated cycles), the
//! simulator (timing, energy, kernel choice), the target's derived
//! quantities ([`crate::derived`]) and the benchmarks all call this module.
//! `scripts/mapping_bounds.py` stays an independent transcription that
//! checks it.
//!
//! Notation: an mvm reads n input vectors of B-bit values through a d-bit
//! DAC on an R × C tile, at most A rows at a time, with an a-bit ADC (a = 0:
//! no ADC, an exact adder tree). T = ⌈B/d⌉ digits, G = ⌈R/A⌉ row groups.
//! A *column sum* is Σ over the rows of one group of (digit × stored cell
//! level), counted in sum units (level 1 × digit 1).
//!
//! Two kinds of bound answer "can the ADC clip?":
//! - **of a real tile**: Σ of the levels a column actually stores in each
//!   row group, times the largest digit the mvm's inputs apply
//!   ([`max_input_digit`]: it knows B, so a lone sign digit counts
//!   2^(d−1));
//! - **of the target** (the worst case over every tile and input width):
//!   A rows at the largest cell level M = 2^c − 1 (halved by the weight
//!   flip), times D = 2^d − 1 ([`max_input_level`]), which is ≥ every
//!   [`max_input_digit`].
//!
//! Both are [`column_sum_bound`] of a level sum and a digit bound, and
//! [`adc_is_ideal`] / [`ideal_adc_bits`] judge either.
//!
//! Arithmetic is in u64 and saturates; zero widths count as 1, so an
//! unvalidated target never panics.

use crate::Target;

mod digital;
mod network;
mod pipeline;

pub use digital::{class_cycles, host_op, spread_cycles, vector_op, OpClass};
pub use network::{hops, mesh_columns, mesh_position, spill, transfer, Transfer};
pub use pipeline::{period_bound, replicate_for_period, stage, LayerShape, StageBound, StageCost};

/// ⌈a / b⌉ for b ≥ 1 (b = 0 counts as 1).
fn div_ceil(a: u64, b: u64) -> u64 {
    a.div_ceil(b.max(1))
}

/// 2^bits − 1, saturating.
fn max_level(bits: u32) -> u64 {
    1u64.checked_shl(bits).map_or(u64::MAX, |v| v - 1)
}

// ---------------------------------------------------------------------------
// Read steps.

/// T = ⌈B / d⌉: the digits of one B-bit input through a d-bit DAC, i.e. the
/// read steps per row group and input vector.
pub fn digits(input_bits: u32, dac_bits: u32) -> u32 {
    input_bits.div_ceil(dac_bits.max(1))
}

/// G = ⌈R / A⌉: the groups of at most A rows a tile of R rows is read in,
/// one after the other.
pub fn row_groups(rows: u32, max_active_rows: u32) -> u32 {
    rows.div_ceil(max_active_rows.max(1))
}

/// Array read steps of an mvm: n · T · G (`cim.steps`).
pub fn steps(vectors: u64, rows: u32, input_bits: u32, dac_bits: u32, max_active_rows: u32) -> u64 {
    vectors
        .saturating_mul(digits(input_bits, dac_bits).into())
        .saturating_mul(row_groups(rows, max_active_rows).into())
}

// ---------------------------------------------------------------------------
// Levels, digits and column-sum bounds.

/// M = 2^c − 1: the largest level of a c-bit cell.
pub fn max_cell_level(cell_bits: u32) -> u64 {
    max_level(cell_bits)
}

/// D = 2^d − 1: the largest input level one step of a d-bit DAC applies,
/// whatever the input width (the target-level digit bound).
pub fn max_input_level(dac_bits: u32) -> u64 {
    max_level(dac_bits)
}

/// The largest |digit| a B-bit input applies through a d-bit DAC: digits
/// 0 … T−2 are unsigned (up to 2^d − 1), the last is signed (down to
/// −2^(d−1)); so 2^d − 1 when T ≥ 2, 2^(d−1) when the sign digit is the
/// only one. Never more than [`max_input_level`].
pub fn max_input_digit(input_bits: u32, dac_bits: u32) -> u64 {
    let d = dac_bits.max(1);
    let unsigned = if digits(input_bits, d) >= 2 {
        max_level(d)
    } else {
        0
    };
    unsigned.max(1u64.checked_shl(d - 1).unwrap_or(u64::MAX))
}

/// The largest Σ of stored levels over one row group of a column: `stored`
/// lists the column's levels as its cells hold them (complemented in a
/// flipped column), in row order; groups are rows 0..A, A..2A, ….
pub fn max_group_level_sum(stored: impl IntoIterator<Item = u64>, max_active_rows: u32) -> u64 {
    let a = max_active_rows.max(1) as usize;
    let (mut best, mut sum) = (0u64, 0u64);
    for (r, level) in stored.into_iter().enumerate() {
        if r % a == 0 {
            sum = 0;
        }
        sum = sum.saturating_add(level);
        best = best.max(sum);
    }
    best
}

/// The largest level sum of one row group on a target, over every tile:
/// A · M, or ⌊A · M / 2⌋ with the weight flip (a flipped group stores
/// whichever of w and M − w sums lower).
pub fn worst_group_level_sum(max_active_rows: u32, max_cell_level: u64, weight_flip: bool) -> u64 {
    let full = u64::from(max_active_rows).saturating_mul(max_cell_level);
    if weight_flip {
        full / 2
    } else {
        full
    }
}

/// The largest |column sum| of one read step: a row group's level sum
/// times the largest |digit|.
pub fn column_sum_bound(level_sum: u64, max_digit: u64) -> u64 {
    level_sum.saturating_mul(max_digit)
}

/// L = 2^a − 1: the largest code of an a-bit ADC.
pub fn max_adc_code(adc_bits: u32) -> u64 {
    max_level(adc_bits)
}

/// ⌈log2(bound + 1)⌉: the ADC bits that convert every sum 0..=bound exactly.
pub fn ideal_adc_bits(bound: u64) -> u32 {
    64 - bound.leading_zeros()
}

/// Whether an a-bit ADC converts every column sum of magnitude ≤ `bound`
/// exactly: bound ≤ 2^a − 1 (the sign digit's range is ±(2^a − 1)); always
/// when a = 0 (no ADC).
pub fn adc_is_ideal(bound: u64, adc_bits: u32) -> bool {
    adc_bits == 0 || bound <= max_adc_code(adc_bits)
}

/// The ADC shift k of a `full-scale` range over column sums up to `bound`:
/// the smallest k with (2^a − 1)·2^k ≥ bound, so one LSB is 2^k sum units
/// (0 without an ADC or when the sums fit its codes).
pub fn full_scale_adc_shift(bound: u64, adc_bits: u32) -> u32 {
    if adc_bits == 0 {
        return 0;
    }
    let code = max_adc_code(adc_bits);
    (0..63).find(|&k| code << k >= bound).unwrap_or(63)
}

/// One ADC conversion of the analog sum `s` with an ADC whose LSB is
/// 2^`shift` sum units, clamped to `[lo, hi]` codes (the mvm's digit
/// range): the nearest code, times 2^k (k = 0: `clamp(s, lo, hi)`).
pub fn adc_convert(s: i64, shift: u32, lo: i64, hi: i64) -> i64 {
    adc_code(s, shift).clamp(lo, hi) << shift
}

/// The nearest code of `s` for an LSB of 2^`shift` sum units, before the
/// clamp: ⌊(s + 2^(k−1)) / 2^k⌋, a sum halfway between two codes taking
/// the upper one, as a comparator ladder with thresholds at (code − ½)·LSB
/// does (integer sums sit on those thresholds often; rounding them to even
/// instead trades a small bias for twice the error variance, which costs
/// more accuracy: 46 % instead of 64 % on puma's digits CNN).
pub fn adc_code(s: i64, shift: u32) -> i64 {
    if shift == 0 {
        return s;
    }
    (s + (1i64 << (shift - 1))) >> shift
}

// ---------------------------------------------------------------------------
// Cycles.

/// Conversions one ADC makes per read step of `cols` columns shared by
/// `adcs` ADCs: ⌈cols / adcs⌉.
pub fn conversions_per_adc(cols: u32, adcs: u32) -> u64 {
    div_ceil(cols.into(), adcs.into())
}

/// The three stages of one read step, in cycles; they are pipelined
/// (sample-and-hold), so steps follow each other at the slowest stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StepCycles {
    /// Drive the rows and settle: `latency.array_step` (at least 1).
    pub read: u64,
    /// Convert the step's columns: ⌈cols / `adc.per_array`⌉ ×
    /// `latency.adc_conversion`; 0 without an ADC.
    pub convert: u64,
    /// Shift-and-add the partial sums: `latency.shift_add`.
    pub shift_add: u64,
}

impl StepCycles {
    /// The stages of a step reading `cols` columns on `target`'s arrays,
    /// with or without an ADC.
    pub fn new(target: &Target, cols: u32, has_adc: bool) -> StepCycles {
        let convert = if has_adc {
            conversions_per_adc(cols, target.array.adc.per_array)
                .saturating_mul(target.latency.adc_conversion)
        } else {
            0
        };
        StepCycles {
            read: target.latency.array_step.max(1),
            convert,
            shift_add: target.latency.shift_add,
        }
    }

    /// I = max(read, convert, shift-add): the pipeline's interval.
    pub fn interval(&self) -> u64 {
        self.read.max(self.convert).max(self.shift_add)
    }

    /// read + convert + shift-add − I: the other stages' fill and drain.
    pub fn fill(&self) -> u64 {
        self.read
            .saturating_add(self.convert)
            .saturating_add(self.shift_add)
            - self.interval()
    }

    /// Cycles the array is busy with `steps` steps: steps × I + fill (0 for
    /// no steps).
    pub fn cycles(&self, steps: u64) -> u64 {
        if steps == 0 {
            0
        } else {
            steps
                .saturating_mul(self.interval())
                .saturating_add(self.fill())
        }
    }
}

// ---------------------------------------------------------------------------
// One mvm.

/// One mvm as the crossbar reads it: the attributes of a `cim.mvm` and the
/// shape of its tile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Mvm {
    /// n: input vectors (windows).
    pub vectors: u64,
    /// R: rows of the tile (input elements per vector).
    pub rows: u32,
    /// C: columns of the tile (outputs per vector).
    pub cols: u32,
    /// B: bits per input element.
    pub input_bits: u32,
    /// d: input bits per read step.
    pub dac_bits: u32,
    /// a: ADC bits; 0 means no ADC (an exact adder tree).
    pub adc_bits: u32,
    /// k: one ADC LSB is 2^k sum units (the ADC's range, `cim.adc_shift`).
    pub adc_shift: u32,
    /// A: rows driven in one read step.
    pub max_active_rows: u32,
}

impl Mvm {
    /// T = ⌈B/d⌉.
    pub fn digits(&self) -> u32 {
        digits(self.input_bits, self.dac_bits)
    }

    /// G = ⌈R/A⌉.
    pub fn row_groups(&self) -> u32 {
        row_groups(self.rows, self.max_active_rows)
    }

    /// n · T · G ([`steps`]).
    pub fn steps(&self) -> u64 {
        steps(
            self.vectors,
            self.rows,
            self.input_bits,
            self.dac_bits,
            self.max_active_rows,
        )
    }

    /// n · T · R: every row is driven once per digit.
    pub fn row_activations(&self) -> u64 {
        self.vectors
            .saturating_mul(self.digits().into())
            .saturating_mul(self.rows.into())
    }

    /// The largest |digit| its inputs apply ([`max_input_digit`]).
    pub fn max_digit(&self) -> u64 {
        max_input_digit(self.input_bits, self.dac_bits)
    }

    /// The largest |column sum| of one step of a column whose cells hold
    /// `stored` (row order): [`max_group_level_sum`] × [`Mvm::max_digit`].
    pub fn column_sum_bound(&self, stored: impl IntoIterator<Item = u64>) -> u64 {
        column_sum_bound(
            max_group_level_sum(stored, self.max_active_rows),
            self.max_digit(),
        )
    }

    /// Whether its ADC is ideal for a column whose cells hold `stored`: no
    /// step's sum can reach the clamp ([`adc_is_ideal`]) and one LSB is one
    /// sum unit (with k > 0 the low k bits of every sum are rounded off).
    pub fn adc_is_ideal_for(&self, stored: impl IntoIterator<Item = u64>) -> bool {
        self.adc_bits == 0
            || (self.adc_shift == 0 && adc_is_ideal(self.column_sum_bound(stored), self.adc_bits))
    }

    /// Everything it costs on `target`.
    pub fn cost(&self, target: &Target) -> MvmCost {
        let (n, r, c) = (self.vectors, u64::from(self.rows), u64::from(self.cols));
        let steps = self.steps();
        let row_activations = self.row_activations();
        let has_adc = self.adc_bits > 0;
        let step = StepCycles::new(target, self.cols, has_adc);
        let conversions = if has_adc { steps.saturating_mul(c) } else { 0 };
        let shift_adds = steps.saturating_mul(c);
        let load_bytes = n
            .saturating_mul(r)
            .saturating_mul(self.input_bits.div_ceil(8).into());
        let store_bytes = n.saturating_mul(c).saturating_mul(4);
        let port = |bytes: u64| {
            if bytes == 0 {
                0
            } else {
                target.latency.buffer_access.saturating_add(div_ceil(
                    bytes,
                    target.buffer.bandwidth_bytes_per_cycle.into(),
                ))
            }
        };
        let e = &target.energy;
        MvmCost {
            steps,
            row_activations,
            step,
            array_cycles: step.cycles(steps),
            conversions,
            shift_adds,
            load_bytes,
            store_bytes,
            load_cycles: port(load_bytes),
            store_cycles: port(store_bytes),
            ops: n.saturating_mul(r).saturating_mul(c).saturating_mul(2),
            read_energy: ReadEnergy {
                array: row_activations as f64 * e.array_step_per_row,
                dac: row_activations as f64 * e.dac_per_row,
                adc: conversions as f64 * e.adc_conversion,
                shift_add: shift_adds as f64 * e.shift_add,
            },
            load_energy_pj: load_bytes as f64 * e.buffer_access_per_byte,
            store_energy_pj: store_bytes as f64 * e.buffer_access_per_byte,
        }
    }
}

/// The energy of an mvm's read steps by component, in pJ.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ReadEnergy {
    /// Row activations × `energy.array_step_per_row`.
    pub array: f64,
    /// Row activations × `energy.dac_per_row`.
    pub dac: f64,
    /// Conversions × `energy.adc_conversion`.
    pub adc: f64,
    /// Shift-and-adds × `energy.shift_add`.
    pub shift_add: f64,
}

/// Everything one mvm costs ([`Mvm::cost`]).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct MvmCost {
    /// Array read steps: n · T · G.
    pub steps: u64,
    /// Row activations: n · T · R.
    pub row_activations: u64,
    /// The stages of one step (C = the tile's columns).
    pub step: StepCycles,
    /// Cycles the array is busy: steps × I + fill ([`StepCycles::cycles`]).
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
    /// ⌈load_bytes / `buffer.bandwidth_bytes_per_cycle`⌉ (0 for no bytes).
    pub load_cycles: u64,
    /// Same for the store.
    pub store_cycles: u64,
    /// Operations: 2 · n · R · C.
    pub ops: u64,
    /// Energy of the read steps.
    pub read_energy: ReadEnergy,
    /// Energy of the load (buffer).
    pub load_energy_pj: f64,
    /// Energy of the store (buffer).
    pub store_energy_pj: f64,
}

// ---------------------------------------------------------------------------
// Writing tiles.

/// Writing a tile: `rows × latency.program_row` cycles on its array,
/// `rows × cols × energy.program_cell` pJ.
pub fn program(target: &Target, rows: u32, cols: u32) -> (u64, f64) {
    let cycles = u64::from(rows).saturating_mul(target.latency.program_row);
    let energy = (u64::from(rows) * u64::from(cols)) as f64 * target.energy.program_cell;
    (cycles, energy)
}

#[cfg(test)]
mod tests;
