//! The mapped program as data: the tiles a compiled network programs onto
//! the chip and the crossbar layers that read them, as one byte blob.
//!
//! `cim-lower-to-runtime` encodes it from the placed `cim` ops and embeds it
//! in the compiled program as one constant; the runtime decodes it at init
//! (`cimc_rt_load_tables`), programs every tile and keeps the layers, which
//! compiled code then runs with one call each (`cimc_rt_layer`). Code is
//! generated per layer, not per tile, and the object holds the cell levels
//! packed at `cell_bits` bits.
//!
//! Format (version [`VERSION`]; all integers little-endian `u32`, texts a
//! `u32` byte length then UTF-8):
//!
//! ```text
//! magic "CIMCTABL"  version  tile count  layer count
//! per tile:  core macro array phase  rows cols cell_bits  label
//!            replica count, then per replica: core macro array phase
//!            flipped columns: ⌈cols / 8⌉ bytes, bit c % 8 of byte c / 8
//!            levels: ⌈rows·cols·cell_bits / 8⌉ bytes, row-major, each level
//!            cell_bits bits, least significant bit first
//! per layer: name  k p  input_bits dac_bits adc_bits adc_shift max_active_rows stage
//!            slices shift_cell_bits differential offset references
//!                                                  (slices 0: no shift-add)
//!            tile count, then per tile: tile index, input column, output column
//!            weight zero point (i32)  groups (0: no input-sum correction)
//!            bias count (0, or the result's columns), then each bias as i32
//! ```
//!
//! A layer computes `sum[n][out + j] += mvm_t(x[n][in .. in + rows_t])[j]`
//! over its tiles (`x` is `N × k`, `sum` is `N × p`, zero first): row tiles
//! of one weight matrix add up, column tiles and depthwise blocks land side
//! by side. A replica holds the same levels on another array and takes a
//! share of the layer's input vectors (`cim-replicate`); every tile of a
//! layer has the same number of replicas. With `slices > 0` the result is `sum` recombined as
//! `cim.shift_add` does (`dialects/cim/README.md`). With `groups > 0` the
//! weight zero point's share is taken off next: `result[n][o] −= zp ·
//! Σ x[n][g·k/groups ..][..k/groups]` for output `o`'s group `g` (one group:
//! every output; else the result's columns in `groups` equal runs), as
//! `cim-lower-crossbar-ops` writes it for a nonzero weight zero point
//! (per depthwise block). A bias, when present,
//! is added to every row of the result last: the constant correction that
//! `cim-lower-crossbar-ops` puts after the crossbar sums (the op's bias less
//! the input zero point's share, `c[o] = bias[o] − xzp·Σ_k w[k][o]`), so
//! the layer's result is the convolution's or matmul's own. Decoding checks every
//! length, range and index, so a blob can come from anywhere.

use std::fmt;

/// The first eight bytes of every blob.
pub const MAGIC: &[u8; 8] = b"CIMCTABL";
/// The format this module writes and reads.
pub const VERSION: u32 = 5;

/// Where a copy of a tile sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TilePlacement {
    pub core: u32,
    pub macro_: u32,
    pub array: u32,
    pub phase: u32,
}

/// One tile: its placement, its cells and its label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TileRecord {
    pub core: u32,
    pub macro_: u32,
    pub array: u32,
    pub phase: u32,
    /// Further copies of the tile (`cim-replicate`), each on its own array.
    pub replicas: Vec<TilePlacement>,
    pub rows: u32,
    pub cols: u32,
    pub cell_bits: u32,
    /// The layer the tile belongs to (the trace's label).
    pub label: String,
    /// One flag per column: stored complemented (`cim.flipped`).
    pub flipped: Vec<bool>,
    /// `rows × cols` levels, row-major, each below `2^cell_bits`.
    pub levels: Vec<u8>,
}

