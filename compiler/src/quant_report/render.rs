//! The quantization report as JSON (the `--report` file) and as the
//! tables printed on standard error.

use super::findings::{Error, Findings, Outcome, Top1};
use cimc_passes::quant::fake_quant::Layer;
use serde_json::{json, Value};

impl Error {
    pub(super) fn json(&self) -> Value {
        json!({ "cosine": self.cosine(), "sqnr_db": self.sqnr_db() })
    }
}

impl Top1 {
    pub(super) fn json(&self) -> Value {
        json!({ "accuracy": self.accuracy(), "correct": self.correct, "total": self.total })
    }

    pub(super) fn text(&self) -> String {
        format!("{:.2}% ({}/{})", self.accuracy(), self.correct, self.total)
    }
}

impl Outcome {
    pub(super) fn json(&self) -> Value {
        let mut value = self.error.json();
        value["top1"] = self.top1.map_or(Value::Null, |t| t.json());
        value
    }
}

impl Findings<'_> {
    pub(super) fn json(&self) -> Value {
        let s = self.settings;
        let layers: Vec<Value> = self
            .rows
            .iter()
            .map(|row| {
                let l = &row.layer;
                // Keys in alphabetical order: the same text whether or not
                // serde_json preserves insertion order.
                json!({
                    "activation": row.error.map_or(Value::Null, |e| e.json()),
                    "all_but": row.all_but.json(),
                    "argument": l.arg,
                    "fused_clamp": l.fused_clamp.map(|(lo, hi)| json!([lo, hi])),
                    "grid": l.grid.map(|(scale, zero_point)| json!({"scale": scale, "zero_point": zero_point})),
                    "index": l.index,
                    "name": l.name,
                    "only": row.only.json(),
                    "op": l.kind,
                    "weights": l.weighted,
                })
            })
            .collect();
        let ablation = |name: &str| {
            self.ablation
                .iter()
                .find(|(n, _)| *n == name)
                .map_or(Value::Null, |(_, o)| o.json())
        };
        let output = json!({
            "activations_only": ablation("activations_only"),
            "both": ablation("both"),
            "integer": self.integer.map_or(Value::Null, |o| o.json()),
            "integer_vs_fake_quant": self.agreement.map_or(Value::Null, |(e, same)| json!({
                "cosine": e.cosine(),
                "same_top1_class": same,
                "sqnr_db": e.sqnr_db(),
            })),
            "weights_only": ablation("weights_only"),
        });
        json!({
            "inputs": self.inputs,
            "labels": self.labels,
            "layers": layers,
            "output": output,
            "samples": self.samples,
            "settings": {
                "activation_bits": 8,
                "activation_range": format!("{:?}", s.ranges),
                "cle": s.cle,
                "per_channel": s.per_channel,
                "weight_bits": s.weight_bits,
                "weight_range": s.weight_range,
            },
            "top1": {
                "fake_quant": self.ablation.iter().find(|(n, _)| *n == "both").and_then(|(_, o)| o.top1).map(|t| t.json()),
                "float": self.float_top1.map(|t| t.json()),
                "integer": self.integer.and_then(|o| o.top1).map(|t| t.json()),
            },
        })
    }

    /// The tables printed on standard error.
    pub(super) fn text(&self) -> String {
        let s = self.settings;
        let labels = self.labels.is_some();
        let db = |e: &Error| e.sqnr_db().map_or("inf".to_string(), |v| format!("{v:.2}"));
        let top = |t: Option<Top1>| t.map_or("-".to_string(), |t| t.text());
        let mut out = format!(
            "quantization report: {}; {} sample(s), {:.2} s\n",
            s.describe(),
            self.samples,
            self.started.elapsed().as_secs_f64()
        );
        out += &format!(
            "{:<24} {:>10} {:>9}{}\n",
            "model (output vs float)",
            "SQNR dB",
            "cosine",
            if labels { "  top-1" } else { "" }
        );
        let mut line = |name: &str, o: Option<&Outcome>, t: Option<Top1>| {
            let (d, c) = o.map_or(("-".to_string(), "-".to_string()), |o| {
                (db(&o.error), format!("{:.6}", o.error.cosine()))
            });
            out += &format!(
                "{name:<24} {d:>10} {c:>9}{}\n",
                if labels {
                    format!("  {}", top(t))
                } else {
                    String::new()
                }
            );
        };
        line("float", None, self.float_top1);
        for (name, title) in [
            ("weights_only", "weights only"),
            ("activations_only", "activations only"),
            ("both", "weights + activations"),
        ] {
            let o = self
                .ablation
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, o)| o);
            line(title, o, o.and_then(|o| o.top1));
        }
        line(
            "integer (converted)",
            self.integer.as_ref(),
            self.integer.and_then(|o| o.top1),
        );
        if let Some((e, same)) = &self.agreement {
            out += &format!(
                "integer vs fake-quant: output SQNR {} dB, cosine {:.6}, same top-1 class on {same}/{} sample(s)\n",
                db(e),
                e.cosine(),
                self.samples
            );
        }
        let width = self
            .rows
            .iter()
            .map(|r| r.layer.name.len())
            .max()
            .unwrap_or(5)
            .max(5);
        let op_width = self
            .rows
            .iter()
            .map(|r| op_label(&r.layer).len())
            .max()
            .unwrap_or(2)
            .max(2);
        out += &format!(
            "\nper layer: its activation in the fake-quantized model vs float (an op with a fused clamp after the clamp);\n\
             only / all but: the output with only this layer quantized / every layer but this one\n\
             {:<width$} {:<op_width$} {:>10} {:>9} {:>12}{} {:>14}{}\n",
            "layer",
            "op",
            "SQNR dB",
            "cosine",
            "only: SQNR",
            if labels { "       top-1" } else { "" },
            "all but: SQNR",
            if labels { "       top-1" } else { "" },
        );
        for row in self.rows {
            let (d, c) = row.error.map_or(("-".to_string(), "-".to_string()), |e| {
                (db(&e), format!("{:.6}", e.cosine()))
            });
            let short = |t: Option<Top1>| {
                if labels {
                    format!(
                        " {:>11}",
                        t.map_or("-".into(), |t| format!("{:.2}%", t.accuracy()))
                    )
                } else {
                    String::new()
                }
            };
            out += &format!(
                "{:<width$} {:<op_width$} {d:>10} {c:>9} {:>12}{} {:>14}{}\n",
                row.layer.name,
                op_label(&row.layer),
                db(&row.only.error),
                short(row.only.top1),
                db(&row.all_but.error),
                short(row.all_but.top1),
            );
        }
        out
    }
}

/// `tosa.conv2d (W, ReLU)`: the op, whether it has weights and whether a
/// clamp is fused into its grid.
fn op_label(layer: &Layer) -> String {
    let mut tags = Vec::new();
    if layer.weighted {
        tags.push("W");
    }
    if layer.fused_clamp.is_some() {
        tags.push("+clamp");
    }
    if tags.is_empty() {
        layer.kind.clone()
    } else {
        format!("{} ({})", layer.kind, tags.join(" "))
    }
}
