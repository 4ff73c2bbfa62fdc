//! Tests of the public API: presets, files, `base =`, errors and their positions.

use std::path::PathBuf;

use crate::{Target, TargetError, PRESET_NAMES};

/// A fresh scratch directory for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cimc-target-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn err(text: &str) -> String {
    Target::from_toml_str(text, "chip.toml")
        .unwrap_err()
        .to_string()
}

#[test]
fn every_preset_loads_validates_and_round_trips() {
    for name in PRESET_NAMES {
        let t = Target::preset(name).unwrap();
        assert_eq!(t.name, *name);
        t.validate().unwrap();
        let text = t.to_toml_string();
        let back = Target::from_toml_str(&text, "resolved.toml").unwrap();
        assert_eq!(back, t, "{name} round-trips");
        // Printing is stable.
        assert_eq!(back.to_toml_string(), text);
        assert_eq!(Target::resolve(name).unwrap(), t);
    }
    assert_eq!(Target::default().name, "isaac");
}

#[test]
fn resolved_text_lists_every_key() {
    let text = Target::preset("isaac").unwrap().to_toml_string();
    assert!(text.starts_with("# cimc target `isaac`, fully resolved\nname = \"isaac\"\n"));
    for section in [
        "[array]",
        "[array.adc]",
        "[non_idealities]",
        "[replication]",
        "max_replicas = 256",
        "[vector]",
        "lanes = 16",
        "[global_memory]",
        "[host]",
    ] {
        assert!(text.contains(section), "{section}");
    }
    assert!(!text.contains("base"));
}

#[test]
fn base_merges_the_file_over_the_preset() {
    let text = "base = \"isaac\"\nname = \"isaac-256\"\n\n[array]\nrows = 256\nmax_active_rows = 256\n\n[array.adc]\nbits = 10\n";
    let t = Target::from_toml_str(text, "chip.toml").unwrap();
    let isaac = Target::preset("isaac").unwrap();
    assert_eq!(t.name, "isaac-256");
    assert_eq!(
        (t.array.rows, t.array.max_active_rows, t.array.adc.bits),
        (256, 256, 10)
    );
    // Untouched keys, also inside merged tables, keep the preset's values.
    assert_eq!(t.array.cols, isaac.array.cols);
    assert_eq!(t.array.adc.per_array, isaac.array.adc.per_array);
    assert_eq!(t.array.adc.range, isaac.array.adc.range);
    assert_eq!(t.energy, isaac.energy);
    // Dotted keys merge the same way.
    let t = Target::from_toml_str("base = \"puma\"\narray.adc.bits = 9\n", "chip.toml").unwrap();
    assert_eq!(t.array.adc.bits, 9);
    assert!(t.adc_is_lossless());
}

