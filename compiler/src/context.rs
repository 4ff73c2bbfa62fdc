//! MLIR contexts as cimc uses them: every upstream dialect and pass, plus
//! cimc's IRDL dialects.

use crate::error::DriverError;
use melior::{dialect::DialectRegistry, utility, Context};
use std::sync::Once;

/// A context with all upstream dialects loaded and cimc's dialects defined.
pub fn new_context() -> Result<Context, DriverError> {
    static PASSES: Once = Once::new();
    PASSES.call_once(utility::register_all_passes);
    let registry = DialectRegistry::new();
    utility::register_all_dialects(&registry);
    let context = Context::new();
    context.append_dialect_registry(&registry);
    context.load_all_available_dialects();
    utility::register_all_llvm_translations(&context);
    cimc_dialects::load_all(&context).map_err(|err| DriverError::Internal(err.to_string()))?;
    Ok(context)
}
