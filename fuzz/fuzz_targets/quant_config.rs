#![no_main]
//! `cimc::fuzz::quant_config` under libFuzzer.
libfuzzer_sys::fuzz_target!(|data: &[u8]| cimc::fuzz::quant_config(data));
