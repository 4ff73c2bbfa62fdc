//! Captures what C++ code writes to standard error during one call, for the
//! few MLIR errors that bypass the diagnostic handler (llvm::cl option
//! parsing). Falls back to not capturing when the descriptors cannot be
//! redirected.

use std::io::{Read, Seek, SeekFrom};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

/// File descriptor 2 belongs to the whole process: one capture at a time
/// (library users may build pipelines on several threads).
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

pub struct Capture {
    saved: Option<(i32, std::fs::File)>,
    _turn: MutexGuard<'static, ()>,
}

impl Capture {
    pub fn start() -> Self {
        let turn = ONE_AT_A_TIME
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let Ok(file) = tempfile() else {
            return Capture {
                saved: None,
                _turn: turn,
            };
        };
        unsafe {
            let saved = libc::dup(2);
            if saved < 0 {
                return Capture {
                    saved: None,
                    _turn: turn,
                };
            }
            if libc::dup2(file.as_raw_fd(), 2) < 0 {
                libc::close(saved);
                return Capture {
                    saved: None,
                    _turn: turn,
                };
            }
            Capture {
                saved: Some((saved, file)),
                _turn: turn,
            }
        }
    }

    /// Restores standard error and returns what was written meanwhile.
    pub fn finish(mut self) -> String {
        let Some((saved, mut file)) = self.saved.take() else {
            return String::new();
        };
        unsafe {
            libc::dup2(saved, 2);
            libc::close(saved);
        }
        let mut text = String::new();
        let _ = file.seek(SeekFrom::Start(0));
        let _ = file.read_to_string(&mut text);
        text
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        if let Some((saved, _)) = self.saved.take() {
            unsafe {
                libc::dup2(saved, 2);
                libc::close(saved);
            }
        }
    }
}

fn tempfile() -> std::io::Result<std::fs::File> {
    static COUNT: AtomicU64 = AtomicU64::new(0);
    let path = std::env::temp_dir().join(format!(
        "cimc-stderr-{}-{}",
        std::process::id(),
        COUNT.fetch_add(1, Ordering::Relaxed)
    ));
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&path)?;
    let _ = std::fs::remove_file(&path);
    Ok(file)
}
