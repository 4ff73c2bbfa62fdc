//! Diagnostics: collected from MLIR's handler, resolved to `file:line:col`,
//! printed like mlir-opt prints them (with the source line and a caret).

use melior::diagnostic::{Diagnostic, DiagnosticSeverity};
use melior::ir::Location;
use melior::Context;
use std::fmt::{self, Write as _};
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
    Remark,
    Note,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Remark => "remark",
            Severity::Note => "note",
        }
    }
}

/// A position in a named source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcePos {
    pub file: String,
    pub line: usize,
    pub col: usize,
}

/// Where a diagnostic points: a source position, or MLIR's printed location
/// when it names no file position (e.g. `loc("conv1")`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Where {
    Pos(SourcePos),
    Other(String),
    Nowhere,
}

#[derive(Debug, Clone)]
pub struct Diag {
    pub severity: Severity,
    pub at: Where,
    pub message: String,
    pub notes: Vec<Diag>,
}

impl Diag {
    pub fn error(at: Where, message: impl Into<String>) -> Self {
        Diag {
            severity: Severity::Error,
            at,
            message: message.into(),
            notes: Vec::new(),
        }
    }

    pub fn at(file: &str, line: usize, col: usize, message: impl Into<String>) -> Self {
        Self::error(
            Where::Pos(SourcePos {
                file: file.to_string(),
                line,
                col,
            }),
            message,
        )
    }

    /// The remarks passes recorded (`cimc --remarks`), oldest first.
    pub fn remarks(remarks: &cimc_passes::remark::Remarks) -> Vec<Diag> {
        remarks
            .take()
            .into_iter()
            .map(|remark| Diag {
                severity: Severity::Remark,
                at: resolve(unsafe { Location::from_raw(remark.location) }),
                message: remark.message,
                notes: Vec::new(),
            })
            .collect()
    }

    pub fn line(&self) -> Option<usize> {
        match &self.at {
            Where::Pos(pos) => Some(pos.line),
            _ => None,
        }
    }

    fn from_mlir(diagnostic: &Diagnostic) -> Self {
        let severity = match diagnostic.severity() {
            DiagnosticSeverity::Error => Severity::Error,
            DiagnosticSeverity::Warning => Severity::Warning,
            DiagnosticSeverity::Remark => Severity::Remark,
            DiagnosticSeverity::Note => Severity::Note,
        };
        let notes = (0..diagnostic.note_count())
            .filter_map(|i| diagnostic.note(i).ok())
            .map(|note| Diag::from_mlir(&note))
            .collect();
        Diag {
            severity,
            at: resolve(diagnostic.location()),
            message: message_lossy(diagnostic),
            notes,
        }
    }
}

/// Finds the first file position inside a location (through names, call
/// sites and fused locations), as MLIR's source-manager handler does.
pub fn resolve(location: Location) -> Where {
    fn find(location: Location) -> Option<SourcePos> {
        if location.is_file_line_col_range() {
            let file = location.file_line_col_range_filename();
            return Some(SourcePos {
                file: file.as_string_ref().as_str().unwrap_or("").to_string(),
                line: location.file_line_col_range_start_line(),
                col: location.file_line_col_range_start_column(),
            });
        }
        if location.is_name() {
            return find(location.name_child_location());
        }
        if location.is_call_site() {
            return find(location.call_site_callee()).or_else(|| find(location.call_site_caller()));
        }
        if location.is_fused() {
            return (0..location.fused_num_locations())
                .find_map(|i| find(location.fused_location(i)));
        }
        None
    }
    match find(location) {
        Some(pos) => Where::Pos(pos),
        None => {
            let text = location.to_string();
            if text == "loc(unknown)" {
                Where::Nowhere
            } else {
                Where::Other(text)
            }
        }
    }
}

