//! The functional model of `cim.mvm`: the exact integer result of a
//! bit-serial read of a programmed tile, per `dialects/cim/README.md`.
//!
//! Inputs are B-bit two's complement integers (given as `i8`; only the low B
//! bits of each value are read, sign-extended), fed through a d-bit DAC in
//! T = ⌈B/d⌉ digits of the pattern sign-extended to T·d bits: digits
//! 0 … T−2 unsigned, the last one signed. For each step and each group of
//! at most A rows, a column's sum over the **stored** levels is converted by
//! the ADC, whose LSB is 2^k sum units (k = `adc_shift`):
//! `q = clamp(⌊(s + 2^(k−1)) / 2^k⌋, lo, hi) · 2^k` with `[0, 2^a − 1]` for
//! unsigned digits and `[−(2^a − 1), 2^a − 1]` for the sign digit (no
//! clamp when a = 0; k = 0: `q = clamp(s, lo, hi)`), a
//! flipped column's reading becomes `(2^cell_bits − 1)·Σ_r u[r] − q`, the
//! group readings add up and `output = Σ_t q_t·2^(t·d)`, in wrapping i32.
//!
//! Two kernels compute it ([`MvmKernel`]):
//! - the **bit-plane kernel** packs each input bit of a row group into u64
//!   words (64 rows per word) and each column's stored levels into level
//!   bit-planes; a step's column sum is Σ_bits Σ_levelbits ±2^(j+k) ·
//!   popcount(input word & level word), then ADC clamp and flip correction;
//! - the **direct kernel** (the fast path) is a plain i8 × level product
//!   with i32 results (i16 partial sums over row chunks short enough not to
//!   overflow), used for every column whose ADC is provably ideal: its
//!   stored levels bound every step's sum inside the clamp range in every
//!   row group, so no clamp can change a reading and the flip correction
//!   cancels exactly: the result is Σ_r x·W. The bound is the cost model's
//!   ([`cost::Mvm::adc_is_ideal_for`]), the one `cim-lower-to-tosa` checks.
//!
//! A chip with non-idealities ([`crate::noise`]) reads every column with a
//! third, the **analog kernel** ([`MvmKernel::analog`]): the same bit-serial
//! read over real conductances, with read noise and a real ADC.

use cimc_target::cost;

use crate::error::{Result, SimError};
use crate::tile::Tile;

/// The attributes of one `cim.mvm`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MvmParams {
    /// B: bits per input element, 1..=32 (inputs are `i8`; B > 8 reads the
    /// sign-extended value).
    pub input_bits: u32,
    /// d: input bits per read step, 1..=8.
    pub dac_bits: u32,
    /// a: ADC resolution, 0..=30; 0 means no ADC (an exact adder tree).
    pub adc_bits: u32,
    /// k: one ADC LSB is 2^k column-sum units, 0..=30 (the ADC's range,
    /// `cim.adc_shift`; ignored without an ADC).
    pub adc_shift: u32,
    /// A: rows driven in one read step, ≥ 1.
    pub max_active_rows: u32,
}

impl MvmParams {
    /// Checks the ranges documented on the fields.
    pub fn validate(&self) -> Result<()> {
        let bad = |what: String| Err(SimError::BadArgument(what));
        if !(1..=32).contains(&self.input_bits) {
            return bad(format!(
                "input_bits must be in 1..=32, got {}",
                self.input_bits
            ));
        }
        if !(1..=8).contains(&self.dac_bits) {
            return bad(format!("dac_bits must be in 1..=8, got {}", self.dac_bits));
        }
        if self.adc_bits > 30 {
            return bad(format!("adc_bits must be in 0..=30, got {}", self.adc_bits));
        }
        if self.adc_shift > 30 {
            return bad(format!(
                "adc_shift must be in 0..=30, got {}",
                self.adc_shift
            ));
        }
        if self.max_active_rows == 0 {
            return bad("max_active_rows must be at least 1".to_string());
        }
        Ok(())
    }

    /// The mvm of `n` vectors on a `rows × cols` tile with these
    /// parameters, as the cost model ([`cimc_target::cost`]) takes it.
    pub fn read(&self, n: u64, rows: u32, cols: u32) -> cost::Mvm {
        cost::Mvm {
            vectors: n,
            rows,
            cols,
            input_bits: self.input_bits,
            dac_bits: self.dac_bits,
            adc_bits: self.adc_bits,
            adc_shift: self.adc_shift,
            max_active_rows: self.max_active_rows,
        }
    }

