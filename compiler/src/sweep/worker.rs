//! The work of one sweep process: quantize one (model, recipe, chip) into
//! the cache, or run some points — each build (model, recipe, compiled
//! chip, schedule) compiled once, then every point of it simulated on a
//! fresh instance of its chip (points that differ only in
//! `non_idealities.*` share the program). Records go to standard output as
//! JSON Lines; what the compiler says goes to standard error.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use cimc_sweep::plan::{recipe_args, Point};
use cimc_sweep::{record, Plan, Spec};
use clap::Parser;
use serde_json::{Map, Value};

use crate::cli::QuantizeArgs;
use crate::diagnostics::{Collector, Renderer};
use crate::pipelines::OptLevel;
use crate::reference::Tensor;

/// Where a quantization is cached under the sweep's folder.
pub fn quantized_path(out: &Path, key: &str) -> PathBuf {
    out.join("cache").join(format!("{key}.int8.mlir"))
}

/// The `cimc quantize` command line of quantization `key`, writing to
/// `output`.
pub fn quantize_args(spec: &Spec, plan: &Plan, key: &str, output: &Path) -> Option<Vec<String>> {
    let q = plan.quantization(key)?;
    let model = &spec.models[q.model];
    let mut args = vec!["quantize".to_string(), model.path.display().to_string()];
    for c in &model.calibration {
        args.extend(["--calibration".into(), c.display().to_string()]);
    }
    args.extend(["--target".into(), spec.target.base.clone()]);
    for o in &q.overrides {
        args.extend(["--target-opt".into(), o.clone()]);
    }
    if let Some(entry) = &model.entry {
        args.extend(["--entry".into(), entry.clone()]);
    }
    args.extend(recipe_args(spec, q.recipe));
    args.extend(["-o".into(), output.display().to_string()]);
    Some(args)
}

/// Checks a recipe's options as `cimc quantize` parses them.
pub fn check_recipe(recipe: &cimc_sweep::spec::Recipe) -> Result<(), (Option<usize>, String)> {
    let mut args = vec![
        "cimc".to_string(),
        "quantize".into(),
        "model.mlir".into(),
        "--calibration".into(),
        "data.npy".into(),
    ];
    args.extend(recipe.args());
    match crate::cli::Cli::try_parse_from(&args) {
        Ok(_) => Ok(()),
        Err(err) => {
            let text = err.to_string();
            let first = text
                .lines()
                .next()
                .unwrap_or("")
                .trim_start_matches("error: ")
                .to_string();
            // The option the complaint quotes, if any.
            let option = recipe
                .options
                .iter()
                .position(|o| text.contains(&format!("--{}", o.name)));
            Err((option, format!("`cimc quantize` refuses it: {first}")))
        }
    }
}

/// `--quantize KEY`: runs `cimc quantize` for the key into the cache (via
/// a temporary file, renamed when complete). True when it succeeded.
pub fn quantize(spec: &Spec, plan: &Plan, out: &Path, key: &str) -> Result<bool, String> {
    let path = quantized_path(out, key);
    if path.is_file() {
        return Ok(true);
    }
    let partial = path.with_extension(format!("partial.{}", std::process::id()));
    let args = quantize_args(spec, plan, key, &partial).ok_or_else(|| {
        format!(
            "no quantization with key {key} in the plan of {}",
            spec.file
        )
    })?;
    let args = std::iter::once("cimc".to_string()).chain(args);
    let cli = crate::cli::Cli::try_parse_from(args).map_err(|e| e.to_string())?;
    let Some(crate::cli::Command::Quantize(q)) = &cli.command else {
        unreachable!("the words start with `quantize`")
    };
    let ok = run_quantize(q).map_err(|e| e.to_string())?;
    if ok {
        std::fs::rename(&partial, &path).map_err(|e| format!("{}: {e}", path.display()))?;
    } else {
        let _ = std::fs::remove_file(&partial);
    }
    Ok(ok)
}

fn run_quantize(args: &QuantizeArgs) -> Result<bool, crate::error::DriverError> {
    crate::driver::run_quantize(args)
}

