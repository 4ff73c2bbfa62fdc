//! Runs the lit suite (test/) with Debian's lit and FileCheck against the
//! `cimc` binary cargo just built. A failing lit test fails this test and its
//! output is shown.

use std::path::Path;
use std::process::Command;

const LLVM_BIN: &str = "/usr/lib/llvm-22/bin";

#[test]
fn lit_suite() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root");
    let lit = Path::new(LLVM_BIN).join("lit");
    assert!(
        lit.exists(),
        "{} is missing: install llvm-22-tools (the README's test command does)",
        lit.display()
    );
    let exec_root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("lit");
    let output = Command::new(&lit)
        .arg("-v")
        .arg("--param")
        .arg(format!("cimc={}", env!("CARGO_BIN_EXE_cimc")))
        .arg("--param")
        .arg(format!("exec_root={}", exec_root.display()))
        .arg(root.join("test"))
        .output()
        .expect("lit runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Show the summary either way; on failure lit -v shows each failing test.
    println!("{stdout}");
    eprintln!("{stderr}");
    assert!(output.status.success(), "lit reported failures (see above)");
    assert!(stdout.contains("Passed"), "lit ran no test: {stdout}");
}
