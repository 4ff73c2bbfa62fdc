//! The catalogue of target keys: dotted path, TOML type, unit, default and
//! meaning of every key of the schema.
//!
//! It drives the checks that come before deserialization (unknown keys with
//! the nearest valid key, wrong types with the expected type, missing keys)
//! and the key table of the README ([`schema_markdown`]). A unit test keeps
//! it in step with the serde structs of [`crate::schema`].

use toml::Value;

/// The TOML type a key takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    /// A table of further keys.
    Table,
    /// A non-negative integer no larger than `max`.
    UInt { max: u64 },
    /// A number (integer or float literal).
    Float,
    /// `true` or `false`.
    Bool,
    /// Any string.
    Str,
    /// One of the listed strings.
    Enum(&'static [&'static str]),
    /// An array of non-negative integers no larger than `max`.
    UIntList { max: u64 },
}

/// One key of the schema.
#[derive(Debug, Clone, Copy)]
pub struct KeyInfo {
    /// Dotted path from the top of the file.
    pub path: &'static str,
    pub ty: KeyType,
    /// Unit of the value ("" when it has none).
    pub unit: &'static str,
    /// Default as TOML text, `None` for required keys.
    pub default: Option<&'static str>,
    /// Allowed values beyond the type ("" when any value of the type goes).
    pub constraint: &'static str,
    /// What the key means.
    pub doc: &'static str,
}

const U32: KeyType = KeyType::UInt {
    max: u32::MAX as u64,
};
const U64: KeyType = KeyType::UInt {
    max: i64::MAX as u64,
};
const U32_LIST: KeyType = KeyType::UIntList {
    max: u32::MAX as u64,
};

const fn key(
    path: &'static str,
    ty: KeyType,
    unit: &'static str,
    default: Option<&'static str>,
    constraint: &'static str,
    doc: &'static str,
) -> KeyInfo {
    KeyInfo {
        path,
        ty,
        unit,
        default,
        constraint,
        doc,
    }
}

const fn table(path: &'static str, default: Option<&'static str>, doc: &'static str) -> KeyInfo {
    key(path, KeyType::Table, "", default, "", doc)
}

/// Encoding names, as written in TOML.
pub const ENCODINGS: &[&str] = &["offset", "differential"];
/// ADC range names, as written in TOML.
pub const ADC_RANGES: &[&str] = &["full-scale", "clipped", "none"];

