//! Crossbar layers run from program tables (`cimc_target::tables`): the
//! runtime side of "the mapped program as data".
//!
//! [`load_tables`] programs every tile of a decoded blob (and each of its
//! replicas) and returns its layers; [`Layer::run`] computes one layer's
//! crossbar part for an `N × k` input. The N input vectors are split into
//! as many contiguous shares as the layer has replicas (the first `N mod R`
//! one longer); each replica's share is brought to the cores of its tiles
//! (`Simulator::bring`: the bytes its tiles read, scaled by the caller's
//! `input_scale` when the matrix is a window gather of a smaller feature
//! map), then each tile's mvm runs on its input columns, so replicas and
//! tiles overlap in time as the placement allows. The row tiles' partial
//! sums are added and the bit slices recombined; that digital work runs on
//! the vector units of the layer's cores as elementwise ops: the reduction
//! of row tiles as `cim.accumulate` (`N × p` elements, when tiles share
//! output columns) and the shift-add as `cim.shift_add` (`N × p`
//! elements); column tiles write disjoint columns and cost nothing extra.
//! The corrections `cim-lower-crossbar-ops` puts after the sums follow, each
//! charged as the TOSA ops it replaces were: a weight zero point's share
//! (`zp · Σx` over each window's group of inputs: `tosa.cast` and
//! `tosa.reduce_sum` of the N × k input after the layer's own dependencies,
//! `tosa.tile` when groups repeat, `tosa.mul`, then `tosa.sub` after the
//! sums), and a bias row added to every result row (`tosa.add`, N × columns
//! i32 elements: the op's bias less the input zero point's share).

use cimc_target::tables::{InputSums, LayerRecord, ProgramTables, ShiftAdd};

use crate::error::{Result, SimError};
use crate::ids::{ArrayId, Token};
use crate::mvm::MvmParams;
use crate::sim::{MvmIssue, Simulator, VectorOp};
use crate::tile::Tile;
use cimc_target::cost::OpClass;

/// One tile of a loaded layer: where it is and what it reads and writes.
#[derive(Debug, Clone, Copy)]
struct PlacedTile {
    array: ArrayId,
    phase: u32,
    rows: u32,
    cols: u32,
    in_col: usize,
    out_col: usize,
}

/// A layer of loaded program tables.
#[derive(Debug, Clone)]
pub struct Layer {
    name: String,
    k: usize,
    p: usize,
    params: MvmParams,
    stage: u32,
    shift_add: Option<ShiftAdd>,
    /// The weight zero point's correction.
    input_sums: Option<InputSums>,
    /// Added to every result row (empty: none).
    bias: Vec<i32>,
    /// `replicas[r]`: the layer's tiles on the arrays of copy r.
    replicas: Vec<Vec<PlacedTile>>,
    /// Some output column is written by more than one tile (row tiles).
    reduces: bool,
    /// Per partial-sum column, log2 of its weight in the result (a slice's
    /// slice·cell_bits, a reference column's offset), for ADC calibration.
    significance: Vec<u32>,
}

impl Layer {
    fn new(record: &LayerRecord, tables: &ProgramTables) -> Layer {
        // `ProgramTables::decode` checked every index and extent, and that
        // every tile of a layer has as many copies as its first.
        let copies = tables.tiles[record.tiles[0].tile as usize].copies();
        let replicas: Vec<Vec<PlacedTile>> = (0..copies)
            .map(|r| {
                record
                    .tiles
                    .iter()
                    .map(|t| {
                        let tile = &tables.tiles[t.tile as usize];
                        let at = tile.placement(r).expect("checked copies");
                        PlacedTile {
                            array: ArrayId::new(at.core, at.macro_, at.array),
                            phase: at.phase,
                            rows: tile.rows,
                            cols: tile.cols,
                            in_col: t.in_col as usize,
                            out_col: t.out_col as usize,
                        }
                    })
                    .collect()
            })
            .collect();
        let mut writers = vec![0u32; record.p as usize];
        for t in &replicas[0] {
            for w in &mut writers[t.out_col..t.out_col + t.cols as usize] {
                *w += 1;
            }
        }
        Layer {
            name: record.name.clone(),
            k: record.k as usize,
            p: record.p as usize,
            params: MvmParams {
                input_bits: record.input_bits,
                dac_bits: record.dac_bits,
                adc_bits: record.adc_bits,
                adc_shift: record.adc_shift,
                max_active_rows: record.max_active_rows,
            },
            stage: record.stage,
            shift_add: record.shift_add,
            input_sums: record.input_sums,
            bias: record.bias.clone(),
            significance: significance(record),
            reduces: writers.iter().any(|w| *w > 1),
            replicas,
        }
    }

