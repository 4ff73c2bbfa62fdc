//! `cim-settle-shapes`: what shape inference leaves behind, settled.
//!
//! `tosa-infer-shapes` refines the types inside a function body but keeps
//! the function's result types: where a refined value is returned it puts a
//! `tensor.cast` back to the old, dynamic type in front of `func.return`,
//! and a `tosa.reshape` keeps the `-1` of its shape operand although its
//! result is now static. This pass returns the refined values themselves,
//! writes their types into the signature, and spells every inferred
//! dimension of a reshape's constant shape out, so the module is plain
//! static TOSA again.

use crate::{OptionInfo, Pass, PassFailed, PassInfo};
use cimc_dialects::handle::{AttrRef, OpRef, TypeRef, ValueRef};
use melior::ir::operation::OperationRefMut;

pub static INFO: PassInfo = PassInfo {
    argument: "cim-settle-shapes",
    summary: "Fold the casts and inferred dimensions tosa-infer-shapes leaves into the IR",
    description: "\
Runs after `func.func(tosa-infer-shapes)` (in the tosa phase, after
cim-specialize-batch). In every func.func definition:
  * a `tensor.cast` from a static tensor type that feeds `func.return` is
    bypassed: the function returns the cast's source, the function type's
    result becomes the source's type, and the cast is erased when nothing
    else uses it;
  * a `tosa.reshape` with a static result whose shape operand is a
    `tosa.const_shape` holding -1 (an inferred dimension) gets a shape
    constant with the result's dimensions.
Static modules are unchanged.

Example: `%c = tensor.cast %0 : tensor<1x10xf32> to tensor<?x10xf32>`
then `return %c : tensor<?x10xf32>` in a function returning
`tensor<?x10xf32>` becomes `return %0 : tensor<1x10xf32>` and the function
returns `tensor<1x10xf32>`.",
    anchor: Some("builtin.module"),
    options: &[] as &[OptionInfo],
    create: |_, _| Box::new(SettleShapes),
};

struct SettleShapes;

impl Pass for SettleShapes {
    fn run(&self, module: OperationRefMut<'_, '_>) -> Result<(), PassFailed> {
        let Some(module) = OpRef::new(module.to_raw()) else {
            return Err(PassFailed);
        };
        let functions = module.body().map(|b| b.ops()).unwrap_or_default();
        for func in functions.into_iter().filter(|op| op.is("func.func")) {
            for op in func.preorder() {
                if op.is("tosa.reshape") {
                    spell_out_shape(op);
                }
            }
            return_refined(func);
        }
        Ok(())
    }
}

fn static_type(value: ValueRef) -> Option<TypeRef> {
    TypeRef::new(value.ty()).filter(|ty| ty.has_static_shape())
}

/// Returns the sources of the casts in front of `func.return` and writes
/// their types into the function type.
fn return_refined(func: OpRef) {
    let Some(ret) = func
        .body()
        .and_then(|b| b.ops().into_iter().find(|op| op.is("func.return")))
    else {
        return;
    };
    let Some((inputs, mut results)) = func.function_signature() else {
        return;
    };
    let mut changed = false;
    for (index, value) in ret.operands().into_iter().enumerate() {
        let Some(cast) = value.producer().filter(|op| op.is("tensor.cast")) else {
            continue;
        };
        let Some(source) = cast.operand(0) else {
            continue;
        };
        let Some(ty) = static_type(source) else {
            continue;
        };
        ret.set_operand(index, source);
        if let Some(result) = results.get_mut(index) {
            *result = ty;
        }
        if cast.results_unused() {
            cast.erase();
        }
        changed = true;
    }
    if changed {
        func.set_function_signature(&inputs, &results);
    }
}

/// Replaces a reshape's `-1` shape constant by its static result's shape.
fn spell_out_shape(reshape: OpRef) {
    let Some((result_shape, _)) = reshape
        .result(0)
        .and_then(static_type)
        .and_then(TypeRef::ranked_shape)
    else {
        return;
    };
    let Some(constant) = reshape
        .operand(1)
        .and_then(|v| v.producer())
        .filter(|op| op.is("tosa.const_shape"))
    else {
        return;
    };
    let values = constant
        .attribute("values")
        .and_then(AttrRef::as_dense_ints)
        .unwrap_or_default();
    if !values.contains(&-1) || values.len() != result_shape.len() {
        return;
    }
    let dims: Vec<String> = result_shape.iter().map(i64::to_string).collect();
    let text = format!(
        "dense<[{}]> : tensor<{}xindex>",
        dims.join(", "),
        dims.len()
    );
    let Some(attr) = AttrRef::parse(reshape.context(), &text) else {
        return;
    };
    let spelt = constant.deep_clone();
    spelt.set_attr("values", attr.raw());
    reshape.insert_before(spelt);
    if let Some(shape) = spelt.result(0) {
        reshape.set_operand(1, shape);
    }
    if constant.results_unused() {
        constant.erase();
    }
}
