//! `cimc::fuzz::quant_config` under libFuzzer.
fn main() {
    cimc_fuzz::drive(cimc::fuzz::quant_config)
}
