//! The compile-time budget: `--compile-time-limit SECONDS` bounds the wall
//! time cimc spends before a model runs — parsing, quantization, ADC
//! calibration, the phases, LLVM and the JIT. Execution under `--run` is
//! not counted: the driver stops the budget when the first sample starts.
//!
//! A pass that never returns (a superlinear rewrite on a pathological
//! input, a hang inside MLIR or LLVM) cannot be interrupted from inside, so
//! a watchdog thread waits out the limit and, if the budget is still
//! running, prints what the driver was doing (the crash handler's record of
//! the phase and input) and ends the process with status 1.

use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// `--compile-time-limit` by default, in seconds: half an hour, far above
/// any bundled model's compile (ResNet-50: seconds) and still an end to a
/// compile that would not finish.
pub const DEFAULT_COMPILE_TIME_LIMIT: f64 = 1800.0;

/// Whether the budget was stopped, and the watchdog's wake-up.
static STOPPED: (Mutex<bool>, Condvar) = (Mutex::new(false), Condvar::new());
/// The output file to remove when the limit runs out (as a failed compile
/// removes it).
static OUTPUT: Mutex<Option<String>> = Mutex::new(None);

/// Names the output file the driver created, to be removed should the
/// limit run out.
pub fn remove_on_timeout(path: &str) {
    if let Ok(mut output) = OUTPUT.lock() {
        *output = Some(path.to_string());
    }
}

/// Parses `--compile-time-limit`: seconds, finite and not negative (0: no
/// limit).
pub fn parse_seconds(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(seconds) if seconds.is_finite() && seconds >= 0.0 => Ok(seconds),
        _ => Err(format!(
            "`{text}` is not a number of seconds >= 0 (0: no limit)"
        )),
    }
}

/// Starts the budget of `seconds` (0: none).
pub fn start(seconds: f64) {
    if seconds <= 0.0 {
        return;
    }
    let limit = Duration::from_secs_f64(seconds.min(1e9));
    let deadline = Instant::now() + limit;
    std::thread::spawn(move || {
        let (lock, wake) = &STOPPED;
        let Ok(mut stopped) = lock.lock() else {
            return;
        };
        while !*stopped {
            let now = Instant::now();
            if now >= deadline {
                eprintln!(
                    "cimc: error: the compile-time limit of {} ran out {}; raise it with --compile-time-limit SECONDS (0: no limit)",
                    seconds_text(seconds),
                    crate::crash::describe()
                );
                if let Ok(Some(path)) = OUTPUT.lock().as_deref() {
                    let _ = std::fs::remove_file(path);
                }
                // SAFETY: _exit ends the process at once; the main thread
                // may be anywhere inside MLIR or LLVM, whose static
                // destructors `exit` would run under it.
                unsafe { libc::_exit(1) }
            }
            match wake.wait_timeout(stopped, deadline - now) {
                Ok((guard, _)) => stopped = guard,
                Err(_) => return,
            }
        }
    });
}

/// Stops the budget: what follows (running the model) takes as long as it
/// takes.
pub fn stop() {
    let (lock, wake) = &STOPPED;
    if let Ok(mut stopped) = lock.lock() {
        *stopped = true;
        wake.notify_all();
    }
}

fn seconds_text(seconds: f64) -> String {
    if seconds.fract() == 0.0 {
        format!("{seconds:.0} s")
    } else {
        format!("{seconds} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_seconds() {
        assert_eq!(parse_seconds("2.5"), Ok(2.5));
        assert_eq!(parse_seconds("0"), Ok(0.0));
        for bad in ["-1", "nan", "inf", "ten", ""] {
            assert!(parse_seconds(bad).is_err(), "{bad}");
        }
        assert_eq!(seconds_text(1800.0), "1800 s");
        assert_eq!(seconds_text(0.25), "0.25 s");
    }
}
