//! Which unit of the chip runs an op between crossbar layers: the class
//! (`cimc_target::cost::OpClass`) `cim-lower-to-runtime` issues it with
//! and `cim-replicate`'s stage model charges.
//! An op no class names runs on the host, and the trace and the stats say
//! so (`host_ops`).

use cimc_target::cost::OpClass;

/// The class of an op by name.
pub fn of(name: &str) -> OpClass {
    match name {
        "tosa.rescale" | "tosa.apply_scale" => OpClass::Requantize,
        "tosa.clamp" | "tosa.sigmoid" | "tosa.tanh" | "tosa.erf" | "tosa.table" | "tosa.abs"
        | "tosa.negate" => OpClass::Activation,
        "tosa.max_pool2d" | "tosa.avg_pool2d" | "tosa.reduce_sum" | "tosa.reduce_max"
        | "tosa.reduce_min" => OpClass::Pool,
        "tosa.add"
        | "tosa.sub"
        | "tosa.mul"
        | "tosa.maximum"
        | "tosa.minimum"
        | "tosa.arithmetic_right_shift"
        | "tosa.logical_left_shift"
        | "tosa.logical_right_shift"
        | "tosa.bitwise_and"
        | "tosa.bitwise_or"
        | "tosa.bitwise_xor"
        | "tosa.select"
        | "tosa.equal"
        | "tosa.greater"
        | "tosa.greater_equal"
        | "cim.accumulate"
        | "cim.shift_add" => OpClass::Elementwise,
        "tosa.concat" | "tosa.slice" | "tosa.pad" | "tosa.transpose" | "tosa.tile"
        | "tosa.cast" | "tosa.identity" | "tosa.reverse" => OpClass::Copy,
        _ => OpClass::Host,
    }
}
