//! The cost model's formulas against hand-computed values.

use super::*;
use crate::{AdcRange, PRESET_NAMES};

fn isaac() -> Target {
    Target::preset("isaac").unwrap()
}

#[test]
fn digits_row_groups_and_steps() {
    assert_eq!(digits(8, 1), 8);
    assert_eq!(digits(8, 2), 4);
    assert_eq!(digits(7, 2), 4);
    assert_eq!(digits(8, 8), 1);
    assert_eq!(digits(4, 8), 1);
    assert_eq!(digits(8, 0), 8); // d = 0 counts as 1
    assert_eq!(row_groups(5, 2), 3);
    assert_eq!(row_groups(128, 128), 1);
    assert_eq!(row_groups(147, 128), 2);
    assert_eq!(row_groups(0, 4), 0);
    assert_eq!(row_groups(5, 0), 5);
    // test/mapping/cim-schedule.mlir: 6 windows × ⌈8/2⌉ × ⌈5/2⌉ = 72.
    assert_eq!(steps(6, 5, 8, 2, 2), 72);
    assert_eq!(steps(6, 5, 4, 1, 128), 24);
    // ResNet-18's conv1 on isaac: 12544 windows × 8 × 1 per array.
    assert_eq!(steps(12544, 128, 8, 1, 128), 100_352);
    assert_eq!(steps(u64::MAX, 128, 8, 1, 1), u64::MAX); // saturates
    let m = Mvm {
        vectors: 6,
        rows: 5,
        cols: 2,
        input_bits: 8,
        dac_bits: 2,
        adc_bits: 8,
        adc_shift: 0,
        max_active_rows: 2,
    };
    assert_eq!((m.digits(), m.row_groups(), m.steps()), (4, 3, 72));
    assert_eq!(m.row_activations(), 6 * 4 * 5);
}

#[test]
fn digit_bounds() {
    assert_eq!(max_input_level(1), 1);
    assert_eq!(max_input_level(8), 255);
    assert_eq!(max_cell_level(2), 3);
    assert_eq!(max_cell_level(4), 15);
    // Unsigned digits reach 2^d − 1 ...
    assert_eq!(max_input_digit(8, 1), 1);
    assert_eq!(max_input_digit(8, 2), 3);
    assert_eq!(max_input_digit(16, 8), 255);
    assert_eq!(max_input_digit(2, 1), 1);
    // ... a lone sign digit only −2^(d−1).
    assert_eq!(max_input_digit(8, 8), 128);
    assert_eq!(max_input_digit(4, 8), 128);
    assert_eq!(max_input_digit(1, 1), 1);
    assert_eq!(max_input_digit(3, 4), 8);
    // The target-level D bounds every input width.
    for d in 1..=8 {
        for b in 1..=32 {
            assert!(max_input_digit(b, d) <= max_input_level(d), "B {b}, d {d}");
        }
    }
}

#[test]
fn column_sum_bounds_and_adc_bits() {
    // Groups of 2: [1, 2] = 3, [3, 0] = 3, [5] = 5.
    assert_eq!(max_group_level_sum([1, 2, 3, 0, 5], 2), 5);
    assert_eq!(max_group_level_sum([3, 3], 128), 6);
    assert_eq!(max_group_level_sum([], 4), 0);
    assert_eq!(max_group_level_sum([4, 7, 1], 0), 7); // A = 0 counts as 1
    assert_eq!(worst_group_level_sum(128, 3, false), 384);
    assert_eq!(worst_group_level_sum(128, 3, true), 192);
    assert_eq!(worst_group_level_sum(85, 3, true), 127);
    assert_eq!(column_sum_bound(384, 1), 384);
    assert_eq!(column_sum_bound(256 * 15, 255), 979_200);
    assert_eq!(ideal_adc_bits(0), 0);
    assert_eq!(ideal_adc_bits(1), 1);
    assert_eq!(ideal_adc_bits(255), 8);
    assert_eq!(ideal_adc_bits(256), 9);
    assert_eq!(ideal_adc_bits(384), 9);
    assert_eq!(ideal_adc_bits(979_200), 20);
    assert_eq!(max_adc_code(8), 255);
    assert!(adc_is_ideal(255, 8));
    assert!(!adc_is_ideal(256, 8));
    assert!(adc_is_ideal(u64::MAX, 0)); // no ADC
                                        // ideal_adc_bits is the least a with adc_is_ideal.
    for bound in 0..2000u64 {
        let a = ideal_adc_bits(bound);
        assert!(adc_is_ideal(bound, a.max(1)));
        assert!(a <= 1 || !adc_is_ideal(bound, a - 1), "bound {bound}");
    }
    // test/mapping/cim-lower-to-tosa.mlir: two rows of level 3 read with a
    // 1-bit DAC sum to 6, beyond a 2-bit ADC; complemented they sum to 0.
    let m = Mvm {
        vectors: 4,
        rows: 2,
        cols: 1,
        input_bits: 8,
        dac_bits: 1,
        adc_bits: 2,
        adc_shift: 0,
        max_active_rows: 128,
    };
    assert_eq!(m.column_sum_bound([3, 3]), 6);
    assert!(!m.adc_is_ideal_for([3, 3]));
    assert!(m.adc_is_ideal_for([0, 0]));
    // One 8-bit digit: 128 × (1 + 1) = 256 > 255, 128 × 1 fits.
    let one_digit = Mvm {
        dac_bits: 8,
        adc_bits: 8,
        adc_shift: 0,
        ..m
    };
    assert!(!one_digit.adc_is_ideal_for([1, 1]));
    assert!(one_digit.adc_is_ideal_for([1, 0]));
}

