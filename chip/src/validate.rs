//! Validation: values that are well-typed but impossible for a chip.
//!
//! [`Target::validate`] runs in every constructor. Its errors name the
//! offending key and value; the constructors add where the key came from.

use toml::Value;

use crate::error::{Origin, TargetError};
use crate::schema::AdcRange;
use crate::Target;

/// Shorthand for an [`TargetError::InvalidValue`] without origin.
fn invalid(key: &str, value: impl Into<String>, reason: impl Into<String>) -> TargetError {
    TargetError::InvalidValue {
        at: Origin::None,
        key: key.to_string(),
        value: value.into(),
        reason: reason.into(),
    }
}

/// A float as TOML writes it.
fn float(x: f64) -> String {
    Value::Float(x).to_string()
}

/// Checks that an integer lies in `lo..=hi`; `hi_name` names the bound when it
/// comes from another key.
fn in_range(key: &str, v: u64, lo: u64, hi: u64, hi_name: Option<&str>) -> Result<(), TargetError> {
    if (lo..=hi).contains(&v) {
        return Ok(());
    }
    let reason = match (hi_name, hi == u64::MAX) {
        (_, true) => format!("must be at least {lo}"),
        (Some(name), _) => format!("must be between {lo} and {name} ({hi})"),
        (None, _) => format!("must be between {lo} and {hi}"),
    };
    Err(invalid(key, v.to_string(), reason))
}

fn at_least_one(key: &str, v: u64) -> Result<(), TargetError> {
    in_range(key, v, 1, u64::MAX, None)
}

/// Checks that a float is finite and ≥ 0.
fn non_negative(key: &str, x: f64) -> Result<(), TargetError> {
    if x.is_finite() && x >= 0.0 {
        Ok(())
    } else {
        Err(invalid(key, float(x), "must be a finite number ≥ 0"))
    }
}

/// Checks that a float is a probability.
fn probability(key: &str, x: f64) -> Result<(), TargetError> {
    if (0.0..=1.0).contains(&x) {
        Ok(())
    } else {
        Err(invalid(key, float(x), "must be a probability in [0, 1]"))
    }
}

