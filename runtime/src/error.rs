//! Errors of the simulator and the status codes the C ABI returns for them.

use crate::ids::ArrayId;

/// A status code of the C ABI (`CIMC_RT_*` in `cimc_runtime.h`). `Ok` is 0;
/// every error is a positive number that never changes meaning within one
/// ABI version.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// Success.
    Ok = 0,
    /// The caller was built against another `CIMC_RT_ABI_VERSION`.
    BadVersion = 1,
    /// A required pointer argument was null.
    NullPointer = 2,
    /// The target TOML text is not valid UTF-8, not valid TOML or not a valid target.
    BadTarget = 3,
    /// The core, macro or array index is outside the target's hierarchy.
    UnknownArray = 4,
    /// An mvm on an array (and phase) that was never programmed.
    UnprogrammedArray = 5,
    /// Rows or columns disagree with the programmed tile or exceed the array.
    ShapeMismatch = 6,
    /// An argument is out of its documented range (a level above
    /// 2^cell_bits − 1, input_bits 0, a NaN cost, ...).
    BadArgument = 7,
    /// A dependency token that this simulator never issued.
    UnknownToken = 8,
    /// An operation was issued after `cimc_rt_finish`.
    AfterFinish = 9,
    /// Writing the trace file failed.
    IoError = 10,
    /// The target asks for something this version does not model (a
    /// non-ideality).
    Unsupported = 11,
    /// The simulator panicked (a bug); the simulator is left unusable (every
    /// later call on it returns `Internal`) but it can still be destroyed.
    Internal = 12,
}

impl Status {
    /// Every status, in code order.
    pub const ALL: [Status; 13] = [
        Status::Ok,
        Status::BadVersion,
        Status::NullPointer,
        Status::BadTarget,
        Status::UnknownArray,
        Status::UnprogrammedArray,
        Status::ShapeMismatch,
        Status::BadArgument,
        Status::UnknownToken,
        Status::AfterFinish,
        Status::IoError,
        Status::Unsupported,
        Status::Internal,
    ];

    /// The C name of the code, e.g. `CIMC_RT_SHAPE_MISMATCH`.
    pub fn name(self) -> &'static str {
        match self {
            Status::Ok => "CIMC_RT_OK",
            Status::BadVersion => "CIMC_RT_BAD_VERSION",
            Status::NullPointer => "CIMC_RT_NULL_POINTER",
            Status::BadTarget => "CIMC_RT_BAD_TARGET",
            Status::UnknownArray => "CIMC_RT_UNKNOWN_ARRAY",
            Status::UnprogrammedArray => "CIMC_RT_UNPROGRAMMED_ARRAY",
            Status::ShapeMismatch => "CIMC_RT_SHAPE_MISMATCH",
            Status::BadArgument => "CIMC_RT_BAD_ARGUMENT",
            Status::UnknownToken => "CIMC_RT_UNKNOWN_TOKEN",
            Status::AfterFinish => "CIMC_RT_AFTER_FINISH",
            Status::IoError => "CIMC_RT_IO_ERROR",
            Status::Unsupported => "CIMC_RT_UNSUPPORTED",
            Status::Internal => "CIMC_RT_INTERNAL",
        }
    }

    /// The status with this code, if any.
    pub fn from_code(code: i32) -> Option<Status> {
        Status::ALL.iter().copied().find(|s| *s as i32 == code)
    }
}

/// Everything the simulator can refuse. `Display` is the message the ABI's
/// `cimc_rt_last_error` returns.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("ABI version mismatch: the caller was built for version {got}, this library implements version {expected}")]
    BadVersion { got: u32, expected: u32 },
    #[error("`{0}` is a null pointer")]
    NullPointer(&'static str),
    #[error("bad target: {0}")]
    BadTarget(String),
    #[error("{id} does not exist: the target has {cores} core(s) × {macros} macro(s) × {arrays} array(s)")]
    UnknownArray {
        id: ArrayId,
        cores: u32,
        macros: u32,
        arrays: u32,
    },
    #[error("{id} phase {phase} was never programmed")]
    UnprogrammedArray { id: ArrayId, phase: u32 },
    #[error("shape mismatch: {0}")]
    ShapeMismatch(String),
    #[error("bad argument: {0}")]
    BadArgument(String),
    #[error("unknown dependency token {0}: tokens are issued by cimc_rt_mvm, cimc_rt_host_op and cimc_rt_transfer (0 means none)")]
    UnknownToken(u64),
    #[error("the simulation is finished: `{0}` cannot be issued after cimc_rt_finish")]
    AfterFinish(&'static str),
    #[error("cannot write `{path}`: {message}")]
    Io { path: String, message: String },
    #[error("unsupported: {0}")]
    Unsupported(String),
    #[error("internal error (a bug in cimc-runtime): {0}")]
    Internal(String),
}

impl SimError {
    /// The ABI status code of this error.
    pub fn status(&self) -> Status {
        match self {
            SimError::BadVersion { .. } => Status::BadVersion,
            SimError::NullPointer(_) => Status::NullPointer,
            SimError::BadTarget(_) => Status::BadTarget,
            SimError::UnknownArray { .. } => Status::UnknownArray,
            SimError::UnprogrammedArray { .. } => Status::UnprogrammedArray,
            SimError::ShapeMismatch(_) => Status::ShapeMismatch,
            SimError::BadArgument(_) => Status::BadArgument,
            SimError::UnknownToken(_) => Status::UnknownToken,
            SimError::AfterFinish(_) => Status::AfterFinish,
            SimError::Io { .. } => Status::IoError,
            SimError::Unsupported(_) => Status::Unsupported,
            SimError::Internal(_) => Status::Internal,
        }
    }
}

/// Result of the simulator's operations.
pub type Result<T, E = SimError> = std::result::Result<T, E>;