#[test]
fn a_tile_never_exceeds_its_target_bound() {
    // Without the flip, any tile of at most A-row groups at levels ≤ M, read
    // with any input width, stays within the target's A × M × D.
    let mut t = isaac();
    t.array.weight_flip = false;
    for cell_bits in 1..=4 {
        for dac_bits in 1..=8 {
            t.array.cell_bits = cell_bits;
            t.array.dac_bits = dac_bits;
            let m = max_cell_level(cell_bits);
            let worst = t.worst_case_column_sum();
            for input_bits in 1..=16 {
                let mvm = Mvm {
                    vectors: 1,
                    rows: 300,
                    cols: 1,
                    input_bits,
                    dac_bits,
                    adc_bits: 8,
                    adc_shift: 0,
                    max_active_rows: t.array.max_active_rows,
                };
                assert!(mvm.column_sum_bound(std::iter::repeat_n(m, 300)) <= worst);
            }
        }
    }
}

#[test]
fn step_cycles() {
    let t = isaac();
    // 128 columns on one ADC: 128 × 1 cycles; read 128, shift-add 1.
    let s = StepCycles::new(&t, 128, true);
    assert_eq!((s.read, s.convert, s.shift_add), (128, 128, 1));
    assert_eq!((s.interval(), s.fill()), (128, 129));
    assert_eq!(s.cycles(80), 80 * 128 + 129);
    assert_eq!(s.cycles(0), 0);
    assert_eq!(StepCycles::new(&t, 64, true).interval(), 128);
    assert_eq!(StepCycles::new(&t, 128, false).convert, 0);
    let puma = Target::preset("puma").unwrap();
    // 128 conversions outlast puma's 100-cycle read.
    assert_eq!(StepCycles::new(&puma, 128, true).interval(), 128);
    assert_eq!(StepCycles::new(&puma, 64, true).interval(), 100);
    let sram = Target::preset("sram-digital").unwrap();
    let s = sram.step_cycles();
    assert_eq!((s.read, s.convert, s.shift_add), (1, 0, 1));
    assert_eq!(s.cycles(10), 11);
    let mut slow = isaac();
    slow.latency.shift_add = 500;
    assert_eq!(slow.step_cycles().interval(), 500);
    assert_eq!(conversions_per_adc(1024, 128), 8);
    assert_eq!(conversions_per_adc(100, 0), 100);
}

#[test]
fn full_array_step_is_read_or_convert_on_every_preset() {
    // The mapping report's estimate used max(array_step, adc cycles per
    // step) before it called StepCycles; on every preset the shift-add
    // stage is never the slowest, so its numbers did not change.
    for name in PRESET_NAMES {
        let t = Target::preset(name).unwrap();
        let adc = if t.array.adc.range == AdcRange::None {
            0
        } else {
            u64::from(t.array.cols).div_ceil(t.array.adc.per_array.into())
                * t.latency.adc_conversion
        };
        assert_eq!(
            t.step_cycles().interval(),
            t.latency.array_step.max(adc),
            "{name}"
        );
    }
}

#[test]
fn one_mvm_on_isaac() {
    let t = isaac();
    let m = Mvm {
        vectors: 10,
        rows: 128,
        cols: 128,
        input_bits: 8,
        dac_bits: 1,
        adc_bits: 8,
        adc_shift: 0,
        max_active_rows: 128,
    };
    let c = m.cost(&t);
    assert_eq!(c.steps, 80);
    assert_eq!(c.row_activations, 10 * 8 * 128);
    assert_eq!(c.array_cycles, 80 * 128 + 129);
    assert_eq!(c.conversions, 80 * 128);
    assert_eq!(c.shift_adds, 80 * 128);
    assert_eq!((c.load_bytes, c.store_bytes), (1280, 5120));
    // buffer_access 2 + ⌈bytes / 48⌉.
    assert_eq!(c.load_cycles, 2 + 27);
    assert_eq!(c.store_cycles, 2 + 107);
    assert_eq!(c.ops, 2 * 10 * 128 * 128);
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
    assert!(close(c.read_energy.array, 10240.0 * 0.234));
    assert!(close(c.read_energy.dac, 10240.0 * 0.0004));
    assert!(close(c.read_energy.adc, 10240.0 * 1.5625));
    assert!(close(c.read_energy.shift_add, 10240.0 * 0.039));
    assert!(close(c.load_energy_pj, 1280.0 * 0.34));
    assert!(close(c.store_energy_pj, 5120.0 * 0.34));
    // Without an ADC nothing is converted.
    let exact = Mvm { adc_bits: 0, ..m }.cost(&t);
    assert_eq!((exact.conversions, exact.step.convert), (0, 0));
    assert_eq!(exact.read_energy.adc, 0.0);
    // No vectors, no cycles.
    let none = Mvm { vectors: 0, ..m }.cost(&t);
    assert_eq!(
        (none.array_cycles, none.load_cycles, none.store_cycles),
        (0, 0, 0)
    );
}

