//! Pass options in MLIR's textual syntax: `pass{name=value other=value}`.

use std::collections::BTreeMap;
use thiserror::Error;

/// The type of an option's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionKind {
    Bool,
    Int,
    UInt,
    /// A finite floating-point number.
    Float,
    Str,
    /// One of a fixed set of words.
    Enum(&'static [&'static str]),
}

impl OptionKind {
    pub fn describe(self) -> String {
        match self {
            OptionKind::Bool => "a boolean (true or false)".into(),
            OptionKind::Int => "an integer".into(),
            OptionKind::UInt => "a non-negative integer".into(),
            OptionKind::Float => "a finite number".into(),
            OptionKind::Str => "a string".into(),
            OptionKind::Enum(words) => format!("one of {}", words.join(", ")),
        }
    }
}

/// A declared option.
#[derive(Debug, Clone, Copy)]
pub struct OptionInfo {
    pub name: &'static str,
    pub kind: OptionKind,
    /// Default value, in the option's textual form.
    pub default: &'static str,
    pub help: &'static str,
}

/// A parsed option value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
}

/// A bad option in a pipeline string.
#[derive(Debug, Clone, Error, PartialEq)]
pub enum OptionError {
    #[error("pass '{pass}' has no option '{name}'{}", known_list(.known))]
    Unknown {
        pass: &'static str,
        name: String,
        known: Vec<&'static str>,
    },
    #[error("option '{name}' of pass '{pass}' expects {expected}, got '{value}'")]
    BadValue {
        pass: &'static str,
        name: &'static str,
        expected: String,
        value: String,
    },
    #[error("option '{name}' of pass '{pass}' is given twice")]
    Repeated { pass: &'static str, name: String },
    #[error("malformed options for pass '{pass}': {reason}")]
    Malformed { pass: &'static str, reason: String },
}

fn known_list(known: &[&str]) -> String {
    if known.is_empty() {
        "; it takes no options".into()
    } else {
        format!("; its options are: {}", known.join(", "))
    }
}

/// Checked option values of one pass instance, defaults filled in.
#[derive(Debug, Clone, Default)]
pub struct Options {
    values: BTreeMap<&'static str, Value>,
}

impl Options {
    /// Parses `text` (space-separated `name=value`, or a bare `name` for a
    /// true boolean) against `declared`.
    pub fn parse(
        pass: &'static str,
        declared: &'static [OptionInfo],
        text: &str,
    ) -> Result<Self, OptionError> {
        let mut values = BTreeMap::new();
        let mut given = Vec::new();
        for (name, value) in
            split_pairs(text).map_err(|reason| OptionError::Malformed { pass, reason })?
        {
            let info = declared
                .iter()
                .find(|info| info.name == name)
                .ok_or_else(|| OptionError::Unknown {
                    pass,
                    name: name.clone(),
                    known: declared.iter().map(|info| info.name).collect(),
                })?;
            if given.contains(&info.name) {
                return Err(OptionError::Repeated { pass, name });
            }
            given.push(info.name);
            let value = match value {
                Some(value) => value,
                None if info.kind == OptionKind::Bool => "true".into(),
                None => {
                    return Err(OptionError::BadValue {
                        pass,
                        name: info.name,
                        expected: info.kind.describe(),
                        value: String::new(),
                    })
                }
            };
            values.insert(info.name, convert(pass, info, &value)?);
        }
        for info in declared {
            if !values.contains_key(info.name) {
                // Defaults are part of the pass's declaration; a bad one is a
                // bug in the pass, reported like any bad value.
                values.insert(info.name, convert(pass, info, info.default)?);
            }
        }
        Ok(Options { values })
    }

    /// The checked value of the option `name`. Passes do not call this:
    /// [`pass_options!`] reads each declared option by the name it declared,
    /// into a field of the option's type, so a misspelt name cannot compile.
    pub fn value(&self, name: &str) -> Option<&Value> {
        self.values.get(name)
    }
}

/// A Rust type an option is read as; its [`OptionKind`] follows from it, so
/// the parser checks every value against the type the pass reads.
pub trait OptionType: Sized + Default {
    const KIND: OptionKind;
    /// The value the parser produced for [`Self::KIND`] (defaults filled in).
    fn from_value(value: &Value) -> Option<Self>;
}

impl OptionType for bool {
    const KIND: OptionKind = OptionKind::Bool;
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Bool(value) => Some(*value),
            _ => None,
        }
    }
}