/// The recombination of bit-sliced partial sums (`cim.shift_add`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShiftAdd {
    pub slices: u32,
    pub cell_bits: u32,
    pub differential: bool,
    /// The weight offset the reference columns take off (0: none).
    pub offset: u32,
    /// Reference columns, one per block of outputs (0 when `offset` is 0).
    pub references: u32,
}

impl TileRecord {
    /// The placement of copy `replica` (0: the tile itself).
    pub fn placement(&self, replica: usize) -> Option<TilePlacement> {
        if replica == 0 {
            return Some(TilePlacement {
                core: self.core,
                macro_: self.macro_,
                array: self.array,
                phase: self.phase,
            });
        }
        self.replicas.get(replica - 1).copied()
    }

    /// Copies of the tile, the tile included.
    pub fn copies(&self) -> usize {
        1 + self.replicas.len()
    }
}

impl ShiftAdd {
    /// Partial-sum columns per output column.
    pub fn group(&self) -> u32 {
        self.slices * if self.differential { 2 } else { 1 }
    }

    /// Outputs of `p` partial-sum columns.
    pub fn out_cols(&self, p: u32) -> u32 {
        p.saturating_sub(self.references) / self.group().max(1)
    }

    /// Output `o` of `outputs`: its first slice column and, with an
    /// offset, its block's reference column (`cim.shift_add`'s layout).
    pub fn columns(&self, o: u32, outputs: u32) -> (u32, Option<u32>) {
        let group = self.group();
        if self.references == 0 {
            return (o * group, None);
        }
        let per = outputs / self.references;
        let start = o / per * (per * group + 1);
        (start + o % per * group, Some(start + per * group))
    }
}

/// Where one tile reads its input and adds its partial sums.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LayerTile {
    /// Index into [`ProgramTables::tiles`].
    pub tile: u32,
    /// First input column the tile's rows read.
    pub in_col: u32,
    /// First partial-sum column the tile's columns add to.
    pub out_col: u32,
}

/// The crossbar part of one layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerRecord {
    pub name: String,
    /// Input columns (elements per input vector).
    pub k: u32,
    /// Partial-sum columns before the shift-add.
    pub p: u32,
    pub input_bits: u32,
    pub dac_bits: u32,
    pub adc_bits: u32,
    /// `cim.adc_shift` of the layer's mvms: one ADC LSB is 2^k sum units.
    pub adc_shift: u32,
    pub max_active_rows: u32,
    /// `cim.stage` of the layer's mvms.
    pub stage: u32,
    pub shift_add: Option<ShiftAdd>,
    pub tiles: Vec<LayerTile>,
    /// The weight zero point's correction, taken off before the bias.
    pub input_sums: Option<InputSums>,
    /// Added to every row of the result (wrapping, as TOSA's i32 add
    /// lowers); empty for none, else one per result column.
    pub bias: Vec<i32>,
}

/// `result[n][o] −= weight_zero_point · Σ` of output `o`'s group of the
/// input row (all wrapping i32, as the TOSA ops it replaces lower).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputSums {
    pub weight_zero_point: i32,
    /// Runs of `k / groups` input columns; output `o` reads run
    /// `o / (columns / groups)` (all outputs run 0 when `groups` is 1).
    pub groups: u32,
}

impl InputSums {
    /// The run of input columns output `o` of `columns` subtracts.
    pub fn group(&self, o: usize, columns: usize) -> usize {
        if self.groups <= 1 {
            0
        } else {
            o / (columns / self.groups as usize).max(1)
        }
    }
}

impl LayerRecord {
    /// Columns of the layer's result.
    pub fn out_cols(&self) -> u32 {
        self.shift_add.map_or(self.p, |s| s.out_cols(self.p))
    }
}

/// Everything a compiled program puts on the chip.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProgramTables {
    pub tiles: Vec<TileRecord>,
    pub layers: Vec<LayerRecord>,
}

/// A blob that is not a valid [`ProgramTables`] (or tables that cannot be
/// encoded): what is wrong, and the byte offset where decoding stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TablesError {
    pub offset: usize,
    pub message: String,
}

