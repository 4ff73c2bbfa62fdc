//! `cim-verify-tosa-input`: checks that a module is TOSA cimc can compile.

use crate::diag::{emit_error, op_error};
use crate::types::{self, Element};
use crate::{Pass, PassFailed, PassInfo};
use melior::ir::attribute::TypeAttribute;
use melior::ir::operation::{OperationLike, OperationRefMut, WalkOrder, WalkResult};
use melior::ir::r#type::FunctionType;
use melior::ir::{BlockLike, OperationRef, RegionLike, Type, ValueLike};

crate::pass_options! {
    /// The options of `cim-verify-tosa-input`.
    pub struct VerifyTosaInputOptions {
        only_tosa_ops: bool = ("only-tosa-ops", "true", "reject ops of other dialects; when false, only TOSA ops and their types are checked"),
    }
}

pub static INFO: PassInfo = PassInfo {
    argument: "cim-verify-tosa-input",
    summary: "Check that the input is static-shaped TOSA on plain tensors",
    description: "\
Runs before any upstream pass touches the input, because upstream passes can
crash on IR they do not expect. It requires:
  * a module of `func.func` definitions whose bodies hold only `tosa.*` ops,
    `func.return` and `func.call`;
  * ranked, statically shaped tensors (or `!tosa.shape`) everywhere;
  * element types TOSA 1.0 defines: signless i1/i4/i8/i16/i32/i48/i64,
    f16/bf16/f32 and 8-bit floats. `!quant` element types are rejected:
    quantized TOSA 1.0 uses plain integer tensors with `tosa.rescale`.

Example: `cimc --pass-pipeline='builtin.module(cim-verify-tosa-input)' in.mlir`
on a function containing `arith.addi` reports
`'arith.addi' op is not a TOSA operation; cimc accepts ...`.",
    anchor: Some("builtin.module"),
    options: VerifyTosaInputOptions::INFO,
    create: |options, _| {
        Box::new(VerifyTosaInput {
            only_tosa_ops: VerifyTosaInputOptions::from(options).only_tosa_ops,
        })
    },
};

struct VerifyTosaInput {
    only_tosa_ops: bool,
}

const ACCEPTED: &str =
    "cimc accepts TOSA 1.0 (tosa.* ops) inside func.func, with func.return and func.call";

impl Pass for VerifyTosaInput {
    fn run(&self, module: OperationRefMut<'_, '_>) -> Result<(), PassFailed> {
        let mut ok = true;
        let mut functions = 0;
        let body = module
            .region(0)
            .ok()
            .and_then(|region| region.first_block());
        let mut next = body.and_then(|block| block.first_operation());
        while let Some(op) = next {
            next = op.next_in_block();
            let name = op_name(op);
            if name != "func.func" {
                if !self.only_tosa_ops {
                    continue;
                }
                op_error(op, &format!("is not allowed at module level; {ACCEPTED}"));
                ok = false;
                continue;
            }
            functions += 1;
            ok &= check_function(op, self.only_tosa_ops);
        }
        if functions == 0 && self.only_tosa_ops {
            emit_error(module.location(), "the input has no func.func to compile");
            ok = false;
        }
        if ok {
            Ok(())
        } else {
            Err(PassFailed)
        }
    }
}

fn op_name(op: OperationRef<'_, '_>) -> String {
    op.name().as_string_ref().as_str().unwrap_or("").to_string()
}

