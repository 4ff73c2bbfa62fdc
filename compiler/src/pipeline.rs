//! Pass pipelines in MLIR's textual syntax, e.g.
//! `builtin.module(cim-verify-tosa-input,func.func(canonicalize{max-iterations=2}))`.
//!
//! cimc parses the text itself because the C API cannot register Rust passes
//! by name; each element then becomes a cimc pass (an MLIR external pass) or
//! an upstream one (through `mlirOpPassManagerAddPipeline`), so both run in
//! one MLIR pass manager: IR printing and timing see them alike.

use crate::pipelines;
use cimc_passes::{Pass, PassContext, PassInfo};
use melior::ir::operation::OperationLike;
use melior::ir::operation::OperationRefMut;
use melior::ir::r#type::TypeId;
use melior::ir::OperationRef;
use melior::pass::external::{create_external, ExternalPass, RunExternalPass};
use melior::pass::{OperationPassManager, PassManager};
use melior::ContextRef;
use mlir_sys as sys;
use std::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use thiserror::Error;

/// An element of a pipeline.
#[derive(Debug, Clone, PartialEq)]
pub enum Element {
    /// `name` or `name{options}`; `col` is 1-based in the pipeline text.
    Pass {
        name: String,
        options: Option<String>,
        col: usize,
    },
    /// `op.name(elements)`.
    Nest {
        op: String,
        elements: Vec<Element>,
        col: usize,
    },
}

/// A bad pipeline, pointing at a column of its text.
#[derive(Debug, Clone, Error, PartialEq)]
#[error("{message}")]
pub struct PipelineError {
    pub col: usize,
    pub message: String,
}

impl PipelineError {
    fn new(col: usize, message: impl Into<String>) -> Self {
        PipelineError {
            col,
            message: message.into(),
        }
    }
}

/// Parses pipeline text into elements.
pub fn parse(text: &str) -> Result<Vec<Element>, PipelineError> {
    let mut parser = Parser {
        chars: text.char_indices().collect(),
        pos: 0,
    };
    let elements = parser.list(None)?;
    parser.skip_space();
    if let Some(c) = parser.peek() {
        return Err(PipelineError::new(
            parser.col(),
            format!("unexpected '{c}'"),
        ));
    }
    Ok(elements)
}

