//! libFuzzer's driver with a Rust `main`. The static MLIR libraries cimc
//! links include mlir-opt's `main` (libMLIRMlirOptMain.a), which the linker
//! would otherwise pick over libFuzzer's; a `main` of our own wins, and
//! calls libFuzzer's `LLVMFuzzerRunDriver` with the target's body.

use std::ffi::{c_char, c_int, CString};
use std::sync::OnceLock;

// libFuzzer's objects (its driver; its own `main` stays unused).
extern crate libfuzzer_sys;

extern "C" {
    fn LLVMFuzzerRunDriver(
        argc: *mut c_int,
        argv: *mut *mut *mut c_char,
        callback: extern "C" fn(*const u8, usize) -> c_int,
    ) -> c_int;
}

static ENTRY: OnceLock<fn(&[u8])> = OnceLock::new();

extern "C" fn one_input(data: *const u8, size: usize) -> c_int {
    let bytes = if data.is_null() || size == 0 {
        &[][..]
    } else {
        // SAFETY: libFuzzer passes `size` readable bytes at `data`.
        unsafe { std::slice::from_raw_parts(data, size) }
    };
    if let Some(entry) = ENTRY.get() {
        // A panic is a finding: abort so that libFuzzer records the input.
        if std::panic::catch_unwind(|| entry(bytes)).is_err() {
            std::process::abort();
        }
    }
    0
}

/// What libfuzzer-sys's `LLVMFuzzerTestOneInput` calls (unused here: the
/// driver gets [`one_input`], but the symbol must exist).
#[no_mangle]
pub fn rust_fuzzer_test_input(bytes: &[u8]) -> i32 {
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
    let status = unsafe { LLVMFuzzerRunDriver(&mut argc, &mut argv, one_input) };
    std::process::exit(status)
}
