//! `cimc-target`: the declarative description of a compute-in-memory chip
//! that every cimc pass and the cycle-level simulator read.
//!
//! A target is a TOML file (schema: [`schema`], key catalogue: [`keys`],
//! full reference: the crate's README.md), one of the embedded [`presets`],
//! or a file that starts from one (`base = "isaac"`) and overrides keys.
//! Sweeps change keys with `--target-opt KEY=VALUE` overrides
//! ([`Target::apply_override`]). Every constructor validates; every error
//! names the offending dotted key and, for text, its `file:line:col`
//! ([`TargetError`]). Derived quantities (total arrays, ADC bits, slices,
//! input cycles, ADC loss) are methods of [`Target`] ([`derived`]); the
//! crossbar cost model (steps, cycles and energy of an mvm, column-sum
//! bounds and ADC bits) is [`cost`], the one copy of those formulas. The
//! mapped program that compiled code hands the runtime (tiles and layers as
//! one blob) is [`tables`].
//!
//! ```ignore
//! let mut t = cimc_target::Target::resolve("isaac")?;   // or "chip.toml"
//! t.apply_overrides(&["array.rows=256", "array.max_active_rows=256"])?;
//! assert_eq!(t.ideal_adc_bits(), 10); // ⌈log2(256 × 3 × 1 + 1)⌉
//! ```

pub mod cost;
pub mod derived;
pub mod error;
pub mod keys;
mod load;
pub mod overrides;
pub mod presets;
pub mod schema;
mod source;
pub mod tables;
pub mod validate;

use std::path::Path;

pub use derived::AdcLoss;
pub use error::{Origin, TargetError};
pub use presets::{preset_source, DEFAULT_PRESET, PRESET_NAMES};
pub use schema::{
    Adc, AdcRange, Area, Array, Buffer, Chip, Core, Encoding, Energy, Interconnect, Latency, Macro,
    NonIdealities, Replication, Target,
};
pub use source::line_col;

use load::{file_layers, is_path_spec, preset_layers, text_layers, unknown_target, Layers};
use source::SourceName;

impl Target {
    /// An embedded preset by name (see [`PRESET_NAMES`]).
    pub fn preset(name: &str) -> Result<Target, TargetError> {
        preset_layers(name)?.build()
    }

    /// A target from TOML text; `source_name` is the file name errors cite,
    /// and its directory is where relative `base = "path.toml"` start.
    pub fn from_toml_str(text: &str, source_name: &str) -> Result<Target, TargetError> {
        let mut layers = Layers::default();
        let dir = Path::new(source_name).parent();
        text_layers(
            SourceName::File(source_name.to_string()),
            text,
            dir,
            &mut Vec::new(),
            &mut layers,
        )?;
        layers.build()
    }

    /// A target from a TOML file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Target, TargetError> {
        file_layers(path.as_ref())?.build()
    }

    /// A preset name or a file path: a path if it ends in `.toml` or
    /// contains `/`, else a preset name.
    pub fn resolve(spec: &str) -> Result<Target, TargetError> {
        if is_path_spec(spec) {
            Target::from_file(spec)
        } else if PRESET_NAMES.contains(&spec) {
            Target::preset(spec)
        } else {
            Err(unknown_target("target", spec))
        }
    }

    /// Whether [`Target::resolve`] reads `spec` as a file path.
    pub fn is_path_spec(spec: &str) -> bool {
        is_path_spec(spec)
    }

    /// The fully resolved target as TOML (every key, defaults included, no
    /// `base`); [`Target::from_toml_str`] reads it back to an equal target.
    pub fn to_toml_string(&self) -> String {
        let body = toml::to_string(self).expect("a target always serializes to TOML");
        format!("# cimc target `{}`, fully resolved\n{body}", self.name)
    }

    /// The target as a TOML table.
    pub fn to_table(&self) -> toml::Table {
        toml::Table::try_from(self).expect("a target always serializes to a TOML table")
    }
}

impl Default for Target {
    /// The default preset, [`DEFAULT_PRESET`].
    fn default() -> Self {
        Target::preset(DEFAULT_PRESET).expect("the default preset is valid")
    }
}

#[cfg(test)]
mod tests;
