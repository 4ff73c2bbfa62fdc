//! The cost model seen from both sides: what the passes write into the IR
//! (`cim.steps` from cim-schedule; whether cim-lower-to-tosa takes an ADC as
//! ideal) equals what the runtime computes for the same tiles (the
//! simulator's steps, read cycles and energy; its kernel choice), and both
//! equal `cimc_target::cost` called on the IR's numbers.

use crate::mapping::map;
use cimc::context::new_context;
use cimc::diagnostics::Collector;
use cimc::pipeline;
use cimc::pipelines::OptLevel;
use cimc::reference::Tensor;
use cimc::simulate::Simulation;
use cimc::source;
use cimc_dialects::cim;
use cimc_passes::{emit, ir, PassContext};
use cimc_runtime::{ArrayId, KernelChoice, MvmKernel, MvmParams, Tile};
use cimc_target::{cost, Target};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn model(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../test/models")
        .join(name)
}

/// One placed and scheduled `cim.mvm`, as the IR states it.
#[derive(Clone)]
struct Read {
    array: ArrayId,
    /// The arrays of the tile's further copies (cim-replicate, cim-place).
    replicas: Vec<ArrayId>,
    /// `cim.steps`, written by cim-schedule.
    steps: u64,
    vectors: u64,
    params: MvmParams,
    tile: Tile,
}

impl Read {
    /// The cost model's view of it.
    fn mvm(&self) -> cost::Mvm {
        self.params
            .read(self.vectors, self.tile.rows(), self.tile.cols())
    }

    /// Its column sums, per the cost model, fit its ADC in every column.
    fn ideal_per_cost_model(&self) -> bool {
        let (rows, cols) = (self.tile.rows() as usize, self.tile.cols() as usize);
        (0..cols).all(|c| {
            self.mvm()
                .adc_is_ideal_for((0..rows).map(|r| u64::from(self.tile.stored(r, c))))
        })
    }

    /// The ADC bits that make every column ideal, per the cost model.
    fn ideal_adc_bits(&self) -> u32 {
        let (rows, cols) = (self.tile.rows() as usize, self.tile.cols() as usize);
        (0..cols)
            .map(|c| {
                cost::ideal_adc_bits(
                    self.mvm()
                        .column_sum_bound((0..rows).map(|r| u64::from(self.tile.stored(r, c)))),
                )
            })
            .max()
            .unwrap_or(0)
    }
}

/// The model mapped onto `target` (to the cim phase), as text and as the
/// reads of its mvms.
fn mapped(name: &str, target: &Target) -> (String, Vec<Read>) {
    let (text, _) = map(&model(name), target.clone());
    let context = new_context().expect("context");
    let collector = Collector::default();
    collector.attach(&context);
    let module = source::parse(&context, text.as_bytes(), "mapped", &collector).expect("parses");
    let reads = ir::nested_ops(module.as_operation().to_raw())
        .into_iter()
        .filter_map(
            |op| match cim::Op::from_op(op).expect("well-formed cim ops") {
                Some(cim::Op::Mvm(mvm)) => Some(mvm),
                _ => None,
            },
        )
        .map(|mvm| {
            let program = mvm.tile();
            let [rows, cols] = program.levels_shape();
            let levels = emit::const_ints(program.levels())
                .expect("constant levels")
                .into_iter()
                .map(|l| u8::try_from(l).expect("a cell level"))
                .collect();
            let flipped = program.flipped().unwrap_or_default();
            let tile = Tile::new(
                rows as u32,
                cols as u32,
                program.cell_bits(),
                levels,
                flipped,
            )
            .expect("a valid tile");
            let placement = program.placement().expect("a placed tile");
            Read {
                array: ArrayId::new(placement.core, placement.macro_, placement.array),
                replicas: program
                    .replica_placements()
                    .iter()
                    .map(|p| ArrayId::new(p.core, p.macro_, p.array))
                    .collect(),
                steps: mvm.steps().expect("a scheduled mvm") as u64,
                vectors: mvm.input_shape()[0] as u64,
                params: MvmParams {
                    input_bits: mvm.input_bits(),
                    dac_bits: mvm.dac_bits(),
                    adc_bits: mvm.adc_bits(),
                    adc_shift: mvm.adc_shift(),
                    max_active_rows: mvm.max_active_rows(),
                },
                tile,
            }
        })
        .collect();
    (text, reads)
}

