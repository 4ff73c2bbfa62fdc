//! The spec's errors, the sampling, the keys that decide what is shared,
//! and resuming from a file a kill cut short.

use std::path::{Path, PathBuf};

use crate::plan::{plan, Plan};
use crate::spec::{parse, Recipe, Spec, SpecError};

/// A folder with a model, data and labels file (contents are only hashed).
fn fixture(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cimc-sweep-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (file, text) in [
        ("m.mlir", "model"),
        ("x.npy", "inputs"),
        ("y.npy", "labels"),
        ("c.npy", "calibration"),
        ("m2.mlir", "other"),
    ] {
        std::fs::write(dir.join(file), text).unwrap();
    }
    dir
}

const MODEL: &str = "[[model]]\npath = \"m.mlir\"\ninput = \"x.npy\"\n";
const FLOAT: &str = "[[model]]\npath = \"m.mlir\"\ninput = \"x.npy\"\ncalibration = \"c.npy\"\n";

fn accept(_: &Recipe) -> Result<(), (Option<usize>, String)> {
    Ok(())
}

fn spec(dir: &Path, text: &str) -> Result<Spec, SpecError> {
    parse("s.toml", text, dir)
}

fn planned(dir: &Path, text: &str) -> Result<Plan, SpecError> {
    plan(&spec(dir, text)?, &accept)
}

/// `(line, col, key)` of the error.
fn error_at(dir: &Path, text: &str) -> (usize, usize, String, String) {
    let err = planned(dir, text).expect_err(text);
    (err.line, err.col, err.key, err.message)
}

#[test]
fn bad_specs_name_key_and_line() {
    let dir = fixture("errors");
    let cases: &[(&str, usize, usize, &str, &str)] = &[
        ("[[model]]\npath = \"m.mlir\"\n", 1, 1, "model[1].input", "missing"),
        ("[[model]]\npath = \"none.mlir\"\ninput = \"x.npy\"\n", 2, 8, "model[1].path", "no such file"),
        ("colour = 1\n", 1, 1, "colour", "unknown key"),
        (&format!("{MODEL}[axes]\n\"array.rows\" = []\n"), 5, 16, "axes.array.rows", "empty"),
        (&format!("{MODEL}[axes]\n\"array.rowz\" = [64]\n"), 5, 17, "axes.array.rowz", "array.rows"),
        (&format!("{MODEL}[axes]\n\"array.adc.bits\" = [8, 99]\n"), 5, 24, "axes.array.adc.bits", "between 1 and 24"),
        (&format!("{MODEL}[axes]\n\"array.adc.bits\" = [8, 8]\n"), 5, 24, "axes.array.adc.bits", "twice"),
        // Valid alone, impossible together with the preset's 128 active rows.
        (&format!("{MODEL}[axes]\n\"array.rows\" = [128, 64]\n"), 5, 22, "axes.array.rows", "array.max_active_rows"),
        (&format!("{MODEL}[target]\nbase = \"isac\"\n"), 5, 8, "target.base", "neither a preset"),
        (&format!("{MODEL}[target.set]\n\"array.cols\" = 0\n"), 5, 16, "target.set.array.cols", "array.cols"),
        (&format!("{MODEL}[run]\nschedules = [\"fast\"]\n"), 5, 14, "run.schedules", "unknown schedule"),
        (&format!("{MODEL}[run]\nopt = 4\n"), 5, 7, "run.opt", "0..=3"),
        (&format!("{MODEL}[sample]\nmethod = \"lhs\"\n"), 4, 2, "sample.points", "missing"),
        (&format!("{MODEL}[sample]\nmethod = \"random\"\npoints = 5\n[axes]\n\"array.adc.bits\" = [6, 8]\n"), 6, 1, "sample.points", "2 combinations"),
        (&format!("{FLOAT}[[recipe]]\nname = \"a\"\ntarget = \"puma\"\n"), 7, 1, "recipe[1].target", "sets this itself"),
        (&format!("{FLOAT}[[recipe]]\nname = \"a\"\n[[recipe]]\nname = \"a\"\n"), 7, 1, "recipe[2].name", "second recipe"),
        (&format!("{FLOAT}[[recipe]]\nname = \"a\"\ncle = true\n[[recipe]]\nname = \"b\"\ncle = true\n"), 8, 1, "recipe[2]", "same options"),
        ("x = \n", 1, 5, "(syntax)", ""),
    ];
    for (text, line, col, key, words) in cases {
        let (l, c, k, message) = error_at(&dir, text);
        assert_eq!(
            (l, c, k.as_str()),
            (*line, *col, *key),
            "{text}\n-> {message}"
        );
        assert!(message.contains(words), "{text}\n-> {message}");
    }
}

