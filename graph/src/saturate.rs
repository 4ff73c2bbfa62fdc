//! Equality saturation: the rules run over the e-graph until nothing new
//! is found or a limit stops them. A graph stopped by a limit is still a
//! correct e-graph: every class holds only equal values, so extraction from
//! it is as exact as from a saturated one.

use crate::graph::EGraph;
use crate::lang::Node;
use crate::rules::{Build, Rule};
use crate::ty::Ty;
use egg::Id;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// When saturation stops.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// E-nodes.
    pub nodes: usize,
    pub iterations: usize,
    pub time: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            nodes: 100_000,
            iterations: 12,
            time: Duration::from_secs(10),
        }
    }
}

/// Why saturation stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// No rule found anything new.
    Saturated,
    IterationLimit,
    NodeLimit,
    TimeLimit,
}

impl Stop {
    pub fn as_str(self) -> &'static str {
        match self {
            Stop::Saturated => "saturated",
            Stop::IterationLimit => "iteration limit",
            Stop::NodeLimit => "node limit",
            Stop::TimeLimit => "time limit",
        }
    }
}

/// What saturation did.
#[derive(Debug, Clone, PartialEq)]
pub struct Saturation {
    pub stop: Stop,
    pub iterations: usize,
    pub nodes: usize,
    pub classes: usize,
    /// Per rule: rewrites that joined two classes that were not yet equal.
    pub fired: BTreeMap<&'static str, usize>,
    pub seconds: f64,
}

/// A rule joined values of different types: a bug in the rule.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("rule `{rule}` broke the types of the graph: {detail}")]
pub struct Conflict {
    pub rule: &'static str,
    pub detail: String,
}

/// The type of `term` in `egraph`, if it is well typed.
fn type_of(egraph: &EGraph, term: &Build) -> Option<Ty> {
    match term {
        Build::Class(id) => Some(egraph[*id].data.ty.clone()),
        Build::Node(op, children) => {
            let tys = children
                .iter()
                .map(|c| type_of(egraph, c))
                .collect::<Option<Vec<_>>>()?;
            let refs: Vec<&Ty> = tys.iter().collect();
            egraph.analysis.infer_with(op, &refs)
        }
    }
}

/// Adds a well-typed `term` (checked by [`type_of`]).
fn add(egraph: &mut EGraph, term: &Build) -> Id {
    match term {
        Build::Class(id) => *id,
        Build::Node(op, children) => {
            let ids = children.iter().map(|c| add(egraph, c)).collect();
            egraph.add(Node::new(op.clone(), ids))
        }
    }
}

/// Runs `rules` over `egraph` within `limits`.
pub fn saturate(
    egraph: &mut EGraph,
    rules: &[Rule],
    limits: &Limits,
) -> Result<Saturation, Conflict> {
    let start = Instant::now();
    let mut fired: BTreeMap<&'static str, usize> = rules.iter().map(|r| (r.name, 0)).collect();
    let mut stop = Stop::IterationLimit;
    let mut iterations = 0;
    egraph.rebuild();
    while iterations < limits.iterations {
        iterations += 1;
        let found: Vec<_> = rules
            .iter()
            .map(|rule| (rule, (rule.search)(egraph)))
            .collect();
        let mut changed = false;
        for (rule, rewrites) in found {
            for rewrite in rewrites {
                let class = egraph.find(rewrite.class);
                if type_of(egraph, &rewrite.term).as_ref() != Some(&egraph[class].data.ty) {
                    continue;
                }
                let before = egraph.total_number_of_nodes();
                let id = add(egraph, &rewrite.term);
                let joined = egraph.union(class, id);
                if let Some(detail) = egraph.analysis.conflicts.pop() {
                    return Err(Conflict {
                        rule: rule.name,
                        detail,
                    });
                }
                if joined {
                    *fired.entry(rule.name).or_default() += 1;
                }
                changed |= joined || egraph.total_number_of_nodes() != before;
            }
        }
        egraph.rebuild();
        if let Some(detail) = egraph.analysis.conflicts.pop() {
            return Err(Conflict {
                rule: "rebuild",
                detail,
            });
        }
        if !changed {
            stop = Stop::Saturated;
            break;
        }
        if egraph.total_number_of_nodes() > limits.nodes {
            stop = Stop::NodeLimit;
            break;
        }
        if start.elapsed() > limits.time {
            stop = Stop::TimeLimit;
            break;
        }
    }
    Ok(Saturation {
        stop,
        iterations,
        nodes: egraph.total_number_of_nodes(),
        classes: egraph.number_of_classes(),
        fired,
        seconds: start.elapsed().as_secs_f64(),
    })
}
