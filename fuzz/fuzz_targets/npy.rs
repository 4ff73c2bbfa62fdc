//! `cimc::fuzz::npy` under libFuzzer.
fn main() {
    cimc_fuzz::drive(cimc::fuzz::npy)
}
