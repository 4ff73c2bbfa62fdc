//! The sweep's report: the pictures of [`crate::plot`] from the records in
//! `DIR/plots/`, and `DIR/report.html`, one self-contained page (the SVGs
//! inline) with the Pareto points, the pictures, the layers of one point
//! and the whole table.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::pareto;
use crate::plot::{self, AxisPanels, BarPanels, Bars, Chart, Scatter, Stacked};
use crate::record;
use crate::spec::Spec;

/// The energy components of the breakdown, by record column.
const COMPONENTS: &[(&str, &str)] = &[
    ("energy_array_nj", "array"),
    ("energy_dac_nj", "DAC"),
    ("energy_adc_nj", "ADC"),
    ("energy_shift_add_nj", "shift-add"),
    ("energy_buffer_nj", "buffer"),
    ("energy_network_nj", "network"),
    ("energy_vector_nj", "vector"),
    ("energy_memory_nj", "memory"),
    ("energy_host_nj", "host"),
];

fn num(r: &Value, key: &str) -> Option<f64> {
    r.get(key).and_then(Value::as_f64).filter(|v| v.is_finite())
}

fn text(r: &Value, key: &str) -> String {
    r.get(key).and_then(Value::as_str).unwrap_or("").to_string()
}

/// How the points are told apart in the scatters: by recipe, model or
/// schedule, whichever varies first.
fn series_key(ok: &[&Value]) -> Option<&'static str> {
    ["recipe", "model", "schedule"].into_iter().find(|k| {
        let first = ok.first().map(|r| text(r, k));
        ok.iter().any(|r| Some(text(r, k)) != first)
    })
}

/// A point's coordinates, for tables and legends (`shorten`: the axes'
/// values as on an axis, for a title).
fn coordinates(spec: &Spec, r: &Value, shorten: bool) -> String {
    let mut parts = vec![text(r, "model")];
    for k in ["recipe", "schedule"] {
        parts.push(text(r, k));
    }
    if let Some(seed) = r.get("seed").and_then(Value::as_u64) {
        parts.push(format!("seed {seed}"));
    }
    for axis in &spec.axes {
        let v = r
            .get("axes")
            .and_then(|a| a.get(&axis.name))
            .and_then(Value::as_str)
            .unwrap_or("");
        let v = if shorten { short(v) } else { v.to_string() };
        parts.push(format!("{}={v}", axis.name));
    }
    parts.join(" ")
}

/// The Pareto scatter of accuracy against `cost` (a record column).
fn front_chart(ok: &[&Value], cost: &str, label: &str, title: &str) -> (Chart, Vec<usize>) {
    let key = series_key(ok);
    let mut names: Vec<String> = Vec::new();
    let mut series: Vec<(String, Vec<(f64, f64)>)> = Vec::new();
    let mut all = Vec::new();
    for r in ok {
        let p = (
            num(r, cost).unwrap_or(f64::NAN),
            100.0 * num(r, "accuracy").unwrap_or(f64::NAN),
        );
        all.push(p);
        let name = key.map_or_else(|| "points".to_string(), |k| format!("{k} {}", text(r, k)));
        let slot = match names.iter().position(|n| *n == name) {
            Some(i) => i,
            None => {
                names.push(name.clone());
                series.push((name, Vec::new()));
                names.len() - 1
            }
        };
        if p.0.is_finite() && p.1.is_finite() {
            series[slot].1.push(p);
        }
    }
    let front = pareto::front(&all);
    let chart = Chart::Scatter(Scatter {
        title: title.to_string(),
        x_label: label.to_string(),
        y_label: "top-1 accuracy (%)".into(),
        series,
        front: front.iter().map(|&i| all[i]).collect(),
    });
    (chart, front)
}

/// One point's program in detail: its record and the mapping report of
/// its compiled program (as `cimc --report-json` writes it).
pub struct Detail<'a> {
    pub record: &'a Value,
    pub mapping: Value,
}

