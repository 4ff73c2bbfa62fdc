//! cimc's integration tests, in one binary: every test binary links the whole
//! of static LLVM/MLIR, so they share this one.

mod lit;
mod mapping;
mod options;
mod oracle;
mod reference;
mod simulate;
