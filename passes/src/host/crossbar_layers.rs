//! The crossbar layers of a function, as `cim-lower-to-runtime` issues them:
//! each becomes one runtime call over the program tables instead of one
//! call per tile and host code for the slices, concatenations, row-tile sums
//! and shift-add around them.
//!
//! A layer is found by what its ops compute, not by where they came from:
//! the mvms whose inputs are column slices of one `N × k` i8 matrix (or the
//! matrix itself), combined by `tosa.concat` along columns and
//! `cim.accumulate` into one `N × p` sum, each intermediate value used once
//! inside the tree; optionally that sum's only use, a `cim.shift_add`; then
//! optionally the weight zero point's share taken off (`tosa.sub` of
//! `tosa.mul(Σx, zp)`, the sums of each window's input row or of its runs
//! per depthwise block, from the layer's own input matrix, each
//! intermediate used once); and optionally the only use of what that gives,
//! a `tosa.add` of an i32 constant of one row (`1 × columns`, or `1 × 1`):
//! the bias and zero-point constant `cim-lower-crossbar-ops` adds after the
//! sums. The tree then equals `sum[n][out + j] = Σ_t mvm_t(x[n][in_t ..])[j]` with
//! each tile's input column from its slice and its output column from its
//! place among the concatenated operands, which is what the runtime
//! computes (`cimc_target::tables`). Anything else (an mvm whose result is
//! also used elsewhere, mvms with different read parameters, a slice of
//! rows) is left to the per-op lowering, which stays exact for any IR.

use std::collections::{HashMap, HashSet};

use crate::emit;
use cimc_dialects::cim::{Accumulate, MalformedOp, Mvm, ShiftAdd as ShiftAddOp};
use cimc_dialects::handle::{OpRef, ValueRef};
use cimc_target::tables::{InputSums, ShiftAdd};

/// One tile of a layer: its mvm, and where it reads and adds.
pub struct LayerTile {
    pub mvm: Mvm,
    pub in_col: u32,
    pub out_col: u32,
}

/// A crossbar layer found in a function.
pub struct CrossbarLayer {
    /// The `N × k` i8 matrix the tiles read.
    pub input: ValueRef,
    pub n: i64,
    pub k: u32,
    /// Columns of the sum (before the shift-add).
    pub p: u32,
    pub out_cols: i64,
    pub tiles: Vec<LayerTile>,
    pub shift_add: Option<ShiftAdd>,
    /// The weight zero point's share taken off the result.
    pub input_sums: Option<InputSums>,
    /// Added to every result row (empty: none).
    pub bias: Vec<i32>,
    /// The value the runtime call replaces: the bias add's, the
    /// shift-add's or the sum's.
    pub result: ValueRef,
    /// The op defining `result`: the call goes right before it.
    pub anchor: OpRef,
    /// The ops the call replaces (mvms, concats, accumulates, the
    /// shift-add, the bias add), in program order.
    pub members: Vec<OpRef>,
}

/// A subtree of a layer being assembled.
struct Part {
    input: ValueRef,
    width: i64,
    tiles: Vec<(usize, u32, i64)>,
    members: Vec<OpRef>,
}

fn key(value: ValueRef) -> usize {
    value.raw().ptr as usize
}

/// `value` as `(matrix, first column)` when it is a column slice of an
/// `N × k` matrix (all rows), else itself at column 0.
fn slice_source(value: ValueRef) -> (ValueRef, i64) {
    let whole = (value, 0);
    let Some(slice) = value.producer().filter(|op| op.is("tosa.slice")) else {
        return whole;
    };
    let (Some(source), Some(begin), Some(size)) = (
        slice.operand(0),
        slice.operand(1).and_then(|v| emit::const_ints(v.raw())),
        slice.operand(2).and_then(|v| emit::const_ints(v.raw())),
    ) else {
        return whole;
    };
    let Some((shape, _)) = emit::tensor_info(source.raw()) else {
        return whole;
    };
    if shape.len() != 2
        || begin.len() != 2
        || size.len() != 2
        || begin[0] != 0
        || size[0] != shape[0]
        || !(0..=i64::from(u32::MAX)).contains(&begin[1])
    {
        return whole;
    }
    (source, begin[1])
}

