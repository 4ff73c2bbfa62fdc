//! The digital side of the chip: what an integer op between crossbar layers
//! costs on a core's vector unit (`[vector]`), and on the host processor
//! when no unit of the chip can run it (`[host]`).
//!
//! A vector op of e elements on one core takes ⌈e / lanes⌉ × the class's
//! cycles and e × `vector.pj_per_element` pJ; spread over k cores, each
//! takes ⌈e / k⌉ of the elements. A host op takes ⌈e ×
//! `host.cycles_per_element`⌉ cycles and e × `energy.host_op_per_element`.

use crate::Target;

/// What kind of work an op between crossbar layers is: the unit that runs
/// it and its cycles per element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OpClass {
    /// Requantization (`tosa.rescale`).
    Requantize,
    /// Clamp or activation function.
    Activation,
    /// Pooling (counted per input element of the windows).
    Pool,
    /// Elementwise binary op (residual add, multiply).
    Elementwise,
    /// Data movement: concatenation, slice, pad, transpose, cast.
    Copy,
    /// No unit of the chip runs it: the host processor does.
    Host,
}

impl OpClass {
    /// Every class, in ABI order (`OpClass::code`).
    pub const ALL: [OpClass; 6] = [
        OpClass::Requantize,
        OpClass::Activation,
        OpClass::Pool,
        OpClass::Elementwise,
        OpClass::Copy,
        OpClass::Host,
    ];

    /// The name reports and traces use.
    pub fn as_str(self) -> &'static str {
        match self {
            OpClass::Requantize => "requantize",
            OpClass::Activation => "activation",
            OpClass::Pool => "pool",
            OpClass::Elementwise => "elementwise",
            OpClass::Copy => "copy",
            OpClass::Host => "host",
        }
    }

    /// The class's number in the runtime ABI (`CIMC_RT_OP_*`).
    pub fn code(self) -> u32 {
        OpClass::ALL.iter().position(|c| *c == self).unwrap_or(5) as u32
    }

    /// The class of an ABI number.
    pub fn from_code(code: u32) -> Option<OpClass> {
        OpClass::ALL.get(code as usize).copied()
    }

    /// Whether a core's vector unit runs it.
    pub fn on_chip(self) -> bool {
        self != OpClass::Host
    }
}

/// Cycles per `lanes` elements of a class on the target's vector unit
/// (`None` for [`OpClass::Host`]).
pub fn class_cycles(target: &Target, class: OpClass) -> Option<u64> {
    let v = &target.vector;
    Some(match class {
        OpClass::Requantize => v.requantize_cycles,
        OpClass::Activation => v.activation_cycles,
        OpClass::Pool => v.pool_cycles,
        OpClass::Elementwise => v.elementwise_cycles,
        OpClass::Copy => v.copy_cycles,
        OpClass::Host => return None,
    })
}

/// Cycles and pJ of `elements` elements of an on-chip class on one core's
/// vector unit; for [`OpClass::Host`], of the host op ([`host_op`]).
pub fn vector_op(target: &Target, class: OpClass, elements: u64) -> (u64, f64) {
    match class_cycles(target, class) {
        Some(per) => {
            let lanes = u64::from(target.vector.lanes.max(1));
            (
                elements.div_ceil(lanes).saturating_mul(per),
                elements as f64 * target.vector.pj_per_element,
            )
        }
        None => host_op(target, elements),
    }
}

/// The cycles of the slowest core when `elements` of a class are spread
/// evenly over `cores` cores (≥ 1).
pub fn spread_cycles(target: &Target, class: OpClass, elements: u64, cores: u64) -> u64 {
    vector_op(target, class, elements.div_ceil(cores.max(1))).0
}

/// Cycles and pJ of a host op of `elements` elements.
pub fn host_op(target: &Target, elements: u64) -> (u64, f64) {
    let cycles = (elements as f64 * target.host.cycles_per_element).ceil();
    let cycles = if cycles >= u64::MAX as f64 {
        u64::MAX
    } else {
        cycles as u64
    };
    (cycles, elements as f64 * target.energy.host_op_per_element)
}
