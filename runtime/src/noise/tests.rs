//! Statistical tests of the analog chip: measured spreads, rates and the
//! drift law against the configured ones (within a few standard errors of
//! the sample), and reproducibility by seed.

use super::*;
use crate::ids::ArrayId;
use crate::mvm::{KernelChoice, MvmKernel, MvmParams};
use crate::sim::{MvmIssue, Simulator};

fn model(set: impl FnOnce(&mut NonIdealities)) -> Analog {
    let mut n = NonIdealities::default();
    set(&mut n);
    Analog { n }
}

fn uniform_tile(rows: u32, cols: u32, cell_bits: u32, level: u8) -> Tile {
    Tile::new(
        rows,
        cols,
        cell_bits,
        vec![level; (rows * cols) as usize],
        vec![],
    )
    .unwrap()
}

fn mean_std(x: impl Iterator<Item = f64> + Clone) -> (f64, f64, usize) {
    let n = x.clone().count();
    let mean = x.clone().sum::<f64>() / n as f64;
    let var = x.map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1) as f64;
    (mean, var.sqrt(), n)
}

#[test]
fn programming_error_has_the_configured_sigma() {
    let sigma = 0.02;
    let m = model(|n| n.programming_sigma = sigma);
    // 16-level cells at level 8: the clamp at 0 and 15 is 25 σ away.
    let tile = uniform_tile(128, 128, 4, 8);
    let p = m.program(&tile, 7);
    let (mean, std, n) = mean_std(p.g.iter().map(|&g| f64::from(g)));
    let expected = sigma * 15.0;
    let se_mean = expected / (n as f64).sqrt();
    assert!((mean - 8.0).abs() < 4.0 * se_mean, "mean {mean}");
    // The standard error of a sample σ is σ/√(2n) (0.55 % here).
    let rel = (std - expected).abs() / expected;
    assert!(rel < 4.0 / (2.0 * n as f64).sqrt(), "σ {std} vs {expected}");
    assert_eq!(p.alpha, 1.0);
}

#[test]
fn stuck_cells_occur_at_the_configured_rates() {
    let (on, off) = (0.01, 0.03);
    let m = model(|n| {
        n.stuck_at_on_rate = on;
        n.stuck_at_off_rate = off;
    });
    let tile = uniform_tile(128, 128, 2, 1);
    let mut counts = (0u64, 0u64);
    let cells = 8 * tile.cells();
    for slot in 0..8 {
        let p = m.program(&tile, m.slot_key(slot, 0));
        let stuck_on = p.g.iter().filter(|&&g| g == 3.0).count() as u64;
        let stuck_off = p.g.iter().filter(|&&g| g == 0.0).count() as u64;
        assert_eq!((stuck_on, stuck_off), (p.stuck_on, p.stuck_off));
        // Every other cell holds its level exactly.
        assert_eq!(
            p.g.iter().filter(|&&g| g == 1.0).count() as u64,
            tile.cells() - stuck_on - stuck_off
        );
        counts.0 += stuck_on;
        counts.1 += stuck_off;
    }
    for (count, rate) in [(counts.0, on), (counts.1, off)] {
        let expected = rate * cells as f64;
        let se = (cells as f64 * rate * (1.0 - rate)).sqrt();
        assert!(
            (count as f64 - expected).abs() < 4.0 * se,
            "{count} vs {expected}"
        );
    }
}

