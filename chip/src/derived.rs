//! Quantities derived from a target, with their formulas.
//!
//! Notation (all from the target): R = `array.rows`, A =
//! `array.max_active_rows`, C = `array.cols`, c = `array.cell_bits`,
//! d = `array.dac_bits`, b = `array.adc.bits`, M = 2^c − 1 (largest cell
//! level), D = 2^d − 1 (largest input level per step), L = 2^b − 1 (largest
//! ADC code). A column sum is Σ over the active rows of input level × cell
//! level, counted in "sum units" (one unit = level 1 × level 1).
//!
//! The formulas assume a validated target; on an unvalidated one they do
//! not panic (zero widths count as 1, products saturate). The crossbar
//! formulas (steps, cycles, column-sum bounds, ADC bits) live in
//! [`crate::cost`]; the methods here are their worst case over the target.

use std::fmt;

use crate::cost::{self, StepCycles};
use crate::schema::{AdcRange, Encoding};
use crate::Target;

impl Target {
    /// Total arrays N = chip.cores × core.macros × macro.arrays.
    pub fn total_arrays(&self) -> u64 {
        u64::from(self.chip.cores)
            .saturating_mul(self.core.macros.into())
            .saturating_mul(self.macro_.arrays.into())
    }

    /// Total cells N × R × C.
    pub fn total_cells(&self) -> u64 {
        self.total_arrays()
            .saturating_mul(self.array.rows.into())
            .saturating_mul(self.array.cols.into())
    }

    /// M = 2^cell_bits − 1, the largest cell level.
    pub fn max_cell_level(&self) -> u64 {
        cost::max_cell_level(self.array.cell_bits)
    }

    /// D = 2^dac_bits − 1, the largest input level applied in one step
    /// (whatever the input width: ≥ [`cost::max_input_digit`] of any).
    pub fn max_input_level(&self) -> u64 {
        cost::max_input_level(self.array.dac_bits)
    }

    /// Worst-case column sum without weight flip: A × M × D.
    pub fn worst_case_column_sum(&self) -> u64 {
        self.column_sum_bound(false)
    }

    /// [`cost::column_sum_bound`] of A rows at level M, halved by the flip
    /// if `flip`, driven at D.
    fn column_sum_bound(&self, flip: bool) -> u64 {
        let rows =
            cost::worst_group_level_sum(self.array.max_active_rows, self.max_cell_level(), flip);
        cost::column_sum_bound(rows, self.max_input_level())
    }

    /// Largest column sum the ADC must resolve: A × M × D, or with
    /// `array.weight_flip` ⌊A × M / 2⌋ × D.
    ///
    /// The flip rule: for each column and each group of rows read together,
    /// the mapper stores either the cell levels w or their complements M − w,
    /// whichever has the smaller sum; that sum is then ≤ ⌊A·M/2⌋ (if Σw >
    /// A·M/2 then Σ(M−w) = A·M − Σw < A·M/2), and a step's output is at most
    /// D times it. The flipped column's true result is recovered digitally
    /// as M × (sum of the inputs) − output.
    pub fn max_column_sum(&self) -> u64 {
        self.column_sum_bound(self.array.weight_flip)
    }

    /// ADC bits that resolve every column sum without flip:
    /// ⌈log2(A × (2^c − 1) × (2^d − 1) + 1)⌉.
    pub fn ideal_adc_bits(&self) -> u32 {
        cost::ideal_adc_bits(self.worst_case_column_sum())
    }

    /// ADC bits that resolve every column sum, with the flip if the target
    /// uses it: ⌈log2(max_column_sum + 1)⌉.
    pub fn required_adc_bits(&self) -> u32 {
        cost::ideal_adc_bits(self.max_column_sum())
    }

    /// The ADC shift k of the target's range policy (`cim.adc_shift` of
    /// every mvm before calibration): with `full-scale`, the smallest k
    /// whose range (2^bits − 1)·2^k covers max_column_sum
    /// ([`cost::full_scale_adc_shift`]); 0 with `clipped` (one LSB is one
    /// sum unit) and without an ADC.
    pub fn adc_shift(&self) -> u32 {
        match self.array.adc.range {
            AdcRange::FullScale => {
                cost::full_scale_adc_shift(self.max_column_sum(), self.array.adc.bits)
            }
            AdcRange::Clipped | AdcRange::None => 0,
        }
    }

