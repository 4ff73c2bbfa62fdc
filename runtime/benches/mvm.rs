//! Simulator MVM kernels vs a plain i8 × i8 → i32 GEMM on a real layer.
//!
//! The layer: ResNet-18 layer3's 3×3 convolution (256 → 256 channels on a
//! 14 × 14 map): 2,304 rows (3·3·256) × 256 outputs, 196 windows, int8
//! inputs and weights (seeded random: mapping and speed do not need trained
//! weights). On the simulator the weights are offset-encoded (w + 128) and
//! bit-sliced onto 2-bit cells, least significant slice first: 1,024 level
//! columns on 18 row tiles × 8 column tiles of 128 × 128 arrays, read with
//! 8-bit inputs and a 1-bit DAC (8 steps per window), then recombined
//! digitally: row tiles accumulated, slices shift-added, the offset's
//! 128 · Σx subtracted. The recombined outputs are checked against the GEMM.
//!
//! Measured in one run (this machine is noisy, so only ratios within a run
//! mean anything): the variants run in interleaved rounds and each keeps
//! its best time, so that load from other processes hits all of them alike.
//!
//! Run: `cargo bench -p cimc-runtime` (set CARGO_TARGET_DIR as usual);
//! `cargo bench -p cimc-runtime -- --quick` runs 2 rounds instead of 9.

use std::hint::black_box;
use std::time::{Duration, Instant};

use cimc_runtime::{kernel_isa, KernelChoice, MvmKernel, MvmParams, Tile};
use cimc_target::cost;

const K: usize = 2304; // rows: 3·3·256
const O: usize = 256; // outputs
const N: usize = 196; // windows: 14·14
const SLICES: usize = 4; // 8-bit weights on 2-bit cells
const ARRAY: usize = 128;
const ROW_TILES: usize = K / ARRAY; // 18
const COL_TILES: usize = O * SLICES / ARRAY; // 8

/// A small deterministic generator (xorshift64*).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn i8(&mut self) -> i8 {
        (self.next() >> 56) as u8 as i8
    }
    /// Roughly bell-shaped int8 like trained weights: a sum of 4 uniforms.
    fn weight(&mut self) -> i8 {
        let s: i32 = (0..4).map(|_| i32::from(self.i8()) / 4).sum();
        s.clamp(-128, 127) as i8
    }
}

/// The plain GEMM, dot-product form: `out[n][o] = Σ_k x[n][k]·wt[o][k]`
/// with the weights transposed (LLVM vectorizes the reduction).
#[inline(always)]
fn gemm_dot_body(x: &[i8], wt: &[i8], out: &mut [i32]) {
    for n in 0..N {
        let xr = &x[n * K..][..K];
        for o in 0..O {
            let wr = &wt[o * K..][..K];
            out[n * O + o] = xr
                .iter()
                .zip(wr)
                .map(|(&a, &b)| i32::from(a) * i32::from(b))
                .sum();
        }
    }
}

