//! `cim` attributes on ops of other dialects: a crossbar layer's name on its
//! TOSA op, the schedule's mode on a function, the calibrated ADC ranges on
//! the module.

use std::collections::BTreeMap;

use super::attrs::{ADC_SHIFTS, LAYER_NAME, SCHEDULE};
use super::check;
use crate::builder::str_attr;
use crate::handle::{AttrRef, OpRef};
use mlir_sys as sys;

/// The stable name of the crossbar layer `op` (a TOSA op), if named.
pub fn layer_name(op: sys::MlirOperation) -> Option<String> {
    check::string(op, LAYER_NAME)
}

pub fn set_layer_name(op: sys::MlirOperation, name: &str) {
    check::set(op, LAYER_NAME, str_attr(check::context(op), name));
}

/// How the stages of `func`'s schedule follow each other, once scheduled.
pub fn schedule(func: sys::MlirOperation) -> Option<String> {
    check::string(func, SCHEDULE)
}

pub fn set_schedule(func: sys::MlirOperation, mode: &str) {
    check::set(func, SCHEDULE, str_attr(check::context(func), mode));
}

/// The calibrated ADC range of each layer, `cim.adc_shifts = {layer = k}`
/// on `module` (empty when absent). Errors: not a dictionary of integers
/// in 0..=30, with the offending entry.
pub fn adc_shifts(module: sys::MlirOperation) -> Result<BTreeMap<String, u32>, String> {
    let Some(attr) = OpRef::new(module).and_then(|m| m.attribute(ADC_SHIFTS)) else {
        return Ok(BTreeMap::new());
    };
    let entries = attr
        .as_dict()
        .ok_or_else(|| format!("'{ADC_SHIFTS}' must be a dictionary of layer = shift"))?;
    entries
        .into_iter()
        .map(|(layer, value)| match value.as_int() {
            Some(k) if (0..=30).contains(&k) => Ok((layer, k as u32)),
            _ => Err(format!(
                "'{ADC_SHIFTS}': layer '{layer}' must map to an integer in 0..=30"
            )),
        })
        .collect()
}

pub fn set_adc_shifts(module: sys::MlirOperation, shifts: &BTreeMap<String, u32>) {
    let context = check::context(module);
    let entries: Vec<(&str, AttrRef)> = shifts
        .iter()
        .map(|(layer, &k)| (layer.as_str(), AttrRef::i64(context, i64::from(k))))
        .collect();
    check::set(module, ADC_SHIFTS, AttrRef::dict(context, &entries).raw());
}
