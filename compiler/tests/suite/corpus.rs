//! The malformed-input corpus (`test/corpus/`, `cases.toml`): every file is
//! refused the way its case says — the exit status, a piece of the
//! diagnostic, and for MLIR text a `file:line:col: error` location — and
//! never by a panic, a signal, a hang or silence.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[derive(serde::Deserialize)]
struct Manifest {
    case: Vec<Case>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    /// The input, under test/corpus/.
    file: String,
    /// cimc's arguments: `{}` is the file, `{models}` the bundled models.
    args: Vec<String>,
    /// The exit status.
    exit: i32,
    /// A piece of standard error.
    error: String,
    /// Whether the diagnostic names the file with a line and column.
    located: bool,
    /// What is wrong with the input.
    #[allow(dead_code)]
    note: String,
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../test/corpus")
}

/// At most this long per case: a hang is a failure, not a stuck suite.
const LIMIT: Duration = Duration::from_secs(120);

/// What is wrong with how cimc handled `case`, if anything.
fn check(case: &Case) -> Option<String> {
    let dir = corpus();
    let file = dir.join(&case.file);
    let models = Path::new(env!("CARGO_MANIFEST_DIR")).join("../test/models");
    let args: Vec<String> = case
        .args
        .iter()
        .map(|a| {
            a.replace("{models}", &models.display().to_string())
                .replace("{}", &file.display().to_string())
        })
        .collect();
    let mut child = Command::new(env!("CARGO_BIN_EXE_cimc"))
        .args(&args)
        .current_dir(&dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cimc starts");
    let mut stderr = child.stderr.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut text = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stderr, &mut text);
        String::from_utf8_lossy(&text).into_owned()
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > LIMIT => {
                let _ = child.kill();
                let _ = child.wait();
                return Some(format!("{}: no answer in {LIMIT:?}", case.file));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Some(format!("{}: {e}", case.file)),
        }
    };
    let text = reader.join().unwrap_or_default();
    let name = file.file_name().unwrap_or_default().to_string_lossy();
    let mut problems = Vec::new();
    match status.code() {
        None => problems.push(format!("killed by a signal ({status})")),
        Some(code) if code != case.exit => {
            problems.push(format!("exit status {code}, expected {}", case.exit))
        }
        Some(_) => {}
    }
    if text.contains("panicked at") {
        problems.push("panicked".into());
    }
    if !text.contains(&case.error) {
        problems.push(format!("no `{}` in standard error", case.error));
    }
    if case.located && !located(&text, &name) {
        problems.push(format!("no `{name}:LINE:COL: error` location"));
    }
    (!problems.is_empty()).then(|| {
        format!(
            "{} ({}): {}\n    cimc {}\n    stderr: {}",
            case.file,
            case.note,
            problems.join("; "),
            args.join(" "),
            text.trim_end().replace('\n', "\n            ")
        )
    })
}

/// Whether `text` has an error at `name:LINE:COL`.
fn located(text: &str, name: &str) -> bool {
    text.match_indices(&format!("{name}:")).any(|(at, m)| {
        let rest = &text[at + m.len()..];
        let mut parts = rest.splitn(3, ':');
        let number = |p: Option<&str>| {
            p.is_some_and(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        };
        number(parts.next())
            && number(parts.next())
            && parts.next().is_some_and(|s| s.starts_with(" error"))
    })
}

#[test]
fn every_malformed_input_is_refused_with_its_diagnostic() {
    let dir = corpus();
    let text = std::fs::read_to_string(dir.join("cases.toml")).expect("test/corpus/cases.toml");
    let manifest: Manifest = toml::from_str(&text).expect("cases.toml parses");
    assert!(
        manifest.case.len() >= 100,
        "the corpus keeps at least 100 cases"
    );
    // Every file of the corpus is some case's input.
    let mut files = Vec::new();
    let mut stack = vec![dir.clone()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().map(Result::unwrap) {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if !["cases.toml", "README.md", "lit.local.cfg"]
                .iter()
                .any(|n| path.file_name() == Some(n.as_ref()))
            {
                let rel = path
                    .strip_prefix(&dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                files.push(rel);
            }
        }
    }
    let unused: Vec<&String> = files
        .iter()
        .filter(|f| !manifest.case.iter().any(|c| &c.file == *f))
        .collect();
    assert!(unused.is_empty(), "files no case uses: {unused:?}");
    // Two at a time: the machines have two cores.
    let cases: Vec<&Case> = manifest.case.iter().collect();
    let (a, b) = cases.split_at(cases.len() / 2);
    let failures: Vec<String> = std::thread::scope(|s| {
        let left = s.spawn(|| a.iter().filter_map(|c| check(c)).collect::<Vec<_>>());
        let mut right: Vec<String> = b.iter().filter_map(|c| check(c)).collect();
        let mut all = left.join().unwrap();
        all.append(&mut right);
        all
    });
    assert!(
        failures.is_empty(),
        "{} of {} corpus cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
