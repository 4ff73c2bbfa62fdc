//! Clean-ups of the `cim` dialect. Its IRDL ops carry no traits, so upstream
//! `cse` and `canonicalize` leave them alone; these passes do that work using
//! the dialect's documented contract: every `cim` op is free of side effects.

pub mod cse;
pub mod dce;
pub mod lower_to_tosa;
