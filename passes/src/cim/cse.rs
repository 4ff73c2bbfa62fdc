//! `cim-cse`: merges `cim` ops that compute the same value.

use crate::ir;
use crate::raw::RawOp;
use crate::{OptionInfo, Pass, PassFailed, PassInfo};
use cimc_dialects::cim;
use melior::ir::operation::OperationRefMut;
use mlir_sys as sys;
use std::collections::HashMap;

pub static INFO: PassInfo = PassInfo {
    argument: "cim-cse",
    summary: "Merge cim ops with equal operands and attributes",
    description: "\
Every `cim` op is free of side effects (dialects/cim/README.md), so two ops of
the same name with the same operands, attributes and result types compute the
same value: uses of the later one are redirected to the earlier one, which is
in the same block and so dominates it, and the later one is erased. Two
`cim.program` ops that place equal weights on different arrays differ in their
`array` attribute and are both kept: replication is deliberate.

Example: two identical
  %p = \"cim.mvm\"(%t, %x) {...} : (!cim.tile, tensor<3x4xi8>) -> tensor<3x2xi32>
become one.",
    anchor: None,
    options: &[] as &[OptionInfo],
    create: |_, _| Box::new(CimCse),
};

struct CimCse;

/// What makes two ops interchangeable: name, operands, attributes, result types.
#[derive(PartialEq, Eq, Hash)]
struct Key {
    name: String,
    operands: Vec<usize>,
    attributes: Vec<String>,
    results: Vec<String>,
}

fn key(op: RawOp, name: String) -> Key {
    unsafe {
        let operands = (0..sys::mlirOperationGetNumOperands(op))
            .map(|i| sys::mlirOperationGetOperand(op, i).ptr as usize)
            .collect();
        let mut attributes: Vec<String> = (0..sys::mlirOperationGetNumAttributes(op))
            .map(|i| {
                let named = sys::mlirOperationGetAttribute(op, i);
                let name = sys::mlirIdentifierStr(named.name);
                let name = std::slice::from_raw_parts(name.data.cast::<u8>(), name.length);
                let value = melior::ir::Attribute::from_raw(named.attribute);
                format!("{}={value}", String::from_utf8_lossy(name))
            })
            .collect();
        attributes.sort();
        let results = (0..sys::mlirOperationGetNumResults(op))
            .map(|i| {
                let value = sys::mlirOperationGetResult(op, i);
                melior::ir::Type::from_raw(sys::mlirValueGetType(value)).to_string()
            })
            .collect();
        Key {
            name,
            operands,
            attributes,
            results,
        }
    }
}

impl Pass for CimCse {
    fn run(&self, root: OperationRefMut<'_, '_>) -> Result<(), PassFailed> {
        for block in ir::nested_blocks(root.to_raw()) {
            let mut seen: HashMap<Key, RawOp> = HashMap::new();
            for op in ir::block_ops(block) {
                let name = crate::raw::op_name(op);
                let has_regions = unsafe { sys::mlirOperationGetNumRegions(op) } > 0;
                if !cim::is_cim_op(&name) || has_regions {
                    continue;
                }
                match seen.entry(key(op, name)) {
                    std::collections::hash_map::Entry::Vacant(slot) => {
                        slot.insert(op);
                    }
                    std::collections::hash_map::Entry::Occupied(first) => unsafe {
                        let first = *first.get();
                        for i in 0..sys::mlirOperationGetNumResults(op) {
                            sys::mlirValueReplaceAllUsesOfWith(
                                sys::mlirOperationGetResult(op, i),
                                sys::mlirOperationGetResult(first, i),
                            );
                        }
                        sys::mlirOperationDestroy(op);
                    },
                }
            }
        }
        Ok(())
    }
}
