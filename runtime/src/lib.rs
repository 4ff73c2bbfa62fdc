//! `cimc-runtime`: the cycle-level crossbar simulator of cimc, as a Rust
//! library and as a versioned `extern "C"` runtime ABI ([`abi`], header
//! `include/cimc_runtime.h`) that compiled programs and C code link.
//!
//! It stands alone (no MLIR): it reads the chip from a `cimc-target`
//! description, holds the tiles programmed onto each array, computes every
//! `cim.mvm` exactly as `dialects/cim/README.md` defines it ([`mvm`]), and
//! times operations with an event model of arrays, ADCs, shift-and-add,
//! buffers, the network and the host ([`sim`]; each operation's cost comes
//! from `cimc_target::cost`, the model the compiler uses), reporting cycles,
//! energy by component, utilization, TOPS and TOPS/W ([`Stats`]) and a
//! Chrome/Perfetto trace ([`trace`]). See the crate README for the model's
//! formulas and the ABI reference.
//!
//! ```ignore
//! use cimc_runtime::{ArrayId, MvmIssue, MvmParams, Simulator, Tile};
//! let mut sim = Simulator::from_toml("base = \"isaac\"\nname = \"isaac\"")?;
//! let id = ArrayId::new(0, 0, 0);
//! sim.program(id, 0, Tile::new(2, 2, 2, vec![1, 2, 3, 0], vec![])?)?;
//! let params = MvmParams { input_bits: 8, dac_bits: 1, adc_bits: 8, adc_shift: 0,
//!                          max_active_rows: 128 };
//! let mut out = [0; 2];
//! let token = sim.mvm(&MvmIssue { array: id, phase: 0, input: &[1, -1], n: 1, rows: 2,
//!                                 cols: 2, params, stage: 0, deps: &[] }, &mut out)?;
//! assert_eq!(out, [-2, 2]);
//! sim.finish()?;
//! println!("{} cycles", sim.stats().run_cycles);
//! ```

pub mod abi;
pub mod adc_range;
pub mod error;
pub mod ids;
pub mod im2col;
pub mod layer;
pub mod mvm;
pub mod noise;
pub mod sim;
pub mod stats;
pub mod tile;
pub mod trace;

pub use adc_range::{RangeChoice, RangeMethod, SumHistogram};
pub use error::{Result, SimError, Status};
pub use ids::{ArrayId, Token};
pub use mvm::{kernel_isa, mvm, KernelChoice, MvmKernel, MvmParams, SumObserver};
pub use sim::{HostOp, MvmIssue, Schedule, Simulator, VectorOp};
pub use stats::{AnalogStats, ArrayStats, Energy, LayerError, Stats};
pub use tile::{Tile, MAX_TILE_COLS, MAX_TILE_ROWS};
pub use trace::{Event, EventKind};

/// The version of the C ABI this library implements (`CIMC_RT_ABI_VERSION`).
/// Callers pass the version they were built against to `cimc_rt_create`.
pub const ABI_VERSION: u32 = 5;

pub use cimc_target::tables::ProgramTables;
pub use cimc_target::Target;