    /// T = ⌈B / d⌉, the read steps (digits) per input vector
    /// ([`cost::digits`]).
    pub fn digits(&self) -> u32 {
        cost::digits(self.input_bits, self.dac_bits)
    }

    /// ⌈rows / A⌉, the row groups read one after the other
    /// ([`cost::row_groups`]).
    pub fn row_groups(&self, rows: u32) -> u32 {
        cost::row_groups(rows, self.max_active_rows)
    }

    /// Array read steps of an mvm of `n` vectors on a tile of `rows` rows:
    /// n · ⌈B/d⌉ · ⌈rows/A⌉ ([`cost::steps`], what `cim-schedule` writes as
    /// `cim.steps`).
    pub fn steps(&self, n: u64, rows: u32) -> u64 {
        cost::steps(
            n,
            rows,
            self.input_bits,
            self.dac_bits,
            self.max_active_rows,
        )
    }

    /// The ADC clamp range of an unsigned digit, `(0, 2^a − 1)`, or of the
    /// sign digit, `(−(2^a − 1), 2^a − 1)`; `None` without an ADC.
    pub fn adc_range(&self, sign_digit: bool) -> Option<(i32, i32)> {
        (self.adc_bits > 0).then(|| {
            let hi = cost::max_adc_code(self.adc_bits) as i32;
            (if sign_digit { -hi } else { 0 }, hi)
        })
    }
}

/// Which kernel computes the columns of an mvm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum KernelChoice {
    /// The direct kernel for the columns whose ADC is provably ideal, the
    /// bit-plane kernel for the others (the result is the same).
    #[default]
    Auto,
    /// The bit-plane kernel for every column (for testing and benchmarks).
    BitPlane,
}

/// An mvm kernel built for one tile and one set of [`MvmParams`]: the
/// packed layouts both kernels read, and which columns each computes.
#[derive(Debug, Clone)]
pub struct MvmKernel {
    rows: usize,
    cols: usize,
    params: MvmParams,
    direct: Option<Direct>,
    bitplane: Option<BitPlanes>,
    analog: Option<analog::Analog>,
}

impl MvmKernel {
    /// Builds the kernel; see [`KernelChoice`].
    pub fn new(tile: &Tile, params: MvmParams, choice: KernelChoice) -> Result<MvmKernel> {
        params.validate()?;
        let (rows, cols) = (tile.rows() as usize, tile.cols() as usize);
        let read = params.read(0, tile.rows(), tile.cols());
        let mut ideal_cols = Vec::new();
        let mut other_cols = Vec::new();
        for c in 0..cols {
            let ideal = match (choice, params.adc_bits) {
                (KernelChoice::BitPlane, _) => false,
                (KernelChoice::Auto, 0) => true,
                (KernelChoice::Auto, _) => {
                    read.adc_is_ideal_for((0..rows).map(|r| u64::from(tile.stored(r, c))))
                }
            };
            if ideal {
                ideal_cols.push(c);
            } else {
                other_cols.push(c);
            }
        }
        let direct = (!ideal_cols.is_empty()).then(|| Direct::new(tile, &ideal_cols, params));
        let bitplane = (!other_cols.is_empty()).then(|| BitPlanes::new(tile, &other_cols, params));
        Ok(MvmKernel {
            rows,
            cols,
            params,
            direct,
            bitplane,
            analog: None,
        })
    }

    /// The analog kernel of `tile` programmed on the slot of `slot_key` of
    /// a chip with non-idealities (every column takes it).
    pub fn analog(
        tile: &Tile,
        params: MvmParams,
        model: &crate::noise::Analog,
        slot_key: u64,
    ) -> Result<MvmKernel> {
        params.validate()?;
        Ok(MvmKernel {
            rows: tile.rows() as usize,
            cols: tile.cols() as usize,
            params,
            direct: None,
            bitplane: None,
            analog: Some(analog::Analog::new(tile, params, model, slot_key)),
        })
    }

    /// Whether this is the analog kernel.
    pub fn is_analog(&self) -> bool {
        self.analog.is_some()
    }

    /// Cells stuck on and off (the analog kernel's; zero otherwise).
    pub fn stuck_cells(&self) -> (u64, u64) {
        self.analog.as_ref().map_or((0, 0), |a| a.stuck)
    }

