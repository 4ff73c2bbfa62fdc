//! Reading the input, splitting it at `// -----`, and parsing each piece
//! with locations that point into the original file.

use crate::diagnostics::{Collector, Diag, Where};
use crate::error::DriverError;
use melior::ir::{Location, Module};
use melior::Context;
use mlir_sys as sys;
use std::io::Read;

/// The input as given: its display name and bytes.
pub struct Input {
    pub name: String,
    pub bytes: Vec<u8>,
    /// The deepest nesting of brackets the text may have
    /// ([`DEFAULT_MAX_NESTING`], the driver's `--max-nesting`).
    pub max_nesting: usize,
}

/// `--max-nesting` by default. MLIR's parser recurses once per level of
/// `(`, `[`, `{` and `<` and overflows the main thread's 8 MiB stack some
/// 7,000 levels down (nested arrays in an attribute, measured); real
/// modules nest a few dozen deep.
pub const DEFAULT_MAX_NESTING: usize = 1000;

/// MLIR bytecode files start with this magic; they are not text.
const BYTECODE_MAGIC: &[u8] = b"ML\xefR";

impl Input {
    /// Reads a file, or standard input for `-`.
    pub fn read(path: &str) -> Result<Self, DriverError> {
        crate::crash::set_phase("reading");
        if path == "-" {
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|err| DriverError::ReadInput {
                    path: "<stdin>".into(),
                    reason: err.to_string(),
                })?;
            return Ok(Input {
                name: "<stdin>".into(),
                bytes,
                max_nesting: DEFAULT_MAX_NESTING,
            });
        }
        let bytes = std::fs::read(path).map_err(|err| DriverError::ReadInput {
            path: path.to_string(),
            reason: io_reason(&err),
        })?;
        Ok(Input {
            name: path.to_string(),
            bytes,
            max_nesting: DEFAULT_MAX_NESTING,
        })
    }

    pub fn is_bytecode(&self) -> bool {
        self.bytes.starts_with(BYTECODE_MAGIC)
    }

    /// The text to quote in diagnostics: `None` for bytecode, else
    /// [`Input::text`].
    pub fn source_text(&self) -> Result<Option<&str>, Diag> {
        if self.is_bytecode() {
            Ok(None)
        } else {
            self.text().map(Some)
        }
    }

    /// The input as text, or a diagnostic at the first byte that is not UTF-8,
    /// or at 1:1 when there is nothing to compile.
    pub fn text(&self) -> Result<&str, Diag> {
        let text = std::str::from_utf8(&self.bytes).map_err(|err| {
            let valid = &self.bytes[..err.valid_up_to()];
            let line = valid.iter().filter(|b| **b == b'\n').count() + 1;
            let line_start = valid.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
            let col = String::from_utf8_lossy(&valid[line_start..])
                .chars()
                .count()
                + 1;
            let byte = self.bytes[err.valid_up_to()];
            Diag::at(
                &self.name,
                line,
                col,
                format!(
                    "input is not UTF-8 text (byte 0x{byte:02x}); cimc reads MLIR text or bytecode"
                ),
            )
        })?;
        let at = |offset: usize, message: &str| {
            let before = &text[..offset];
            let line = before.matches('\n').count() + 1;
            let col = before[before.rfind('\n').map_or(0, |i| i + 1)..]
                .chars()
                .count()
                + 1;
            Diag::at(&self.name, line, col, message)
        };
        // MLIR's lexer skips NUL bytes as if they were spaces; in a text
        // file they mean the file is not text.
        if let Some(offset) = text.find('\0') {
            return Err(at(
                offset,
                "input contains a NUL byte; cimc reads MLIR text or bytecode",
            ));
        }
        // MLIR 22's parser segfaults on a dense array of index elements,
        // which MLIR does not define.
        if let Some(offset) = text.find("array<index") {
            return Err(at(
                offset,
                "`array<index ...>` is not an MLIR attribute (dense arrays hold integers or floats), and MLIR 22's parser crashes on it; cimc does not read it",
            ));
        }
        if let Some(offset) = nesting_beyond(text, self.max_nesting) {
            return Err(at(
                offset,
                &format!(
                    "brackets nest deeper than {} levels here (--max-nesting); MLIR's parser would overflow its stack on deep nesting",
                    self.max_nesting
                ),
            ));
        }
        if text.trim().is_empty() {
            return Err(Diag::at(
                &self.name,
                1,
                1,
                "empty input: expected a TOSA module with a func.func",
            ));
        }
        Ok(text)
    }
}

