//! The embedded presets: one annotated TOML file per published design
//! point, in `presets/`. Each file's header cites what it follows and marks
//! which numbers are assumptions.

/// Preset names, the default first.
pub const PRESET_NAMES: &[&str] = &["isaac", "puma", "nor-flash", "sram-digital"];

/// The preset used when none is named.
pub const DEFAULT_PRESET: &str = "isaac";

/// Name and TOML text of every preset, in [`PRESET_NAMES`] order.
pub(crate) const PRESETS: &[(&str, &str)] = &[
    ("isaac", include_str!("../presets/isaac.toml")),
    ("puma", include_str!("../presets/puma.toml")),
    ("nor-flash", include_str!("../presets/nor-flash.toml")),
    ("sram-digital", include_str!("../presets/sram-digital.toml")),
];

/// The annotated TOML text of a preset (with its header comments), e.g. to
/// show a user or to start a file from.
pub fn preset_source(name: &str) -> Option<&'static str> {
    PRESETS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_files() {
        let names: Vec<&str> = PRESETS.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, PRESET_NAMES);
        assert_eq!(PRESET_NAMES[0], DEFAULT_PRESET);
        for (name, text) in PRESETS {
            assert!(text.starts_with('#'), "{name}: header comment first");
            assert!(text.contains("assumption"), "{name}: marks its assumptions");
            assert!(text.contains(&format!("name = \"{name}\"")), "{name}");
        }
        assert!(preset_source("isaac").unwrap().contains("ISCA 2016"));
        assert!(preset_source("nope").is_none());
    }
}
