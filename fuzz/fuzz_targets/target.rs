#![no_main]
//! `cimc::fuzz::target` under libFuzzer.
libfuzzer_sys::fuzz_target!(|data: &[u8]| cimc::fuzz::target(data));
