//! `cimc sweep spec.toml`: every point of a design-space sweep compiled
//! (quantized first where the model is float) and simulated, in parallel
//! worker processes of this executable, results streamed to
//! `results.jsonl` and `results.csv` as points finish.
//!
//! The work is split into tasks: one `--quantize KEY` per quantized model
//! the pending points need and the cache lacks, then one `--points ...`
//! per build (the points that share one compiled program). A worker that
//! dies takes no point with it: the points of a build it did not report
//! are retried one per worker, and a point that kills its worker alone is
//! recorded as failed. A rerun reads `results.jsonl` and runs only what is
//! missing (`--retry-failed`: also the failed points).

pub mod worker;

use std::collections::{HashMap, HashSet, VecDeque};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Instant;

use cimc_sweep::plan::Point;
use cimc_sweep::record::{self, Results};
use cimc_sweep::{Plan, Spec};
use serde_json::Value;

use crate::cli::SweepArgs;
use crate::error::DriverError;

/// `cimc sweep`.
pub fn run(args: &SweepArgs) -> Result<bool, DriverError> {
    let spec = match cimc_sweep::load(Path::new(&args.spec)) {
        Ok(spec) => spec,
        Err(err) => {
            eprintln!("{err}");
            return Ok(false);
        }
    };
    let plan = match cimc_sweep::plan(&spec, &worker::check_recipe) {
        Ok(plan) => plan,
        Err(err) => {
            eprintln!("{err}");
            return Ok(false);
        }
    };
    let out = args
        .out
        .clone()
        .map(PathBuf::from)
        .unwrap_or_else(|| default_out(&args.spec));
    if args.plan {
        for point in &plan.points {
            let mut line = record::record(&spec, point, Ok(Default::default()));
            if let Some(o) = line.as_object_mut() {
                o.retain(|k, _| {
                    [
                        "id",
                        "model",
                        "recipe",
                        "schedule",
                        "seed",
                        "axes",
                        "overrides",
                    ]
                    .contains(&k.as_str())
                });
                o.insert("build".into(), point.build.clone().into());
                o.insert("quantization".into(), point.quantization.clone().into());
            }
            let mut stdout = std::io::stdout().lock();
            if std::io::Write::write_all(&mut stdout, format!("{line}\n").as_bytes()).is_err() {
                return Ok(false);
            }
        }
        return Ok(true);
    }
    std::fs::create_dir_all(out.join("cache"))
        .and_then(|()| std::fs::create_dir_all(out.join("logs")))
        .map_err(|e| DriverError::Usage(format!("cannot create {}: {e}", out.display())))?;
    if let Some(key) = &args.quantize {
        return worker::quantize(&spec, &plan, &out, key).map_err(DriverError::Usage);
    }
    if !args.points.is_empty() {
        worker::run_points(&spec, &plan, &out, &args.points).map_err(DriverError::Usage)?;
        return Ok(true);
    }
    orchestrate(&spec, &plan, &out, args)
}

/// `net.sweep.toml` → `net.sweep/`; anything else → `<path>.sweep/`.
fn default_out(spec: &str) -> PathBuf {
    let path = Path::new(spec);
    let stem = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = stem.strip_suffix(".toml").unwrap_or(&stem);
    let stem = stem.strip_suffix(".sweep").unwrap_or(stem);
    path.with_file_name(format!("{stem}.sweep"))
}

/// One unit of work for a worker process.
#[derive(Debug, Clone)]
enum Task {
    Quantize(String),
    Points(Vec<usize>),
}

/// What a worker thread reports.
enum Event {
    Line(usize, String),
    Exit(usize, Result<std::process::ExitStatus, String>),
}

