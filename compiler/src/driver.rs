//! The `cimc` command: read, run pipelines, print, report.

use crate::cli::Cli;
use crate::context::new_context;
use crate::diagnostics::{Collector, Diag, Renderer, Severity, Where};
use crate::error::DriverError;
use crate::pipeline::{self, Element, PipelineError};
use crate::pipelines::{self, OptLevel, Phase};
use crate::source::{self, Input};
use crate::verify_diagnostics;
use cimc_dialects::handle;
use cimc_passes::PassContext;
use clap::Parser;
use melior::ir::operation::{OperationLike, OperationPrintingFlags, WalkOrder, WalkResult};
use melior::ir::Module;
use melior::pass::{PassIrPrintingOptions, PassManager};
use melior::Context;
use std::io::Write;
use std::process::ExitCode;

/// Name under which pipeline text appears in diagnostics.
const PIPELINE_SOURCE: &str = "<pass-pipeline>";

pub fn main() -> ExitCode {
    crate::crash::install();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            // Usage errors exit 1 like every other cimc error; --help and
            // --version exit 0.
            return if err.use_stderr() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(&cli) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(err) => {
            match err {
                DriverError::ReadInput { .. } | DriverError::WriteOutput { .. } => {
                    eprintln!("{err}")
                }
                _ => eprintln!("cimc: error: {err}"),
            }
            ExitCode::FAILURE
        }
    }
}

