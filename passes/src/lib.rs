//! cimc's passes, one per file, named after their argument.
//!
//! A pass is described by a [`PassInfo`]: its argument (`cim-…`), a one-line
//! summary, a description with an example, the op it is anchored on and its
//! options. The driver's registry collects them from [`all`] and runs them
//! inside MLIR's own pass manager, beside upstream passes.
//!
//! Passes are grouped by level: `input` (what the TOSA input must satisfy),
//! `quant` (float to integer TOSA), `graph` (equality saturation),
//! `mapping` (onto crossbars), `cim`
//! (clean-ups of the `cim` dialect, whose IRDL ops have no traits) and
//! `host` (towards the host program).

pub mod cim;
pub mod diag;
pub mod emit;
pub mod graph;
pub mod host;
pub mod input;
pub mod ir;
pub mod mapping;
pub mod op_class;
pub mod options;
pub mod quant;
pub mod raw;
pub mod remark;
pub mod types;

pub use options::{OptionError, OptionInfo, OptionKind, Options};

use melior::ir::operation::OperationRefMut;

/// A pass failed; it has already emitted its diagnostics on the IR.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PassFailed;

/// The body of a cimc pass.
pub trait Pass: Send + Sync {
    /// Runs on one anchor op (and whatever it nests).
    fn run(&self, op: OperationRefMut<'_, '_>) -> Result<(), PassFailed>;
}

/// What every pass may read besides its options: the chip it compiles for,
/// and where to tell the user what it did not do (remarks).
#[derive(Clone)]
pub struct PassContext {
    pub target: std::sync::Arc<cimc_target::Target>,
    pub remarks: std::sync::Arc<remark::Remarks>,
    /// The schedule `cim-schedule mode=auto` records (the driver's
    /// `--schedule`): `layer-sequential`, `ht` or `ll`.
    pub schedule: &'static str,
    /// Copies per layer that cim-replicate takes instead of its own
    /// (`--replicas`); unlisted layers keep one.
    pub replicas: Option<std::sync::Arc<std::collections::BTreeMap<String, u32>>>,
    /// The largest im2col matrix, in bytes, that cim-lower-crossbar-ops
    /// builds for one layer (the driver's `--max-im2col-bytes`); a larger
    /// layer stays a host op, with a remark naming the limit.
    pub max_im2col_bytes: u64,
    /// The bytes the constants of a module may take together
    /// (`cim-verify-tosa-spec`, the driver's `--max-constant-bytes`).
    pub max_constant_bytes: u64,
}

/// [`PassContext::max_constant_bytes`] by default: 4 GiB.
pub const DEFAULT_MAX_CONSTANT_BYTES: u64 = 4 << 30;

/// [`PassContext::max_im2col_bytes`] by default: 1 GiB.
pub const DEFAULT_MAX_IM2COL_BYTES: u64 = 1 << 30;

impl Default for PassContext {
    fn default() -> Self {
        PassContext {
            target: std::sync::Arc::new(cimc_target::Target::default()),
            remarks: std::sync::Arc::default(),
            schedule: "layer-sequential",
            replicas: None,
            max_im2col_bytes: DEFAULT_MAX_IM2COL_BYTES,
            max_constant_bytes: DEFAULT_MAX_CONSTANT_BYTES,
        }
    }
}

/// A registered pass.
pub struct PassInfo {
    /// Kebab-case argument, `cim-…`.
    pub argument: &'static str,
    /// One line.
    pub summary: &'static str,
    /// What it does and why, with an example.
    pub description: &'static str,
    /// The op it runs on (`builtin.module`, `func.func`), or `None` for any op.
    pub anchor: Option<&'static str>,
    pub options: &'static [OptionInfo],
    /// Builds the pass from options already checked against `options`.
    pub create: fn(&Options, &PassContext) -> Box<dyn Pass>,
}

impl PassInfo {
    /// Parses `text` (the inside of `{...}`) against this pass's options.
    pub fn parse_options(&self, text: &str) -> Result<Options, OptionError> {
        Options::parse(self.argument, self.options, text)
    }
}

/// Every cimc pass.
pub fn all() -> &'static [&'static PassInfo] {
    static ALL: [&PassInfo; 38] = [
        &input::specialize_batch::INFO,
        &input::materialize_resources::INFO,
        &input::settle_shapes::INFO,
        &input::legalize_custom::INFO,
        &input::verify_tosa_input::INFO,
        &input::verify_tosa_spec::INFO,
        &input::attach_tosa_target::INFO,
        &input::detach_tosa_target::INFO,
        &input::name_layers::INFO,
        &graph::optimize::INFO,
        &mapping::decompose_conv3d::INFO,
        &mapping::orient_matmuls::INFO,
        &mapping::lower_crossbar_ops::INFO,
        &mapping::bit_slice::INFO,
        &mapping::tile::INFO,
        &mapping::replicate::INFO,
        &mapping::place::INFO,
        &mapping::schedule::INFO,
        &cim::dce::INFO,
        &cim::cse::INFO,
        &cim::lower_to_tosa::INFO,
        &host::decompose_transpose_conv2d::INFO,
        &host::widen_constant_mul::INFO,
        &host::widen_boundaries::INFO,
        &host::lower_scatter::INFO,
        &host::resize_offsets::INFO,
        &host::lower_to_runtime::INFO,
        &host::outline_layers::INFO,
        &quant::fold_constants::INFO,
        &quant::fold_batch_norm::INFO,
        &quant::name_layers::INFO,
        &quant::equalize::INFO,
        &quant::adaround::INFO,
        &quant::bias_correction::INFO,
        &quant::activation_range::INFO,
        &quant::weight_range::INFO,
        &quant::convert::INFO,
        &quant::fake_quant::INFO,
    ];
    &ALL
}

/// Looks a pass up by argument.
pub fn lookup(argument: &str) -> Option<&'static PassInfo> {
    all().iter().copied().find(|info| info.argument == argument)
}