impl Target {
    /// Rejects impossible values; the first one found (in key order) is
    /// reported, naming its dotted key.
    pub fn validate(&self) -> Result<(), TargetError> {
        if self.name.trim().is_empty() {
            return Err(invalid(
                "name",
                format!("{:?}", self.name),
                "must not be empty",
            ));
        }
        if !(self.clock_mhz.is_finite() && self.clock_mhz > 0.0) {
            return Err(invalid(
                "clock_mhz",
                float(self.clock_mhz),
                "must be a finite number > 0",
            ));
        }
        at_least_one("chip.cores", self.chip.cores.into())?;
        at_least_one("core.macros", self.core.macros.into())?;
        at_least_one("macro.arrays", self.macro_.arrays.into())?;

        let a = &self.array;
        at_least_one("array.rows", a.rows.into())?;
        at_least_one("array.cols", a.cols.into())?;
        in_range(
            "array.max_active_rows",
            a.max_active_rows.into(),
            1,
            a.rows.into(),
            Some("array.rows"),
        )?;
        in_range("array.cell_bits", a.cell_bits.into(), 1, 8, None)?;
        if a.weight_bits.is_empty() {
            return Err(invalid(
                "array.weight_bits",
                "[]",
                "must list at least one weight bit width",
            ));
        }
        let list = Value::Array(
            a.weight_bits
                .iter()
                .map(|&b| Value::Integer(b.into()))
                .collect(),
        )
        .to_string();
        for (i, &b) in a.weight_bits.iter().enumerate() {
            if !(1..=16).contains(&b) {
                return Err(invalid(
                    "array.weight_bits",
                    list,
                    format!("width {b} is not between 1 and 16"),
                ));
            }
            if a.weight_bits[..i].contains(&b) {
                return Err(invalid(
                    "array.weight_bits",
                    list,
                    format!("lists {b} twice"),
                ));
            }
        }
        in_range("array.dac_bits", a.dac_bits.into(), 1, 8, None)?;
        if a.adc.range == AdcRange::None {
            let why = "must be 0 when array.adc.range = \"none\" (a digital macro has no ADC)";
            if a.adc.bits != 0 {
                return Err(invalid("array.adc.bits", a.adc.bits.to_string(), why));
            }
            if a.adc.per_array != 0 {
                return Err(invalid(
                    "array.adc.per_array",
                    a.adc.per_array.to_string(),
                    why,
                ));
            }
        } else {
            if !(1..=24).contains(&a.adc.bits) {
                return Err(invalid(
                    "array.adc.bits",
                    a.adc.bits.to_string(),
                    format!(
                        "must be between 1 and 24 (0 only with array.adc.range = \"none\"; here \"{}\")",
                        a.adc.range.as_str()
                    ),
                ));
            }
            in_range(
                "array.adc.per_array",
                a.adc.per_array.into(),
                1,
                a.cols.into(),
                Some("array.cols"),
            )?;
        }
        let widest = a.weight_bits.iter().copied().max().unwrap_or(1);
        let columns = self.columns_per_weight(widest);
        if columns > a.cols {
            return Err(invalid(
                "array.weight_bits",
                list,
                format!(
                    "{widest}-bit weights need {columns} columns ({} slices of {} bits{}) but array.cols = {}",
                    self.slices(widest),
                    a.cell_bits,
                    if columns > self.slices(widest) { ", 2 columns each for differential" } else { "" },
                    a.cols
                ),
            ));
        }
        let chip = u64::from(self.chip.cores) * u64::from(self.core.macros);
        if chip.checked_mul(self.macro_.arrays.into()).is_none() {
            return Err(invalid(
                "macro.arrays",
                self.macro_.arrays.to_string(),
                "chip.cores × core.macros × macro.arrays does not fit in 64 bits",
            ));
        }

        at_least_one("latency.array_step", self.latency.array_step)?;
        at_least_one("buffer.input_kib", self.buffer.input_kib.into())?;
        at_least_one("buffer.output_kib", self.buffer.output_kib.into())?;
        at_least_one(
            "buffer.bandwidth_bytes_per_cycle",
            self.buffer.bandwidth_bytes_per_cycle.into(),
        )?;
        at_least_one(
            "interconnect.core_bandwidth_bytes_per_cycle",
            self.interconnect.core_bandwidth_bytes_per_cycle.into(),
        )?;

        let e = &self.energy;
        for (key, x) in [
            ("energy.array_step_per_row", e.array_step_per_row),
            ("energy.adc_conversion", e.adc_conversion),
            ("energy.dac_per_row", e.dac_per_row),
            ("energy.shift_add", e.shift_add),
            ("energy.buffer_access_per_byte", e.buffer_access_per_byte),
            ("energy.program_cell", e.program_cell),
            ("energy.host_op_per_element", e.host_op_per_element),
            ("energy.network_per_byte_hop", e.network_per_byte_hop),
            ("vector.pj_per_element", self.vector.pj_per_element),
            ("global_memory.pj_per_byte", self.global_memory.pj_per_byte),
            ("host.cycles_per_element", self.host.cycles_per_element),
            ("area.array", self.area.array),
            ("area.adc", self.area.adc),
            ("area.macro_periphery", self.area.macro_periphery),
            ("area.core", self.area.core),
        ] {
            non_negative(key, x)?;
        }

        let n = &self.non_idealities;
        non_negative("non_idealities.programming_sigma", n.programming_sigma)?;
        non_negative("non_idealities.read_noise_sigma", n.read_noise_sigma)?;
        non_negative("non_idealities.drift_nu", n.drift_nu)?;
        non_negative("non_idealities.drift_nu_sigma", n.drift_nu_sigma)?;
        if !(n.drift_t0_s.is_finite() && n.drift_t0_s > 0.0) {
            return Err(invalid(
                "non_idealities.drift_t0_s",
                float(n.drift_t0_s),
                "must be a finite number > 0",
            ));
        }
        if !(n.drift_t_s.is_finite() && n.drift_t_s >= n.drift_t0_s) {
            return Err(invalid(
                "non_idealities.drift_t_s",
                float(n.drift_t_s),
                format!(
                    "must be a finite number ≥ non_idealities.drift_t0_s ({})",
                    float(n.drift_t0_s)
                ),
            ));
        }
        probability("non_idealities.stuck_at_on_rate", n.stuck_at_on_rate)?;
        probability("non_idealities.stuck_at_off_rate", n.stuck_at_off_rate)?;
        if n.stuck_at_on_rate + n.stuck_at_off_rate > 1.0 {
            return Err(invalid(
                "non_idealities.stuck_at_off_rate",
                float(n.stuck_at_off_rate),
                format!(
                    "plus non_idealities.stuck_at_on_rate ({}) exceeds 1",
                    float(n.stuck_at_on_rate)
                ),
            ));
        }
        if !n.adc_offset_lsb.is_finite() {
            return Err(invalid(
                "non_idealities.adc_offset_lsb",
                float(n.adc_offset_lsb),
                "must be finite",
            ));
        }
        if !(n.adc_gain_error.is_finite() && n.adc_gain_error > -1.0) {
            return Err(invalid(
                "non_idealities.adc_gain_error",
                float(n.adc_gain_error),
                "must be a finite number > −1",
            ));
        }
        if self.array.adc.range == AdcRange::None {
            for (key, x) in [
                ("non_idealities.adc_offset_lsb", n.adc_offset_lsb),
                ("non_idealities.adc_gain_error", n.adc_gain_error),
            ] {
                if x != 0.0 {
                    return Err(invalid(
                        key,
                        float(x),
                        "the chip has no ADC (array.adc.range = \"none\")",
                    ));
                }
            }
        }
        at_least_one("vector.lanes", self.vector.lanes.into())?;
        at_least_one(
            "global_memory.bandwidth_bytes_per_cycle",
            self.global_memory.bandwidth_bytes_per_cycle.into(),
        )?;
        at_least_one(
            "replication.max_replicas",
            self.replication.max_replicas.into(),
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::Target;

    fn isaac() -> Target {
        Target::preset("isaac").unwrap()
    }

    fn message(t: &Target) -> String {
        t.validate().unwrap_err().to_string()
    }

    #[test]
    fn impossible_values_are_rejected_with_their_key() {
        let mut t = isaac();
        t.array.rows = 0;
        assert_eq!(message(&t), "`array.rows` = 0: must be at least 1");

        let mut t = isaac();
        t.array.max_active_rows = 129;
        assert_eq!(
            message(&t),
            "`array.max_active_rows` = 129: must be between 1 and array.rows (128)"
        );

        let mut t = isaac();
        t.chip.cores = 0;
        assert_eq!(message(&t), "`chip.cores` = 0: must be at least 1");

        let mut t = isaac();
        t.array.cell_bits = 9;
        assert_eq!(
            message(&t),
            "`array.cell_bits` = 9: must be between 1 and 8"
        );

        let mut t = isaac();
        t.array.dac_bits = 0;
        assert_eq!(message(&t), "`array.dac_bits` = 0: must be between 1 and 8");

        let mut t = isaac();
        t.array.adc.bits = 0;
        assert_eq!(
            message(&t),
            "`array.adc.bits` = 0: must be between 1 and 24 (0 only with array.adc.range = \"none\"; here \"full-scale\")"
        );

        let mut t = isaac();
        t.array.adc.bits = 25;
        assert!(message(&t).starts_with("`array.adc.bits` = 25: must be between 1 and 24"));

        let mut t = isaac();
        t.array.adc.per_array = 129;
        assert_eq!(
            message(&t),
            "`array.adc.per_array` = 129: must be between 1 and array.cols (128)"
        );

        let mut t = isaac();
        t.array.weight_bits = vec![];
        assert_eq!(
            message(&t),
            "`array.weight_bits` = []: must list at least one weight bit width"
        );

        let mut t = isaac();
        t.array.weight_bits = vec![8, 17];
        assert_eq!(
            message(&t),
            "`array.weight_bits` = [8, 17]: width 17 is not between 1 and 16"
        );

        let mut t = isaac();
        t.array.weight_bits = vec![8, 8];
        assert_eq!(message(&t), "`array.weight_bits` = [8, 8]: lists 8 twice");

        let mut t = isaac();
        t.energy.adc_conversion = -1.0;
        assert_eq!(
            message(&t),
            "`energy.adc_conversion` = -1.0: must be a finite number ≥ 0"
        );

        let mut t = isaac();
        t.area.core = f64::NAN;
        assert_eq!(
            message(&t),
            "`area.core` = nan: must be a finite number ≥ 0"
        );

        let mut t = isaac();
        t.clock_mhz = 0.0;
        assert_eq!(
            message(&t),
            "`clock_mhz` = 0.0: must be a finite number > 0"
        );

        let mut t = isaac();
        t.latency.array_step = 0;
        assert_eq!(message(&t), "`latency.array_step` = 0: must be at least 1");

        let mut t = isaac();
        t.non_idealities.stuck_at_on_rate = 1.5;
        assert_eq!(
            message(&t),
            "`non_idealities.stuck_at_on_rate` = 1.5: must be a probability in [0, 1]"
        );

        let mut t = isaac();
        t.non_idealities.stuck_at_on_rate = 0.6;
        t.non_idealities.stuck_at_off_rate = 0.6;
        assert_eq!(
            message(&t),
            "`non_idealities.stuck_at_off_rate` = 0.6: plus non_idealities.stuck_at_on_rate (0.6) exceeds 1"
        );

        let mut t = isaac();
        t.non_idealities.drift_t_s = 0.5;
        assert!(
            message(&t).starts_with("`non_idealities.drift_t_s` = 0.5: must be a finite number ≥")
        );

        let mut t = isaac();
        t.replication.max_replicas = 0;
        assert_eq!(
            message(&t),
            "`replication.max_replicas` = 0: must be at least 1"
        );
    }

    #[test]
    fn cross_field_rules() {
        // A weight that cannot fit in one array row.
        let mut t = isaac();
        t.array.cols = 2;
        t.array.adc.per_array = 1;
        assert_eq!(
            message(&t),
            "`array.weight_bits` = [8]: 8-bit weights need 4 columns (4 slices of 2 bits) but array.cols = 2"
        );
        let mut t = isaac();
        t.array.encoding = crate::Encoding::Differential;
        t.array.cols = 4;
        t.array.adc.per_array = 1;
        assert_eq!(
            message(&t),
            "`array.weight_bits` = [8]: 8-bit weights need 8 columns (4 slices of 2 bits, 2 columns each for differential) but array.cols = 4"
        );

        // A digital macro must not declare an ADC.
        let mut t = Target::preset("sram-digital").unwrap();
        t.array.adc.bits = 8;
        assert_eq!(
            message(&t),
            "`array.adc.bits` = 8: must be 0 when array.adc.range = \"none\" (a digital macro has no ADC)"
        );

        // weight_bits below cell_bits is allowed.
        let mut t = isaac();
        t.array.weight_bits = vec![1, 8];
        assert!(t.validate().is_ok());
    }
}
