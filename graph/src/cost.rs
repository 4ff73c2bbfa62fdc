//! Cost = the chip: what a node costs on the target, from the same cost
//! module the mapping and the simulator use (`cimc_target::cost`).
//!
//! A convolution is the crossbar layer cim-tile would make of it: ⌈K/R⌉ ×
//! ⌈(P·s + r)/C⌉ tiles (K = kh·kw·cin rows, P output channels of s columns
//! per weight, r = 1 reference column under the offset encoding), each read
//! for every window; its cycles are its pipeline stage with one copy
//! (`cost::stage`: array reads, buffer port, digital reduction). Every other
//! op is vector-unit or host work of its class over its result's elements
//! (`cost::vector_op`); reshapes are views and constants cost nothing (the
//! exporter folds a concatenation of constants). Crossbar ops the graph
//! phase does not model cost the same in every alternative and count
//! nothing here.
//!
//! Costs add over the nodes of the extracted DAG (a shared node counts
//! once) and compare arrays first (arrays bound how many copies replication
//! can make, so the pipeline's period), then cycles, then ops between
//! crossbar layers, then nodes.

use crate::graph::{EGraph, Graph};
use crate::lang::{Node, Op};
use cimc_target::cost::{self, LayerShape, OpClass};
use cimc_target::{Encoding, Target};
use std::ops::Add;

/// What a node, or a DAG of nodes, costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct Cost {
    /// Crossbar arrays (one copy of each layer).
    pub arrays: u64,
    /// Cycles: crossbar stages plus vector-unit and host work.
    pub cycles: u64,
    /// Ops between crossbar layers that do work (not views, constants or
    /// crossbar layers).
    pub ops: u64,
    pub nodes: u64,
}

impl Add for Cost {
    type Output = Cost;
    fn add(self, o: Cost) -> Cost {
        Cost {
            arrays: self.arrays.saturating_add(o.arrays),
            cycles: self.cycles.saturating_add(o.cycles),
            ops: self.ops.saturating_add(o.ops),
            nodes: self.nodes.saturating_add(o.nodes),
        }
    }
}

/// The crossbar layer a convolution of `node` makes on `target`.
pub fn conv_layer(target: &Target, egraph: &EGraph, node: &Node) -> Option<LayerShape> {
    let Op::Conv2d { .. } = node.op else {
        return None;
    };
    let input = &egraph[*node.children.first()?].data;
    let weights = &egraph[*node.children.get(1)?].data;
    let result_shape = &Graph::infer(egraph, &node.op, &node.children)?;
    let &[o, kh, kw, ci] = weights.ty.shape.as_slice() else {
        return None;
    };
    let windows = result_shape.shape[..3]
        .iter()
        .fold(1u64, |n, d| n.saturating_mul((*d).max(0) as u64));
    let weight_bits = weights
        .weight_bits
        .or_else(|| weights.ty.int_bits())
        .unwrap_or(8);
    let input_bits = input.ty.int_bits().unwrap_or(8);
    let k = u64::try_from(kh * kw * ci).ok()?;
    let p = u64::try_from(o).ok()?;
    // The offset encoding ends each layer's columns in a reference column.
    let reference = u64::from(target.array.encoding == Encoding::Offset);
    let columns = p
        .saturating_mul(u64::from(target.columns_per_weight(weight_bits)))
        .saturating_add(reference);
    let (rows_per, cols_per) = (
        u64::from(target.array.rows.max(1)),
        u64::from(target.array.cols.max(1)),
    );
    let mut tiles = Vec::new();
    for r in 0..k.div_ceil(rows_per) {
        for c in 0..columns.div_ceil(cols_per) {
            tiles.push(cost::Mvm {
                vectors: 0,
                rows: (k - r * rows_per).min(rows_per) as u32,
                cols: (columns - c * cols_per).min(cols_per) as u32,
                input_bits,
                dac_bits: target.array.dac_bits,
                adc_bits: target.array.adc.bits,
                adc_shift: 0,
                max_active_rows: target.array.max_active_rows,
            });
        }
    }
    let passes = u64::from(k > rows_per) + u64::from(weight_bits > target.array.cell_bits);
    Some(LayerShape {
        name: String::new(),
        windows,
        tiles,
        digital_elements: windows.saturating_mul(p).saturating_mul(passes),
        post: Vec::new(),
    })
}

/// What `node` of class `class` costs on `target`.
pub fn node_cost(target: &Target, egraph: &EGraph, class: egg::Id, node: &Node) -> Cost {
    let data = &egraph[class].data;
    let work = |class: OpClass| Cost {
        arrays: 0,
        cycles: cost::vector_op(target, class, data.ty.elements()).0,
        ops: 1,
        nodes: 1,
    };
    let free = Cost {
        nodes: 1,
        ..Cost::default()
    };
    match &node.op {
        Op::Arg(_) | Op::Const(_) | Op::Reshape { .. } => free,
        Op::Concat { .. } if data.constant => free,
        Op::Opaque(i) => match egraph.analysis.origin(*i) {
            Some(origin) if origin.crossbar => free,
            Some(origin) => work(origin.class),
            None => work(OpClass::Host),
        },
        Op::Conv2d { .. } => match conv_layer(target, egraph, node) {
            Some(layer) => Cost {
                arrays: layer.arrays(),
                cycles: cost::stage(target, &layer, 1).cycles,
                ops: 0,
                nodes: 1,
            },
            None => work(OpClass::Host),
        },
        Op::Clamp { .. } => work(OpClass::Activation),
        Op::Transpose { .. } | Op::Pad { .. } | Op::Slice { .. } | Op::Concat { .. } => {
            work(OpClass::Copy)
        }
    }
}