/// The plain GEMM, row-broadcast form: `acc[o] += x[n][k]·w[k][o]`.
#[inline(always)]
fn gemm_axpy_body(x: &[i8], w: &[i8], out: &mut [i32]) {
    for n in 0..N {
        let acc = &mut out[n * O..][..O];
        acc.fill(0);
        for k in 0..K {
            let a = i32::from(x[n * K + k]);
            for (c, &b) in acc.iter_mut().zip(&w[k * O..][..O]) {
                *c += a * i32::from(b);
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,popcnt")]
fn gemm_dot_avx2(x: &[i8], wt: &[i8], out: &mut [i32]) {
    gemm_dot_body(x, wt, out)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,popcnt")]
fn gemm_axpy_avx2(x: &[i8], w: &[i8], out: &mut [i32]) {
    gemm_axpy_body(x, w, out)
}

/// The GEMMs are compiled for the same instruction set the simulator's
/// kernels dispatch to, so the comparison is like for like.
fn gemm_dot(x: &[i8], wt: &[i8], out: &mut [i32]) {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("popcnt") {
        // SAFETY: the CPU has AVX2 and POPCNT.
        return unsafe { gemm_dot_avx2(x, wt, out) };
    }
    gemm_dot_body(x, wt, out)
}

fn gemm_axpy(x: &[i8], w: &[i8], out: &mut [i32]) {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("popcnt") {
        // SAFETY: the CPU has AVX2 and POPCNT.
        return unsafe { gemm_axpy_avx2(x, w, out) };
    }
    gemm_axpy_body(x, w, out)
}

/// The layer on the simulator's kernels.
struct Mapped {
    /// kernels[rt][ct]
    kernels: Vec<Vec<MvmKernel>>,
    /// Inputs split per row tile: tiles_x[rt] is N × 128.
    tiles_x: Vec<Vec<i8>>,
    /// Σ_k x[n][k] (for the offset correction).
    partial: Vec<i32>,
    levels_out: Vec<i32>,
}

impl Mapped {
    fn new(x: &[i8], w: &[i8], params: MvmParams, choice: KernelChoice) -> Mapped {
        Mapped::with(x, w, |tile, _| {
            MvmKernel::new(tile, params, choice).unwrap()
        })
    }

    /// The layer on tiles whose kernels `make(tile, index)` builds.
    fn with(x: &[i8], w: &[i8], make: impl Fn(&Tile, u64) -> MvmKernel) -> Mapped {
        // Level matrix K × (O·4): column o·4+s holds slice s of w + 128.
        let lc = O * SLICES;
        let mut levels = vec![0u8; K * lc];
        for k in 0..K {
            for o in 0..O {
                let u = (i32::from(w[k * O + o]) + 128) as u32;
                for s in 0..SLICES {
                    levels[k * lc + o * SLICES + s] = ((u >> (2 * s)) & 3) as u8;
                }
            }
        }
        let kernels = (0..ROW_TILES)
            .map(|rt| {
                (0..COL_TILES)
                    .map(|ct| {
                        let mut tl = Vec::with_capacity(ARRAY * ARRAY);
                        for r in 0..ARRAY {
                            let row = (rt * ARRAY + r) * lc + ct * ARRAY;
                            tl.extend_from_slice(&levels[row..row + ARRAY]);
                        }
                        let tile = Tile::new(ARRAY as u32, ARRAY as u32, 2, tl, vec![]).unwrap();
                        make(&tile, (rt * COL_TILES + ct) as u64)
                    })
                    .collect()
            })
            .collect();
        let tiles_x = (0..ROW_TILES)
            .map(|rt| {
                (0..N)
                    .flat_map(|n| x[n * K + rt * ARRAY..][..ARRAY].iter().copied())
                    .collect()
            })
            .collect();
        let partial = (0..N)
            .map(|n| x[n * K..][..K].iter().map(|&v| i32::from(v)).sum())
            .collect();
        Mapped {
            kernels,
            tiles_x,
            partial,
            levels_out: vec![0; N * ARRAY],
        }
    }

    fn direct_columns(&self) -> usize {
        self.kernels
            .iter()
            .flatten()
            .map(|k| k.direct_columns())
            .sum()
    }

    /// All 144 mvms, row tiles accumulated, slices shift-added, offset removed.
    fn run(&mut self, out: &mut [i32]) {
        out.fill(0);
        let weights_per_tile = ARRAY / SLICES;
        for ct in 0..COL_TILES {
            for rt in 0..ROW_TILES {
                self.kernels[rt][ct]
                    .run(&self.tiles_x[rt], N, &mut self.levels_out)
                    .unwrap();
                for n in 0..N {
                    let p = &self.levels_out[n * ARRAY..][..ARRAY];
                    let o = &mut out[n * O + ct * weights_per_tile..][..weights_per_tile];
                    for (j, acc) in o.iter_mut().enumerate() {
                        let s = &p[j * SLICES..][..SLICES];
                        *acc += s[0] + (s[1] << 2) + (s[2] << 4) + (s[3] << 6);
                    }
                }
            }
        }
        for n in 0..N {
            let offset = 128 * self.partial[n];
            for v in &mut out[n * O..][..O] {
                *v -= offset;
            }
        }
    }
}

/// The wall time of one run of `f`.
fn time(f: impl FnOnce()) -> Duration {
    let t = Instant::now();
    f();
    t.elapsed()
}

/// What was measured: cargo builds benches from the work tree as it is, so
/// the commit is the work tree's HEAD (with `+dirty` when tracked files
/// differ from it), and the profile is the one this binary was built with.
fn build() -> String {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .ok()
            .filter(|out| out.status.success())
            .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    };
    let commit = git(&["rev-parse", "--short=12", "HEAD"]).map_or("unknown".into(), |hash| {
        let dirty = git(&["status", "--porcelain", "--untracked-files=no"])
            .is_some_and(|status| !status.is_empty());
        format!("{hash}{}", if dirty { "+dirty" } else { "" })
    });
    let profile = if cfg!(debug_assertions) {
        "debug assertions on: not a release build"
    } else {
        "release build"
    };
    format!("{commit}, {profile}")
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let threads = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!(
        "{cpu}, {threads} hardware threads, {} {}; kernels: {}; single-threaded",
        std::env::consts::OS,
        std::env::consts::ARCH,
        kernel_isa()
    )
}

fn main() {
    let mut rng = Rng(0x5EED_CAFE_F00D_D00D);
    let x: Vec<i8> = (0..N * K).map(|_| rng.i8()).collect();
    let w: Vec<i8> = (0..K * O).map(|_| rng.weight()).collect();
    let mut wt = vec![0i8; O * K];
    for k in 0..K {
        for o in 0..O {
            wt[o * K + k] = w[k * O + o];
        }
    }
    // `cargo bench` passes `--bench`; `-- --quick` asks for a smoke run.
    let reps = if std::env::args().any(|a| a == "--quick") {
        2
    } else {
        9
    };
    println!("cimc-runtime mvm benchmark");
    println!("measured: {}", build());
    println!("machine: {}", machine());
    println!(
        "layer: ResNet-18 layer3 3x3 conv, {K} rows x {O} outputs, {N} windows; \
         on 128x128 arrays of 2-bit cells: {ROW_TILES} x {COL_TILES} tiles, {} level columns, \
         8-bit inputs, 1-bit DAC",
        O * SLICES
    );

    let mut expect = vec![0i32; N * O];
    gemm_dot(&x, &wt, &mut expect);
    let mut out = vec![0i32; N * O];
    gemm_axpy(&x, &w, &mut out);
    assert_eq!(out, expect, "the two GEMM forms disagree");

    // Ideal ADC: ceil(log2(128·3·1 + 1)) = 9 bits for 128 rows of 2-bit
    // cells and 1-bit digits: every column provably ideal.
    let ideal_bits = cost::ideal_adc_bits(cost::column_sum_bound(
        cost::worst_group_level_sum(ARRAY as u32, cost::max_cell_level(2), false),
        cost::max_input_digit(8, 1),
    ));
    let base = MvmParams {
        input_bits: 8,
        dac_bits: 1,
        adc_bits: ideal_bits,
        adc_shift: 0,
        max_active_rows: 128,
    };
    let mut fast = Mapped::new(&x, &w, base, KernelChoice::Auto);
    assert_eq!(fast.direct_columns(), ROW_TILES * COL_TILES * ARRAY);
    fast.run(&mut out);
    assert_eq!(out, expect, "fast path != GEMM");

    // An 8-bit ADC, every column on the bit-plane kernel (ADC quantization path).
    let adc8 = MvmParams {
        adc_bits: 8,
        ..base
    };
    let mut slow = Mapped::new(&x, &w, adc8, KernelChoice::BitPlane);
    assert_eq!(slow.direct_columns(), 0);
    slow.run(&mut out);
    let clipped = out.iter().zip(&expect).filter(|(a, b)| a != b).count();
    let adc8_out = out.clone();

    // The same 8-bit ADC with the automatic choice: provably ideal columns
    // take the direct kernel.
    let mut auto = Mapped::new(&x, &w, adc8, KernelChoice::Auto);
    auto.run(&mut out);
    assert_eq!(out, adc8_out, "auto != bit-plane with an 8-bit ADC");
    let cols = ROW_TILES * COL_TILES * ARRAY;

    // The same 8-bit ADC on an analog chip: ISAAC with 2 % programming
    // error and 0.2 % read noise, every column on the analog kernel.
    let mut target = cimc_target::Target::preset("isaac").unwrap();
    target.non_idealities.programming_sigma = 0.02;
    target.non_idealities.read_noise_sigma = 0.002;
    let model = cimc_runtime::noise::Analog::of(&target).expect("non-idealities on");
    let mut noisy = Mapped::with(&x, &w, |tile, i| {
        MvmKernel::analog(tile, adc8, &model, model.slot_key(i, 0)).unwrap()
    });
    noisy.run(&mut out);
    let noisy_differ = out.iter().zip(&adc8_out).filter(|(a, b)| a != b).count();

    // Rounds: each variant once per round, the best per variant over the
    // rounds, so that load from other processes hits all variants alike.
    let mut times = [Duration::MAX; 6];
    for _ in 0..reps {
        let round = [
            time(|| gemm_dot(black_box(&x), black_box(&wt), &mut out)),
            time(|| gemm_axpy(black_box(&x), black_box(&w), &mut out)),
            time(|| fast.run(&mut out)),
            time(|| slow.run(&mut out)),
            time(|| auto.run(&mut out)),
            time(|| noisy.run(&mut out)),
        ];
        for (t, r) in times.iter_mut().zip(round) {
            *t = (*t).min(r);
        }
    }
    let [t_dot, t_axpy, t_fast, t_slow, t_auto, t_noisy] = times;
    let t_gemm = t_dot.min(t_axpy);
    let gemm_name = if t_dot <= t_axpy { "dot" } else { "axpy" };

    let macs = (N * K * O) as f64;
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!();
    println!(
        "plain GEMM, dot form (i8 x i8 -> i32):  {:8.3} ms  ({:.2} GMAC/s)",
        ms(t_dot),
        macs / t_dot.as_secs_f64() / 1e9
    );
    println!(
        "plain GEMM, axpy form:                  {:8.3} ms  ({:.2} GMAC/s)",
        ms(t_axpy),
        macs / t_axpy.as_secs_f64() / 1e9
    );
    println!(
        "simulator, ideal ADC ({ideal_bits}-bit), fast path:{:8.3} ms  ratio to GEMM ({gemm_name}) {:.2}x  (goal <= 1.5x)",
        ms(t_fast),
        t_fast.as_secs_f64() / t_gemm.as_secs_f64()
    );
    println!(
        "simulator, 8-bit ADC, bit-plane kernel: {:8.3} ms  ratio to GEMM ({gemm_name}) {:.2}x  (goal <= 8x); {clipped} of {} outputs differ from the exact product",
        ms(t_slow),
        t_slow.as_secs_f64() / t_gemm.as_secs_f64(),
        N * O
    );
    println!(
        "simulator, 8-bit ADC, automatic choice: {:8.3} ms  ratio to GEMM ({gemm_name}) {:.2}x; {} of {cols} level columns provably ideal",
        ms(t_auto),
        t_auto.as_secs_f64() / t_gemm.as_secs_f64(),
        auto.direct_columns()
    );
    println!(
        "simulator, 8-bit ADC, analog kernel:    {:8.3} ms  ratio to the bit-plane kernel {:.2}x  (goal <= 3x); noise on (σ_prog 2 %, σ_read 0.2 %): {noisy_differ} of {} outputs differ from the ideal chip's",
        ms(t_noisy),
        t_noisy.as_secs_f64() / t_slow.as_secs_f64(),
        N * O
    );
    println!(
        "(best of {reps} interleaved rounds; simulator times include the row-tile accumulation, shift-add and offset correction)"
    );
}
