//! `cimc::fuzz::target` under libFuzzer.
fn main() {
    cimc_fuzz::drive(cimc::fuzz::target)
}
