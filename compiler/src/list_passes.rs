//! The `--list-passes` text: every cimc pass with its options, then each
//! phase with the passes it runs at the -O level.

use crate::pipelines::{elements, OptLevel, Phase};
use crate::quantize::Settings;

/// The `--list-passes` text: every cimc pass with its summary and options.
pub fn describe_passes(verbose: bool, opt: OptLevel) -> String {
    let mut out =
        String::from("cimc passes (use them in --pass-pipeline beside any upstream MLIR pass):\n");
    for info in cimc_passes::all() {
        let anchor = info.anchor.unwrap_or("any op");
        out.push_str(&format!(
            "  {:<28} {} [on {anchor}]\n",
            info.argument, info.summary
        ));
        for option in info.options {
            out.push_str(&format!(
                "      {}: {} (default {}): {}\n",
                option.name,
                option.kind.describe(),
                option.default,
                option.help
            ));
        }
        if verbose {
            for line in info.description.lines() {
                out.push_str(&format!("      | {line}\n"));
            }
        }
    }
    out.push_str(&format!(
        "\nPhases (--emit=<phase>), with the pipeline at -O{}, then its steps:\n",
        opt.0
    ));
    for phase in Phase::ALL {
        let pipeline = match phase {
            Phase::Quant => "(before the phases, with --calibration: the passes around calibration below; an integer input passes as it is)".to_string(),
            Phase::Llvm => format!("(translation to LLVM IR, optimized at -O{})", opt.0),
            _ => elements(&phase.pipeline(opt)),
        };
        out.push_str(&format!("  {:<28} {pipeline}\n", phase.name()));
        let lines: Vec<String> = match phase {
            Phase::Quant => Settings::default().phase_outline(),
            Phase::Llvm => vec![],
            _ => phase
                .steps()
                .iter()
                .map(|step| match (step.from.0, step.from > opt) {
                    (0, _) => step.text(),
                    (level, false) => format!("{:<40} -O{level} and up", step.text()),
                    (level, true) => format!("{:<40} -O{level} and up (skipped)", step.text()),
                })
                .collect(),
        };
        for line in lines {
            out.push_str(&format!("      {line}\n"));
        }
    }
    out
}
