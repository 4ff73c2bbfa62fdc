//! `cim-outline-host-layers`: splits a lowered network function into one
//! function per crossbar layer, so that compile time grows linearly with
//! the model.

use crate::emit::Emitter;
use crate::{OptionInfo, Pass, PassFailed, PassInfo};
use cimc_dialects::handle::{attribute_text, OpRef, TypeRef, ValueRef};
use melior::ir::operation::OperationRefMut;
use std::collections::{HashMap, HashSet};

use super::lower_to_runtime::{INIT, LAYER_FN};

pub static INFO: PassInfo = PassInfo {
    argument: "cim-outline-host-layers",
    summary: "Move each layer's host code into a function of its own",
    description: "\
A network is one function whose host code (window gathers, corrections,
rescales, pooling, residual adds) grows with the model; LLVM's loop passes
(loop rotation, induction-variable simplification, vectorization) cost more
than linear time in the size of the function that holds the loops. This pass
cuts a function right after each layer: after the result of a crossbar
layer call (`@cimc_host_layer`, after cim-lower-to-runtime) or after a TOSA
convolution or matmul (reference execution lowers those on the host); and
after every 256 ops without one, so no function grows with the model. Each piece moves into a private
`noinline` function `@<function>_part<i>` that the original calls in order:
the values a piece reads become its arguments and the values later pieces
read its results.
Constants a piece reads are cloned into it when only that piece reads them
or they are small (so rescale multipliers and shapes stay constants), and
passed as arguments otherwise. A cut whose crossing values are not tensors,
integers, indices or pointers (a buffer mid-setup) is moved to the next
layer. The computation is unchanged: the same ops in the same order.

Example: `cimc --emit=cim net.mlir | cimc - --pass-pipeline='builtin.module(
cim-lower-to-runtime,cim-outline-host-layers)'`.",
    anchor: Some("builtin.module"),
    options: &[] as &[OptionInfo],
    create: |_, _| Box::new(OutlineLayers),
};

/// The TOSA ops a piece ends with when they run on the host.
const LAYER_OPS: &[&str] = &[
    "tosa.conv2d",
    "tosa.depthwise_conv2d",
    "tosa.transpose_conv2d",
    "tosa.conv3d",
    "tosa.matmul",
];

/// A piece ends after at most this many ops even without a layer: upstream
/// passes that grow faster than linearly with a function (elementwise
/// fusion on a long chain of adds) then see bounded functions.
const MAX_OPS: usize = 256;

/// Constants of at most this many elements are cloned into every piece
/// that reads them.
const CLONE_ELEMENTS: i64 = 4096;

struct OutlineLayers;

impl Pass for OutlineLayers {
    fn run(&self, module: OperationRefMut<'_, '_>) -> Result<(), PassFailed> {
        let Some(module) = OpRef::new(module.to_raw()) else {
            return Err(PassFailed);
        };
        let Some(block) = module.body() else {
            return Ok(());
        };
        let mut names: HashSet<String> = block
            .ops()
            .into_iter()
            .filter_map(|op| op.attribute("sym_name")?.as_string())
            .collect();
        for func in block.ops() {
            if !func.is("func.func") || symbol(func).as_deref() == Some(INIT) {
                continue;
            }
            if let Err(message) = outline(module, func, &mut names) {
                crate::diag::raw_op_error(func.raw(), &message);
                return Err(PassFailed);
            }
        }
        Ok(())
    }
}

fn symbol(op: OpRef) -> Option<String> {
    op.attribute("sym_name")?.as_string()
}

fn is_layer_call(op: OpRef) -> bool {
    op.is("func.call")
        && op
            .attr("callee")
            .is_some_and(|callee| attribute_text(callee) == format!("@{LAYER_FN}"))
}

/// The op and every op nested in it.
fn with_nested(op: OpRef) -> Vec<OpRef> {
    let mut all = vec![op];
    all.extend(op.preorder());
    all
}

fn is_constant(op: OpRef) -> bool {
    matches!(
        op.name().as_str(),
        "tosa.const"
            | "tosa.const_shape"
            | "arith.constant"
            | "llvm.mlir.addressof"
            | "llvm.mlir.zero"
    )
}

fn elements(value: ValueRef) -> i64 {
    crate::emit::tensor_info(value.raw()).map_or(1, |(shape, _)| shape.iter().product())
}

