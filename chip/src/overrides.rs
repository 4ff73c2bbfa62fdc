//! `--target-opt KEY=VALUE` overrides, for sweeps.
//!
//! KEY is a dotted key path (`array.adc.bits`); VALUE is a TOML value
//! (`256`, `1.5`, `true`, `[2, 4, 8]`, `"x"`, `{ bits = 9 }`), and a bare word
//! that is not a TOML value is a string (`encoding=differential`). The
//! overrides are merged, in order, over the target's TOML table (a table
//! value merges key by key), then the result is checked, deserialized and
//! validated again as a whole, so that several overrides that only make
//! sense together (`array.rows=64 array.max_active_rows=64`) can be given.

use toml::{Table, Value};

use crate::error::{Origin, TargetError};
use crate::load::{Layer, LayerSource, Layers};
use crate::Target;

/// Splits and parses one override into its key path and value.
pub(crate) fn parse(text: &str) -> Result<(String, Value), TargetError> {
    let bad = |key: &str, reason: &str| TargetError::BadOverride {
        at: Origin::Overrides(vec![text.to_string()]),
        key: key.to_string(),
        reason: reason.to_string(),
    };
    let Some((key, value)) = text.split_once('=') else {
        return Err(bad(text.trim(), "expected KEY=VALUE"));
    };
    let key = key.trim();
    let segment_ok = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    };
    if !key.split('.').all(segment_ok) {
        return Err(bad(
            key,
            "not a dotted key path (names of letters, digits, `_` and `-`, joined by `.`)",
        ));
    }
    if key == "base" {
        return Err(bad(
            key,
            "`base` can only be set at the top of a target file",
        ));
    }
    let value = value.trim();
    if value.is_empty() {
        return Err(bad(key, "missing value after `=`"));
    }
    Ok((
        key.to_string(),
        parse_value(value).map_err(|m| bad(key, &m))?,
    ))
}

/// A TOML value, or a bare word taken as a string.
fn parse_value(text: &str) -> Result<Value, String> {
    let doc = format!("v = {text}");
    match toml::from_str::<Table>(&doc) {
        Ok(mut t) => match (t.len(), t.remove("v")) {
            (1, Some(v)) => Ok(v),
            _ => Err("invalid TOML value: more than one value".into()),
        },
        Err(e) => {
            let structured = text.starts_with(['"', '\'', '[', '{']) || text.contains('\n');
            if structured {
                Err(format!("invalid TOML value: {}", e.message().trim_end()))
            } else {
                Ok(Value::String(text.to_string()))
            }
        }
    }
}

/// A table holding `value` at the dotted `key`.
fn nest(key: &str, value: Value) -> Table {
    let mut parts: Vec<&str> = key.split('.').collect();
    let last = parts.pop().unwrap_or(key);
    let mut table = Table::new();
    table.insert(last.to_string(), value);
    for part in parts.into_iter().rev() {
        let mut outer = Table::new();
        outer.insert(part.to_string(), Value::Table(table));
        table = outer;
    }
    table
}

impl Target {
    /// Applies one override `KEY=VALUE` (see the module docs); on error the
    /// target is left unchanged.
    pub fn apply_override(&mut self, text: &str) -> Result<(), TargetError> {
        self.apply_overrides(&[text])
    }

    /// Applies overrides in order, then checks and validates once; on error
    /// the target is left unchanged. Errors name the override that set the
    /// offending key, or all of them when none did.
    pub fn apply_overrides<S: AsRef<str>>(&mut self, texts: &[S]) -> Result<(), TargetError> {
        if texts.is_empty() {
            return Ok(());
        }
        let mut layers = Layers::default();
        layers.0.push(Layer {
            table: self.to_table(),
            source: LayerSource::Resolved,
        });
        for text in texts {
            let text = text.as_ref();
            let (key, value) = parse(text)?;
            layers.0.push(Layer {
                table: nest(&key, value),
                source: LayerSource::Override(text.to_string()),
            });
        }
        *self = layers.build()?;
        Ok(())
    }