    /// Rows of the tile (elements per input vector).
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Columns of the tile (elements per output vector).
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// The parameters the kernel was built for.
    pub fn params(&self) -> MvmParams {
        self.params
    }

    /// Columns computed by the direct (ideal-ADC) kernel.
    pub fn direct_columns(&self) -> usize {
        self.direct.as_ref().map_or(0, |d| d.ncols)
    }

    /// Whether every column takes the direct kernel.
    pub fn is_fast_path(&self) -> bool {
        self.direct_columns() == self.cols
    }

    /// Computes `out[n·cols + c]` for `n` input vectors `input[n·rows + r]`.
    pub fn run(&self, input: &[i8], n: usize, out: &mut [i32]) -> Result<()> {
        self.run_read(input, n, out, 0)
    }

    /// [`MvmKernel::run`] as read number `read` of its slot (which keys the
    /// analog kernel's read noise; the exact kernels ignore it).
    pub fn run_read(&self, input: &[i8], n: usize, out: &mut [i32], read: u64) -> Result<()> {
        self.run_with(input, n, out, read, None)
    }

    /// [`MvmKernel::run`] on a kernel built with [`KernelChoice::BitPlane`],
    /// showing `observe` every step's column sums before the ADC.
    pub fn run_observed(
        &self,
        input: &[i8],
        n: usize,
        out: &mut [i32],
        observe: SumObserver<'_>,
    ) -> Result<()> {
        if self.bitplane.as_ref().map(|b| b.ncols) != Some(self.cols) {
            return Err(SimError::BadArgument(
                "observing column sums needs the bit-plane kernel on every column".into(),
            ));
        }
        self.run_with(input, n, out, 0, Some(observe))
    }

    fn run_with(
        &self,
        input: &[i8],
        n: usize,
        out: &mut [i32],
        read: u64,
        observe: Option<SumObserver<'_>>,
    ) -> Result<()> {
        let need_in = n.checked_mul(self.rows);
        let need_out = n.checked_mul(self.cols);
        if need_in != Some(input.len()) || need_out != Some(out.len()) {
            return Err(SimError::ShapeMismatch(format!(
                "{n} vector(s) on a {} × {} tile take {} input and {} output elements, got {} and {}",
                self.rows,
                self.cols,
                n as u128 * self.rows as u128,
                n as u128 * self.cols as u128,
                input.len(),
                out.len()
            )));
        }
        // Only the low B bits of each input are read, sign-extended.
        let widened;
        let values: &[i8] = if self.params.input_bits < 8 {
            let sh = 8 - self.params.input_bits;
            widened = input.iter().map(|&x| (x << sh) >> sh).collect::<Vec<i8>>();
            &widened
        } else {
            input
        };
        if let Some(d) = &self.direct {
            dispatch::direct(d, values, n, self.rows, self.cols, out);
        }
        if let Some(b) = &self.bitplane {
            dispatch::bitplane(
                b,
                &self.params,
                values,
                n,
                self.rows,
                self.cols,
                out,
                observe,
            );
        }
        if let Some(a) = &self.analog {
            dispatch::analog(a, values, n, out, read);
        }
        Ok(())
    }
}

/// The mvm of `n` vectors on `tile` (builds an [`MvmKernel`] with
/// [`KernelChoice::Auto`]; keep the kernel to issue many).
pub fn mvm(tile: &Tile, params: MvmParams, input: &[i8], n: usize) -> Result<Vec<i32>> {
    let kernel = MvmKernel::new(tile, params, KernelChoice::Auto)?;
    let mut out = vec![0; n * tile.cols() as usize];
    kernel.run(input, n, &mut out)?;
    Ok(out)
}

// ---------------------------------------------------------------------------
// The direct kernel.

/// Columns per block of the direct kernel: 64 i16 partial sums (four AVX2
/// registers) per input vector, two vectors at a time.
const BLOCK: usize = 64;

/// The direct kernel's layout: the logical levels of its columns, row-major,
/// padded to whole blocks.
#[derive(Debug, Clone)]
struct Direct {
    /// Tile columns of this part (position i holds tile column cols[i]).
    cols: Vec<usize>,
    ncols: usize,
    padded: usize,
    /// `w[r·padded + i]`, i16 for the i16 path.
    w16: Vec<i16>,
    /// Rows per i16 partial sum (no overflow within a chunk); 0: i32 path.
    chunk: usize,
    identity: bool,
    /// For the x86-64 AVX2 kernel (u8 × i8 pairs): per block of BLOCK
    /// columns, per pair of rows p, the levels of rows 2p and 2p + 1
    /// interleaved column by column (a zero row pads an odd count):
    /// `pairs[((block · npairs + p) · BLOCK + i) · 2 + h]`. Empty when a
    /// level exceeds 127 or a pair's sum could overflow i16.
    pairs: Vec<u8>,
    /// Row pairs per i16 partial sum of the AVX2 kernel.
    pair_chunk: usize,
}

