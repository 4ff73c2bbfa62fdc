//! cimc's graph phase without MLIR: equality saturation over integer TOSA
//! with `egg`, rules as data, the chip's own cost, DAG extraction.
//!
//! The pass `cim-graph` (in `cimc-passes`) imports a function into a
//! [`graph::EGraph`] (every value a class; ops the rules do not model kept
//! as opaque copies), [`saturate`]s it with [`rules::all`] within
//! [`saturate::Limits`], [`extract`]s the cheapest DAG under
//! [`cost::node_cost`] on the target, and exports it back.

pub mod cost;
pub mod extract;
pub mod graph;
pub mod lang;
pub mod rules;
pub mod saturate;
pub mod ty;

pub use cost::Cost;
/// The e-class id of `egg`, for the crates that import and export graphs.
pub use egg::Id;
pub use graph::{EGraph, Graph, Origin, Value};
pub use lang::{Node, Op};
pub use saturate::{saturate, Limits, Saturation, Stop};
pub use ty::Ty;