#[test]
fn base_may_be_a_file_relative_to_the_including_file() {
    let dir = scratch("base-file");
    std::fs::create_dir_all(dir.join("family")).unwrap();
    std::fs::write(
        dir.join("family/common.toml"),
        "base = \"isaac\"\narray.cell_bits = 1\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("chip.toml"),
        "base = \"family/common.toml\"\nname = \"x\"\n",
    )
    .unwrap();
    let t = Target::from_file(dir.join("chip.toml")).unwrap();
    assert_eq!((t.name.as_str(), t.array.cell_bits), ("x", 1));
    assert_eq!(t.ideal_adc_bits(), 8); // 128 × 1 × 1 = 128

    // Errors point into the file that set the key.
    std::fs::write(
        dir.join("family/common.toml"),
        "base = \"isaac\"\narray.cell_bits = 0\n",
    )
    .unwrap();
    let e = Target::from_file(dir.join("chip.toml")).unwrap_err();
    let common = dir
        .join("chip.toml")
        .parent()
        .unwrap()
        .join("family/common.toml");
    assert_eq!(
        e.to_string(),
        format!(
            "{}:2:19: `array.cell_bits` = 0: must be between 1 and 8",
            common.display()
        )
    );

    // Cycles are caught.
    std::fs::write(dir.join("loop.toml"), "base = \"loop.toml\"\n").unwrap();
    let e = Target::from_file(dir.join("loop.toml")).unwrap_err();
    assert!(e.to_string().contains("is its own base"), "{e}");
    assert_eq!(e.key(), "base");

    // Missing base file.
    std::fs::write(dir.join("orphan.toml"), "base = \"nowhere.toml\"\n").unwrap();
    let e = Target::from_file(dir.join("orphan.toml")).unwrap_err();
    assert!(
        e.to_string().starts_with(&format!(
            "{}:1:8: `base`: cannot read target file",
            dir.join("orphan.toml").display()
        )),
        "{e}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn resolve_takes_names_and_paths() {
    let dir = scratch("resolve");
    let path = dir.join("mine.toml");
    std::fs::write(&path, Target::preset("nor-flash").unwrap().to_toml_string()).unwrap();
    let t = Target::resolve(path.to_str().unwrap()).unwrap();
    assert_eq!(t.name, "nor-flash");
    assert!(
        Target::is_path_spec("x.toml")
            && Target::is_path_spec("a/b")
            && !Target::is_path_spec("isaac")
    );
    let e = Target::resolve(dir.join("absent.toml").to_str().unwrap()).unwrap_err();
    assert!(matches!(e, TargetError::Io { .. }));
    assert!(e.to_string().contains("absent.toml"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn unknown_names_list_the_presets() {
    assert_eq!(
        Target::resolve("isac").unwrap_err().to_string(),
        "`target` = \"isac\": unknown target (did you mean `isaac`?); the presets are isaac, puma, \
         nor-flash, sram-digital (a file path must end in `.toml` or contain `/`)"
    );
    assert_eq!(
        Target::preset("tpu").unwrap_err().to_string(),
        "`target` = \"tpu\": unknown target; the presets are isaac, puma, nor-flash, sram-digital \
         (a file path must end in `.toml` or contain `/`)"
    );
    assert_eq!(
        err("base = \"pumaa\"\n"),
        "chip.toml:1:8: `base` = \"pumaa\": unknown target (did you mean `puma`?); the presets are \
         isaac, puma, nor-flash, sram-digital (a file path must end in `.toml` or contain `/`)"
    );
    assert_eq!(
        err("base = 3\n"),
        "chip.toml:1:8: `base` has the wrong type: expected a string (a preset name or a .toml path), found integer 3"
    );
}

#[test]
fn unknown_keys_name_the_key_its_position_and_the_nearest_key() {
    assert_eq!(
        err("base = \"isaac\"\n[array]\nrowz = 256\n"),
        "chip.toml:3:1: unknown key `array.rowz`; the nearest valid key is `array.rows`"
    );
    assert_eq!(
        err("base = \"isaac\"\nrows = 256\n"),
        "chip.toml:2:1: unknown key `rows`; the nearest valid key is `array.rows`"
    );
    assert_eq!(
        err("base = \"isaac\"\narray.adc.bitz = 9\n"),
        "chip.toml:2:11: unknown key `array.adc.bitz`; the nearest valid key is `array.adc.bits`"
    );
    assert_eq!(
        err("base = \"isaac\"\n[arrays]\nrows = 1\n"),
        "chip.toml:2:2: unknown key `arrays`; the nearest valid key is `array`"
    );
    let e =
        Target::from_toml_str("base = \"isaac\"\n[energy]\nadc = 1.0\n", "chip.toml").unwrap_err();
    assert_eq!(e.key(), "energy.adc");
    assert!(
        matches!(&e, TargetError::UnknownKey { nearest, .. } if nearest == "energy.adc_conversion")
    );
}

#[test]
fn wrong_types_name_the_key_and_the_expected_type() {
    assert_eq!(
        err("base = \"isaac\"\n[array]\nrows = \"many\"\n"),
        "chip.toml:3:8: `array.rows` has the wrong type: expected an integer, found string \"many\""
    );
    assert_eq!(
        err("base = \"isaac\"\narray.weight_flip = 1\n"),
        "chip.toml:2:21: `array.weight_flip` has the wrong type: expected a boolean, found integer 1"
    );
    assert_eq!(
        err("base = \"isaac\"\narray.weight_bits = 8\n"),
        "chip.toml:2:21: `array.weight_bits` has the wrong type: expected an array of integers, found integer 8"
    );
    assert_eq!(
        err("base = \"isaac\"\narray.adc.range = 8\n"),
        "chip.toml:2:19: `array.adc.range` has the wrong type: expected a string, one of \"full-scale\", \
         \"clipped\", \"none\", found integer 8"
    );
    assert_eq!(
        err("base = \"isaac\"\narray.rows = 1.5\n"),
        "chip.toml:2:14: `array.rows` has the wrong type: expected an integer, found float 1.5"
    );
    assert_eq!(
        err("base = \"isaac\"\narray = 3\n"),
        "chip.toml:2:9: `array` has the wrong type: expected a table, found integer 3"
    );
}

#[test]
fn impossible_values_name_the_key_and_its_position() {
    assert_eq!(
        err("base = \"isaac\"\n\n[array]\nmax_active_rows = 256\n"),
        "chip.toml:4:19: `array.max_active_rows` = 256: must be between 1 and array.rows (128)"
    );
    assert_eq!(
        err("base = \"isaac\"\nchip.cores = 0\n"),
        "chip.toml:2:14: `chip.cores` = 0: must be at least 1"
    );
    assert_eq!(
        err("base = \"isaac\"\n[array]\ncell_bits = -2\n"),
        "chip.toml:3:13: `array.cell_bits` = -2: must not be negative"
    );
    assert_eq!(
        err("base = \"isaac\"\n[array]\nencoding = \"diff\"\n"),
        "chip.toml:3:12: `array.encoding` = \"diff\": must be one of \"offset\", \"differential\""
    );
    assert_eq!(
        err("base = \"isaac\"\n[energy]\nadc_conversion = nan\n"),
        "chip.toml:3:18: `energy.adc_conversion` = nan: must be a finite number ≥ 0"
    );
    assert_eq!(
        err("base = \"isaac\"\nnon_idealities.stuck_at_on_rate = 2.0\n"),
        "chip.toml:2:35: `non_idealities.stuck_at_on_rate` = 2.0: must be a probability in [0, 1]"
    );
    // A key the file did not set but made invalid is blamed where it was set: the preset.
    let e = Target::from_toml_str("base = \"isaac\"\narray.rows = 64\n", "chip.toml").unwrap_err();
    assert_eq!(e.key(), "array.max_active_rows");
    assert!(
        e.to_string().starts_with("<preset isaac>:"),
        "points into the preset that set it: {e}"
    );
    assert!(e
        .to_string()
        .ends_with("`array.max_active_rows` = 128: must be between 1 and array.rows (64)"));
}

#[test]
fn missing_keys_name_the_key() {
    // Without a base every required key must be given.
    let mut table = Target::preset("isaac").unwrap().to_table();
    table["array"].as_table_mut().unwrap().remove("cols");
    let text = table.to_string();
    let line = text.lines().position(|l| l == "[array]").unwrap() + 1;
    assert_eq!(
        Target::from_toml_str(&text, "chip.toml")
            .unwrap_err()
            .to_string(),
        format!("chip.toml:{line}:2: missing required key `array.cols` (an integer)")
    );
    assert_eq!(
        err("name = \"x\"\n"),
        "chip.toml: missing required key `clock_mhz` (a number)"
    );
    // Optional tables and keys take their defaults.
    let mut table = Target::preset("isaac").unwrap().to_table();
    table.remove("non_idealities");
    table.remove("replication");
    table.remove("description");
    let t = Target::from_toml_str(&table.to_string(), "chip.toml").unwrap();
    assert_eq!(t.replication.max_replicas, 1);
    assert_eq!(t.non_idealities, crate::NonIdealities::default());
    assert_eq!(t.description, "");
}

#[test]
fn syntax_errors_have_positions() {
    let e =
        Target::from_toml_str("base = \"isaac\"\n[array]\nrows = 12 8\n", "chip.toml").unwrap_err();
    assert!(matches!(e, TargetError::Syntax { .. }));
    assert_eq!(e.key(), "array.rows");
    let s = e.to_string();
    assert!(
        s.starts_with("chip.toml:3:") && s.contains("TOML syntax error in `array.rows`: "),
        "{s}"
    );
    let e = Target::from_toml_str("[array\n", "chip.toml").unwrap_err();
    assert!(e.to_string().starts_with("chip.toml:1:"), "{e}");
}

#[test]
fn errors_from_files_name_the_file() {
    let dir = scratch("file-errors");
    let path = dir.join("bad.toml");
    std::fs::write(&path, "base = \"isaac\"\n[array]\nrows = 0\n").unwrap();
    let e = Target::from_file(&path).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{}:3:8: `array.rows` = 0: must be at least 1",
            path.display()
        )
    );
    assert_eq!(
        e.origin(),
        &crate::Origin::File {
            file: path.display().to_string(),
            line: 3,
            col: 8
        }
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn readme_documents_every_key() {
    let readme = include_str!("../README.md");
    assert!(
        readme.contains(&crate::keys::schema_markdown()),
        "README.md's key table is out of date: paste crate::keys::schema_markdown() into it:\n{}",
        crate::keys::schema_markdown()
    );
    for name in PRESET_NAMES {
        assert!(
            readme.contains(&format!("`{name}`")),
            "{name} in the presets table"
        );
    }
}