impl OptionType for i64 {
    const KIND: OptionKind = OptionKind::Int;
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Int(value) => Some(*value),
            _ => None,
        }
    }
}

/// Unsigned options parse as u32, so they fit each of these.
macro_rules! unsigned_option {
    ($($ty:ty),*) => {$(
        impl OptionType for $ty {
            const KIND: OptionKind = OptionKind::UInt;
            fn from_value(value: &Value) -> Option<Self> {
                match value {
                    Value::Int(value) => <$ty>::try_from(*value).ok(),
                    _ => None,
                }
            }
        }
    )*};
}
unsigned_option!(u32, u64, usize);

impl OptionType for f64 {
    const KIND: OptionKind = OptionKind::Float;
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Float(value) => Some(*value),
            _ => None,
        }
    }
}

impl OptionType for String {
    const KIND: OptionKind = OptionKind::Str;
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Str(value) => Some(value.clone()),
            _ => None,
        }
    }
}

/// Declares a pass's options once: the struct the pass reads them as (a
/// typed field per option) and the table the parser checks pipelines
/// against and `--list-passes` prints. Each option's kind follows from its
/// field's type (`bool`, `i64`, `u32`/`u64`/`usize`, `f64`, `String`; a
/// `String` with `one_of [...]` takes one of those words), and a field is
/// read by the name it was declared with: a misspelt option cannot compile
/// into a silent default.
///
/// ```ignore
/// pass_options! {
///     /// Options of cim-place.
///     pub struct PlaceOptions {
///         reprogram: bool = ("reprogram", "true", "allow time-multiplexing arrays"),
///         mode: String = ("mode", "a", "how", one_of ["a", "b"]),
///     }
/// }
/// // PassInfo { options: PlaceOptions::INFO,
/// //            create: |options, _| { let options = PlaceOptions::from(options); ... } }
/// ```
#[macro_export]
macro_rules! pass_options {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $(
                $field:ident : $ty:ty = ($option:literal, $default:expr, $help:expr $(, one_of $words:expr)?)
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        $vis struct $name {
            $(
                #[doc = concat!("The `", $option, "` option.")]
                pub $field: $ty,
            )*
        }

        impl $name {
            /// The declared options, in the parser's and `--list-passes`' form.
            pub const INFO: &'static [$crate::OptionInfo] = &[
                $(
                    $crate::OptionInfo {
                        name: $option,
                        kind: $crate::pass_options!(@kind $ty $(, $words)?),
                        default: $default,
                        help: $help,
                    },
                )*
            ];
        }

        impl From<&$crate::Options> for $name {
            /// The typed values of options [`$crate::Options::parse`] checked
            /// against [`Self::INFO`]; every option has a value of its
            /// field's kind there, so the fallback to the type's default is
            /// never taken.
            fn from(options: &$crate::Options) -> Self {
                $name {
                    $(
                        $field: options
                            .value($option)
                            .and_then(<$ty as $crate::options::OptionType>::from_value)
                            .unwrap_or_default(),
                    )*
                }
            }
        }
    };
    (@kind $ty:ty) => { <$ty as $crate::options::OptionType>::KIND };
    (@kind $ty:ty, $words:expr) => { $crate::OptionKind::Enum(&$words) };
}

