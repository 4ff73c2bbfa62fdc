//! `cim-quant-fold-constants`: the casts, reshapes and transposes that float
//! models carry their weights through, folded into the constants before
//! quantization.
//!
//! TFLite ships most float models with fp16 weights that a `DEQUANTIZE` op
//! widens to f32 at load time, and its depthwise and fully connected
//! weights are reshaped into the layer's layout at run time; converted to
//! TOSA, a layer's weights are then `tosa.const` (f16) → `tosa.cast` (f32)
//! → `tosa.reshape`, and exporters from PyTorch's layout add a
//! `tosa.transpose` (and a transposed convolution, decomposed, reverses
//! its kernel). Quantization needs each layer's weights as one f32
//! constant, so these ops are evaluated here, once: f16 and bf16 widen to
//! f32 exactly, and reshapes, transposes and reverses move values without
//! changing them. A cast from f32 to f32 does nothing and is dropped. Casts,
//! reshapes and transposes of activations stay: cim-quant-convert keeps
//! their input's grid.

use crate::emit::Emitter;
use crate::{OptionInfo, Pass, PassFailed, PassInfo};
use cimc_dialects::handle::{AttrRef, OpRef, TypeRef, ValueRef};
use melior::ir::operation::OperationRefMut;
use mlir_sys as sys;
use ndarray::{ArrayD, IxDyn};

pub static INFO: PassInfo = PassInfo {
    argument: "cim-quant-fold-constants",
    summary:
        "Fold cast (fp16 weights), reshape and transpose of float constants into f32 constants",
    description: "\
In a float function, in program order:
  * a `tosa.cast` to f32 of a `tosa.const` of f32, f16 or bf16 values
    becomes a `tosa.const` of those values as f32 (exact: every f16 and
    bf16 value is an f32 value);
  * a `tosa.reshape` of an f32 `tosa.const` becomes a `tosa.const` of the
    result's shape, a `tosa.transpose` of one a `tosa.const` of the
    permuted values, a `tosa.reverse` one of the reversed values;
  * a `tosa.cast` from f32 to f32 is replaced by its input.
A constant nothing uses any more is erased. This is how TFLite's float
models arrive (weights stored as f16 and widened by DEQUANTIZE, depthwise
and fully connected weights reshaped at run time): the layers then have
constant f32 weights, which batch-norm folding, equalization, range setting,
AdaRound and cim-quant-convert require. `cimc quantize` runs it first.

Example: `%w = \"tosa.const\"() {values = dense<...> : tensor<1x3x3x8xf16>}`,
`%c = tosa.cast %w : (tensor<1x3x3x8xf16>) -> tensor<1x3x3x8xf32>` and
`%r = tosa.reshape %c, %s : (...) -> tensor<3x3x8x1xf32>` become one
`tosa.const` of `tensor<3x3x8x1xf32>`.",
    anchor: Some("func.func"),
    options: &[] as &[OptionInfo],
    create: |_, _| Box::new(FoldConstants),
};

struct FoldConstants;

impl Pass for FoldConstants {
    fn run(&self, func: OperationRefMut<'_, '_>) -> Result<(), PassFailed> {
        let Some(func) = OpRef::new(func.to_raw()) else {
            return Err(PassFailed);
        };
        // Program order: a chain const → cast → reshape folds link by link.
        for op in func.preorder() {
            match op.name().as_str() {
                "tosa.cast" => cast(op),
                "tosa.reshape" => fold_with(op, |values, _| Some(values)),
                "tosa.transpose" => fold_with(op, transpose),
                "tosa.reverse" => fold_with(op, reverse),
                _ => {}
            }
        }
        Ok(())
    }
}

fn element_is_f32(ty: sys::MlirType) -> bool {
    TypeRef::new(ty)
        .and_then(TypeRef::ranked_shape)
        .is_some_and(|(_, e)| e.is_f32())
}

/// The values of the constant `value` (any float width), if it is one.
fn constant_values(value: ValueRef) -> Option<(OpRef, Vec<i64>, Vec<f32>)> {
    let constant = value.producer().filter(|p| p.is("tosa.const"))?;
    let (shape, values) = constant.attribute("values")?.as_dense_float()?;
    Some((constant, shape, values))
}

/// Replaces `op`'s result by a `tosa.const` of `values` (its result type).
fn replace_by_constant(op: OpRef, values: &[f32], input: OpRef) {
    let Some(output) = op.result(0) else {
        return;
    };
    let at = Emitter::before(op.raw());
    let attr = AttrRef::dense_f32(output.ty(), values).raw();
    let folded = at.value("tosa.const", &[], output.ty(), &[("values", attr)]);
    let Some(folded) = ValueRef::new(folded) else {
        return;
    };
    output.replace_all_uses_with(folded);
    op.erase();
    if input.results_unused() {
        input.erase();
    }
}

fn cast(op: OpRef) {
    let (Some(input), Some(output)) = (op.operand(0), op.result(0)) else {
        return;
    };
    if !element_is_f32(output.ty()) {
        return;
    }
    if element_is_f32(input.ty()) {
        output.replace_all_uses_with(input);
        op.erase();
        return;
    }
    if let Some((constant, _, values)) = constant_values(input) {
        replace_by_constant(op, &values, constant);
    }
}

/// The values of a shape op (the op itself, for its attributes) of a
/// constant of the given shape and values.
type Evaluate = fn(Vec<f32>, (&[i64], OpRef)) -> Option<Vec<f32>>;

/// Folds a shape op of an f32 constant whose values `f` computes from the
/// input's values and shape.
fn fold_with(op: OpRef, f: Evaluate) {
    let (Some(input), Some(output)) = (op.operand(0), op.result(0)) else {
        return;
    };
    if !(element_is_f32(input.ty()) && element_is_f32(output.ty())) {
        return;
    }
    let has_static_result = TypeRef::new(output.ty()).is_some_and(TypeRef::has_static_shape);
    let Some((constant, shape, values)) = constant_values(input).filter(|_| has_static_result)
    else {
        return;
    };
    if let Some(values) = f(values, (&shape, op)) {
        replace_by_constant(op, &values, constant);
    }
}

/// The values of `tosa.transpose` (`perms`) of a constant of `shape`.
fn transpose(values: Vec<f32>, (shape, op): (&[i64], OpRef)) -> Option<Vec<f32>> {
    let perms = op.attribute("perms")?.as_i64_array()?;
    let dims: Vec<usize> = shape
        .iter()
        .map(|d| usize::try_from(*d).ok())
        .collect::<Option<_>>()?;
    let axes: Vec<usize> = perms
        .iter()
        .map(|p| usize::try_from(*p).ok())
        .collect::<Option<_>>()?;
    let array = ArrayD::from_shape_vec(IxDyn(&dims), values).ok()?;
    if axes.len() != dims.len() {
        return None;
    }
    Some(array.permuted_axes(IxDyn(&axes)).iter().copied().collect())
}

/// The values of `tosa.reverse` (`axis`) of a constant of `shape`.
fn reverse(values: Vec<f32>, (shape, op): (&[i64], OpRef)) -> Option<Vec<f32>> {
    let axis = usize::try_from(op.attribute("axis")?.as_int()?).ok()?;
    let dims: Vec<usize> = shape
        .iter()
        .map(|d| usize::try_from(*d).ok())
        .collect::<Option<_>>()?;
    if axis >= dims.len() {
        return None;
    }
    let mut array = ArrayD::from_shape_vec(IxDyn(&dims), values).ok()?;
    array.invert_axis(ndarray::Axis(axis));
    Some(array.iter().copied().collect())
}