/// The byte offset of the first opening bracket (`(`, `[`, `{`, `<`) that
/// nests deeper than `limit`, outside string literals and `//` comments.
/// The `>` of `->` closes nothing; a stray closer (`>=` in an affine set)
/// only lowers the count, so the scan may miss deep nesting but never
/// refuses shallow text.
fn nesting_beyond(text: &str, limit: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'(' | b'[' | b'{' | b'<' => {
                depth += 1;
                if depth > limit {
                    return Some(i);
                }
            }
            b'>' if i > 0 && bytes[i - 1] == b'-' => {}
            b')' | b']' | b'}' | b'>' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

pub fn io_reason(err: &std::io::Error) -> String {
    // "No such file or directory (os error 2)" reads worse than the plain kind.
    let text = err.to_string();
    match text.find(" (os error") {
        Some(end) => text[..end].to_string(),
        None => text,
    }
}

/// One piece of a `--split-input-file` input.
pub struct Chunk<'a> {
    /// The piece, padded with newlines so that its line numbers are the
    /// original file's.
    pub text: String,
    /// The piece as written, for `expected-*` comments.
    pub raw: &'a str,
    /// Line of the original file where it starts (1-based).
    pub first_line: usize,
}

/// Splits at lines that are `// -----`, as mlir-opt does.
pub fn split(text: &str, enabled: bool) -> Vec<Chunk<'_>> {
    if !enabled {
        return vec![Chunk {
            text: text.to_string(),
            raw: text,
            first_line: 1,
        }];
    }
    let mut chunks = Vec::new();
    let mut start = 0;
    let mut first_line = 1;
    let mut offset = 0;
    for (line_no, line) in (1..).zip(text.split_inclusive('\n')) {
        if line.trim() == "// -----" {
            chunks.push((start, offset, first_line));
            start = offset + line.len();
            first_line = line_no + 1;
        }
        offset += line.len();
    }
    chunks.push((start, text.len(), first_line));
    chunks
        .into_iter()
        .map(|(from, to, first_line)| Chunk {
            text: "\n".repeat(first_line - 1) + &text[from..to],
            raw: &text[from..to],
            first_line,
        })
        .collect()
}

/// Parses text or bytecode into a module; diagnostics go to the context's
/// handler. A single top-level op that is not a module gets one around it,
/// as mlir-opt does.
pub fn parse<'c>(
    context: &'c Context,
    source: &[u8],
    name: &str,
    collector: &Collector,
) -> Option<Module<'c>> {
    crate::crash::set_phase("parsing");
    if source.starts_with(BYTECODE_MAGIC) {
        if let Err(problem) = probe_bytecode(context, source, name) {
            collector.push(Diag::error(
                Where::Other(name.to_string()),
                format!("the MLIR bytecode is malformed: {problem}; cimc did not read it"),
            ));
            return None;
        }
    }
    let op = parse_op(context, source, name);
    if let Some(op) = op {
        return wrap_in_module(context, op, name);
    }
    // Several top-level ops: parse them again inside a module, with the
    // wrapper on the first line so that later lines keep their numbers.
    let diags = collector.take();
    let several = diags.iter().any(|d| {
        d.message
            .starts_with("source must contain a single top-level operation")
    });
    if !several || source.starts_with(BYTECODE_MAGIC) {
        diags.into_iter().for_each(|d| collector.push(d));
        return None;
    }
    let mut wrapped = b"module {".to_vec();
    wrapped.extend_from_slice(source);
    wrapped.extend_from_slice(b"\n}");
    let op = parse_op(context, &wrapped, name)?;
    wrap_in_module(context, op, name)
}