    /// The layer's name (its `cim` layer attribute).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Elements per input vector.
    pub fn input_cols(&self) -> usize {
        self.k
    }

    /// Copies of the layer's weights (1: not replicated).
    pub fn replicas(&self) -> usize {
        self.replicas.len()
    }

    /// Columns of the result.
    pub fn output_cols(&self) -> usize {
        self.shift_add
            .map_or(self.p, |s| s.out_cols(self.p as u32) as usize)
    }
}

/// Per partial-sum column of `record`, log2 of its weight in the layer's
/// result: 2^(s·cell_bits) for slice s (either half of a differential
/// pair), the offset for a reference column, 1 without a shift-add.
fn significance(record: &LayerRecord) -> Vec<u32> {
    let mut w = vec![0u32; record.p as usize];
    let Some(s) = record.shift_add else {
        return w;
    };
    let outputs = s.out_cols(record.p);
    for o in 0..outputs {
        let (g, r) = s.columns(o, outputs);
        for slice in 0..s.slices {
            let halves = if s.differential { 2 } else { 1 };
            for half in 0..halves {
                if let Some(c) = w.get_mut((g + half * s.slices + slice) as usize) {
                    *c = slice * s.cell_bits;
                }
            }
        }
        if let (Some(r), true) = (r, s.offset > 0) {
            if let Some(c) = w.get_mut(r as usize) {
                *c = s.offset.ilog2();
            }
        }
    }
    w
}

/// Adds the `n × cols` partial sums of a tile into columns `out_col …` of
/// the `n × p` sums (wrapping, like the host code).
fn add_columns(sums: &mut [i32], p: usize, out_col: usize, cols: usize, partial: &[i32]) {
    for (row, part) in sums.chunks_exact_mut(p).zip(partial.chunks_exact(cols)) {
        for (s, v) in row[out_col..out_col + cols].iter_mut().zip(part) {
            *s = s.wrapping_add(*v);
        }
    }
}

/// `out[n][o] = Σ_s (partials[n][g + s] − [differential] partials[n][g +
/// S + s]) · 2^(s·c) − offset · partials[n][r]`, with g and r output o's
/// group and reference column ([`ShiftAdd::columns`]), wrapping in i32 like
/// the host code it replaces.
fn shift_add(s: ShiftAdd, partials: &[i32], n: usize, p: usize, out: &mut [i32]) {
    let slices = s.slices as usize;
    let o = s.out_cols(p as u32);
    let columns: Vec<(usize, Option<usize>)> = (0..o)
        .map(|col| {
            let (g, r) = s.columns(col, o);
            (g as usize, r.map(|r| r as usize))
        })
        .collect();
    let offset = s.offset as i32;
    for (row, out) in partials
        .chunks_exact(p)
        .take(n)
        .zip(out.chunks_exact_mut(o as usize))
    {
        for (y, &(g, r)) in out.iter_mut().zip(&columns) {
            let mut sum = 0i32;
            for slice in 0..slices {
                let mut v = row[g + slice];
                if s.differential {
                    v = v.wrapping_sub(row[g + slices + slice]);
                }
                sum = sum.wrapping_add(v.wrapping_shl(slice as u32 * s.cell_bits));
            }
            if let Some(r) = r {
                sum = sum.wrapping_sub(offset.wrapping_mul(row[r]));
            }
            *y = sum;
        }
    }
}

/// Programs every tile of `tables` and each of its replicas onto `sim` (in
/// order, with its label) and returns its layers, for [`Layer::run`].
/// Errors: a tile does not fit its array (the tiles before it stay
/// programmed).
pub fn load_tables(sim: &mut Simulator, tables: &ProgramTables) -> Result<Vec<Layer>> {
    for (i, t) in tables.tiles.iter().enumerate() {
        let tile = Tile::new(
            t.rows,
            t.cols,
            t.cell_bits,
            t.levels.clone(),
            t.flipped.clone(),
        )
        .map_err(|e| SimError::BadArgument(format!("tile {i} ({}): {e}", t.label)))?;
        for at in (0..t.copies()).filter_map(|r| t.placement(r)) {
            let id = ArrayId::new(at.core, at.macro_, at.array);
            sim.program(id, at.phase, tile.clone())?;
            if !t.label.is_empty() {
                sim.set_label(id, at.phase, &t.label)?;
            }
        }
    }
    Ok(tables
        .layers
        .iter()
        .map(|l| Layer::new(l, tables))
        .collect())
}

