//! Per-layer quantization settings from a TOML file (`cimc quantize
//! --config q.toml`), the idea of AIMET's runtime configuration: defaults
//! for every layer, then overrides for the layers that match.
//!
//! ```toml
//! [defaults]                 # optional; the command line's otherwise
//! weight_bits = 4
//!
//! [[layer]]                  # every depthwise convolution
//! op = "tosa.depthwise_conv2d"
//! weight_bits = 8
//! per_channel = true
//!
//! [[layer]]                  # one layer, by the name the report prints
//! name = "tosa.conv2d#12"    # (`*` matches any run of characters)
//! activation_bits = 6
//! ```
//!
//! Layer names are the ones cim-quant-name-layers pins (`cim.layer`): the
//! location name of the op, or `<op>#<index>` (its position in the
//! function, after batch norm is folded) when it has none: the names
//! `cimc quantize --report`, the mapping report and the trace print. `[defaults]` go on every op
//! that sets a new activation grid, not on those that keep their input's
//! (clamp, reshape, pooling: they take the settings of the op that sets
//! it, a fused clamp those of its producer); the activation settings also
//! go on each function (for its arguments, as the flags would set them).
//! The settings become the op attributes `cim.quant.weight_bits`,
//! `cim.quant.per_channel`, `cim.quant.weight_symmetric`,
//! `cim.quant.activation_bits` and `cim.quant.activation_symmetric`, which
//! the quantization passes read; `keep_float = true` (in `[[layer]]`
//! entries) becomes `cim.quant.keep_float`: the layer stays in float on the
//! host between a dequantize and a quantize, with a warning. An entry that matches no layer, two
//! entries giving one layer different values for a key, an unknown key and
//! a value out of range are errors.

use cimc_passes::emit;
use cimc_passes::quant::convert::{Widths, ACTIVATION_BITS, KEEPS_GRID, WEIGHT_BITS};
use cimc_passes::quant::fake_quant::layer_name;
use melior::ir::operation::{OperationLike, WalkOrder, WalkResult};
use melior::ir::Module;
use serde::Deserialize;
use std::collections::BTreeMap;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("{path}: {message}")]
    Parse { path: String, message: String },
    #[error("{path}: {key} = {value} is out of range: {allowed}")]
    Range {
        path: String,
        key: String,
        value: i64,
        allowed: String,
    },
    #[error("{path}: layer entry {index} ({pattern}) matches no layer of the model{hint}")]
    NoMatch {
        path: String,
        index: usize,
        pattern: String,
        hint: String,
    },
    /// Two entries give one layer different values for a key.
    #[error("{path}: {message}")]
    Conflict { path: String, message: String },
    #[error("{path}: layer entry {index} needs `name` or `op` (which layers it applies to)")]
    NoSelector { path: String, index: usize },
}

/// The keys whose values are booleans (held as 0 / 1 while merging).
const BOOL_KEYS: [&str; 4] = [
    "per_channel",
    "weight_symmetric",
    "activation_symmetric",
    "keep_float",
];

/// Settings one entry gives (absent: unchanged).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayerSettings {
    pub weight_bits: Option<i64>,
    pub per_channel: Option<bool>,
    pub weight_symmetric: Option<bool>,
    pub activation_bits: Option<i64>,
    pub activation_symmetric: Option<bool>,
    /// Keep the layer in float (`[[layer]]` entries only).
    pub keep_float: Option<bool>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    /// A layer name; `*` matches any run of characters.
    name: Option<String>,
    /// An op kind, e.g. `tosa.conv2d`.
    op: Option<String>,
    #[serde(flatten)]
    settings: LayerSettings,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    defaults: LayerSettings,
    #[serde(default)]
    layer: Vec<Entry>,
}

/// A parsed configuration.
#[derive(Debug, Clone)]
pub struct Config {
    path: String,
    file: File,
}