fn orchestrate(
    spec: &Spec,
    plan: &Plan,
    out: &Path,
    args: &SweepArgs,
) -> Result<bool, DriverError> {
    let io = |what: &str, e: std::io::Error| DriverError::Usage(format!("{what}: {e}"));
    let started = Instant::now();
    let jsonl = out.join("results.jsonl");
    let previous =
        record::read_finished(&jsonl).map_err(|e| io(&jsonl.display().to_string(), e))?;
    let kept: Vec<Value> = previous
        .into_iter()
        .filter(|r| {
            !(args.retry_failed && r.get("status").and_then(Value::as_str) == Some("error"))
        })
        .collect();
    let done = record::ids(&kept);
    let mut results =
        Results::open(out, spec, &kept).map_err(|e| io(&out.display().to_string(), e))?;
    let pending: Vec<usize> = (0..plan.points.len())
        .filter(|&i| !done.contains(&plan.points[i].id))
        .collect();
    let skipped = plan.points.len() - pending.len();

    // Quantizations first (only those the cache lacks), then builds.
    let mut missing: Vec<String> = Vec::new();
    for &i in &pending {
        if let Some(key) = &plan.points[i].quantization {
            if !worker::quantized_path(out, key).is_file() && !missing.contains(key) {
                missing.push(key.clone());
            }
        }
    }
    let quantized_points = pending
        .iter()
        .filter(|&&i| plan.points[i].quantization.is_some())
        .count();
    let mut builds: Vec<Vec<usize>> = Vec::new();
    {
        let mut index: HashMap<&str, usize> = HashMap::new();
        for &i in &pending {
            let b = plan.points[i].build.as_str();
            let slot = *index.entry(b).or_insert_with(|| {
                builds.push(Vec::new());
                builds.len() - 1
            });
            builds[slot].push(i);
        }
    }
    let compiles_needed = builds.len();
    let jobs = args
        .jobs
        .map(|n| n as usize)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    eprintln!(
        "sweep {}: {} points ({} already done, {} to run), {} quantization(s) to make, {} build(s); {} job(s); results in {}",
        spec.file,
        plan.points.len(),
        skipped,
        pending.len(),
        missing.len(),
        builds.len(),
        jobs,
        out.display()
    );

    let progress = indicatif::ProgressBar::new(pending.len() as u64);
    progress.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} points, {elapsed} elapsed, ETA {eta} {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let tty = std::io::IsTerminal::is_terminal(&std::io::stderr());
    if !tty {
        progress.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }

    let exe = std::env::current_exe().map_err(|e| io("cannot find the cimc executable", e))?;
    let spec_path = std::fs::canonicalize(&args.spec).unwrap_or_else(|_| PathBuf::from(&args.spec));
    let mut queue: VecDeque<Task> = missing.iter().cloned().map(Task::Quantize).collect();
    let mut waiting: Vec<Vec<usize>> = builds; // builds wait for their quantization
    let mut failed_quantizations: HashMap<String, String> = HashMap::new();
    let mut running: HashMap<usize, (Task, HashSet<usize>, PathBuf)> = HashMap::new();
    let (send, receive) = mpsc::channel::<Event>();
    let mut next_task = 0usize;
    let mut ok = 0usize;
    let mut errors = 0usize;
    let emit = |results: &mut Results,
                record: Value,
                ok: &mut usize,
                errors: &mut usize|
     -> Result<(), DriverError> {
        let status = record.get("status").and_then(Value::as_str) == Some("ok");
        if status {
            *ok += 1;
        } else {
            *errors += 1;
        }
        if !tty {
            eprintln!(
                "[{}/{}] {}",
                *ok + *errors,
                pending.len(),
                summary_line(&record)
            );
        } else {
            progress.inc(1);
            progress.set_message(summary_line(&record));
        }
        results
            .write(spec, &record)
            .map_err(|e| io("cannot write the results", e))
    };
    loop {
        // Builds whose quantization exists (or failed) become runnable.
        let in_flight_quantizations: HashSet<String> = queue
            .iter()
            .chain(running.values().map(|(t, _, _)| t))
            .filter_map(|t| match t {
                Task::Quantize(k) => Some(k.clone()),
                Task::Points(_) => None,
            })
            .collect();
        let mut still = Vec::new();
        for build in waiting.drain(..) {
            match &plan.points[build[0]].quantization {
                Some(k) if in_flight_quantizations.contains(k) => still.push(build),
                Some(k) if failed_quantizations.contains_key(k) => {
                    let why = failed_quantizations[k].clone();
                    for &i in &build {
                        let r = record::record(spec, &plan.points[i], Err(why.clone()));
                        emit(&mut results, r, &mut ok, &mut errors)?;
                    }
                }
                _ => queue.push_back(Task::Points(build)),
            }
        }
        waiting = still;
        while running.len() < jobs {
            let Some(task) = queue.pop_front() else { break };
            let id = next_task;
            next_task += 1;
            let log = out.join("logs").join(match &task {
                Task::Quantize(k) => format!("quantize-{k}.log"),
                Task::Points(p) if p.len() == 1 => format!("point-{}.log", plan.points[p[0]].id),
                Task::Points(p) => format!("build-{}.log", plan.points[p[0]].build),
            });
            let mut command = Command::new(&exe);
            command.arg("sweep").arg(&spec_path).arg("--out").arg(out);
            match &task {
                Task::Quantize(k) => {
                    command.arg("--quantize").arg(k);
                }
                Task::Points(p) => {
                    let ids: Vec<&str> = p.iter().map(|&i| plan.points[i].id.as_str()).collect();
                    command.arg("--points").arg(ids.join(","));
                }
            }
            let log_file =
                std::fs::File::create(&log).map_err(|e| io(&log.display().to_string(), e))?;
            command
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(log_file);
            let mut child = command
                .spawn()
                .map_err(|e| io("cannot start a worker", e))?;
            let stdout = child.stdout.take().expect("piped");
            let send = send.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    let _ = send.send(Event::Line(id, line));
                }
                let status = child.wait().map_err(|e| e.to_string());
                let _ = send.send(Event::Exit(id, status));
            });
            running.insert(id, (task, HashSet::new(), log));
        }
        if running.is_empty() {
            break;
        }
        match receive.recv() {
            Err(_) => break,
            Ok(Event::Line(id, line)) => {
                let Ok(record) = serde_json::from_str::<Value>(&line) else {
                    continue;
                };
                let Some(index) = record
                    .get("id")
                    .and_then(Value::as_str)
                    .and_then(|rid| plan.points.iter().position(|p| p.id == rid))
                else {
                    continue;
                };
                if let Some((_, seen, _)) = running.get_mut(&id) {
                    if seen.insert(index) {
                        emit(&mut results, record, &mut ok, &mut errors)?;
                    }
                }
            }
            Ok(Event::Exit(id, status)) => {
                let Some((task, seen, log)) = running.remove(&id) else {
                    continue;
                };
                let success = matches!(&status, Ok(s) if s.success());
                let why = || {
                    let status = match &status {
                        Ok(s) => s.to_string(),
                        Err(e) => e.clone(),
                    };
                    format!("{}; {}", status, log_tail(&log))
                };
                match task {
                    Task::Quantize(key) => {
                        if !(success && worker::quantized_path(out, &key).is_file()) {
                            failed_quantizations
                                .insert(key, format!("quantization failed ({})", why()));
                        }
                    }
                    Task::Points(points) => {
                        let lost: Vec<usize> = points
                            .iter()
                            .copied()
                            .filter(|i| !seen.contains(i))
                            .collect();
                        if lost.len() > 1 {
                            // Retry each alone: one bad point must not take the rest.
                            for i in lost {
                                queue.push_front(Task::Points(vec![i]));
                            }
                        } else if let Some(&i) = lost.first() {
                            let r = record::record(
                                spec,
                                &plan.points[i],
                                Err(format!("the worker stopped without a result ({})", why())),
                            );
                            emit(&mut results, r, &mut ok, &mut errors)?;
                        }
                    }
                }
            }
        }
    }
    progress.finish_and_clear();
    drop(results);
    // The report shows this spec's points (the files keep any others).
    let planned: HashSet<&str> = plan.points.iter().map(|p| p.id.as_str()).collect();
    let all: Vec<Value> = record::read_finished(&jsonl)
        .map_err(|e| io(&jsonl.display().to_string(), e))?
        .into_iter()
        .filter(|r| {
            r.get("id")
                .and_then(Value::as_str)
                .is_some_and(|id| planned.contains(id))
        })
        .collect();
    // The layers of one point: its program mapped again, to read the report.
    let detail = cimc_sweep::report::detail_point(&all).and_then(|i| {
        let id = all[i].get("id").and_then(Value::as_str)?;
        let point = plan.points.iter().find(|p| p.id == id)?;
        match mapping_report(&exe, spec, point, out) {
            Ok(mapping) => Some(cimc_sweep::report::Detail {
                record: &all[i],
                mapping,
            }),
            Err(err) => {
                eprintln!("cimc: warning: no picture of the layers of {id}: {err}");
                None
            }
        }
    });
    // Pictures that cannot be drawn cost the sweep nothing: the results stand.
    let report = match cimc_sweep::report::write(out, spec, &all, detail.as_ref()) {
        Ok(path) => path.display().to_string(),
        Err(err) => {
            eprintln!("cimc: warning: no plots or report: {err}");
            "none".to_string()
        }
    };
    let quantized_here = missing.len() - failed_quantizations.len();
    let hit = if quantized_points > 0 {
        100.0 * (quantized_points - missing.len().min(quantized_points)) as f64
            / quantized_points as f64
    } else {
        0.0
    };
    let shared = pending.len().saturating_sub(compiles_needed);
    eprintln!(
        "{} point(s) ran in {:.1} s: {ok} ok, {errors} failed; {skipped} skipped (done before)\n\
         cache: {quantized_here} quantization(s) made for {quantized_points} quantized point(s) ({hit:.1}% reused a cached model); \
         {compiles_needed} compilation(s) for {} point(s) ({shared} shared a program, {:.1}%)\n\
         results: {} and {}; plots in {}; report {}",
        pending.len(),
        started.elapsed().as_secs_f64(),
        pending.len(),
        if pending.is_empty() { 0.0 } else { 100.0 * shared as f64 / pending.len() as f64 },
        jsonl.display(),
        out.join("results.csv").display(),
        out.join("plots").display(),
        report
    );
    Ok(errors == 0)
}

