#![no_main]
//! `cimc::fuzz::npy` under libFuzzer.
libfuzzer_sys::fuzz_target!(|data: &[u8]| cimc::fuzz::npy(data));