/// Every key of the schema, tables before their keys, in the order of the
/// serde structs (and of [`crate::Target::to_toml_string`]).
pub const KEYS: &[KeyInfo] = &[
    key("name", KeyType::Str, "", None, "not empty", "Short name of the design point, shown in reports."),
    key("description", KeyType::Str, "", Some("\"\""), "", "Free text: the design point followed and what is assumed."),
    key("clock_mhz", KeyType::Float, "MHz", None, "> 0, finite", "Clock frequency; every latency is counted in cycles of this clock."),
    table("chip", None, "The whole chip."),
    key("chip.cores", U32, "cores", None, "≥ 1", "Cores on the chip (ISAAC/PUMA: tiles)."),
    table("core", None, "One core: its macros, buffers and network port."),
    key("core.macros", U32, "macros", None, "≥ 1", "Macros per core (ISAAC: IMAs; PUMA: cores)."),
    table("macro", None, "One macro: arrays sharing DACs, ADCs and shift-and-add units."),
    key("macro.arrays", U32, "arrays", None, "≥ 1", "Crossbar arrays per macro. Total arrays N = chip.cores × core.macros × macro.arrays."),
    table("array", None, "One crossbar array and its analog periphery."),
    key("array.rows", U32, "rows", None, "≥ 1", "Word lines: inputs of one array."),
    key("array.cols", U32, "columns", None, "≥ 1", "Bit lines: outputs of one array."),
    key("array.max_active_rows", U32, "rows", None, "1..=array.rows", "Rows driven at once in one read step; column sums add over these rows."),
    key("array.cell_bits", U32, "bits", None, "1..=8", "Bits stored per cell (2^cell_bits conductance levels)."),
    key("array.weight_bits", U32_LIST, "bits", None, "not empty, each 1..=16, no repeats; the widest must fit in array.cols", "Weight bit widths the chip supports; a weight is sliced into ⌈weight_bits / cell_bits⌉ cells."),
    key("array.encoding", KeyType::Enum(ENCODINGS), "", None, "", "Signed weights: `offset` stores weight + 2^(weight_bits−1) in one column per slice; `differential` stores the positive and the negative part in two columns per slice."),
    key("array.dac_bits", U32, "bits", None, "1..=8", "Input bits applied per read step; an input of b bits takes ⌈b / dac_bits⌉ steps."),
    table("array.adc", None, "The array's analog-to-digital converters."),
    key("array.adc.bits", U32, "bits", None, "1..=24 (above 16: an ideal converter, for what-if studies); 0 exactly when range = \"none\"", "ADC resolution."),
    key("array.adc.per_array", U32, "ADCs", None, "1..=array.cols; 0 exactly when range = \"none\"", "ADCs per array; columns share them, so converting one step takes ⌈cols / per_array⌉ × latency.adc_conversion cycles."),
    key("array.adc.range", KeyType::Enum(ADC_RANGES), "", None, "", "`full-scale`: the range spans the largest column sum, low bits are lost when the ADC is too narrow; `clipped`: 1 LSB = 1 sum unit, sums above 2^bits − 1 saturate; `none`: digital macro with an exact adder tree, no ADC."),
    key("array.weight_flip", KeyType::Bool, "", Some("false"), "", "ISAAC's flip: each column (per group of rows read together) stores the weights or their complements, whichever sums lower, so column sums stay ≤ half the worst case."),
    table("latency", None, "Latencies, in clock cycles."),
    key("latency.array_step", U64, "cycles", None, "≥ 1", "One array read step (drive one input slice on the active rows, settle, sample)."),
    key("latency.adc_conversion", U64, "cycles", None, "", "One ADC conversion (one column of one step)."),
    key("latency.shift_add", U64, "cycles", None, "", "One shift-and-add of a partial sum."),
    key("latency.buffer_access", U64, "cycles", None, "", "One access to a core buffer."),
    key("latency.program_row", U64, "cycles", None, "", "Writing (programming) one row of weights."),
    table("buffer", None, "The buffers of one core."),
    key("buffer.input_kib", U32, "KiB", None, "≥ 1", "Input buffer per core."),
    key("buffer.output_kib", U32, "KiB", None, "≥ 1", "Output buffer per core."),
    key("buffer.bandwidth_bytes_per_cycle", U32, "bytes/cycle", None, "≥ 1", "Buffer bandwidth per core."),
    table("interconnect", None, "The network between cores."),
    key("interconnect.core_bandwidth_bytes_per_cycle", U32, "bytes/cycle", None, "≥ 1", "Bandwidth of one core's network port."),
    key("interconnect.hop_cycles", U64, "cycles", Some("1"), "", "Latency of one router hop of the mesh (⌈√chip.cores⌉ columns, cores numbered along a snake so consecutive cores are neighbours)."),
    table("energy", None, "Energies, in picojoules per event."),
    key("energy.array_step_per_row", KeyType::Float, "pJ", None, "≥ 0, finite", "One read step, per active row (covering all the row's cells): a step with a active rows costs a × this."),
    key("energy.adc_conversion", KeyType::Float, "pJ", None, "≥ 0, finite", "One ADC conversion (one column of one step)."),
    key("energy.dac_per_row", KeyType::Float, "pJ", None, "≥ 0, finite", "Driving one active row's DAC for one step."),
    key("energy.shift_add", KeyType::Float, "pJ", None, "≥ 0, finite", "One shift-and-add of a partial sum."),
    key("energy.buffer_access_per_byte", KeyType::Float, "pJ", None, "≥ 0, finite", "Buffer traffic, per byte read or written."),
    key("energy.program_cell", KeyType::Float, "pJ", None, "≥ 0, finite", "Programming one cell."),
    key("energy.host_op_per_element", KeyType::Float, "pJ", None, "≥ 0, finite", "One element of an operation that runs on the host, not in the arrays."),
    key("energy.network_per_byte_hop", KeyType::Float, "pJ", Some("0.0"), "≥ 0, finite", "One byte crossing one router hop."),
    table("area", None, "Areas, in mm²."),
    key("area.array", KeyType::Float, "mm²", None, "≥ 0, finite", "One crossbar array (cells)."),
    key("area.adc", KeyType::Float, "mm²", None, "≥ 0, finite", "One ADC."),
    key("area.macro_periphery", KeyType::Float, "mm²", None, "≥ 0, finite", "Per macro, everything but arrays and ADCs (DACs, sample-and-hold, shift-and-add, registers)."),
    key("area.core", KeyType::Float, "mm²", None, "≥ 0, finite", "Per core, everything outside its macros (buffers, router, digital units)."),
    table("vector", Some("{}"), "The digital unit of each core that runs the integer ops between crossbar layers (requantize, activation, pooling, elementwise, copies)."),
    key("vector.lanes", U32, "elements", Some("16"), "≥ 1", "Elements one core's unit processes per cycle step."),
    key("vector.requantize_cycles", U64, "cycles", Some("1"), "", "Cycles per `lanes` elements of a requantization (`tosa.rescale`)."),
    key("vector.activation_cycles", U64, "cycles", Some("1"), "", "Cycles per `lanes` elements of a clamp or activation function."),
    key("vector.pool_cycles", U64, "cycles", Some("1"), "", "Cycles per `lanes` input elements of a pooling window."),
    key("vector.elementwise_cycles", U64, "cycles", Some("1"), "", "Cycles per `lanes` elements of an elementwise binary op (residual add, multiply)."),
    key("vector.copy_cycles", U64, "cycles", Some("1"), "", "Cycles per `lanes` elements of a copy (concatenation, slice, pad, transpose, cast)."),
    key("vector.pj_per_element", KeyType::Float, "pJ", Some("0.1"), "≥ 0, finite", "Energy per element of a vector op."),
    table("global_memory", Some("{}"), "Memory shared by the chip, where what does not fit a core's input buffer spills."),
    key("global_memory.bandwidth_bytes_per_cycle", U32, "bytes/cycle", Some("32"), "≥ 1", "Bandwidth of the global memory (the whole chip)."),
    key("global_memory.latency", U64, "cycles", Some("100"), "", "Latency of one access."),
    key("global_memory.pj_per_byte", KeyType::Float, "pJ", Some("20.0"), "≥ 0, finite", "Energy per byte read or written."),
    table("host", Some("{}"), "The host processor: runs the ops no unit of the chip can."),
    key("host.cycles_per_element", KeyType::Float, "cycles", Some("1.0"), "≥ 0, finite", "Chip cycles per element of a host op (its energy: energy.host_op_per_element)."),
    table("non_idealities", Some("{}"), "Device and circuit non-idealities of the simulated chip (see Non-idealities below). All off by default: then the simulator is exact."),
    key("non_idealities.seed", U64, "", Some("0"), "", "Seed of the chip instance: every draw is keyed by seed, array, phase and cell (read noise also by the array's read count)."),
    key("non_idealities.programming_sigma", KeyType::Float, "fraction of cell range", Some("0.0"), "≥ 0, finite", "Standard deviation of each cell's conductance error, drawn once when the cell is programmed."),
    key("non_idealities.read_noise_sigma", KeyType::Float, "fraction of one cell's full read", Some("0.0"), "≥ 0, finite", "Standard deviation of the noise each read adds to a column sum, relative to one cell at full conductance under a full input digit."),
    key("non_idealities.drift_nu", KeyType::Float, "", Some("0.0"), "≥ 0, finite", "Mean drift exponent ν in G(t) = G(t0)·(t/t0)^−ν (0: no drift)."),
    key("non_idealities.drift_nu_sigma", KeyType::Float, "", Some("0.0"), "≥ 0, finite", "Per-cell spread (standard deviation) of ν; a cell's ν is clipped at 0."),
    key("non_idealities.drift_t0_s", KeyType::Float, "s", Some("1.0"), "> 0, finite", "Drift reference time t0 (when the cells are programmed and read back)."),
    key("non_idealities.drift_t_s", KeyType::Float, "s", Some("1.0"), "≥ drift_t0_s, finite", "Time t of inference after programming."),
    key("non_idealities.drift_compensation", KeyType::Bool, "", Some("true"), "", "Global drift compensation: each array's readings are scaled digitally by its calibrated G(t0)/G(t) ratio."),
    key("non_idealities.stuck_at_on_rate", KeyType::Float, "probability", Some("0.0"), "0..=1; with stuck_at_off_rate, sum ≤ 1", "Fraction of cells stuck at the highest conductance."),
    key("non_idealities.stuck_at_off_rate", KeyType::Float, "probability", Some("0.0"), "0..=1", "Fraction of cells stuck at the lowest conductance."),
    key("non_idealities.adc_offset_lsb", KeyType::Float, "LSB", Some("0.0"), "finite", "Constant offset the ADC adds before rounding."),
    key("non_idealities.adc_gain_error", KeyType::Float, "fraction", Some("0.0"), "> −1, finite", "Relative gain error of the ADC: it converts (1 + e) × its input."),
    table("replication", Some("{}"), "Weight replication (cim-replicate): copies of a layer's weights, each taking a share of its windows."),
    key("replication.max_replicas", U32, "copies", Some("1"), "≥ 1", "Most copies of one layer's weights the mapper may place."),
];

