#![no_main]
//! `cimc::fuzz::mlir` under libFuzzer.
libfuzzer_sys::fuzz_target!(|data: &[u8]| cimc::fuzz::mlir(data));
