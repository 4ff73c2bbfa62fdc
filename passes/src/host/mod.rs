//! The host phase: `cim-lower-to-runtime` turns crossbar ops into runtime
//! calls; the other passes rewrite TOSA ahead of upstream host lowering
//! (tosa-to-linalg …), for ops that upstream lowers wrongly or not at all. Each rewrite is exact: the
//! result is the TOSA 1.0 specification's, bit for bit, which the oracle
//! property tests (compiler/tests/suite/oracle) check against Arm's reference
//! model.

pub mod crossbar_layers;
pub mod decompose_transpose_conv2d;
pub mod lower_scatter;
pub mod lower_to_runtime;
pub mod outline_layers;
pub mod resize_offsets;
pub mod widen_boundaries;
pub mod widen_constant_mul;
