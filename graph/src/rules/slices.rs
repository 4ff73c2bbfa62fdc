//! Slices and concatenations that undo each other.

use super::{class_nodes, nodes, Build, Group, Rewrite, Rule};
use crate::graph::EGraph;
use crate::lang::Op;
use egg::Id;

pub const CONCAT_OF_SLICES: Rule = Rule {
    name: "concat-of-slices",
    group: Group::Slices,
    summary: "concat(slice(y, 0..a), slice(y, a..b), ..) = y when the slices tile y along the axis",
    search: concat_of_slices,
};

pub const SLICE_FULL: Rule = Rule {
    name: "slice-full",
    group: Group::Slices,
    summary: "slice(x, 0, shape of x) = x",
    search: slice_full,
};

/// The source of a slice node of `class` starting at `offset` along
/// `axis` and full in every other dimension, with its length.
fn slice_at(
    egraph: &EGraph,
    class: Id,
    axis: usize,
    offset: i64,
    source: Option<Id>,
) -> Option<(Id, i64)> {
    class_nodes(egraph, class).find_map(|node| {
        let Op::Slice { start, size } = &node.op else {
            return None;
        };
        let y = egraph.find(node.children[0]);
        if source.is_some_and(|s| s != y) {
            return None;
        }
        let shape = &egraph[y].data.ty.shape;
        let full_elsewhere =
            (0..shape.len()).all(|d| d == axis || (start[d] == 0 && size[d] == shape[d]));
        (full_elsewhere && start.get(axis) == Some(&offset)).then(|| (y, size[axis]))
    })
}

fn concat_of_slices(egraph: &EGraph) -> Vec<Rewrite> {
    let mut out = Vec::new();
    for (class, concat) in nodes(egraph, |op| matches!(op, Op::Concat { .. })) {
        let Op::Concat { axis } = concat.op else {
            continue;
        };
        let Ok(axis) = usize::try_from(axis) else {
            continue;
        };
        let mut source = None;
        let mut offset = 0;
        let mut tiles = true;
        for child in &concat.children {
            match slice_at(egraph, *child, axis, offset, source) {
                Some((y, length)) => {
                    source = Some(y);
                    offset += length;
                }
                None => {
                    tiles = false;
                    break;
                }
            }
        }
        if let Some(y) =
            source.filter(|y| tiles && egraph[*y].data.ty.shape.get(axis) == Some(&offset))
        {
            out.push(Rewrite {
                class,
                term: Build::Class(y),
            });
        }
    }
    out
}

fn slice_full(egraph: &EGraph) -> Vec<Rewrite> {
    nodes(egraph, |op| matches!(op, Op::Slice { .. }))
        .filter(|(_, node)| match &node.op {
            Op::Slice { start, size } => {
                start.iter().all(|s| *s == 0) && egraph[node.children[0]].data.ty.shape == *size
            }
            _ => false,
        })
        .map(|(class, node)| Rewrite {
            class,
            term: Build::Class(node.children[0]),
        })
        .collect()
}