/// The catalogue entry of a dotted key.
pub fn lookup(path: &str) -> Option<&'static KeyInfo> {
    KEYS.iter().find(|k| k.path == path)
}

/// The parent table of a dotted path ("" for a top-level key).
pub(crate) fn parent(path: &str) -> &str {
    path.rfind('.').map_or("", |i| &path[..i])
}

fn leaf(path: &str) -> &str {
    path.rfind('.').map_or(path, |i| &path[i + 1..])
}

/// The valid key nearest to an unknown one, in this order of preference:
/// a close sibling (a key of the same table within edit distance
/// max(1, len/3), or one whose name starts with the unknown name), then a
/// key of the same name elsewhere in the schema (`rows` → `array.rows`),
/// then the sibling with the smallest edit distance.
pub(crate) fn nearest(path: &str) -> &'static str {
    let name = leaf(path);
    let table = parent(path);
    let mut siblings: Vec<(usize, &'static str)> = KEYS
        .iter()
        .filter(|k| parent(k.path) == table)
        .map(|k| (edit_distance(name, leaf(k.path)), k.path))
        .collect();
    siblings.sort_by_key(|(d, _)| *d);
    let close = (name.chars().count() / 3).max(1);
    if let Some((_, p)) = siblings
        .iter()
        .find(|(d, p)| *d <= close || (!name.is_empty() && leaf(p).starts_with(name)))
    {
        return p;
    }
    if let Some(k) = KEYS.iter().find(|k| leaf(k.path) == name) {
        return k.path;
    }
    siblings.first().map_or("name", |(_, p)| p)
}

