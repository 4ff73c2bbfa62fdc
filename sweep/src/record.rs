//! Results: one JSON object per point (a line of `results.jsonl`) and the
//! same as a row of `results.csv`; reading back the points a killed run
//! finished, so that a rerun skips them.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::plan::{recipe_name, Point};
use crate::spec::Spec;

/// The measured columns, in order, with what each holds. Per-inference
/// figures are means over the model's evaluation samples.
pub const METRICS: &[(&str, &str)] = &[
    (
        "accuracy",
        "top-1 accuracy on the labels (0..1; empty without labels)",
    ),
    ("latency_us", "latency of one inference, µs"),
    ("period_us", "time between consecutive inferences' ends, µs"),
    ("throughput_per_s", "inferences per second"),
    (
        "energy_nj",
        "energy per inference (the run, without the one-off programming), nJ",
    ),
    ("energy_array_nj", "of which the arrays, nJ"),
    ("energy_dac_nj", "DACs, nJ"),
    ("energy_adc_nj", "ADCs, nJ"),
    ("energy_shift_add_nj", "shift-and-add, nJ"),
    ("energy_buffer_nj", "buffers, nJ"),
    ("energy_network_nj", "network, nJ"),
    ("energy_vector_nj", "vector units, nJ"),
    ("energy_memory_nj", "global memory, nJ"),
    ("energy_host_nj", "host, nJ"),
    ("programming_nj", "programming the weights once, nJ"),
    ("tops", "tera-operations per second"),
    ("tops_per_w", "tera-operations per second per watt"),
    ("area_mm2", "chip area, mm²"),
    ("arrays", "arrays used"),
    ("utilization", "mean array utilization over the run (0..1)"),
    (
        "period_utilization",
        "mean array utilization in one period (0..1)",
    ),
    ("vector_ops", "ops on the cores' vector units"),
    ("host_ops", "ops on the host"),
    (
        "quantize_s",
        "wall time of the quantization (0 when cached or integer)",
    ),
    (
        "compile_s",
        "wall time compiling the program (shared by its build's points)",
    ),
    ("simulate_s", "wall time simulating the evaluation samples"),
    (
        "quantization_cached",
        "the quantized model came from the cache",
    ),
    (
        "compile_shared",
        "the program was compiled for another point of its build",
    ),
];

/// The record of `point`: its coordinates, then `metrics` (ok) or the error.
pub fn record(spec: &Spec, point: &Point, outcome: Result<Map<String, Value>, String>) -> Value {
    let mut out = Map::new();
    out.insert("id".into(), point.id.clone().into());
    out.insert("model".into(), spec.models[point.model].name.clone().into());
    out.insert("recipe".into(), recipe_name(spec, point.recipe).into());
    out.insert("schedule".into(), point.schedule.clone().into());
    out.insert("seed".into(), point.seed.map_or(Value::Null, Value::from));
    let axes: Map<String, Value> = spec
        .axes
        .iter()
        .zip(&point.values)
        .map(|(axis, &v)| (axis.name.clone(), axis.values[v].label.clone().into()))
        .collect();
    out.insert("axes".into(), Value::Object(axes));
    out.insert("overrides".into(), point.overrides.clone().into());
    match outcome {
        Ok(metrics) => {
            out.insert("status".into(), "ok".into());
            for (name, _) in METRICS {
                out.insert(
                    (*name).into(),
                    metrics.get(*name).cloned().unwrap_or(Value::Null),
                );
            }
            for (name, value) in metrics {
                out.entry(name).or_insert(value);
            }
        }
        Err(message) => {
            out.insert("status".into(), "error".into());
            out.insert("error".into(), message.into());
        }
    }
    Value::Object(out)
}

/// The CSV header: coordinates, one column per axis, status, metrics, error.
pub fn csv_header(spec: &Spec) -> Vec<String> {
    let mut header: Vec<String> = ["id", "model", "recipe", "schedule", "seed"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    header.extend(spec.axes.iter().map(|a| a.name.clone()));
    header.push("status".into());
    header.extend(METRICS.iter().map(|(n, _)| n.to_string()));
    header.push("error".into());
    header
}

/// A record as a CSV row under [`csv_header`].
pub fn csv_row(spec: &Spec, record: &Value) -> Vec<String> {
    let text = |v: Option<&Value>| match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    let mut row: Vec<String> = ["id", "model", "recipe", "schedule", "seed"]
        .iter()
        .map(|k| text(record.get(*k)))
        .collect();
    row.extend(
        spec.axes
            .iter()
            .map(|a| text(record.get("axes").and_then(|x| x.get(&a.name)))),
    );
    row.push(text(record.get("status")));
    row.extend(METRICS.iter().map(|(n, _)| text(record.get(*n))));
    row.push(text(record.get("error")));
    row
}

/// The result files of a sweep's folder.
pub struct Results {
    jsonl: File,
    csv: csv::Writer<File>,
    pub jsonl_path: PathBuf,
    pub csv_path: PathBuf,
}

/// The records a previous run wrote to `path` (a line cut short by a kill
/// is dropped, and the file truncated to the last whole line).
pub fn read_finished(path: &Path) -> std::io::Result<Vec<Value>> {
    let Ok(file) = File::open(path) else {
        return Ok(Vec::new());
    };
    let mut records = Vec::new();
    let mut good = 0u64;
    let mut reader = BufReader::new(file);
    let mut line = String::new();
    loop {
        line.clear();
        let n = reader.read_line(&mut line)?;
        if n == 0 {
            break;
        }
        match serde_json::from_str::<Value>(line.trim_end()) {
            Ok(v) if line.ends_with('\n') && v.get("id").is_some() => {
                good += n as u64;
                records.push(v);
            }
            _ => break,
        }
    }
    let file = OpenOptions::new().write(true).open(path)?;
    if file.metadata()?.len() != good {
        file.set_len(good)?;
    }
    Ok(records)
}

impl Results {
    /// Opens the files in `dir` for appending after `kept` (the finished
    /// records this run keeps): the CSV is rewritten from them, so a row a
    /// kill cut short does not survive.
    pub fn open(dir: &Path, spec: &Spec, kept: &[Value]) -> std::io::Result<Results> {
        let jsonl_path = dir.join("results.jsonl");
        let csv_path = dir.join("results.csv");
        let mut jsonl = OpenOptions::new()
            .create(true)
            .read(true)
            .write(true)
            .truncate(false)
            .open(&jsonl_path)?;
        jsonl.set_len(0)?;
        for record in kept {
            writeln!(jsonl, "{record}")?;
        }
        jsonl.seek(SeekFrom::End(0))?;
        let mut csv = csv::Writer::from_writer(File::create(&csv_path)?);
        csv.write_record(csv_header(spec))?;
        for record in kept {
            csv.write_record(csv_row(spec, record))?;
        }
        csv.flush()?;
        Ok(Results {
            jsonl,
            csv,
            jsonl_path,
            csv_path,
        })
    }

    /// Appends one record to both files, flushed (a kill loses nothing
    /// written before it).
    pub fn write(&mut self, spec: &Spec, record: &Value) -> std::io::Result<()> {
        writeln!(self.jsonl, "{record}")?;
        self.jsonl.flush()?;
        self.csv.write_record(csv_row(spec, record))?;
        self.csv.flush()
    }
}

/// The ids among `records`.
pub fn ids(records: &[Value]) -> HashSet<String> {
    records
        .iter()
        .filter_map(|r| r.get("id").and_then(Value::as_str).map(str::to_string))
        .collect()
}
