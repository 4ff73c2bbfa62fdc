//! A weight tile as programmed onto one crossbar array (`cim.program`).

use cimc_target::cost;

use crate::error::{Result, SimError};

/// Most rows a tile may have. It bounds every intermediate of the kernels:
/// a column sum of one step is at most rows × 255 × 255 < 2^31.
pub const MAX_TILE_ROWS: u32 = 16_384;
/// Most columns a tile may have.
pub const MAX_TILE_COLS: u32 = 65_536;

/// The cell levels of one programmed array: `rows × cols` levels in
/// `[0, 2^cell_bits − 1]` (row-major, rows are word lines), and the columns
/// stored complemented (ISAAC's weight flip, `cim.flipped`).
///
/// [`Tile::level`] is the logical level `W[r][c]` (what `cim.program`'s
/// operand holds); [`Tile::stored`] is what the cell holds: `W` in a plain
/// column, `2^cell_bits − 1 − W` in a flipped one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tile {
    rows: u32,
    cols: u32,
    cell_bits: u32,
    levels: Vec<u8>,
    flipped: Vec<bool>,
}

impl Tile {
    /// A tile from row-major levels and an optional flipped-column mask
    /// (`flipped.len() == cols`; empty means no column is flipped).
    ///
    /// Errors: a zero or too large dimension, `cell_bits` outside 1..=8, a
    /// level above `2^cell_bits − 1`, or lengths that disagree with the shape.
    pub fn new(
        rows: u32,
        cols: u32,
        cell_bits: u32,
        levels: Vec<u8>,
        flipped: Vec<bool>,
    ) -> Result<Tile> {
        if rows == 0 || cols == 0 {
            return Err(SimError::ShapeMismatch(format!(
                "a tile needs at least one row and one column, got {rows} × {cols}"
            )));
        }
        if rows > MAX_TILE_ROWS || cols > MAX_TILE_COLS {
            return Err(SimError::ShapeMismatch(format!(
                "a tile has at most {MAX_TILE_ROWS} rows and {MAX_TILE_COLS} columns, got {rows} × {cols}"
            )));
        }
        if !(1..=8).contains(&cell_bits) {
            return Err(SimError::BadArgument(format!(
                "cell_bits must be in 1..=8, got {cell_bits}"
            )));
        }
        let cells = rows as usize * cols as usize;
        if levels.len() != cells {
            return Err(SimError::ShapeMismatch(format!(
                "{} levels for a {rows} × {cols} tile ({cells} expected)",
                levels.len()
            )));
        }
        if !flipped.is_empty() && flipped.len() != cols as usize {
            return Err(SimError::ShapeMismatch(format!(
                "{} flipped-column flags for {cols} columns",
                flipped.len()
            )));
        }
        let max = cost::max_cell_level(cell_bits) as u32;
        if let Some(i) = levels.iter().position(|&l| u32::from(l) > max) {
            return Err(SimError::BadArgument(format!(
                "level {} at row {}, column {} exceeds 2^cell_bits − 1 = {max}",
                levels[i],
                i / cols as usize,
                i % cols as usize
            )));
        }
        let flipped = if flipped.iter().any(|&f| f) {
            flipped
        } else {
            Vec::new()
        };
        Ok(Tile {
            rows,
            cols,
            cell_bits,
            levels,
            flipped,
        })
    }

    /// Word lines (input elements).
    pub fn rows(&self) -> u32 {
        self.rows
    }

    /// Bit lines (outputs).
    pub fn cols(&self) -> u32 {
        self.cols
    }

    /// Bits per cell.
    pub fn cell_bits(&self) -> u32 {
        self.cell_bits
    }

    /// 2^cell_bits − 1.
    pub fn max_level(&self) -> u32 {
        cost::max_cell_level(self.cell_bits) as u32
    }

    /// Cells of the tile (rows × cols).
    pub fn cells(&self) -> u64 {
        u64::from(self.rows) * u64::from(self.cols)
    }

    /// The logical levels, row-major.
    pub fn levels(&self) -> &[u8] {
        &self.levels
    }

    /// The logical level `W[r][c]`.
    pub fn level(&self, r: usize, c: usize) -> u8 {
        self.levels[r * self.cols as usize + c]
    }

    /// Whether column `c` is stored complemented.
    pub fn is_flipped(&self, c: usize) -> bool {
        self.flipped.get(c).copied().unwrap_or(false)
    }

    /// Whether any column is stored complemented.
    pub fn any_flipped(&self) -> bool {
        !self.flipped.is_empty()
    }

    /// The level the cell holds: `W[r][c]`, or `2^cell_bits − 1 − W[r][c]`
    /// in a flipped column.
    pub fn stored(&self, r: usize, c: usize) -> u8 {
        let w = self.level(r, c);
        if self.is_flipped(c) {
            self.max_level() as u8 - w
        } else {
            w
        }
    }
}
