//! libFuzzer's driver with a Rust `main`. The static MLIR libraries cimc
//! links include mlir-opt's `main` (libMLIRMlirOptMain.a), which the linker
//! would otherwise pick over libFuzzer's; a `main` of our own wins, and
//! runs libFuzzer (`LLVMFuzzerRunDriver`) on libfuzzer-sys's
//! `LLVMFuzzerTestOneInput`, which calls [`rust_fuzzer_test_input`] and
//! turns a panic into an abort libFuzzer records.

use std::ffi::{c_char, c_int, CString};
use std::sync::OnceLock;

// libFuzzer's objects and libfuzzer-sys's `LLVMFuzzerTestOneInput`.
extern crate libfuzzer_sys;

extern "C" {
    fn LLVMFuzzerRunDriver(
        argc: *mut c_int,
        argv: *mut *mut *mut c_char,
        callback: unsafe extern "C" fn(*const u8, usize) -> c_int,
    ) -> c_int;
    fn LLVMFuzzerTestOneInput(data: *const u8, size: usize) -> c_int;
}

static ENTRY: OnceLock<fn(&[u8])> = OnceLock::new();

/// What libfuzzer-sys's `LLVMFuzzerTestOneInput` calls with each input
/// (with the ABI its declaration and its `fuzz_target!` give it).
#[no_mangle]
#[allow(improper_ctypes_definitions)]
pub extern "C" fn rust_fuzzer_test_input(bytes: &[u8]) -> i32 {
    if let Some(entry) = ENTRY.get() {
        entry(bytes);
    }
    0
}

/// Runs libFuzzer on `entry` with this process's arguments.
pub fn drive(entry: fn(&[u8])) -> ! {
    let _ = ENTRY.set(entry);
    let args: Vec<CString> = std::env::args()
        .map(|a| CString::new(a).unwrap_or_default())
        .collect();
    let mut pointers: Vec<*mut c_char> = args.iter().map(|a| a.as_ptr() as *mut c_char).collect();
    pointers.push(std::ptr::null_mut());
    let mut argc = args.len() as c_int;
    let mut argv = pointers.as_mut_ptr();
    // SAFETY: argv holds argc NUL-terminated strings and a null, alive
    // for the whole run.
    let status = unsafe { LLVMFuzzerRunDriver(&mut argc, &mut argv, LLVMFuzzerTestOneInput) };
    std::process::exit(status)
}