impl Direct {
    fn new(tile: &Tile, cols: &[usize], params: MvmParams) -> Direct {
        let rows = tile.rows() as usize;
        let ncols = cols.len();
        let padded = ncols.div_ceil(BLOCK) * BLOCK;
        let mut w16 = vec![0i16; rows * padded];
        let mut max_w = 1i32;
        for r in 0..rows {
            for (i, &c) in cols.iter().enumerate() {
                let w = tile.level(r, c);
                w16[r * padded + i] = i16::from(w);
                max_w = max_w.max(i32::from(w));
            }
        }
        // |x| ≤ 2^(min(B, 8) − 1): each product and each chunk's sum must fit i16.
        let max_x = 1i32 << (params.input_bits.min(8) - 1);
        let per_row = max_x * max_w;
        let chunk = (i16::MAX as i32 / per_row) as usize;
        let identity = ncols == tile.cols() as usize;
        // A pair sums two products: 2 · max_x · max_w must fit i16.
        let pair_chunk = (i16::MAX as i32 / (2 * per_row)) as usize;
        let npairs = rows.div_ceil(2);
        let mut pairs = Vec::new();
        if max_w <= 127 && pair_chunk >= 2 && cfg!(target_arch = "x86_64") {
            pairs = vec![0u8; padded * npairs * 2];
            for (block, b0) in (0..padded).step_by(BLOCK).enumerate() {
                for p in 0..npairs {
                    for h in 0..2 {
                        let r = 2 * p + h;
                        if r >= rows {
                            continue;
                        }
                        for i in 0..BLOCK.min(ncols.saturating_sub(b0)) {
                            pairs[((block * npairs + p) * BLOCK + i) * 2 + h] =
                                w16[r * padded + b0 + i] as u8;
                        }
                    }
                }
            }
        }
        Direct {
            cols: cols.to_vec(),
            ncols,
            padded,
            w16,
            chunk: if chunk >= 4 { chunk } else { 0 },
            identity,
            pairs,
            pair_chunk,
        }
    }
}

impl Direct {
    /// Writes the results of columns `block … block + values.len()` of
    /// this part into an output row of the tile.
    #[inline(always)]
    fn write(&self, out_row: &mut [i32], block: usize, values: &[i32]) {
        if self.identity {
            out_row[block..block + values.len()].copy_from_slice(values);
        } else {
            for (i, &value) in values.iter().enumerate() {
                out_row[self.cols[block + i]] = value;
            }
        }
    }
}

