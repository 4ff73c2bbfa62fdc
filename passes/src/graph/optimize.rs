//! `cim-graph`: one function of integer TOSA into an e-graph, saturated
//! with the rules of `cimc-graph`, the cheapest DAG its extraction finds on
//! the target written back.

use crate::emit::{self, Emitter};
use crate::raw::{RawOp, RawValue};
use crate::{Pass, PassContext, PassFailed, PassInfo};
use cimc_dialects::handle::{AttrRef, OpRef, ValueRef};
use cimc_graph::extract::{self, Extraction};
use cimc_graph::graph::signed_bits;
use cimc_graph::ty::ConvGeometry;
use cimc_graph::Id;
use cimc_graph::{cost, rules, saturate, Cost, EGraph, Graph, Limits, Node, Op, Origin, Ty};
use cimc_target::Target;
use melior::ir::operation::OperationRefMut;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

crate::pass_options! {
    /// The options of `cim-graph`.
    pub struct GraphOptions {
        node_limit: u64 = ("node-limit", "100000", "stop saturating when the e-graph holds more e-nodes"),
        iteration_limit: u64 = ("iteration-limit", "12", "stop saturating after this many rounds of the rules"),
        time_limit: f64 = ("time-limit", "10", "stop saturating after this many seconds"),
    }
}

pub static INFO: PassInfo = PassInfo {
    argument: "cim-graph",
    summary: "Optimise integer TOSA by equality saturation under the chip's cost",
    description: "\
Each function of integer TOSA becomes an e-graph (`egg`): every value a
class, the ops the rules model (conv2d, transpose, reshape, clamp, pad,
slice, concat) as nodes with their attributes, every other op an opaque
copy of itself. The rules of cimc-graph (graph/src/rules/README.md: layout,
pad, clamp, siblings, slices) run until nothing new is found or a limit
stops them (`node-limit`, `iteration-limit`, `time-limit`; a graph stopped
by a limit is still exact). A cheapest DAG on the target is extracted (a
heuristic: greedy DAG extraction, then a local search that lets classes
share a node; arrays first, then cycles, then ops between crossbar layers:
the cost model of the mapping, `cimc_target::cost`) and replaces the body
when it is cheaper than the original; otherwise the function is left as it
was. Every rewrite is integer-exact.
The function records what happened as `cim.graph`: the stop reason,
rounds, e-nodes, seconds, the cost before and after, and the rules that
fired. Merged sibling convolutions keep their layer names joined by `+`.

Example: in a GoogLeNet inception block the 1x1, 3x3-reduce and
5x5-reduce convolutions read the same input with the same geometry; on a
target where their columns fill arrays better together they become one
convolution of the concatenated weights and three `tosa.slice`s.",
    anchor: Some("func.func"),
    options: GraphOptions::INFO,
    create: |options, ctx: &PassContext| {
        let options = GraphOptions::from(options);
        Box::new(GraphPass {
            target: ctx.target.clone(),
            limits: Limits {
                nodes: usize::try_from(options.node_limit).unwrap_or(usize::MAX),
                iterations: usize::try_from(options.iteration_limit).unwrap_or(usize::MAX),
                time: Duration::from_secs_f64(options.time_limit.clamp(0.0, 1e9)),
            },
            time_limit: options.time_limit,
        })
    },
};

struct GraphPass {
    target: Arc<Target>,
    limits: Limits,
    /// The `time-limit` as given, checked when the pass runs.
    time_limit: f64,
}

/// A function read into an e-graph.
struct Imported {
    egraph: EGraph,
    /// The original op of every origin.
    ops: Vec<RawOp>,
    /// The classes the function returns, in order.
    roots: Vec<Id>,
    /// The cost of the function as it was, if the import has one.
    before: Option<Cost>,
    ret: RawOp,
}

fn ty_of(value: RawValue) -> Option<Ty> {
    if let Some((shape, element)) = emit::tensor_info(value) {
        return Some(Ty::new(&shape, &element));
    }
    // !tosa.shape<n>: n index values.
    let text = cimc_dialects::handle::type_text(ValueRef::new(value)?.ty());
    let n: i64 = text
        .strip_prefix("!tosa.shape<")?
        .strip_suffix('>')?
        .parse()
        .ok()?;
    Some(Ty::new(&[n], "shape"))
}