/// Levenshtein distance (insertions, deletions, substitutions), in characters.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// How a value fails its key's type.
#[derive(Debug, PartialEq)]
pub(crate) enum Mismatch {
    /// Wrong TOML type: what was expected, what was found.
    Type { expected: String, found: String },
    /// Right type, impossible value: why.
    Value { reason: String },
}

impl KeyType {
    /// The type as an error message names it.
    pub fn expected(self) -> String {
        match self {
            KeyType::Table => "a table".into(),
            KeyType::UInt { .. } => "an integer".into(),
            KeyType::Float => "a number".into(),
            KeyType::Bool => "a boolean".into(),
            KeyType::Str => "a string".into(),
            KeyType::Enum(names) => format!("a string, one of {}", quoted_list(names)),
            KeyType::UIntList { .. } => "an array of integers".into(),
        }
    }

    /// The type as the README's table names it.
    fn doc_name(self) -> String {
        match self {
            KeyType::Table => "table".into(),
            KeyType::UInt { .. } => "integer".into(),
            KeyType::Float => "float".into(),
            KeyType::Bool => "bool".into(),
            KeyType::Str => "string".into(),
            KeyType::Enum(names) => quoted_list(names).replace(", ", " \\| "),
            KeyType::UIntList { .. } => "array of integers".into(),
        }
    }

    /// Checks a value against the type.
    pub(crate) fn check(self, value: &Value) -> Result<(), Mismatch> {
        let wrong = || {
            Err(Mismatch::Type {
                expected: self.expected(),
                found: describe(value),
            })
        };
        let uint = |i: i64, max: u64| -> Result<(), Mismatch> {
            if i < 0 {
                Err(Mismatch::Value {
                    reason: "must not be negative".into(),
                })
            } else if i as u64 > max {
                Err(Mismatch::Value {
                    reason: format!("must be at most {max}"),
                })
            } else {
                Ok(())
            }
        };
        match (self, value) {
            (KeyType::Table, Value::Table(_))
            | (KeyType::Float, Value::Float(_) | Value::Integer(_))
            | (KeyType::Bool, Value::Boolean(_))
            | (KeyType::Str, Value::String(_)) => Ok(()),
            (KeyType::UInt { max }, Value::Integer(i)) => uint(*i, max),
            (KeyType::Enum(names), Value::String(s)) => {
                if names.contains(&s.as_str()) {
                    Ok(())
                } else {
                    Err(Mismatch::Value {
                        reason: format!("must be one of {}", quoted_list(names)),
                    })
                }
            }
            (KeyType::UIntList { max }, Value::Array(items)) => {
                if items.iter().any(|v| !v.is_integer()) {
                    return wrong();
                }
                for item in items {
                    if let Value::Integer(i) = item {
                        uint(*i, max).map_err(|_| Mismatch::Value {
                            reason: format!("each element must be an integer in 0..={max}"),
                        })?;
                    }
                }
                Ok(())
            }
            _ => wrong(),
        }
    }
}