/// The direct kernel on x86-64 AVX2: `vpmaddubsw` multiplies the levels of
/// two rows (u8) by two inputs (i8) and adds the pair, 32 products per
/// instruction, into i16 partial sums short enough not to overflow
/// (`pair_chunk` pairs), widened to i32 per chunk. Two input vectors share
/// each load of levels.
///
/// # Safety
/// The CPU supports AVX2; `d.pairs` is not empty.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[allow(clippy::needless_range_loop)] // lanes indexed alike in several arrays
unsafe fn direct_pairs_avx2(
    d: &Direct,
    x: &[i8],
    n: usize,
    rows: usize,
    tile_cols: usize,
    out: &mut [i32],
) {
    use std::arch::x86_64::*;
    const V: usize = BLOCK / 16; // 256-bit vectors of 16 i16 per block
    let npairs = rows.div_ceil(2);
    debug_assert_eq!(d.pairs.len(), d.padded * npairs * 2);
    // The two inputs of pair p as one i16 (low byte row 2p): exactly the
    // bytes' order in memory, except for an odd last row.
    let pair = |xv: &[i8], p: usize| -> i16 {
        let lo = xv[2 * p] as u8;
        let hi = xv.get(2 * p + 1).map_or(0, |&h| h as u8);
        i16::from_le_bytes([lo, hi])
    };
    for (block, b0) in (0..d.padded).step_by(BLOCK).enumerate() {
        let width = BLOCK.min(d.ncols - b0);
        let levels = &d.pairs[block * npairs * BLOCK * 2..][..npairs * BLOCK * 2];
        let mut v = 0;
        while v < n {
            let both = (n - v).min(2);
            let x0 = &x[v * rows..][..rows];
            let x1 = &x[(v + both - 1) * rows..][..rows];
            let mut acc = [[0i32; BLOCK]; 2];
            for start in (0..npairs).step_by(d.pair_chunk) {
                let end = (start + d.pair_chunk).min(npairs);
                // SAFETY: AVX2 is enabled for this function.
                let mut part = [[_mm256_setzero_si256(); V]; 2];
                for p in start..end {
                    let a = _mm256_set1_epi16(pair(x0, p));
                    let b = _mm256_set1_epi16(pair(x1, p));
                    let row = &levels[p * BLOCK * 2..][..BLOCK * 2];
                    for i in 0..V {
                        // SAFETY: 32 bytes at offset 32·i < 2·BLOCK of `row`.
                        let w = unsafe { _mm256_loadu_si256(row.as_ptr().add(32 * i).cast()) };
                        part[0][i] = _mm256_add_epi16(part[0][i], _mm256_maddubs_epi16(w, a));
                        part[1][i] = _mm256_add_epi16(part[1][i], _mm256_maddubs_epi16(w, b));
                    }
                }
                for (sums, lanes) in acc.iter_mut().zip(&part) {
                    for (i, &lane) in lanes.iter().enumerate() {
                        let mut wide = [0i16; 16];
                        // SAFETY: `wide` holds 32 bytes.
                        unsafe { _mm256_storeu_si256(wide.as_mut_ptr().cast(), lane) };
                        for (s, &w) in sums[16 * i..16 * i + 16].iter_mut().zip(&wide) {
                            *s = s.wrapping_add(i32::from(w));
                        }
                    }
                }
            }
            for (p, row_acc) in acc.iter().enumerate().take(both) {
                d.write(
                    &mut out[(v + p) * tile_cols..][..tile_cols],
                    b0,
                    &row_acc[..width],
                );
            }
            v += both;
        }
    }
}

/// The direct kernel's body; inlined into each ISA's dispatch target.
#[inline(always)]
#[allow(clippy::needless_range_loop)] // lanes indexed alike in several arrays
fn direct_body(d: &Direct, x: &[i8], n: usize, rows: usize, tile_cols: usize, out: &mut [i32]) {
    for block in (0..d.padded).step_by(BLOCK) {
        let width = BLOCK.min(d.ncols - block);
        let mut v = 0;
        while v < n {
            let pair = (n - v).min(2);
            let x0 = &x[v * rows..][..rows];
            let x1 = &x[(v + pair - 1) * rows..][..rows];
            let mut acc = [[0i32; BLOCK]; 2];
            if d.chunk == 0 {
                for r in 0..rows {
                    let w: &[i16; BLOCK] = d.w16[r * d.padded + block..][..BLOCK]
                        .try_into()
                        .expect("block");
                    let (a, b) = (i32::from(x0[r]), i32::from(x1[r]));
                    for i in 0..BLOCK {
                        acc[0][i] = acc[0][i].wrapping_add(a * i32::from(w[i]));
                        acc[1][i] = acc[1][i].wrapping_add(b * i32::from(w[i]));
                    }
                }
            } else {
                for start in (0..rows).step_by(d.chunk) {
                    let mut part = [[0i16; BLOCK]; 2];
                    for r in start..(start + d.chunk).min(rows) {
                        let w: &[i16; BLOCK] = d.w16[r * d.padded + block..][..BLOCK]
                            .try_into()
                            .expect("block");
                        let (a, b) = (i16::from(x0[r]), i16::from(x1[r]));
                        for i in 0..BLOCK {
                            part[0][i] = part[0][i].wrapping_add(a.wrapping_mul(w[i]));
                            part[1][i] = part[1][i].wrapping_add(b.wrapping_mul(w[i]));
                        }
                    }
                    for i in 0..BLOCK {
                        acc[0][i] = acc[0][i].wrapping_add(i32::from(part[0][i]));
                        acc[1][i] = acc[1][i].wrapping_add(i32::from(part[1][i]));
                    }
                }
            }
            for (p, row_acc) in acc.iter().enumerate().take(pair) {
                d.write(
                    &mut out[(v + p) * tile_cols..][..tile_cols],
                    block,
                    &row_acc[..width],
                );
            }
            v += pair;
        }
    }
}

