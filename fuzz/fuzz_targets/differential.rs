//! `cimc::fuzz::differential` under libFuzzer.
fn main() {
    cimc_fuzz::drive(cimc::fuzz::differential)
}
