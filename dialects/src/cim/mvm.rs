//! `cim.mvm`: bit-serial matrix-vector products against a tile, read through
//! an ADC; carries its schedule (cim-schedule) as discardable attributes.

use super::attrs::{
    ADC_BITS, ADC_SHIFT, DAC_BITS, INPUT_BITS, LAYER, MAX_ACTIVE_ROWS, STAGE, STEPS,
};
use super::check::{self, operand_shape, Check};
use super::{MalformedOp, Program};
use crate::builder::i64_attr;
use crate::Builder;
use mlir_sys as sys;

/// The attributes of a `cim.mvm`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MvmAttrs {
    /// Bits per input element (B).
    pub input_bits: u32,
    /// Input bits per read step (d).
    pub dac_bits: u32,
    /// ADC resolution (a); 0: no ADC, a digital adder tree.
    pub adc_bits: u32,
    /// One ADC LSB is 2^k column-sum units (`cim.adc_shift`, 0..=30;
    /// 0 when absent).
    pub adc_shift: u32,
    /// Rows driven in one read step (A).
    pub max_active_rows: u32,
    pub layer: String,
}

/// A checked `cim.mvm`: `(!cim.tile, tensor<NxR>) -> tensor<NxCxi32>`, whose
/// tile comes from a checked `cim.program`.
#[derive(Debug, Clone)]
pub struct Mvm {
    op: sys::MlirOperation,
    tile: Program,
    attrs: MvmAttrs,
}

impl Mvm {
    pub const NAME: &'static str = "cim.mvm";
    /// The attributes `cim.irdl.mlir` declares, all set by [`Mvm::build`].
    pub const ATTRIBUTES: &'static [&'static str] =
        &[INPUT_BITS, DAC_BITS, ADC_BITS, MAX_ACTIVE_ROWS, LAYER];
    /// The discardable attributes passes add, each with its setter.
    pub const DISCARDABLE: &'static [&'static str] = &[ADC_SHIFT, STAGE, STEPS];

    /// Checks the op and the `cim.program` its tile comes from (an error at
    /// the program when that program is malformed).
    pub fn from_op(op: sys::MlirOperation) -> Result<Self, MalformedOp> {
        let check = Check::new(op, Self::NAME)?;
        check.operands(2)?;
        check.results(1)?;
        let producer = crate::handle::ValueRef::new(check::operand(op, 0))
            .and_then(crate::handle::ValueRef::producer)
            .map(crate::handle::OpRef::raw)
            .filter(|producer| super::error::op_name(*producer) == Program::NAME)
            .ok_or_else(|| {
                check.fail(format!(
                    "operand #0 ('tile') must be the result of a '{}'",
                    Program::NAME
                ))
            })?;
        let tile = Program::from_op(producer)?;
        check.tensor(1, "input", 2)?;
        let attrs = MvmAttrs {
            input_bits: check.width(INPUT_BITS)?,
            dac_bits: check.width(DAC_BITS)?,
            adc_bits: check.width(ADC_BITS)?,
            adc_shift: check.optional_width(ADC_SHIFT)?.unwrap_or(0),
            max_active_rows: check.width(MAX_ACTIVE_ROWS)?,
            layer: check.string(LAYER)?,
        };
        if attrs.adc_shift > 30 {
            return Err(check.fail(format!(
                "attribute '{ADC_SHIFT}' must be in 0..=30, got {}",
                attrs.adc_shift
            )));
        }
        check.optional_int(STAGE)?;
        check.optional_int(STEPS)?;
        Ok(Mvm { op, tile, attrs })
    }

    /// Inserts a `cim.mvm` reading `tile` with `input`, of result type
    /// `output`.
    pub fn build(
        at: &Builder,
        tile: &Program,
        input: sys::MlirValue,
        output: sys::MlirType,
        attrs: &MvmAttrs,
    ) -> Self {
        let op = at.create(
            Self::NAME,
            &[tile.result(), input],
            &[output],
            &[
                (INPUT_BITS, at.i64_attr(i64::from(attrs.input_bits))),
                (DAC_BITS, at.i64_attr(i64::from(attrs.dac_bits))),
                (ADC_BITS, at.i64_attr(i64::from(attrs.adc_bits))),
                (
                    MAX_ACTIVE_ROWS,
                    at.i64_attr(i64::from(attrs.max_active_rows)),
                ),
                (LAYER, at.str_attr(&attrs.layer)),
            ],
        );
        if attrs.adc_shift > 0 {
            check::set(op, ADC_SHIFT, at.i64_attr(i64::from(attrs.adc_shift)));
        }
        Mvm {
            op,
            tile: tile.clone(),
            attrs: attrs.clone(),
        }
    }

    pub fn op(&self) -> sys::MlirOperation {
        self.op
    }

    pub fn attrs(&self) -> &MvmAttrs {
        &self.attrs
    }

    /// The `cim.program` whose tile this reads.
    pub fn tile(&self) -> &Program {
        &self.tile
    }

    pub fn input(&self) -> sys::MlirValue {
        check::operand(self.op, 1)
    }

    /// `[N, R]`: N input vectors of R elements.
    pub fn input_shape(&self) -> [i64; 2] {
        operand_shape(self.op, 1)
    }

    pub fn result(&self) -> sys::MlirValue {
        check::result(self.op, 0)
    }

    pub fn input_bits(&self) -> u32 {
        self.attrs.input_bits
    }

    pub fn dac_bits(&self) -> u32 {
        self.attrs.dac_bits
    }

    pub fn adc_bits(&self) -> u32 {
        self.attrs.adc_bits
    }

    pub fn max_active_rows(&self) -> u32 {
        self.attrs.max_active_rows
    }

    /// k: one ADC LSB is 2^k column-sum units.
    pub fn adc_shift(&self) -> u32 {
        self.attrs.adc_shift
    }

    /// Sets the ADC's range: one LSB of 2^k sum units (0 removes the attribute).
    pub fn set_adc_shift(&mut self, k: u32) {
        self.attrs.adc_shift = k;
        if k == 0 {
            check::remove(self.op, ADC_SHIFT);
        } else {
            check::set(
                self.op,
                ADC_SHIFT,
                i64_attr(check::context(self.op), i64::from(k)),
            );
        }
    }

    pub fn layer(&self) -> &str {
        &self.attrs.layer
    }

    // Discardable: `None` until cim-schedule has run.

    /// The stage of the schedule.
    pub fn stage(&self) -> Option<i64> {
        check::int(self.op, STAGE)
    }

    pub fn set_stage(&self, stage: i64) {
        check::set(self.op, STAGE, i64_attr(check::context(self.op), stage));
    }

    /// The array read steps.
    pub fn steps(&self) -> Option<i64> {
        check::int(self.op, STEPS)
    }

    pub fn set_steps(&self, steps: i64) {
        check::set(self.op, STEPS, i64_attr(check::context(self.op), steps));
    }
}