fn quoted_list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A value as error messages show it: its TOML type and, unless it is a
/// table, its TOML text (`string "abc"`, `integer -3`, `array [1, "x"]`).
pub(crate) fn describe(value: &Value) -> String {
    match value {
        Value::Table(_) => "a table".into(),
        _ => format!("{} {}", value.type_str(), render(value)),
    }
}

/// A value's TOML text, shortened to 60 characters.
pub(crate) fn render(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 60 {
        let cut: String = text.chars().take(57).collect();
        format!("{cut}...")
    } else {
        text
    }
}

/// The key table of the README, rendered from [`KEYS`] (Markdown).
pub fn schema_markdown() -> String {
    let mut out = String::from(
        "| key | type | unit | default | allowed | meaning |\n|---|---|---|---|---|---|\n",
    );
    for k in KEYS {
        let default = match k.default {
            None => "required".to_string(),
            Some(d) => format!("`{d}`"),
        };
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} |\n",
            k.path,
            k.ty.doc_name(),
            k.unit,
            default,
            k.constraint.replace('|', "\\|"),
            k.doc.replace('|', "\\|"),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("rows", "rows"), 0);
        assert_eq!(edit_distance("rowz", "rows"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("cell_bit", "cell_bits"), 1);
    }

    #[test]
    fn nearest_keys() {
        assert_eq!(nearest("array.rowz"), "array.rows");
        assert_eq!(nearest("rows"), "array.rows");
        assert_eq!(nearest("array.adc.bts"), "array.adc.bits");
        assert_eq!(nearest("arry"), "array");
        assert_eq!(nearest("energy.adc"), "energy.adc_conversion");
    }

    #[test]
    fn catalogue_is_well_formed() {
        for (i, k) in KEYS.iter().enumerate() {
            let p = parent(k.path);
            if !p.is_empty() {
                let pi = KEYS.iter().position(|t| t.path == p).expect(k.path);
                assert!(pi < i, "{} listed before its table", k.path);
                assert_eq!(KEYS[pi].ty, KeyType::Table);
            }
            assert_eq!(KEYS.iter().filter(|t| t.path == k.path).count(), 1);
            if let Some(d) = k.default {
                let v: toml::Table = toml::from_str(&format!("v = {d}")).unwrap();
                assert_eq!(k.ty.check(&v["v"]), Ok(()), "{}", k.path);
            }
        }
    }

    #[test]
    fn type_checks() {
        let v = |s: &str| -> Value {
            toml::from_str::<toml::Table>(&format!("v = {s}")).unwrap()["v"].clone()
        };
        assert_eq!(U32.check(&v("5")), Ok(()));
        assert_eq!(
            U32.check(&v("\"abc\"")),
            Err(Mismatch::Type {
                expected: "an integer".into(),
                found: "string \"abc\"".into()
            })
        );
        assert_eq!(
            U32.check(&v("-1")),
            Err(Mismatch::Value {
                reason: "must not be negative".into()
            })
        );
        assert_eq!(
            U32.check(&v("4294967296")),
            Err(Mismatch::Value {
                reason: "must be at most 4294967295".into()
            })
        );
        assert_eq!(KeyType::Float.check(&v("3")), Ok(()));
        assert_eq!(U32_LIST.check(&v("[2, 4]")), Ok(()));
        assert!(matches!(
            U32_LIST.check(&v("[2, \"x\"]")),
            Err(Mismatch::Type { .. })
        ));
        assert!(matches!(
            KeyType::Enum(ENCODINGS).check(&v("\"diff\"")),
            Err(Mismatch::Value { .. })
        ));
    }
}