/// Whether cim-lower-to-tosa lowers every mvm of the mapped text (it
/// refuses one whose ADC is not ideal for its tile).
fn lowers(text: &str) -> bool {
    let context = new_context().expect("context");
    let collector = Collector::default();
    collector.attach(&context);
    let mut module =
        source::parse(&context, text.as_bytes(), "mapped", &collector).expect("parses");
    pipeline::run(
        &context,
        &mut module,
        "builtin.module(func.func(cim-lower-to-tosa))",
        &PassContext::default(),
        &collector,
    )
    .is_ok()
}

/// cim.steps as cim-schedule writes it equals the runtime's count of the
/// same mvm and the cost model's, and one inference on the simulator reads
/// exactly those steps on each array, for the read cycles and energy the
/// cost model gives for the IR's mvms.
#[test]
fn steps_cycles_and_energy_agree_between_the_ir_the_simulator_and_the_cost_model() {
    let target = Target::preset("isaac").unwrap();
    let (_, reads) = mapped("cnn.int8.mlir", &target);
    assert!(reads.len() >= 3, "the cnn has several crossbar layers");
    let mut per_array: BTreeMap<ArrayId, (u64, u64)> = BTreeMap::new();
    let (mut array_energy, mut adc_energy) = (0.0, 0.0);
    for read in &reads {
        assert_eq!(
            read.steps,
            read.params.steps(read.vectors, read.tile.rows()),
            "cim.steps vs the runtime's MvmParams::steps"
        );
        let c = read.mvm().cost(&target);
        assert_eq!(read.steps, c.steps, "cim.steps vs cost::Mvm::steps");
        // Copy r of R reads windows [n·r/R, n·(r+1)/R) (runtime::Layer).
        let arrays: Vec<ArrayId> = [read.array]
            .into_iter()
            .chain(read.replicas.clone())
            .collect();
        let (n, copies) = (read.vectors, arrays.len() as u64);
        for (r, array) in arrays.into_iter().enumerate() {
            let r = r as u64;
            let share = n * (r + 1) / copies - n * r / copies;
            if share == 0 {
                continue;
            }
            let c = Read {
                vectors: share,
                ..read.clone()
            }
            .mvm()
            .cost(&target);
            let entry = per_array.entry(array).or_default();
            entry.0 += c.steps;
            entry.1 += c.array_cycles;
            array_energy += c.read_energy.array;
            adc_energy += c.read_energy.adc;
        }
    }
    assert!(
        reads.iter().any(|r| !r.replicas.is_empty()),
        "isaac replicates the cnn's layers at -O2"
    );

    let context = new_context().expect("context");
    let collector = Collector::default();
    collector.attach(&context);
    let path = model("cnn.int8.mlir");
    let bytes = std::fs::read(&path).unwrap();
    let module = source::parse(&context, &bytes, "cnn", &collector).unwrap();
    let passes = PassContext {
        target: Arc::new(target),
        ..PassContext::default()
    };
    let mut sim = Simulation::compile(
        &context,
        &module,
        None,
        &passes,
        (OptLevel(2), &[]),
        KernelChoice::Auto,
    )
    .expect("compiles for the simulator");
    let inputs = Tensor::read_npy(&model("cnn.int8.input.npy")).unwrap();
    sim.run(&[inputs.sample(0)]).expect("runs");
    let stats = sim.finish(1).unwrap();
    assert_eq!(
        stats.array_steps,
        reads.iter().map(|r| r.steps).sum::<u64>(),
        "simulated steps vs the sum of cim.steps (copies split the windows)"
    );
    let simulated: BTreeMap<ArrayId, (u64, u64)> = stats
        .arrays
        .iter()
        .map(|a| (a.id, (a.steps, a.read_cycles)))
        .collect();
    assert_eq!(simulated, per_array, "(steps, read cycles) per array");
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
    assert!(close(stats.energy.array, array_energy), "array energy");
    assert!(close(stats.energy.adc, adc_energy), "ADC energy");
}