/// MLIR 22's bytecode reader crashes, aborts (SmallVector growth, double
/// frees) or hangs on some malformed bytecode, so bytecode is read first in
/// a forked child (on its copy of `context`), its output discarded: only
/// if the child finishes (with or without diagnostics) is it read here,
/// where its diagnostics are reported. The child gets 10 s plus 1 s per
/// 10 MB.
fn probe_bytecode(context: &Context, source: &[u8], name: &str) -> Result<(), String> {
    let limit = std::time::Duration::from_secs(10 + (source.len() / 10_000_000) as u64);
    // SAFETY: the child only parses and leaves with _exit; the parent waits
    // for it (and kills it past the limit).
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        // No child to spare: read it here, as before.
        return Ok(());
    }
    if pid == 0 {
        crate::crash::restore_defaults();
        unsafe {
            let null = libc::open(c"/dev/null".as_ptr(), libc::O_WRONLY);
            if null >= 0 {
                libc::dup2(null, 1);
                libc::dup2(null, 2);
            }
        }
        let parsed = parse_op(context, source, name).is_some();
        unsafe { libc::_exit(if parsed { 0 } else { 1 }) };
    }
    let started = std::time::Instant::now();
    loop {
        let mut status = 0;
        let done = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        if done == pid {
            if libc::WIFSIGNALED(status) {
                return Err(format!(
                    "MLIR's bytecode reader crashed on it ({})",
                    crate::crash::signal_name(libc::WTERMSIG(status))
                ));
            }
            return Ok(());
        }
        if done < 0 {
            return Ok(());
        }
        if started.elapsed() > limit {
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::waitpid(pid, &mut status, 0);
            }
            return Err(format!(
                "MLIR's bytecode reader did not finish in {} s",
                limit.as_secs()
            ));
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
}

fn parse_op(context: &Context, source: &[u8], name: &str) -> Option<sys::MlirOperation> {
    let source = sys::MlirStringRef {
        data: source.as_ptr().cast(),
        length: source.len(),
    };
    let name = sys::MlirStringRef {
        data: name.as_ptr().cast(),
        length: name.len(),
    };
    let op = unsafe { sys::mlirOperationCreateParse(context.to_raw(), source, name) };
    (!op.ptr.is_null()).then_some(op)
}

fn wrap_in_module<'c>(
    context: &'c Context,
    op: sys::MlirOperation,
    name: &str,
) -> Option<Module<'c>> {
    unsafe {
        let module = sys::mlirModuleFromOperation(op);
        if !module.ptr.is_null() {
            return Some(Module::from_raw(module));
        }
        let location = Location::new(context, name, 1, 1);
        let module = Module::new(location);
        sys::mlirBlockAppendOwnedOperation(module.body().to_raw(), op);
        Some(module)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_keeps_line_numbers() {
        let text = "a\nb\n// -----\nc\n  // -----  \nd\n";
        let chunks = split(text, true);
        let got: Vec<_> = chunks
            .iter()
            .map(|c| (c.first_line, c.raw, c.text.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (1, "a\nb\n", "a\nb\n"),
                (4, "c\n", "\n\n\nc\n"),
                (6, "d\n", "\n\n\n\n\nd\n"),
            ]
        );
    }

    #[test]
    fn finds_nesting_past_the_limit() {
        let text = "module {\n  func.func @f(%a: tensor<1xi8>) -> tensor<1xi8> {}\n}";
        assert_eq!(nesting_beyond(text, 3), None);
        // `{`, `(`, then `tensor<` inside them: the third level.
        assert_eq!(
            nesting_beyond(text, 2),
            Some(text.find("1xi8").unwrap() - 1)
        );
        // Strings and comments do not count; `->` closes nothing.
        assert_eq!(nesting_beyond("x = \"[[[[\" // {{{{\n[]", 1), None);
        assert_eq!(nesting_beyond("(a) -> (b)", 1), None);
        assert_eq!(nesting_beyond("([", 1), Some(1));
        let deep = "[".repeat(5000) + &"]".repeat(5000);
        assert_eq!(
            nesting_beyond(&deep, DEFAULT_MAX_NESTING),
            Some(DEFAULT_MAX_NESTING)
        );
    }

    #[test]
    fn reports_first_bad_byte() {
        let input = Input {
            name: "f".into(),
            bytes: b"ok\nab\xffc".to_vec(),
            max_nesting: DEFAULT_MAX_NESTING,
        };
        let diag = input.text().unwrap_err();
        assert_eq!(diag.line(), Some(2));
        assert!(matches!(diag.at, crate::diagnostics::Where::Pos(ref p) if p.col == 3));
    }
}