    /// σ, in integer steps of a `weight_bits`-bit weight, of the error
    /// programming noise leaves on a stored weight: each of its
    /// S = ⌈B / c⌉ slices errs by `programming_sigma`·(2^c − 1) levels, slice
    /// s weighing 2^(s·c), so σ_p·M·√(Σ_s 4^(s·c)); the differential
    /// encoding's two columns per slice make it √2 larger. The noise
    /// noise-aware weight ranges trade against rounding and clipping.
    pub fn weight_noise_lsb(&self, weight_bits: u32) -> f64 {
        let c = self.array.cell_bits;
        let slices = weight_bits.div_ceil(c.max(1));
        let m = cost::max_cell_level(c) as f64;
        let spread: f64 = (0..slices).map(|s| 4f64.powi((s * c) as i32)).sum();
        let columns = match self.array.encoding {
            Encoding::Offset => 1.0,
            Encoding::Differential => 2.0,
        };
        self.non_idealities.programming_sigma * m * (spread * columns).sqrt()
    }

    /// Whether every column sum converts exactly: always for a digital
    /// macro (`adc.range = "none"`), else when max_column_sum ≤ L = 2^b − 1.
    pub fn adc_is_lossless(&self) -> bool {
        self.adc_loss().is_none()
    }

    /// Why the ADC loses information, or `None` when it does not.
    pub fn adc_loss(&self) -> Option<AdcLoss> {
        let adc = &self.array.adc;
        if adc.range == AdcRange::None {
            return None;
        }
        let max_code = cost::max_adc_code(adc.bits);
        let sum = self.max_column_sum();
        (sum > max_code).then(|| AdcLoss {
            range: adc.range,
            adc_bits: adc.bits,
            max_code,
            max_column_sum: sum,
            active_rows: self.array.max_active_rows,
            max_cell_level: self.max_cell_level(),
            max_input_level: self.max_input_level(),
            weight_flip: self.array.weight_flip,
            required_bits: self.required_adc_bits(),
            lossless_active_rows: self.max_lossless_active_rows(),
        })
    }

    /// Most active rows (≤ R) whose column sums the ADC converts exactly:
    /// ⌊L / (M·D)⌋ without flip, ⌊(2(⌊L/D⌋ + 1) − 1) / M⌋ with it (the
    /// largest A with ⌊A·M/2⌋·D ≤ L); R for a digital macro. May be 0.
    pub fn max_lossless_active_rows(&self) -> u32 {
        let rows = u64::from(self.array.rows);
        if self.array.adc.range == AdcRange::None {
            return self.array.rows;
        }
        let l = cost::max_adc_code(self.array.adc.bits);
        let m = self.max_cell_level().max(1);
        let d = self.max_input_level().max(1);
        let a = if self.array.weight_flip {
            (2 * (l / d + 1) - 1) / m
        } else {
            l / m.saturating_mul(d)
        };
        a.min(rows) as u32
    }

    /// Cells (bit slices) per weight: ⌈weight_bits / cell_bits⌉.
    pub fn slices(&self, weight_bits: u32) -> u32 {
        weight_bits.div_ceil(self.array.cell_bits.max(1))
    }

    /// Columns per weight: slices, × 2 for the differential encoding (a
    /// positive and a negative column per slice).
    pub fn columns_per_weight(&self, weight_bits: u32) -> u32 {
        let factor = match self.array.encoding {
            Encoding::Offset => 1,
            Encoding::Differential => 2,
        };
        self.slices(weight_bits).saturating_mul(factor)
    }

    /// Weights one array holds: R × ⌊C / columns_per_weight⌋.
    pub fn weights_per_array(&self, weight_bits: u32) -> u64 {
        let per_row = self.array.cols / self.columns_per_weight(weight_bits).max(1);
        u64::from(self.array.rows) * u64::from(per_row)
    }

    /// Read steps to apply one input: ⌈input_bits / dac_bits⌉
    /// ([`cost::digits`]).
    pub fn input_cycles(&self, input_bits: u32) -> u32 {
        cost::digits(input_bits, self.array.dac_bits)
    }

    /// Whether the arrays have ADCs (not a digital macro).
    pub fn has_adc(&self) -> bool {
        self.array.adc.range != AdcRange::None
    }

