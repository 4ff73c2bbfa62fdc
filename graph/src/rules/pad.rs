//! Pads folded into the convolutions that pad themselves.

use super::{class_nodes, nodes, Build, Group, Rewrite, Rule};
use crate::graph::EGraph;
use crate::lang::Op;

pub const PAD_INTO_CONV2D: Rule = Rule {
    name: "pad-into-conv2d",
    group: Group::Pad,
    summary: "conv2d(pad(x, p, zp), w, b, zp, wzp) = conv2d(x, w, b, zp, wzp) with p added to its padding",
    search: pad_into_conv2d,
};

/// TOSA's conv2d reads padding as `input_zp` (it subtracts the zero point
/// from real inputs and reads 0 outside), so an explicit spatial pad with
/// the value `input_zp` is the same as the convolution's own padding.
fn pad_into_conv2d(egraph: &EGraph) -> Vec<Rewrite> {
    let mut out = Vec::new();
    for (class, conv) in nodes(egraph, |op| matches!(op, Op::Conv2d { .. })) {
        let Op::Conv2d { origins, pad } = &conv.op else {
            continue;
        };
        let [input, rest @ ..] = conv.children.as_slice() else {
            continue;
        };
        let input_zp = egraph[rest[2]].data.values.as_deref();
        for p in class_nodes(egraph, *input) {
            let Op::Pad { padding } = &p.op else {
                continue;
            };
            let &[n0, n1, t, b, l, r, c0, c1] = padding.as_slice() else {
                continue;
            };
            let value = egraph[p.children[1]].data.values.as_deref();
            let same_value = matches!((value, input_zp), (Some([v]), Some([z])) if v == z);
            if n0 != 0 || n1 != 0 || c0 != 0 || c1 != 0 || !same_value {
                continue;
            }
            let op = Op::Conv2d {
                origins: origins.clone(),
                pad: [pad[0] + t, pad[1] + b, pad[2] + l, pad[3] + r],
            };
            let mut children = vec![Build::Class(p.children[0])];
            children.extend(rest.iter().map(|c| Build::Class(*c)));
            out.push(Rewrite {
                class,
                term: Build::Node(op, children),
            });
        }
    }
    out
}
