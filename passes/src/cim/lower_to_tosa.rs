//! `cim-lower-to-tosa`: rewrites `cim` ops as the TOSA ops they equal, so that
//! mapped IR runs in reference execution and can be checked bit for bit
//! against the model it came from.

use crate::emit::{self, Emitter};
use crate::raw::{RawOp, RawValue};
use crate::{Pass, PassFailed, PassInfo};
use cimc_dialects::cim::{self, Accumulate, Im2col, Matmul, Mvm, ShiftAdd};
use cimc_target::cost;
use melior::ir::operation::OperationRefMut;

crate::pass_options! {
    /// The options of `cim-lower-to-tosa`.
    pub struct LowerToTosaOptions {
        ideal_adc: bool = ("ideal-adc", "false", "treat every ADC as ideal, to check a mapping's arithmetic on chips whose ADCs clip"),
    }
}

pub static INFO: PassInfo = PassInfo {
    argument: "cim-lower-to-tosa",
    summary: "Rewrite cim ops as equivalent TOSA ops (ideal ADC)",
    description: "\
The executable meaning of the cim dialect, for testing mappings: after this
pass a mapped module is plain TOSA again and runs in reference execution.
  * cim.im2col: tosa.pad with the pad value, one tosa.slice per kernel
    position (strides by pad + reshape + slice), tosa.concat; channel-major
    order by a tosa.transpose;
  * cim.matmul and cim.mvm: tosa.matmul against the constant levels (a
    block-diagonal matrix for blocks > 1);
  * cim.shift_add: reshape to [N, O, S], multiply by 2^(s·cell_bits) (negated
    for the negative half when differential), tosa.reduce_sum; reference
    columns sliced out, multiplied by the offset and subtracted;
  * cim.accumulate: tosa.add.
A `cim.mvm` is lowered only when its ADC is ideal for its tile: no column
sum of one step, over the levels as stored (complemented in the columns
`cim.flipped` lists) and the largest digit its inputs apply, can exceed
2^adc_bits - 1 and one LSB is one sum unit (no `cim.adc_shift`), or the
array has no ADC (the cost model's bound, the one the simulator's exact
kernel needs).
Clipping is the simulator's business; lowering it as exact would lie.
With `ideal-adc=true` every ADC is taken as ideal: that checks a mapping's
arithmetic on a chip whose real ADCs clip.

Example: `cimc --emit=cim net.mlir | cimc - --pass-pipeline='builtin.module(
func.func(cim-lower-to-tosa))'` prints TOSA that computes what net.mlir does.",
    anchor: Some("func.func"),
    options: LowerToTosaOptions::INFO,
    create: |options, _| {
        Box::new(LowerToTosa {
            ideal_adc: LowerToTosaOptions::from(options).ideal_adc,
        })
    },
};

struct LowerToTosa {
    ideal_adc: bool,
}

impl Pass for LowerToTosa {
    fn run(&self, func: OperationRefMut<'_, '_>) -> Result<(), PassFailed> {
        let ops: Vec<RawOp> = crate::ir::nested_ops(func.to_raw());
        let mut programs = Vec::new();
        for op in ops {
            let lowered = match cim::Op::from_op(op).map_err(crate::diag::malformed)? {
                Some(cim::Op::Im2col(view)) => im2col(&view),
                Some(cim::Op::Matmul(view)) => matmul(&view),
                Some(cim::Op::Mvm(view)) => mvm(&view, self.ideal_adc),
                Some(cim::Op::ShiftAdd(view)) => shift_add(&view),
                Some(cim::Op::Accumulate(view)) => accumulate(&view),
                Some(cim::Op::Program(_)) => {
                    programs.push(op);
                    continue;
                }
                None => continue,
            };
            emit::replace_or_report(op, lowered)?;
        }
        for program in programs {
            if crate::ir::results_unused(program) {
                emit::erase(program);
            }
        }
        Ok(())
    }
}

type Lowered = Result<RawValue, String>;

fn shape(value: RawValue) -> Result<Vec<i64>, String> {
    emit::tensor_info(value)
        .map(|(s, _)| s)
        .ok_or_else(|| "has an operand that is not a ranked tensor".to_string())
}