    /// Conversions one ADC makes per read step: ⌈C / adc.per_array⌉
    /// (0 for a digital macro).
    pub fn adc_conversions_per_step(&self) -> u64 {
        if self.has_adc() {
            cost::conversions_per_adc(self.array.cols, self.array.adc.per_array)
        } else {
            0
        }
    }

    /// Cycles to convert one read step: ⌈C / adc.per_array⌉ ×
    /// latency.adc_conversion.
    pub fn adc_cycles_per_step(&self) -> u64 {
        self.step_cycles().convert
    }

    /// The pipelined stages of one read step of a full array (all C
    /// columns): [`StepCycles`].
    pub fn step_cycles(&self) -> StepCycles {
        StepCycles::new(self, self.array.cols, self.has_adc())
    }

    /// One clock cycle in nanoseconds: 1000 / clock_mhz.
    pub fn cycle_ns(&self) -> f64 {
        1000.0 / self.clock_mhz
    }

    /// Chip area in mm²: cores × (area.core + macros × (area.macro_periphery
    /// + arrays × (area.array + adc.per_array × area.adc))).
    pub fn chip_area_mm2(&self) -> f64 {
        let array = self.area.array + f64::from(self.array.adc.per_array) * self.area.adc;
        let macro_ = self.area.macro_periphery + f64::from(self.macro_.arrays) * array;
        let core = self.area.core + f64::from(self.core.macros) * macro_;
        f64::from(self.chip.cores) * core
    }
}

/// How an ADC loses information (see [`Target::adc_loss`]); its `Display`
/// explains it in one sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdcLoss {
    /// `full-scale` (low bits lost) or `clipped` (high sums saturate).
    pub range: AdcRange,
    pub adc_bits: u32,
    /// L = 2^adc_bits − 1.
    pub max_code: u64,
    /// The largest column sum (after the flip, if any).
    pub max_column_sum: u64,
    pub active_rows: u32,
    pub max_cell_level: u64,
    pub max_input_level: u64,
    pub weight_flip: bool,
    /// ADC bits that would make it lossless.
    pub required_bits: u32,
    /// Most active rows that would make it lossless (may be 0).
    pub lossless_active_rows: u32,
}

