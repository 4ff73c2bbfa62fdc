//! `--verify-diagnostics`: checks the diagnostics a run emits against
//! `expected-error`, `expected-warning`, `expected-remark` and `expected-note`
//! comments in the input, as mlir-opt does:
//!
//! ```mlir
//! // expected-error@+1 {{is not a TOSA operation}}
//! %0 = arith.addi %a, %b : tensor<4xi32>
//! ```
//!
//! `@+N`/`@-N` point N lines down or up, `@above`/`@below` at the lines next
//! to the comment; without a suffix the comment's own line. The text between
//! `{{` and `}}` must occur in the message.

use crate::diagnostics::{Diag, Severity, Where};

#[derive(Debug, Clone)]
pub struct Expected {
    pub severity: Severity,
    pub line: usize,
    pub text: String,
    /// Where the comment itself is, for reporting.
    pub comment_line: usize,
    pub col: usize,
}

/// Reads the expectations of one chunk; `first_line` is its first line in the file.
pub fn expectations(raw: &str, first_line: usize, file: &str) -> Result<Vec<Expected>, Diag> {
    let mut out = Vec::new();
    for (index, line) in raw.lines().enumerate() {
        let line_no = first_line + index;
        let mut rest = line;
        let mut consumed = 0;
        while let Some(at) = rest.find("expected-") {
            let col = consumed + at + 1;
            let tail = &rest[at + "expected-".len()..];
            consumed += at + "expected-".len();
            rest = tail;
            let Some((severity, after)) = [
                ("error", Severity::Error),
                ("warning", Severity::Warning),
                ("remark", Severity::Remark),
                ("note", Severity::Note),
            ]
            .iter()
            .find_map(|(word, severity)| tail.strip_prefix(word).map(|after| (*severity, after))) else {
                continue;
            };
            let (target, after) = match after.strip_prefix('@') {
                Some(spec) => {
                    let end = spec
                        .find(|c: char| c.is_whitespace() || c == '{')
                        .unwrap_or(spec.len());
                    let (spec, after) = spec.split_at(end);
                    let target = match spec {
                        "above" => line_no.checked_sub(1),
                        "below" => Some(line_no + 1),
                        _ => spec
                            .parse::<i64>()
                            .ok()
                            .and_then(|delta| usize::try_from(line_no as i64 + delta).ok()),
                    };
                    let target = target.ok_or_else(|| {
                        Diag::at(
                            file,
                            line_no,
                            col,
                            format!(
                                "bad line offset '@{spec}' in expected-{}",
                                severity.as_str()
                            ),
                        )
                    })?;
                    (target, after)
                }
                None => (line_no, after),
            };
            let after = after.trim_start();
            let Some(body) = after.strip_prefix("{{") else {
                return Err(Diag::at(
                    file,
                    line_no,
                    col,
                    format!("expected '{{{{' after expected-{}", severity.as_str()),
                ));
            };
            let Some(end) = body.find("}}") else {
                return Err(Diag::at(
                    file,
                    line_no,
                    col,
                    format!("missing '}}}}' after expected-{}", severity.as_str()),
                ));
            };
            out.push(Expected {
                severity,
                line: target,
                text: body[..end].to_string(),
                comment_line: line_no,
                col,
            });
        }
    }
    Ok(out)
}

/// Matches emitted diagnostics (notes flattened) against expectations;
/// returns the mismatches as errors to print.
pub fn check(file: &str, emitted: &[Diag], expected: &[Expected]) -> Vec<Diag> {
    let mut flat = Vec::new();
    for diag in emitted {
        flat.push(diag.clone());
        // MLIR adds the failing op as a note to verifier errors; mlir-opt
        // turns that off when verifying diagnostics, and so does this check.
        flat.extend(
            diag.notes
                .iter()
                .filter(|note| !note.message.starts_with("see current operation:"))
                .cloned(),
        );
    }
    let mut used = vec![false; expected.len()];
    let mut problems = Vec::new();
    for diag in &flat {
        let in_file = matches!(&diag.at, Where::Pos(pos) if pos.file == file);
        let found = expected.iter().enumerate().position(|(i, e)| {
            !used[i]
                && in_file
                && e.severity == diag.severity
                && Some(e.line) == diag.line()
                && diag.message.contains(&e.text)
        });
        match found {
            Some(i) => used[i] = true,
            None => {
                let mut problem = diag.clone();
                problem.severity = Severity::Error;
                problem.message =
                    format!("unexpected {}: {}", diag.severity.as_str(), diag.message);
                problem.notes.clear();
                problems.push(problem);
            }
        }
    }
    for (e, _) in expected.iter().zip(&used).filter(|(_, used)| !**used) {
        problems.push(Diag::at(
            file,
            e.comment_line,
            e.col,
            format!(
                "expected {} \"{}\" was not produced",
                e.severity.as_str(),
                e.text
            ),
        ));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_line_offsets() {
        let text = "a\n// expected-error@+2 {{two down}} expected-note@-1 {{one up}}\nb\n// expected-warning {{here}}\n// expected-remark@above {{above}} expected-error@below {{below}}\n";
        let found = expectations(text, 10, "f").unwrap();
        let lines: Vec<_> = found
            .iter()
            .map(|e| (e.severity, e.line, e.text.as_str()))
            .collect();
        assert_eq!(
            lines,
            vec![
                (Severity::Error, 13, "two down"),
                (Severity::Note, 10, "one up"),
                (Severity::Warning, 13, "here"),
                (Severity::Remark, 13, "above"),
                (Severity::Error, 15, "below"),
            ]
        );
    }

    #[test]
    fn matching_reports_both_sides() {
        let expected = expectations("x // expected-error {{wanted}}\n", 1, "f").unwrap();
        let emitted = vec![Diag::at("f", 1, 1, "something else")];
        let problems = check("f", &emitted, &expected);
        let messages: Vec<_> = problems.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            vec![
                "unexpected error: something else",
                "expected error \"wanted\" was not produced"
            ]
        );
        let emitted = vec![Diag::at("f", 1, 1, "it was wanted here")];
        assert!(check("f", &emitted, &expected).is_empty());
    }
}
