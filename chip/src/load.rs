//! Building a [`Target`] from layers of TOML tables.
//!
//! A target is the deep merge of layers, later over earlier: a preset or
//! file named by `base =`, the file itself, then `--target-opt` overrides.
//! The merged table is checked against the key catalogue (unknown keys,
//! types, required keys), deserialized and validated. Each layer remembers
//! its text's spans, so an error about key `k` points at the last layer
//! that set `k`.

use std::path::{Path, PathBuf};

use toml::{Table, Value};

use crate::error::{Origin, TargetError};
use crate::keys::{self, Mismatch};
use crate::presets;
use crate::source::{Source, SourceName};
use crate::Target;

/// Most `base =` files one target may chain through.
const MAX_BASE_DEPTH: usize = 16;

/// Where a layer's table came from.
#[derive(Debug)]
pub(crate) enum LayerSource {
    /// A parsed text (file or preset), with spans.
    Text(Source),
    /// One `--target-opt` override (its text).
    Override(String),
    /// An already resolved target (the start of overrides).
    Resolved,
}

/// One table to merge.
#[derive(Debug)]
pub(crate) struct Layer {
    pub(crate) table: Table,
    pub(crate) source: LayerSource,
}

/// The layers of one target, earliest first.
#[derive(Debug, Default)]
pub(crate) struct Layers(pub(crate) Vec<Layer>);

impl Layers {
    /// Where the key `path` (or its value) was last set; for a key no layer
    /// sets, where its closest set ancestor table was, else the last text
    /// as a whole. Keys left untouched by overrides are blamed on all of them.
    pub(crate) fn origin(&self, path: &str, at_key: bool) -> Origin {
        let mut probe = path;
        loop {
            if probe.is_empty() {
                return self.fallback();
            }
            for layer in self.0.iter().rev() {
                if get(&layer.table, probe).is_none() {
                    continue;
                }
                match &layer.source {
                    LayerSource::Text(src) => {
                        if let Some(o) = src.origin_of(probe, at_key || probe != path) {
                            return o;
                        }
                        return src.origin_whole();
                    }
                    LayerSource::Override(text) => return Origin::Overrides(vec![text.clone()]),
                    LayerSource::Resolved => return self.fallback(),
                }
            }
            probe = keys::parent(probe);
        }
    }

    /// The origin of an error no single key position explains: all the
    /// overrides if there are any, else the last text as a whole.
    fn fallback(&self) -> Origin {
        let overrides: Vec<String> = self
            .0
            .iter()
            .filter_map(|l| match &l.source {
                LayerSource::Override(t) => Some(t.clone()),
                _ => None,
            })
            .collect();
        if !overrides.is_empty() {
            return Origin::Overrides(overrides);
        }
        self.0
            .iter()
            .rev()
            .find_map(|l| match &l.source {
                LayerSource::Text(src) => Some(src.origin_whole()),
                _ => None,
            })
            .unwrap_or_default()
    }

    /// Merges, checks, deserializes and validates the layers.
    pub(crate) fn build(&self) -> Result<Target, TargetError> {
        let mut merged = Table::new();
        for layer in &self.0 {
            merge(&mut merged, layer.table.clone());
        }
        check_keys(&merged, "").map_err(|e| self.locate(e))?;
        check_required(&merged).map_err(|e| self.locate(e))?;
        let target: Target = serde_path_to_error::deserialize(Value::Table(merged.clone()))
            .map_err(|e| {
                let key = e.path().to_string();
                let value = get(&merged, &key).map(keys::render).unwrap_or_default();
                TargetError::InvalidValue {
                    at: Origin::None,
                    key,
                    value,
                    reason: e.into_inner().message().to_string(),
                }
            })
            .map_err(|e| self.locate(e))?;
        target.validate().map_err(|e| self.locate(e))?;
        Ok(target)
    }

    /// Fills in where an error's key came from.
    fn locate(&self, e: TargetError) -> TargetError {
        let origin = match &e {
            TargetError::MissingKey { key, .. } => {
                let p = keys::parent(key);
                if p.is_empty() {
                    self.fallback()
                } else {
                    self.origin(p, true)
                }
            }
            _ => self.origin(e.key(), e.points_at_key()),
        };
        e.with_origin(origin)
    }
}

/// The value at a dotted key.
fn get<'a>(table: &'a Table, path: &str) -> Option<&'a Value> {
    let mut parts = path.split('.');
    let mut value = table.get(parts.next()?)?;
    for part in parts {
        value = value.as_table()?.get(part)?;
    }
    Some(value)
}