/// `--points`: runs the listed points, printing one record per line.
pub fn run_points(spec: &Spec, plan: &Plan, out: &Path, ids: &[String]) -> Result<(), String> {
    let mut chosen: Vec<&Point> = Vec::new();
    for id in ids {
        match plan.points.iter().find(|p| &p.id == id) {
            Some(p) => chosen.push(p),
            None => return Err(format!("no point {id} in the plan of {}", spec.file)),
        }
    }
    // Builds in the order their first point was asked for.
    let mut builds: Vec<(&str, Vec<&Point>)> = Vec::new();
    for p in chosen {
        match builds.iter_mut().find(|(b, _)| *b == p.build) {
            Some((_, members)) => members.push(p),
            None => builds.push((&p.build, vec![p])),
        }
    }
    let stdout = std::io::stdout();
    for (_, points) in builds {
        run_build(spec, plan, out, &points, &mut |point, outcome| {
            let line = record::record(spec, point, outcome).to_string();
            let mut lock = stdout.lock();
            // A closed pipe (the parent is gone): stop.
            if writeln!(lock, "{line}")
                .and_then(|()| lock.flush())
                .is_err()
            {
                std::process::exit(1);
            }
        });
    }
    Ok(())
}

type Emit<'a> = dyn FnMut(&Point, Result<Map<String, Value>, String>) + 'a;

/// Compiles the build of `points` (all of one build) once and simulates
/// each of them.
fn run_build(spec: &Spec, plan: &Plan, out: &Path, points: &[&Point], emit: &mut Emit) {
    let first = points[0];
    let model = &spec.models[first.model];
    let fail_all = |emit: &mut Emit, message: String| {
        for p in points {
            emit(p, Err(message.clone()));
        }
    };
    // The model: as it is, or its quantized form (from the cache, else
    // quantized here).
    let mut quantize_s = 0.0;
    let mut quantization_cached = true;
    let path = match &first.quantization {
        None => model.path.clone(),
        Some(key) => {
            let path = quantized_path(out, key);
            if !path.is_file() {
                quantization_cached = false;
                let started = Instant::now();
                match quantize(spec, plan, out, key) {
                    Ok(true) => {}
                    Ok(false) => return fail_all(emit, "quantization failed (see the log)".into()),
                    Err(e) => return fail_all(emit, format!("quantization failed: {e}")),
                }
                quantize_s = started.elapsed().as_secs_f64();
            }
            path
        }
    };
    let Ok(bytes) = std::fs::read(&path) else {
        return fail_all(emit, format!("cannot read {}", path.display()));
    };
    let name = path.display().to_string();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let render = |diags: Vec<crate::diagnostics::Diag>| -> String {
        let renderer = Renderer {
            sources: vec![(name.as_str(), text.as_str())],
        };
        diags.iter().map(|d| renderer.render(d)).collect::<String>()
    };
    let context = match crate::context::new_context() {
        Ok(c) => c,
        Err(e) => return fail_all(emit, e.to_string()),
    };
    let collector = Collector::default();
    collector.attach(&context);
    let Some(module) = crate::source::parse(&context, &bytes, &name, &collector) else {
        return fail_all(emit, render(collector.take()));
    };
    let base = match cimc_target::Target::resolve(&spec.target.base) {
        Ok(t) => t,
        Err(e) => return fail_all(emit, e.to_string()),
    };
    let target_of = |p: &Point| -> Result<cimc_target::Target, String> {
        let mut t = base.clone();
        t.apply_overrides(&p.overrides).map_err(|e| e.to_string())?;
        Ok(t)
    };
    let schedule: &'static str = match first.schedule.as_str() {
        "ht" => "ht",
        "ll" => "ll",
        _ => "layer-sequential",
    };
    let entry = model.entry.as_deref();
    let mut simulation: Option<crate::simulate::Simulation> = None;
    let mut compile_s = 0.0;
    for (i, point) in points.iter().enumerate() {
        let target = match target_of(point) {
            Ok(t) => t,
            Err(e) => {
                emit(point, Err(e));
                continue;
            }
        };
        let area = target.chip_area_mm2();
        let kernel = cimc_runtime::KernelChoice::Auto;
        let shared = simulation.is_some();
        let ready = match simulation.as_mut() {
            Some(sim) => sim.reinstance(target, kernel).map_err(|e| e.to_string()),
            None => {
                let passes = cimc_passes::PassContext {
                    target: std::sync::Arc::new(target),
                    schedule,
                    ..cimc_passes::PassContext::default()
                };
                let started = Instant::now();
                let compiled = crate::simulate::Simulation::compile(
                    &context,
                    &module,
                    entry,
                    &passes,
                    (
                        OptLevel(spec.run.opt),
                        crate::pipelines::skipped(!spec.run.graph),
                    ),
                    kernel,
                );
                compile_s = started.elapsed().as_secs_f64();
                match compiled {
                    Ok(sim) => {
                        simulation = Some(sim);
                        Ok(())
                    }
                    Err(crate::simulate::SimulateError::Compile(
                        crate::reference::ReferenceError::Diagnosed(diags),
                    )) => Err(render(diags)),
                    Err(e) => Err(e.to_string()),
                }
            }
        };
        let outcome = ready.and_then(|()| {
            let sim = simulation.as_mut().expect("compiled above");
            let mut metrics = evaluate(sim, &module, entry, model).map_err(|e| e.to_string())?;
            metrics.insert("area_mm2".into(), area.into());
            metrics.insert(
                "quantize_s".into(),
                if i == 0 { quantize_s } else { 0.0 }.into(),
            );
            metrics.insert("compile_s".into(), compile_s.into());
            metrics.insert(
                "quantization_cached".into(),
                first
                    .quantization
                    .as_ref()
                    .map_or(Value::Null, |_| (quantization_cached || i > 0).into()),
            );
            metrics.insert("compile_shared".into(), shared.into());
            Ok(metrics)
        });
        if outcome.is_err() && !shared {
            // A program that did not compile serves no later point either.
            simulation = None;
        }
        emit(point, outcome);
    }
}