fn i8_matrix(value: ValueRef) -> Option<(i64, i64)> {
    match emit::tensor_info(value.raw())? {
        (shape, element) if shape.len() == 2 && element == "i8" => Some((shape[0], shape[1])),
        _ => None,
    }
}

/// The crossbar layers among `ops` (one block, in order), and the
/// `tosa.slice` ops used only by their mvms (free once the layers are calls).
pub fn find(ops: &[OpRef]) -> Result<(Vec<CrossbarLayer>, Vec<OpRef>), MalformedOp> {
    let mut mvms: Vec<Mvm> = Vec::new();
    let mut parts: HashMap<usize, (ValueRef, Part)> = HashMap::new();
    let mut order: Vec<usize> = Vec::new();
    for op in ops.iter().copied() {
        let name = op.name();
        if name == Mvm::NAME {
            let view = Mvm::from_op(op.raw())?;
            let (Some(input), Some(result)) = (ValueRef::new(view.input()), op.result(0)) else {
                continue;
            };
            let (source, in_col) = slice_source(input);
            let cols = view.tile().levels_shape()[1];
            mvms.push(view);
            parts.insert(
                key(result),
                (
                    result,
                    Part {
                        input: source,
                        width: cols,
                        tiles: vec![(mvms.len() - 1, in_col as u32, 0)],
                        members: vec![op],
                    },
                ),
            );
            order.push(key(result));
            continue;
        }
        let concat = name == "tosa.concat"
            && emit::int_attr(op.raw(), "axis") == Some(1)
            && op.num_results() == 1;
        if !(concat || name == Accumulate::NAME) {
            continue;
        }
        let operands = op.operands();
        let complete = !operands.is_empty()
            && operands.iter().all(|v| {
                parts.contains_key(&key(*v)) && v.single_use().is_some_and(|(user, _)| user == op)
            });
        let Some(result) = op.result(0) else {
            continue;
        };
        if !complete {
            continue;
        }
        let pieces: Vec<Part> = operands
            .iter()
            .filter_map(|v| parts.remove(&key(*v)).map(|(_, part)| part))
            .collect();
        let input = pieces[0].input;
        let same_input = pieces.iter().all(|p| key(p.input) == key(input));
        let same_width = pieces.iter().all(|p| p.width == pieces[0].width);
        if !same_input || (!concat && !same_width) {
            // Put them back: each stays a layer of its own.
            for (v, part) in operands.iter().zip(pieces) {
                parts.insert(key(*v), (*v, part));
            }
            continue;
        }
        let mut merged = Part {
            input,
            width: 0,
            tiles: Vec::new(),
            members: Vec::new(),
        };
        for piece in pieces {
            let shift = if concat { merged.width } else { 0 };
            merged
                .tiles
                .extend(piece.tiles.iter().map(|(m, i, o)| (*m, *i, o + shift)));
            merged.members.extend(piece.members);
            merged.width = if concat {
                merged.width + piece.width
            } else {
                piece.width
            };
        }
        merged.members.push(op);
        parts.insert(key(result), (result, merged));
        order.push(key(result));
    }

    let mut layers = Vec::new();
    let mut grouped: HashSet<usize> = HashSet::new();
    for k in order {
        let Some((sum, part)) = parts.remove(&k) else {
            continue;
        };
        if let Some(layer) = layer(sum, part, &mvms) {
            grouped.extend(layer.tiles.iter().map(|t| t.mvm.op().ptr as usize));
            layers.push(layer);
        }
    }
    // Slices read only by grouped mvms.
    let mut slices = Vec::new();
    for op in ops.iter().copied().filter(|op| op.is("tosa.slice")) {
        let users = op.result(0).map(ValueRef::users).unwrap_or_default();
        if !users.is_empty()
            && users
                .iter()
                .all(|u| grouped.contains(&(u.raw().ptr as usize)))
        {
            slices.push(op);
        }
    }
    Ok((layers, slices))
}

