//! `cim-cse`: merges `cim` ops that compute the same value.

use crate::{OptionInfo, Pass, PassFailed, PassInfo};
use cimc_dialects::cim;
use cimc_dialects::handle::{attribute_text, type_text, OpRef};
use melior::ir::operation::OperationRefMut;
use std::collections::hash_map::Entry;
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

fn key(op: OpRef, name: String) -> Key {
    let operands = op.operands().iter().map(|v| v.raw().ptr as usize).collect();
    let mut attributes: Vec<String> = op
        .attrs()
        .into_iter()
        .map(|(name, value)| format!("{name}={}", attribute_text(value)))
        .collect();
    attributes.sort();
    let results = op.results().iter().map(|r| type_text(r.ty())).collect();
    Key {
        name,
        operands,
        attributes,
        results,
    }
}

impl Pass for CimCse {
    fn run(&self, root: OperationRefMut<'_, '_>) -> Result<(), PassFailed> {
        let Some(root) = OpRef::new(root.to_raw()) else {
            return Ok(());
        };
        for block in root.nested_blocks() {
            let mut seen: HashMap<Key, OpRef> = HashMap::new();
            for op in block.ops() {
                let name = op.name();
                if !cim::is_cim_op(&name) || op.num_regions() > 0 {
                    continue;
                }
                match seen.entry(key(op, name)) {
                    Entry::Vacant(slot) => {
                        slot.insert(op);
                    }
                    Entry::Occupied(first) => {
                        for (mine, theirs) in op.results().into_iter().zip(first.get().results()) {
                            mine.replace_all_uses_with(theirs);
                        }
                        op.erase();
                    }
                }
            }
        }
        Ok(())
    }
}
