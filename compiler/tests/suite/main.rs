//! cimc's integration tests, in one binary: every test binary links the whole
//! of static LLVM/MLIR, so they share this one.

mod cim_irdl;
mod cost;
mod graph;
mod lit;
mod mapping;
mod options;
pub mod oracle;
mod pretrained;
mod quantize;
mod reference;
mod simulate;