/// Values that may cross a cut: tensors and scalars, never buffers.
fn may_cross(value: ValueRef) -> bool {
    let Some(ty) = TypeRef::new(value.ty()) else {
        return false;
    };
    let text = ty.to_string();
    text.starts_with("tensor<") || text.starts_with('i') || text == "index" || text == "!llvm.ptr"
}

/// The top-level op of `body` that holds `op` (itself, or an ancestor).
fn top_level(op: OpRef, func: OpRef) -> Option<OpRef> {
    let mut at = op;
    loop {
        let parent = at.parent()?;
        if parent.raw().ptr == func.raw().ptr {
            return Some(at);
        }
        at = parent;
    }
}

fn key(op: OpRef) -> usize {
    op.raw().ptr as usize
}

fn value_key(value: ValueRef) -> usize {
    value.raw().ptr as usize
}

/// The values `piece` reads from outside it, and the constants among them.
struct Reads {
    inputs: Vec<ValueRef>,
    constants: Vec<ValueRef>,
}

fn reads(piece: &[OpRef], inside: &HashSet<usize>, func: OpRef) -> Reads {
    let mut seen = HashSet::new();
    let mut out = Reads {
        inputs: Vec::new(),
        constants: Vec::new(),
    };
    for op in piece {
        for nested in with_nested(*op) {
            for value in nested.operands() {
                let producer = value.producer();
                // Defined by a piece op, or in one of its regions.
                let defined_inside = producer
                    .and_then(|p| top_level(p, func))
                    .is_some_and(|top| inside.contains(&key(top)));
                if defined_inside || !seen.insert(value_key(value)) {
                    continue;
                }
                if producer.is_some_and(is_constant) {
                    out.constants.push(value);
                } else {
                    out.inputs.push(value);
                }
            }
        }
    }
    out
}