impl fmt::Display for TablesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "program tables, byte {}: {}", self.offset, self.message)
    }
}

impl std::error::Error for TablesError {}

fn packed_len(cells: u64, bits: u32) -> u64 {
    (cells * u64::from(bits)).div_ceil(8)
}

impl ProgramTables {
    /// Checks what decoding checks, so that `encode` never writes a blob
    /// `decode` refuses.
    pub fn validate(&self) -> Result<(), TablesError> {
        let fail = |message: String| Err(TablesError { offset: 0, message });
        for (i, t) in self.tiles.iter().enumerate() {
            if !(1..=8).contains(&t.cell_bits) {
                return fail(format!("tile {i}: cell_bits {} is not 1..8", t.cell_bits));
            }
            if t.rows == 0 || t.cols == 0 {
                return fail(format!("tile {i}: {} × {} cells", t.rows, t.cols));
            }
            if t.flipped.len() != t.cols as usize {
                return fail(format!(
                    "tile {i}: {} flipped flags for {} columns",
                    t.flipped.len(),
                    t.cols
                ));
            }
            if t.levels.len() as u64 != u64::from(t.rows) * u64::from(t.cols) {
                return fail(format!(
                    "tile {i}: {} levels for {} × {} cells",
                    t.levels.len(),
                    t.rows,
                    t.cols
                ));
            }
            let max = (1u32 << t.cell_bits) - 1;
            if let Some(level) = t.levels.iter().find(|l| u32::from(**l) > max) {
                return fail(format!(
                    "tile {i}: level {level} does not fit {} bits",
                    t.cell_bits
                ));
            }
        }
        for layer in &self.layers {
            check_layer(layer, &self.tiles)
                .map_err(|message| TablesError { offset: 0, message })?;
        }
        Ok(())
    }

    /// The blob (after [`ProgramTables::validate`]).
    pub fn encode(&self) -> Result<Vec<u8>, TablesError> {
        self.validate()?;
        let mut w = Writer(Vec::new());
        w.0.extend_from_slice(MAGIC);
        for v in [VERSION, len32(self.tiles.len()), len32(self.layers.len())] {
            w.u32(v);
        }
        for t in &self.tiles {
            for v in [
                t.core,
                t.macro_,
                t.array,
                t.phase,
                t.rows,
                t.cols,
                t.cell_bits,
            ] {
                w.u32(v);
            }
            w.text(&t.label);
            w.u32(len32(t.replicas.len()));
            for r in &t.replicas {
                for v in [r.core, r.macro_, r.array, r.phase] {
                    w.u32(v);
                }
            }
            let mut flags = vec![0u8; t.flipped.len().div_ceil(8)];
            for (c, _) in t.flipped.iter().enumerate().filter(|(_, f)| **f) {
                flags[c / 8] |= 1 << (c % 8);
            }
            w.0.extend_from_slice(&flags);
            let start = w.0.len();
            w.0.resize(
                start + packed_len(t.levels.len() as u64, t.cell_bits) as usize,
                0,
            );
            let bits = t.cell_bits as usize;
            for (i, level) in t.levels.iter().enumerate() {
                let at = i * bits;
                let value = u16::from(*level) << (at % 8);
                w.0[start + at / 8] |= value as u8;
                if at % 8 + bits > 8 {
                    w.0[start + at / 8 + 1] |= (value >> 8) as u8;
                }
            }
        }
        for l in &self.layers {
            w.text(&l.name);
            let shift = l.shift_add.unwrap_or(ShiftAdd {
                slices: 0,
                cell_bits: 0,
                differential: false,
                offset: 0,
                references: 0,
            });
            for v in [
                l.k,
                l.p,
                l.input_bits,
                l.dac_bits,
                l.adc_bits,
                l.adc_shift,
                l.max_active_rows,
                l.stage,
                shift.slices,
                shift.cell_bits,
                u32::from(shift.differential),
                shift.offset,
                shift.references,
                len32(l.tiles.len()),
            ] {
                w.u32(v);
            }
            for t in &l.tiles {
                for v in [t.tile, t.in_col, t.out_col] {
                    w.u32(v);
                }
            }
            let sums = l.input_sums.unwrap_or(InputSums {
                weight_zero_point: 0,
                groups: 0,
            });
            w.0.extend_from_slice(&sums.weight_zero_point.to_le_bytes());
            w.u32(sums.groups);
            w.u32(len32(l.bias.len()));
            for b in &l.bias {
                w.0.extend_from_slice(&b.to_le_bytes());
            }
        }
        Ok(w.0)
    }

