//! The crash handler: a fatal signal inside MLIR, LLVM or cimc (a segfault
//! in MLIR's parser on a malformed attribute, a stack overflow on deeply
//! nested input, an abort in an LLVM assertion) becomes one message naming
//! the signal, the phase and the input, and exit status 70 (EX_SOFTWARE),
//! instead of a silent death.
//!
//! The driver records what it is doing with [`set_phase`] and [`set_input`];
//! the handler only reads that text and writes it with `write(2)`, which is
//! safe in a signal handler. It runs on its own stack, so a stack overflow
//! can report too.

use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};
use std::sync::Mutex;

/// Exit status after a crash (sysexits' EX_SOFTWARE: an internal error).
pub const CRASH_EXIT: i32 = 70;

const CAP: usize = 1024;
static TEXT: [AtomicU8; CAP] = [const { AtomicU8::new(0) }; CAP];
static LEN: AtomicUsize = AtomicUsize::new(0);
static INSTALLED: AtomicBool = AtomicBool::new(false);
/// The phase and input the text is made from (main thread only).
static STATE: Mutex<(&str, String)> = Mutex::new(("starting", String::new()));

const SIGNALS: [(libc::c_int, &str); 5] = [
    (libc::SIGSEGV, "SIGSEGV, a segmentation fault"),
    (libc::SIGBUS, "SIGBUS, a bus error"),
    (libc::SIGFPE, "SIGFPE, an arithmetic fault"),
    (libc::SIGILL, "SIGILL, an illegal instruction"),
    (libc::SIGABRT, "SIGABRT, an abort"),
];

fn phrase(phase: &str, input: &str) -> String {
    if input.is_empty() {
        format!("while {phase}")
    } else {
        format!("while {phase} `{input}`")
    }
}

fn publish(phase: &str, input: &str) {
    let text = phrase(phase, input);
    let bytes = text.as_bytes();
    let n = bytes.len().min(CAP);
    // Hide the text while it changes: the handler then prints no detail
    // rather than a torn one.
    LEN.store(0, Ordering::SeqCst);
    for (slot, byte) in TEXT.iter().zip(&bytes[..n]) {
        slot.store(*byte, Ordering::Relaxed);
    }
    LEN.store(n, Ordering::SeqCst);
}

/// What the driver does now, e.g. "parsing" or "running the pass pipeline on".
pub fn set_phase(phase: &'static str) {
    if let Ok(mut state) = STATE.lock() {
        state.0 = phase;
        publish(state.0, &state.1);
    }
}

/// What the driver is doing, as a crash message says it: ``while parsing
/// `net.mlir` ``.
pub fn describe() -> String {
    STATE.lock().map_or_else(
        |_| "while compiling".to_string(),
        |state| phrase(state.0, &state.1),
    )
}

/// The input being compiled (a path, or `-` for standard input).
pub fn set_input(input: &str) {
    if let Ok(mut state) = STATE.lock() {
        state.1 = input.to_string();
        publish(state.0, &state.1);
    }
}

fn write_stderr(bytes: &[u8]) {
    // SAFETY: write(2) on a valid buffer; async-signal-safe.
    unsafe {
        libc::write(2, bytes.as_ptr().cast(), bytes.len());
    }
}

extern "C" fn handler(signal: libc::c_int) {
    let name = SIGNALS
        .iter()
        .find(|(s, _)| *s == signal)
        .map_or("a fatal signal", |(_, name)| name);
    write_stderr(b"cimc: error: internal crash (");
    write_stderr(name.as_bytes());
    write_stderr(b")");
    let n = LEN.load(Ordering::SeqCst).min(CAP);
    if n > 0 {
        let mut buf = [0u8; CAP];
        for (b, slot) in buf.iter_mut().zip(&TEXT[..n]) {
            *b = slot.load(Ordering::Relaxed);
        }
        write_stderr(b" ");
        write_stderr(&buf[..n]);
    }
    write_stderr(
        b": a bug in cimc or in the MLIR/LLVM code it runs; please report it with this input\n",
    );
    // SAFETY: _exit is async-signal-safe and ends the process at once.
    unsafe { libc::_exit(CRASH_EXIT) }
}

/// How a signal is named in messages (`SIGSEGV, a segmentation fault`;
/// other signals by number).
pub fn signal_name(signal: libc::c_int) -> String {
    SIGNALS.iter().find(|(s, _)| *s == signal).map_or_else(
        || format!("signal {signal}"),
        |(_, name)| (*name).to_string(),
    )
}

/// Restores the default action of the signals [`install`] handles (in a
/// forked child whose parent wants to see how it died).
pub fn restore_defaults() {
    // SAFETY: resetting dispositions to SIG_DFL.
    unsafe {
        for (signal, _) in SIGNALS {
            libc::signal(signal, libc::SIG_DFL);
        }
    }
}

/// Installs the handler for SIGSEGV, SIGBUS, SIGFPE, SIGILL and SIGABRT, on
/// an alternate stack for the calling thread. Idempotent.
pub fn install() {
    if INSTALLED.swap(true, Ordering::SeqCst) {
        return;
    }
    const STACK: usize = 256 * 1024;
    let stack: &'static mut [u8] = Box::leak(vec![0u8; STACK].into_boxed_slice());
    // SAFETY: a leaked (never freed) buffer as the signal stack; sigaction
    // with a handler that only calls async-signal-safe functions.
    unsafe {
        let alt = libc::stack_t {
            ss_sp: stack.as_mut_ptr().cast(),
            ss_flags: 0,
            ss_size: STACK,
        };
        libc::sigaltstack(&alt, std::ptr::null_mut());
        for (signal, _) in SIGNALS {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = handler as extern "C" fn(libc::c_int) as usize;
            action.sa_flags = libc::SA_ONSTACK | libc::SA_RESETHAND;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, std::ptr::null_mut());
        }
    }
}