// ---------------------------------------------------------------------------
// The bit-plane kernel.

/// One group of rows read together: `len` rows from `start`, packed into
/// `words` u64 words from word `offset` of a plane.
#[derive(Debug, Clone, Copy)]
struct Group {
    start: usize,
    len: usize,
    offset: usize,
    words: usize,
}

/// The bit-plane kernel's layout.
#[derive(Debug, Clone)]
struct BitPlanes {
    cols: Vec<usize>,
    ncols: usize,
    cell_bits: usize,
    max_level: i32,
    groups: Vec<Group>,
    /// Words of one plane (all groups).
    words: usize,
    /// Level bit-planes, `planes[(k·words + w)·ncols + i]`: bit r%64 of word
    /// w is bit k of the stored level of row (group start + 64·w' + r%64).
    planes: Vec<u64>,
    /// Per column: 1 if stored complemented, else 0.
    flipped: Vec<i32>,
    any_flipped: bool,
}

impl BitPlanes {
    fn new(tile: &Tile, cols: &[usize], params: MvmParams) -> BitPlanes {
        let rows = tile.rows() as usize;
        let a = params.max_active_rows as usize;
        let mut groups = Vec::new();
        let mut words = 0;
        for start in (0..rows).step_by(a) {
            let len = a.min(rows - start);
            let w = len.div_ceil(64);
            groups.push(Group {
                start,
                len,
                offset: words,
                words: w,
            });
            words += w;
        }
        let ncols = cols.len();
        let cell_bits = tile.cell_bits() as usize;
        let mut planes = vec![0u64; cell_bits * words * ncols];
        for g in &groups {
            for i in 0..g.len {
                let r = g.start + i;
                let (w, bit) = (g.offset + i / 64, i % 64);
                for (j, &c) in cols.iter().enumerate() {
                    let level = tile.stored(r, c);
                    for k in 0..cell_bits {
                        if level >> k & 1 == 1 {
                            planes[(k * words + w) * ncols + j] |= 1 << bit;
                        }
                    }
                }
            }
        }
        let flipped: Vec<i32> = cols
            .iter()
            .map(|&c| i32::from(tile.is_flipped(c)))
            .collect();
        BitPlanes {
            cols: cols.to_vec(),
            ncols,
            cell_bits,
            max_level: tile.max_level() as i32,
            groups,
            words,
            planes,
            any_flipped: flipped.contains(&1),
            flipped,
        }
    }
}

/// Transposes an 8 × 8 bit matrix held in a u64 (byte i = row i, bit j =
/// column j): afterwards byte j holds column j, its bit i from row i.
#[inline(always)]
fn transpose8(mut x: u64) -> u64 {
    let t = (x ^ (x >> 7)) & 0x00AA_00AA_00AA_00AA;
    x ^= t ^ (t << 7);
    let t = (x ^ (x >> 14)) & 0x0000_CCCC_0000_CCCC;
    x ^= t ^ (t << 14);
    let t = (x ^ (x >> 28)) & 0x0000_0000_F0F0_F0F0;
    x ^= t ^ (t << 28);
    x
}

/// Packs the 8 bit-planes of one group's inputs: `xp[b·words + offset + w]`
/// holds bit b of rows group.start + 64·w … (+63).
#[inline(always)]
fn pack_group(x: &[i8], g: &Group, words: usize, xp: &mut [u64]) {
    let rows = &x[g.start..g.start + g.len];
    for w in 0..g.words {
        let mut acc = [0u64; 8];
        let chunk_rows = &rows[w * 64..rows.len().min(w * 64 + 64)];
        for (ci, eight) in chunk_rows.chunks(8).enumerate() {
            let mut bytes = [0u8; 8];
            for (dst, &src) in bytes.iter_mut().zip(eight) {
                *dst = src as u8;
            }
            let z = transpose8(u64::from_le_bytes(bytes));
            for (b, plane) in acc.iter_mut().enumerate() {
                *plane |= ((z >> (8 * b)) & 0xff) << (8 * ci);
            }
        }
        for (b, &plane) in acc.iter().enumerate() {
            xp[b * words + g.offset + w] = plane;
        }
    }
}

/// `s[i] ±= popcount(x & plane[i]) << shift` for every column.
#[inline(always)]
fn accumulate<const NEG: bool>(s: &mut [i32], plane: &[u64], x: u64, shift: u32) {
    for (acc, &p) in s.iter_mut().zip(plane) {
        let count = ((x & p).count_ones() as i32) << shift;
        *acc = if NEG {
            acc.wrapping_sub(count)
        } else {
            acc.wrapping_add(count)
        };
    }
}

