//! `cim-tile`: cuts level matrices into array-sized tiles.

use super::{matmuls, MatmulFacts};
use crate::diag::raw_op_error;
use crate::emit::{self, Emitter};
use crate::raw::RawValue;
use crate::{OptionInfo, Pass, PassContext, PassFailed, PassInfo};
use cimc_dialects::cim::{self, Accumulate, Mvm, MvmAttrs, Program, ProgramAttrs, TilePosition};
use cimc_dialects::handle::OpRef;
use cimc_target::Target;
use melior::ir::operation::OperationRefMut;
use std::sync::Arc;

pub static INFO: PassInfo = PassInfo {
    argument: "cim-tile",
    summary: "Tile bit-sliced crossbar matmuls onto arrays",
    description: "\
A bit-sliced `cim.matmul` (cell levels, K rows × P columns) becomes one
`cim.program` + `cim.mvm` per tile of at most `array.rows` × `array.cols`
cells: row tile r takes input columns r·rows … (host `tosa.slice`), column
tiles are concatenated (`tosa.concat`), and row tiles' partial sums meet in
`cim.accumulate`. A partial tile still takes a whole array. Depthwise layers
(blocks > 1) pack channels block-diagonally: each array holds
min(rows / K, cols / Q) channel blocks of K rows × Q columns, zeros
elsewhere. Each `cim.mvm` carries the target's DAC and ADC bits, the rows
it may activate at once and its ADC range, `cim.adc_shift` (one LSB = 2^k
sum units): the layer's entry in the module's `cim.adc_shifts` (ADC range
calibration) or else the target's `array.adc.range` policy; each `cim.program` records its offset in the
layer's matrix (`cim.row_offset`, `cim.col_offset`) and its weight cells
(`cim.used_cells`).

Example: 147 rows × 256 columns on 128×128 arrays: 2 row tiles × 2 column
tiles, 4 arrays. With the target's `weight_flip` (isaac), columns whose
levels sum to more than half the maximum are stored complemented, listed in
`cim.flipped`: the ADC then never sees more than half the worst-case sum.",
    anchor: Some("func.func"),
    options: &[] as &[OptionInfo],
    create: |_, ctx: &PassContext| {
        Box::new(Tile {
            target: ctx.target.clone(),
        })
    },
};

struct Tile {
    target: Arc<Target>,
}

impl Pass for Tile {
    fn run(&self, func: OperationRefMut<'_, '_>) -> Result<(), PassFailed> {
        // Calibrated ADC ranges, per layer, on the module; the target's
        // policy for the others.
        let mut shifts = std::collections::BTreeMap::new();
        if let Some(module) = module_of(func.to_raw()) {
            match cim::adc_shifts(module) {
                Ok(found) => shifts = found,
                Err(message) => {
                    raw_op_error(module, &message);
                    return Err(PassFailed);
                }
            }
        }
        let policy = self.target.adc_shift();
        let mut ok = true;
        for f in matmuls(func.to_raw())? {
            if f.cell_bits == 0 {
                continue; // not bit-sliced yet
            }
            let op = f.op;
            let e = Emitter::before(op);
            let adc_shift = shifts.get(&f.attrs.layer).copied().unwrap_or(policy);
            let result = if f.blocks == 1 {
                self.plain(&e, &f, adc_shift)
            } else {
                match self.blocks(&e, &f, adc_shift) {
                    Some(value) => value,
                    None => {
                        raw_op_error(op,
                            &format!(
                                "has channel blocks of {} rows × {} columns, larger than one {}×{} array",
                                f.k,
                                f.p / f.blocks,
                                self.target.array.rows,
                                self.target.array.cols
                            ),
                        );
                        ok = false;
                        continue;
                    }
                }
            };
            emit::replace_uses(emit::result_of(op, 0), result);
            emit::erase(op);
        }
        if ok {
            Ok(())
        } else {
            Err(PassFailed)
        }
    }
}

struct TileSpec<'a> {
    input: RawValue,
    levels: Vec<i64>,
    rows: i64,
    cols: i64,
    row_offset: i64,
    col_offset: i64,
    used_cells: i64,
    /// The mvm's `cim.adc_shift`.
    adc_shift: u32,
    facts: &'a MatmulFacts,
}

/// The module `op` sits in.
fn module_of(op: mlir_sys::MlirOperation) -> Option<mlir_sys::MlirOperation> {
    OpRef::new(op)
        .and_then(|o| o.ancestor("builtin.module"))
        .map(OpRef::raw)
}

/// ISAAC's weight flip: a column whose levels sum to more than half their
/// maximum stores the complements (max level - level) instead, so that no
/// column sum exceeds half the worst case; the periphery undoes it digitally
/// (max level · Σx - sum).
fn flipped_columns(spec: &TileSpec, cell_bits: i64) -> Vec<bool> {
    let max_level = (1i64 << cell_bits) - 1;
    (0..spec.cols)
        .map(|c| {
            let sum: i64 = (0..spec.rows)
                .map(|r| spec.levels[(r * spec.cols + c) as usize])
                .sum();
            2 * sum > spec.rows * max_level
        })
        .collect()
}