fn im2col(op: &Im2col) -> Lowered {
    let e = Emitter::before(op.op());
    let x = op.input();
    let s = op.input_shape();
    let (n, h, w, c) = (s[0], s[1], s[2], s[3]);
    let (kernel, stride, dilation, pad) = (op.kernel(), op.stride(), op.dilation(), op.pad());
    let pad_value = op.pad_value();
    let channel_major = op.channel_major();
    let (ph, pw) = (h + pad[0] + pad[1], w + pad[2] + pad[3]);
    let oh = (ph - (kernel[0] - 1) * dilation[0] - 1) / stride[0] + 1;
    let ow = (pw - (kernel[1] - 1) * dilation[1] - 1) / stride[1] + 1;
    let padded = pad_nhwc(
        &e,
        x,
        [n, h, w, c],
        [pad[0], pad[1], pad[2], pad[3]],
        pad_value,
    );
    let windows = n * oh * ow;
    let mut pieces = Vec::new();
    for kh in 0..kernel[0] {
        for kw in 0..kernel[1] {
            let (hs, ws) = ((oh - 1) * stride[0] + 1, (ow - 1) * stride[1] + 1);
            let begin = e.shape(&[0, kh * dilation[0], kw * dilation[1], 0]);
            let size = e.shape(&[n, hs, ws, c]);
            let mut piece = e.value(
                "tosa.slice",
                &[padded, begin, size],
                e.tensor(&[n, hs, ws, c], "i8"),
                &[],
            );
            if stride[0] > 1 || stride[1] > 1 {
                // Pad to whole strides, then keep element 0 of every stride.
                let full = pad_nhwc(
                    &e,
                    piece,
                    [n, hs, ws, c],
                    [0, stride[0] - 1, 0, stride[1] - 1],
                    0,
                );
                let grouped = e.reshape(full, &[n * oh, stride[0], ow, stride[1] * c], "i8");
                let begin = e.shape(&[0, 0, 0, 0]);
                let size = e.shape(&[n * oh, 1, ow, c]);
                piece = e.value(
                    "tosa.slice",
                    &[grouped, begin, size],
                    e.tensor(&[n * oh, 1, ow, c], "i8"),
                    &[],
                );
            }
            pieces.push(e.reshape(piece, &[windows, c], "i8"));
        }
    }
    let k2 = kernel[0] * kernel[1];
    let mut cols = if pieces.len() == 1 {
        pieces[0]
    } else {
        e.value(
            "tosa.concat",
            &pieces,
            e.tensor(&[windows, k2 * c], "i8"),
            &[("axis", e.attr("1 : i32"))],
        )
    };
    if channel_major && k2 > 1 && c > 1 {
        let three = e.reshape(cols, &[windows, k2, c], "i8");
        let swapped = e.value(
            "tosa.transpose",
            &[three],
            e.tensor(&[windows, c, k2], "i8"),
            &[("perms", e.attr("array<i32: 0, 2, 1>"))],
        );
        cols = e.reshape(swapped, &[windows, c * k2], "i8");
    }
    Ok(cols)
}

fn pad_nhwc(e: &Emitter, x: RawValue, dims: [i64; 4], pad: [i64; 4], value: i64) -> RawValue {
    if pad.iter().all(|p| *p == 0) {
        return x;
    }
    let padding = e.shape(&[0, 0, pad[0], pad[1], pad[2], pad[3], 0, 0]);
    let constant = e.const_i8(&[1], &[value as i8]);
    let out = [
        dims[0],
        dims[1] + pad[0] + pad[1],
        dims[2] + pad[2] + pad[3],
        dims[3],
    ];
    e.value(
        "tosa.pad",
        &[x, padding, constant],
        e.tensor(&out, "i8"),
        &[],
    )
}

/// `x [N, K] i8` times constant levels `[K, P]` (i8) in i32.
fn product(e: &Emitter, x: RawValue, levels: &[i64], k: i64, p: i64) -> Lowered {
    let rows = shape(x)?[0];
    if levels.iter().any(|v| *v < -128 || *v > 127) {
        return Err(
            "has weights outside i8; cim-lower-to-tosa handles cells of up to 7 bits".into(),
        );
    }
    let a = e.reshape(x, &[1, rows, k], "i8");
    let narrow: Vec<i8> = levels.iter().map(|v| *v as i8).collect();
    let b = e.const_i8(&[1, k, p], &narrow);
    let zero = e.const_i8(&[1], &[0]);
    let out = e.value(
        "tosa.matmul",
        &[a, b, zero, zero],
        e.tensor(&[1, rows, p], "i32"),
        &[],
    );
    Ok(e.reshape(out, &[rows, p], "i32"))
}

fn matmul(op: &Matmul) -> Lowered {
    let e = Emitter::before(op.op());
    let weights = emit::const_ints(op.weights()).ok_or("has weights that are not constant")?;
    let s = op.weights_shape();
    let (k, p) = (s[0], s[1]);
    let blocks = i64::from(op.blocks());
    if blocks == 1 {
        return product(&e, op.input(), &weights, k, p);
    }
    let q = p / blocks;
    let mut full = vec![0i64; (blocks * k * p) as usize];
    for b in 0..blocks {
        for r in 0..k {
            for j in 0..q {
                full[((b * k + r) * p + b * q + j) as usize] =
                    weights[(r * p + b * q + j) as usize];
            }
        }
    }
    product(&e, op.input(), &full, blocks * k, p)
}

