//! Errors of loading, overriding and validating a target.
//!
//! Every error names the offending key as a dotted path (`array.rows`) and
//! says where it came from ([`Origin`]): `file:line:col` for a key or value
//! read from a target file, `<preset NAME>:line:col` for one read from an
//! embedded preset, `--target-opt TEXT` for an override. The rendered message
//! is `ORIGIN: MESSAGE`, or just `MESSAGE` for a target built in code.

use std::fmt;
use std::path::PathBuf;

/// Where an offending key or value came from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Origin {
    /// Not from any text (a target built or edited in code).
    #[default]
    None,
    /// A position in a target file (1-based line and column, in characters).
    File {
        file: String,
        line: usize,
        col: usize,
    },
    /// A target file as a whole (the key is absent from it, so it has no position).
    FileOnly { file: String },
    /// A position in an embedded preset.
    Preset {
        name: String,
        line: usize,
        col: usize,
    },
    /// One or more `--target-opt KEY=VALUE` overrides (their texts).
    Overrides(Vec<String>),
}

impl fmt::Display for Origin {
    /// Renders the prefix of a message, with its trailing `": "`; empty for
    /// [`Origin::None`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::None => Ok(()),
            Origin::File { file, line, col } => write!(f, "{file}:{line}:{col}: "),
            Origin::FileOnly { file } => write!(f, "{file}: "),
            Origin::Preset { name, line, col } => write!(f, "<preset {name}>:{line}:{col}: "),
            Origin::Overrides(texts) => {
                for (i, text) in texts.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    write!(f, "--target-opt {text}")?;
                }
                f.write_str(": ")
            }
        }
    }
}

/// Everything that can go wrong when building a [`crate::Target`].
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    /// The text is not valid TOML. `key` is the dotted key being parsed when
    /// the parser could tell (the text before the error), else empty.
    #[error("{at}TOML syntax error{}: {message}", in_key(key))]
    Syntax {
        at: Origin,
        key: String,
        message: String,
    },

    /// A key that the schema does not have.
    #[error("{at}unknown key `{key}`; the nearest valid key is `{nearest}`")]
    UnknownKey {
        at: Origin,
        key: String,
        nearest: String,
    },

    /// A value of the wrong TOML type.
    #[error("{at}`{key}` has the wrong type: expected {expected}, found {found}")]
    WrongType {
        at: Origin,
        key: String,
        expected: String,
        found: String,
    },

    /// A required key (or table) that is absent.
    #[error("{at}missing required key `{key}` ({expected})")]
    MissingKey {
        at: Origin,
        key: String,
        expected: String,
    },

    /// A value of the right type that is impossible (out of range, or
    /// inconsistent with another key).
    #[error("{at}`{key}` = {value}: {reason}")]
    InvalidValue {
        at: Origin,
        key: String,
        value: String,
        reason: String,
    },

    /// A target spec (`--target NAME`, or `base = "NAME"` in a file) that is
    /// neither a preset nor a file path.
    #[error(
        "{at}`{key}` = \"{name}\": unknown target{suggestion}; the presets are {presets} \
         (a file path must end in `.toml` or contain `/`)",
        suggestion = did_you_mean(suggestion),
        presets = crate::presets::PRESET_NAMES.join(", ")
    )]
    UnknownTarget {
        at: Origin,
        key: String,
        name: String,
        suggestion: Option<String>,
    },

    /// A target file that cannot be read.
    #[error("{at}`{key}`: cannot read target file {}: {source}", path.display())]
    Io {
        at: Origin,
        key: String,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// `base =` chains that loop or nest too deeply.
    #[error("{at}`base`: {reason}")]
    Base { at: Origin, reason: String },

    /// An override that is not `KEY=VALUE` with a dotted key and a TOML
    /// value (`at` is always [`Origin::Overrides`] with its text).
    #[error("{at}`{key}`: {reason}")]
    BadOverride {
        at: Origin,
        key: String,
        reason: String,
    },
}

fn in_key(key: &str) -> String {
    if key.is_empty() {
        String::new()
    } else {
        format!(" in `{key}`")
    }
}

fn did_you_mean(suggestion: &Option<String>) -> String {
    match suggestion {
        Some(s) => format!(" (did you mean `{s}`?)"),
        None => String::new(),
    }
}

impl TargetError {
    /// The dotted key the error is about (`base`, `target` or an override's
    /// key for the errors that are about those).
    pub fn key(&self) -> &str {
        match self {
            TargetError::Syntax { key, .. }
            | TargetError::UnknownKey { key, .. }
            | TargetError::WrongType { key, .. }
            | TargetError::MissingKey { key, .. }
            | TargetError::InvalidValue { key, .. }
            | TargetError::UnknownTarget { key, .. }
            | TargetError::Io { key, .. }
            | TargetError::BadOverride { key, .. } => key,
            TargetError::Base { .. } => "base",
        }
    }

    /// Where the offending key or value came from.
    pub fn origin(&self) -> &Origin {
        match self {
            TargetError::Syntax { at, .. }
            | TargetError::UnknownKey { at, .. }
            | TargetError::WrongType { at, .. }
            | TargetError::MissingKey { at, .. }
            | TargetError::InvalidValue { at, .. }
            | TargetError::UnknownTarget { at, .. }
            | TargetError::Io { at, .. }
            | TargetError::Base { at, .. }
            | TargetError::BadOverride { at, .. } => at,
        }
    }

    /// Sets where the error came from.
    pub(crate) fn with_origin(mut self, origin: Origin) -> Self {
        match &mut self {
            TargetError::Syntax { at, .. }
            | TargetError::UnknownKey { at, .. }
            | TargetError::WrongType { at, .. }
            | TargetError::MissingKey { at, .. }
            | TargetError::InvalidValue { at, .. }
            | TargetError::UnknownTarget { at, .. }
            | TargetError::Io { at, .. }
            | TargetError::Base { at, .. }
            | TargetError::BadOverride { at, .. } => *at = origin,
        }
        self
    }

    /// Whether the position to report is the key's (unknown keys) rather
    /// than its value's (wrong types, impossible values).
    pub(crate) fn points_at_key(&self) -> bool {
        matches!(self, TargetError::UnknownKey { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_render_as_prefixes() {
        assert_eq!(Origin::None.to_string(), "");
        let file = Origin::File {
            file: "chip.toml".into(),
            line: 3,
            col: 8,
        };
        assert_eq!(file.to_string(), "chip.toml:3:8: ");
        let preset = Origin::Preset {
            name: "isaac".into(),
            line: 1,
            col: 2,
        };
        assert_eq!(preset.to_string(), "<preset isaac>:1:2: ");
        let ov = Origin::Overrides(vec!["a=1".into(), "b=2".into()]);
        assert_eq!(ov.to_string(), "--target-opt a=1 --target-opt b=2: ");
    }

    #[test]
    fn key_and_origin_accessors() {
        let e = TargetError::InvalidValue {
            at: Origin::None,
            key: "array.rows".into(),
            value: "0".into(),
            reason: "must be at least 1".into(),
        };
        assert_eq!(e.key(), "array.rows");
        assert_eq!(e.to_string(), "`array.rows` = 0: must be at least 1");
        let e = e.with_origin(Origin::FileOnly {
            file: "x.toml".into(),
        });
        assert_eq!(
            e.origin(),
            &Origin::FileOnly {
                file: "x.toml".into()
            }
        );
        assert_eq!(
            e.to_string(),
            "x.toml: `array.rows` = 0: must be at least 1"
        );
    }
}
