//! Locations: the name a producer attached (`loc("name")`, or the first name
//! inside a fused location, as TFLite and torch-mlir attach them) and the
//! melior form that diagnostics are emitted at.

use super::text;
use mlir_sys as sys;

/// The name of a location: a `loc("name")`, or the first name inside a
/// fused location; `None` for file, call-site and unknown locations.
pub fn location_name(location: sys::MlirLocation) -> Option<String> {
    if location.ptr.is_null() {
        return None;
    }
    unsafe {
        if sys::mlirLocationIsAName(location) {
            return Some(text(sys::mlirIdentifierStr(sys::mlirLocationNameGetName(
                location,
            ))));
        }
        if sys::mlirLocationIsAFused(location) {
            let n = sys::mlirLocationFusedGetNumLocations(location);
            let mut parts = vec![
                sys::mlirLocationUnknownGet(sys::mlirLocationGetContext(location));
                n as usize
            ];
            sys::mlirLocationFusedGetLocations(location, parts.as_mut_ptr());
            return parts.into_iter().find_map(location_name);
        }
        None
    }
}

/// Emits an error diagnostic at `location` (interior NULs, which cannot
/// cross the C API, are shown as `\\0` rather than truncating).
pub fn emit_error(location: sys::MlirLocation, message: &str) {
    let text = std::ffi::CString::new(message.replace('\0', "\\0")).unwrap_or_default();
    unsafe { sys::mlirEmitError(location, text.as_ptr()) }
}

/// `location` as melior's location, which diagnostics are emitted at. The
/// lifetime is the context's, which the caller keeps alive.
pub fn melior_location(location: sys::MlirLocation) -> melior::ir::Location<'static> {
    unsafe { melior::ir::Location::from_raw(location) }
}
