//! `cim-specialize-batch`: a dynamic batch dimension becomes the batch the
//! user compiles for.
//!
//! Keras and most exporters leave the batch dimension of a model's input
//! free (`tensor<?x224x224x3xf32>`), and every op after it inherits the `?`.
//! cimc compiles static shapes, and a user compiling one network means one
//! batch size (1 unless `--batch` says otherwise). This pass fixes the
//! leading dimension of every function argument whose leading dimension is
//! dynamic; `tosa-infer-shapes` then carries the shape through the body,
//! and `cim-settle-shapes` folds what inference leaves behind into the
//! signature. Any other dynamic dimension stays, for `cim-verify-tosa-input`
//! to report once, at the signature.

use crate::diag::raw_op_error;
use crate::{Pass, PassFailed, PassInfo};
use cimc_dialects::handle::{OpRef, TypeRef};
use melior::ir::operation::OperationRefMut;

crate::pass_options! {
    /// The options of `cim-specialize-batch`.
    pub struct SpecializeBatchOptions {
        batch: i64 = ("batch", "1", "the size given to a dynamic leading (batch) dimension of a function argument, >= 1"),
    }
}

pub static INFO: PassInfo = PassInfo {
    argument: "cim-specialize-batch",
    summary: "Give a dynamic batch dimension of the function arguments a size",
    description: "\
For every func.func definition, each argument that is a ranked tensor with
a dynamic leading dimension gets `batch` there (block argument and function
type); nothing else changes. Run `func.func(tosa-infer-shapes)` and
`cim-settle-shapes` after it to carry the size through the body and into the
results. The tosa phase runs all three first, with batch = --batch
(default 1), so `--emit`, `--run`, `--report` and `cimc quantize` take a
model exported with a free batch dimension as it is. Other dynamic
dimensions are left for cim-verify-tosa-input to report.

Example: with batch=1, `func.func @main(%x: tensor<?x8x8x1xf32>)` becomes
`func.func @main(%x: tensor<1x8x8x1xf32>)`.",
    anchor: Some("builtin.module"),
    options: SpecializeBatchOptions::INFO,
    create: |options, _| {
        Box::new(SpecializeBatch {
            batch: SpecializeBatchOptions::from(options).batch,
        })
    },
};

struct SpecializeBatch {
    batch: i64,
}

/// MLIR's marker of a dynamic dimension.
const DYNAMIC: i64 = i64::MIN;

impl Pass for SpecializeBatch {
    fn run(&self, module: OperationRefMut<'_, '_>) -> Result<(), PassFailed> {
        let Some(module) = OpRef::new(module.to_raw()) else {
            return Err(PassFailed);
        };
        if self.batch < 1 {
            raw_op_error(
                module.raw(),
                &format!(
                    "batch {} (option 'batch' of cim-specialize-batch, --batch) must be at least 1",
                    self.batch
                ),
            );
            return Err(PassFailed);
        }
        let functions = module.body().map(|b| b.ops()).unwrap_or_default();
        for func in functions.into_iter().filter(|op| op.is("func.func")) {
            specialize(func, self.batch);
        }
        Ok(())
    }
}

/// The argument type with its dynamic leading dimension set to `batch`, or
/// `None` when it has none.
fn specialized(ty: TypeRef, batch: i64) -> Option<TypeRef> {
    let (mut shape, element) = ty.ranked_shape()?;
    if shape.first() != Some(&DYNAMIC) {
        return None;
    }
    shape[0] = batch;
    Some(TypeRef::ranked_tensor(&shape, element))
}

fn specialize(func: OpRef, batch: i64) {
    let Some(entry) = func.body() else {
        return; // a declaration: nothing to run
    };
    let Some((mut inputs, results)) = func.function_signature() else {
        return;
    };
    let mut changed = false;
    for (index, argument) in entry.arguments().into_iter().enumerate() {
        let Some(ty) = TypeRef::new(argument.ty()).and_then(|ty| specialized(ty, batch)) else {
            continue;
        };
        argument.set_type(ty);
        if let Some(input) = inputs.get_mut(index) {
            *input = ty;
        }
        changed = true;
    }
    if changed {
        func.set_function_signature(&inputs, &results);
    }
}
