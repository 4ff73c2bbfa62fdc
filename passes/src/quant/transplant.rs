//! What a weight pass (AdaRound, bias correction) gave each weighted layer,
//! carried into another copy of the model: the quantization report compares
//! fake-quantized variants of the calibrated float model, and a variant
//! that quantizes a layer's weights takes the weights, bias and grid
//! attributes the weight pass chose for that layer.

use crate::emit::{self, Emitter};
use crate::ir::single_user;
use crate::quant::fake_quant::{self, Layer};
use crate::quant::grid::ActChoice;
use crate::quant::options::{
    PER_CHANNEL_ATTR, WEIGHT_BITS_ATTR, WEIGHT_SCALE_ATTR, WEIGHT_SYMMETRIC_ATTR,
    WEIGHT_ZERO_POINT_ATTR,
};
use crate::raw::{op_name, RawOp, RawValue};
use cimc_dialects::handle::{AttrRef, OpRef, ValueRef};
use mlir_sys as sys;

/// A constant operand's shape and values.
type Constant = (Vec<i64>, Vec<f32>);

/// The weights, bias and grid attributes a weight pass (AdaRound, bias
/// correction) gave one weighted op.
pub struct Transplant {
    weight: Constant,
    /// A convolution's bias operand.
    bias: Option<Constant>,
    /// A matmul's bias: the constant operand of the tosa.add using it.
    add: Option<(isize, Constant)>,
    attrs: Vec<(&'static str, sys::MlirAttribute)>,
}

fn constant(value: RawValue) -> Option<Constant> {
    let (shape, _) = emit::tensor_info(value)?;
    Some((shape, emit::const_floats(value)?))
}

/// The tosa.add after a matmul and the index of its constant operand.
fn bias_add(op: RawOp) -> Option<(RawOp, isize)> {
    let add = single_user(emit::result_of(op, 0)).filter(|u| op_name(*u) == "tosa.add")?;
    let index = (0..2).find(|i| emit::const_floats(emit::operand(add, *i)).is_some())?;
    Some((add, index))
}

const GRID_ATTRS: [&str; 5] = [
    WEIGHT_SCALE_ATTR,
    WEIGHT_ZERO_POINT_ATTR,
    WEIGHT_BITS_ATTR,
    PER_CHANNEL_ATTR,
    WEIGHT_SYMMETRIC_ATTR,
];

impl Transplant {
    fn of(op: RawOp) -> Option<Transplant> {
        let matmul = op_name(op) == "tosa.matmul";
        let attrs = GRID_ATTRS
            .iter()
            .filter_map(|name| crate::raw::attr(op, name).map(|attr| (*name, attr)))
            .collect();
        Some(Transplant {
            weight: constant(emit::operand(op, 1))?,
            bias: (!matmul).then(|| constant(emit::operand(op, 2))).flatten(),
            add: bias_add(op)
                .filter(|_| matmul)
                .and_then(|(add, i)| Some((i, constant(emit::operand(add, i))?))),
            attrs,
        })
    }

    /// Gives `op` (the same layer in another copy of the model) these
    /// weights, bias and attributes.
    pub fn apply(&self, op: RawOp) {
        let set = |at_op: RawOp, index: isize, (shape, values): &Constant| {
            let at = Emitter::before(at_op);
            let ty = at.tensor(shape, "f32");
            let attr = AttrRef::dense_f32(ty, values).raw();
            let c = at.value("tosa.const", &[], ty, &[("values", attr)]);
            if let (Some(target), Some(c)) = (OpRef::new(at_op), ValueRef::new(c)) {
                target.set_operand(index as usize, c);
            }
        };
        set(op, 1, &self.weight);
        if let Some(bias) = &self.bias {
            set(op, 2, bias);
        }
        if let (Some((index, bias)), Some((add, _))) = (&self.add, bias_add(op)) {
            set(add, *index, bias);
        }
        for (name, attr) in &self.attrs {
            emit::set_attr(op, name, *attr);
        }
    }
}

/// What the weight pass left on each weighted layer of `rewritten`, matched
/// to `layers` (of the float model) by position: weight passes replace
/// constants, which moves the indices that name unnamed layers.
pub fn transplants(
    layers: &[Layer],
    rewritten: RawOp,
    defaults: ActChoice,
) -> Result<Vec<(String, Transplant)>, String> {
    let theirs: Vec<Layer> = fake_quant::layers(rewritten, defaults)?
        .into_iter()
        .filter(|l| l.weighted)
        .collect();
    let ours: Vec<&Layer> = layers.iter().filter(|l| l.weighted).collect();
    if ours.len() != theirs.len() || ours.iter().zip(&theirs).any(|(a, b)| a.kind != b.kind) {
        return Err("internal error: the weight pass changed the model's weighted layers".into());
    }
    ours.iter()
        .zip(&theirs)
        .map(|(a, b)| {
            let op =
                b.op.ok_or_else(|| "internal error: a weighted argument".to_string())?;
            let t = Transplant::of(op).ok_or_else(|| {
                format!(
                    "internal error: layer '{}' has no constant weights after the weight pass",
                    a.name
                )
            })?;
            Ok((a.name.clone(), t))
        })
        .collect()
}
