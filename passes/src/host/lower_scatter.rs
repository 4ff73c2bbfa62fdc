//! `cim-lower-scatter`: `tosa.scatter` as a loop nest of row copies, which
//! upstream lowering handles (MLIR 22's tosa-to-linalg has no pattern for
//! scatter).

use crate::emit;
use crate::raw::RawOp;
use crate::{OptionInfo, Pass, PassFailed, PassInfo};
use cimc_dialects::handle::OpRef;
use melior::ir::operation::OperationRefMut;

pub static INFO: PassInfo = PassInfo {
    argument: "cim-lower-scatter",
    summary: "Lower tosa.scatter to scf.for loops of tensor.insert_slice",
    description: "\
TOSA 1.0's `tosa.scatter` (values_in [N,K,C], indices [N,W] of i32, input
[N,W,C]) gives values_out = values_in with row indices[n,w] of batch n
replaced by input[n,w,:]. MLIR 22's tosa-to-linalg cannot lower it (\"failed
to legalize\"), so this pass writes it, before upstream lowering, as two
`scf.for` loops over n and w carrying the result tensor: each step extracts
the index, and inserts the row `tensor.extract_slice` of input at it
(`tensor.insert_slice`). The values are the specification's. TOSA requires
every index to lie in [0, K) and to occur once per batch; an index outside
[0, K) (which the specification leaves unpredictable) writes nothing here
instead of memory outside the tensor, and of repeated indices the last
write wins.

Example: `tosa.scatter %vin, %idx, %in : (tensor<2x5x3xi8>, tensor<2x4xi32>,
tensor<2x4x3xi8>) -> tensor<2x5x3xi8>` becomes a 2 x 4 loop nest of
`tensor.insert_slice` of tensor<1x1x3xi8> rows into the 2x5x3 result.",
    anchor: Some("func.func"),
    options: &[] as &[OptionInfo],
    create: |_, _| Box::new(LowerScatter),
};

struct LowerScatter;

impl Pass for LowerScatter {
    fn run(&self, func: OperationRefMut<'_, '_>) -> Result<(), PassFailed> {
        let ops: Vec<RawOp> = crate::ir::nested_ops_named(func.to_raw(), "tosa.scatter");
        for op in ops {
            if let Err(message) = lower(op) {
                crate::diag::raw_op_error(op, &message);
                return Err(PassFailed);
            }
        }
        Ok(())
    }
}

/// The loop nest as a function's text: its body replaces the op.
fn loops(n: i64, k: i64, w: i64, c: i64, element: &str) -> String {
    let values = format!("tensor<{n}x{k}x{c}x{element}>");
    let indices = format!("tensor<{n}x{w}xi32>");
    let input = format!("tensor<{n}x{w}x{c}x{element}>");
    let row = format!("tensor<1x1x{c}x{element}>");
    format!(
        "func.func private @scatter(%vin: {values}, %idx: {indices}, %in: {input}) -> {values} {{
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %cn = arith.constant {n} : index
  %cw = arith.constant {w} : index
  %zero = arith.constant 0 : i32
  %ck = arith.constant {k} : i32
  %out = scf.for %b = %c0 to %cn step %c1 iter_args(%acc = %vin) -> ({values}) {{
    %inner = scf.for %j = %c0 to %cw step %c1 iter_args(%cur = %acc) -> ({values}) {{
      %i = tensor.extract %idx[%b, %j] : {indices}
      %ge = arith.cmpi sge, %i, %zero : i32
      %lt = arith.cmpi slt, %i, %ck : i32
      %ok = arith.andi %ge, %lt : i1
      %next = scf.if %ok -> ({values}) {{
        %at = arith.index_cast %i : i32 to index
        %r = tensor.extract_slice %in[%b, %j, 0] [1, 1, {c}] [1, 1, 1] : {input} to {row}
        %u = tensor.insert_slice %r into %cur[%b, %at, 0] [1, 1, {c}] [1, 1, 1] : {row} into {values}
        scf.yield %u : {values}
      }} else {{
        scf.yield %cur : {values}
      }}
      scf.yield %next : {values}
    }}
    scf.yield %inner : {values}
  }}
  func.return %out : {values}
}}"
    )
}

fn lower(op: RawOp) -> Result<(), String> {
    let shape = |i| {
        emit::tensor_info(emit::operand(op, i))
            .filter(|(s, _)| s.iter().all(|d| *d >= 0))
            .ok_or("tosa.scatter needs static ranked operands")
    };
    let (values, element) = shape(0)?;
    let (indices, _) = shape(1)?;
    let (input, _) = shape(2)?;
    let [n, k, c] = <[i64; 3]>::try_from(values).map_err(|_| "values_in must be rank 3")?;
    let [_, w] = <[i64; 2]>::try_from(indices).map_err(|_| "indices must be rank 2")?;
    if input != [n, w, c] {
        return Err(format!("input must be [{n}, {w}, {c}]"));
    }
    let handle = OpRef::new(op).ok_or("internal error: no op")?;
    let helper = OpRef::parse(
        handle.context(),
        &loops(n, k, w, c, &element),
        "cim-lower-scatter",
    )
    .ok_or("internal error: cannot build the scatter loops")?;
    let body = helper
        .body()
        .ok_or("internal error: loops without a body")?;
    for (argument, operand) in body.arguments().into_iter().zip(handle.operands()) {
        argument.replace_all_uses_with(operand);
    }
    let ops = body.ops();
    let (ret, nest) = ops.split_last().ok_or("internal error: empty loops")?;
    for inner in nest {
        inner.move_before(handle);
    }
    let result = ret
        .operand(0)
        .ok_or("internal error: loops without a result")?;
    handle
        .result(0)
        .ok_or("internal error: scatter without a result")?
        .replace_all_uses_with(result);
    handle.erase();
    helper.erase();
    Ok(())
}
