//! `cimc::fuzz::pipeline` under libFuzzer.
fn main() {
    cimc_fuzz::drive(cimc::fuzz::pipeline)
}