/// The layer a finished tree computes, if the runtime can run it as one.
fn layer(sum: ValueRef, mut part: Part, mvms: &[Mvm]) -> Option<CrossbarLayer> {
    let (n, k) = i8_matrix(part.input)?;
    let (shape, element) = emit::tensor_info(sum.raw())?;
    if element != "i32" || shape != [n, part.width] {
        return None;
    }
    let first = &mvms[part.tiles[0].0];
    let read = |m: &Mvm| {
        (
            m.input_bits(),
            m.dac_bits(),
            m.adc_bits(),
            m.adc_shift(),
            m.max_active_rows(),
            m.stage(),
            m.layer().to_string(),
        )
    };
    let params = read(first);
    let mut tiles = Vec::new();
    for (index, in_col, out_col) in &part.tiles {
        let mvm = &mvms[*index];
        if read(mvm) != params || mvm.input_shape()[0] != n {
            return None;
        }
        tiles.push(LayerTile {
            mvm: mvm.clone(),
            in_col: *in_col,
            out_col: u32::try_from(*out_col).ok()?,
        });
    }
    let p = u32::try_from(part.width).ok()?;
    let mut result = sum;
    let mut out_cols = part.width;
    let mut shift_add = None;
    if let Some((user, 0)) = sum.single_use() {
        if user.is(ShiftAddOp::NAME) {
            let view = ShiftAddOp::from_op(user.raw()).ok()?;
            let s = ShiftAdd {
                slices: view.slices(),
                cell_bits: view.cell_bits(),
                differential: view.differential(),
                offset: view.offset(),
                references: view.references(),
            };
            let out = user.result(0)?;
            out_cols = emit::tensor_info(out.raw())?.0.get(1).copied()?;
            if s.group() == 0
                || part.width != out_cols * i64::from(s.group()) + i64::from(s.references)
            {
                return None;
            }
            shift_add = Some(s);
            part.members.push(user);
            result = out;
        }
    }
    let mut input_sums = None;
    if let Some((ops, sums)) = input_sum_sub(result, part.input, (n, k), out_cols) {
        input_sums = Some(sums);
        result = ops.last()?.result(0)?;
        part.members.extend(ops);
    }
    let mut bias = Vec::new();
    if let Some((add, values)) = bias_add(result, out_cols) {
        bias = values;
        part.members.push(add);
        result = add.result(0)?;
    }
    Some(CrossbarLayer {
        input: part.input,
        n,
        k: u32::try_from(k).ok()?,
        p,
        out_cols,
        tiles,
        shift_add,
        input_sums,
        bias,
        result,
        anchor: result.producer()?,
        members: part.members,
    })
}

/// `value`'s only use when it is a `tosa.add` of `value` and an i32
/// constant of one row, `1 × out_cols` or `1 × 1` (broadcast), with the
/// same type as `value`; the add and the constant's row.
fn bias_add(value: ValueRef, out_cols: i64) -> Option<(OpRef, Vec<i32>)> {
    let (add, _) = value.single_use()?;
    if !add.is("tosa.add") || add.num_results() != 1 {
        return None;
    }
    let operands = add.operands();
    let other = match operands.as_slice() {
        [a, b] if key(*a) == key(value) => *b,
        [a, b] if key(*b) == key(value) => *a,
        _ => return None,
    };
    let (shape, element) = emit::tensor_info(other.raw())?;
    if element != "i32" || emit::tensor_info(add.result(0)?.raw()) != emit::tensor_info(value.raw())
    {
        return None;
    }
    if !matches!(shape.as_slice(), [1, c] if *c == out_cols || *c == 1) {
        return None;
    }
    let columns = usize::try_from(out_cols).ok()?;
    let values: Vec<i32> = emit::const_ints(other.raw())?
        .into_iter()
        .map(|v| i32::try_from(v).ok())
        .collect::<Option<_>>()?;
    // A splat reads as one value.
    let row = match values.len() {
        1 => vec![values[0]; columns],
        n if n == columns => values,
        _ => return None,
    };
    Some((add, row))
}

