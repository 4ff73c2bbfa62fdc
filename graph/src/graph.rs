//! The e-graph of one function and what every class knows.
//!
//! [`Graph`] is the e-graph's analysis: it holds what the importer read of
//! each original op ([`Origin`]) and gives every class its [`Value`]: the
//! type, whether the exporter can fold it into a constant, the contents of
//! small constants (shapes, zero points, clamp bounds) and, for weights, the
//! bits their values need.

use crate::lang::{Node, Op};
use crate::ty::{infer, ConvGeometry, Ty};
use cimc_target::cost::OpClass;
use egg::{DidMerge, Id};

pub type EGraph = egg::EGraph<Node, Graph>;

/// What the importer read of one op of the function.
#[derive(Debug, Clone, PartialEq)]
pub struct Origin {
    /// The op's name (`tosa.conv2d`).
    pub name: String,
    /// Its result type.
    pub ty: Ty,
    /// The unit that runs it between crossbar layers.
    pub class: OpClass,
    /// Whether the mapping puts it on crossbars (convolutions, matmuls).
    pub crossbar: bool,
    /// Its crossbar layer name (`cim.layer`), if it has one.
    pub layer: Option<String>,
    /// A convolution's stride and dilation.
    pub conv: Option<ConvGeometry>,
    /// A constant's values, when it is small (shapes, zero points, clamp
    /// bounds: at most [`Graph::SMALL`] elements).
    pub values: Option<Vec<i64>>,
    /// Bits a constant's values need as signed integers ([`signed_bits`]).
    pub bits: Option<u32>,
}

impl Origin {
    pub fn new(name: &str, ty: Ty, class: OpClass) -> Origin {
        Origin {
            name: name.to_string(),
            ty,
            class,
            crossbar: false,
            layer: None,
            conv: None,
            values: None,
            bits: None,
        }
    }
}

/// What a class knows.
#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    pub ty: Ty,
    /// A constant, or an op of constants the exporter folds
    /// (concatenation): costs nothing at run time.
    pub constant: bool,
    /// Its values when it is a small constant (at most
    /// [`Graph::SMALL`] elements).
    pub values: Option<Vec<i64>>,
    /// Bits a signed weight matrix of these values needs.
    pub weight_bits: Option<u32>,
}

/// The analysis: origins, argument types, and type conflicts found while
/// merging (a rule that joined values of different types: a bug, reported
/// by [`crate::saturate`]).
#[derive(Debug, Default, Clone)]
pub struct Graph {
    pub origins: Vec<Origin>,
    pub args: Vec<Ty>,
    pub conflicts: Vec<String>,
}

impl Graph {
    /// Largest constant whose values a class carries.
    pub const SMALL: u64 = 64;

    pub fn origin(&self, index: u32) -> Option<&Origin> {
        self.origins.get(index as usize)
    }

    /// The type `op` over classes `children` would have in `egraph`.
    pub fn infer(egraph: &EGraph, op: &Op, children: &[Id]) -> Option<Ty> {
        let tys: Vec<&Ty> = children.iter().map(|c| &egraph[*c].data.ty).collect();
        egraph.analysis.infer_with(op, &tys)
    }

    /// The type of `op` over operands of types `children`.
    pub fn infer_with(&self, op: &Op, children: &[&Ty]) -> Option<Ty> {
        let (conv, accumulator) = match op {
            Op::Conv2d { origins, .. } => {
                let origin = self.origin(*origins.first()?)?;
                (origin.conv, Some(origin.ty.element.as_str()))
            }
            _ => (None, None),
        };
        infer(op, children, conv, accumulator)
    }
}

/// Bits of the smallest signed integer holding every value (at least 1).
pub fn signed_bits(values: &[i64]) -> u32 {
    let (lo, hi) = values
        .iter()
        .fold((0i64, 0i64), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
    (1..=64)
        .find(|b| {
            let half = 1i128 << (b - 1);
            i128::from(lo) >= -half && i128::from(hi) < half
        })
        .unwrap_or(64)
}

impl egg::Analysis<Node> for Graph {
    type Data = Value;

    fn make(egraph: &mut EGraph, enode: &Node, _id: Id) -> Value {
        let graph = &egraph.analysis;
        let leaf = |index: u32, constant: bool| {
            let origin = graph.origin(index);
            let ty = origin.map_or_else(|| Ty::new(&[], "?"), |o| o.ty.clone());
            Value {
                constant,
                weight_bits: origin.and_then(|o| o.bits),
                values: origin
                    .and_then(|o| o.values.clone())
                    .filter(|_| ty.elements() <= Graph::SMALL),
                ty,
            }
        };
        match &enode.op {
            Op::Arg(i) => Value {
                ty: graph
                    .args
                    .get(*i as usize)
                    .cloned()
                    .unwrap_or_else(|| Ty::new(&[], "?")),
                constant: false,
                values: None,
                weight_bits: None,
            },
            Op::Const(i) => leaf(*i, true),
            Op::Opaque(i) => Value {
                values: None,
                weight_bits: None,
                ..leaf(*i, false)
            },
            op => {
                let ty =
                    Graph::infer(egraph, op, &enode.children).unwrap_or_else(|| Ty::new(&[], "?"));
                let data = |c: &Id| &egraph[*c].data;
                let concat = matches!(op, Op::Concat { .. });
                let constant = concat && enode.children.iter().all(|c| data(c).constant);
                let weight_bits = if concat {
                    enode
                        .children
                        .iter()
                        .map(|c| data(c).weight_bits)
                        .try_fold(1, |m, b| b.map(|b| b.max(m)))
                } else {
                    None
                };
                let values = if concat && ty.elements() <= Graph::SMALL && ty.shape.len() == 1 {
                    enode
                        .children
                        .iter()
                        .map(|c| data(c).values.clone())
                        .collect::<Option<Vec<_>>>()
                        .map(|parts| parts.concat())
                } else {
                    None
                };
                Value {
                    ty,
                    constant,
                    values,
                    weight_bits,
                }
            }
        }
    }

    fn merge(&mut self, a: &mut Value, b: Value) -> DidMerge {
        if a.ty != b.ty {
            self.conflicts.push(format!(
                "values of types {:?} and {:?} were made equal",
                a.ty, b.ty
            ));
            return DidMerge(false, true);
        }
        let mut changed = false;
        if b.constant && !a.constant {
            a.constant = true;
            changed = true;
        }
        if a.values.is_none() && b.values.is_some() {
            a.values = b.values.clone();
            changed = true;
        }
        if a.weight_bits.is_none() && b.weight_bits.is_some() {
            a.weight_bits = b.weight_bits;
            changed = true;
        }
        let b_changed =
            a.constant != b.constant || a.values != b.values || a.weight_bits != b.weight_bits;
        DidMerge(changed, b_changed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_of_values() {
        assert_eq!(signed_bits(&[0]), 1);
        assert_eq!(signed_bits(&[-1, 0]), 1);
        assert_eq!(signed_bits(&[1]), 2);
        assert_eq!(signed_bits(&[-127, 127]), 8);
        assert_eq!(signed_bits(&[-128, 3]), 8);
        assert_eq!(signed_bits(&[128]), 9);
    }
}