impl fmt::Display for AdcLoss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "column sums reach {} ({} active rows × cell level {} × input level {}{}) but the {}-bit ADC's largest code is {}",
            self.max_column_sum,
            self.active_rows,
            self.max_cell_level,
            self.max_input_level,
            if self.weight_flip { ", halved by weight_flip" } else { "" },
            self.adc_bits,
            self.max_code,
        )?;
        match self.range {
            AdcRange::Clipped => {
                write!(f, ": sums above {} saturate (clipped range)", self.max_code)?
            }
            _ => {
                let k = cost::full_scale_adc_shift(self.max_column_sum, self.adc_bits);
                write!(
                    f,
                    ": with a full-scale range one LSB spans 2^{k} = {} sum units, so the low {k} bit(s) of every partial sum are rounded off",
                    1u64 << k,
                )?
            }
        }
        write!(f, "; lossless with {} ADC bits", self.required_bits)?;
        if self.lossless_active_rows > 0 {
            write!(f, " or at most {} active rows", self.lossless_active_rows)?;
        }
        if !self.weight_flip {
            f.write_str(", or try weight_flip")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::{AdcRange, Encoding, Target};

    fn isaac() -> Target {
        Target::preset("isaac").unwrap()
    }

    #[test]
    fn totals() {
        let t = isaac();
        assert_eq!(t.total_arrays(), 168 * 12 * 8);
        assert_eq!(t.total_cells(), 168 * 12 * 8 * 128 * 128);
        assert!((t.cycle_ns() - 0.78125).abs() < 1e-12);
        // ISAAC's published chip area (without HyperTransport) is 62.5 mm².
        assert!(
            (t.chip_area_mm2() - 62.5).abs() < 0.1,
            "{}",
            t.chip_area_mm2()
        );
    }

    #[test]
    fn isaac_adc_bits_and_flip() {
        let mut t = isaac();
        // 128 rows × 3 × 1 = 384 → ⌈log2(385)⌉ = 9.
        assert_eq!(t.worst_case_column_sum(), 384);
        assert_eq!(t.ideal_adc_bits(), 9);
        // With the flip: ⌊128·3/2⌋·1 = 192 ≤ 255.
        assert_eq!(t.max_column_sum(), 192);
        assert_eq!(t.required_adc_bits(), 8);
        assert!(t.adc_is_lossless());
        assert_eq!(t.max_lossless_active_rows(), 128);

        t.array.weight_flip = false;
        assert_eq!(t.max_column_sum(), 384);
        assert_eq!(t.ideal_adc_bits(), 9);
        assert!(!t.adc_is_lossless());
        assert_eq!(t.max_lossless_active_rows(), 85); // 85 × 3 = 255
        let loss = t.adc_loss().unwrap();
        assert_eq!(
            loss.to_string(),
            "column sums reach 384 (128 active rows × cell level 3 × input level 1) but the \
             8-bit ADC's largest code is 255: with a full-scale range one LSB spans 2^1 = 2 sum \
             units, so the low 1 bit(s) of every partial sum are rounded off; lossless with 9 ADC \
             bits or at most 85 active rows, or try weight_flip"
        );

        t.array.adc.range = AdcRange::Clipped;
        assert!(t
            .adc_loss()
            .unwrap()
            .to_string()
            .contains("sums above 255 saturate (clipped range)"));
    }

    #[test]
    fn flip_bound_is_exact() {
        // The largest A with ⌊A·M/2⌋·D ≤ L, checked by brute force.
        let mut t = isaac();
        t.array.rows = 1024;
        for cell_bits in 1..=4 {
            for dac_bits in 1..=3 {
                for adc_bits in 4..=9 {
                    t.array.cell_bits = cell_bits;
                    t.array.dac_bits = dac_bits;
                    t.array.adc.bits = adc_bits;
                    for flip in [false, true] {
                        t.array.weight_flip = flip;
                        let expect = (0..=1024u32)
                            .rev()
                            .find(|&a| {
                                t.array.max_active_rows = a;
                                t.max_column_sum() < (1 << adc_bits)
                            })
                            .unwrap();
                        assert_eq!(t.max_lossless_active_rows(), expect);
                    }
                }
            }
        }
    }

    #[test]
    fn slices_columns_and_cycles() {
        let mut t = isaac();
        assert_eq!(t.slices(8), 4);
        assert_eq!(t.slices(7), 4);
        assert_eq!(t.slices(1), 1); // weight_bits < cell_bits is one slice
        assert_eq!(t.columns_per_weight(8), 4);
        assert_eq!(t.weights_per_array(8), 128 * 32);
        assert_eq!(t.input_cycles(8), 8);
        assert_eq!(t.input_cycles(16), 16);
        assert_eq!(t.adc_conversions_per_step(), 128);
        assert_eq!(t.adc_cycles_per_step(), 128);
        t.array.encoding = Encoding::Differential;
        assert_eq!(t.columns_per_weight(8), 8);
        t.array.dac_bits = 3;
        assert_eq!(t.input_cycles(8), 3);
    }

    #[test]
    fn presets_derived() {
        let puma = Target::preset("puma").unwrap();
        assert_eq!(puma.ideal_adc_bits(), 9);
        assert!(!puma.adc_is_lossless());
        let nor = Target::preset("nor-flash").unwrap();
        // 256 × 15 × 255 = 979200 → 20 bits.
        assert_eq!(nor.ideal_adc_bits(), 20);
        assert!(!nor.adc_is_lossless());
        assert_eq!(nor.max_lossless_active_rows(), 0);
        assert!(!nor.adc_loss().unwrap().to_string().contains("active rows,"));
        assert_eq!(nor.columns_per_weight(8), 4);
        assert_eq!(nor.adc_conversions_per_step(), 8);
        assert_eq!(nor.adc_cycles_per_step(), 16);
        assert_eq!(nor.input_cycles(8), 1);
        let sram = Target::preset("sram-digital").unwrap();
        assert!(sram.adc_is_lossless());
        assert_eq!(sram.adc_cycles_per_step(), 0);
        assert_eq!(sram.max_lossless_active_rows(), 256);
        assert_eq!(sram.slices(8), 8);
        assert_eq!(sram.input_cycles(8), 8);
    }
}