#[test]
fn a_refused_recipe_option_is_named() {
    let dir = fixture("recipe");
    let s = spec(
        &dir,
        &format!("{FLOAT}[[recipe]]\nname = \"a\"\ncle = true\nbogus = 3\n"),
    )
    .unwrap();
    let refuse = |r: &Recipe| match r.options.iter().position(|o| o.name == "bogus") {
        Some(i) => Err((Some(i), "unexpected argument '--bogus'".to_string())),
        None => Ok(()),
    };
    let err = plan(&s, &refuse).unwrap_err();
    assert_eq!((err.line, err.key.as_str()), (8, "recipe[1].bogus"));
}

#[test]
fn grid_crosses_everything_and_ids_are_stable() {
    let dir = fixture("grid");
    let text = format!(
        "{FLOAT}[[model]]\nname = \"other\"\npath = \"m2.mlir\"\ninput = \"x.npy\"\n\
         [[recipe]]\nname = \"a\"\n[[recipe]]\nname = \"b\"\nweight-range = \"mse\"\n\
         [axes]\n\"array.adc.bits\" = [6, 7, 8]\n\"array.cell_bits\" = [1, 2]\n\
         [run]\nschedules = [\"layer-sequential\", \"ht\"]\n"
    );
    let p = planned(&dir, &text).unwrap();
    // 6 chips x (float model x 2 recipes + integer model x 1) x 2 schedules.
    assert_eq!(p.points.len(), 6 * 3 * 2);
    let ids: std::collections::HashSet<_> = p.points.iter().map(|x| x.id.clone()).collect();
    assert_eq!(ids.len(), p.points.len());
    let again = planned(&dir, &text).unwrap();
    assert!(p
        .points
        .iter()
        .zip(&again.points)
        .all(|(a, b)| a.id == b.id));
    // The integer model is never quantized; the float one once per recipe
    // (no axis changes the weight widths).
    assert!(p
        .points
        .iter()
        .filter(|x| x.model == 1)
        .all(|x| x.quantization.is_none()));
    assert_eq!(p.quantizations.len(), 2);
    // Changing a data file changes the ids.
    std::fs::write(dir.join("x.npy"), "other inputs").unwrap();
    let changed = planned(&dir, &text).unwrap();
    assert!(p
        .points
        .iter()
        .zip(&changed.points)
        .all(|(a, b)| a.id != b.id));
}

#[test]
fn simulation_only_keys_share_the_program() {
    let dir = fixture("share");
    let text = format!(
        "{MODEL}[axes]\n\"non_idealities.programming_sigma\" = [0.0, 0.05]\n\"array.adc.bits\" = [6, 8]\n\
         [run]\nseeds = [1, 2, 3]\n"
    );
    let p = planned(&dir, &text).unwrap();
    assert_eq!(p.points.len(), 12);
    let builds = p.builds();
    assert_eq!(builds.len(), 2, "one program per ADC width");
    assert!(builds.iter().all(|(_, members)| members.len() == 6));
    assert!(p.points[0]
        .overrides
        .contains(&"non_idealities.seed=1".to_string()));
}

#[test]
fn quantization_reads_only_what_the_recipe_needs() {
    let dir = fixture("quant");
    let axes = "[axes]\n\"array.weight_bits\" = [[8], [4]]\n\"non_idealities.programming_sigma\" = [0.01, 0.02]\n\"array.adc.bits\" = [6, 8]\n";
    let count = |recipe: &str| {
        let text = format!("{FLOAT}[[recipe]]\nname = \"r\"\n{recipe}{axes}");
        planned(&dir, &text).unwrap().quantizations.len()
    };
    assert_eq!(count(""), 2, "weight widths only");
    assert_eq!(count("weight-bits = 6\n"), 1, "nothing from the chip");
    assert_eq!(count("noise-aware = true\n"), 4, "widths and noise");
    assert_eq!(count("adc-range = \"mse\"\n"), 8, "the whole chip");
}

#[test]
fn linked_axes_set_their_keys_together() {
    let dir = fixture("linked");
    let text = format!(
        "{MODEL}[axes]\narray = [{{ \"array.rows\" = 64, \"array.cols\" = 64, \"array.max_active_rows\" = 64 }}, {{ \"array.rows\" = 256, \"array.cols\" = 256, \"array.max_active_rows\" = 256 }}]\n"
    );
    let s = spec(&dir, &text).unwrap();
    assert_eq!(
        s.axes[0].values[0].label,
        "array.rows=64,array.cols=64,array.max_active_rows=64"
    );
    let p = plan(&s, &accept).unwrap();
    assert_eq!(
        p.points[1].overrides,
        [
            "array.rows=256",
            "array.cols=256",
            "array.max_active_rows=256"
        ]
    );
}

