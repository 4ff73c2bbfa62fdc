//! Names carried by MLIR locations: `loc("name")`, or the first name inside
//! a fused location, as producers (TFLite, torch-mlir) attach them.

use mlir_sys as sys;

/// The text of an identifier.
pub fn identifier(id: sys::MlirIdentifier) -> String {
    unsafe {
        let s = sys::mlirIdentifierStr(id);
        String::from_utf8_lossy(std::slice::from_raw_parts(s.data.cast::<u8>(), s.length))
            .into_owned()
    }
}

/// The name of a location: a `loc("name")`, or the first name inside a
/// fused location; `None` for file, call-site and unknown locations.
pub fn location_name(location: sys::MlirLocation) -> Option<String> {
    unsafe {
        if sys::mlirLocationIsAName(location) {
            return Some(identifier(sys::mlirLocationNameGetName(location)));
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
