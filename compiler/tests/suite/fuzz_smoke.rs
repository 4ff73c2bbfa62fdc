//! A smoke run of the fuzz targets: each of `cimc::fuzz`'s entry points
//! over its seeds (fuzz/seeds.toml), and over every prefix cut of each
//! seed at a few lengths, must return. The coverage-guided runs are
//! `scripts/dev fuzz`.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The files of `DIR/*.EXT` patterns.
fn seeds(target: &str) -> Vec<PathBuf> {
    let text = std::fs::read_to_string(root().join("fuzz/seeds.toml")).expect("fuzz/seeds.toml");
    let table: toml::Table = toml::from_str(&text).expect("fuzz/seeds.toml parses");
    let patterns = table[target].as_array().expect("a list of patterns");
    let mut files = Vec::new();
    for pattern in patterns {
        let pattern = pattern.as_str().expect("a pattern");
        let (dir, name) = pattern.rsplit_once('/').expect("DIR/*.EXT");
        let ext = name.strip_prefix("*.").expect("DIR/*.EXT");
        let mut found: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
            .unwrap_or_else(|e| panic!("{dir}: {e}"))
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == ext))
            .collect();
        found.sort();
        files.extend(found);
    }
    assert!(!files.is_empty(), "{target} has seeds");
    files
}

/// Each seed whole and cut short at a quarter, a half and all but a byte.
fn run(target: &str, entry: fn(&[u8]), skip: impl Fn(&[u8]) -> bool) {
    for path in seeds(target) {
        let bytes = std::fs::read(&path).unwrap();
        if skip(&bytes) {
            continue;
        }
        let n = bytes.len();
        for cut in [n, n * 3 / 4, n / 2, n.saturating_sub(1)] {
            entry(&bytes[..cut]);
        }
    }
}

#[test]
fn fuzz_targets_survive_their_seeds() {
    // Bytecode is probed in a forked child, which a multithreaded test
    // binary must not do; the corpus suite runs those seeds through cimc.
    run("mlir", cimc::fuzz::mlir, |b| b.starts_with(b"ML\xefR"));
    run("target", cimc::fuzz::target, |_| false);
    run("npy", cimc::fuzz::npy, |_| false);
    run("pipeline", cimc::fuzz::pipeline, |_| false);
    run("quant_config", cimc::fuzz::quant_config, |_| false);
}

/// The differential target compiles each case twice: its seeds whole only,
/// and each must make a case (a seed that draws no window tests nothing).
#[test]
fn differential_seeds_agree() {
    for path in seeds("differential") {
        let bytes = std::fs::read(&path).unwrap();
        assert!(
            cimc::fuzz::differential_case(&bytes).is_some(),
            "{} draws no case",
            path.display()
        );
        cimc::fuzz::differential(&bytes);
    }
}