fn check_function(func: OperationRef<'_, '_>, only_tosa_ops: bool) -> bool {
    let mut ok = true;
    let body_is_empty = func
        .region(0)
        .map(|region| region.first_block().is_none())
        .unwrap_or(true);
    if body_is_empty && only_tosa_ops {
        op_error(
            func,
            "is a declaration without a body; cimc compiles function definitions",
        );
        return false;
    }
    // In permissive mode only TOSA ops are checked: the signature may carry
    // other dialects' types (`!cim.tile` at the mapping level).
    let signature_type = func
        .attribute("function_type")
        .ok()
        .filter(|_| only_tosa_ops);
    // A dynamic signature makes every op after it dynamic: it is reported
    // once, at the signature, and not again at each op.
    let mut dynamic_signature = false;
    if let Some(ty) = signature_type {
        if let Ok(ty) = TypeAttribute::try_from(ty) {
            if let Ok(ty) = FunctionType::try_from(ty.value()) {
                let signature = (0..ty.input_count())
                    .filter_map(|i| ty.input(i).ok())
                    .chain((0..ty.result_count()).filter_map(|i| ty.result(i).ok()));
                for ty in signature {
                    if let Err(problem) = check_type(ty) {
                        dynamic_signature = is_dynamic(ty);
                        op_error(func, &format!("has a signature type {problem}"));
                        ok = false;
                        break;
                    }
                }
            }
        }
    }
    func.walk(WalkOrder::PreOrder, |op| {
        if op == func {
            return WalkResult::Advance;
        }
        let name = op_name(op);
        let is_tosa = name.starts_with("tosa.");
        if !only_tosa_ops && !is_tosa {
            return WalkResult::Advance;
        }
        if !(is_tosa || name == "func.return" || name == "func.call") {
            op_error(op, &format!("is not a TOSA operation; {ACCEPTED}"));
            ok = false;
            return WalkResult::Skip;
        }
        if !is_tosa {
            // func.return and func.call carry the signatures' types, checked above.
            return WalkResult::Advance;
        }
        let types = op
            .operands()
            .map(|value| value.r#type())
            .chain(op.results().map(|value| value.r#type()));
        for ty in types {
            if dynamic_signature && is_dynamic(ty) {
                continue;
            }
            if let Err(problem) = check_type(ty) {
                op_error(op, &format!("has a type {problem}"));
                ok = false;
                break;
            }
        }
        WalkResult::Advance
    });
    ok
}

/// Whether `ty` is a ranked tensor with a dynamic dimension.
fn is_dynamic(ty: Type<'_>) -> bool {
    types::tensor(ty).is_some_and(|shaped| shaped.ranked && !shaped.static_shape)
}

/// Checks one value type; the error completes "has a type ...".
fn check_type(ty: Type<'_>) -> Result<(), String> {
    if types::dialect_namespace(ty) == "tosa" {
        return Ok(()); // !tosa.shape and friends
    }
    let Some(shaped) = types::tensor(ty) else {
        return Err(format!(
            "'{ty}' that is not a tensor; TOSA operates on ranked tensors"
        ));
    };
    if !shaped.ranked {
        return Err(format!(
            "'{ty}' that is unranked; cimc compiles ranked, statically shaped tensors"
        ));
    }
    if !shaped.static_shape {
        return Err(format!(
            "'{ty}' with a dynamic dimension; cimc compiles static shapes: a dynamic \
             leading (batch) dimension of an argument takes the size --batch gives \
             (default 1), every other dimension must be static (export with fixed shapes)"
        ));
    }
    let element = shaped.element;
    match types::element(element) {
        Element::Int(1 | 4 | 8 | 16 | 32 | 48 | 64) => Ok(()),
        Element::Float(8 | 16 | 32) => Ok(()),
        Element::Quant => Err(format!(
            "'{ty}' with a !quant element type; quantized TOSA 1.0 uses plain integer \
             tensors (i8, i16, i32) with tosa.rescale, not !quant types"
        )),
        Element::SignedInt(_) => Err(format!(
            "'{ty}' with a signed or unsigned integer element type; TOSA 1.0 uses \
             signless integers (i8, not si8 or ui8)"
        )),
        Element::Int(_) | Element::Float(_) | Element::Other => Err(format!(
            "'{ty}' whose element type '{element}' TOSA 1.0 does not define"
        )),
    }
}
