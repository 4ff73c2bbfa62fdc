//! Records the names of upstream MLIR passes, for "did you mean" suggestions
//! when a pipeline names a pass that exists nowhere. The C API registers the
//! passes but cannot list them; the matching `mlir-opt --help` can.

use std::{env, fs, path::PathBuf, process::Command};

fn main() {
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
