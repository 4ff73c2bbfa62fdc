//! The graph phase: integer TOSA optimised by equality saturation
//! (`cimc-graph`), between quantization and mapping.

pub mod optimize;
