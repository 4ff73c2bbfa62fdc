//! Clamps: fused, or dropped when they cannot change a value.

use super::{class_nodes, nodes, Build, Group, Rewrite, Rule};
use crate::graph::EGraph;
use crate::lang::Op;

pub const CLAMP_CLAMP: Rule = Rule {
    name: "clamp-clamp",
    group: Group::Clamp,
    summary: "clamp(clamp(x, a, b), c, d) = clamp(x, max(a, c), min(b, d)) when the ranges overlap",
    search: clamp_clamp,
};

pub const CLAMP_FULL_RANGE: Rule = Rule {
    name: "clamp-full-range",
    group: Group::Clamp,
    summary: "clamp(x, lo, hi) = x when [lo, hi] covers x's element type",
    search: clamp_full_range,
};

fn clamp_clamp(egraph: &EGraph) -> Vec<Rewrite> {
    let mut out = Vec::new();
    for (class, outer) in nodes(egraph, |op| matches!(op, Op::Clamp { .. })) {
        let Op::Clamp {
            origin,
            min: c,
            max: d,
        } = outer.op
        else {
            continue;
        };
        for inner in class_nodes(egraph, outer.children[0]) {
            let Op::Clamp { min: a, max: b, .. } = inner.op else {
                continue;
            };
            let (lo, hi) = (a.max(c), b.min(d));
            // Disjoint ranges make the result a constant; not a clamp.
            if lo > hi {
                continue;
            }
            out.push(Rewrite {
                class,
                term: Build::Node(
                    Op::Clamp {
                        origin,
                        min: lo,
                        max: hi,
                    },
                    vec![Build::Class(inner.children[0])],
                ),
            });
        }
    }
    out
}

fn clamp_full_range(egraph: &EGraph) -> Vec<Rewrite> {
    nodes(egraph, |op| matches!(op, Op::Clamp { .. }))
        .filter(|(_, node)| {
            let Op::Clamp { min, max, .. } = node.op else {
                return false;
            };
            egraph[node.children[0]]
                .data
                .ty
                .int_range()
                .is_some_and(|(lo, hi)| min <= lo && max >= hi)
        })
        .map(|(class, node)| Rewrite {
            class,
            term: Build::Class(node.children[0]),
        })
        .collect()
}