/// `value`'s producer when it is a `name` op whose only use is `value`'s
/// reader, and its first operand.
fn through(value: ValueRef, name: &str) -> Option<(OpRef, ValueRef)> {
    let op = value.producer().filter(|op| op.is(name))?;
    value.single_use()?;
    Some((op, op.operand(0)?))
}

fn shape_of(value: ValueRef) -> Option<Vec<i64>> {
    emit::tensor_info(value.raw()).map(|(shape, _)| shape)
}

/// The weight zero point's correction after `value`, as
/// `cim-lower-crossbar-ops` writes it: `value`'s only use is
/// `tosa.sub(value, tosa.mul(S, zp, 0))` with `S` the i32 sums of runs of
/// the `n × k` `input`'s rows (cast, reshape to `n × g × k/g`, reduce_sum
/// on axis 2, reshape to `n × g`; for g > 1 repeated to the result's
/// columns by reshape, tile, reshape), every value in it used once. The
/// ops in program order, the sub last, and the correction.
fn input_sum_sub(
    value: ValueRef,
    input: ValueRef,
    (n, k): (i64, i64),
    out_cols: i64,
) -> Option<(Vec<OpRef>, InputSums)> {
    let (sub, 0) = value.single_use()? else {
        return None;
    };
    if !sub.is("tosa.sub")
        || emit::tensor_info(sub.result(0)?.raw()) != emit::tensor_info(value.raw())
    {
        return None;
    }
    let (mul, sums) = through(sub.operand(1)?, "tosa.mul")?;
    let constant = |index: usize| {
        let v = mul.operand(index)?;
        let values = emit::const_ints(v.raw())?;
        (values.len() == 1).then_some(values[0])
    };
    let weight_zero_point = i32::try_from(constant(1)?).ok()?;
    if constant(2)? != 0 || shape_of(mul.operand(1)?)? != [1, 1] {
        return None;
    }
    // Backwards from the mul: [reshape, tile, reshape,] reshape,
    // reduce_sum, reshape, cast.
    let mut ops = vec![sub, mul];
    let (last, mut at) = through(sums, "tosa.reshape")?;
    ops.push(last);
    let repeated = at.producer().is_some_and(|op| op.is("tosa.tile"));
    if repeated {
        let (tile, b) = through(at, "tosa.tile")?;
        let (three, c) = through(b, "tosa.reshape")?;
        let (grouped, d) = through(c, "tosa.reshape")?;
        ops.extend([tile, three, grouped]);
        if shape_of(tile.result(0)?)?.iter().product::<i64>() != n * out_cols {
            return None;
        }
        at = d;
    }
    let (reduce, e) = through(at, "tosa.reduce_sum")?;
    let (split, f) = through(e, "tosa.reshape")?;
    let (cast, g) = through(f, "tosa.cast")?;
    ops.extend([reduce, split, cast]);
    if key(g) != key(input) || emit::int_attr(reduce.raw(), "axis") != Some(2) {
        return None;
    }
    let split_shape = shape_of(split.result(0)?)?;
    let [rows, groups, run] = split_shape.as_slice() else {
        return None;
    };
    let (_, element) = emit::tensor_info(cast.result(0)?.raw())?;
    let sums_shape = shape_of(sums)?;
    let columns_fit = if *groups == 1 {
        sums_shape == [n, 1]
    } else {
        out_cols % groups == 0 && sums_shape == [n, out_cols] && (repeated || *groups == out_cols)
    };
    if element != "i32" || *rows != n || groups * run != k || !columns_fit {
        return None;
    }
    ops.reverse();
    Some((
        ops,
        InputSums {
            weight_zero_point,
            groups: u32::try_from(*groups).ok()?,
        },
    ))
}
