//! `cim-verify-tosa-spec`: what the TOSA 1.0 specification requires of an
//! op's operands and attributes beyond its types, checked before anything
//! runs or lowers the op, where MLIR's verifiers and `tosa-validate` let
//! it through and Arm's reference model would stop on a
//! `REQUIRE` or `ERROR_IF`: rescale shifts and multipliers, strides, pads,
//! dilations and kernels, slice and pad bounds; the 8K level's limits
//! on rank, tensor size, kernels and strides; and what cimc does not
//! compile (control flow, recursion), rejected up front.

use crate::diag::raw_op_error;
use crate::{OptionInfo, Pass, PassFailed, PassInfo};
use cimc_dialects::handle::{attribute_text, AttrRef, OpRef, TypeRef, ValueRef};
use melior::ir::operation::OperationRefMut;
use std::collections::{BTreeMap, HashSet};

pub static INFO: PassInfo = PassInfo {
    argument: "cim-verify-tosa-spec",
    summary: "Reject what the TOSA 1.0 specification forbids and cimc cannot compile",
    description: "\
Runs after cim-verify-tosa-input and tosa-validate, before any pass lowers
or runs the input. Each check is a REQUIRE or ERROR_IF of the TOSA 1.0
specification (and of Arm's reference model), or a limit of its 8K level,
that the ops' own verifiers leave out:
  * tosa.rescale: constant multipliers >= 0 and shifts in 2..62;
  * level 8K on convolutions and pooling: strides <= 8192, kernel extents
    (dilated) and pads <= 8192;
  * level 8K on every tensor: rank <= 6 and at most 2^31 - 1 elements (so
    a splat of 10^10 weights is refused before anything materialises it);
  * tosa.slice: start >= 0, size >= 1, start + size within the input;
    tosa.pad: paddings >= 0;
  * convolutions' channels: the weights' input channels equal the
    input's, their output channels the result's; tosa.matmul: A [N, H, C] by B [N, C, W] is [N, H, W];
    tosa.table: 256 entries for i8, 513 for i16;
  * control flow (tosa.cond_if, tosa.while_loop) and recursive calls are
    rejected: cimc compiles straight-line dataflow; so is a tosa.custom
    that cim-legalize-custom did not rewrite, named by its operator_name.

Example: a `tosa.rescale` whose shift is -1 is reported as
`'tosa.rescale' op shift -1 is outside 2..62 (TOSA 1.0 RESCALE)`.",
    anchor: Some("builtin.module"),
    options: &[] as &[OptionInfo],
    create: |_, context| {
        Box::new(VerifyTosaSpec {
            max_constant_bytes: context.max_constant_bytes,
        })
    },
};

struct VerifyTosaSpec {
    /// The bytes the module's constants may take together
    /// (`PassContext::max_constant_bytes`, the driver's
    /// `--max-constant-bytes`).
    max_constant_bytes: u64,
}

/// Level 8K of TOSA 1.0.
const MAX_RANK: usize = 6;
const MAX_KERNEL: i64 = 8192;
const MAX_STRIDE: i64 = 8192;
const MAX_LOG2_SIZE: u32 = 31;

impl Pass for VerifyTosaSpec {
    fn run(&self, module: OperationRefMut<'_, '_>) -> Result<(), PassFailed> {
        let Some(module) = OpRef::new(module.to_raw()) else {
            return Err(PassFailed);
        };
        let mut ok = true;
        let mut constant_bytes = 0u64;
        for op in module.preorder() {
            if let Err(problem) = check_op(op) {
                raw_op_error(op.raw(), &problem);
                ok = false;
            } else if op.is("tosa.const") && ok {
                // Checked before any pass materialises a constant (a
                // splat holds one value until then).
                let bytes = op.result(0).map_or(0, |v| tensor_bytes(v.ty()));
                constant_bytes = constant_bytes.saturating_add(bytes);
                if constant_bytes > self.max_constant_bytes {
                    raw_op_error(
                        op.raw(),
                        &format!(
                            "brings the module's constants to {constant_bytes} bytes, more than \
                             --max-constant-bytes ({}); raise the limit to compile it",
                            self.max_constant_bytes
                        ),
                    );
                    ok = false;
                }
            }
        }
        ok &= check_recursion(module);
        if ok {
            Ok(())
        } else {
            Err(PassFailed)
        }
    }
}

type Check = Result<(), String>;

fn check_op(op: OpRef) -> Check {
    let name = op.name();
    // Every tensor is a function's argument or an op's result: checking
    // those reports each oversized tensor once, where it is made.
    if name == "func.func" {
        for value in op.body().map(|b| b.arguments()).unwrap_or_default() {
            check_level(value).map_err(|e| format!("argument: {e}"))?;
        }
    }
    if !name.starts_with("tosa.") {
        return Ok(());
    }
    for value in op.results() {
        check_level(value)?;
    }
    match name.as_str() {
        "tosa.cond_if" | "tosa.while_loop" => Err("is control flow, which cimc does not \
             compile: it compiles straight-line dataflow (unroll the loop or select between \
             both branches' results)"
            .to_string()),
        "tosa.custom" => {
            let text = |name| {
                op.attribute(name)
                    .and_then(AttrRef::as_string)
                    .unwrap_or_default()
            };
            Err(format!(
                "is the custom operator '{}' of domain '{}', which cimc cannot compile (cim-legalize-custom rewrites TFL Convolution2DTransposeBias; other custom operators have no meaning in TOSA)",
                text("operator_name"),
                text("domain_name")
            ))
        }
        "tosa.rescale" => rescale(op),
        "tosa.conv2d" | "tosa.depthwise_conv2d" | "tosa.conv3d" => {
            convolution(op).and_then(|()| channels(op))
        }
        "tosa.transpose_conv2d" => transpose_convolution(op).and_then(|()| channels(op)),
        "tosa.matmul" => matmul(op),
        "tosa.table" => table(op),
        "tosa.avg_pool2d" | "tosa.max_pool2d" => pooling(op),
        "tosa.slice" => slice(op),
        "tosa.pad" => pad(op),
        _ => Ok(()),
    }
}

/// The bytes a static tensor type's elements take in memory (a whole
/// byte for each element narrower than 8 bits).
fn tensor_bytes(ty: mlir_sys::MlirType) -> u64 {
    let Some(ty) = TypeRef::new(ty) else { return 0 };
    let Some((shape, element)) = ty.ranked_shape() else {
        return 0;
    };
    let bits = element
        .integer_width()
        .or_else(|| element.float_width())
        .unwrap_or(64);
    shape
        .iter()
        .try_fold(u64::from(bits.div_ceil(8)), |n, d| {
            n.checked_mul(u64::try_from(*d).unwrap_or(0))
        })
        .unwrap_or(u64::MAX)
}

/// The 8K level's limits on a tensor value: rank and element count.
fn check_level(value: ValueRef) -> Check {
    let Some((shape, _)) = TypeRef::new(value.ty()).and_then(TypeRef::ranked_shape) else {
        return Ok(());
    };
    if shape.len() > MAX_RANK {
        return Err(format!(
            "has a tensor of rank {}, above the TOSA 8K level's {MAX_RANK}",
            shape.len()
        ));
    }
    let limit = (1i128 << MAX_LOG2_SIZE) - 1;
    let elements = shape
        .iter()
        .try_fold(1i128, |n, d| n.checked_mul(i128::from((*d).max(0))))
        .unwrap_or(i128::MAX);
    if elements > limit {
        return Err(format!(
            "has a tensor of {elements} elements ({}), above the TOSA 8K level's 2^{MAX_LOG2_SIZE} - 1",
            TypeRef::new(value.ty()).map(TypeRef::text).unwrap_or_default()
        ));
    }
    Ok(())
}

/// The integer values of the constant defining operand `index`, if it is
/// one.
fn constant(op: OpRef, index: usize) -> Option<Vec<i64>> {
    crate::emit::const_ints(op.operand(index)?.raw())
}

fn array(op: OpRef, name: &str) -> Option<Vec<i64>> {
    op.attribute(name).and_then(AttrRef::as_i64_array)
}

fn at_most(op: OpRef, attr: &str, max: i64, what: &str) -> Check {
    for (i, v) in array(op, attr).unwrap_or_default().iter().enumerate() {
        if *v > max {
            return Err(format!(
                "{what} {v} ({attr}[{i}]) is above the TOSA 8K level's {max}"
            ));
        }
    }
    Ok(())
}

fn rescale(op: OpRef) -> Check {
    if let Some(multipliers) = constant(op, 1) {
        if let Some(m) = multipliers.iter().find(|m| **m < 0) {
            return Err(format!(
                "multiplier {m} is negative (TOSA 1.0 RESCALE requires >= 0)"
            ));
        }
    }
    if let Some(shifts) = constant(op, 2) {
        if let Some(s) = shifts.iter().find(|s| !(2..=62).contains(*s)) {
            return Err(format!("shift {s} is outside 2..62 (TOSA 1.0 RESCALE)"));
        }
    }
    Ok(())
}

/// The kernel's spatial extents of a convolution's weights.
fn kernel_extents(op: OpRef) -> Vec<i64> {
    let Some((shape, _)) = op
        .operand(1)
        .and_then(|w| TypeRef::new(w.ty()))
        .and_then(TypeRef::ranked_shape)
    else {
        return Vec::new();
    };
    match op.name().as_str() {
        // [O, KH, KW, I] and [O, KD, KH, KW, I]
        "tosa.conv2d" | "tosa.conv3d" | "tosa.transpose_conv2d" if shape.len() >= 3 => {
            shape[1..shape.len() - 1].to_vec()
        }
        // [KH, KW, C, M]
        "tosa.depthwise_conv2d" if shape.len() == 4 => shape[..2].to_vec(),
        _ => Vec::new(),
    }
}

/// The ops' verifiers check pads >= 0, strides and dilations >= 1; the
/// level caps them.
fn convolution(op: OpRef) -> Check {
    at_most(op, "pad", MAX_KERNEL, "pad")?;
    at_most(op, "stride", MAX_STRIDE, "stride")?;
    let dilation = array(op, "dilation").unwrap_or_default();
    for (k, d) in kernel_extents(op).iter().zip(dilation) {
        if k.saturating_mul(d) > MAX_KERNEL {
            return Err(format!(
                "dilated kernel extent {k} x {d} is above the TOSA 8K level's {MAX_KERNEL}"
            ));
        }
    }
    Ok(())
}

fn transpose_convolution(op: OpRef) -> Check {
    at_most(op, "stride", MAX_STRIDE, "stride")?;
    at_most(op, "out_pad", MAX_KERNEL, "out_pad")?;
    for k in kernel_extents(op) {
        if k > MAX_KERNEL {
            return Err(format!(
                "kernel extent {k} is above the TOSA 8K level's {MAX_KERNEL}"
            ));
        }
    }
    Ok(())
}

/// The static shape of operand `index` (`None`: not a ranked tensor).
fn operand_shape(op: OpRef, index: usize) -> Option<Vec<i64>> {
    TypeRef::new(op.operand(index)?.ty())?
        .ranked_shape()
        .map(|(shape, _)| shape)
}

fn result_shape(op: OpRef) -> Option<Vec<i64>> {
    TypeRef::new(op.results().first()?.ty())?
        .ranked_shape()
        .map(|(shape, _)| shape)
}

/// Two extents that are both known and differ.
fn differ(a: i64, b: i64) -> bool {
    a >= 0 && b >= 0 && a != b
}

/// TOSA 1.0's ERROR_IFs on a convolution's channels (the ops' verifiers
/// check the spatial extents and the bias): the weights read the input's
/// channels and make the result's. Weights are [OC, KH, KW, IC] ([OC, KD, KH, KW, IC] for conv3d),
/// depthwise weights [KH, KW, C, M] with C * M outputs.
fn channels(op: OpRef) -> Check {
    let (Some(x), Some(w), Some(y)) =
        (operand_shape(op, 0), operand_shape(op, 1), result_shape(op))
    else {
        return Ok(());
    };
    let (Some(&xc), Some(&wc), Some(&yc)) = (x.last(), w.last(), y.last()) else {
        return Ok(());
    };
    let depthwise = op.name() == "tosa.depthwise_conv2d";
    let (input, output) = if depthwise && w.len() == 4 {
        (w[2], w[2].saturating_mul(w[3]))
    } else {
        (wc, w[0])
    };
    if differ(xc, input) {
        return Err(format!(
            "weights {w:?} read {input} input channels, but the input {x:?} has {xc} (TOSA 1.0 requires them equal)"
        ));
    }
    if differ(yc, output) {
        return Err(format!(
            "weights {w:?} make {output} output channels, but the result {y:?} has {yc}"
        ));
    }
    Ok(())
}

/// TOSA 1.0 MATMUL: A [N, H, C] times B [N, C, W] is [N, H, W].
fn matmul(op: OpRef) -> Check {
    let (Some(a), Some(b), Some(y)) =
        (operand_shape(op, 0), operand_shape(op, 1), result_shape(op))
    else {
        return Ok(());
    };
    if a.len() != 3 || b.len() != 3 || y.len() != 3 {
        return Ok(());
    }
    if differ(a[2], b[1]) || differ(a[0], b[0]) {
        return Err(format!(
            "multiplies A {a:?} by B {b:?}: TOSA 1.0 requires A [N, H, C] and B [N, C, W] (the same N and C)"
        ));
    }
    let expected = [a[0], a[1], b[2]];
    if y.iter().zip(expected).any(|(&d, e)| differ(d, e)) {
        return Err(format!(
            "the result {y:?} of A {a:?} times B {b:?} must be {expected:?}"
        ));
    }
    Ok(())
}

/// TOSA 1.0 TABLE: 256 entries for an i8 input, 513 for i16.
fn table(op: OpRef) -> Check {
    let element = op
        .operand(0)
        .and_then(|v| TypeRef::new(v.ty()))
        .and_then(TypeRef::ranked_shape)
        .and_then(|(_, e)| e.integer_width());
    let need = match element {
        Some(8) => 256,
        Some(16) => 513,
        _ => return Ok(()),
    };
    match operand_shape(op, 1).as_deref() {
        Some([n]) if differ(*n, need) => Err(format!(
            "has a table of {n} entries; TOSA 1.0 requires {need} for an i{} input",
            element.unwrap_or(0)
        )),
        _ => Ok(()),
    }
}

/// The ops' verifiers check kernels and strides >= 1 and 0 <= pad < kernel;
/// the level caps them.
fn pooling(op: OpRef) -> Check {
    at_most(op, "kernel", MAX_KERNEL, "kernel")?;
    at_most(op, "stride", MAX_STRIDE, "stride")
}

fn slice(op: OpRef) -> Check {
    let (Some(start), Some(size), Some(shape)) =
        (constant(op, 1), constant(op, 2), operand_shape(op, 0))
    else {
        return Ok(());
    };
    for (axis, ((b, n), d)) in start.iter().zip(&size).zip(&shape).enumerate() {
        if *b < 0 || *n < 1 || i128::from(*b) + i128::from(*n) > i128::from(*d) {
            return Err(format!(
                "slices [{b}, {b} + {n}) of axis {axis}, which has {d} elements: TOSA 1.0 \
                 requires start >= 0, size >= 1 and start + size <= the input's dimension"
            ));
        }
    }
    Ok(())
}

fn pad(op: OpRef) -> Check {
    if let Some(padding) = constant(op, 1) {
        if let Some((i, p)) = padding.iter().enumerate().find(|(_, p)| **p < 0) {
            return Err(format!(
                "padding {p} (padding[{i}]) is negative; TOSA 1.0 requires paddings >= 0"
            ));
        }
    }
    Ok(())
}

/// Reports every `func.call` that is part of a cycle of calls.
fn check_recursion(module: OpRef) -> bool {
    let symbol = |op: OpRef| op.attribute("sym_name").and_then(AttrRef::as_string);
    let callee = |op: OpRef| {
        op.attribute("callee")
            .map(|a| attribute_text(a.raw()))
            .map(|t| t.trim_start_matches('@').to_string())
    };
    let mut calls: BTreeMap<String, Vec<(OpRef, String)>> = BTreeMap::new();
    for func in module.body().map(|b| b.ops()).unwrap_or_default() {
        let Some(name) = (func.is("func.func")).then(|| symbol(func)).flatten() else {
            continue;
        };
        let sites = func
            .preorder()
            .into_iter()
            .filter(|op| op.is("func.call"))
            .filter_map(|op| Some((op, callee(op)?)))
            .collect();
        calls.insert(name, sites);
    }
    // A call is recursive when its callee reaches its caller.
    let reaches = |from: &str, to: &str| -> bool {
        let mut seen = HashSet::new();
        let mut pending = vec![from.to_string()];
        while let Some(f) = pending.pop() {
            if f == to {
                return true;
            }
            if seen.insert(f.clone()) {
                pending.extend(calls.get(&f).into_iter().flatten().map(|(_, c)| c.clone()));
            }
        }
        false
    };
    let mut ok = true;
    for (caller, sites) in &calls {
        for (op, target) in sites {
            if reaches(target, caller) {
                raw_op_error(
                    op.raw(),
                    &format!(
                        "calls '@{target}', which calls '@{caller}' again: recursion is not \
                         supported (cimc compiles programs whose calls form no cycle)"
                    ),
                );
                ok = false;
            }
        }
    }
    ok
}