/// Runs the model's evaluation samples on the simulation and measures.
fn evaluate(
    sim: &mut crate::simulate::Simulation,
    module: &melior::ir::Module,
    entry: Option<&str>,
    model: &cimc_sweep::spec::Model,
) -> Result<Map<String, Value>, crate::run::RunError> {
    let paths: Vec<String> = model
        .inputs
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let types = sim.inputs().to_vec();
    let (tensors, batch) = crate::run::load_inputs(&paths, module, entry, &types)?;
    let results = sim.outputs().len();
    let started = Instant::now();
    let outputs = crate::run::run_samples(&mut |s| Ok(sim.run(s)?), &tensors, batch, results)?;
    let samples = batch.map_or(1, |b| b.samples());
    let stats = sim.finish(samples as u64)?;
    let simulate_s = started.elapsed().as_secs_f64();
    let accuracy = match &model.labels {
        None => None,
        Some(path) => {
            let labels = Tensor::read_npy(path)?;
            let (correct, total) =
                crate::run::top1(&outputs[0], &labels, &path.display().to_string(), samples)?;
            Some(correct as f64 / total.max(1) as f64)
        }
    };
    Ok(metrics(&stats, samples, accuracy, simulate_s))
}

/// The record's measurements from the simulation's totals (per inference
/// as the run summary prints them).
fn metrics(
    stats: &cimc_runtime::Stats,
    samples: usize,
    accuracy: Option<f64>,
    simulate_s: f64,
) -> Map<String, Value> {
    let batch = stats.batch.max(1) as f64;
    let us = |cycles: f64| cycles / stats.clock_mhz;
    let per_sample = batch / samples.max(1) as f64;
    let e = &stats.energy;
    let nj = |pj: f64| pj / 1e3 / batch;
    let mut m = Map::new();
    let mut put = |k: &str, v: Value| {
        m.insert(k.to_string(), v);
    };
    put("accuracy", accuracy.map_or(Value::Null, Value::from));
    put("latency_us", us(stats.sample_latency_cycles).into());
    put("period_us", (us(stats.period_cycles) / per_sample).into());
    put("throughput_per_s", stats.throughput_per_s.into());
    put("energy_nj", nj(stats.run_energy_pj).into());
    put("energy_array_nj", nj(e.array).into());
    put("energy_dac_nj", nj(e.dac).into());
    put("energy_adc_nj", nj(e.adc).into());
    put("energy_shift_add_nj", nj(e.shift_add).into());
    put("energy_buffer_nj", nj(e.buffer).into());
    put("energy_network_nj", nj(e.network).into());
    put("energy_vector_nj", nj(e.vector).into());
    put("energy_memory_nj", nj(e.memory).into());
    put("energy_host_nj", nj(e.host).into());
    put("programming_nj", (stats.init_energy_pj / 1e3).into());
    put("tops", stats.tops.into());
    put("tops_per_w", stats.tops_per_w.into());
    put("arrays", stats.arrays_used.into());
    put("utilization", stats.mean_utilization.into());
    put("period_utilization", stats.period_utilization.into());
    put("vector_ops", stats.vector_ops.into());
    put("host_ops", stats.host_ops.into());
    put("simulate_s", simulate_s.into());
    put("samples", samples.into());
    m
}
