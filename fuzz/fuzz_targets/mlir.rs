//! `cimc::fuzz::mlir` under libFuzzer.
fn main() {
    cimc_fuzz::drive(cimc::fuzz::mlir)
}