/// The point whose layers the report shows: the most accurate (the top of
/// both Pareto fronts), of those the least energy; without accuracies the
/// least energy. An index into `records`.
pub fn detail_point(records: &[Value]) -> Option<usize> {
    let key = |r: &Value| {
        (
            num(r, "accuracy").unwrap_or(0.0),
            -num(r, "energy_nj").unwrap_or(f64::INFINITY),
        )
    };
    records
        .iter()
        .enumerate()
        .filter(|(_, r)| text(r, "status") == "ok")
        .max_by(|a, b| {
            key(a.1)
                .partial_cmp(&key(b.1))
                .unwrap_or(std::cmp::Ordering::Equal)
        })
        .map(|(i, _)| i)
}

/// The layers of `detail`: per crossbar layer its array utilization, per
/// pipeline stage its array, buffer and vector cycles.
fn layers_chart(spec: &Spec, detail: &Detail) -> Option<Chart> {
    let m = &detail.mapping;
    let list = |k: &str| {
        m.get(k)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let layers = list("layers");
    let stages = list("stages");
    if layers.is_empty() {
        return None;
    }
    let utilization = layers
        .iter()
        .map(|l| {
            let arrays = l.get("arrays").and_then(Value::as_i64).unwrap_or(0);
            (
                format!("{} ({arrays})", text(l, "name")),
                vec![100.0 * num(l, "utilization").unwrap_or(0.0)],
            )
        })
        .collect();
    let mut panels = vec![Bars {
        y_label: "cells used of its arrays (%)".into(),
        components: vec!["cells used".into()],
        bars: utilization,
    }];
    if !stages.is_empty() {
        let cycles = stages
            .iter()
            .map(|st| {
                let copies = st.get("replicas").and_then(Value::as_u64).unwrap_or(1);
                let label = if copies > 1 {
                    format!("{} x{copies}", text(st, "name"))
                } else {
                    text(st, "name")
                };
                let c = |k: &str| num(st, k).unwrap_or(0.0);
                (
                    label,
                    vec![c("array_cycles"), c("buffer_cycles"), c("vector_cycles")],
                )
            })
            .collect();
        panels.push(Bars {
            y_label: "stage time per sample (cycles)".into(),
            components: vec!["arrays".into(), "buffer".into(), "vector units".into()],
            bars: cycles,
        });
    }
    Some(Chart::Bars(BarPanels {
        title: format!(
            "Layers of {}: {}",
            text(detail.record, "id"),
            coordinates(spec, detail.record, true)
        ),
        panels,
    }))
}

/// Writes the pictures and the page; returns the page's path.
pub fn write(
    dir: &Path,
    spec: &Spec,
    records: &[Value],
    detail: Option<&Detail>,
) -> Result<PathBuf, String> {
    let plots = dir.join("plots");
    std::fs::create_dir_all(&plots).map_err(|e| format!("{}: {e}", plots.display()))?;
    let ok: Vec<&Value> = records
        .iter()
        .filter(|r| text(r, "status") == "ok")
        .collect();
    let failed = records.len() - ok.len();
    let accuracy = ok.iter().any(|r| num(r, "accuracy").is_some());
    let mut figures: Vec<(String, PathBuf)> = Vec::new();
    let mut energy_front = Vec::new();
    if accuracy && !ok.is_empty() {
        let (chart, front) = front_chart(
            &ok,
            "energy_nj",
            "energy per inference (nJ)",
            "Accuracy against energy",
        );
        figures.push((
            "Pareto front: accuracy against energy".into(),
            plot::write(&chart, &plots.join("pareto_energy"))?,
        ));
        energy_front = front;
        let (chart, _) = front_chart(
            &ok,
            "latency_us",
            "latency per inference (µs)",
            "Accuracy against latency",
        );
        figures.push((
            "Pareto front: accuracy against latency".into(),
            plot::write(&chart, &plots.join("pareto_latency"))?,
        ));
    }
    for (a, axis) in spec.axes.iter().enumerate() {
        if ok.is_empty() {
            break;
        }
        let categories: Vec<String> = axis.values.iter().map(|v| v.label.clone()).collect();
        let index = |r: &Value| {
            let label = r
                .get("axes")
                .and_then(|x| x.get(&axis.name))
                .and_then(Value::as_str)?;
            categories.iter().position(|c| c == label)
        };
        let mut panels = Vec::new();
        let metrics: &[(&str, &str, f64)] = &[
            ("accuracy", "top-1 accuracy (%)", 100.0),
            ("energy_nj", "energy per inference (nJ)", 1.0),
            ("latency_us", "latency (µs)", 1.0),
            ("tops_per_w", "TOPS/W", 1.0),
        ];
        for (key, label, scale) in metrics {
            let values: Vec<(usize, f64)> = ok
                .iter()
                .filter_map(|r| Some((index(r)?, num(r, key)? * scale)))
                .collect();
            if !values.is_empty() {
                panels.push((label.to_string(), values));
            }
        }
        let chart = Chart::Axis(AxisPanels {
            title: format!("Against {}", axis.name),
            axis: axis.name.clone(),
            categories: categories.iter().map(|c| short(c)).collect(),
            panels,
        });
        figures.push((
            format!("Metrics against the axis {}", axis.name),
            plot::write(&chart, &plots.join(format!("axis_{a}")))?,
        ));
    }
    // The energy breakdown of the energy front (the cheapest twelve), and
    // the mean breakdown at each value of every axis.
    let shown: Vec<&Value> = energy_front.iter().take(12).map(|&i| ok[i]).collect();
    let breakdown = |title: String, bars: Vec<(String, Vec<f64>)>| {
        Chart::Stacked(Stacked {
            title,
            y_label: "energy per inference (nJ)".into(),
            components: COMPONENTS.iter().map(|(_, n)| n.to_string()).collect(),
            bars,
        })
    };
    let parts = |r: &Value| -> Vec<f64> {
        COMPONENTS
            .iter()
            .map(|(k, _)| num(r, k).unwrap_or(0.0))
            .collect()
    };
    if shown.len() > 1 {
        let bars = shown
            .iter()
            .enumerate()
            .map(|(i, r)| (format!("#{}", i + 1), parts(r)))
            .collect();
        let chart = breakdown(
            "Energy per inference of the points on the energy front".into(),
            bars,
        );
        figures.push((
            "Energy breakdown of the energy front (numbered as in the table)".into(),
            plot::write(&chart, &plots.join("energy_front"))?,
        ));
    }
    for (a, axis) in spec.axes.iter().enumerate() {
        let mut bars = Vec::new();
        for value in &axis.values {
            let at: Vec<Vec<f64>> = ok
                .iter()
                .filter(|r| {
                    r.get("axes")
                        .and_then(|x| x.get(&axis.name))
                        .and_then(Value::as_str)
                        == Some(value.label.as_str())
                })
                .map(|r| parts(r))
                .collect();
            if at.is_empty() {
                continue;
            }
            let mean = (0..COMPONENTS.len())
                .map(|k| at.iter().map(|p| p[k]).sum::<f64>() / at.len() as f64)
                .collect();
            bars.push((short(&value.label), mean));
        }
        if !bars.is_empty() {
            let chart = breakdown(format!("Mean energy per inference by {}", axis.name), bars);
            figures.push((
                format!(
                    "Energy breakdown against the axis {} (mean over its points)",
                    axis.name
                ),
                plot::write(&chart, &plots.join(format!("energy_axis_{a}")))?,
            ));
        }
    }
    if let Some(chart) = detail.and_then(|d| layers_chart(spec, d)) {
        figures.push((
            format!(
                "Layers of the most accurate point, {}: the share of its arrays' cells each crossbar layer uses (its array count in brackets), and each pipeline stage's time per sample on the arrays, the buffers and the vector units (xN: N copies of the layer's weights); the slowest stage sets the period",
                text(detail.map_or(&Value::Null, |d| d.record), "id")
            ),
            plot::write(&chart, &plots.join("layers"))?,
        ));
    }
    let page = html(spec, records, &ok, failed, &shown, &figures)?;
    let path = dir.join("report.html");
    std::fs::write(&path, page).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}

/// A category label short enough for an axis (`array.rows=64,...` → `64,...`).
fn short(label: &str) -> String {
    label
        .split(',')
        .map(|part| part.rsplit('=').next().unwrap_or(part))
        .collect::<Vec<_>>()
        .join("/")
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn html(
    spec: &Spec,
    records: &[Value],
    ok: &[&Value],
    failed: usize,
    front: &[&Value],
    figures: &[(String, PathBuf)],
) -> Result<String, String> {
    let mut page = String::new();
    let title = format!("cimc sweep {}", spec.file);
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{t}</title>\n<style>\
         body{{font-family:sans-serif;margin:2em;color:#222}} table{{border-collapse:collapse;font-size:12px}}\
         td,th{{border:1px solid #ccc;padding:2px 6px;text-align:right}} th{{background:#eee;position:sticky;top:0}}\
         td.l{{text-align:left}} tr.error td{{background:#fdd}} figure{{margin:1em 0}} figure svg{{max-width:100%;height:auto}} .scroll{{max-height:40em;overflow:auto}}\
         </style></head><body>\n<h1>{t}</h1>\n<p>{} points: {} ok, {failed} failed. Target base <code>{}</code>. \
         Produced by <code>cimc sweep</code>; the data are <code>results.jsonl</code> and <code>results.csv</code> beside this page.</p>\n",
        records.len(),
        ok.len(),
        escape(&spec.target.base),
        t = escape(&title),
    );
    if !front.is_empty() {
        page.push_str("<h2>Pareto front: accuracy against energy</h2>\n<table><tr><th>#</th><th>point</th><th>accuracy (%)</th><th>energy (nJ)</th><th>latency (µs)</th><th>TOPS/W</th></tr>\n");
        for (i, r) in front.iter().enumerate() {
            let _ = writeln!(
                page,
                "<tr><td>#{}</td><td class=\"l\">{}</td><td>{:.2}</td><td>{:.3}</td><td>{:.3}</td><td>{:.3}</td></tr>",
                i + 1,
                escape(&coordinates(spec, r, false)),
                100.0 * num(r, "accuracy").unwrap_or(f64::NAN),
                num(r, "energy_nj").unwrap_or(f64::NAN),
                num(r, "latency_us").unwrap_or(f64::NAN),
                num(r, "tops_per_w").unwrap_or(f64::NAN)
            );
        }
        page.push_str("</table>\n");
    }
    for (caption, svg) in figures {
        let text = std::fs::read_to_string(svg).map_err(|e| format!("{}: {e}", svg.display()))?;
        let _ = writeln!(
            page,
            "<figure>{text}<figcaption>{}</figcaption></figure>",
            escape(caption)
        );
    }
    page.push_str("<h2>All points</h2>\n<div class=\"scroll\"><table>\n<tr>");
    let header = record::csv_header(spec);
    for h in &header {
        let _ = write!(page, "<th>{}</th>", escape(h));
    }
    page.push_str("</tr>\n");
    for r in records {
        let class = if text(r, "status") == "ok" {
            ""
        } else {
            " class=\"error\""
        };
        let _ = write!(page, "<tr{class}>");
        for (h, cell) in header.iter().zip(record::csv_row(spec, r)) {
            let cell = match cell.parse::<f64>() {
                Ok(v) if cell.contains('.') && h != "seed" => format!("{v:.4}"),
                _ => cell,
            };
            let _ = write!(page, "<td class=\"l\">{}</td>", escape(&cell));
        }
        page.push_str("</tr>\n");
    }
    page.push_str("</table></div>\n</body></html>\n");
    Ok(page)
}