/// The mapping report (`--report-json`) of `point`'s program, written to
/// `plots/layers.json`: its model (quantized: from the cache) mapped onto
/// its chip with its schedule by a child `cimc --emit=cim`.
fn mapping_report(exe: &Path, spec: &Spec, point: &Point, out: &Path) -> Result<Value, String> {
    let model = match &point.quantization {
        Some(key) => worker::quantized_path(out, key),
        None => spec.models[point.model].path.clone(),
    };
    let json = out.join("plots").join("layers.json");
    std::fs::create_dir_all(out.join("plots")).map_err(|e| e.to_string())?;
    let mut command = Command::new(exe);
    command
        .arg(format!("-O{}", spec.run.opt))
        .arg(&model)
        .args(["--emit=cim", "--target", &spec.target.base]);
    for o in &point.overrides {
        command.arg("--target-opt").arg(o);
    }
    command.args(["--schedule", &point.schedule]);
    if !spec.run.graph {
        command.arg("--no-graph");
    }
    command.arg("--report-json").arg(&json);
    let done = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
    if !done.status.success() {
        let text = String::from_utf8_lossy(&done.stderr);
        return Err(format!(
            "{}: {}",
            done.status,
            text.lines().find(|l| !l.trim().is_empty()).unwrap_or("")
        ));
    }
    let text = std::fs::read_to_string(&json).map_err(|e| format!("{}: {e}", json.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", json.display()))
}

/// One line per finished point for the log and the progress bar.
fn summary_line(record: &Value) -> String {
    let s = |k: &str| {
        record
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let axes = record
        .get("axes")
        .and_then(Value::as_object)
        .map(|a| {
            a.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default();
    let head = format!(
        "{} {} {} {} {axes}",
        s("id"),
        s("model"),
        s("recipe"),
        s("schedule")
    );
    if s("status") == "ok" {
        let f = |k: &str| record.get(k).and_then(Value::as_f64);
        format!(
            "{head}: ok, accuracy {}, {:.3} nJ, {:.3} us",
            f("accuracy").map_or("-".into(), |a| format!("{:.2}%", 100.0 * a)),
            f("energy_nj").unwrap_or(0.0),
            f("latency_us").unwrap_or(0.0)
        )
    } else {
        format!(
            "{head}: failed: {}",
            s("error").lines().next().unwrap_or("")
        )
    }
}

/// The last lines of a worker's log, for the record of a point it lost.
fn log_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let tail = lines[lines.len().saturating_sub(3)..].join(" | ");
    format!(
        "log {}: {}",
        path.display(),
        if tail.is_empty() { "empty" } else { &tail }
    )
}