/// Deep merge: tables merge key by key, anything else replaces.
pub(crate) fn merge(base: &mut Table, top: Table) {
    for (key, value) in top {
        match (base.get_mut(&key), value) {
            (Some(Value::Table(b)), Value::Table(t)) => merge(b, t),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

/// Unknown keys and wrong types, in table order.
fn check_keys(table: &Table, prefix: &str) -> Result<(), TargetError> {
    for (name, value) in table {
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        let Some(info) = keys::lookup(&path) else {
            return Err(TargetError::UnknownKey {
                at: Origin::None,
                nearest: keys::nearest(&path).to_string(),
                key: path,
            });
        };
        match info.ty.check(value) {
            Ok(()) => {}
            Err(Mismatch::Type { expected, found }) => {
                return Err(TargetError::WrongType {
                    at: Origin::None,
                    key: path,
                    expected,
                    found,
                })
            }
            Err(Mismatch::Value { reason }) => {
                // Past the type's bound: the key's own range says more
                // than the integer width does.
                let reason = if reason.starts_with("must be at most") && !info.constraint.is_empty()
                {
                    format!("must be in {}", info.constraint)
                } else {
                    reason
                };
                return Err(TargetError::InvalidValue {
                    at: Origin::None,
                    key: path,
                    value: keys::render(value),
                    reason,
                });
            }
        }
        if let Value::Table(inner) = value {
            check_keys(inner, &path)?;
        }
    }
    Ok(())
}

/// The first required key (in catalogue order) that is absent.
fn check_required(table: &Table) -> Result<(), TargetError> {
    for info in keys::KEYS {
        if info.default.is_some() || get(table, info.path).is_some() {
            continue;
        }
        // A key of an absent optional table takes its default.
        let parent = keys::parent(info.path);
        if !parent.is_empty() && get(table, parent).is_none() {
            continue;
        }
        return Err(TargetError::MissingKey {
            at: Origin::None,
            key: info.path.to_string(),
            expected: info.ty.expected(),
        });
    }
    Ok(())
}

/// Whether a target spec names a file rather than a preset.
pub(crate) fn is_path_spec(spec: &str) -> bool {
    spec.ends_with(".toml") || spec.contains('/') || spec.contains(std::path::MAIN_SEPARATOR)
}

/// The error for a spec that is neither a preset nor a path.
pub(crate) fn unknown_target(key: &str, name: &str) -> TargetError {
    let suggestion = presets::PRESET_NAMES
        .iter()
        .map(|p| (keys::edit_distance(name, p), *p))
        .filter(|(d, p)| *d <= (p.len() / 3).max(1))
        .min()
        .map(|(_, p)| p.to_string());
    TargetError::UnknownTarget {
        at: Origin::None,
        key: key.to_string(),
        name: name.to_string(),
        suggestion,
    }
}

/// Loads the layers of a preset.
pub(crate) fn preset_layers(name: &str) -> Result<Layers, TargetError> {
    let (name, text) = presets::PRESETS
        .iter()
        .find(|(n, _)| *n == name)
        .ok_or_else(|| unknown_target("target", name))?;
    let mut layers = Layers::default();
    text_layers(
        SourceName::Preset(name),
        text,
        None,
        &mut Vec::new(),
        &mut layers,
    )?;
    Ok(layers)
}

/// Loads the layers of a file's text: its `base =` chain, then itself.
/// `dir` is where relative `base =` paths start from.
pub(crate) fn text_layers(
    name: SourceName,
    text: &str,
    dir: Option<&Path>,
    chain: &mut Vec<PathBuf>,
    layers: &mut Layers,
) -> Result<(), TargetError> {
    let (source, mut table) = Source::parse(name, text)?;
    if let Some(base) = table.remove("base") {
        let at = source.origin_of("base", false).unwrap_or_default();
        let Value::String(spec) = base else {
            return Err(TargetError::WrongType {
                at,
                key: "base".into(),
                expected: "a string (a preset name or a .toml path)".into(),
                found: keys::describe(&base),
            });
        };
        if is_path_spec(&spec) {
            let path = dir.unwrap_or(Path::new("")).join(&spec);
            if chain.len() >= MAX_BASE_DEPTH {
                return Err(TargetError::Base {
                    at,
                    reason: format!("more than {MAX_BASE_DEPTH} nested `base =` files"),
                });
            }
            let canonical = path.canonicalize().unwrap_or_else(|_| path.clone());
            if chain.contains(&canonical) {
                return Err(TargetError::Base {
                    at,
                    reason: format!("{} is its own base (a `base =` cycle)", path.display()),
                });
            }
            let base_text = std::fs::read_to_string(&path).map_err(|source| TargetError::Io {
                at: at.clone(),
                key: "base".into(),
                path: path.clone(),
                source,
            })?;
            chain.push(canonical);
            text_layers(
                SourceName::File(path.display().to_string()),
                &base_text,
                path.parent(),
                chain,
                layers,
            )?;
            chain.pop();
        } else {
            let Some((preset, preset_text)) = presets::PRESETS.iter().find(|(n, _)| *n == spec)
            else {
                return Err(unknown_target("base", &spec).with_origin(at));
            };
            text_layers(SourceName::Preset(preset), preset_text, None, chain, layers)?;
        }
    }
    layers.0.push(Layer {
        table,
        source: LayerSource::Text(source),
    });
    Ok(())
}

/// Reads and loads a target file.
pub(crate) fn file_layers(path: &Path) -> Result<Layers, TargetError> {
    let text = std::fs::read_to_string(path).map_err(|source| TargetError::Io {
        at: Origin::None,
        key: "target".into(),
        path: path.to_path_buf(),
        source,
    })?;
    let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let mut layers = Layers::default();
    text_layers(
        SourceName::File(path.display().to_string()),
        &text,
        path.parent(),
        &mut vec![canonical],
        &mut layers,
    )?;
    Ok(layers)
}

/// The set of dotted keys a table sets (tables included).
#[cfg(test)]
pub(crate) fn key_paths(table: &Table, prefix: &str, out: &mut std::collections::HashSet<String>) {
    for (name, value) in table {
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        if let Value::Table(inner) = value {
            key_paths(inner, &path, out);
        }
        out.insert(path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::KeyType;
    use std::collections::HashSet;

    #[test]
    fn merge_is_deep() {
        let mut base: Table = toml::from_str("a = 1\n[t]\nx = 1\ny = 2\n").unwrap();
        let top: Table = toml::from_str("b = 2\n[t]\ny = 3\n").unwrap();
        merge(&mut base, top);
        assert_eq!(base.to_string(), "a = 1\nb = 2\n\n[t]\nx = 1\ny = 3\n");
    }

    #[test]
    fn path_specs() {
        assert!(is_path_spec("chip.toml"));
        assert!(is_path_spec("dir/chip"));
        assert!(!is_path_spec("isaac"));
        assert!(!is_path_spec("nor-flash"));
    }

    #[test]
    fn catalogue_matches_the_structs() {
        // Every key the structs serialize is in the catalogue and vice versa.
        let t = Target::preset("isaac").unwrap();
        let table = Table::try_from(&t).unwrap();
        let mut paths = HashSet::new();
        key_paths(&table, "", &mut paths);
        let catalogue: HashSet<String> = keys::KEYS.iter().map(|k| k.path.to_string()).collect();
        assert_eq!(paths, catalogue);
        for k in keys::KEYS {
            let v = get(&table, k.path).unwrap();
            assert_eq!(k.ty.check(v), Ok(()), "{}", k.path);
            assert_eq!(k.ty == KeyType::Table, v.is_table(), "{}", k.path);
        }
    }

    #[test]
    fn catalogue_defaults_match_serde_defaults() {
        // A target that leaves out every optional key gets the catalogue's defaults.
        let full = Table::try_from(Target::preset("isaac").unwrap()).unwrap();
        let mut minimal = full.clone();
        fn remove(table: &mut Table, path: &str) {
            match path.split_once('.') {
                None => {
                    table.remove(path);
                }
                Some((head, rest)) => {
                    if let Some(Value::Table(inner)) = table.get_mut(head) {
                        remove(inner, rest);
                    }
                }
            }
        }
        for k in keys::KEYS.iter().filter(|k| k.default.is_some()) {
            remove(&mut minimal, k.path);
        }
        let text = minimal.to_string();
        let t = Target::from_toml_str(&text, "minimal.toml").unwrap();
        let back = Table::try_from(&t).unwrap();
        for k in keys::KEYS
            .iter()
            .filter(|k| k.default.is_some() && k.ty != KeyType::Table)
        {
            let d: Table = toml::from_str(&format!("v = {}", k.default.unwrap())).unwrap();
            let got = get(&back, k.path).unwrap();
            let want = &d["v"];
            let same = match (got, want) {
                (Value::Float(a), Value::Float(b)) => a == b,
                _ => got == want,
            };
            assert!(same, "{}: default {want} but serde gives {got}", k.path);
        }
    }
}