impl Config {
    /// The settings `[defaults]` gives every layer.
    pub fn defaults(&self) -> &LayerSettings {
        &self.file.defaults
    }

    /// How many `[[layer]]` entries it has.
    pub fn entries(&self) -> usize {
        self.file.layer.len()
    }

    /// The file it was read from.
    pub fn path(&self) -> &str {
        &self.path
    }
}

/// `*`-glob match.
fn glob(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, rest)) => {
            let Some(tail) = text.strip_prefix(head) else {
                return false;
            };
            (0..=tail.len())
                .filter(|i| tail.is_char_boundary(*i))
                .any(|i| glob(rest, &tail[i..]))
        }
    }
}

impl Config {
    /// Reads and checks `path`.
    pub fn load(path: &str) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Parse {
            path: path.into(),
            message: e.to_string(),
        })?;
        Config::parse(path, &text)
    }

    pub fn parse(path: &str, text: &str) -> Result<Config, ConfigError> {
        let file: File = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.into(),
            message: e.to_string().trim_end().replace('\n', " "),
        })?;
        let check = |key: String, value: Option<i64>, allowed: Widths| match value {
            Some(v) if !allowed.contains(&v) => Err(ConfigError::Range {
                path: path.into(),
                key,
                value: v,
                allowed: allowed.describe(),
            }),
            _ => Ok(()),
        };
        let all = std::iter::once(("defaults".to_string(), &file.defaults)).chain(
            file.layer
                .iter()
                .enumerate()
                .map(|(i, e)| (format!("layer[{i}]"), &e.settings)),
        );
        for (at, s) in all {
            check(format!("{at}.weight_bits"), s.weight_bits, WEIGHT_BITS)?;
            check(
                format!("{at}.activation_bits"),
                s.activation_bits,
                ACTIVATION_BITS,
            )?;
        }
        if file.defaults.keep_float.is_some() {
            return Err(ConfigError::Parse {
                path: path.into(),
                message: "defaults.keep_float: keep_float chooses layers to leave in float; give it in a [[layer]] entry".into(),
            });
        }
        for (index, e) in file.layer.iter().enumerate() {
            if e.name.is_none() && e.op.is_none() {
                return Err(ConfigError::NoSelector {
                    path: path.into(),
                    index,
                });
            }
        }
        Ok(Config {
            path: path.into(),
            file,
        })
    }

    fn matches(entry: &Entry, name: &str, kind: &str) -> bool {
        entry.name.as_deref().is_none_or(|p| glob(p, name))
            && entry.op.as_deref().is_none_or(|k| k == kind)
    }

    /// Writes the settings onto the ops of `module` that produce float
    /// tensors (each layer gets the defaults, then its matching entries).
    pub fn apply(&self, module: &Module) -> Result<usize, ConfigError> {
        let mut ops = Vec::new();
        module.as_operation().walk(WalkOrder::PreOrder, |op| {
            let name = op.name();
            let name = name.as_string_ref().as_str().unwrap_or("");
            if name.starts_with("tosa.") && name != "tosa.const" && name != "tosa.const_shape" {
                ops.push(op.to_raw());
            }
            WalkResult::Advance
        });
        let mut matched = vec![false; self.file.layer.len()];
        let mut configured = 0;
        for op in ops {
            let name = layer_name(op);
            let kind = cimc_passes::ir::op_name(op);
            let weighted = cimc_passes::quant::layer::WEIGHTED.contains(&kind.as_str());
            // key → (entry index or usize::MAX for the defaults, value)
            let mut chosen: BTreeMap<&'static str, (usize, String, i64)> = BTreeMap::new();
            let mut set = |index: usize, s: &LayerSettings| -> Result<(), ConfigError> {
                let values = [
                    ("weight_bits", s.weight_bits.filter(|_| weighted)),
                    (
                        "per_channel",
                        s.per_channel.filter(|_| weighted).map(i64::from),
                    ),
                    (
                        "weight_symmetric",
                        s.weight_symmetric.filter(|_| weighted).map(i64::from),
                    ),
                    ("activation_bits", s.activation_bits),
                    (
                        "activation_symmetric",
                        s.activation_symmetric.map(i64::from),
                    ),
                    ("keep_float", s.keep_float.map(i64::from)),
                ];
                for (key, value) in values {
                    let Some(value) = value else { continue };
                    let shown = if BOOL_KEYS.contains(&key) {
                        (value != 0).to_string()
                    } else {
                        value.to_string()
                    };
                    match chosen.get(key) {
                        Some((first, a, old))
                            if *first != usize::MAX && *old != value && index != usize::MAX =>
                        {
                            return Err(ConfigError::Conflict {
                                path: self.path.clone(),
                                message: format!(
                                    "layer entries {first} and {index} both set {key} of layer '{name}', to {a} and {shown}"
                                ),
                            });
                        }
                        _ => {
                            chosen.insert(key, (index, shown, value));
                        }
                    }
                }
                Ok(())
            };
            // Ops that keep their input's grid take it from the op that
            // sets it: defaults on them would override that op's entries
            // (a fused clamp's settings win over its producer's).
            if !KEEPS_GRID.contains(&kind.as_str()) {
                set(usize::MAX, &self.file.defaults)?;
            }
            for (index, entry) in self.file.layer.iter().enumerate() {
                if Config::matches(entry, &name, &kind) {
                    matched[index] = true;
                    set(index, &entry.settings)?;
                }
            }
            if chosen.is_empty() {
                continue;
            }
            configured += 1;
            let at = emit::Emitter::before(op);
            for (key, (_, _, value)) in chosen {
                let attr = if BOOL_KEYS.contains(&key) {
                    at.bool_attr(value != 0)
                } else {
                    at.i64_attr(value)
                };
                // The keys above are the override attributes' names.
                let name = cimc_dialects::quant::override_attr(key)
                    .expect("every --config key names a cim.quant override attribute");
                emit::set_attr(op, name, attr);
            }
        }
        // The functions' arguments take the default activation grid, as the
        // command-line flags give it (layer entries select ops only).
        let d = &self.file.defaults;
        if d.activation_bits.is_some() || d.activation_symmetric.is_some() {
            let mut funcs = Vec::new();
            module.as_operation().walk(WalkOrder::PreOrder, |op| {
                if op.name().as_string_ref().as_str() == Ok("func.func") {
                    funcs.push(op.to_raw());
                }
                WalkResult::Advance
            });
            for func in funcs {
                let at = emit::Emitter::before(func);
                if let Some(bits) = d.activation_bits {
                    emit::set_attr(
                        func,
                        cimc_dialects::quant::ACTIVATION_BITS,
                        at.i64_attr(bits),
                    );
                }
                if let Some(symmetric) = d.activation_symmetric {
                    emit::set_attr(
                        func,
                        cimc_dialects::quant::ACTIVATION_SYMMETRIC,
                        at.bool_attr(symmetric),
                    );
                }
            }
        }
        if let Some(index) = matched.iter().position(|m| !m) {
            let entry = &self.file.layer[index];
            let pattern = [
                entry.name.as_ref().map(|n| format!("name = \"{n}\"")),
                entry.op.as_ref().map(|o| format!("op = \"{o}\"")),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
            return Err(ConfigError::NoMatch {
                path: self.path.clone(),
                index,
                pattern,
                hint: " (`cimc quantize --report` prints the layer names)".into(),
            });
        }
        Ok(configured)
    }
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn globs() {
        assert!(glob("tosa.conv2d#*", "tosa.conv2d#12"));
        assert!(glob("*conv*", "tosa.depthwise_conv2d#3"));
        assert!(!glob("tosa.conv2d#1", "tosa.conv2d#12"));
        assert!(glob("a*b*c", "aXbYc"));
        assert!(!glob("a*b*c", "aXbY"));
    }
}