/// Runs the command; `Ok(false)` when diagnostics were reported.
pub fn run(cli: &Cli) -> Result<bool, DriverError> {
    if let Some(crate::cli::Command::Quantize(args)) = &cli.command {
        return run_quantize(args);
    }
    if let Some(crate::cli::Command::Sweep(args)) = &cli.command {
        return crate::sweep::run(args);
    }
    if cli.list_passes {
        print!(
            "{}",
            crate::list_passes::describe_passes(false, OptLevel(cli.opt_level))
        );
        return Ok(true);
    }
    if let Some(name) = &cli.describe_pass {
        return describe_pass(name);
    }
    crate::crash::set_input(&cli.input);
    crate::budget::start(cli.compile_time_limit);

    // Every phase after the input reads the target: a bad one fails first.
    let target = match resolve_target(&cli.target, &cli.target_opts)
        .and_then(|target| with_drift_time(target, cli.drift_time))
    {
        Ok(target) => target,
        Err(err) => {
            eprintln!("{err}");
            return Ok(false);
        }
    };
    if cli.mc.is_some()
        && (cli.run != Some(crate::cli::Executor::Sim) || !target.non_idealities.any())
    {
        return Err(DriverError::Usage(format!(
            "--mc simulates instances of an analog chip: it needs --run=sim and a target with non-idealities ({} has none on; e.g. --target-opt non_idealities.programming_sigma=0.02)",
            target.name
        )));
    }
    if cli.print_target {
        print!("{}", target.to_toml_string());
        return Ok(true);
    }

    if cli.run.is_some() {
        return run_model(cli, target);
    }

    let pipeline_text = match &cli.pass_pipeline {
        Some(text) => text.clone(),
        None => pipelines::compile_pipeline(
            final_phase(cli),
            OptLevel(cli.opt_level),
            cli.batch,
            pipelines::skipped(cli.no_graph),
        ),
    };
    if writes_object(cli)
        && (cli.pass_pipeline.is_some() || final_phase(cli) != Phase::Llvm || cli.split_input_file)
    {
        return Err(DriverError::Usage(
            "-o FILE.o writes an object file: it needs the llvm phase (no --emit, or --emit=llvm), one module and no --pass-pipeline".into(),
        ));
    }
    let elements = match pipeline::parse(&pipeline_text) {
        Ok(elements) => elements,
        Err(err) => {
            report_pipeline_error(&pipeline_text, &err);
            return Ok(false);
        }
    };

    let mut input = Input::read(&cli.input)?;
    input.max_nesting = cli.max_nesting;
    let text = match input.source_text() {
        Ok(text) => text,
        Err(diag) => {
            eprint!("{}", Renderer { sources: vec![] }.render(&diag));
            return Ok(false);
        }
    };
    let chunks = text.map_or_else(Vec::new, |text| source::split(text, cli.split_input_file));
    // Open the output before the work: an unwritable path fails fast. As
    // mlir-opt's output file, it is removed again unless cimc succeeds, so
    // a failed compile leaves no empty file that make would take as built.
    let mut created = None;
    let mut output: Box<dyn Write> = match &cli.output {
        Some(path) if path != "-" => {
            let file = std::fs::File::create(path).map_err(|err| DriverError::WriteOutput {
                path: path.clone(),
                reason: source::io_reason(&err),
            })?;
            // Only a regular file is cimc's to remove: never `/dev/null`,
            // a FIFO or another device, as LLVM's ToolOutputFile spares them.
            if file.metadata().is_ok_and(|m| m.is_file()) {
                created = Some(OutputFile::new(path));
            }
            Box::new(file)
        }
        _ => Box::new(std::io::stdout()),
    };

    let renderer = Renderer {
        sources: vec![
            (input.name.as_str(), text.unwrap_or("")),
            (PIPELINE_SOURCE, pipeline_text.as_str()),
        ],
    };

    let context = new_context()?;
    let collector = Collector::default();
    collector.attach(&context);
    let pass_context = crate::pass_context::from_cli(cli, target)?;

    let mut ok = true;
    let mut outputs = Vec::new();
    let pieces: Vec<(&[u8], Option<&source::Chunk>)> = if chunks.is_empty() {
        vec![(&input.bytes, None)]
    } else {
        chunks
            .iter()
            .map(|chunk| (chunk.text.as_bytes(), Some(chunk)))
            .collect()
    };
    for (bytes, chunk) in pieces {
        let expected = match (cli.verify_diagnostics, chunk) {
            (true, Some(chunk)) => {
                match verify_diagnostics::expectations(chunk.raw, chunk.first_line, &input.name) {
                    Ok(expected) => Some(expected),
                    Err(diag) => {
                        eprint!("{}", renderer.render(&diag));
                        ok = false;
                        continue;
                    }
                }
            }
            (true, None) => Some(Vec::new()),
            (false, _) => None,
        };
        let result = process(
            cli,
            &context,
            &collector,
            bytes,
            &input.name,
            &elements,
            &pass_context,
        );
        let emitted = collector.take();
        if let Err(ChunkFailure::Pipeline(err)) = &result {
            report_pipeline_error(&pipeline_text, err);
            return Ok(false);
        }
        match expected {
            Some(expected) => {
                for problem in verify_diagnostics::check(&input.name, &emitted, &expected) {
                    eprint!("{}", renderer.render(&problem));
                    ok = false;
                }
            }
            None => {
                for diag in &emitted {
                    eprint!("{}", renderer.render(diag));
                }
                if result.is_err() || emitted.iter().any(|d| d.severity == Severity::Error) {
                    ok = false;
                }
            }
        }
        if let Ok(text) = result {
            outputs.push(text);
        }
    }

    let text = outputs.join(&b"// -----\n"[..]);
    output
        .write_all(&text)
        .and_then(|_| output.flush())
        .map_err(|err| DriverError::WriteOutput {
            path: cli.output.clone().unwrap_or_else(|| "<stdout>".into()),
            reason: source::io_reason(&err),
        })?;
    if ok {
        created.iter_mut().for_each(OutputFile::keep);
    }
    Ok(ok)
}

/// The regular output file cimc created, removed when it is dropped unless
/// kept (and, should the compile-time limit run out first, by the budget).
struct OutputFile {
    path: String,
    kept: bool,
}

impl OutputFile {
    fn new(path: &str) -> Self {
        crate::budget::remove_on_timeout(path);
        OutputFile {
            path: path.to_string(),
            kept: false,
        }
    }

    fn keep(&mut self) {
        self.kept = true;
    }
}

