//! The `cim` dialect: weight tiles on crossbar arrays, bit-serial crossbar
//! matrix-vector products and the digital recombination of their partial sums.
//! Semantics: `dialects/cim/README.md`.

/// The dialect namespace.
pub const NAMESPACE: &str = "cim";

/// The IRDL definition, also usable as `mlir-opt --irdl-file=dialects/cim/cim.irdl.mlir`.
pub const IRDL: &str = include_str!("../cim/cim.irdl.mlir");

/// `cim.im2col`: unfolds convolution windows into matrix rows (a host op).
pub const IM2COL: &str = "cim.im2col";
/// `cim.matmul`: a crossbar matrix product before tiling.
pub const MATMUL: &str = "cim.matmul";
/// `cim.program`: programs cell levels into one crossbar array; yields a `!cim.tile`.
pub const PROGRAM: &str = "cim.program";
/// `cim.mvm`: bit-serial matrix-vector products against a tile, read through an ADC.
pub const MVM: &str = "cim.mvm";
/// `cim.shift_add`: recombines bit-sliced partial sums.
pub const SHIFT_ADD: &str = "cim.shift_add";
/// `cim.accumulate`: sums row-tile partial sums.
pub const ACCUMULATE: &str = "cim.accumulate";

/// `cim.layer`: the stable name of a crossbar layer, set on its TOSA op at
/// input (`cim-name-layers`) and carried into the `layer` attribute of every
/// `cim` op it becomes; reports, configurations and traces key on it.
pub const LAYER_ATTR: &str = "cim.layer";

/// Every op of the dialect.
pub const OPS: &[&str] = &[IM2COL, MATMUL, PROGRAM, MVM, SHIFT_ADD, ACCUMULATE];

/// Whether `op_name` is an op of this dialect.
pub fn is_cim_op(op_name: &str) -> bool {
    op_name
        .strip_prefix(NAMESPACE)
        .is_some_and(|rest| rest.starts_with('.'))
}
