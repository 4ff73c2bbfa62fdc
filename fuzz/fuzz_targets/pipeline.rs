#![no_main]
//! `cimc::fuzz::pipeline` under libFuzzer.
libfuzzer_sys::fuzz_target!(|data: &[u8]| cimc::fuzz::pipeline(data));
