//! `cim` attributes on ops of other dialects: a crossbar layer's name on its
//! TOSA op, the schedule's mode on a function.

use super::attrs::{LAYER_NAME, SCHEDULE};
use super::check;
use crate::builder::str_attr;
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
