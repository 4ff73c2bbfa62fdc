//! What cimc requires of its TOSA input before any upstream pass may see it:
//! upstream passes can crash on input they do not expect (a `!quant` element
//! type makes `tosa-to-linalg` segfault), so these checks come first.

pub mod attach_tosa_target;
pub mod detach_tosa_target;
pub mod legalize_custom;
pub mod materialize_resources;
pub mod name_layers;
pub mod settle_shapes;
pub mod specialize_batch;
pub mod verify_tosa_input;
pub mod verify_tosa_spec;