fn convert(pass: &'static str, info: &OptionInfo, text: &str) -> Result<Value, OptionError> {
    let bad = || OptionError::BadValue {
        pass,
        name: info.name,
        expected: info.kind.describe(),
        value: text.to_string(),
    };
    match info.kind {
        OptionKind::Bool => match text {
            "true" | "1" => Ok(Value::Bool(true)),
            "false" | "0" => Ok(Value::Bool(false)),
            _ => Err(bad()),
        },
        OptionKind::Int => text.parse().map(Value::Int).map_err(|_| bad()),
        OptionKind::UInt => text
            .parse::<u32>()
            .map(|value| Value::Int(value.into()))
            .map_err(|_| bad()),
        OptionKind::Float => text
            .parse::<f64>()
            .ok()
            .filter(|value| value.is_finite())
            .map(Value::Float)
            .ok_or_else(bad),
        OptionKind::Str => Ok(Value::Str(text.to_string())),
        OptionKind::Enum(words) => words
            .iter()
            .find(|word| **word == text)
            .map(|word| Value::Str(word.to_string()))
            .ok_or_else(bad),
    }
}

/// Splits `a=1 b="x y" c={p q} d` into pairs, honouring quotes and braces.
fn split_pairs(text: &str) -> Result<Vec<(String, Option<String>)>, String> {
    let mut pairs = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.peek().is_none() {
            return Ok(pairs);
        }
        let mut name = String::new();
        while let Some(c) = chars.next_if(|c| !c.is_whitespace() && *c != '=') {
            name.push(c);
        }
        if chars.next_if_eq(&'=').is_none() {
            pairs.push((name, None));
            continue;
        }
        if name.is_empty() {
            return Err("an option value without a name".into());
        }
        let mut value = String::new();
        match chars.peek() {
            Some('"') | Some('\'') => {
                let quote = chars.next().unwrap_or('"');
                loop {
                    match chars.next() {
                        Some(c) if c == quote => break,
                        Some(c) => value.push(c),
                        None => return Err(format!("unterminated quote in option '{name}'")),
                    }
                }
            }
            Some('{') => {
                chars.next();
                let mut depth = 1;
                loop {
                    let c = chars
                        .next()
                        .ok_or_else(|| format!("unbalanced '{{' in option '{name}'"))?;
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 1 => break,
                        '}' => depth -= 1,
                        _ => {}
                    }
                    value.push(c);
                }
            }
            _ => {
                while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                    value.push(c);
                }
            }
        }
        pairs.push((name, Some(value)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::pass_options! {
        /// A pass's options, for the tests.
        pub struct Example {
            flag: bool = ("flag", "true", "a flag"),
            count: u32 = ("count", "3", "a count"),
            offset: i64 = ("offset", "-2", "an offset"),
            ratio: f64 = ("ratio", "0.5", "a ratio"),
            mode: String = ("mode", "a", "a mode", one_of ["a", "b"]),
        }
    }

    #[test]
    fn kinds_follow_the_field_types() {
        let kinds: Vec<OptionKind> = Example::INFO.iter().map(|info| info.kind).collect();
        assert_eq!(
            kinds,
            [
                OptionKind::Bool,
                OptionKind::UInt,
                OptionKind::Int,
                OptionKind::Float,
                OptionKind::Enum(&["a", "b"])
            ]
        );
    }

    #[test]
    fn typed_values_with_defaults() {
        let parsed = Options::parse("example", Example::INFO, "count=7 mode=b flag=false").unwrap();
        assert_eq!(
            Example::from(&parsed),
            Example {
                flag: false,
                count: 7,
                offset: -2,
                ratio: 0.5,
                mode: "b".into()
            }
        );
        // A negative value for an unsigned option is refused at parse time.
        assert!(matches!(
            Options::parse("example", Example::INFO, "count=-1"),
            Err(OptionError::BadValue { name: "count", .. })
        ));
        assert!(matches!(
            Options::parse("example", Example::INFO, "cuont=1"),
            Err(OptionError::Unknown { .. })
        ));
    }

    #[test]
    fn every_pass_builds_from_its_defaults() {
        let context = crate::PassContext::default();
        for info in crate::all() {
            let options = info
                .parse_options("")
                .unwrap_or_else(|err| panic!("{}: {err}", info.argument));
            let _ = (info.create)(&options, &context);
        }
    }
}