/// `s[i] ±= (popcount(x0 & p0[i]) + popcount(x1 & p1[i])) << shift`.
#[inline(always)]
fn accumulate2<const NEG: bool>(
    s: &mut [i32],
    p0: &[u64],
    p1: &[u64],
    x0: u64,
    x1: u64,
    shift: u32,
) {
    for ((acc, &a), &b) in s.iter_mut().zip(p0).zip(p1) {
        let count = (((x0 & a).count_ones() + (x1 & b).count_ones()) as i32) << shift;
        *acc = if NEG {
            acc.wrapping_sub(count)
        } else {
            acc.wrapping_add(count)
        };
    }
}

/// Sees every step's column sums before the ADC: `(digit t, sums of the
/// kernel's columns)` (ADC range calibration, [`crate::adc_range`]).
pub type SumObserver<'a> = &'a mut dyn FnMut(u32, &[i32]);

/// The bit-plane kernel's body; inlined into each ISA's dispatch target.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn bitplane_body(
    bp: &BitPlanes,
    params: &MvmParams,
    x: &[i8],
    n: usize,
    rows: usize,
    tile_cols: usize,
    out: &mut [i32],
    mut observe: Option<SumObserver<'_>>,
) {
    let d = params.dac_bits as usize;
    let digits = params.digits() as usize;
    let m = bp.ncols;
    let mut xp = vec![0u64; 8 * bp.words];
    let mut s = vec![0i32; m];
    let mut acc = vec![0i32; m];
    for v in 0..n {
        let xv = &x[v * rows..][..rows];
        for g in &bp.groups {
            pack_group(xv, g, bp.words, &mut xp);
        }
        acc.fill(0);
        for t in 0..digits {
            let sign = t + 1 == digits;
            let range = params.adc_range(sign);
            // t·d < B ≤ 32, so the shift below is in range.
            let td = t * d;
            debug_assert!(td < 32);
            for g in &bp.groups {
                s.fill(0);
                let mut usum = 0i32;
                for j in 0..d {
                    // Bits above 7 of an i8 repeat its sign bit.
                    let b = (td + j).min(7);
                    let neg = sign && j + 1 == d;
                    let xw = &xp[b * bp.words + g.offset..][..g.words];
                    if bp.any_flipped {
                        let ones: u32 = xw.iter().map(|w| w.count_ones()).sum();
                        let ones = (ones as i32) << j;
                        usum = if neg { usum - ones } else { usum + ones };
                    }
                    // Two words at a time: one pass over the columns per pair.
                    let pairs = xw.len() / 2;
                    for pi in 0..pairs {
                        let (w0, w1) = (xw[2 * pi], xw[2 * pi + 1]);
                        if w0 == 0 || w1 == 0 {
                            continue; // the single-word loop below takes them
                        }
                        for k in 0..bp.cell_bits {
                            let at = |w: usize| (k * bp.words + g.offset + w) * m;
                            let p0 = &bp.planes[at(2 * pi)..][..m];
                            let p1 = &bp.planes[at(2 * pi + 1)..][..m];
                            let shift = (j + k) as u32;
                            if neg {
                                accumulate2::<true>(&mut s, p0, p1, w0, w1, shift);
                            } else {
                                accumulate2::<false>(&mut s, p0, p1, w0, w1, shift);
                            }
                        }
                    }
                    for (wi, &word) in xw.iter().enumerate() {
                        let paired = wi < 2 * pairs && xw[wi ^ 1] != 0;
                        if word == 0 || paired {
                            continue;
                        }
                        for k in 0..bp.cell_bits {
                            let plane = &bp.planes[(k * bp.words + g.offset + wi) * m..][..m];
                            let shift = (j + k) as u32;
                            if neg {
                                accumulate::<true>(&mut s, plane, word, shift);
                            } else {
                                accumulate::<false>(&mut s, plane, word, shift);
                            }
                        }
                    }
                }
                if let Some(observe) = observe.as_mut() {
                    observe(t as u32, &s);
                }
                let mu = usum.wrapping_mul(bp.max_level);
                let (lo, hi) = range.unwrap_or((i32::MIN, i32::MAX));
                // One LSB of 2^k sum units: the nearest code (k = 0: the sum).
                let k = if range.is_some() { params.adc_shift } else { 0 };
                for ((a, &sum), &f) in acc.iter_mut().zip(&s).zip(&bp.flipped) {
                    let q = if k == 0 {
                        sum.clamp(lo, hi)
                    } else {
                        cost::adc_convert(sum.into(), k, lo.into(), hi.into()) as i32
                    };
                    let q = if f != 0 { mu.wrapping_sub(q) } else { q };
                    *a = a.wrapping_add(q.wrapping_shl(td as u32));
                }
            }
        }
        let o = &mut out[v * tile_cols..][..tile_cols];
        if m == tile_cols {
            o.copy_from_slice(&acc);
        } else {
            for (i, &value) in acc.iter().enumerate() {
                o[bp.cols[i]] = value;
            }
        }
    }
}

