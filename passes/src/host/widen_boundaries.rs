//! `cim-widen-boundaries`: i48 and i4 tensors at a public function's
//! boundary cross it as i64 and i8.

use crate::emit::{self, Emitter};
use crate::{OptionInfo, Pass, PassFailed, PassInfo};
use cimc_dialects::handle::{OpRef, TypeRef, ValueRef};
use melior::ir::operation::OperationRefMut;

pub static INFO: PassInfo = PassInfo {
    argument: "cim-widen-boundaries",
    summary: "Pass i48 and i4 tensors across public function boundaries as i64 and i8",
    description: "\
TOSA's int16 extension gives convolutions and matmuls i48 results, and its
int4 extension has i4 tensors; neither width exists in memory. Arm's
reference model reads and writes them as int64 and int8 `.npy` files, and
callers of the compiled function pass them the same way. This pass retypes
every public `func.func`: an i48 (i4) argument becomes i64 (i8), narrowed
by `tosa.cast` at the function's entry; an i48 (i4) result is widened by
`tosa.cast` (sign extension) before the return. The function's values are
unchanged; a caller must pass arguments that fit the narrow type (`cimc
--run` checks its inputs).

Example: `func.func @main(%a: tensor<2xi16>) -> tensor<2xi48>` becomes
`-> tensor<2xi64>` with `tosa.cast %r : (tensor<2xi48>) -> tensor<2xi64>`
before the return.",
    anchor: Some("func.func"),
    options: &[] as &[OptionInfo],
    create: |_, _| Box::new(WidenBoundaries),
};

/// The element type a boundary tensor of `element` crosses as, if it must
/// be widened: i48 as i64, i4 as i8.
pub fn boundary_element(element: &str) -> Option<&'static str> {
    match element {
        "i48" => Some("i64"),
        "i4" => Some("i8"),
        _ => None,
    }
}

struct WidenBoundaries;

impl Pass for WidenBoundaries {
    fn run(&self, func: OperationRefMut<'_, '_>) -> Result<(), PassFailed> {
        let Some(handle) = OpRef::new(func.to_raw()) else {
            return Err(PassFailed);
        };
        if handle.has_attr("sym_visibility") {
            return Ok(());
        }
        let Some(body) = handle.body() else {
            return Ok(()); // a declaration
        };
        let Some(first) = body.first() else {
            return Ok(());
        };
        let mut changed = false;
        for argument in body.arguments() {
            let Some((shape, element)) = emit::tensor_info(argument.raw()) else {
                continue;
            };
            let Some(wide) = boundary_element(&element) else {
                continue;
            };
            let e = Emitter::before(first.raw());
            let Some(wide_ty) = TypeRef::new(e.tensor(&shape, wide)) else {
                continue;
            };
            argument.set_type(wide_ty);
            let narrow = e.cast(argument.raw(), &shape, &element);
            let (Some(narrow), Some(cast)) = (
                ValueRef::new(narrow),
                ValueRef::new(narrow).and_then(ValueRef::producer),
            ) else {
                return Err(PassFailed);
            };
            argument.replace_all_uses_except(narrow, &[cast]);
            changed = true;
        }
        let Some(ret) = body.ops().last().copied().filter(|op| op.is("func.return")) else {
            return Ok(());
        };
        let mut results = Vec::new();
        for value in ret.operands() {
            let widened = emit::tensor_info(value.raw()).and_then(|(shape, element)| {
                let wide = boundary_element(&element)?;
                ValueRef::new(Emitter::before(ret.raw()).cast(value.raw(), &shape, wide))
            });
            changed |= widened.is_some();
            results.push(widened.unwrap_or(value));
        }
        if !changed {
            return Ok(());
        }
        ret.set_operands(&results);
        let types = |values: Vec<ValueRef>| -> Vec<TypeRef> {
            values
                .into_iter()
                .filter_map(|v| TypeRef::new(v.ty()))
                .collect()
        };
        handle.set_function_signature(&types(body.arguments()), &types(results));
        Ok(())
    }
}