struct Parser {
    chars: Vec<(usize, char)>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).map(|(_, c)| *c)
    }

    fn col(&self) -> usize {
        self.pos + 1
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    /// Elements separated by commas, up to `close` (or the end of the text).
    fn list(&mut self, close: Option<char>) -> Result<Vec<Element>, PipelineError> {
        let mut elements = Vec::new();
        self.skip_space();
        if close.is_some() && self.peek() == close {
            return Ok(elements); // `func.func()` nests nothing
        }
        loop {
            elements.push(self.element()?);
            self.skip_space();
            match self.peek() {
                Some(',') => self.pos += 1,
                c if c == close => return Ok(elements),
                Some(c) => {
                    let expected =
                        close.map_or("','".to_string(), |close| format!("',' or '{close}'"));
                    return Err(PipelineError::new(
                        self.col(),
                        format!("expected {expected} but found '{c}'"),
                    ));
                }
                None => {
                    return Err(PipelineError::new(
                        self.col(),
                        format!("missing '{}'", close.unwrap_or(')')),
                    ))
                }
            }
        }
    }

    fn element(&mut self) -> Result<Element, PipelineError> {
        self.skip_space();
        let col = self.col();
        let mut name = String::new();
        while let Some(c) = self
            .peek()
            .filter(|c| c.is_alphanumeric() || "-_.".contains(*c))
        {
            name.push(c);
            self.pos += 1;
        }
        if name.is_empty() {
            return Err(match self.peek() {
                Some(c) => {
                    PipelineError::new(col, format!("expected a pass or op name but found '{c}'"))
                }
                None => PipelineError::new(col, "expected a pass or op name"),
            });
        }
        self.skip_space();
        match self.peek() {
            Some('(') => {
                self.pos += 1;
                let elements = self.list(Some(')'))?;
                self.pos += 1; // ')'
                Ok(Element::Nest {
                    op: name,
                    elements,
                    col,
                })
            }
            Some('{') => {
                let open = self.col();
                self.pos += 1;
                let mut depth = 1;
                let mut options = String::new();
                let mut quote = None;
                loop {
                    let Some(c) = self.peek() else {
                        return Err(PipelineError::new(
                            open,
                            format!("unbalanced '{{' in the options of '{name}'"),
                        ));
                    };
                    self.pos += 1;
                    match (quote, c) {
                        (Some(q), c) if c == q => quote = None,
                        (Some(_), _) => {}
                        (None, '"' | '\'') => quote = Some(c),
                        (None, '{') => depth += 1,
                        (None, '}') => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    options.push(c);
                }
                Ok(Element::Pass {
                    name,
                    options: Some(options),
                    col,
                })
            }
            _ => Ok(Element::Pass {
                name,
                options: None,
                col,
            }),
        }
    }
}

/// Adds a parsed pipeline to a pass manager that runs on `builtin.module`.
pub fn build(
    pm: &PassManager,
    elements: &[Element],
    ctx: &PassContext,
) -> Result<(), PipelineError> {
    match elements {
        [Element::Nest { op, elements, .. }] if op == "builtin.module" => {
            add_all(&pm.as_operation_pass_manager(), "builtin.module", elements, ctx)
        }
        [Element::Nest { op, col, .. }] => Err(PipelineError::new(
            *col,
            format!("the pipeline runs on the input module, so it must be anchored on 'builtin.module', not '{op}': builtin.module(...)"),
        )),
        [first, ..] => {
            let col = match first {
                Element::Pass { col, .. } | Element::Nest { col, .. } => *col,
            };
            Err(PipelineError::new(
                col,
                "expected the pipeline to be wrapped in its anchor op: builtin.module(...)",
            ))
        }
        [] => Err(PipelineError::new(1, "empty pipeline")),
    }
}

fn add_all(
    opm: &OperationPassManager,
    anchor: &str,
    elements: &[Element],
    ctx: &PassContext,
) -> Result<(), PipelineError> {
    for element in elements {
        match element {
            Element::Nest { op, elements, .. } => {
                add_all(&opm.nested_under(op), op, elements, ctx)?;
            }
            Element::Pass { name, options, col } => match pipelines::lookup_pass(name) {
                Some(info) => add_cimc_pass(
                    opm,
                    anchor,
                    info,
                    options.as_deref().unwrap_or(""),
                    *col,
                    ctx,
                )?,
                None => add_upstream_pass(opm, name, options.as_deref(), *col)?,
            },
        }
    }
    Ok(())
}

fn add_cimc_pass(
    opm: &OperationPassManager,
    anchor: &str,
    info: &'static PassInfo,
    options: &str,
    col: usize,
    ctx: &PassContext,
) -> Result<(), PipelineError> {
    if let Some(required) = info.anchor {
        if required != anchor {
            return Err(PipelineError::new(
                col,
                format!(
                    "pass '{}' runs on '{required}' ops but is placed under '{anchor}'",
                    info.argument
                ),
            ));
        }
    }
    let options = info
        .parse_options(options)
        .map_err(|err| PipelineError::new(col, err.to_string()))?;
    let pass = External {
        info,
        pass: Arc::from((info.create)(&options, ctx)),
    };
    opm.add_pass(create_external(
        pass,
        TypeId::create(info),
        info.argument,
        info.argument,
        info.summary,
        info.anchor.unwrap_or(""),
        &[],
    ));
    Ok(())
}

/// Upstream options whose value is itself a pass pipeline, run by the pass
/// on what it transforms. MLIR parses them only when the pass runs, and then
/// reports a bad one on stderr and carries on: check them first.
const PIPELINE_OPTIONS: &[&str] = &["default-pipeline"];

fn check_nested_pipelines(
    name: &str,
    options: Option<&str>,
    col: usize,
) -> Result<(), PipelineError> {
    let Some(options) = options else {
        return Ok(());
    };
    for (key, value) in split_option_pairs(options) {
        if !PIPELINE_OPTIONS.contains(&key.as_str()) || value.is_empty() {
            continue;
        }
        for pass in value.split([',', '(', ')']) {
            let pass = pass.split('{').next().unwrap_or("").trim();
            if pass.is_empty() || pipelines::UPSTREAM_PASSES.contains(&pass) {
                continue;
            }
            let what = if pipelines::lookup_pass(pass).is_some() {
                "is a cimc pass; upstream passes run only upstream passes in their nested pipelines"
            } else {
                "is not a known pass"
            };
            return Err(PipelineError::new(
                col,
                format!("option '{key}' of pass '{name}': '{pass}' {what}"),
            ));
        }
    }
    Ok(())
}

/// `key=value` pairs of an option string (values may be quoted or braced).
fn split_option_pairs(text: &str) -> Vec<(String, String)> {
    fn flush(item: &mut String, pairs: &mut Vec<(String, String)>) {
        let item = std::mem::take(item);
        if let Some((key, value)) = item.split_once('=') {
            let value = value.trim_matches(|c| matches!(c, '"' | '\'' | '{' | '}'));
            pairs.push((key.trim().to_string(), value.to_string()));
        }
    }
    let mut pairs = Vec::new();
    let mut item = String::new();
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    for c in text.chars() {
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '{' | '(') => depth += 1,
            (None, '}' | ')') => depth = depth.saturating_sub(1),
            (None, ' ') if depth == 0 => {
                flush(&mut item, &mut pairs);
                continue;
            }
            _ => {}
        }
        item.push(c);
    }
    flush(&mut item, &mut pairs);
    pairs
}

