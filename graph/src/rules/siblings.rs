//! Sibling convolutions: convolutions reading the same input with the same
//! geometry, merged into one along output channels and split back by
//! slices. The merged layer fills its arrays' columns with all siblings'
//! channels: fewer partly empty arrays, one read of the input.

use super::{nodes, Build, Group, Rewrite, Rule};
use crate::graph::EGraph;
use crate::lang::Op;
use crate::ty::ConvGeometry;
use egg::Id;
use std::collections::BTreeMap;

pub const MERGE_SIBLING_CONV2D: Rule = Rule {
    name: "merge-sibling-conv2d",
    group: Group::Siblings,
    summary: "conv2d(x, w_i, b_i) = slice_i(conv2d(x, concat(w), concat(b))) for siblings i of one input and geometry",
    search: merge_siblings,
};

/// What siblings share: the input class, padding, stride, dilation, kernel
/// size, element types and zero-point values.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    input: Id,
    pad: [i64; 4],
    stride: [i64; 2],
    dilation: [i64; 2],
    kernel: (i64, i64),
    elements: (String, String),
    zero_points: (Vec<i64>, Vec<i64>),
}

struct Member {
    class: Id,
    origin: u32,
    children: Vec<Id>,
    channels: i64,
}

fn merge_siblings(egraph: &EGraph) -> Vec<Rewrite> {
    let mut groups: BTreeMap<Key, Vec<Member>> = BTreeMap::new();
    for (class, conv) in nodes(
        egraph,
        |op| matches!(op, Op::Conv2d { origins, .. } if origins.len() == 1),
    ) {
        let Op::Conv2d { origins, pad } = &conv.op else {
            continue;
        };
        let data = |i: usize| &egraph[conv.children[i]].data;
        let Some(ConvGeometry { stride, dilation }) =
            egraph.analysis.origin(origins[0]).and_then(|o| o.conv)
        else {
            continue;
        };
        let (w, b) = (data(1), data(2));
        let (Some(izp), Some(wzp)) = (data(3).values.clone(), data(4).values.clone()) else {
            continue;
        };
        let &[o, kh, kw, _] = w.ty.shape.as_slice() else {
            continue;
        };
        if !w.constant || !b.constant || b.ty.shape != [o] {
            continue;
        }
        let key = Key {
            input: egraph.find(conv.children[0]),
            pad: *pad,
            stride,
            dilation,
            kernel: (kh, kw),
            elements: (w.ty.element.clone(), egraph[class].data.ty.element.clone()),
            zero_points: (izp, wzp),
        };
        let members = groups.entry(key).or_default();
        if members.iter().all(|m| m.class != class) {
            members.push(Member {
                class,
                origin: origins[0],
                children: conv.children.clone(),
                channels: o,
            });
        }
    }
    let mut out = Vec::new();
    for (key, mut members) in groups {
        if members.len() < 2 {
            continue;
        }
        members.sort_by_key(|m| m.origin);
        let first = &members[0];
        let pad = key.pad;
        let concat = |i: usize| {
            Build::Node(
                Op::Concat { axis: 0 },
                members
                    .iter()
                    .map(|m| Build::Class(m.children[i]))
                    .collect(),
            )
        };
        let merged = Build::Node(
            Op::Conv2d {
                origins: members.iter().map(|m| m.origin).collect(),
                pad,
            },
            vec![
                Build::Class(first.children[0]),
                concat(1),
                concat(2),
                Build::Class(first.children[3]),
                Build::Class(first.children[4]),
            ],
        );
        let mut offset = 0;
        for m in &members {
            let mut start = vec![0; 4];
            start[3] = offset;
            let mut size = egraph[m.class].data.ty.shape.clone();
            size[3] = m.channels;
            offset += m.channels;
            out.push(Rewrite {
                class: m.class,
                term: Build::Node(Op::Slice { start, size }, vec![merged.clone()]),
            });
        }
    }
    out
}
