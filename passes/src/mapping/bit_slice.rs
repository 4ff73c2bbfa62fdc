//! `cim-bit-slice`: spreads each weight over cells of the target's cell bits.

use super::matmuls;
use crate::emit::{self, Emitter};
use crate::{OptionInfo, Pass, PassContext, PassFailed, PassInfo};
use cimc_dialects::cim::{Matmul, MatmulAttrs, ShiftAdd, ShiftAddAttrs};
use cimc_target::{Encoding, Target};
use melior::ir::operation::OperationRefMut;
use std::sync::Arc;

pub static INFO: PassInfo = PassInfo {
    argument: "cim-bit-slice",
    summary: "Bit-slice crossbar weights over multi-bit cells",
    description: "\
A `cim.matmul` whose weights are B-bit signed integers becomes a `cim.matmul`
over cell levels (`cell_bits` = c of the target) followed by `cim.shift_add`:
  * offset encoding: u = w + 2^(B-1) in [0, 2^B - 1] is cut into S = ceil(B/c)
    slices of c bits (least significant first), one column each, and each
    block of outputs (the whole matrix, or one depthwise channel) gets one
    reference column of level-1 cells after its weights' columns, which
    reads the window's input sum Σx; the result is Σ_s P_s·2^(s·c) -
    2^(B-1)·Σx, both in `cim.shift_add` (its `offset`), on the chip;
  * differential encoding: w = w+ - w-, each magnitude sliced into S columns;
    the result is Σ_s (P+_s - P-_s)·2^(s·c), no correction.
Columns of one weight are adjacent: weight o owns columns o·S … o·S+S-1
(o·2S … for differential, positive slices first). B comes from the weights'
value range (the `weight_bits` attribute).

Example: 8-bit weights on 2-bit cells (isaac) become 4 level columns each;
64 outputs take 4·64 + 1 = 257 columns.",
    anchor: Some("func.func"),
    options: &[] as &[OptionInfo],
    create: |_, ctx: &PassContext| {
        Box::new(BitSlice {
            target: ctx.target.clone(),
        })
    },
};

struct BitSlice {
    target: Arc<Target>,
}

impl Pass for BitSlice {
    fn run(&self, func: OperationRefMut<'_, '_>) -> Result<(), PassFailed> {
        let c = i64::from(self.target.array.cell_bits);
        let differential = self.target.array.encoding == Encoding::Differential;
        for f in matmuls(func.to_raw())? {
            if f.cell_bits != 0 {
                continue; // already levels
            }
            let b = f.weight_bits;
            let e = Emitter::before(f.op);
            let mask = (1i64 << c) - 1;
            // |w| ≤ 2^(B-1) fits B unsigned bits, so both encodings take
            // ceil(B/c) slices; differential stores two columns per slice.
            let slices = (b + c - 1) / c;
            let columns = if differential { 2 * slices } else { slices };
            // Offset encoding: each block of outputs ends in a reference
            // column of level-1 cells, which reads the window's input sum.
            let references = if differential { 0 } else { f.blocks };
            let per = f.p / f.blocks;
            let block_width = per * columns + i64::from(!differential);
            let width = f.blocks * block_width;
            let column = |o: i64| o / per * block_width + o % per * columns;
            let mut levels = vec![0i64; (f.k * width) as usize];
            for r in 0..f.k {
                if !differential {
                    for block in 0..f.blocks {
                        levels[(r * width + block * block_width + per * columns) as usize] = 1;
                    }
                }
                for o in 0..f.p {
                    let w = f.weights[(r * f.p + o) as usize];
                    let base = (r * width + column(o)) as usize;
                    if differential {
                        let (pos, neg) = (w.max(0), (-w).max(0));
                        for s in 0..slices {
                            levels[base + s as usize] = (pos >> (s * c)) & mask;
                            levels[base + (slices + s) as usize] = (neg >> (s * c)) & mask;
                        }
                    } else {
                        let u = w + (1 << (b - 1));
                        for s in 0..slices {
                            levels[base + s as usize] = (u >> (s * c)) & mask;
                        }
                    }
                }
            }
            let level_const = e.const_levels(&[f.k, width], &levels, c);
            let partials = Matmul::build(
                e.builder(),
                f.input,
                level_const,
                e.tensor(&[f.windows, width], "i32"),
                &MatmulAttrs {
                    cell_bits: self.target.array.cell_bits,
                    ..f.attrs.clone()
                },
            );
            let y = ShiftAdd::build(
                e.builder(),
                partials.result(),
                e.tensor(&[f.windows, f.p], "i32"),
                &ShiftAddAttrs {
                    slices: slices as u32,
                    cell_bits: self.target.array.cell_bits,
                    differential,
                    // Σx·w = Σx·u - 2^(B-1)·Σx, Σx from the reference columns.
                    offset: if references > 0 { 1u32 << (b - 1) } else { 0 },
                },
            )
            .result();
            emit::replace_uses(emit::result_of(f.op, 0), y);
            emit::erase(f.op);
        }
        Ok(())
    }
}