fn add_upstream_pass(
    opm: &OperationPassManager,
    name: &str,
    options: Option<&str>,
    col: usize,
) -> Result<(), PipelineError> {
    let text = match options {
        Some(options) => format!("{name}{{{options}}}"),
        None => name.to_string(),
    };
    check_nested_pipelines(name, options, col)?;
    let mut message = String::new();
    unsafe extern "C" fn collect(text: sys::MlirStringRef, data: *mut c_void) {
        let message = unsafe { &mut *(data as *mut String) };
        let bytes = unsafe { std::slice::from_raw_parts(text.data.cast::<u8>(), text.length) };
        message.push_str(&String::from_utf8_lossy(bytes));
    }
    // MLIR reports a bad option value through llvm::errs() rather than the
    // callback: catch what it writes so it can be part of the diagnostic.
    let stderr = crate::stderr_capture::Capture::start();
    let result = unsafe {
        sys::mlirOpPassManagerAddPipeline(
            opm.to_raw(),
            sys::MlirStringRef {
                data: text.as_ptr().cast(),
                length: text.len(),
            },
            Some(collect),
            &mut message as *mut String as *mut c_void,
        )
    };
    let printed = stderr.finish();
    if result.value != 0 {
        // An option that is itself a pipeline (inline's default-pipeline) is
        // parsed when the pass is built: its errors only reach stderr, and
        // the pass is added anyway. They make the pipeline wrong.
        if let Some(error) = printed.lines().find(|line| line.contains("error:")) {
            let reason = error.split("error:").nth(1).unwrap_or(error).trim();
            return Err(PipelineError::new(
                col,
                format!("bad options for pass '{name}': {reason}"),
            ));
        }
        eprint!("{printed}");
        return Ok(());
    }
    if message.contains("does not refer to a registered pass") {
        let suggestions = pipelines::similar_pass_names(name);
        let hint = if suggestions.is_empty() {
            String::new()
        } else {
            format!(
                "; did you mean {}?",
                suggestions
                    .iter()
                    .map(|s| format!("'{s}'"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            )
        };
        return Err(PipelineError::new(
            col,
            format!("unknown pass '{name}'{hint}"),
        ));
    }
    // llvm::cl's own words name the option and the expected type.
    let detail = printed
        .lines()
        .map(|line| line.trim().trim_start_matches(':').trim())
        .find(|line| !line.is_empty())
        .unwrap_or(message.trim());
    Err(PipelineError::new(
        col,
        format!("bad options for pass '{name}': {detail}"),
    ))
}

/// A cimc pass inside MLIR's pass manager.
#[derive(Clone)]
struct External {
    info: &'static PassInfo,
    pass: Arc<dyn Pass>,
}

impl<'c> RunExternalPass<'c> for External {
    fn initialize(&mut self, _context: ContextRef<'c>) {}

    fn run(&mut self, op: OperationRef<'c, '_>, pass: ExternalPass<'_>) {
        let target = unsafe { OperationRefMut::from_raw(op.to_raw()) };
        // A panic must not unwind into C++: report it as the pass's failure.
        match catch_unwind(AssertUnwindSafe(|| self.pass.run(target))) {
            Ok(Ok(())) => {}
            Ok(Err(_)) => pass.signal_failure(),
            Err(panic) => {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".into());
                cimc_passes::diag::emit_error(
                    op.location(),
                    &format!("internal error in pass '{}': {what}", self.info.argument),
                );
                pass.signal_failure();
            }
        }
    }
}

/// Parses `text`, builds it and runs it on `module`; the diagnostics of a
/// failure come back as the error (they are taken from `collector`).
pub fn run(
    context: &melior::Context,
    module: &mut melior::ir::Module,
    text: &str,
    pass_context: &PassContext,
    collector: &crate::diagnostics::Collector,
) -> Result<(), Vec<crate::diagnostics::Diag>> {
    run_with(context, module, text, pass_context, collector, &|_| {})
}

/// [`run`], with `configure` called on the pass manager before it runs (IR
/// printing, timing).
pub fn run_with(
    context: &melior::Context,
    module: &mut melior::ir::Module,
    text: &str,
    pass_context: &PassContext,
    collector: &crate::diagnostics::Collector,
    configure: &dyn Fn(&PassManager),
) -> Result<(), Vec<crate::diagnostics::Diag>> {
    let internal = |err: PipelineError| {
        vec![crate::diagnostics::Diag::at(
            "<pass-pipeline>",
            1,
            err.col,
            err.message,
        )]
    };
    let elements = parse(text).map_err(internal)?;
    let pm = PassManager::new(context);
    build(&pm, &elements, pass_context).map_err(internal)?;
    configure(&pm);
    crate::crash::set_phase("running the pass pipeline on");
    pm.run(module).map_err(|_| collector.take())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pass(name: &str, options: Option<&str>, col: usize) -> Element {
        Element::Pass {
            name: name.into(),
            options: options.map(Into::into),
            col,
        }
    }

    #[test]
    fn parses_nesting_and_options() {
        let parsed = parse("builtin.module(cim-dce, func.func(canonicalize{max-iterations=2 region-simplify=\"x }\"}))").unwrap();
        assert_eq!(
            parsed,
            vec![Element::Nest {
                op: "builtin.module".into(),
                col: 1,
                elements: vec![
                    pass("cim-dce", None, 16),
                    Element::Nest {
                        op: "func.func".into(),
                        col: 25,
                        elements: vec![pass(
                            "canonicalize",
                            Some("max-iterations=2 region-simplify=\"x }\""),
                            35
                        )],
                    },
                ],
            }]
        );
    }

    #[test]
    fn empty_nest_is_allowed() {
        assert_eq!(
            parse("builtin.module()").unwrap(),
            vec![Element::Nest {
                op: "builtin.module".into(),
                elements: vec![],
                col: 1
            }]
        );
    }

    #[test]
    fn errors_point_at_columns() {
        let cases = [
            ("builtin.module(cse", 19, "missing ')'"),
            (
                "builtin.module(cse,)",
                20,
                "expected a pass or op name but found ')'",
            ),
            (
                "builtin.module(a{b=1)",
                17,
                "unbalanced '{' in the options of 'a'",
            ),
            ("a b", 3, "expected ',' but found 'b'"),
            ("", 1, "expected a pass or op name"),
        ];
        for (text, col, message) in cases {
            let err = parse(text).unwrap_err();
            assert_eq!(
                (err.col, err.message.as_str()),
                (col, message),
                "for {text:?}"
            );
        }
    }

    // Here rather than in `pipelines` so that module needs no parser.
    #[test]
    fn every_phase_pipeline_names_known_passes() {
        fn names(elements: &[Element], out: &mut Vec<String>) {
            for element in elements {
                match element {
                    Element::Pass { name, .. } => out.push(name.clone()),
                    Element::Nest { elements, .. } => names(elements, out),
                }
            }
        }
        for phase in pipelines::Phase::ALL
            .iter()
            .filter(|p| !matches!(p, pipelines::Phase::Llvm | pipelines::Phase::Quant))
        {
            let text = pipelines::module_pipeline(&phase.steps());
            let mut passes = Vec::new();
            names(&parse(&text).expect("phase pipelines parse"), &mut passes);
            assert!(!passes.is_empty());
            for pass in passes {
                assert!(
                    pipelines::lookup_pass(&pass).is_some()
                        || pipelines::UPSTREAM_PASSES.contains(&pass.as_str()),
                    "{pass} in phase {}",
                    phase.name()
                );
            }
        }
    }
}