fn outline(module: OpRef, func: OpRef, names: &mut HashSet<String>) -> Result<(), String> {
    let Some(body) = func.body() else {
        return Ok(());
    };
    let ops = body.ops();
    let Some(terminator) = ops.last().copied() else {
        return Ok(());
    };
    // Cut after each layer call's result (the op right after the call),
    // after each TOSA layer op, and after MAX_OPS ops without either.
    let mut cuts = Vec::new();
    let mut since = 0;
    for (i, op) in ops.iter().enumerate() {
        if !is_constant(*op) {
            since += 1;
        }
        let cut = if is_layer_call(*op) {
            i + 2
        } else if LAYER_OPS.contains(&op.name().as_str()) || since >= MAX_OPS {
            i + 1
        } else {
            continue;
        };
        if cut < ops.len() {
            cuts.push(cut);
            since = 0;
        }
    }
    if cuts.is_empty() {
        return Ok(());
    }
    // Constants stay where they are: each piece clones the ones it reads
    // or takes them as arguments.
    let mut pieces: Vec<Vec<OpRef>> = Vec::new();
    let mut start = 0;
    for cut in cuts.into_iter().chain([ops.len() - 1]) {
        if cut > start {
            let piece: Vec<OpRef> = ops[start..cut]
                .iter()
                .copied()
                .filter(|op| !is_constant(*op))
                .collect();
            if !piece.is_empty() {
                pieces.push(piece);
            }
            start = cut;
        }
    }
    // Merge a piece into the next while a value that may not cross leaves it.
    let mut merged: Vec<Vec<OpRef>> = Vec::new();
    for piece in pieces {
        match merged.last_mut() {
            Some(last) if !leaves_cleanly(last, func) => last.extend(piece),
            _ => merged.push(piece),
        }
    }
    if merged.len() < 2 {
        return Ok(());
    }
    let mut readers: HashMap<usize, HashSet<usize>> = HashMap::new();
    for (i, piece) in merged.iter().enumerate() {
        for op in piece {
            for nested in with_nested(*op) {
                for value in nested.operands() {
                    if value.producer().is_some_and(is_constant) {
                        readers.entry(value_key(value)).or_default().insert(i);
                    }
                }
            }
        }
    }
    let base = symbol(func).unwrap_or_else(|| "func".into());
    let context = func.context();
    for (i, piece) in merged.iter().enumerate() {
        let inside: HashSet<usize> = piece.iter().map(|op| key(*op)).collect();
        let Reads { inputs, constants } = reads(piece, &inside, func);
        let (clone, pass): (Vec<ValueRef>, Vec<ValueRef>) = constants.into_iter().partition(|v| {
            elements(*v) <= CLONE_ELEMENTS
                || readers.get(&value_key(*v)).is_some_and(|r| r.len() == 1)
        });
        let inputs: Vec<ValueRef> = inputs.into_iter().chain(pass).collect();
        let outputs: Vec<ValueRef> = piece
            .iter()
            .flat_map(|op| op.results())
            .filter(|r| {
                r.users()
                    .into_iter()
                    .any(|u| top_level(u, func).is_none_or(|top| !inside.contains(&key(top))))
            })
            .collect();
        if inputs.iter().chain(&outputs).any(|v| !may_cross(*v)) {
            return Err("internal error: a buffer crosses a layer cut".into());
        }
        let mut name = format!("{base}_part{i}");
        while names.contains(&name) {
            name.push('_');
        }
        names.insert(name.clone());
        let part = OpRef::parse(
            context,
            &format!(
                "func.func private @{name}() attributes {{passthrough = [\"noinline\"]}} {{\n  func.return\n}}"
            ),
            "cim-outline-host-layers",
        )
        .ok_or("internal error: cannot build a piece function")?;
        let types = |values: &[ValueRef]| -> Vec<TypeRef> {
            values.iter().filter_map(|v| TypeRef::new(v.ty())).collect()
        };
        part.set_function_signature(&types(&inputs), &types(&outputs));
        let Some(part_body) = part.body() else {
            return Err("internal error: a piece function without a body".into());
        };
        let ret = part_body.ops()[0];
        let mut map: HashMap<usize, ValueRef> = HashMap::new();
        for value in &inputs {
            let arg = part_body.add_argument(
                TypeRef::new(value.ty()).ok_or("internal error: an untyped value")?,
                value.location(),
            );
            map.insert(value_key(*value), arg);
        }
        for value in &clone {
            let Some(producer) = value.producer() else {
                continue;
            };
            let copy = producer.deep_clone();
            if !ret.insert_before(copy) {
                return Err("internal error: a piece's return is in no block".into());
            }
            for (old, new) in producer.results().into_iter().zip(copy.results()) {
                map.insert(value_key(old), new);
            }
        }
        // The call, where the piece was.
        let next = piece.last().and_then(|op| op.next()).unwrap_or(terminator);
        let at = Emitter::before(next.raw());
        let call = at.op(
            "func.call",
            &inputs.iter().map(|v| v.raw()).collect::<Vec<_>>(),
            &outputs.iter().map(|v| v.ty()).collect::<Vec<_>>(),
            &[("callee", at.attr(&format!("@{name}")))],
        );
        let call = OpRef::new(call).ok_or("internal error: cannot build a call")?;
        for op in piece {
            op.move_before(ret);
        }
        for op in piece {
            for nested in with_nested(*op) {
                for (index, value) in nested.operands().into_iter().enumerate() {
                    if let Some(new) = map.get(&value_key(value)) {
                        nested.set_operand(index, *new);
                    }
                }
            }
        }
        ret.set_operands(&outputs);
        let moved: Vec<OpRef> = piece
            .iter()
            .flat_map(|op| with_nested(*op))
            .chain([ret])
            .collect();
        for (k, value) in outputs.iter().enumerate() {
            if let Some(result) = call.result(k) {
                value.replace_all_uses_except(result, &moved);
            }
        }
        module
            .body()
            .ok_or("internal error: the module has no body")?
            .append(part);
    }
    for op in body.ops() {
        if is_constant(op) && op.results_unused() {
            op.erase();
        }
    }
    Ok(())
}

/// No value that may not cross a cut is read after `piece` ends.
fn leaves_cleanly(piece: &[OpRef], func: OpRef) -> bool {
    let inside: HashSet<usize> = piece.iter().map(|op| key(*op)).collect();
    piece.iter().flat_map(|op| op.results()).all(|r| {
        may_cross(r)
            || r.users()
                .into_iter()
                .all(|u| top_level(u, func).is_some_and(|top| inside.contains(&key(top))))
    })
}
