//! Layout: transposes and reshapes that cancel or compose.

use super::{class_nodes, nodes, Build, Group, Rewrite, Rule};
use crate::graph::EGraph;
use crate::lang::Op;

pub const TRANSPOSE_TRANSPOSE: Rule = Rule {
    name: "transpose-transpose",
    group: Group::Layout,
    summary: "transpose(transpose(x, p), q) = transpose(x, p∘q)",
    search: transpose_transpose,
};

pub const TRANSPOSE_IDENTITY: Rule = Rule {
    name: "transpose-identity",
    group: Group::Layout,
    summary: "transpose(x, [0, 1, ..]) = x",
    search: transpose_identity,
};

pub const RESHAPE_RESHAPE: Rule = Rule {
    name: "reshape-reshape",
    group: Group::Layout,
    summary: "reshape(reshape(x, s), t) = reshape(x, t)",
    search: reshape_reshape,
};

pub const RESHAPE_IDENTITY: Rule = Rule {
    name: "reshape-identity",
    group: Group::Layout,
    summary: "reshape(x, shape of x) = x",
    search: reshape_identity,
};

fn is_identity(perms: &[i64]) -> bool {
    perms.iter().enumerate().all(|(i, p)| *p == i as i64)
}

fn transpose_transpose(egraph: &EGraph) -> Vec<Rewrite> {
    let mut out = Vec::new();
    for (class, outer) in nodes(egraph, |op| matches!(op, Op::Transpose { .. })) {
        let Op::Transpose { perms: q } = &outer.op else {
            continue;
        };
        for inner in class_nodes(egraph, outer.children[0]) {
            let Op::Transpose { perms: p } = &inner.op else {
                continue;
            };
            // out[i] = mid[q[i]] = x[p[q[i]]].
            let Some(composed) = q
                .iter()
                .map(|i| p.get(usize::try_from(*i).ok()?).copied())
                .collect::<Option<Vec<i64>>>()
            else {
                continue;
            };
            let x = inner.children[0];
            let term = if is_identity(&composed) {
                Build::Class(x)
            } else {
                Build::Node(Op::Transpose { perms: composed }, vec![Build::Class(x)])
            };
            out.push(Rewrite { class, term });
        }
    }
    out
}

fn transpose_identity(egraph: &EGraph) -> Vec<Rewrite> {
    nodes(
        egraph,
        |op| matches!(op, Op::Transpose { perms } if is_identity(perms)),
    )
    .map(|(class, node)| Rewrite {
        class,
        term: Build::Class(node.children[0]),
    })
    .collect()
}

fn reshape_reshape(egraph: &EGraph) -> Vec<Rewrite> {
    let mut out = Vec::new();
    for (class, outer) in nodes(egraph, |op| matches!(op, Op::Reshape { .. })) {
        for inner in class_nodes(egraph, outer.children[0]) {
            if matches!(inner.op, Op::Reshape { .. }) {
                out.push(Rewrite {
                    class,
                    term: Build::Node(outer.op.clone(), vec![Build::Class(inner.children[0])]),
                });
            }
        }
    }
    out
}

fn reshape_identity(egraph: &EGraph) -> Vec<Rewrite> {
    nodes(egraph, |op| matches!(op, Op::Reshape { .. }))
        .filter(|(_, node)| match &node.op {
            Op::Reshape { shape } => egraph[node.children[0]].data.ty.shape == *shape,
            _ => false,
        })
        .map(|(class, node)| Rewrite {
            class,
            term: Build::Class(node.children[0]),
        })
        .collect()
}
