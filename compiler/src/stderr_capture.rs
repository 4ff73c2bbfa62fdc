//! Captures what C++ code writes to standard error during one call, for the
//! few MLIR errors that bypass the diagnostic handler (llvm::cl option
//! parsing). Falls back to not capturing when the descriptors cannot be
//! redirected.

use std::io::{Read, Seek, SeekFrom};
use std::os::fd::AsRawFd;

pub struct Capture {
    saved: Option<(i32, std::fs::File)>,
}

impl Capture {
    pub fn start() -> Self {
        let Ok(file) = tempfile() else {
            return Capture { saved: None };
        };
        unsafe {
            let saved = libc::dup(2);
            if saved < 0 {
                return Capture { saved: None };
            }
            if libc::dup2(file.as_raw_fd(), 2) < 0 {
                libc::close(saved);
                return Capture { saved: None };
            }
            Capture {
                saved: Some((saved, file)),
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
    let path = std::env::temp_dir().join(format!("cimc-stderr-{}", std::process::id()));
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&path)?;
    let _ = std::fs::remove_file(&path);
    Ok(file)
}