#[test]
fn drift_follows_the_power_law_and_compensation_restores_the_mean() {
    let tile = uniform_tile(64, 64, 4, 10);
    for t in [10.0, 3600.0, 86_400.0, 3.15e7] {
        let m = model(|n| {
            n.drift_nu = 0.06;
            n.drift_t0_s = 1.0;
            n.drift_t_s = t;
        });
        let p = m.program(&tile, 1);
        let expected = 10.0 * t.powf(-0.06);
        for &g in &p.g {
            assert!(
                (f64::from(g) - expected).abs() < 1e-4 * expected,
                "{g} vs {expected}"
            );
        }
        assert!((p.alpha - t.powf(0.06)).abs() < 1e-9 * p.alpha);
        // Without compensation the readings are not scaled back.
        let raw = model(|n| {
            n.drift_nu = 0.06;
            n.drift_t_s = t;
            n.drift_compensation = false;
        });
        assert_eq!(raw.program(&tile, 1).alpha, 1.0);
    }
    // A spread of ν: ln(g/g0) = −ν·ln(t/t0), so its mean and σ are ν̄'s and
    // σ_ν's times −ln(t/t0) (ν̄ = 5 σ_ν: the clip at 0 is negligible).
    let t = 1e4f64;
    let m = model(|n| {
        n.drift_nu = 0.1;
        n.drift_nu_sigma = 0.02;
        n.drift_t_s = t;
    });
    let p = m.program(&tile, 3);
    let (mean, std, n) = mean_std(p.g.iter().map(|&g| -(f64::from(g) / 10.0).ln() / t.ln()));
    assert!(
        (mean - 0.1).abs() < 4.0 * 0.02 / (n as f64).sqrt(),
        "ν̄ {mean}"
    );
    assert!(
        (std - 0.02).abs() < 4.0 * 0.02 / (2.0 * n as f64).sqrt(),
        "σ_ν {std}"
    );
}

fn params(adc_bits: u32) -> MvmParams {
    MvmParams {
        input_bits: 8,
        dac_bits: 8,
        adc_bits,
        adc_shift: 0,
        max_active_rows: 64,
    }
}

#[test]
fn read_noise_has_the_configured_sigma() {
    let sigma = 0.01;
    let m = model(|n| n.read_noise_sigma = sigma);
    // Cells at level 0 and no programming error: every reading is noise.
    let tile = uniform_tile(64, 64, 4, 0);
    let k = MvmKernel::analog(&tile, params(0), &m, 5).unwrap();
    let n = 512;
    let input: Vec<i8> = (0..n * 64).map(|i| (i % 251) as i8).collect();
    let mut out = vec![0; n * 64];
    k.run_read(&input, n, &mut out, 0).unwrap();
    // One signed 8-bit digit: σ of a sum = σ_r · 15 · 255 sum units.
    let expected = sigma * 15.0 * 255.0;
    let (mean, std, count) = mean_std(out.iter().map(|&v| f64::from(v)));
    assert!(
        mean.abs() < 4.0 * expected / (count as f64).sqrt(),
        "mean {mean}"
    );
    // Rounding to integers adds 1/12 to the variance.
    let expected = (expected * expected + 1.0 / 12.0).sqrt();
    assert!(
        (std - expected).abs() < 4.0 * expected / (2.0 * count as f64).sqrt(),
        "σ {std} vs {expected}"
    );
    // Another read draws other noise; the same read the same.
    let mut again = vec![0; n * 64];
    k.run_read(&input, n, &mut again, 0).unwrap();
    assert_eq!(again, out);
    k.run_read(&input, n, &mut again, 1).unwrap();
    assert_ne!(again, out);
}

/// One vector whose single 8-bit digit is `x` on every row of a tile whose
/// cells hold level 1 (the column sum is rows·x), through an ADC of
/// `adc_bits` whose LSB is 2^`adc_shift` sum units.
fn read_sum(m: &Analog, rows: u32, x: i8, adc_bits: u32, adc_shift: u32) -> i32 {
    let tile = uniform_tile(rows, 2, 2, 1);
    let p = MvmParams {
        adc_shift,
        ..params(adc_bits)
    };
    let k = MvmKernel::analog(&tile, p, m, 0).unwrap();
    let mut out = vec![0; 2];
    k.run(&vec![x; rows as usize], 1, &mut out).unwrap();
    assert_eq!(out[0], out[1]);
    out[0]
}