    /// Reads a blob, checking every length, range and index.
    pub fn decode(bytes: &[u8]) -> Result<ProgramTables, TablesError> {
        let mut r = Reader { bytes, at: 0 };
        if r.take(8)? != MAGIC {
            return r.fail("not program tables (no CIMCTABL magic)".into());
        }
        let version = r.u32()?;
        if version != VERSION {
            return r.fail(format!(
                "format version {version}, this runtime reads {VERSION}"
            ));
        }
        let (tiles, layers) = (r.u32()?, r.u32()?);
        let mut out = ProgramTables::default();
        for i in 0..tiles {
            let mut v = [0u32; 7];
            for x in &mut v {
                *x = r.u32()?;
            }
            let [core, macro_, array, phase, rows, cols, cell_bits] = v;
            if !(1..=8).contains(&cell_bits) {
                return r.fail(format!("tile {i}: cell_bits {cell_bits} is not 1..8"));
            }
            if rows == 0 || cols == 0 {
                return r.fail(format!("tile {i}: {rows} × {cols} cells"));
            }
            let label = r.text()?;
            let count = r.u32()?;
            if u64::from(count) * 16 > (bytes.len() - r.at) as u64 {
                return r.fail(format!("tile {i}: {count} replicas overrun the blob"));
            }
            let mut replicas = Vec::with_capacity(count as usize);
            for _ in 0..count {
                replicas.push(TilePlacement {
                    core: r.u32()?,
                    macro_: r.u32()?,
                    array: r.u32()?,
                    phase: r.u32()?,
                });
            }
            let flags = r.take(cols.div_ceil(8) as usize)?;
            let flipped = (0..cols as usize)
                .map(|c| flags[c / 8] >> (c % 8) & 1 == 1)
                .collect();
            let cells = u64::from(rows) * u64::from(cols);
            let packed = r.take_u64(packed_len(cells, cell_bits))?;
            let bits = cell_bits as usize;
            let mask = (1u16 << bits) - 1;
            let levels = (0..cells as usize)
                .map(|i| {
                    let at = i * bits;
                    let low = u16::from(packed[at / 8]);
                    let high = packed.get(at / 8 + 1).map_or(0, |b| u16::from(*b));
                    (((high << 8 | low) >> (at % 8)) & mask) as u8
                })
                .collect();
            out.tiles.push(TileRecord {
                core,
                macro_,
                array,
                phase,
                replicas,
                rows,
                cols,
                cell_bits,
                label,
                flipped,
                levels,
            });
        }
        for _ in 0..layers {
            let start = r.at;
            let name = r.text()?;
            let mut v = [0u32; 14];
            for x in &mut v {
                *x = r.u32()?;
            }
            let [k, p, input_bits, dac_bits, adc_bits, adc_shift, max_active_rows, stage, slices, shift_cell_bits, differential, offset, references, count] =
                v;
            if differential > 1 {
                return r.fail(format!("layer '{name}': differential flag {differential}"));
            }
            // Each tile entry takes 12 bytes: a count beyond the blob is
            // refused before anything is allocated for it.
            if u64::from(count) * 12 > (bytes.len() - r.at) as u64 {
                return r.fail(format!("layer '{name}': {count} tiles overrun the blob"));
            }
            let mut tiles = Vec::with_capacity(count as usize);
            for _ in 0..count {
                let (tile, in_col, out_col) = (r.u32()?, r.u32()?, r.u32()?);
                tiles.push(LayerTile {
                    tile,
                    in_col,
                    out_col,
                });
            }
            let (weight_zero_point, groups) = (r.u32()? as i32, r.u32()?);
            let count = r.u32()?;
            if u64::from(count) * 4 > (bytes.len() - r.at) as u64 {
                return r.fail(format!("layer '{name}': {count} biases overrun the blob"));
            }
            let mut bias = Vec::with_capacity(count as usize);
            for _ in 0..count {
                bias.push(r.u32()? as i32);
            }
            let layer = LayerRecord {
                name,
                k,
                p,
                input_bits,
                dac_bits,
                adc_bits,
                adc_shift,
                max_active_rows,
                stage,
                shift_add: (slices > 0).then_some(ShiftAdd {
                    slices,
                    cell_bits: shift_cell_bits,
                    differential: differential == 1,
                    offset,
                    references,
                }),
                tiles,
                input_sums: (groups > 0).then_some(InputSums {
                    weight_zero_point,
                    groups,
                }),
                bias,
            };
            if let Err(message) = check_layer(&layer, &out.tiles) {
                return Err(TablesError {
                    offset: start,
                    message,
                });
            }
            out.layers.push(layer);
        }
        if r.at != bytes.len() {
            return r.fail(format!("{} bytes after the last layer", bytes.len() - r.at));
        }
        Ok(out)
    }
}

