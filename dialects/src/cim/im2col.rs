//! `cim.im2col`: unfolds convolution windows into matrix rows (a host op).

use super::attrs::{CHANNEL_MAJOR, DILATION, KERNEL, PAD, PAD_VALUE, STRIDE};
use super::check::{self, operand_shape, Check};
use super::MalformedOp;
use crate::Builder;
use mlir_sys as sys;

/// The attributes of a `cim.im2col`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Im2colAttrs {
    /// Kernel height and width.
    pub kernel: [i64; 2],
    pub stride: [i64; 2],
    pub dilation: [i64; 2],
    /// Top, bottom, left, right.
    pub pad: [i64; 4],
    /// What padded positions hold (the input zero point).
    pub pad_value: i64,
    /// Each channel's window contiguous (depthwise blocks).
    pub channel_major: bool,
}

/// A checked `cim.im2col`: `(tensor<NxHxWxC>) -> tensor<(N·OH·OW)x(KH·KW·C)>`.
#[derive(Debug, Clone)]
pub struct Im2col {
    op: sys::MlirOperation,
    attrs: Im2colAttrs,
}

impl Im2col {
    pub const NAME: &'static str = "cim.im2col";
    /// The attributes `cim.irdl.mlir` declares, all set by [`Im2col::build`].
    pub const ATTRIBUTES: &'static [&'static str] =
        &[KERNEL, STRIDE, DILATION, PAD, PAD_VALUE, CHANNEL_MAJOR];

    pub fn from_op(op: sys::MlirOperation) -> Result<Self, MalformedOp> {
        let check = Check::new(op, Self::NAME)?;
        check.operands(1)?;
        check.results(1)?;
        check.tensor(0, "input", 4)?;
        let attrs = Im2colAttrs {
            kernel: check.i64s(KERNEL)?,
            stride: check.i64s(STRIDE)?,
            dilation: check.i64s(DILATION)?,
            pad: check.i64s(PAD)?,
            pad_value: check.int(PAD_VALUE)?,
            channel_major: check.flag(CHANNEL_MAJOR)?,
        };
        Ok(Im2col { op, attrs })
    }

    /// Inserts a `cim.im2col` of `input` with result type `output`.
    pub fn build(
        at: &Builder,
        input: sys::MlirValue,
        output: sys::MlirType,
        attrs: &Im2colAttrs,
    ) -> Self {
        let op = at.create(
            Self::NAME,
            &[input],
            &[output],
            &[
                (KERNEL, at.i64_array(&attrs.kernel)),
                (STRIDE, at.i64_array(&attrs.stride)),
                (DILATION, at.i64_array(&attrs.dilation)),
                (PAD, at.i64_array(&attrs.pad)),
                (PAD_VALUE, at.i64_attr(attrs.pad_value)),
                (CHANNEL_MAJOR, at.bool_attr(attrs.channel_major)),
            ],
        );
        Im2col {
            op,
            attrs: attrs.clone(),
        }
    }

    pub fn op(&self) -> sys::MlirOperation {
        self.op
    }

    pub fn attrs(&self) -> &Im2colAttrs {
        &self.attrs
    }

    pub fn input(&self) -> sys::MlirValue {
        check::operand(self.op, 0)
    }

    /// `[N, H, W, C]`.
    pub fn input_shape(&self) -> [i64; 4] {
        operand_shape(self.op, 0)
    }

    pub fn result(&self) -> sys::MlirValue {
        check::result(self.op, 0)
    }

    pub fn kernel(&self) -> [i64; 2] {
        self.attrs.kernel
    }

    pub fn stride(&self) -> [i64; 2] {
        self.attrs.stride
    }

    pub fn dilation(&self) -> [i64; 2] {
        self.attrs.dilation
    }

    pub fn pad(&self) -> [i64; 4] {
        self.attrs.pad
    }

    pub fn pad_value(&self) -> i64 {
        self.attrs.pad_value
    }

    pub fn channel_major(&self) -> bool {
        self.attrs.channel_major
    }
}