// melior's Diagnostic wraps the C handle alone; its Display fails (and
// `to_string` panics) on text that is not UTF-8, such as an op name the
// input spelt with a byte escape. The handle is read to print it lossily.
const _: () =
    assert!(std::mem::size_of::<Diagnostic>() == std::mem::size_of::<mlir_sys::MlirDiagnostic>());

/// The text of `diagnostic`, invalid UTF-8 replaced by U+FFFD.
fn message_lossy(diagnostic: &Diagnostic) -> String {
    unsafe extern "C" fn append(text: mlir_sys::MlirStringRef, data: *mut std::ffi::c_void) {
        let bytes = unsafe { &mut *(data as *mut Vec<u8>) };
        if !text.data.is_null() {
            bytes.extend_from_slice(unsafe {
                std::slice::from_raw_parts(text.data.cast::<u8>(), text.length)
            });
        }
    }
    let raw: mlir_sys::MlirDiagnostic = unsafe { std::mem::transmute_copy(diagnostic) };
    let mut bytes: Vec<u8> = Vec::new();
    unsafe {
        mlir_sys::mlirDiagnosticPrint(raw, Some(append), (&mut bytes as *mut Vec<u8>).cast());
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Diagnostics gathered from a context, in the order MLIR reported them.
#[derive(Clone, Default)]
pub struct Collector {
    diags: Arc<Mutex<Vec<Diag>>>,
}

impl Collector {
    /// Routes every diagnostic of `context` into this collector.
    pub fn attach(&self, context: &Context) -> melior::diagnostic::DiagnosticHandlerId {
        let diags = self.diags.clone();
        context.attach_diagnostic_handler(move |diagnostic| {
            if let Ok(mut diags) = diags.lock() {
                diags.push(Diag::from_mlir(&diagnostic));
            }
            true
        })
    }

    pub fn push(&self, diag: Diag) {
        if let Ok(mut diags) = self.diags.lock() {
            diags.push(diag);
        }
    }

    /// Takes what was collected so far.
    pub fn take(&self) -> Vec<Diag> {
        self.diags
            .lock()
            .map(|mut d| std::mem::take(&mut *d))
            .unwrap_or_default()
    }
}

/// Prints diagnostics, quoting source lines of the files it knows.
pub struct Renderer<'a> {
    /// (name, text) of sources whose lines can be quoted.
    pub sources: Vec<(&'a str, &'a str)>,
}

impl Renderer<'_> {
    pub fn render(&self, diag: &Diag) -> String {
        let mut out = String::new();
        self.render_into(diag, &mut out);
        out
    }

    fn render_into(&self, diag: &Diag, out: &mut String) {
        let severity = diag.severity.as_str();
        let _ = match &diag.at {
            // MLIR bytecode has no lines: its reader reports file:0:0.
            Where::Pos(pos) if pos.line == 0 && pos.col == 0 => {
                writeln!(out, "{}: {severity}: {}", pos.file, diag.message)
            }
            Where::Pos(pos) => writeln!(
                out,
                "{}:{}:{}: {severity}: {}",
                pos.file, pos.line, pos.col, diag.message
            ),
            Where::Other(loc) => writeln!(out, "{loc}: {severity}: {}", diag.message),
            Where::Nowhere => writeln!(out, "<unknown>: {severity}: {}", diag.message),
        };
        if let Where::Pos(pos) = &diag.at {
            if let Some(line) = self.source_line(pos) {
                let caret: String = line
                    .chars()
                    .take(pos.col.saturating_sub(1))
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                let _ = writeln!(out, "{line}\n{caret}^");
            }
        }
        for note in &diag.notes {
            self.render_into(note, out);
        }
    }

    fn source_line(&self, pos: &SourcePos) -> Option<&str> {
        let (_, text) = self.sources.iter().find(|(name, _)| *name == pos.file)?;
        let line = text.lines().nth(pos.line.checked_sub(1)?)?;
        // Quoting a huge line (a dense constant) helps nobody.
        (line.len() <= 400).then_some(line)
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