/// The modelled node of `op` (children: the classes of its operands), if
/// the rules model it and [`Graph::infer_with`] agrees with its type.
fn model(egraph: &EGraph, op: RawOp, name: &str, index: u32, operands: &[Id]) -> Option<Node> {
    let values = |i: usize| egraph[*operands.get(i)?].data.values.clone();
    let (op_kind, children) = match name {
        "tosa.conv2d" => {
            let pad = emit::i64_array_attr(op, "pad")?;
            (
                Op::Conv2d {
                    origins: vec![index],
                    pad: pad.try_into().ok()?,
                },
                operands.to_vec(),
            )
        }
        "tosa.transpose" => (
            Op::Transpose {
                perms: emit::i64_array_attr(op, "perms")?,
            },
            vec![*operands.first()?],
        ),
        "tosa.reshape" => (Op::Reshape { shape: values(1)? }, vec![*operands.first()?]),
        "tosa.clamp" => (
            Op::Clamp {
                origin: index,
                min: emit::int_attr(op, "min_val")?,
                max: emit::int_attr(op, "max_val")?,
            },
            vec![*operands.first()?],
        ),
        "tosa.pad" => (
            Op::Pad {
                padding: values(1)?,
            },
            vec![*operands.first()?, *operands.get(2)?],
        ),
        "tosa.slice" => (
            Op::Slice {
                start: values(1)?,
                size: values(2)?,
            },
            vec![*operands.first()?],
        ),
        "tosa.concat" => (
            Op::Concat {
                axis: emit::int_attr(op, "axis")?,
            },
            operands.to_vec(),
        ),
        _ => return None,
    };
    let tys: Vec<&Ty> = children.iter().map(|c| &egraph[*c].data.ty).collect();
    let want = egraph.analysis.origin(index).map(|o| &o.ty);
    (egraph.analysis.infer_with(&op_kind, &tys).as_ref() == want)
        .then(|| Node::new(op_kind, children))
}

/// Reads `func` into an e-graph, or says why it cannot; `target` costs it
/// as it is.
fn import(func: RawOp, target: &Target) -> Result<Imported, String> {
    let body = OpRef::new(func)
        .and_then(OpRef::body)
        .ok_or("has no body")?;
    let mut graph = Graph::default();
    let mut ids: HashMap<usize, Id> = HashMap::new();
    let args = body.arguments();
    for arg in &args {
        graph
            .args
            .push(ty_of(arg.raw()).ok_or("has an argument that is not a static tensor")?);
    }
    let mut egraph = EGraph::new(graph);
    let mut original = HashMap::new();
    for (i, arg) in args.iter().enumerate() {
        let node = Node::leaf(Op::Arg(i as u32));
        let id = egraph.add(node.clone());
        original.insert(id, node);
        ids.insert(arg.raw().ptr as usize, id);
    }
    let mut ops = Vec::new();
    let mut ret = None;
    for op in body.ops() {
        let name = op.name();
        let operands = op
            .operands()
            .iter()
            .map(|v| ids.get(&(v.raw().ptr as usize)).copied())
            .collect::<Option<Vec<Id>>>()
            .ok_or_else(|| format!("uses a value defined outside its body ('{name}')"))?;
        if name == "func.return" {
            ret = Some((op.raw(), operands));
            break;
        }
        if op.num_results() != 1 || op.num_regions() != 0 {
            return Err(format!(
                "has '{name}', an op of {} results or with regions",
                op.num_results()
            ));
        }
        let result = op.result(0).ok_or("has an op without its result")?;
        let ty = ty_of(result.raw())
            .ok_or_else(|| format!("has '{name}' of a dynamic or unranked type"))?;
        let index = ops.len() as u32;
        let mut origin = Origin::new(&name, ty.clone(), crate::op_class::of(&name));
        origin.crossbar = crate::input::name_layers::crossbar_kind(op.raw()).is_some();
        origin.layer = emit::str_attr(op.raw(), "cim.layer");
        if name == "tosa.conv2d" {
            if let (Some(stride), Some(dilation)) = (
                emit::i64_array_attr(op.raw(), "stride"),
                emit::i64_array_attr(op.raw(), "dilation"),
            ) {
                if let (Ok(stride), Ok(dilation)) = (stride.try_into(), dilation.try_into()) {
                    origin.conv = Some(ConvGeometry { stride, dilation });
                }
            }
        }
        let constant = matches!(name.as_str(), "tosa.const" | "tosa.const_shape");
        // Integer constants and shapes: their bits, and small ones' values.
        if constant && (ty.int_bits().is_some() || name == "tosa.const_shape") {
            if let Some(values) = emit::const_ints(result.raw()) {
                origin.bits = Some(signed_bits(&values));
                if ty.elements() <= Graph::SMALL {
                    origin.values = Some(values);
                }
            }
        }
        egraph.analysis.origins.push(origin);
        ops.push(op.raw());
        let node = if constant {
            Node::leaf(Op::Const(index))
        } else {
            model(&egraph, op.raw(), &name, index, &operands)
                .unwrap_or_else(|| Node::new(Op::Opaque(index), operands))
        };
        let id = egraph.add(node.clone());
        original.insert(egraph.find(id), node);
        ids.insert(result.raw().ptr as usize, id);
    }
    let (ret, roots) = ret.ok_or("has no func.return")?;
    egraph.rebuild();
    // Before any rule ran, every class holds the one node the function had
    // (or identical ops, merged).
    let original: HashMap<Id, Node> = original
        .into_iter()
        .map(|(id, node)| (egraph.find(id), node))
        .collect();
    let before = extract::dag_cost(&egraph, &roots, &original, &|class, node: &Node| {
        cost::node_cost(target, &egraph, class, node)
    });
    Ok(Imported {
        egraph,
        ops,
        roots,
        before,
        ret,
    })
}

