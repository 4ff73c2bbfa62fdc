//! cimc's MLIR dialects, defined in IRDL and loaded into every context.
//!
//! Each dialect lives in `dialects/<name>/` with its `.irdl.mlir` definition
//! and a README giving the exact semantics of its ops; this crate embeds the
//! definitions and gives the passes a typed view of each op (checked getters,
//! one `build`, the attribute names declared once).

pub mod builder;
pub mod cim;
pub mod handle;
pub mod quant;

pub use builder::Builder;

use melior::{ir::Module, Context};
use std::fmt;

/// A dialect definition that failed to load (a bug in the embedded IRDL).
#[derive(Debug)]
pub struct LoadError {
    pub dialect: &'static str,
    pub reason: &'static str,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot load the `{}` dialect: {}",
            self.dialect, self.reason
        )
    }
}

impl std::error::Error for LoadError {}

/// Every IRDL dialect of cimc: (namespace, definition text).
pub const IRDL_DIALECTS: &[(&str, &str)] = &[(cim::NAMESPACE, cim::IRDL)];

/// Loads all of cimc's dialects into `context`.
pub fn load_all(context: &Context) -> Result<(), LoadError> {
    for &(dialect, text) in IRDL_DIALECTS {
        let module = Module::parse(context, text).ok_or(LoadError {
            dialect,
            reason: "its IRDL definition does not parse",
        })?;
        if !melior::utility::load_irdl_dialects(&module) {
            return Err(LoadError {
                dialect,
                reason: "IRDL rejected its definition",
            });
        }
    }
    Ok(())
}