#[test]
fn adc_offset_gain_and_range() {
    // s = 20 · 5 = 100 sum units.
    assert_eq!(
        read_sum(&model(|n| n.adc_gain_error = 0.1), 20, 5, 8, 0),
        110
    );
    assert_eq!(
        read_sum(&model(|n| n.adc_offset_lsb = 0.6), 20, 5, 8, 0),
        101
    );
    // Sums above the largest code saturate.
    assert_eq!(
        read_sum(&model(|n| n.adc_offset_lsb = 0.4), 20, 5, 6, 0),
        63
    );
    // One LSB of 2^2 = 4 sum units: the nearest code, halves up.
    let m = model(|n| n.adc_offset_lsb = 0.1);
    assert_eq!(read_sum(&m, 20, 5, 8, 2), 100);
    assert_eq!(read_sum(&m, 9, 1, 8, 2), 8); // 9 / 4 + 0.1 = 2.35 → 2 LSB
    assert_eq!(read_sum(&m, 11, 1, 8, 2), 12); // 2.85 → 3 LSB
    let exact = model(|n| n.programming_sigma = 0.0);
    assert_eq!(read_sum(&exact, 10, 1, 8, 2), 12); // 2.5 → 3 LSB
    assert_eq!(read_sum(&exact, 14, 1, 8, 2), 16); // 3.5 → 4 LSB
    assert_eq!(read_sum(&exact, 10, 1, 0, 2), 10); // no ADC, no LSB
}

fn isaac_with(settings: &str) -> Simulator {
    Simulator::from_toml(&format!("base = \"isaac\"\n[non_idealities]\n{settings}")).unwrap()
}

/// Programs two arrays with the same tile, reads them in `order`, returns
/// each array's result.
fn two_arrays(settings: &str, order: [usize; 2], kernel: KernelChoice) -> Vec<Vec<i32>> {
    let mut sim = isaac_with(settings);
    sim.set_kernel_choice(kernel);
    let tile = Tile::new(
        128,
        16,
        2,
        (0..128 * 16).map(|i| (i * 7 % 4) as u8).collect(),
        vec![],
    )
    .unwrap();
    let ids = [ArrayId::new(0, 0, 0), ArrayId::new(3, 1, 2)];
    for &i in order.iter().rev() {
        sim.program(ids[i], 0, tile.clone()).unwrap();
    }
    let input: Vec<i8> = (0..128 * 4).map(|i| (i * 37 % 256) as u8 as i8).collect();
    let mut results = vec![Vec::new(); 2];
    for &i in &order {
        let mut out = vec![0; 4 * 16];
        sim.mvm(
            &MvmIssue {
                array: ids[i],
                phase: 0,
                input: &input,
                n: 4,
                rows: 128,
                cols: 16,
                params: MvmParams {
                    input_bits: 8,
                    dac_bits: 1,
                    adc_bits: 8,
                    adc_shift: 0,
                    max_active_rows: 128,
                },
                stage: 0,
                deps: &[],
            },
            &mut out,
        )
        .unwrap();
        results[i] = out;
    }
    results
}

#[test]
fn the_seed_fixes_the_chip_whatever_the_order_and_kernel() {
    let noisy =
        "seed = 11\nprogramming_sigma = 0.05\nread_noise_sigma = 0.01\nstuck_at_off_rate = 0.01";
    let a = two_arrays(noisy, [0, 1], KernelChoice::Auto);
    let b = two_arrays(noisy, [1, 0], KernelChoice::BitPlane);
    assert_eq!(a, b);
    // The two arrays are different instances of the same weights.
    assert_ne!(a[0], a[1]);
    let other = two_arrays(
        &noisy.replace("seed = 11", "seed = 12"),
        [0, 1],
        KernelChoice::Auto,
    );
    assert_ne!(a, other);
    // Without non-idealities both arrays compute the exact result.
    let exact = two_arrays("", [0, 1], KernelChoice::Auto);
    assert_eq!(exact[0], exact[1]);
    let stats = isaac_with(noisy).stats();
    let analog = stats.analog.expect("an analog chip");
    assert_eq!(analog.seed, 11);
    assert_eq!(
        analog.enabled,
        [
            "non_idealities.programming_sigma",
            "non_idealities.read_noise_sigma",
            "non_idealities.stuck_at_off_rate"
        ]
    );
    assert!(isaac_with("").stats().analog.is_none());
}
