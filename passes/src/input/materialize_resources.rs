//! `cim-materialize-resources`: constants whose values are a
//! `dense_resource` blob become ordinary dense constants.
//!
//! Exporters (torch-mlir, IREE's importers, `mlir-opt` with large constants)
//! write weights as `dense_resource<key>`, the bytes in the file's
//! `dialect_resources` section. Every cimc pass that reads weights reads
//! dense elements, so before this pass a layer with resource weights stayed
//! on the host without a word. The C API gives no way to ask whether a blob
//! exists (reading a missing one is undefined), so the bytes are read from
//! the printed form of a detached copy of the op, which is the one place
//! MLIR writes them.

use crate::diag::raw_op_error;
use crate::{OptionInfo, Pass, PassFailed, PassInfo};
use cimc_dialects::handle::{attribute_text, AttrRef, OpRef, TypeRef};
use melior::ir::operation::OperationRefMut;
use mlir_sys as sys;

pub static INFO: PassInfo = PassInfo {
    argument: "cim-materialize-resources",
    summary: "Replace dense_resource constants by dense elements holding the blob's bytes",
    description: "\
For every `values` attribute that is a `dense_resource<key>` elements
attribute (on `tosa.const` and any other op), the blob `key` of the file's
`dialect_resources` section becomes a `dense<...>` attribute of the same
type, so that the crossbar mapping, quantization and the reports see the
weights. The blob must exist and hold exactly the type's bytes after its
4-byte alignment header (ceil(width / 8) bytes per integer or float element,
one byte per i1); otherwise the op is a located error naming the key. The
tosa phase runs it first, after cim-specialize-batch; modules without
resources are unchanged.

Example: `\"tosa.const\"() <{values = dense_resource<w> : tensor<2xi8>}>`
with `w: \"0x010000000102\"` becomes `\"tosa.const\"() <{values = dense<[1, 2]>
: tensor<2xi8>}>`.",
    anchor: Some("builtin.module"),
    options: &[] as &[OptionInfo],
    create: |_, _| Box::new(MaterializeResources),
};

struct MaterializeResources;

impl Pass for MaterializeResources {
    fn run(&self, module: OperationRefMut<'_, '_>) -> Result<(), PassFailed> {
        let Some(module) = OpRef::new(module.to_raw()) else {
            return Err(PassFailed);
        };
        let mut ok = true;
        for op in module.preorder() {
            let Some(values) = op.attribute("values") else {
                continue;
            };
            if !unsafe { sys::mlirAttributeIsADenseResourceElements(values.raw()) } {
                continue;
            }
            match materialize(op, values) {
                Ok(dense) => op.set_attr("values", dense.raw()),
                Err(problem) => {
                    raw_op_error(op.raw(), &problem);
                    ok = false;
                }
            }
        }
        if ok {
            Ok(())
        } else {
            Err(PassFailed)
        }
    }
}

/// The dense attribute with the bytes of `op`'s resource `values`.
fn materialize(op: OpRef, values: AttrRef) -> Result<AttrRef, String> {
    let text = attribute_text(values.raw());
    let key = text
        .strip_prefix("dense_resource<")
        .and_then(|rest| rest.split_once('>'))
        .map_or(text.as_str(), |(key, _)| key)
        .to_string();
    let ty = TypeRef::new(unsafe { sys::mlirAttributeGetType(values.raw()) })
        .ok_or_else(|| format!("the dense_resource `{key}` has no type"))?;
    let (shape, element) = ty
        .ranked_shape()
        .filter(|_| ty.has_static_shape())
        .ok_or_else(|| format!("the dense_resource `{key}` needs a static shape"))?;
    let count = shape
        .iter()
        .try_fold(1u64, |n, &d| n.checked_mul(u64::try_from(d).ok()?))
        .ok_or_else(|| format!("the dense_resource `{key}` has too many elements"))?;
    let width = element
        .integer_width()
        .or_else(|| element.float_width())
        .or_else(|| element.is_index().then_some(64))
        .ok_or_else(|| {
            format!(
                "the dense_resource `{key}` holds {} elements, which cimc cannot read",
                element.text()
            )
        })?;
    let bytes = blob(op).ok_or_else(|| {
        format!(
            "the weights are the dense_resource `{key}`, which the file does not hold (no entry for it in its `{{-# dialect_resources #-}}` section)"
        )
    })?;
    let data = bytes.get(4..).unwrap_or_default();
    let per = u64::from(width.div_ceil(8));
    let expected = count.saturating_mul(per);
    if data.len() as u64 != expected {
        return Err(format!(
            "the dense_resource `{key}` holds {} bytes after its alignment header; {} needs {expected}",
            data.len(),
            ty.text()
        ));
    }
    let attr = if width == 1 {
        let flags: Vec<i32> = data.iter().map(|&b| i32::from(b != 0)).collect();
        unsafe { sys::mlirDenseElementsAttrBoolGet(ty.raw(), flags.len() as isize, flags.as_ptr()) }
    } else {
        unsafe {
            sys::mlirDenseElementsAttrRawBufferGet(ty.raw(), data.len(), data.as_ptr().cast())
        }
    };
    AttrRef::new(attr).ok_or_else(|| {
        format!(
            "the bytes of the dense_resource `{key}` do not make a {} constant",
            ty.text()
        )
    })
}

/// The bytes of the one resource a detached copy of `op` prints in its
/// `{-# dialect_resources #-}` section (alignment header included), if the
/// blob exists.
fn blob(op: OpRef) -> Option<Vec<u8>> {
    // SAFETY: the clone has no parent and is owned (and destroyed) by the
    // melior Operation.
    let copy = unsafe { melior::ir::Operation::from_raw(sys::mlirOperationClone(op.raw())) };
    let printed = copy.to_string();
    let section = &printed[printed.find("{-#")?..];
    let start = section.find("\"0x")? + 3;
    let hex = &section[start..];
    let hex = &hex[..hex.find('"')?];
    if hex.len() % 2 != 0 {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
        .collect()
}
