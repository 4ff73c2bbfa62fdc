fn main() -> std::process::ExitCode {
    cimc::driver::main()
}
