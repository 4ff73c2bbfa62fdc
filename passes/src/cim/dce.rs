//! `cim-dce`: removes `cim` ops whose results are unused.

use crate::{OptionInfo, Pass, PassFailed, PassInfo};
use cimc_dialects::cim;
use cimc_dialects::handle::OpRef;
use melior::ir::operation::OperationRefMut;
use std::collections::HashSet;

pub static INFO: PassInfo = PassInfo {
    argument: "cim-dce",
    summary: "Remove cim ops whose results are unused",
    description: "\
Every `cim` op is free of side effects (dialects/cim/README.md), so one whose
results have no uses can go; removing it may leave its operands' producers
dead in turn, and they go too. Ops of other dialects are left alone: upstream
`canonicalize` and `symbol-dce` cover them. Runs on any op and everything it
nests.

Example: in
  %t = \"cim.program\"(%w) {...} : (tensor<4x2xi8>) -> !cim.tile
  %p = \"cim.mvm\"(%t, %x) {...} : (!cim.tile, tensor<3x4xi8>) -> tensor<3x2xi32>
with %p unused, both ops are removed.",
    anchor: None,
    options: &[] as &[OptionInfo],
    create: |_, _| Box::new(CimDce),
};

struct CimDce;

impl Pass for CimDce {
    fn run(&self, root: OperationRefMut<'_, '_>) -> Result<(), PassFailed> {
        let Some(root) = OpRef::new(root.to_raw()) else {
            return Ok(());
        };
        let is_dead = |op: OpRef| cim::is_cim_op(&op.name()) && op.results_unused();
        let mut worklist: Vec<OpRef> = root
            .nested_ops()
            .into_iter()
            .filter(|op| is_dead(*op))
            .collect();
        let mut erased = HashSet::new();
        while let Some(op) = worklist.pop() {
            if !erased.insert(op) || !is_dead(op) {
                continue;
            }
            let producers = op.producers();
            op.erase();
            worklist.extend(
                producers
                    .into_iter()
                    .filter(|producer| !erased.contains(producer) && is_dead(*producer)),
            );
        }
        Ok(())
    }
}
