//! A TOML document as a tree that keeps the byte span of every key and
//! value, so that every complaint about a spec can name its line.

use std::ops::Range;

use toml::de::{DeTable, DeValue};

/// One value of the document and where it is.
#[derive(Debug, Clone)]
pub struct Item {
    pub span: Range<usize>,
    pub kind: Kind,
}

/// What a value is.
#[derive(Debug, Clone)]
pub enum Kind {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Array(Vec<Item>),
    /// Keys in document order, each with the span of the key itself.
    Table(Vec<Entry>),
    /// A date or time (no key of a spec takes one).
    Datetime,
}

/// One key of a table.
#[derive(Debug, Clone)]
pub struct Entry {
    pub key: String,
    pub key_span: Range<usize>,
    pub value: Item,
}

impl Kind {
    /// The TOML type's name, as the spec's errors say it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Kind::Str(_) => "a string",
            Kind::Int(_) => "an integer",
            Kind::Float(_) => "a float",
            Kind::Bool(_) => "a boolean",
            Kind::Array(_) => "an array",
            Kind::Table(_) => "a table",
            Kind::Datetime => "a date-time",
        }
    }
}

/// Parses `text`; a syntax error comes back as (byte offset, message).
pub fn parse(text: &str) -> Result<Item, (usize, String)> {
    let doc = DeTable::parse(text).map_err(|e| {
        (
            e.span().map_or(0, |s| s.start),
            e.message().trim_end().to_string(),
        )
    })?;
    let span = doc.span();
    Ok(Item {
        span,
        kind: Kind::Table(table(doc.get_ref())?),
    })
}

fn table(table: &DeTable<'_>) -> Result<Vec<Entry>, (usize, String)> {
    table
        .iter()
        .map(|(key, value)| {
            Ok(Entry {
                key: key.get_ref().to_string(),
                key_span: key.span(),
                value: item(value.get_ref(), value.span())?,
            })
        })
        .collect()
}

fn item(value: &DeValue<'_>, span: Range<usize>) -> Result<Item, (usize, String)> {
    let start = span.start;
    let kind = match value {
        DeValue::String(s) => Kind::Str(s.to_string()),
        DeValue::Integer(i) => {
            let digits = i.as_str().replace('_', "");
            let (sign, digits) = match digits.strip_prefix('-') {
                Some(rest) => (-1, rest.to_string()),
                None => (1, digits.trim_start_matches('+').to_string()),
            };
            let digits = match digits.get(..2) {
                Some("0x" | "0o" | "0b") => digits[2..].to_string(),
                _ => digits,
            };
            let n = i64::from_str_radix(&digits, i.radix())
                .map_err(|_| (start, format!("integer `{}` out of range", i.as_str())))?;
            Kind::Int(sign * n)
        }
        DeValue::Float(f) => {
            let text = f.as_str().replace('_', "");
            Kind::Float(
                text.parse::<f64>()
                    .map_err(|_| (start, format!("bad float `{}`", f.as_str())))?,
            )
        }
        DeValue::Boolean(b) => Kind::Bool(*b),
        DeValue::Datetime(_) => Kind::Datetime,
        DeValue::Array(items) => Kind::Array(
            items
                .iter()
                .map(|v| item(v.get_ref(), v.span()))
                .collect::<Result<_, _>>()?,
        ),
        DeValue::Table(t) => Kind::Table(table(t)?),
    };
    Ok(Item { span, kind })
}

/// 1-based line and column of a byte offset (the target files' own).
pub use cimc_target::line_col;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_spans() {
        let text = "a = 0x1F\nb = -1_000\n[t]\nc = [1.5, \"x\", true]\n";
        let doc = parse(text).unwrap();
        let Kind::Table(entries) = doc.kind else {
            panic!()
        };
        assert!(matches!(entries[0].value.kind, Kind::Int(31)));
        assert!(matches!(entries[1].value.kind, Kind::Int(-1000)));
        assert_eq!(line_col(text, entries[2].key_span.start), (3, 2));
        let Kind::Table(t) = &entries[2].value.kind else {
            panic!()
        };
        let Kind::Array(items) = &t[0].value.kind else {
            panic!()
        };
        assert!(matches!(items[0].kind, Kind::Float(x) if x == 1.5));
        assert_eq!(&text[items[1].span.clone()], "\"x\"");
        assert_eq!(line_col(text, items[2].span.start), (4, 16));
    }

    #[test]
    fn syntax_error_has_an_offset() {
        let (offset, message) = parse("a = 1\nb = = 2\n").unwrap_err();
        assert_eq!(line_col("a = 1\nb = = 2\n", offset).0, 2);
        assert!(!message.is_empty());
    }
}
