//! `cimc --run`: execute a model on `.npy` inputs, write `.npy` outputs and
//! report top-1 accuracy against labels.

use crate::cli::{Cli, Executor, SimKernel};
use crate::reference::{self, DType, Tensor, TensorType};
use melior::ir::Module;
use melior::Context;
use std::path::{Path, PathBuf};
use std::time::Instant;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum RunError {
    #[error("{0}")]
    Npy(#[from] reference::NpyError),
    #[error("{0}")]
    Reference(#[from] reference::ReferenceError),
    #[error("{0}")]
    Simulate(#[from] crate::simulate::SimulateError),
    #[error("cannot write {path}: {reason}")]
    Write { path: String, reason: String },
    #[error("{0}")]
    Options(#[from] crate::error::DriverError),
    #[error("the model takes {expected} inputs ({}), got {got} --input files", list_types(.types))]
    InputCount {
        expected: usize,
        got: usize,
        types: Vec<TensorType>,
    },
    #[error("{path}: input {index} expects {expected} (or a batch of N samples, {}), got {got_dtype} with shape {got_shape:?}", batch_text(.expected))]
    InputMismatch {
        path: String,
        index: usize,
        expected: TensorType,
        got_dtype: &'static str,
        got_shape: Vec<usize>,
    },
    #[error("{path}: input {index} is i{bits} in the model (passed as {dtype}), but holds {value}, outside i{bits}")]
    InputRange {
        path: String,
        index: usize,
        bits: u32,
        dtype: &'static str,
        value: f64,
    },
    #[error("--dequantize-outputs: the model records no result grids (cim.quant.result_grids): it takes a model `cimc quantize` wrote")]
    NoResultGrids,
    #[error("{path}: an empty batch (shape {shape:?}): give at least one sample")]
    EmptyBatch { path: String, shape: Vec<usize> },
    #[error("{path}: a batch of {got} samples, but {first} has {expected}")]
    BatchMismatch {
        path: String,
        got: usize,
        first: String,
        expected: usize,
    },
    #[error("{path}: labels must be integers with one per sample ({samples}), got {dtype} with shape {shape:?}")]
    Labels {
        path: String,
        samples: usize,
        dtype: &'static str,
        shape: Vec<usize>,
    },
    #[error("{path}: label {label} of sample {sample} is not one of the model's {classes} classes (0..{classes})")]
    LabelRange {
        path: String,
        label: f64,
        sample: usize,
        classes: usize,
    },
}

fn list_types(types: &[TensorType]) -> String {
    types
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn batch_text(ty: &TensorType) -> String {
    let per_call = ty.shape.first().copied().unwrap_or(1);
    let mut dims = vec![if per_call > 1 {
        format!("N = a multiple of {per_call}")
    } else {
        "N".to_string()
    }];
    dims.extend(ty.shape.iter().skip(1).map(ToString::to_string));
    format!("[{}] of {}", dims.join(", "), ty.dtype.numpy())
}

/// Runs the parsed module as --run asks; prints a summary on standard error.
pub fn run(
    cli: &Cli,
    context: &Context,
    module: &Module,
    target: cimc_target::Target,
    remarks: &dyn Fn(Vec<crate::diagnostics::Diag>),
) -> Result<(), RunError> {
    let Some(executor) = cli.run else {
        return Ok(());
    };
    let started = Instant::now();
    let mut simulation = None;
    let mut reference_exe = None;
    let (inputs, output_types) = match executor {
        Executor::Reference => {
            let exe =
                reference::compile(context, module, cli.entry.as_deref(), &[], cli.opt_level)?;
            let types = (exe.inputs.clone(), exe.outputs.clone());
            reference_exe = Some(exe);
            types
        }
        Executor::Sim => {
            let passes = crate::pass_context::from_cli(cli, target)?;
            let kernel = kernel_choice(cli.sim_kernel);
            let sim = crate::simulate::Simulation::compile(
                context,
                module,
                cli.entry.as_deref(),
                &passes,
                (
                    crate::pipelines::OptLevel(cli.opt_level),
                    crate::pipelines::skipped(cli.no_graph),
                ),
                kernel,
            );
            remarks(crate::diagnostics::Diag::remarks(&passes.remarks));
            let mut sim = sim?;
            if cli.layer_sqnr {
                sim.record_layer_errors();
            }
            let types = (sim.inputs().to_vec(), sim.outputs().to_vec());
            simulation = Some(sim);
            types
        }
    };
    let compile_time = started.elapsed();
    crate::budget::stop();
    let call = |simulation: &mut Option<crate::simulate::Simulation>,
                sample: &[Tensor]|
     -> Result<Vec<Tensor>, RunError> {
        match (&reference_exe, simulation) {
            (Some(exe), _) => Ok(exe.run(sample)?),
            (None, Some(sim)) => Ok(sim.run(sample)?),
            (None, None) => unreachable!("one executor is compiled"),
        }
    };

    let (tensors, batch) = load_inputs(&cli.inputs, module, cli.entry.as_deref(), &inputs)?;

    // Every sample through the compiled entry, on one simulated chip.
    let run_all = |simulation: &mut Option<crate::simulate::Simulation>| {
        run_samples(
            &mut |sample| call(simulation, sample),
            &tensors,
            batch,
            output_types.len(),
        )
    };
    let started = Instant::now();
    let outputs = run_all(&mut simulation)?;
    let run_time = started.elapsed();
    let samples = batch.map_or(1, |b| b.samples);
    let executor_name = match executor {
        Executor::Reference => "the reference executor",
        Executor::Sim => "the simulated chip",
    };
    eprintln!(
        "ran {samples} sample(s) on {executor_name}: JIT compile {:.3} s, {:.3} ms per sample (wall time)",
        compile_time.as_secs_f64(),
        run_time.as_secs_f64() * 1e3 / samples as f64
    );

    let outputs = if cli.dequantize_outputs {
        let grids = crate::quantize::result_grids(module, cli.entry.as_deref())
            .ok_or(RunError::NoResultGrids)?;
        outputs
            .into_iter()
            .zip(grids)
            .map(|(out, (scale, zero_point))| {
                crate::quantize::dequantize_output(&out, scale, zero_point).unwrap_or(out)
            })
            .collect()
    } else {
        outputs
    };
    for (i, out) in outputs.iter().enumerate() {
        match &cli.output {
            Some(path) => {
                let path = output_path(path, i);
                out.write_npy(&path)?;
                eprintln!("result {i}: {} -> {}", out.ty(), path.display());
            }
            None => eprintln!("result {i}: {}", out.ty()),
        }
    }
    let labels = match &cli.labels {
        Some(path) => Some((path, Tensor::read_npy(Path::new(path))?)),
        None => None,
    };
    let accuracy = |outputs: &[Tensor]| -> Result<Option<(usize, usize)>, RunError> {
        labels
            .as_ref()
            .map(|(path, labels)| top1(&outputs[0], labels, path, samples))
            .transpose()
    };
    let first_accuracy = accuracy(&outputs)?;
    if let Some((correct, total)) = first_accuracy {
        println!(
            "top-1 accuracy: {:.2}% ({correct}/{total})",
            100.0 * correct as f64 / total as f64
        );
    }
    if let Some(mut sim) = simulation.take() {
        let stats = sim.finish(samples as u64)?;
        print!("{}", summary(&stats, cli.schedule.as_str()));
        if let Some(analog) = &stats.analog {
            print!("{}", analog_summary(analog));
        }
        print!("{}", layer_summary(&stats.layers, stats.analog.is_some()));
        if let Some(path) = &cli.trace {
            sim.write_trace(Path::new(path))?;
            println!("trace: {path} (Chrome trace JSON; open in https://ui.perfetto.dev)");
        }
        let mut json = stats.to_json(true);
        if let (Some(n), Some(first)) = (cli.mc, &stats.analog) {
            let mut instances = vec![Instance {
                seed: first.seed,
                accuracy: first_accuracy,
                layers: stats.layers.clone(),
            }];
            let base = sim.simulator().target().clone();
            let mut simulation = Some(sim);
            for i in 1..u64::from(n) {
                let mut target = base.clone();
                target.non_idealities.seed = first.seed.wrapping_add(i);
                let seed = target.non_idealities.seed;
                simulation
                    .as_mut()
                    .expect("kept")
                    .reinstance(target, kernel_choice(cli.sim_kernel))?;
                let outputs = run_all(&mut simulation)?;
                let layers = simulation
                    .as_ref()
                    .expect("kept")
                    .simulator()
                    .stats()
                    .layers;
                instances.push(Instance {
                    seed,
                    accuracy: accuracy(&outputs)?,
                    layers,
                });
            }
            print!("{}", monte_carlo_summary(&instances));
            json["monte_carlo"] = monte_carlo_json(&instances);
        }
        if let Some(path) = &cli.stats_json {
            let text = serde_json::to_string_pretty(&json).unwrap_or_default() + "\n";
            let written = if path == "-" {
                std::io::Write::write_all(&mut std::io::stdout(), text.as_bytes())
            } else {
                std::fs::write(path, text)
            };
            written.map_err(|err| RunError::Write {
                path: path.clone(),
                reason: crate::source::io_reason(&err),
            })?;
        }
    }
    Ok(())
}

/// The simulation's totals, per inference where that is what users compare.
pub fn summary(stats: &cimc_runtime::Stats, schedule: &str) -> String {
    let batch = stats.batch.max(1) as f64;
    let energy = &stats.energy;
    let run_energy = stats.run_energy_pj;
    let us = |cycles: f64| cycles / stats.clock_mhz;
    let per_sample = batch / stats.samples.max(1) as f64;
    format!(
        "simulated {} inference(s) on {} ({} MHz), {schedule} schedule\n\
         \x20 cycles: {} total = {} programming the weights + {} running ({:.0} per inference)\n\
         \x20 latency: {:.3} us per inference; period {:.3} us ({:.1} inferences/s; pipelined bound {:.1}/s)\n\
         \x20 energy: {:.3} nJ per inference (array {:.3}, DAC {:.3}, ADC {:.3}, shift-add {:.3}, buffer {:.3}, network {:.3}, vector {:.3}, memory {:.3}, host {:.3} nJ); programming {:.3} nJ once\n\
         \x20 throughput: {:.4} TOPS, {:.3} TOPS/W; {} array steps, {} mvms on {} arrays (mean utilization {:.2}%, {:.2}% per period); {} vector ops, {} host ops, {} transfers\n",
        stats.batch,
        stats.target,
        stats.clock_mhz,
        stats.total_cycles,
        stats.init_cycles,
        stats.run_cycles,
        stats.run_cycles as f64 / batch,
        us(stats.sample_latency_cycles),
        us(stats.period_cycles) / per_sample,
        stats.throughput_per_s,
        stats.pipelined_throughput_per_s,
        run_energy / 1e3 / batch,
        energy.array / 1e3 / batch,
        energy.dac / 1e3 / batch,
        energy.adc / 1e3 / batch,
        energy.shift_add / 1e3 / batch,
        energy.buffer / 1e3 / batch,
        energy.network / 1e3 / batch,
        energy.vector / 1e3 / batch,
        energy.memory / 1e3 / batch,
        energy.host / 1e3 / batch,
        stats.init_energy_pj / 1e3,
        stats.tops,
        stats.tops_per_w,
        stats.array_steps,
        stats.mvms,
        stats.arrays_used,
        stats.mean_utilization * 100.0,
        stats.period_utilization * 100.0,
        stats.vector_ops,
        stats.host_ops,
        stats.transfers,
    )
}

/// One call of the compiled entry on some samples.
pub(crate) type Call<'a> = dyn FnMut(&[Tensor]) -> Result<Vec<Tensor>, RunError> + 'a;

/// The `.npy` files at `paths`, one per argument of the entry (of `types`),
/// quantized onto the input grids a model `cimc quantize` wrote records
/// (as the float model's callers would feed it), and the batch they hold.
pub(crate) fn load_inputs(
    paths: &[String],
    module: &Module,
    entry: Option<&str>,
    types: &[TensorType],
) -> Result<(Vec<Tensor>, Option<Batch>), RunError> {
    if paths.len() != types.len() {
        return Err(RunError::InputCount {
            expected: types.len(),
            got: paths.len(),
            types: types.to_vec(),
        });
    }
    let mut tensors = paths
        .iter()
        .map(|path| Tensor::read_npy(Path::new(path)))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(grids) = crate::quantize::argument_grids(module, entry) {
        for ((tensor, (scale, zero_point)), ty) in tensors.iter_mut().zip(grids).zip(types) {
            if let Some(q) = crate::quantize::quantize_input(tensor, scale, zero_point, ty.dtype) {
                *tensor = q;
            }
        }
    }
    let narrow = crate::reference::narrow_arguments(module, entry)?;
    for (index, ((path, tensor), bits)) in paths.iter().zip(&tensors).zip(narrow).enumerate() {
        let Some(bits) = bits else { continue };
        let (lo, hi) = (
            -(2f64.powi(bits as i32 - 1)),
            2f64.powi(bits as i32 - 1) - 1.0,
        );
        if let Some(value) = tensor.to_f64().into_iter().find(|v| *v < lo || *v > hi) {
            return Err(RunError::InputRange {
                path: path.clone(),
                index,
                bits,
                dtype: tensor.dtype().numpy(),
                value,
            });
        }
    }
    let batch = batch_size(paths, &tensors, types)?;
    Ok((tensors, batch))
}

/// Runs every sample of `tensors` through `call` (in calls of `per_call`
/// samples when batched) and joins the results along the batch axis.
pub(crate) fn run_samples(
    call: &mut Call<'_>,
    tensors: &[Tensor],
    batch: Option<Batch>,
    results: usize,
) -> Result<Vec<Tensor>, RunError> {
    let Some(Batch { samples, per_call }) = batch else {
        return call(tensors);
    };
    let calls = samples / per_call;
    let mut per_output: Vec<Vec<Tensor>> = vec![Vec::with_capacity(calls); results];
    for i in 0..calls {
        let chunk: Vec<Tensor> = tensors
            .iter()
            .map(|t| t.rows(i * per_call, per_call))
            .collect();
        for (slot, out) in per_output.iter_mut().zip(call(&chunk)?) {
            slot.push(if out.shape().first() == Some(&per_call) {
                out
            } else {
                out.with_batch_axis()
            });
        }
    }
    Ok(per_output
        .iter()
        .map(|parts| Tensor::concat(parts).expect("outputs of one result share a type"))
        .collect())
}

/// The simulator's kernels `--sim-kernel` asks for.
fn kernel_choice(kernel: SimKernel) -> cimc_runtime::KernelChoice {
    match kernel {
        SimKernel::Auto => cimc_runtime::KernelChoice::Auto,
        SimKernel::BitPlane => cimc_runtime::KernelChoice::BitPlane,
    }
}

/// One simulated instance of an analog chip (`--mc`).
struct Instance {
    seed: u64,
    accuracy: Option<(usize, usize)>,
    layers: Vec<cimc_runtime::LayerError>,
}

/// Mean and sample standard deviation (0 for one value).
fn mean_std(values: &[f64]) -> (f64, f64) {
    let n = values.len().max(1) as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = if values.len() > 1 {
        values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    (mean, var.sqrt())
}

/// What the analog chip's non-idealities did.
pub fn analog_summary(analog: &cimc_runtime::AnalogStats) -> String {
    format!(
        "analog chip (seed {}): {}; {} of {} cells stuck on, {} stuck off\n",
        analog.seed,
        analog.enabled.join(", "),
        analog.stuck_on,
        analog.cells,
        analog.stuck_off
    )
}

/// Each layer's SQNR: against the ideal chip (`analog`: what the device
/// adds) and against the exact product (what the ADC and the device lose).
pub fn layer_summary(layers: &[cimc_runtime::LayerError], analog: bool) -> String {
    let db = |db: f64| {
        if db.is_finite() {
            format!("{db:7.2} dB")
        } else {
            "  exact   ".to_string()
        }
    };
    let mut text = String::new();
    if !layers.is_empty() {
        text += if analog {
            "per layer, SQNR against the ideal chip | against the exact product (ideal ADC too):\n"
        } else {
            "per layer, SQNR against the exact product (ideal ADC):\n"
        };
    }
    for l in layers {
        text += &if analog {
            format!(
                "  {:<24} {} | {}\n",
                l.layer,
                db(l.sqnr_db()),
                db(l.sqnr_exact_db())
            )
        } else {
            format!("  {:<24} {}\n", l.layer, db(l.sqnr_exact_db()))
        };
    }
    text
}

fn monte_carlo_summary(instances: &[Instance]) -> String {
    let (first, last) = (instances[0].seed, instances[instances.len() - 1].seed);
    let mut text = format!(
        "Monte-Carlo over {} chip instance(s), seeds {first}..={last}:\n",
        instances.len()
    );
    let accuracies: Vec<f64> = instances
        .iter()
        .filter_map(|i| i.accuracy.map(|(c, t)| 100.0 * c as f64 / t as f64))
        .collect();
    if !accuracies.is_empty() {
        let (mean, std) = mean_std(&accuracies);
        let min = accuracies.iter().copied().fold(f64::INFINITY, f64::min);
        let max = accuracies.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        text += &format!("  top-1 accuracy {mean:.2}% ± {std:.2} (min {min:.2}%, max {max:.2}%)\n");
    }
    text += "  per layer, SQNR against the ideal chip: pooled over the instances (mean ± std of each instance's)\n";
    for (i, l) in instances[0].layers.iter().enumerate() {
        let layers: Vec<&cimc_runtime::LayerError> = instances
            .iter()
            .filter_map(|inst| inst.layers.get(i))
            .collect();
        let mut pooled = cimc_runtime::LayerError {
            layer: l.layer.clone(),
            ..cimc_runtime::LayerError::default()
        };
        for one in &layers {
            pooled.merge(one);
        }
        let finite: Vec<f64> = layers
            .iter()
            .map(|l| l.sqnr_db())
            .filter(|db| db.is_finite())
            .collect();
        text += &if finite.is_empty() {
            format!("  {:<24} exact on every instance\n", l.layer)
        } else {
            let (mean, std) = mean_std(&finite);
            let exact = layers.len() - finite.len();
            format!(
                "  {:<24} {:>7.2} dB ({mean:.2} ± {std:.2}{})\n",
                l.layer,
                pooled.sqnr_db(),
                if exact > 0 {
                    format!("; exact on {exact}")
                } else {
                    String::new()
                }
            )
        };
    }
    text
}

fn monte_carlo_json(instances: &[Instance]) -> serde_json::Value {
    serde_json::json!({
        "instances": instances.iter().map(|i| serde_json::json!({
            "seed": i.seed,
            "accuracy": i.accuracy.map(|(c, t)| c as f64 / t as f64),
            "layers": i.layers.iter().map(cimc_runtime::LayerError::to_json).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

/// Inputs holding `samples` samples for a model that takes `per_call` (its
/// leading dimension) at a time: `samples / per_call` calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Batch {
    samples: usize,
    per_call: usize,
}

impl Batch {
    /// The samples the inputs hold.
    pub(crate) fn samples(&self) -> usize {
        self.samples
    }
}

/// How the given inputs split into calls of the model: `None` when they are
/// exactly its input types (one call), else a [`Batch`] along the leading
/// axis. Every input must hold the same number of samples, a multiple of
/// the leading dimension the model takes them in, and that dimension must
/// be the same for every input.
pub(crate) fn batch_size(
    paths: &[String],
    given: &[Tensor],
    expected: &[TensorType],
) -> Result<Option<Batch>, RunError> {
    // Inputs that are exactly the model's types are one call, whatever
    // their leading dimensions (a broadcast's operands differ in them).
    if given
        .iter()
        .zip(expected)
        .all(|(tensor, ty)| tensor.dtype() == ty.dtype && tensor.shape() == ty.shape)
    {
        return Ok(None);
    }
    let mut batch: Option<(Batch, &str)> = None;
    let mut exact = true;
    for (index, ((path, tensor), ty)) in paths.iter().zip(given).zip(expected).enumerate() {
        let mismatch = || RunError::InputMismatch {
            path: path.clone(),
            index,
            expected: ty.clone(),
            got_dtype: tensor.dtype().numpy(),
            got_shape: tensor.shape().to_vec(),
        };
        let shape = tensor.shape();
        if tensor.dtype() != ty.dtype || shape.len() != ty.shape.len() {
            return Err(mismatch());
        }
        if shape.is_empty() {
            continue; // a scalar is the same in every call
        }
        if shape[1..] != ty.shape[1..] {
            return Err(mismatch());
        }
        if shape[0] == 0 {
            return Err(RunError::EmptyBatch {
                path: path.clone(),
                shape: shape.to_vec(),
            });
        }
        let per_call = ty.shape[0];
        if per_call == 0 || shape[0] % per_call != 0 {
            return Err(mismatch());
        }
        exact &= shape[0] == per_call;
        let this = Batch {
            samples: shape[0],
            per_call,
        };
        match batch {
            Some((first, first_path)) if first.samples != this.samples => {
                return Err(RunError::BatchMismatch {
                    path: path.clone(),
                    got: this.samples,
                    first: first_path.to_string(),
                    expected: first.samples,
                });
            }
            Some((first, _)) if first.per_call != this.per_call => return Err(mismatch()),
            Some(_) => {}
            None => batch = Some((this, path)),
        }
    }
    Ok(if exact { None } else { batch.map(|(b, _)| b) })
}

fn output_path(path: &str, index: usize) -> PathBuf {
    let path = PathBuf::from(path);
    if index == 0 {
        return path;
    }
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!("{stem}.{index}.npy"))
}

/// Correct predictions (argmax of the last axis) and the sample count.
pub fn top1(
    logits: &Tensor,
    labels: &Tensor,
    path: &str,
    samples: usize,
) -> Result<(usize, usize), RunError> {
    let integer = matches!(
        labels.dtype(),
        DType::I8 | DType::I16 | DType::I32 | DType::I64
    );
    if !integer || labels.shape().iter().product::<usize>() != samples {
        return Err(RunError::Labels {
            path: path.into(),
            samples,
            dtype: labels.dtype().numpy(),
            shape: labels.shape().to_vec(),
        });
    }
    let values = logits.to_f64();
    let classes = values.len() / samples.max(1);
    let labels = labels.to_f64();
    // A label no output can match makes the accuracy meaningless.
    if let Some((sample, &label)) = labels
        .iter()
        .enumerate()
        .find(|(_, l)| **l < 0.0 || **l >= classes as f64)
    {
        return Err(RunError::LabelRange {
            path: path.into(),
            label,
            sample,
            classes,
        });
    }
    let correct = values
        .chunks(classes.max(1))
        .zip(&labels)
        .filter(|(row, label)| argmax(row) as f64 == **label)
        .count();
    Ok((correct, samples))
}

/// The index of the largest value, the first of equals (as `--labels` counts).
pub(crate) fn argmax(values: &[f64]) -> usize {
    values
        .iter()
        .enumerate()
        .fold((0, f64::NEG_INFINITY), |best, (i, v)| {
            if *v > best.1 {
                (i, *v)
            } else {
                best
            }
        })
        .0
}
