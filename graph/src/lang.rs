//! The language: integer TOSA as e-nodes.
//!
//! Every value of a function is an e-class; an e-node is an op with its
//! operands as children. The ops the rules reason about carry their
//! attributes in [`Op`]; every other op is [`Op::Opaque`]: its origin (the
//! imported op it is a copy of) and its operands, so the graph phase never
//! drops or misreads an op it does not model.

use egg::{Id, Language};

/// What an e-node computes. `origin` fields index [`crate::Graph::origins`]:
/// the imported op whose attributes the exporter copies.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Op {
    /// Function argument i.
    Arg(u32),
    /// A constant (`tosa.const`, `tosa.const_shape`).
    Const(u32),
    /// An op the rules do not model, exported as a copy of its origin.
    Opaque(u32),
    /// `tosa.conv2d` (children: input, weight, bias, input_zp, weight_zp),
    /// with padding `[top, bottom, left, right]`. `origins` are the imported
    /// convolutions it computes: one, or the siblings merged into it (their
    /// layer names join); the first gives stride, dilation and attributes.
    Conv2d { origins: Vec<u32>, pad: [i64; 4] },
    /// `tosa.transpose` (child: input).
    Transpose { perms: Vec<i64> },
    /// `tosa.reshape` (child: input).
    Reshape { shape: Vec<i64> },
    /// `tosa.clamp` of integers (child: input); `origin` gives its other
    /// attributes.
    Clamp { origin: u32, min: i64, max: i64 },
    /// `tosa.pad` (children: input, pad_const), `[lo0, hi0, lo1, hi1, ...]`.
    Pad { padding: Vec<i64> },
    /// `tosa.slice` (child: input).
    Slice { start: Vec<i64>, size: Vec<i64> },
    /// `tosa.concat` (children: the inputs).
    Concat { axis: i64 },
}

/// An e-node: an op and its operands' e-classes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Node {
    pub op: Op,
    pub children: Vec<Id>,
}

impl Node {
    pub fn new(op: Op, children: Vec<Id>) -> Node {
        Node { op, children }
    }

    pub fn leaf(op: Op) -> Node {
        Node::new(op, Vec::new())
    }
}

impl Language for Node {
    type Discriminant = Op;

    fn discriminant(&self) -> Op {
        self.op.clone()
    }

    fn matches(&self, other: &Self) -> bool {
        self.op == other.op && self.children.len() == other.children.len()
    }

    fn children(&self) -> &[Id] {
        &self.children
    }

    fn children_mut(&mut self) -> &mut [Id] {
        &mut self.children
    }
}