/// Writes the extracted DAG before the return and makes it the function's
/// result; the original ops are erased.
struct Exporter<'a> {
    egraph: &'a EGraph,
    ops: &'a [RawOp],
    choice: &'a HashMap<Id, Node>,
    args: Vec<RawValue>,
    at: RawOp,
    built: HashMap<Id, RawValue>,
}

impl Exporter<'_> {
    fn value(&mut self, class: Id) -> Result<RawValue, String> {
        let class = self.egraph.find(class);
        if let Some(v) = self.built.get(&class) {
            return Ok(*v);
        }
        // Post-order without recursion: children first.
        let mut stack = vec![(class, false)];
        while let Some((id, ready)) = stack.pop() {
            if self.built.contains_key(&id) {
                continue;
            }
            let node = self
                .choice
                .get(&id)
                .ok_or("extraction left a class without a node")?;
            if !ready {
                stack.push((id, true));
                // Reversed: the first operand is built first, so the
                // program keeps the order it was written in.
                for c in node.children.iter().rev() {
                    let c = self.egraph.find(*c);
                    if !self.built.contains_key(&c) {
                        stack.push((c, false));
                    }
                }
                continue;
            }
            let children = node
                .children
                .iter()
                .map(|c| self.built.get(&self.egraph.find(*c)).copied())
                .collect::<Option<Vec<_>>>()
                .ok_or("extraction chose a cyclic DAG")?;
            let v = self.build(id, node, &children)?;
            self.built.insert(id, v);
        }
        Ok(self.built[&class])
    }

    /// A copy of origin `index` with `operands`, inserted before the return.
    fn copy(&self, index: u32, operands: &[RawValue]) -> Result<OpRef, String> {
        let op = OpRef::new(*self.ops.get(index as usize).ok_or("unknown origin")?)
            .ok_or("null op")?
            .deep_clone();
        for (i, v) in operands.iter().enumerate() {
            op.set_operand(i, ValueRef::new(*v).ok_or("null value")?);
        }
        OpRef::new(self.at).ok_or("null return")?.insert_before(op);
        Ok(op)
    }

    fn build(&self, class: Id, node: &Node, children: &[RawValue]) -> Result<RawValue, String> {
        let ty = &self.egraph[class].data.ty;
        let e = Emitter::before(self.at);
        let result = |op: OpRef| op.result(0).map(ValueRef::raw).ok_or("op without result");
        Ok(match &node.op {
            Op::Arg(i) => *self.args.get(*i as usize).ok_or("unknown argument")?,
            Op::Const(i) | Op::Opaque(i) => result(self.copy(*i, children)?)?,
            Op::Conv2d { origins, pad } => {
                let op = self.copy(origins[0], children)?;
                op.set_attr("pad", e.i64_array(pad));
                let out = result(op)?;
                unsafe { mlir_sys::mlirValueSetType(out, e.tensor(&ty.shape, &ty.element)) };
                if origins.len() > 1 {
                    let names: Vec<String> = origins
                        .iter()
                        .filter_map(|o| self.egraph.analysis.origin(*o)?.layer.clone())
                        .collect();
                    op.set_attr("cim.layer", e.str_attr(&names.join("+")));
                }
                out
            }
            Op::Clamp { origin, min, max } => {
                let op = self.copy(*origin, children)?;
                op.set_attr("min_val", e.attr(&format!("{min} : {}", ty.element)));
                op.set_attr("max_val", e.attr(&format!("{max} : {}", ty.element)));
                result(op)?
            }
            Op::Transpose { perms } => {
                let list: Vec<String> = perms.iter().map(i64::to_string).collect();
                let perms = e.attr(&format!("array<i32: {}>", list.join(", ")));
                e.value(
                    "tosa.transpose",
                    children,
                    e.tensor(&ty.shape, &ty.element),
                    &[("perms", perms)],
                )
            }
            Op::Reshape { shape } => e.reshape(children[0], shape, &ty.element),
            Op::Pad { padding } => {
                let padding = e.shape(padding);
                e.value(
                    "tosa.pad",
                    &[children[0], padding, children[1]],
                    e.tensor(&ty.shape, &ty.element),
                    &[],
                )
            }
            Op::Slice { start, size } => {
                let (start, size) = (e.shape(start), e.shape(size));
                e.value(
                    "tosa.slice",
                    &[children[0], start, size],
                    e.tensor(&ty.shape, &ty.element),
                    &[],
                )
            }
            Op::Concat { axis } => {
                let folded = self.egraph[class].data.constant && *axis == 0;
                let data = if folded {
                    children
                        .iter()
                        .map(|c| emit::const_ints(*c))
                        .collect::<Option<Vec<_>>>()
                } else {
                    None
                };
                match data {
                    // Along the outermost axis a concatenation of row-major
                    // constants is the concatenation of their values.
                    Some(parts) => e.const_int(&ty.shape, &ty.element, &parts.concat()),
                    None => e.value(
                        "tosa.concat",
                        children,
                        e.tensor(&ty.shape, &ty.element),
                        &[("axis", e.attr(&format!("{axis} : i32")))],
                    ),
                }
            }
        })
    }
}