/// cim-lower-to-tosa takes a mapping's ADC as ideal exactly when the
/// runtime runs every column on its exact (direct) kernel, at the ADC bits
/// the cost model says: one bit fewer and both refuse. Targets with a 1-bit
/// DAC (unsigned digits up to 1) and with an 8-bit one (8-bit inputs: a lone
/// sign digit, up to 128), with and without the weight flip. The ADC's
/// range is `clipped` (one LSB per sum unit): a `full-scale` one too narrow
/// for the worst case rounds off low bits whatever the weights (below).
#[test]
fn ideal_adc_agrees_between_the_lowering_the_kernel_choice_and_the_cost_model() {
    let targets: [(&str, &[&str]); 4] = [
        ("isaac", &[]),
        ("isaac", &["array.weight_flip=false"]),
        ("isaac", &["array.dac_bits=8"]),
        ("puma", &[]),
    ];
    for (preset, overrides) in targets {
        let base = Target::preset(preset)
            .unwrap()
            .with_overrides(overrides)
            .unwrap()
            .with_overrides(&["array.adc.range=clipped"])
            .unwrap();
        let (_, reads) = mapped("cnn.int8.mlir", &base);
        let need = reads.iter().map(Read::ideal_adc_bits).max().unwrap();
        assert!(
            (2..=24).contains(&need),
            "{preset} {overrides:?}: {need} bits"
        );
        for bits in [need - 1, need] {
            let what = format!("{preset} {overrides:?} with a {bits}-bit ADC");
            let target = base
                .clone()
                .with_overrides(&[&format!("array.adc.bits={bits}")])
                .unwrap();
            let (text, reads) = mapped("cnn.int8.mlir", &target);
            let mut all_ideal = true;
            for read in &reads {
                let kernel =
                    MvmKernel::new(&read.tile, read.params, KernelChoice::Auto).expect("kernel");
                assert_eq!(
                    kernel.is_fast_path(),
                    read.ideal_per_cost_model(),
                    "{what}: the runtime's kernel choice vs the cost model"
                );
                all_ideal &= kernel.is_fast_path();
            }
            assert_eq!(all_ideal, bits >= need, "{what}: the cost model's bits");
            assert_eq!(
                lowers(&text),
                all_ideal,
                "{what}: cim-lower-to-tosa vs the runtime's kernel choice"
            );
        }
    }
}

/// The unit each op between layers runs on (`cim-lower-to-runtime`'s class).
#[test]
fn ops_between_layers_have_units() {
    use cimc_passes::op_class;
    use cimc_target::cost::OpClass;
    assert_eq!(op_class::of("tosa.rescale"), OpClass::Requantize);
    assert_eq!(op_class::of("tosa.clamp"), OpClass::Activation);
    assert_eq!(op_class::of("tosa.avg_pool2d"), OpClass::Pool);
    assert_eq!(op_class::of("tosa.add"), OpClass::Elementwise);
    assert_eq!(op_class::of("tosa.concat"), OpClass::Copy);
    // Host matmuls, gathers, resizes: the host.
    for op in ["tosa.matmul", "tosa.gather", "tosa.resize"] {
        assert_eq!(op_class::of(op), OpClass::Host, "{op}");
    }
}

/// A `full-scale` ADC narrower than the worst column sum (puma: 384 > 255)
/// has a 2-unit LSB on every mvm: no column is ideal, whatever its weights,
/// for the kernel choice, the cost model and the lowering alike; raising
/// the ADC to the worst case's bits makes the LSB one unit again.
#[test]
fn a_full_scale_adc_too_narrow_rounds_every_column() {
    let puma = Target::preset("puma").unwrap();
    assert_eq!(puma.adc_shift(), 1);
    let (text, reads) = mapped("cnn.int8.mlir", &puma);
    assert!(text.contains("cim.adc_shift = 1"));
    for read in &reads {
        assert_eq!(read.params.adc_shift, 1);
        assert!(!read.ideal_per_cost_model());
        let kernel = MvmKernel::new(&read.tile, read.params, KernelChoice::Auto).expect("kernel");
        assert_eq!(kernel.direct_columns(), 0);
    }
    assert!(!lowers(&text));
    let wide = puma.with_overrides(&["array.adc.bits=9"]).unwrap();
    assert_eq!(wide.adc_shift(), 0);
    let (text, _) = mapped("cnn.int8.mlir", &wide);
    assert!(!text.contains("cim.adc_shift"));
}