fn mvm(op: &Mvm, assume_ideal: bool) -> Lowered {
    let e = Emitter::before(op.op());
    let program = op.tile();
    let levels_value = program.levels();
    let levels =
        emit::const_ints(levels_value).ok_or("reads a tile whose levels are not constant")?;
    let s = program.levels_shape();
    let (adc, dac, active) = (
        op.adc_bits(),
        op.dac_bits().max(1),
        op.max_active_rows().max(1),
    );
    if adc > 0 && !assume_ideal && op.adc_shift() > 0 {
        return Err(format!(
            "reads through an ADC whose LSB is 2^{k} sum units (cim.adc_shift = {k}), so the low \
             bits of its sums are rounded off; cim-lower-to-tosa models an ideal ADC only (use the \
             simulator)",
            k = op.adc_shift()
        ));
    }
    if adc > 0 && !assume_ideal {
        // Worst column sum of one step: the rows read together, each at the
        // level it stores (complemented in flipped columns), driven at the
        // largest digit of its inputs.
        let max_level = cost::max_cell_level(program.cell_bits()) as i64;
        let digit = cost::max_input_digit(op.input_bits(), dac);
        let flipped = program.flipped().unwrap_or_default();
        let (rows, cols) = (s[0], s[1]);
        let worst = (0..cols)
            .map(|c| {
                let flip = flipped.get(c as usize).copied().unwrap_or(false);
                let stored = (0..rows).map(|r| {
                    let level = levels[(r * cols + c) as usize];
                    u64::try_from(if flip { max_level - level } else { level }).unwrap_or(0)
                });
                cost::column_sum_bound(cost::max_group_level_sum(stored, active), digit)
            })
            .max()
            .unwrap_or(0);
        if !cost::adc_is_ideal(worst, adc) {
            return Err(format!(
                "has column sums up to {worst} per step, beyond its {adc}-bit ADC; cim-lower-to-tosa \
                 models an ideal ADC only (raise array.adc.bits, or use the simulator)"
            ));
        }
    }
    product(&e, op.input(), &levels, s[0], s[1])
}

fn shift_add(op: &ShiftAdd) -> Lowered {
    let e = Emitter::before(op.op());
    let x = op.partials();
    let s = op.partials_shape();
    let slices = i64::from(op.slices());
    let cell_bits = i64::from(op.cell_bits());
    let per_weight = i64::from(op.group());
    let references = i64::from(op.references());
    let (rows, outputs) = (s[0], (s[1] - references) / per_weight);
    // With reference columns: R blocks of per·G data columns and one
    // reference column each, as [N·R, per·G + 1].
    let (data, reference) = if references == 0 {
        (x, None)
    } else {
        let per = outputs / references;
        let width = per * per_weight;
        let blocks = e.reshape(x, &[rows * references, width + 1], "i32");
        let data = e.slice_cols(blocks, rows * references, 0, width, "i32");
        let sums = e.slice_cols(blocks, rows * references, width, 1, "i32");
        let offset = e.const_i32(&[1, 1], &[op.offset() as i32]);
        let term = e.mul(sums, offset, &[rows * references, 1]);
        let term = e.reshape(term, &[rows, references], "i32");
        let term = crate::mapping::repeat_columns(&e, term, rows, references, per);
        (data, Some(term))
    };
    let grouped = e.reshape(data, &[rows, outputs, per_weight], "i32");
    let weights: Vec<i32> = (0..per_weight)
        .map(|i| {
            let magnitude = 1i32 << ((i % slices) * cell_bits);
            if i >= slices {
                -magnitude
            } else {
                magnitude
            }
        })
        .collect();
    let scale = e.const_i32(&[1, 1, per_weight], &weights);
    let scaled = e.mul(grouped, scale, &[rows, outputs, per_weight]);
    let summed = e.value(
        "tosa.reduce_sum",
        &[scaled],
        e.tensor(&[rows, outputs, 1], "i32"),
        &[("axis", e.attr("2 : i32"))],
    );
    let y = e.reshape(summed, &[rows, outputs], "i32");
    Ok(match reference {
        Some(term) => e.binary("tosa.sub", y, term, &[rows, outputs]),
        None => y,
    })
}

fn accumulate(op: &Accumulate) -> Lowered {
    let e = Emitter::before(op.op());
    let partials = op.partials();
    let s = shape(partials[0])?;
    let mut sum = partials[0];
    for partial in &partials[1..] {
        sum = e.binary("tosa.add", sum, *partial, &s);
    }
    Ok(sum)
}
