//! Records the names of upstream MLIR passes, for "did you mean" suggestions
//! when a pipeline names a pass that exists nowhere. The C API registers the
//! passes but cannot list them; the matching `mlir-opt --help` can.
//!
//! Also records what `cimc --version` prints of the build: the commit, and
//! whether tracked files differed from it. Benchmarks print it, so a number
//! can be traced to the code and the build profile that produced it.

use std::{
    env, fs,
    path::{Path, PathBuf},
    process::Command,
};

fn main() {
    build_info();
    let prefix = env::var("MLIR_SYS_220_PREFIX").unwrap_or_else(|_| "/usr/lib/llvm-22".into());
    let mlir_opt = PathBuf::from(prefix).join("bin/mlir-opt");
    println!("cargo:rerun-if-changed={}", mlir_opt.display());
    println!("cargo:rerun-if-env-changed=MLIR_SYS_220_PREFIX");
    let help = Command::new(&mlir_opt)
        .arg("--help")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).into_owned())
        .unwrap_or_else(|err| {
            println!(
                "cargo:warning=cannot run {}: {err}; unknown-pass suggestions will name cimc passes only",
                mlir_opt.display()
            );
            String::new()
        });
    // Passes are listed with six spaces of indentation, their options with eight.
    let mut names: Vec<&str> = help
        .lines()
        .filter_map(|line| line.strip_prefix("      --"))
        .filter(|rest| !rest.starts_with(' '))
        .filter_map(|rest| rest.split([' ', '=']).next())
        .filter(|name| !name.is_empty())
        .collect();
    names.sort_unstable();
    names.dedup();
    let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let list = names
        .iter()
        .map(|name| format!("{name:?},\n"))
        .collect::<String>();
    fs::write(out.join("upstream_passes.rs"), format!("&[\n{list}]\n"))
        .expect("OUT_DIR is writable");
}

/// `CIMC_BUILD_COMMIT`: the short commit hash, `+dirty` when tracked files
/// differed from it when this ran, or `unknown` outside a git checkout;
/// `CIMC_BUILD_PROFILE`: the cargo profile and optimization level.
fn build_info() {
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|out| out.status.success())
            .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    };
    let commit = match git(&["rev-parse", "--short=12", "HEAD"]) {
        Some(hash) => {
            let dirty = git(&["status", "--porcelain", "--untracked-files=no"])
                .is_some_and(|status| !status.is_empty());
            format!("{hash}{}", if dirty { "+dirty" } else { "" })
        }
        None => "unknown".into(),
    };
    println!("cargo:rustc-env=CIMC_BUILD_COMMIT={commit}");
    // `release` or `debug` (cargo's base profile) and the optimization level:
    // the test and dev profiles here optimize a little, release fully.
    let profile = env::var("PROFILE").unwrap_or_else(|_| "unknown".into());
    let opt = env::var("OPT_LEVEL").unwrap_or_else(|_| "?".into());
    println!("cargo:rustc-env=CIMC_BUILD_PROFILE={profile} build, opt-level {opt}");
    // Rerun when the commit moves or a crate's sources change (which is when
    // the dirty flag can change). Only existing paths: a missing one would
    // rerun this script on every build.
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let workspace = manifest.parent().expect("compiler/ sits in the workspace");
    let mut watched: Vec<PathBuf> = ["compiler", "passes", "dialects", "chip", "runtime", "quant"]
        .iter()
        .map(|krate| workspace.join(krate))
        .collect();
    // In a worktree HEAD is the worktree's own; refs live in the common dir.
    if let Some(git_dir) = git(&["rev-parse", "--absolute-git-dir"]) {
        watched.push(Path::new(&git_dir).join("HEAD"));
    }
    if let Some(common) = git(&["rev-parse", "--path-format=absolute", "--git-common-dir"]) {
        let common = Path::new(&common);
        watched.push(common.join("packed-refs"));
        if let Some(head_ref) = git(&["symbolic-ref", "-q", "HEAD"]) {
            watched.push(common.join(head_ref));
        }
    }
    for path in watched.iter().filter(|path| path.exists()) {
        println!("cargo:rerun-if-changed={}", path.display());
    }
}