    /// [`Target::apply_overrides`] by value.
    pub fn with_overrides<S: AsRef<str>>(mut self, texts: &[S]) -> Result<Target, TargetError> {
        self.apply_overrides(texts)?;
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(text: &str) -> Value {
        parse(&format!("k={text}")).unwrap().1
    }

    #[test]
    fn values() {
        assert_eq!(value("256"), Value::Integer(256));
        assert_eq!(value(" 1.5 "), Value::Float(1.5));
        assert_eq!(value("true"), Value::Boolean(true));
        assert_eq!(value("differential"), Value::String("differential".into()));
        assert_eq!(value("full-scale"), Value::String("full-scale".into()));
        assert_eq!(value("\"quoted\""), Value::String("quoted".into()));
        assert_eq!(value("abc"), Value::String("abc".into()));
        assert_eq!(
            value("[2, 4, 8]"),
            Value::Array(vec![
                Value::Integer(2),
                Value::Integer(4),
                Value::Integer(8)
            ])
        );
        assert!(value("{ bits = 9 }").is_table());
    }

    fn message(text: &str) -> String {
        let mut t = Target::preset("isaac").unwrap();
        let before = t.clone();
        let e = t.apply_override(text).unwrap_err().to_string();
        assert_eq!(t, before, "a failed override leaves the target unchanged");
        e
    }

    #[test]
    fn good_overrides() {
        let mut t = Target::preset("isaac").unwrap();
        t.apply_override("array.rows=256").unwrap();
        assert_eq!(t.array.rows, 256);
        t.apply_overrides(&[
            "array.encoding=differential",
            "array.adc.range=clipped",
            "array.weight_bits=[4, 8]",
        ])
        .unwrap();
        assert_eq!(t.array.encoding, crate::Encoding::Differential);
        assert_eq!(t.array.adc.range, crate::AdcRange::Clipped);
        assert_eq!(t.array.weight_bits, vec![4, 8]);
        t.apply_override("array.adc={ bits = 9 }").unwrap();
        assert_eq!(t.array.adc.bits, 9);
        assert_eq!(t.array.adc.per_array, 1, "a table value merges key by key");
        t.apply_override("non_idealities.read_noise_sigma=0.02")
            .unwrap();
        assert_eq!(t.non_idealities.read_noise_sigma, 0.02);
        t.apply_override("clock_mhz=1000").unwrap();
        assert_eq!(t.clock_mhz, 1000.0);
        // Together they make sense; the first alone would not.
        let t = Target::preset("isaac")
            .unwrap()
            .with_overrides(&["array.rows=64", "array.max_active_rows=64"])
            .unwrap();
        assert_eq!((t.array.rows, t.array.max_active_rows), (64, 64));
    }

    #[test]
    fn bad_overrides() {
        assert_eq!(
            message("array.rows=abc"),
            "--target-opt array.rows=abc: `array.rows` has the wrong type: expected an integer, found string \"abc\""
        );
        assert_eq!(
            message("array.rowz=3"),
            "--target-opt array.rowz=3: unknown key `array.rowz`; the nearest valid key is `array.rows`"
        );
        assert_eq!(
            message("array.rows=0"),
            "--target-opt array.rows=0: `array.rows` = 0: must be at least 1"
        );
        assert_eq!(
            message("array.rows=-5"),
            "--target-opt array.rows=-5: `array.rows` = -5: must not be negative"
        );
        assert_eq!(
            message("array.rows=64"),
            "--target-opt array.rows=64: `array.max_active_rows` = 128: must be between 1 and array.rows (64)"
        );
        assert_eq!(
            message("array.encoding=diff"),
            "--target-opt array.encoding=diff: `array.encoding` = \"diff\": must be one of \"offset\", \"differential\""
        );
        assert_eq!(
            message("array.rows"),
            "--target-opt array.rows: `array.rows`: expected KEY=VALUE"
        );
        assert_eq!(
            message("array.rows="),
            "--target-opt array.rows=: `array.rows`: missing value after `=`"
        );
        assert_eq!(
            message("array..rows=1"),
            "--target-opt array..rows=1: `array..rows`: not a dotted key path (names of letters, digits, `_` and `-`, joined by `.`)"
        );
        assert!(message("array.weight_bits=[2,").starts_with(
            "--target-opt array.weight_bits=[2,: `array.weight_bits`: invalid TOML value: "
        ));
        assert_eq!(
            message("base=puma"),
            "--target-opt base=puma: `base`: `base` can only be set at the top of a target file"
        );
        assert_eq!(
            message("array.rows.x=1"),
            "--target-opt array.rows.x=1: `array.rows` has the wrong type: expected an integer, found a table"
        );
        // Cross-key errors no single override explains name all of them.
        let mut t = Target::preset("isaac").unwrap();
        let e = t
            .apply_overrides(&["array.rows=64", "array.cols=64"])
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "--target-opt array.rows=64 --target-opt array.cols=64: `array.max_active_rows` = 128: must be between 1 and array.rows (64)"
        );
        assert_eq!(e.key(), "array.max_active_rows");
    }
}
