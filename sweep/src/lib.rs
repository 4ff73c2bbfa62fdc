//! Design-space sweeps for cimc, without MLIR: the spec (`spec`), its
//! points (`plan`: sampling, ids, quantization and build keys, the chip of
//! every point checked up front) and their results (`record`: JSON Lines
//! and CSV, resumable), the Pareto fronts (`pareto`) and the pictures and
//! page of a sweep (`plot`, `report`). The driver (`cimc sweep`) runs the points.

pub mod pareto;
pub mod plan;
pub mod plot;
pub mod record;
pub mod report;
pub mod spec;
mod toml_items;

pub use plan::{plan, Plan, Point, Quantization};
pub use spec::{load, parse, Spec, SpecError};

#[cfg(test)]
mod tests;