impl Layer {
    /// Runs the layer on `sim` for `n` input vectors (`x`, row-major
    /// `n × k`), writing `n × output_cols` i32 to `out`, after `deps`.
    /// `input_scale` (in (0, 1]) is the size of the data the matrix was
    /// gathered from over the matrix's size: what moves to the tiles' cores.
    /// Returns the token of its last operation.
    pub fn run(
        &self,
        sim: &mut Simulator,
        x: &[i8],
        n: usize,
        out: &mut [i32],
        deps: &[Token],
        input_scale: f64,
    ) -> Result<Token> {
        if n == 0 {
            return Err(SimError::BadArgument("n must be at least 1".into()));
        }
        let (k, p) = (self.k, self.p);
        if x.len() != n * k {
            return Err(SimError::ShapeMismatch(format!(
                "layer '{}' reads {k} elements per vector, got {} for {n} vectors",
                self.name,
                x.len()
            )));
        }
        if out.len() != n * self.output_cols() {
            return Err(SimError::ShapeMismatch(format!(
                "layer '{}' writes {} columns, got room for {} elements for {n} vectors",
                self.name,
                self.output_cols(),
                out.len()
            )));
        }
        if !(input_scale > 0.0 && input_scale <= 1.0) {
            return Err(SimError::BadArgument(format!(
                "input_scale must be in (0, 1], got {input_scale}"
            )));
        }
        let mut sums = vec![0i32; n * p];
        // Per-layer SQNR: what the ideal chip (on an analog chip) and the
        // exact product compute.
        let analog = sim.is_analog();
        let errors = sim.records_layer_errors();
        let mut ideal_sums = if analog {
            vec![0i32; n * p]
        } else {
            Vec::new()
        };
        let mut exact_sums = if errors {
            vec![0i32; n * p]
        } else {
            Vec::new()
        };
        let mut input = Vec::new();
        let mut partial = Vec::new();
        let mut tokens: Vec<Vec<Token>> = Vec::new();
        let copies = self.replicas.len();
        for (r, tiles) in self.replicas.iter().enumerate() {
            let (lo, hi) = (n * r / copies, n * (r + 1) / copies);
            if lo == hi {
                continue;
            }
            let share = &x[lo * k..hi * k];
            // The bytes each core's tiles read (tiles of one core reading
            // the same input columns share them).
            let mut reads: Vec<(u32, usize, u32)> = tiles
                .iter()
                .map(|t| (t.array.core, t.in_col, t.rows))
                .collect();
            reads.sort_unstable();
            reads.dedup();
            let mut dst: Vec<(u32, u64)> = Vec::new();
            for (core, _, rows) in reads {
                let bytes = ((hi - lo) as f64 * f64::from(rows) * input_scale).ceil() as u64;
                match dst.last_mut() {
                    Some((c, b)) if *c == core => *b += bytes,
                    _ => dst.push((core, bytes)),
                }
            }
            // The copy's share of the windows: a band of the input's rows.
            let part = (lo as f64 / n as f64, hi as f64 / n as f64);
            let arrived = [sim.bring_part(deps, &dst, part.0, part.1)?];
            let mut copy = Vec::new();
            for t in tiles {
                let (rows, cols) = (t.rows as usize, t.cols as usize);
                input.clear();
                for v in share.chunks_exact(k) {
                    input.extend_from_slice(&v[t.in_col..t.in_col + rows]);
                }
                partial.clear();
                partial.resize((hi - lo) * cols, 0);
                let issue = MvmIssue {
                    array: t.array,
                    phase: t.phase,
                    input: &input,
                    n: hi - lo,
                    rows: t.rows,
                    cols: t.cols,
                    params: self.params,
                    stage: self.stage,
                    deps: &arrived,
                };
                copy.push(sim.mvm(&issue, &mut partial)?);
                let weights = &self.significance[t.out_col..t.out_col + cols];
                sim.observe_sums(&issue, &self.name, weights)?;
                add_columns(&mut sums[lo * p..hi * p], p, t.out_col, cols, &partial);
                for (on, exact_product, sums) in [
                    (analog, false, &mut ideal_sums),
                    (errors, true, &mut exact_sums),
                ] {
                    if on {
                        sim.mvm_ideal(&issue, exact_product, &mut partial)?;
                        add_columns(&mut sums[lo * p..hi * p], p, t.out_col, cols, &partial);
                    }
                }
            }
            tokens.push(copy);
        }
        let mut token = sim.concat(&tokens)?;
        // The digital work after the mvms, on i32 elements.
        let op = |sim: &mut Simulator, name: &str, class, elements: usize, deps: &[Token]| {
            sim.vector_op(
                &VectorOp {
                    name,
                    class,
                    elements: elements as u64,
                    element_bytes: 4,
                },
                deps,
            )
        };
        if self.reduces {
            token = op(sim, "cim.accumulate", OpClass::Elementwise, n * p, &[token])?;
        }
        match self.shift_add {
            Some(s) => {
                token = op(sim, "cim.shift_add", OpClass::Elementwise, n * p, &[token])?;
                shift_add(s, &sums, n, p, out);
            }
            None => out.copy_from_slice(&sums),
        }
        if errors {
            let recombine = |sums: &[i32]| {
                let mut result = vec![0i32; out.len()];
                match self.shift_add {
                    Some(s) => shift_add(s, sums, n, p, &mut result),
                    None => result.copy_from_slice(sums),
                }
                result
            };
            let ideal = analog.then(|| recombine(&ideal_sums));
            sim.record_layer_error(&self.name, ideal.as_deref(), &recombine(&exact_sums), out);
        }
        // After the layer errors: the corrections are the same on the
        // chip, the ideal chip and the exact product.
        let columns = self.output_cols();
        if let Some(sums) = self.input_sums {
            let groups = sums.groups as usize;
            let run = k / groups;
            // Σx runs beside the crossbars, from the layer's input.
            let mut at = op(sim, "tosa.cast", OpClass::Copy, n * k, deps)?;
            at = op(sim, "tosa.reduce_sum", OpClass::Pool, n * k, &[at])?;
            let broadcast = groups == 1;
            if !broadcast && columns / groups > 1 {
                at = op(sim, "tosa.tile", OpClass::Copy, n * columns, &[at])?;
            }
            let scaled = if broadcast { n } else { n * columns };
            at = op(sim, "tosa.mul", OpClass::Elementwise, scaled, &[at])?;
            token = op(
                sim,
                "tosa.sub",
                OpClass::Elementwise,
                n * columns,
                &[token, at],
            )?;
            for (row, y) in x.chunks_exact(k).zip(out.chunks_exact_mut(columns)) {
                let totals: Vec<i32> = row
                    .chunks_exact(run)
                    .map(|g| g.iter().fold(0i32, |s, v| s.wrapping_add(i32::from(*v))))
                    .collect();
                for (o, y) in y.iter_mut().enumerate() {
                    let sum = totals[sums.group(o, columns)];
                    *y = y.wrapping_sub(sum.wrapping_mul(sums.weight_zero_point));
                }
            }
        }
        if !self.bias.is_empty() {
            token = op(sim, "tosa.add", OpClass::Elementwise, out.len(), &[token])?;
            for row in out.chunks_exact_mut(self.bias.len()) {
                for (y, b) in row.iter_mut().zip(&self.bias) {
                    *y = y.wrapping_add(*b);
                }
            }
        }
        Ok(token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cimc_target::tables::{LayerTile, TileRecord};

    /// A 5 × 6 weight matrix of 2-bit levels on 3-row, 4-column arrays: 2
    /// row tiles × 2 column tiles, read with an ideal ADC.
    fn tables(levels: &[u8], shift: Option<ShiftAdd>) -> ProgramTables {
        let (k, p, ar, ac) = (5usize, 6usize, 3usize, 4usize);
        let mut t = ProgramTables::default();
        let mut layer = LayerRecord {
            name: "fc".into(),
            k: k as u32,
            p: p as u32,
            input_bits: 8,
            dac_bits: 1,
            adc_bits: 0,
            adc_shift: 0,
            max_active_rows: 128,
            stage: 0,
            shift_add: shift,
            tiles: Vec::new(),
            input_sums: None,
            bias: Vec::new(),
        };
        for r0 in (0..k).step_by(ar) {
            for c0 in (0..p).step_by(ac) {
                let (rows, cols) = (ar.min(k - r0), ac.min(p - c0));
                layer.tiles.push(LayerTile {
                    tile: t.tiles.len() as u32,
                    in_col: r0 as u32,
                    out_col: c0 as u32,
                });
                t.tiles.push(TileRecord {
                    core: 0,
                    macro_: 0,
                    array: t.tiles.len() as u32,
                    phase: 0,
                    replicas: Vec::new(),
                    rows: rows as u32,
                    cols: cols as u32,
                    cell_bits: 2,
                    label: "fc".into(),
                    flipped: vec![false; cols],
                    levels: (r0..r0 + rows)
                        .flat_map(|r| (c0..c0 + cols).map(move |c| levels[r * p + c]))
                        .collect(),
                });
            }
        }
        t.layers.push(layer);
        t
    }

    fn sim() -> Simulator {
        Simulator::from_toml("base = \"isaac\"\nname = \"t\"").unwrap()
    }

    /// The levels and two input vectors the tests read.
    fn fixture() -> (Vec<u8>, Vec<i8>) {
        let levels = (0..30).map(|i| (i * 7 % 4) as u8).collect();
        (levels, vec![3, -1, 7, -128, 127, 0, 5, -6, 2, 1])
    }

    /// Three 2-bit slices per output, offset-free.
    const THREE_SLICES: ShiftAdd = ShiftAdd {
        slices: 3,
        cell_bits: 2,
        differential: false,
        offset: 0,
        references: 0,
    };

    #[test]
    fn a_tiled_layer_equals_the_matrix_product_and_its_shift_add() {
        let (levels, x) = fixture();
        let plain = |n: usize, o: usize| -> i32 {
            (0..5)
                .map(|r| i32::from(x[n * 5 + r]) * i32::from(levels[r * 6 + o]))
                .sum()
        };
        let mut s = sim();
        let layers = load_tables(&mut s, &tables(&levels, None)).unwrap();
        let mut out = vec![0; 12];
        layers[0].run(&mut s, &x, 2, &mut out, &[], 1.0).unwrap();
        let want: Vec<i32> = (0..12).map(|i| plain(i / 6, i % 6)).collect();
        assert_eq!(out, want);

        let mut s = sim();
        let layers = load_tables(&mut s, &tables(&levels, Some(THREE_SLICES))).unwrap();
        let mut out = vec![0; 4];
        layers[0].run(&mut s, &x, 2, &mut out, &[], 1.0).unwrap();
        let want: Vec<i32> = (0..4)
            .map(|i| {
                (0..3)
                    .map(|sl| plain(i / 2, i % 2 * 3 + sl) << (2 * sl))
                    .sum()
            })
            .collect();
        assert_eq!(out, want);
        // Four mvms, then the row tiles' reduction and the shift-add on
        // the vector unit of the core the tiles are on.
        assert_eq!(s.stats().mvms, 4);
        assert_eq!((s.stats().host_ops, s.stats().vector_ops), (0, 2));

        // A bias is added to every row last, as one more elementwise op
        // (wrapping, as TOSA's i32 add lowers).
        let mut biased = tables(&levels, Some(THREE_SLICES));
        biased.layers[0].bias = vec![10, i32::MAX];
        let mut s = sim();
        let layers = load_tables(&mut s, &biased).unwrap();
        let mut out = vec![0; 4];
        layers[0].run(&mut s, &x, 2, &mut out, &[], 1.0).unwrap();
        let shifted: Vec<i32> = want
            .iter()
            .enumerate()
            .map(|(i, y)| y.wrapping_add([10, i32::MAX][i % 2]))
            .collect();
        assert_eq!(out, shifted);
        assert_eq!((s.stats().host_ops, s.stats().vector_ops), (0, 3));

        // A weight zero point of 3 takes 3·Σx of each input vector off
        // every output, before the bias; charged as cast, reduce_sum, mul
        // and sub (no tile: one group broadcasts).
        biased.layers[0].input_sums = Some(InputSums {
            weight_zero_point: 3,
            groups: 1,
        });
        let mut s = sim();
        let layers = load_tables(&mut s, &biased).unwrap();
        let mut out = vec![0; 4];
        layers[0].run(&mut s, &x, 2, &mut out, &[], 1.0).unwrap();
        let sums = [3 - 1 + 7 - 128 + 127, 5 - 6 + 2 + 1];
        let corrected: Vec<i32> = shifted
            .iter()
            .enumerate()
            .map(|(i, y)| y.wrapping_sub(3 * sums[i / 2]))
            .collect();
        assert_eq!(out, corrected);
        assert_eq!((s.stats().host_ops, s.stats().vector_ops), (0, 7));

        let differential = ShiftAdd {
            slices: 3,
            cell_bits: 2,
            differential: true,
            offset: 0,
            references: 0,
        };
        let mut s = sim();
        let layers = load_tables(&mut s, &tables(&levels, Some(differential))).unwrap();
        let mut out = vec![0; 2];
        layers[0].run(&mut s, &x, 2, &mut out, &[], 1.0).unwrap();
        let want: Vec<i32> = (0..2)
            .map(|n| {
                (0..3)
                    .map(|sl| (plain(n, sl) - plain(n, 3 + sl)) << (2 * sl))
                    .sum()
            })
            .collect();
        assert_eq!(out, want);

        // Two blocks of two outputs, each followed by its reference column
        // (columns 2 and 5), taken off 3 times.
        let reference = ShiftAdd {
            slices: 1,
            cell_bits: 2,
            differential: false,
            offset: 3,
            references: 2,
        };
        let mut s = sim();
        let layers = load_tables(&mut s, &tables(&levels, Some(reference))).unwrap();
        let mut out = vec![0; 8];
        layers[0].run(&mut s, &x, 2, &mut out, &[], 1.0).unwrap();
        let want: Vec<i32> = (0..8)
            .map(|i| {
                let (n, o) = (i / 4, i % 4);
                let (g, r) = (o / 2 * 3 + o % 2, o / 2 * 3 + 2);
                plain(n, g) - 3 * plain(n, r)
            })
            .collect();
        assert_eq!(out, want);
    }

    /// A layer records its results against the exact product when asked,
    /// and the step sums its reads present when observed.
    #[test]
    fn layer_errors_and_observed_sums() {
        let (levels, x) = fixture();
        let run = |adc_bits: u32, adc_shift: u32| {
            let mut t = tables(&levels, Some(THREE_SLICES));
            t.layers[0].adc_bits = adc_bits;
            t.layers[0].adc_shift = adc_shift;
            let mut s = sim();
            s.set_layer_errors(true);
            s.set_adc_observation(true);
            let layers = load_tables(&mut s, &t).unwrap();
            let mut out = vec![0; 4];
            layers[0].run(&mut s, &x, 2, &mut out, &[], 1.0).unwrap();
            s
        };
        // An ideal ADC: exact.
        let s = run(0, 0);
        let e = &s.stats().layers[0];
        assert_eq!((e.layer.as_str(), e.exact_noise), ("fc", 0.0));
        assert!(e.exact_signal > 0.0);
        // A 3-bit ADC with a 2-unit LSB loses something; the ideal chip is
        // that same circuit (no device noise), so its SQNR is infinite.
        let s = run(3, 1);
        let e = &s.stats().layers[0];
        assert!(e.exact_noise > 0.0 && e.sqnr_exact_db().is_finite());
        assert!(e.sqnr_db().is_infinite());
        // Every step of every tile's columns was observed: 2 vectors × 8
        // digits × 4 tiles' columns (4 + 2 per row tile, two row tiles).
        let h = &s.adc_histograms().unwrap()["fc"];
        assert_eq!(h.reads(), 2 * 8 * 2 * (4 + 2));
        assert!(h.max_abs() > 0);
    }

    #[test]
    fn misuse_is_an_error() {
        let levels = vec![1u8; 30];
        let mut s = sim();
        let layers = load_tables(&mut s, &tables(&levels, None)).unwrap();
        let mut out = vec![0; 6];
        for (x, n, room) in [(4, 1, 6), (5, 1, 5), (0, 0, 0)] {
            let mut out = vec![0; room];
            assert!(layers[0]
                .run(&mut s, &vec![0; x], n, &mut out, &[], 1.0)
                .is_err());
        }
        assert!(matches!(
            layers[0].run(&mut s, &[0; 5], 1, &mut out, &[99], 1.0),
            Err(SimError::UnknownToken(99))
        ));
        // A tile that does not fit the target's arrays.
        let mut t = tables(&levels, None);
        t.tiles[0].array = 1 << 20;
        assert!(load_tables(&mut sim(), &t).is_err());
    }
}