impl Tile {
    /// One array: program the levels, read them with the input.
    fn array(&self, e: &Emitter, spec: TileSpec) -> RawValue {
        let f = spec.facts;
        let levels = e.const_levels(&[spec.rows, spec.cols], &spec.levels, f.cell_bits);
        let program = Program::build(
            e.builder(),
            levels,
            &ProgramAttrs {
                cell_bits: f.attrs.cell_bits,
                weight_bits: f.attrs.weight_bits,
                layer: f.attrs.layer.clone(),
            },
        );
        program.set_position(TilePosition {
            row_offset: spec.row_offset,
            col_offset: spec.col_offset,
            used_cells: spec.used_cells,
        });
        if self.target.array.weight_flip {
            program.set_flipped(&flipped_columns(&spec, f.cell_bits));
        }
        let array = &self.target.array;
        Mvm::build(
            e.builder(),
            &program,
            spec.input,
            e.tensor(&[f.windows, spec.cols], "i32"),
            &MvmAttrs {
                input_bits: f.attrs.input_bits,
                dac_bits: array.dac_bits,
                adc_bits: array.adc.bits,
                adc_shift: spec.adc_shift,
                max_active_rows: array.max_active_rows,
                layer: f.attrs.layer.clone(),
            },
        )
        .result()
    }

    fn concat(&self, e: &Emitter, parts: Vec<RawValue>, rows: i64, cols: i64) -> RawValue {
        if parts.len() == 1 {
            return parts[0];
        }
        e.value(
            "tosa.concat",
            &parts,
            e.tensor(&[rows, cols], "i32"),
            &[("axis", e.attr("1 : i32"))],
        )
    }

    fn plain(&self, e: &Emitter, f: &MatmulFacts, adc_shift: u32) -> RawValue {
        let (rows, cols) = (
            i64::from(self.target.array.rows),
            i64::from(self.target.array.cols),
        );
        let mut row_partials = Vec::new();
        for r0 in (0..f.k).step_by(rows as usize) {
            let rlen = rows.min(f.k - r0);
            let input = if rlen == f.k {
                f.input
            } else {
                e.slice_cols(f.input, f.windows, r0, rlen, "i8")
            };
            let mut parts = Vec::new();
            for c0 in (0..f.p).step_by(cols as usize) {
                let clen = cols.min(f.p - c0);
                let levels = (r0..r0 + rlen)
                    .flat_map(|r| (c0..c0 + clen).map(move |c| (r, c)))
                    .map(|(r, c)| f.weights[(r * f.p + c) as usize])
                    .collect();
                parts.push(self.array(
                    e,
                    TileSpec {
                        input,
                        levels,
                        rows: rlen,
                        cols: clen,
                        row_offset: r0,
                        col_offset: c0,
                        used_cells: rlen * clen,
                        adc_shift,
                        facts: f,
                    },
                ));
            }
            row_partials.push(self.concat(e, parts, f.windows, f.p));
        }
        if row_partials.len() == 1 {
            return row_partials[0];
        }
        Accumulate::build(
            e.builder(),
            &row_partials,
            e.tensor(&[f.windows, f.p], "i32"),
        )
        .result()
    }

    /// Block-diagonal packing; `None` when one block exceeds an array.
    fn blocks(&self, e: &Emitter, f: &MatmulFacts, adc_shift: u32) -> Option<RawValue> {
        let (rows, cols) = (
            i64::from(self.target.array.rows),
            i64::from(self.target.array.cols),
        );
        let q = f.p / f.blocks;
        let per_array = (rows / f.k).min(cols / q);
        if per_array == 0 {
            return None;
        }
        let mut parts = Vec::new();
        for b0 in (0..f.blocks).step_by(per_array as usize) {
            let nb = per_array.min(f.blocks - b0);
            let (rlen, clen) = (nb * f.k, nb * q);
            let input = if nb == f.blocks {
                f.input
            } else {
                e.slice_cols(f.input, f.windows, b0 * f.k, rlen, "i8")
            };
            let mut levels = vec![0i64; (rlen * clen) as usize];
            for b in 0..nb {
                for r in 0..f.k {
                    for j in 0..q {
                        levels[((b * f.k + r) * clen + b * q + j) as usize] =
                            f.weights[(r * f.p + (b0 + b) * q + j) as usize];
                    }
                }
            }
            parts.push(self.array(
                e,
                TileSpec {
                    input,
                    levels,
                    rows: rlen,
                    cols: clen,
                    row_offset: b0 * f.k,
                    col_offset: b0 * q,
                    used_cells: nb * f.k * q,
                    adc_shift,
                    facts: f,
                },
            ));
        }
        Some(self.concat(e, parts, f.windows, f.p))
    }
}