/// A layer's tiles exist and fit its input and partial-sum columns, and its
/// shift-add divides its columns.
fn check_layer(layer: &LayerRecord, tiles: &[TileRecord]) -> Result<(), String> {
    let name = &layer.name;
    if layer.tiles.is_empty() {
        return Err(format!("layer '{name}' has no tiles"));
    }
    if layer.k == 0 || layer.p == 0 {
        return Err(format!("layer '{name}': {} × {} matrix", layer.k, layer.p));
    }
    let copies = tiles
        .get(layer.tiles[0].tile as usize)
        .map_or(1, TileRecord::copies);
    for t in &layer.tiles {
        let tile = tiles.get(t.tile as usize).ok_or_else(|| {
            format!(
                "layer '{name}' reads tile {} of {} tiles",
                t.tile,
                tiles.len()
            )
        })?;
        if tile.copies() != copies {
            return Err(format!(
                "layer '{name}': tile {} has {} copies, its first tile {copies}",
                t.tile,
                tile.copies()
            ));
        }
        if u64::from(t.in_col) + u64::from(tile.rows) > u64::from(layer.k)
            || u64::from(t.out_col) + u64::from(tile.cols) > u64::from(layer.p)
        {
            return Err(format!(
                "layer '{name}': tile {} ({} × {} at input column {}, output column {}) does not fit a {} × {} matrix",
                t.tile, tile.rows, tile.cols, t.in_col, t.out_col, layer.k, layer.p
            ));
        }
    }
    if let Some(s) = layer.shift_add {
        if s.slices == 0 || !(1..=8).contains(&s.cell_bits) || s.slices * s.cell_bits > 32 {
            return Err(format!(
                "layer '{name}': shift-add of {} slices of {} bits",
                s.slices, s.cell_bits
            ));
        }
        if (s.offset == 0) != (s.references == 0) || s.references >= layer.p {
            return Err(format!(
                "layer '{name}': shift-add offset {} with {} reference columns of {} partial-sum columns",
                s.offset, s.references, layer.p
            ));
        }
        let data = layer.p - s.references;
        if !data.is_multiple_of(s.group())
            || (s.references > 0 && !(data / s.group()).is_multiple_of(s.references))
        {
            return Err(format!(
                "layer '{name}': {} partial-sum columns are not groups of {} and {} reference columns, one per block of outputs",
                layer.p,
                s.group(),
                s.references
            ));
        }
    }
    if let Some(sums) = layer.input_sums {
        let g = sums.groups;
        if g == 0 || !layer.k.is_multiple_of(g) || (g > 1 && !layer.out_cols().is_multiple_of(g)) {
            return Err(format!(
                "layer '{name}': input sums in {g} groups of {} inputs for {} outputs",
                layer.k,
                layer.out_cols()
            ));
        }
    }
    if !layer.bias.is_empty() && layer.bias.len() != layer.out_cols() as usize {
        return Err(format!(
            "layer '{name}': {} biases for {} result columns",
            layer.bias.len(),
            layer.out_cols()
        ));
    }
    Ok(())
}

