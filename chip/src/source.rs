//! Target text and positions: parsing a TOML text while keeping the byte
//! span of every key and value, and turning spans into `line:col`.

use std::collections::HashMap;
use std::ops::Range;

use toml::de::{DeTable, DeValue};

use crate::error::{Origin, TargetError};

/// Where a text came from.
#[derive(Debug, Clone)]
pub(crate) enum SourceName {
    /// A file, by the name it is reported under.
    File(String),
    /// An embedded preset.
    Preset(&'static str),
}

/// A parsed TOML text with the spans of its keys and values.
#[derive(Debug)]
pub(crate) struct Source {
    name: SourceName,
    text: String,
    /// Dotted path → (span of the key, span of the value).
    spans: HashMap<String, (Range<usize>, Range<usize>)>,
}

impl Source {
    /// Parses `text` into a table, keeping the spans; a syntax error names
    /// the position and, when the line shows it, the key.
    pub(crate) fn parse(
        name: SourceName,
        text: &str,
    ) -> Result<(Source, toml::Table), TargetError> {
        let mut source = Source {
            name,
            text: text.to_string(),
            spans: HashMap::new(),
        };
        let syntax = |source: &Source, e: toml::de::Error| {
            let offset = e.span().map_or(0, |s| s.start);
            let (line, _) = line_col(&source.text, offset);
            TargetError::Syntax {
                at: source.origin_at(offset),
                key: key_on_line(&source.text, line),
                message: e.message().trim_end().to_string(),
            }
        };
        let doc = DeTable::parse(text).map_err(|e| syntax(&source, e))?;
        index(doc.get_ref(), "", &mut source.spans);
        let table: toml::Table = toml::from_str(text).map_err(|e| syntax(&source, e))?;
        Ok((source, table))
    }

    /// Where a dotted key (`at_key`) or its value is, if this text defines it.
    pub(crate) fn origin_of(&self, path: &str, at_key: bool) -> Option<Origin> {
        let (key, value) = self.spans.get(path)?;
        Some(self.origin_at(if at_key { key.start } else { value.start }))
    }

    /// The position of a byte offset.
    pub(crate) fn origin_at(&self, offset: usize) -> Origin {
        let (line, col) = line_col(&self.text, offset);
        match &self.name {
            SourceName::File(file) => Origin::File {
                file: file.clone(),
                line,
                col,
            },
            SourceName::Preset(name) => Origin::Preset {
                name: (*name).to_string(),
                line,
                col,
            },
        }
    }

    /// The text as a whole (for a key it lacks).
    pub(crate) fn origin_whole(&self) -> Origin {
        match &self.name {
            SourceName::File(file) => Origin::FileOnly { file: file.clone() },
            SourceName::Preset(name) => Origin::FileOnly {
                file: format!("<preset {name}>"),
            },
        }
    }
}

/// Records the spans of every key and value under `prefix`.
fn index(
    table: &DeTable<'_>,
    prefix: &str,
    out: &mut HashMap<String, (Range<usize>, Range<usize>)>,
) {
    for (key, value) in table.iter() {
        let name: &str = key.get_ref();
        let path = if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}.{name}")
        };
        out.insert(path.clone(), (key.span(), value.span()));
        if let DeValue::Table(inner) = value.get_ref() {
            index(inner, &path, out);
        }
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

/// The dotted key a line defines (`key = ...` under the last `[table]`
/// header above it), or "" when the line does not show one.
fn key_on_line(text: &str, line: usize) -> String {
    let mut table = String::new();
    for (i, l) in text.lines().enumerate() {
        let t = l.trim();
        if i + 1 == line && t.starts_with('[') {
            return header_name(t);
        }
        if i + 1 == line {
            let Some(eq) = t.find('=') else {
                return String::new();
            };
            let key: String = t[..eq]
                .split('.')
                .map(|s| s.trim().trim_matches('"').trim_matches('\''))
                .collect::<Vec<_>>()
                .join(".");
            if key.is_empty() || t.starts_with('#') {
                return String::new();
            }
            return if table.is_empty() {
                key
            } else {
                format!("{table}.{key}")
            };
        }
        if t.starts_with('[') {
            table = header_name(t);
        }
    }
    String::new()
}

/// The dotted name of a `[table]` or `[[array]]` header line.
fn header_name(line: &str) -> String {
    line.trim_start_matches('[')
        .split(']')
        .next()
        .unwrap_or("")
        .split('.')
        .map(|s| s.trim().trim_matches('"').trim_matches('\''))
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column() {
        let t = "a = 1\nbé = 2\n";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 4), (1, 5));
        assert_eq!(line_col(t, 6), (2, 1));
        // column counts characters, not bytes
        assert_eq!(line_col(t, 10), (2, 4));
        assert_eq!(line_col(t, 999), (3, 1));
    }

    #[test]
    fn spans_of_keys_and_values() {
        let text = "name = \"x\"\n[array]\nrows = 128\nadc.bits = 8\n[chip]\ncores = { n = 1 }\n";
        let (src, table) = Source::parse(SourceName::File("t.toml".into()), text).unwrap();
        assert_eq!(table["array"]["rows"].as_integer(), Some(128));
        let at = |p: &str, k: bool| src.origin_of(p, k).unwrap().to_string();
        assert_eq!(at("array.rows", true), "t.toml:3:1: ");
        assert_eq!(at("array.rows", false), "t.toml:3:8: ");
        assert_eq!(at("array.adc.bits", true), "t.toml:4:5: ");
        assert_eq!(at("array.adc.bits", false), "t.toml:4:12: ");
        assert_eq!(at("chip.cores.n", true), "t.toml:6:11: ");
        assert!(src.origin_of("array.cols", true).is_none());
    }

    #[test]
    fn syntax_errors_name_position_and_key() {
        let text = "name = \"x\"\n[array]\nrows = 12 8\n";
        let e = Source::parse(SourceName::File("t.toml".into()), text).unwrap_err();
        assert_eq!(e.key(), "array.rows");
        assert!(e.to_string().starts_with("t.toml:3:"), "{e}");
        let text = "[array]\nrows = 1\n[array]\ncols = 2\n";
        let e = Source::parse(SourceName::File("t.toml".into()), text).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.toml:3:2: TOML syntax error in `array`: duplicate key"
        );
    }
}
