//! Compiles `tests/c/abi_test.c` against `include/cimc_runtime.h` with gcc,
//! links it with this crate's static library and runs it: a tile is
//! programmed, an mvm checked bit-exactly, the stats read, and every misuse
//! error code checked.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The static library cargo built for this test run: the library target is
/// built with all its crate types (rlib, staticlib, cdylib) next to the
/// test binary, in `target/<profile>/deps`.
fn staticlib() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let deps = exe.parent().unwrap();
    for dir in [deps, deps.parent().unwrap()] {
        let lib = dir.join("libcimc_runtime.a");
        if lib.exists() {
            return lib;
        }
    }
    panic!("libcimc_runtime.a not found next to {}", exe.display());
}

#[test]
fn c_program_drives_the_runtime() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::env::temp_dir().join(format!("cimc-rt-c-{}", std::process::id()));
    std::fs::create_dir_all(&out).unwrap();
    let exe = out.join("abi_test");
    let cc = std::env::var("CC").unwrap_or_else(|_| "gcc".into());
    let status = Command::new(&cc)
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-O1"])
        .arg("-I")
        .arg(root.join("include"))
        .arg(root.join("tests/c/abi_test.c"))
        .arg(staticlib())
        .args([
            "-lpthread",
            "-ldl",
            "-lm",
            "-lrt",
            "-lutil",
            "-lgcc_s",
            "-lc",
        ])
        .arg("-o")
        .arg(&exe)
        .status()
        .unwrap_or_else(|e| panic!("cannot run {cc}: {e}"));
    assert!(
        status.success(),
        "{cc} failed to compile or link the C test"
    );
    let trace = out.join("trace.json");
    let run = Command::new(&exe).arg(&trace).output().unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        run.status.success() && stdout.trim() == "ok",
        "C test failed ({}):\n{stdout}\n{stderr}",
        run.status
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&trace).unwrap()).unwrap();
    let events = json["traceEvents"].as_array().unwrap();
    assert!(events
        .iter()
        .any(|e| e["name"] == "conv1" && e["ph"] == "X"));
    assert!(events.iter().any(|e| e["name"] == "rescale"));
    std::fs::remove_dir_all(&out).ok();
}
