//! `cimc sweep`: a sweep of the bundled integer CNN runs every point once,
//! survives being killed (the rerun finishes without redoing a finished
//! point), records a failing point instead of stopping, and refuses a bad
//! spec before any point runs.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn models() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../test/models")
}

/// A spec over the int8 CNN in a fresh folder: 2 ADC widths x 3 seeds of a
/// noisy chip x 2 schedules = 12 points, 4 programs.
fn write_spec(name: &str, input: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cimc-suite-sweep-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let m = models();
    let spec = format!(
        "[[model]]\npath = \"{}\"\ninput = \"{}\"\nlabels = \"{}\"\n\
         [target.set]\n\"non_idealities.programming_sigma\" = 0.02\n\
         [axes]\n\"array.adc.bits\" = [6, 8]\n\
         [run]\nseeds = [1, 2, 3]\nschedules = [\"layer-sequential\", \"ht\"]\n",
        m.join("cnn.int8.mlir").display(),
        m.join(input).display(),
        m.join("digits_test_labels.npy").display()
    );
    let path = dir.join("cnn.sweep.toml");
    std::fs::write(&path, spec).unwrap();
    path
}

fn cimc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_cimc"))
}

fn records(dir: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(dir.join("results.jsonl"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

#[test]
fn killed_sweep_resumes_without_redoing_points() {
    let spec = write_spec("resume", "cnn.int8.input.npy");
    let out = spec.with_file_name("cnn.sweep");
    // The whole sweep, for reference.
    let mut child = cimc()
        .args(["sweep", "-j", "1"])
        .arg(&spec)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once some, not all, points are written.
    let started = Instant::now();
    loop {
        let n = records(&out).len();
        if n >= 1 || started.elapsed() > Duration::from_secs(300) {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let before = records(&out);
    assert!(!before.is_empty(), "some points finished before the kill");
    assert!(
        before.len() < 12,
        "killed before the end ({} points)",
        before.len()
    );

    let rerun = cimc()
        .args(["sweep", "-j", "2"])
        .arg(&spec)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&rerun.stderr);
    assert!(rerun.status.success(), "{stderr}");
    let after = records(&out);
    assert_eq!(after.len(), 12, "{stderr}");
    let ids: std::collections::HashSet<_> = after
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 12, "every point once");
    // The finished points were kept as they were, not run again.
    for r in &before {
        assert!(after.contains(r), "kept: {r}");
    }
    let skipped = format!(
        "{} already done, {} to run",
        before.len(),
        12 - before.len()
    );
    assert!(
        stderr.contains(&skipped),
        "expected `{skipped}` in:\n{stderr}"
    );
    // Seeds share a program: 4 compilations for the 12 points when nothing
    // was done, fewer for what remained.
    assert!(after.iter().all(|r| r["status"] == "ok"), "{after:?}");
    let csv = std::fs::read_to_string(out.join("results.csv")).unwrap();
    assert_eq!(csv.lines().count(), 13, "header and one row per point");

    // Same seed and width: the two schedules agree on accuracy; different
    // seeds of the noisy chip need not.
    let third = cimc().args(["sweep"]).arg(&spec).output().unwrap();
    assert!(String::from_utf8_lossy(&third.stderr).contains("12 already done, 0 to run"));
    assert_eq!(records(&out), after, "a finished sweep is left as it is");
}

#[test]
fn a_failing_point_is_recorded_not_fatal() {
    // Labels are no input of the CNN: every point fails, each recorded.
    let spec = write_spec("fail", "digits_test_labels.npy");
    let run = cimc()
        .args(["sweep", "-j", "2"])
        .arg(&spec)
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(1),
        "failed points make the exit status 1"
    );
    let out = spec.with_file_name("cnn.sweep");
    let all = records(&out);
    assert_eq!(all.len(), 12);
    for r in &all {
        assert_eq!(r["status"], "error");
        assert!(r["error"].as_str().unwrap().contains("expects"), "{r}");
    }
}

#[test]
fn a_bad_spec_is_refused_before_any_point_runs() {
    let spec = write_spec("bad", "cnn.int8.input.npy");
    let text = std::fs::read_to_string(&spec)
        .unwrap()
        .replace("[6, 8]", "[6, 30]");
    std::fs::write(&spec, text).unwrap();
    let run = cimc().arg("sweep").arg(&spec).output().unwrap();
    assert_eq!(run.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("cnn.sweep.toml:8:24: error: axes.array.adc.bits: `array.adc.bits` = 30"),
        "{stderr}"
    );
    assert!(!spec.with_file_name("cnn.sweep").exists(), "nothing ran");
}