/// Runtime ISA dispatch: on x86-64 with AVX2 and POPCNT the kernels are
/// compiled for them (the baseline x86-64 target has neither), elsewhere
/// for the build's target.
mod dispatch {
    use super::*;

    /// Tests set this to exercise the portable direct kernel on AVX2 machines too.
    #[cfg(target_arch = "x86_64")]
    fn portable_only() -> bool {
        #[cfg(test)]
        {
            super::tests::PORTABLE_ONLY.with(|p| p.get())
        }
        #[cfg(not(test))]
        {
            false
        }
    }

    #[cfg(target_arch = "x86_64")]
    fn has_avx2() -> bool {
        std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("popcnt")
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,popcnt")]
    fn direct_avx2(d: &Direct, x: &[i8], n: usize, rows: usize, cols: usize, out: &mut [i32]) {
        direct_body(d, x, n, rows, cols, out)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,popcnt")]
    #[allow(clippy::too_many_arguments)]
    fn bitplane_avx2(
        b: &BitPlanes,
        p: &MvmParams,
        x: &[i8],
        n: usize,
        rows: usize,
        cols: usize,
        out: &mut [i32],
        observe: Option<SumObserver<'_>>,
    ) {
        bitplane_body(b, p, x, n, rows, cols, out, observe)
    }

    pub(super) fn direct(
        d: &Direct,
        x: &[i8],
        n: usize,
        rows: usize,
        cols: usize,
        out: &mut [i32],
    ) {
        #[cfg(target_arch = "x86_64")]
        if has_avx2() {
            if !d.pairs.is_empty() && !portable_only() {
                // SAFETY: the CPU supports AVX2 (checked above); pairs exist.
                return unsafe { direct_pairs_avx2(d, x, n, rows, cols, out) };
            }
            // SAFETY: the CPU supports AVX2 and POPCNT (checked just above).
            return unsafe { direct_avx2(d, x, n, rows, cols, out) };
        }
        direct_body(d, x, n, rows, cols, out)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    fn analog_avx2(a: &analog::Analog, x: &[i8], n: usize, out: &mut [i32], read: u64) {
        analog::analog_body::<true>(a, x, n, out, read)
    }

    pub(super) fn analog(a: &analog::Analog, x: &[i8], n: usize, out: &mut [i32], read: u64) {
        #[cfg(target_arch = "x86_64")]
        if has_avx2() && std::is_x86_feature_detected!("fma") {
            // SAFETY: the CPU supports AVX2 and FMA (checked just above).
            return unsafe { analog_avx2(a, x, n, out, read) };
        }
        analog::analog_body::<{ cfg!(target_feature = "fma") }>(a, x, n, out, read)
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn bitplane(
        b: &BitPlanes,
        p: &MvmParams,
        x: &[i8],
        n: usize,
        rows: usize,
        cols: usize,
        out: &mut [i32],
        observe: Option<SumObserver<'_>>,
    ) {
        #[cfg(target_arch = "x86_64")]
        if has_avx2() {
            // SAFETY: the CPU supports AVX2 and POPCNT (checked just above).
            return unsafe { bitplane_avx2(b, p, x, n, rows, cols, out, observe) };
        }
        bitplane_body(b, p, x, n, rows, cols, out, observe)
    }
}

/// The instruction set the kernels run with on this machine.
pub fn kernel_isa() -> &'static str {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("popcnt") {
        return "x86-64 AVX2+POPCNT (runtime dispatch)";
    }
    if cfg!(target_arch = "x86_64") {
        "x86-64 baseline (SSE2)"
    } else {
        std::env::consts::ARCH
    }
}

mod analog;

#[cfg(test)]
mod tests;