#[test]
fn random_and_latin_hypercube_samples() {
    let dir = fixture("sample");
    let axes = "[axes]\n\"array.adc.bits\" = [4, 5, 6, 7, 8]\n\"array.dac_bits\" = [1, 2, 4, 8]\n\"array.cell_bits\" = [1, 2]\n";
    let combos = |sample: &str| -> Vec<Vec<usize>> {
        let text = format!("{MODEL}{axes}[sample]\n{sample}");
        planned(&dir, &text)
            .unwrap()
            .points
            .into_iter()
            .map(|p| p.values)
            .collect()
    };
    let random = combos("method = \"random\"\npoints = 12\nseed = 7\n");
    assert_eq!(random.len(), 12);
    let distinct: std::collections::HashSet<_> = random.iter().collect();
    assert_eq!(distinct.len(), 12);
    assert_eq!(
        random,
        combos("method = \"random\"\npoints = 12\nseed = 7\n"),
        "seeded"
    );
    assert_ne!(
        random,
        combos("method = \"random\"\npoints = 12\nseed = 8\n")
    );
    let lhs = combos("method = \"lhs\"\npoints = 20\nseed = 3\n");
    assert_eq!(lhs.len(), 20);
    // Every value of every axis taken equally often (20 / 5, 20 / 4, 20 / 2).
    for (axis, n) in [(0, 5), (1, 4), (2, 2)] {
        for v in 0..n {
            assert_eq!(
                lhs.iter().filter(|c| c[axis] == v).count(),
                20 / n,
                "axis {axis} value {v}"
            );
        }
    }
}

#[test]
fn a_line_cut_short_is_dropped_on_resume() {
    let dir = fixture("resume");
    let path = dir.join("results.jsonl");
    std::fs::write(&path, "{\"id\":\"a\",\"status\":\"ok\"}\n{\"id\":\"b\",\"status\":\"error\"}\n{\"id\":\"c\",\"sta").unwrap();
    let records = crate::record::read_finished(&path).unwrap();
    assert_eq!(crate::record::ids(&records).len(), 2);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.ends_with("\"error\"}\n"),
        "truncated to the last whole line: {text:?}"
    );
    assert!(crate::record::read_finished(&dir.join("missing.jsonl"))
        .unwrap()
        .is_empty());
}

#[test]
fn report_draws_every_picture_and_the_table() {
    let dir = fixture("report");
    let text = format!(
        "{FLOAT}[[recipe]]\nname = \"a\"\n[[recipe]]\nname = \"b\"\ncle = true\n[axes]\n\"array.adc.bits\" = [6, 8]\n"
    );
    let s = spec(&dir, &text).unwrap();
    let p = plan(&s, &accept).unwrap();
    let records: Vec<serde_json::Value> = p
        .points
        .iter()
        .enumerate()
        .map(|(i, point)| {
            let mut m = serde_json::Map::new();
            let f = i as f64;
            m.insert("accuracy".into(), (0.5 + 0.1 * f).into());
            m.insert("energy_nj".into(), (10.0 + f).into());
            m.insert("energy_adc_nj".into(), (6.0 + f).into());
            m.insert("energy_array_nj".into(), 4.0.into());
            m.insert("latency_us".into(), (3.0 - 0.5 * f).into());
            m.insert("tops_per_w".into(), 2.0.into());
            let outcome = if i == 3 {
                Err("it broke <here>".to_string())
            } else {
                Ok(m)
            };
            crate::record::record(&s, point, outcome)
        })
        .collect();
    let out = dir.join("out");
    // The most accurate point that ran (point 3 failed).
    let chosen = crate::report::detail_point(&records).unwrap();
    assert_eq!(chosen, 2);
    let mapping = serde_json::json!({
        "layers": [
            {"name": "conv", "arrays": 2, "utilization": 0.75},
            {"name": "fc", "arrays": 1, "utilization": 0.25},
        ],
        "stages": [
            {"name": "conv", "replicas": 3, "array_cycles": 900, "buffer_cycles": 100, "vector_cycles": 40},
            {"name": "fc", "replicas": 1, "array_cycles": 300, "buffer_cycles": 20, "vector_cycles": 10},
        ],
    });
    let detail = crate::report::Detail {
        record: &records[chosen],
        mapping,
    };
    let page = crate::report::write(&out, &s, &records, Some(&detail)).unwrap();
    for name in [
        "pareto_energy",
        "pareto_latency",
        "axis_0",
        "energy_axis_0",
        "energy_front",
        "layers",
    ] {
        for ext in ["svg", "png"] {
            let f = out.join("plots").join(format!("{name}.{ext}"));
            assert!(
                std::fs::metadata(&f)
                    .map(|m| m.len() > 500)
                    .unwrap_or(false),
                "{}",
                f.display()
            );
        }
    }
    let html = std::fs::read_to_string(page).unwrap();
    assert_eq!(html.matches("<svg").count(), 6, "the pictures inline");
    assert!(html.contains("conv x3"), "the stage's copies");
    assert_eq!(html.matches("<tr class=\"error\">").count(), 1);
    assert!(html.contains("it broke &lt;here&gt;"), "escaped");
    // Points 0..2 are each better on energy or accuracy than the next.
    assert!(html.contains("<td>#3</td>"));
}