impl Drop for OutputFile {
    fn drop(&mut self) {
        if !self.kept {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

enum ChunkFailure {
    /// Diagnostics were emitted on the IR.
    Diagnosed,
    /// The pipeline itself is wrong; it is wrong for every chunk.
    Pipeline(PipelineError),
}

/// Parses one piece of input, runs the pipeline on it and prints the result.
fn process(
    cli: &Cli,
    context: &Context,
    collector: &Collector,
    bytes: &[u8],
    name: &str,
    elements: &[Element],
    pass_context: &PassContext,
) -> Result<Vec<u8>, ChunkFailure> {
    let mut module =
        source::parse(context, bytes, name, collector).ok_or(ChunkFailure::Diagnosed)?;
    let push = |diags: Vec<Diag>| {
        for diag in diags {
            collector.push(diag);
        }
    };
    // Calibration reads the signature before the phases' pipeline (which
    // starts by specialising the batch) runs: it needs it specialised first.
    let calibrates = cli.pass_pipeline.is_none()
        && !(cli.calibration.is_empty() && cli.adc_calibration.is_empty());
    if calibrates
        && !(specialize_input(cli.batch, context, &mut module, collector, &push)
            && quantize_first(cli, context, &mut module, &push)
            && calibrate_adc_first(cli, context, &mut module, &pass_context.target, &push))
    {
        return Err(ChunkFailure::Diagnosed);
    }
    // The quant phase is integer TOSA: a float layer left means the input
    // needed --calibration, and printing it as "quantized" would be wrong.
    if cli.pass_pipeline.is_none() && cli.emit == Some(Phase::Quant) {
        if let Some(op) = crate::quantize::first_float_layer(&module) {
            let location = handle::OpRef::new(op).map_or_else(
                || module.as_operation().location(),
                |op| handle::melior_location(op.location()),
            );
            collector.push(Diag::error(
                crate::diagnostics::resolve(location),
                "--emit=quant: this layer has float weights; give --calibration FILE.npy to quantize the model",
            ));
            return Err(ChunkFailure::Diagnosed);
        }
    }

    // A hand-written pipeline may start with any upstream pass, and upstream
    // passes can crash on TOSA they do not expect: guard them.
    if cli.pass_pipeline.is_some() && !starts_with_input_check(elements) && contains_tosa(&module) {
        let guard = PassManager::new(context);
        pipeline::build(
            &guard,
            &pipeline::parse(GUARD).map_err(ChunkFailure::Pipeline)?,
            pass_context,
        )
        .map_err(ChunkFailure::Pipeline)?;
        guard
            .run(&mut module)
            .map_err(|_| ChunkFailure::Diagnosed)?;
    }

    let pm = PassManager::new(context);
    pipeline::build(&pm, elements, pass_context).map_err(ChunkFailure::Pipeline)?;
    if cli.print_ir_after_all || cli.print_ir_before_all {
        pm.enable_ir_printing(&PassIrPrintingOptions {
            before_all: cli.print_ir_before_all,
            after_all: cli.print_ir_after_all,
            module_scope: false,
            on_change: false,
            on_failure: false,
            flags: printing_flags(cli),
            tree_printing_path: Default::default(),
        });
    }
    if cli.timing {
        unsafe { mlir_sys::mlirPassManagerEnableTiming(pm.to_raw()) };
    }
    crate::crash::set_phase("running the pass pipeline on");
    let result = pm.run(&mut module);
    drop(pm); // prints the timing report
    for remark in Diag::remarks(&pass_context.remarks) {
        collector.push(remark);
    }
    result.map_err(|_| ChunkFailure::Diagnosed)?;
    if !module.as_operation().verify() {
        return Err(ChunkFailure::Diagnosed);
    }
    if cli.report || cli.report_json.is_some() {
        write_report(cli, &module, &pass_context.target, collector)?;
    }
    if cli.pass_pipeline.is_none() && final_phase(cli) == Phase::Llvm {
        let output = if writes_object(cli) {
            crate::llvm::Output::Object
        } else {
            crate::llvm::Output::Text
        };
        return crate::llvm::emit(&module, cli.opt_level, output).map_err(|err| {
            collector.push(Diag::error(Where::Nowhere, err.to_string()));
            ChunkFailure::Diagnosed
        });
    }
    module
        .as_operation()
        .to_string_with_flags(printing_flags(cli))
        .map(|mut text| {
            if !text.ends_with('\n') {
                text.push('\n');
            }
            text.into_bytes()
        })
        .map_err(|err| {
            collector.push(Diag::error(
                Where::Nowhere,
                format!("cannot print the module: {err}"),
            ));
            ChunkFailure::Diagnosed
        })
}

/// The phase a compile without --pass-pipeline stops after.
fn final_phase(cli: &Cli) -> Phase {
    cli.emit
        .unwrap_or(*Phase::ALL.last().unwrap_or(&Phase::Tosa))
}

/// `-o FILE.o`: the llvm phase is written as an object file.
fn writes_object(cli: &Cli) -> bool {
    cli.output
        .as_deref()
        .is_some_and(|path| path.ends_with(".o"))
}

/// `--report` and `--report-json` for a module at the `cim` phase.
fn write_report(
    cli: &Cli,
    module: &Module,
    target: &cimc_target::Target,
    collector: &Collector,
) -> Result<(), ChunkFailure> {
    let read = crate::report::Report::from_module(module, target).map_err(|err| {
        let at = crate::diagnostics::resolve(handle::melior_location(err.location()));
        collector.push(Diag::error(at, err.to_string()));
        ChunkFailure::Diagnosed
    })?;
    let Some(report) = read else {
        collector.push(Diag::error(
            Where::Nowhere,
            "the mapping report describes scheduled crossbar work: compile to the cim phase (--emit=cim or later)",
        ));
        return Err(ChunkFailure::Diagnosed);
    };
    if cli.report {
        eprint!("{}", report.to_text(target));
    }
    if let Some(path) = &cli.report_json {
        let text = serde_json::to_string_pretty(&report.to_json(target)).unwrap_or_default() + "\n";
        let written = if path == "-" {
            std::io::stdout().write_all(text.as_bytes())
        } else {
            std::fs::write(path, text)
        };
        if let Err(err) = written {
            collector.push(Diag::error(
                Where::Other(path.clone()),
                format!("cannot write the report: {}", source::io_reason(&err)),
            ));
            return Err(ChunkFailure::Diagnosed);
        }
    }
    Ok(())
}

/// What a hand-written pipeline's input must pass when it holds TOSA ops.
const GUARD: &str = "builtin.module(cim-verify-tosa-input{only-tosa-ops=false})";

/// Whether the pipeline starts as the tosa phase does: with cimc's input
/// check itself, or with the batch specialisation that precedes it (whose
/// input may still be dynamic, which the check rejects).
fn starts_with_input_check(elements: &[Element]) -> bool {
    let mut first = elements.first();
    while let Some(Element::Nest { elements, .. }) = first {
        first = elements.first();
    }
    matches!(first, Some(Element::Pass { name, .. })
        if name == "cim-verify-tosa-input" || name == "cim-specialize-batch")
}

fn contains_tosa(module: &Module) -> bool {
    let mut found = false;
    module.as_operation().walk(WalkOrder::PreOrder, |op| {
        let name = op.name();
        if name
            .as_string_ref()
            .as_str()
            .unwrap_or("")
            .starts_with("tosa.")
        {
            found = true;
            return WalkResult::Interrupt;
        }
        WalkResult::Advance
    });
    found
}

fn printing_flags(cli: &Cli) -> OperationPrintingFlags {
    let mut flags = OperationPrintingFlags::new();
    if cli.print_op_generic {
        flags = flags.print_generic_operation_form();
    }
    if cli.print_debuginfo {
        flags = flags.enable_debug_info(true, false);
    }
    if let Some(limit) = cli.elide_elements_larger {
        flags = flags.elide_large_elements_attributes(limit);
    }
    flags
}

fn report_pipeline_error(text: &str, err: &PipelineError) {
    let renderer = Renderer {
        sources: vec![(PIPELINE_SOURCE, text)],
    };
    eprint!(
        "{}",
        renderer.render(&Diag::at(PIPELINE_SOURCE, 1, err.col, err.message.clone()))
    );
}

/// `--run`: parse the input and execute it.
fn run_model(cli: &Cli, target: cimc_target::Target) -> Result<bool, DriverError> {
    if cli.split_input_file {
        return Err(DriverError::Usage(
            "--run takes one module; drop --split-input-file".into(),
        ));
    }
    with_parsed_input(
        &cli.input,
        cli.max_nesting,
        |context, mut module, collector, report| {
            let render =
                |diags: Vec<Diag>| report(collector.take().into_iter().chain(diags).collect());
            if !(specialize_input(cli.batch, context, &mut module, collector, &render)
                && quantize_first(cli, context, &mut module, &render)
                && calibrate_adc_first(cli, context, &mut module, &target, &render))
            {
                return Ok(false);
            }
            // Diagnostics from compiling the model come back inside the error.
            let result = crate::run::run(cli, context, &module, target, &|remarks| report(remarks));
            report(collector.take());
            match result {
                Ok(()) => Ok(true),
                Err(crate::run::RunError::Reference(
                    crate::reference::ReferenceError::Diagnosed(diags),
                ))
                | Err(crate::run::RunError::Simulate(crate::simulate::SimulateError::Compile(
                    crate::reference::ReferenceError::Diagnosed(diags),
                ))) => {
                    report(diags);
                    Ok(false)
                }
                Err(err) => {
                    eprintln!("cimc: error: {err}");
                    Ok(false)
                }
            }
        },
    )
}

/// Reads `path` and parses it in a new context whose diagnostics
/// `collector` gathers, then runs `body` on the module with `report`, which
/// prints diagnostics quoting the source. An unreadable input is an error;
/// one that is neither UTF-8 text nor bytecode, nests deeper than
/// `max_nesting`, or does not parse, is reported (false).
fn with_parsed_input(
    path: &str,
    max_nesting: usize,
    body: impl for<'c> FnOnce(
        &'c Context,
        Module<'c>,
        &Collector,
        &dyn Fn(Vec<Diag>),
    ) -> Result<bool, DriverError>,
) -> Result<bool, DriverError> {
    crate::crash::set_input(path);
    let mut input = Input::read(path)?;
    input.max_nesting = max_nesting;
    let text = match input.source_text() {
        Ok(text) => text,
        Err(diag) => {
            eprint!("{}", Renderer { sources: vec![] }.render(&diag));
            return Ok(false);
        }
    };
    let renderer = Renderer {
        sources: vec![(input.name.as_str(), text.unwrap_or(""))],
    };
    let context = new_context()?;
    let collector = Collector::default();
    collector.attach(&context);
    let report = |diags: Vec<Diag>| {
        for diag in diags {
            eprint!("{}", renderer.render(&diag));
        }
    };
    let Some(module) = source::parse(&context, &input.bytes, &input.name, &collector) else {
        report(collector.take());
        return Ok(false);
    };
    body(&context, module, &collector, &report)
}

/// Gives a dynamic batch dimension of the input the size `batch` before
/// anything reads the signature (calibration, execution); the phases'
/// pipeline starts with the same steps, which leave a static module as it
/// is. False once the problem is reported.
fn specialize_input(
    batch: u32,
    context: &Context,
    module: &mut Module,
    collector: &Collector,
    render: &dyn Fn(Vec<Diag>),
) -> bool {
    let steps = pipelines::specialize_steps(batch);
    match pipeline::run(
        context,
        module,
        &pipelines::module_pipeline(&steps),
        &PassContext::default(),
        collector,
    ) {
        Ok(()) => true,
        Err(diags) => {
            render(diags);
            false
        }
    }
}

/// `--calibration`: quantizes a float module in place before the phases
/// (W8A8, min-max, per channel). Returns false (diagnostics printed) on
/// failure.
fn quantize_first(
    cli: &Cli,
    context: &Context,
    module: &mut Module,
    render: &dyn Fn(Vec<Diag>),
) -> bool {
    if cli.calibration.is_empty() {
        return true;
    }
    let settings = match quantize_target(&cli.target, &cli.target_opts) {
        Ok(settings) => crate::quantize::Settings {
            print_ir: crate::quantize::IrPrinting {
                before_all: cli.print_ir_before_all,
                after_all: cli.print_ir_after_all,
                elide_elements_larger: cli.elide_elements_larger,
            },
            ..settings
        },
        Err(err) => {
            eprintln!("{err}");
            return false;
        }
    };
    let quantized = quantize_module(
        context,
        module,
        cli.entry.as_deref(),
        &cli.calibration,
        &settings,
        render,
        None,
    );
    quantized.is_ok()
}

/// With `--adc-calibration`: calibrates each layer's ADC range on the
/// given samples and records it on `module` (printing the table on
/// standard error); false once a problem is reported.
fn calibrate_adc_first(
    cli: &Cli,
    context: &Context,
    module: &mut Module,
    target: &cimc_target::Target,
    render: &dyn Fn(Vec<Diag>),
) -> bool {
    if cli.adc_calibration.is_empty() {
        return true;
    }
    let passes = match crate::pass_context::from_cli(cli, target.clone()) {
        Ok(passes) => passes,
        Err(err) => {
            eprintln!("cimc: error: {err}");
            return false;
        }
    };
    let Some(method) = adc_method(cli.adc_range, cli.adc_percentile) else {
        return false;
    };
    let request = crate::adc_calibration::Request {
        entry: cli.entry.as_deref(),
        passes: &passes,
        opt: cli.opt_level,
        paths: &cli.adc_calibration,
        method,
        skip: pipelines::skipped(cli.no_graph),
    };
    calibrate_adc(context, module, &request, render)
}

/// The range method of `--adc-range` and `--adc-percentile`, or `None`
/// once a bad percentile is reported.
fn adc_method(
    method: crate::cli::AdcRangeMethod,
    percentile: f64,
) -> Option<cimc_runtime::RangeMethod> {
    if !(percentile > 0.0 && percentile <= 100.0) {
        eprintln!("cimc: error: --adc-percentile {percentile}: must be in (0, 100]");
        return None;
    }
    Some(match method {
        crate::cli::AdcRangeMethod::Mse => cimc_runtime::RangeMethod::Mse,
        crate::cli::AdcRangeMethod::MinMax => cimc_runtime::RangeMethod::MinMax,
        crate::cli::AdcRangeMethod::Percentile => {
            cimc_runtime::RangeMethod::Percentile(percentile / 100.0)
        }
    })
}

/// Calibrates the ADC ranges of `module` as `request` says, records them
/// on the module and prints the table; false once a problem is reported.
fn calibrate_adc(
    context: &Context,
    module: &mut Module,
    request: &crate::adc_calibration::Request,
    render: &dyn Fn(Vec<Diag>),
) -> bool {
    let calibrated = crate::adc_calibration::calibrate(context, module, request);
    let (target, method) = (&request.passes.target, request.method);
    match calibrated {
        Ok(ranges) => {
            eprint!(
                "{}",
                crate::adc_calibration::summary(
                    &ranges,
                    method,
                    target.array.adc.bits,
                    target.array.adc.range.as_str()
                )
            );
            true
        }
        Err(crate::run::RunError::Simulate(crate::simulate::SimulateError::Compile(
            crate::reference::ReferenceError::Diagnosed(diags),
        ))) => {
            render(diags);
            false
        }
        Err(err) => {
            eprintln!("cimc: error: --adc-calibration: {err}");
            false
        }
    }
}

/// The target `name` with `overrides`, or the message saying why not.
fn resolve_target(name: &str, overrides: &[String]) -> Result<cimc_target::Target, String> {
    let mut target = cimc_target::Target::resolve(name).map_err(|e| target_error(&e))?;
    target
        .apply_overrides(overrides)
        .map_err(|e| target_error(&e))?;
    Ok(target)
}

/// `target` evaluated `seconds` after programming (`--drift-time`).
fn with_drift_time(
    mut target: cimc_target::Target,
    seconds: Option<f64>,
) -> Result<cimc_target::Target, String> {
    let Some(t) = seconds else {
        return Ok(target);
    };
    let n = &target.non_idealities;
    if n.drift_nu == 0.0 && n.drift_nu_sigma == 0.0 {
        return Err(format!(
            "cimc: error: --drift-time {t}: target '{}' does not drift (non_idealities.drift_nu and drift_nu_sigma are 0); set one with --target-opt",
            target.name
        ));
    }
    target.non_idealities.drift_t_s = t;
    target
        .validate()
        .map_err(|e| format!("cimc: error: --drift-time {t}: {e}"))?;
    Ok(target)
}

/// The quantization defaults of the target `name` with `overrides`.
fn quantize_target(name: &str, overrides: &[String]) -> Result<crate::quantize::Settings, String> {
    crate::quantize::Settings::for_target(&resolve_target(name, overrides)?)
        .map_err(|e| format!("cimc: error: {e}"))
}

/// Reads the calibration files and quantizes `module`: `Ok(Some(samples))`,
/// `Ok(None)` for a model that is already integer (unchanged), `Err(())`
/// once the problem is reported.
fn quantize_module(
    context: &Context,
    module: &mut Module,
    entry: Option<&str>,
    paths: &[String],
    settings: &crate::quantize::Settings,
    render: &dyn Fn(Vec<Diag>),
    report: Option<&mut crate::quant_report::Job>,
) -> Result<Option<crate::quantize::Quantized>, ()> {
    let mut data = Vec::new();
    for path in paths {
        match crate::reference::Tensor::read_npy(std::path::Path::new(path)) {
            Ok(tensor) => data.push((path.clone(), tensor)),
            Err(err) => {
                eprintln!("cimc: error: {err}");
                return Err(());
            }
        }
    }
    // --report evaluates the calibrated float model before the conversion.
    let quantized = match report {
        Some(job) => crate::quantize::quantize_with(
            context,
            module,
            entry,
            &data,
            settings,
            &mut |context, float, rewritten| job.evaluate(context, float, rewritten),
        ),
        None => crate::quantize::quantize(context, module, entry, &data, settings),
    };
    match quantized {
        Ok(quantized) => {
            render(quantized.warnings.clone());
            Ok(Some(quantized))
        }
        Err(crate::quantize::QuantizeError::AlreadyInteger) => Ok(None),
        Err(crate::quantize::QuantizeError::Diagnosed(diags))
        | Err(crate::quantize::QuantizeError::Reference(
            crate::reference::ReferenceError::Diagnosed(diags),
        )) => {
            render(diags);
            Err(())
        }
        Err(err) => {
            eprintln!("cimc: error: {err}");
            Err(())
        }
    }
}

/// `cimc quantize`: calibrate, convert, validate, print.
pub(crate) fn run_quantize(args: &crate::cli::QuantizeArgs) -> Result<bool, DriverError> {
    with_parsed_input(
        &args.input,
        crate::source::DEFAULT_MAX_NESTING,
        |context, module, collector, report| {
            quantize_parsed(args, context, module, collector, report)
        },
    )
}

/// The grids the quantized model's callers feed and read: one line per
/// argument and result, x = s * (q - z).
fn grids_text(module: &Module, entry: Option<&str>) -> String {
    let Ok((inputs, outputs)) = crate::reference::signature_of(module, entry) else {
        return String::new();
    };
    let mut text = String::new();
    let lines = [
        (
            "input",
            crate::quantize::argument_grids(module, entry),
            inputs,
        ),
        (
            "output",
            crate::quantize::result_grids(module, entry),
            outputs,
        ),
    ];
    for (what, grids, types) in lines {
        for (i, ((scale, zero_point), ty)) in
            grids.unwrap_or_default().iter().zip(&types).enumerate()
        {
            let line = if crate::quantize::on_a_grid(ty.dtype) {
                format!(
                    "  {what} {i}: {} scale {scale} zero point {zero_point} (x = scale * (q - zero point))\n",
                    ty.dtype.mlir()
                )
            } else {
                format!(
                    "  {what} {i}: {} as the float model gives it (indices or flags: not quantized)\n",
                    ty.dtype.mlir()
                )
            };
            text.push_str(&line);
        }
    }
    text
}

/// `cimc quantize` on the parsed input.
fn quantize_parsed(
    args: &crate::cli::QuantizeArgs,
    context: &Context,
    mut module: Module,
    collector: &Collector,
    report: &dyn Fn(Vec<Diag>),
) -> Result<bool, DriverError> {
    // The input must be valid TOSA before anything runs it.
    let checks = pipelines::tosa_checks(args.batch);
    if let Err(diags) = pipeline::run(
        context,
        &mut module,
        &checks,
        &PassContext::default(),
        collector,
    ) {
        report(diags);
        return Ok(false);
    }
    // Explicit weight bits need no width from the target, but a bad target
    // is an error either way.
    let target = match resolve_target(&args.target, &args.target_opts) {
        Ok(target) => target,
        Err(err) => {
            eprintln!("{err}");
            return Ok(false);
        }
    };
    let defaults = match args.weight_bits {
        Some(weight_bits) => crate::quantize::Settings {
            weight_bits,
            ..crate::quantize::Settings::default()
        },
        None => match crate::quantize::Settings::for_target(&target) {
            Ok(defaults) => defaults,
            Err(err) => {
                eprintln!("cimc: error: {err}");
                return Ok(false);
            }
        },
    };
    let settings = crate::quantize::Settings {
        cle: args.cle,
        weight_bits: defaults.weight_bits,
        weight_range: args.weight_range.clone(),
        per_channel: !args.per_tensor,
        weight_symmetric: !args.asymmetric_weights,
        activation_bits: args.activation_bits,
        activation_symmetric: args.symmetric_activations,
        ranges: args.ranges,
        adaround: args.adaround.then_some(args.adaround_iterations as usize),
        bias_correction: args.bias_correction,
        float_fallback: args.float_fallback,
        config: match args
            .config
            .as_deref()
            .map(crate::quant_config::Config::load)
        {
            None => None,
            Some(Ok(config)) => Some(config),
            Some(Err(err)) => {
                eprintln!("cimc: error: {err}");
                return Ok(false);
            }
        },
        ..defaults
    };
    let settings = if args.noise_aware {
        if target.non_idealities.programming_sigma <= 0.0 {
            eprintln!(
                "cimc: error: --noise-aware: target '{}' has no programming noise (non_idealities.programming_sigma is 0); set it with --target-opt",
                target.name
            );
            return Ok(false);
        }
        crate::quantize::Settings {
            weight_range: "mse".into(),
            weight_noise: target.weight_noise_lsb(settings.weight_bits),
            ..settings
        }
    } else {
        settings
    };
    let started = std::time::Instant::now();
    // --report: its data and labels are read and checked before any work.
    let mut report_job = match crate::quant_report::Job::new(args, &settings) {
        Ok(job) => job,
        Err(err) => {
            eprintln!("cimc: error: {err}");
            return Ok(false);
        }
    };
    let report_all = |diags: Vec<Diag>| report(collector.take().into_iter().chain(diags).collect());
    let Ok(samples) = quantize_module(
        context,
        &mut module,
        args.entry.as_deref(),
        &args.calibration,
        &settings,
        &report_all,
        report_job.as_mut(),
    ) else {
        return Ok(false);
    };
    report(collector.take());
    match samples {
        Some(q) => {
            eprintln!(
                "quantized with {} calibration sample(s) in {:.2} s: {}, {}",
                q.samples,
                started.elapsed().as_secs_f64(),
                settings.describe(),
                q.rounding
            );
            eprint!("{}", grids_text(&module, args.entry.as_deref()));
        }
        None => eprintln!("the model is already integer: written unchanged"),
    }
    // The chip's ADC ranges, from the same calibration data.
    if let Some(method) = args.adc_range {
        let passes = PassContext {
            target: std::sync::Arc::new(target.clone()),
            ..PassContext::default()
        };
        let Some(method) = adc_method(method, args.adc_percentile) else {
            return Ok(false);
        };
        let request = crate::adc_calibration::Request {
            entry: args.entry.as_deref(),
            passes: &passes,
            opt: 2,
            paths: &args.calibration,
            method,
            skip: &[],
        };
        let render = |diags: Vec<Diag>| report(diags);
        if !calibrate_adc(context, &mut module, &request, &render) {
            return Ok(false);
        }
    }
    if let Some(job) = report_job.as_mut() {
        // The integer model's outputs and top-1, then the report itself.
        if let Err(err) = job
            .evaluate_integer(context, &module)
            .and_then(|()| job.finish())
        {
            eprintln!("cimc: error: {err}");
            return Ok(false);
        }
    }
    let mut text = module.as_operation().to_string();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    let written = match &args.output {
        Some(path) if path != "-" => std::fs::write(path, text),
        _ => std::io::stdout().write_all(text.as_bytes()),
    };
    written.map_err(|err| DriverError::WriteOutput {
        path: args.output.clone().unwrap_or_else(|| "<stdout>".into()),
        reason: source::io_reason(&err),
    })?;
    Ok(true)
}

/// A target error as `where: error: what`, like every cimc diagnostic.
fn target_error(err: &cimc_target::TargetError) -> String {
    let text = err.to_string();
    let prefix = err.origin().to_string();
    match text.strip_prefix(&prefix) {
        Some(rest) if !prefix.is_empty() => format!("{prefix}error: {rest}"),
        _ => format!("cimc: error: {text}"),
    }
}

fn describe_pass(name: &str) -> Result<bool, DriverError> {
    match pipelines::lookup_pass(name) {
        Some(info) => {
            println!(
                "{} — {}\n\n{}",
                info.argument, info.summary, info.description
            );
            for option in info.options {
                println!(
                    "\noption {}: {} (default {}): {}",
                    option.name,
                    option.kind.describe(),
                    option.default,
                    option.help
                );
            }
            Ok(true)
        }
        None if pipelines::UPSTREAM_PASSES.contains(&name) => Err(DriverError::Usage(format!(
            "'{name}' is an upstream MLIR pass, not a cimc pass: `mlir-opt --help` describes it (cimc runs it in --pass-pipeline)"
        ))),
        None => {
            let suggestions = pipelines::similar_pass_names(name);
            let hint = suggestions
                .first()
                .map(|s| format!("; did you mean '{s}'?"))
                .unwrap_or_default();
            Err(DriverError::Usage(format!(
                "'{name}' is not a cimc pass{hint}"
            )))
        }
    }
}
