//! Times AdaRound on one layer and prints its reconstruction losses.
//!
//! ```sh
//! CARGO_PROFILE_RELEASE_OPT_LEVEL=2 cargo run --release -p cimc-quant --example adaround_bench -- [O K N BITS ITERS BATCH]
//! ```
//!
//! Defaults: a 64 × 576 weight (3×3×64 → 64 convolution), 2000 input rows,
//! 4 bits, the default options.

use std::time::Instant;

use cimc_quant::range::{weight_grid, WeightRange};
use cimc_quant::{adaround, AdaRoundOptions, AdaRoundProblem, QuantSpec};
use ndarray::{Array1, Array2};
use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64Mcg;

fn normal(rng: &mut Pcg64Mcg) -> f32 {
    let u1: f64 = rng.random_range(1e-12..1.0);
    let u2: f64 = rng.random_range(0.0..1.0);
    ((-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()) as f32
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("numeric arguments"))
        .collect();
    let arg = |i: usize, d: usize| args.get(i).copied().unwrap_or(d);
    let (o, k, n, bits) = (arg(0, 64), arg(1, 576), arg(2, 2000), arg(3, 4) as u32);
    let defaults = AdaRoundOptions::default();
    let opts = AdaRoundOptions {
        iterations: arg(4, defaults.iterations),
        batch_size: arg(5, defaults.batch_size),
        label: format!("{o}x{k}"),
        ..defaults
    };
    let mut rng = Pcg64Mcg::seed_from_u64(42);
    // Post-ReLU-like, correlated inputs: |z| mixed with a random low-rank term.
    let basis = Array2::from_shape_fn((8, k), |_| normal(&mut rng));
    let coeff = Array2::from_shape_fn((n, 8), |_| normal(&mut rng));
    let x = (coeff.dot(&basis) * 0.5 + Array2::from_shape_fn((n, k), |_| normal(&mut rng)))
        .mapv(|v| v.max(0.0));
    let w = Array2::from_shape_fn((o, k), |_| normal(&mut rng) / (k as f32).sqrt());
    let b = Array1::from_shape_fn(o, |_| 0.1 * normal(&mut rng));
    let spec = QuantSpec::weights(bits).expect("bits");
    let grid = weight_grid(w.view(), &spec, WeightRange::default()).expect("grid");
    let p = AdaRoundProblem {
        input: x.view(),
        target_input: None,
        weight: w.view(),
        bias: Some(b.view()),
        grid: &grid,
    };
    let t = Instant::now();
    let r = adaround(&p, &opts).expect("adaround");
    let dt = t.elapsed();
    println!(
        "O={o} K={k} N={n} bits={bits} iterations={} batch={}: {:.3} s ({:.2} ms/iteration); \
         loss nearest {:.5} adaround {:.5} ({:.1}%), flipped {:.1}%{}",
        opts.iterations,
        opts.batch_size,
        dt.as_secs_f64(),
        dt.as_secs_f64() * 1e3 / opts.iterations as f64,
        r.loss_nearest,
        r.loss,
        100.0 * r.loss / r.loss_nearest,
        100.0 * r.flipped_fraction,
        if r.fell_back_to_nearest {
            " (fell back to nearest)"
        } else {
            ""
        },
    );
}
