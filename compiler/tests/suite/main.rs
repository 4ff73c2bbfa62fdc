//! cimc's integration tests, in one binary: every test binary links the whole
//! of static LLVM/MLIR, so they share this one.

mod cim_irdl;
mod corpus;
mod cost;
mod fuzz_smoke;
mod graph;
mod lit;
mod mapping;
mod options;
pub mod oracle;
mod pretrained;
mod quantize;
mod reference;
mod simulate;
mod sweep;

/// Runs the `cimc` binary with `args`, which must succeed; its standard
/// output.
pub fn run_cimc<S: AsRef<std::ffi::OsStr> + std::fmt::Debug>(args: &[S]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cimc"))
        .args(args)
        .output()
        .expect("cimc runs");
    assert!(
        out.status.success(),
        "cimc {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