fn len32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

struct Writer(Vec<u8>);

impl Writer {
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }

    fn text(&mut self, s: &str) {
        self.u32(len32(s.len()));
        self.0.extend_from_slice(s.as_bytes());
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn fail<T>(&self, message: String) -> Result<T, TablesError> {
        Err(TablesError {
            offset: self.at,
            message,
        })
    }

    fn take_u64(&mut self, n: u64) -> Result<&'a [u8], TablesError> {
        let left = (self.bytes.len() - self.at) as u64;
        if n > left {
            return self.fail(format!("{n} bytes needed, {left} left"));
        }
        let out = &self.bytes[self.at..self.at + n as usize];
        self.at += n as usize;
        Ok(out)
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], TablesError> {
        self.take_u64(n as u64)
    }

    fn u32(&mut self) -> Result<u32, TablesError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn text(&mut self) -> Result<String, TablesError> {
        let n = self.u32()?;
        let at = self.at;
        let b = self.take(n as usize)?;
        String::from_utf8(b.to_vec()).map_err(|_| TablesError {
            offset: at,
            message: "a text is not UTF-8".into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> ProgramTables {
        let tile = |rows: u32, cols: u32, cell_bits: u32, seed: u32| TileRecord {
            core: 1,
            macro_: 2,
            array: seed,
            phase: 0,
            replicas: (0..seed)
                .map(|r| TilePlacement {
                    core: 2,
                    macro_: r,
                    array: seed,
                    phase: 0,
                })
                .collect(),
            rows,
            cols,
            cell_bits,
            label: format!("conv{seed}"),
            flipped: (0..cols).map(|c| (c + seed).is_multiple_of(3)).collect(),
            levels: (0..rows * cols)
                .map(|i| ((i * 7 + seed) % (1 << cell_bits)) as u8)
                .collect(),
        };
        ProgramTables {
            tiles: vec![tile(3, 5, 2, 0), tile(4, 9, 3, 1), tile(2, 2, 8, 2)],
            layers: vec![LayerRecord {
                name: "conv0".into(),
                k: 7,
                p: 10,
                input_bits: 8,
                dac_bits: 1,
                adc_bits: 8,
                adc_shift: 2,
                max_active_rows: 128,
                stage: 3,
                shift_add: Some(ShiftAdd {
                    slices: 3,
                    cell_bits: 2,
                    differential: false,
                    offset: 4,
                    references: 1,
                }),
                tiles: vec![
                    LayerTile {
                        tile: 0,
                        in_col: 0,
                        out_col: 0,
                    },
                    LayerTile {
                        tile: 0,
                        in_col: 3,
                        out_col: 5,
                    },
                ],
                input_sums: Some(InputSums {
                    weight_zero_point: -3,
                    groups: 1,
                }),
                bias: vec![5, -7, i32::MIN],
            }],
        }
    }

    #[test]
    fn round_trips_every_cell_width() {
        let tables = sample();
        let blob = tables.encode().unwrap();
        assert_eq!(ProgramTables::decode(&blob).unwrap(), tables);
        // Levels are packed: 3 × 5 cells at 2 bits take 4 bytes, 4 × 9 at 3
        // bits 14, 2 × 2 at 8 bits 4.
        let header = 8 + 3 * 4;
        // Tile i has i replicas of 16 bytes after its replica count.
        let tiles = 3 * (7 * 4) + (4 + 5) * 2 + (4 + 5) + (1 + 2 + 1) + (4 + 14 + 4);
        let tiles = tiles + 3 * 4 + (1 + 2) * 16;
        let layer = (4 + 5) + 14 * 4 + 2 * 12 + 8 + 4 + 3 * 4;
        assert_eq!(blob.len(), header + tiles + layer);
    }

    #[test]
    fn input_sum_groups_are_runs_of_outputs() {
        let sums = |groups| InputSums {
            weight_zero_point: 1,
            groups,
        };
        // One group broadcasts; three groups of six outputs are runs of two.
        assert_eq!(
            (0..6).map(|o| sums(1).group(o, 6)).collect::<Vec<_>>(),
            [0; 6]
        );
        assert_eq!(
            (0..6).map(|o| sums(3).group(o, 6)).collect::<Vec<_>>(),
            [0, 0, 1, 1, 2, 2]
        );
        assert_eq!(
            (0..3).map(|o| sums(3).group(o, 3)).collect::<Vec<_>>(),
            [0, 1, 2]
        );
    }

    #[test]
    fn every_truncation_and_bad_field_is_an_error() {
        let blob = sample().encode().unwrap();
        for n in 0..blob.len() {
            let err = ProgramTables::decode(&blob[..n]).unwrap_err();
            assert!(err.offset <= n, "{err}");
        }
        let mut longer = blob.clone();
        longer.push(0);
        assert!(ProgramTables::decode(&longer)
            .unwrap_err()
            .message
            .contains("after the last layer"));
        let mut bad = blob.clone();
        bad[8] = 9; // version
        assert!(ProgramTables::decode(&bad)
            .unwrap_err()
            .message
            .contains("version 9"));
    }

    #[test]
    fn layers_that_do_not_fit_are_refused() {
        let mut t = sample();
        t.layers[0].tiles[1].in_col = 5; // 3 rows from 5 overrun k = 7
        assert!(t.encode().unwrap_err().message.contains("does not fit"));
        let mut t = sample();
        t.layers[0].tiles[0].tile = 3;
        assert!(t.encode().unwrap_err().message.contains("tile 3 of 3"));
        let mut t = sample();
        t.layers[0].p = 9;
        t.layers[0].tiles.truncate(1);
        assert!(t.encode().unwrap_err().message.contains("groups of 3"));
        let mut t = sample();
        t.layers[0].shift_add.as_mut().unwrap().references = 0;
        assert!(t.encode().unwrap_err().message.contains("offset 4 with 0"));
        let mut t = sample();
        t.layers[0].shift_add.as_mut().unwrap().references = 3;
        t.layers[0].p = 12; // 9 data columns: 3 outputs in 3 blocks of 1
        t.layers[0].tiles.truncate(1);
        let s = t.layers[0].shift_add.unwrap();
        assert_eq!(s.out_cols(12), 3);
        assert_eq!(s.columns(1, 3), (4, Some(7)));
        t.layers[0].p = 11; // 8 data columns are not groups of 3
        assert!(t.encode().unwrap_err().message.contains("groups of 3"));
        let mut t = sample();
        t.layers[0].tiles[1].tile = 1;
        t.layers[0].tiles[1].in_col = 0;
        t.layers[0].tiles[1].out_col = 0;
        t.layers[0].k = 20;
        t.layers[0].p = 20;
        t.layers[0].shift_add = None;
        assert!(t.encode().unwrap_err().message.contains("has 2 copies"));
        let mut t = sample();
        t.layers[0].input_sums.as_mut().unwrap().groups = 2; // 7 inputs
        assert!(t
            .encode()
            .unwrap_err()
            .message
            .contains("input sums in 2 groups of 7 inputs for 3 outputs"));
        let mut t = sample();
        t.layers[0].bias.pop();
        assert!(t
            .encode()
            .unwrap_err()
            .message
            .contains("2 biases for 3 result columns"));
        let mut t = sample();
        t.tiles[0].levels[0] = 4;
        assert!(t
            .encode()
            .unwrap_err()
            .message
            .contains("does not fit 2 bits"));
    }
}