/// A dictionary attribute of `entries`.
fn dict(e: &Emitter, entries: &[(&str, mlir_sys::MlirAttribute)]) -> mlir_sys::MlirAttribute {
    let entries: Vec<(&str, AttrRef)> = entries
        .iter()
        .filter_map(|(k, v)| Some((*k, AttrRef::new(*v)?)))
        .collect();
    AttrRef::dict(e.context(), &entries).raw()
}

fn cost_text(c: &Cost) -> String {
    format!(
        "arrays {} cycles {} ops {} nodes {}",
        c.arrays, c.cycles, c.ops, c.nodes
    )
}

impl Pass for GraphPass {
    fn run(&self, func: OperationRefMut<'_, '_>) -> Result<(), PassFailed> {
        let func = func.to_raw();
        if self.time_limit < 0.0 {
            crate::diag::raw_op_error(
                func,
                &format!(
                    "cim-graph: time-limit must be a number of seconds >= 0, got {}",
                    self.time_limit
                ),
            );
            return Err(PassFailed);
        }
        let target = &*self.target;
        let mut imported = match import(func, target) {
            Ok(imported) => imported,
            Err(why) => {
                // Not an error: the function is compiled as it is, and
                // says why the graph phase left it.
                let e = Emitter::before(func);
                let skipped = AttrRef::string(e.context(), &format!("the function {why}"));
                let dict = AttrRef::dict(e.context(), &[("skipped", skipped)]);
                emit::set_attr(func, "cim.graph", dict.raw());
                return Ok(());
            }
        };
        let saturation = match saturate(&mut imported.egraph, rules::all(), &self.limits) {
            Ok(s) => s,
            Err(conflict) => {
                crate::diag::raw_op_error(
                    func,
                    &format!("internal error in the graph phase: {conflict}"),
                );
                return Err(PassFailed);
            }
        };
        let egraph = &imported.egraph;
        let node_cost = |class: Id, node: &Node| cost::node_cost(target, egraph, class, node);
        let before = imported.before;
        let started = std::time::Instant::now();
        let best = extract::greedy_dag(egraph, &imported.roots, node_cost);
        let extraction_seconds = started.elapsed().as_secs_f64();
        let e = Emitter::before(imported.ret);
        let mut summary = vec![
            ("stop", e.str_attr(saturation.stop.as_str())),
            ("iterations", e.i64_attr(saturation.iterations as i64)),
            ("nodes", e.i64_attr(saturation.nodes as i64)),
            ("classes", e.i64_attr(saturation.classes as i64)),
            ("seconds", e.str_attr(&format!("{:.3}", saturation.seconds))),
            ("extraction", e.str_attr("greedy-dag+local-search")),
            (
                "extraction_seconds",
                e.str_attr(&format!("{extraction_seconds:.3}")),
            ),
        ];
        if let Some(before) = before {
            summary.push(("before", e.str_attr(&cost_text(&before))));
        }
        let fired: Vec<(&str, mlir_sys::MlirAttribute)> = saturation
            .fired
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(rule, n)| (*rule, e.i64_attr(*n as i64)))
            .collect();
        let fired_dict = dict(&e, &fired);
        let better = match (&best, before) {
            (Some(Extraction { cost, .. }), Some(before)) => *cost < before,
            (Some(_), None) => true,
            _ => false,
        };
        let after = if better {
            best.as_ref().map(|b| b.cost)
        } else {
            before
        };
        if let Some(after) = after {
            summary.push(("after", e.str_attr(&cost_text(&after))));
        }
        summary.push(("fired", fired_dict));
        if let Some(best) = best.as_ref().filter(|_| better) {
            let body = OpRef::new(func).and_then(OpRef::body);
            let args = body
                .map(|b| b.arguments().iter().map(|a| a.raw()).collect())
                .unwrap_or_default();
            let mut exporter = Exporter {
                egraph,
                ops: &imported.ops,
                choice: &best.choice,
                args,
                at: imported.ret,
                built: HashMap::new(),
            };
            let mut results = Vec::new();
            for root in &imported.roots {
                match exporter.value(*root) {
                    Ok(v) => results.push(v),
                    Err(why) => {
                        crate::diag::raw_op_error(
                            func,
                            &format!("internal error in the graph phase: {why}"),
                        );
                        return Err(PassFailed);
                    }
                }
            }
            let ret = OpRef::new(imported.ret).ok_or(PassFailed)?;
            for (i, v) in results.iter().enumerate() {
                ret.set_operand(i, ValueRef::new(*v).ok_or(PassFailed)?);
            }
            for op in imported.ops.iter().rev() {
                emit::erase(*op);
            }
            // Constants a folded concatenation read are built, then unused.
            let mut built: Vec<RawOp> = exporter
                .built
                .values()
                .filter_map(|v| ValueRef::new(*v)?.producer().map(OpRef::raw))
                .collect();
            built.sort_by_key(|op| op.ptr as usize);
            built.dedup_by_key(|op| op.ptr as usize);
            for op in built {
                if crate::ir::results_unused(op) {
                    emit::erase(op);
                }
            }
        }
        emit::set_attr(func, "cim.graph", dict(&e, &summary));
        Ok(())
    }
}