#[test]
fn programming_and_transfers() {
    let t = isaac();
    assert_eq!(program(&t, 128, 128), (128 * 1280, 128.0 * 128.0 * 10.0));
    // isaac's 168 cores: a mesh of 13 columns, numbered along a snake.
    assert_eq!(mesh_columns(&t), 13);
    assert_eq!(mesh_position(&t, 12), (12, 0));
    assert_eq!(mesh_position(&t, 13), (12, 1));
    assert_eq!(mesh_position(&t, 25), (0, 1));
    assert_eq!(hops(&t, 12, 13), 1);
    assert_eq!(hops(&t, 0, 25), 1);
    assert_eq!(hops(&t, 0, 167), 11 + 12);
    let c = transfer(&t, 100, 0, 2);
    assert_eq!((c.port_cycles, c.hops, c.hop_latency), (4, 2, 2));
    assert!((c.energy_pj - (2.0 * 100.0 * 0.34 + 200.0 * 0.1)).abs() < 1e-9);
    assert_eq!(transfer(&t, 100, 3, 3), Transfer::default());
    assert_eq!(spill(&t, 160), (2 * (128 + 10), 2.0 * 160.0 * 20.0));
    assert_eq!(spill(&t, 0), (0, 0.0));
}

#[test]
fn vector_units_and_the_host() {
    let t = isaac();
    // isaac: 16 lanes; pooling takes 2 cycles per lane group.
    assert_eq!(vector_op(&t, OpClass::Requantize, 33), (3, 33.0 * 0.5));
    assert_eq!(vector_op(&t, OpClass::Pool, 32), (4, 32.0 * 0.5));
    assert_eq!(spread_cycles(&t, OpClass::Activation, 100, 4), 2);
    assert_eq!(vector_op(&t, OpClass::Host, 10), host_op(&t, 10));
    assert_eq!(host_op(&t, 10), (10, 10.0));
    for class in OpClass::ALL {
        assert_eq!(OpClass::from_code(class.code()), Some(class));
        assert_eq!(class.on_chip(), class_cycles(&t, class).is_some());
    }
    assert_eq!(OpClass::from_code(6), None);
}

#[test]
fn replication_minimises_the_period_exactly() {
    let t = isaac();
    let tile = |rows: u32| Mvm {
        vectors: 0,
        rows,
        cols: 128,
        input_bits: 8,
        dac_bits: 1,
        adc_bits: 8,
        adc_shift: 0,
        max_active_rows: 128,
    };
    let layer = |name: &str, windows: u64, tiles: usize| LayerShape {
        name: name.into(),
        windows,
        tiles: vec![tile(128); tiles],
        digital_elements: windows * 64,
        post: Vec::new(),
    };
    let layers = [layer("a", 3136, 2), layer("b", 784, 5), layer("c", 49, 9)];
    // Brute force over every replica vector within 12 copies and 40 arrays.
    let period = |r: &[u64]| {
        layers
            .iter()
            .zip(r)
            .map(|(l, r)| stage(&t, l, *r).cycles)
            .max()
            .unwrap()
    };
    let mut best = u64::MAX;
    for a in 1..=12u64 {
        for b in 1..=12u64 {
            for c in 1..=12u64 {
                if 2 * a + 5 * b + 9 * c <= 40 {
                    best = best.min(period(&[a, b, c]));
                }
            }
        }
    }
    let r = replicate_for_period(&t, &layers, 40, 12);
    assert_eq!(period(&r), best);
    assert!(
        layers
            .iter()
            .zip(&r)
            .map(|(l, r)| l.arrays() * r)
            .sum::<u64>()
            <= 40
    );
    // The first layer has the most windows: it gets the most copies.
    assert!(r[0] >= r[1] && r[1] >= r[2], "{r:?}");
    // No budget beyond one copy each: no replication.
    assert_eq!(replicate_for_period(&t, &layers, 16, 12), vec![1, 1, 1]);
    assert_eq!(replicate_for_period(&t, &layers, 15, 12), vec![1, 1, 1]);
    // One copy of a: 3136 windows × 8 steps × 128 cycles + fill.
    let s = stage(&t, &layers[0], 1);
    assert_eq!(s.array_cycles, 3136 * 8 * 128 + 129);
    assert_eq!(s.bound, StageBound::Arrays);
    assert!(period_bound(&t, &layers, 16128) < s.cycles as f64);
}
