//! Remarks: what a pass tells the user without failing, such as why a layer
//! stays a host op. MLIR's C API can emit errors only, so passes record
//! remarks here and the driver prints them (`cimc --remarks`) beside the
//! other diagnostics.

use mlir_sys as sys;
use std::sync::Mutex;

/// One remark: where, and what.
#[derive(Debug, Clone)]
pub struct Remark {
    /// A location of the module being compiled; valid while its context is.
    pub location: sys::MlirLocation,
    pub message: String,
}

// A location is an immutable, context-owned value; the driver reads it on
// the thread that owns the context, after the passes ran.
unsafe impl Send for Remark {}

/// The remarks of one compilation; recorded only when asked for.
#[derive(Debug, Default)]
pub struct Remarks {
    enabled: bool,
    items: Mutex<Vec<Remark>>,
}

impl Remarks {
    /// A sink that records (`enabled`) or drops what passes tell it.
    pub fn new(enabled: bool) -> Remarks {
        Remarks {
            enabled,
            items: Mutex::default(),
        }
    }

    /// Records a remark at `op`'s location, prefixed with the op's name as
    /// diagnostics are: `'tosa.matmul' op ...`.
    pub fn at_op(&self, op: sys::MlirOperation, message: impl std::fmt::Display) {
        if !self.enabled {
            return;
        }
        let Some(op) = cimc_dialects::handle::OpRef::new(op) else {
            return;
        };
        let location = op.location();
        let message = format!("'{}' op {message}", op.name());
        if let Ok(mut items) = self.items.lock() {
            items.push(Remark { location, message });
        }
    }

    /// The remarks recorded so far, oldest first; the sink is emptied.
    pub fn take(&self) -> Vec<Remark> {
        self.items
            .lock()
            .map(|mut items| std::mem::take(&mut *items))
            .unwrap_or_default()
    }
}
