//! Extraction: one node per class, from the function's results down,
//! towards the least total cost of the DAG (a heuristic: greedy, then local
//! search; not proven optimal, which an exact ILP extraction would be).
//!
//! Tree extraction (egg's `Extractor`) counts a shared subterm once per
//! use, which is wrong here: merged sibling convolutions are one layer read
//! by several slices. This greedy DAG extraction gives each class the node
//! whose sub-DAG (the union of its children's sub-DAGs, each class counted
//! once) costs least, to a fixpoint, and never picks a node whose sub-DAG
//! contains its own class (no cycles).
//!
//! Per-class choices cannot see sharing between classes: each sibling
//! alone is cheaper as its own convolution than as a slice of the merged
//! one. A local search over the whole DAG's cost follows ([`improve`]):
//! for every class, the move that makes all classes able to read it do so
//! (share it), and every single-node switch, each kept when the DAG from
//! the roots costs less, until no move helps.

use crate::cost::Cost;
use crate::graph::EGraph;
use crate::lang::Node;
use egg::Id;
use std::collections::{BTreeMap, HashMap};

/// The chosen node of every class a DAG uses, and its cost.
#[derive(Debug, Clone, PartialEq)]
pub struct Extraction {
    pub choice: HashMap<Id, Node>,
    pub cost: Cost,
}

/// The cost of the DAG from `roots` that `choice` spells (each class
/// once), or `None` when the choice is incomplete or cyclic.
pub fn dag_cost(
    egraph: &EGraph,
    roots: &[Id],
    choice: &HashMap<Id, Node>,
    cost: &impl Fn(Id, &Node) -> Cost,
) -> Option<Cost> {
    // 0: unseen, 1: on the stack, 2: done.
    let mut state: HashMap<Id, u8> = HashMap::new();
    let mut total = Cost::default();
    let mut stack: Vec<(Id, bool)> = roots.iter().map(|r| (egraph.find(*r), false)).collect();
    while let Some((id, expanded)) = stack.pop() {
        if expanded {
            state.insert(id, 2);
            continue;
        }
        match state.get(&id) {
            Some(2) => continue,
            Some(_) => return None,
            None => {}
        }
        let node = choice.get(&id)?;
        state.insert(id, 1);
        total = total + cost(id, node);
        stack.push((id, true));
        for c in &node.children {
            let c = egraph.find(*c);
            match state.get(&c) {
                Some(1) => return None,
                Some(_) => {}
                None => stack.push((c, false)),
            }
        }
    }
    Some(total)
}

/// Greedy DAG extraction of `roots` under `cost`.
pub fn greedy_dag(
    egraph: &EGraph,
    roots: &[Id],
    cost: impl Fn(Id, &Node) -> Cost,
) -> Option<Extraction> {
    struct Best {
        total: Cost,
        node: Node,
        members: BTreeMap<Id, Cost>,
    }
    // Nothing to choose when every class holds one node (no rewrite
    // added an alternative): the DAG is the graph itself.
    if egraph.classes().all(|class| class.len() == 1) {
        let choice: HashMap<Id, Node> = egraph
            .classes()
            .map(|class| (class.id, class.nodes[0].clone()))
            .collect();
        let cost = dag_cost(egraph, roots, &choice, &cost)?;
        return Some(Extraction { choice, cost });
    }
    let order = children_first(egraph, roots);
    let mut best: HashMap<Id, Best> = HashMap::new();
    let mut changed = true;
    let mut passes = 0;
    while changed && passes <= egraph.number_of_classes() + 1 {
        changed = false;
        passes += 1;
        for class in order.iter().map(|id| &egraph[*id]) {
            for node in class.iter() {
                let children: Vec<Id> = node.children.iter().map(|c| egraph.find(*c)).collect();
                if children.iter().any(|c| !best.contains_key(c)) {
                    continue;
                }
                if children
                    .iter()
                    .any(|c| *c == class.id || best[c].members.contains_key(&class.id))
                {
                    continue;
                }
                let mut members: BTreeMap<Id, Cost> = BTreeMap::new();
                for c in &children {
                    for (k, v) in &best[c].members {
                        members.insert(*k, *v);
                    }
                }
                members.insert(class.id, cost(class.id, node));
                let total = members.values().fold(Cost::default(), |a, b| a + *b);
                if best.get(&class.id).is_none_or(|b| total < b.total) {
                    best.insert(
                        class.id,
                        Best {
                            total,
                            node: node.clone(),
                            members,
                        },
                    );
                    changed = true;
                }
            }
        }
    }
    let choice: HashMap<Id, Node> = best.into_iter().map(|(id, b)| (id, b.node)).collect();
    let total = dag_cost(egraph, roots, &choice, &cost)?;
    Some(improve(
        egraph,
        roots,
        Extraction {
            choice,
            cost: total,
        },
        &cost,
    ))
}

/// Every class, those below `roots` in post-order (a class after the
/// classes its nodes read, as far as cycles allow), the rest after them: the
/// order in which [`greedy_dag`]'s passes see a class's children first, so
/// an acyclic graph settles in one pass instead of one per level.
fn children_first(egraph: &EGraph, roots: &[Id]) -> Vec<Id> {
    let mut order = Vec::with_capacity(egraph.number_of_classes());
    let mut seen: std::collections::HashSet<Id> = std::collections::HashSet::new();
    for root in roots
        .iter()
        .map(|r| egraph.find(*r))
        .chain(egraph.classes().map(|c| c.id))
    {
        if !seen.insert(root) {
            continue;
        }
        let mut stack = vec![(root, false)];
        while let Some((id, expanded)) = stack.pop() {
            if expanded {
                order.push(id);
                continue;
            }
            stack.push((id, true));
            for node in egraph[id].iter() {
                for c in &node.children {
                    let c = egraph.find(*c);
                    if seen.insert(c) {
                        stack.push((c, false));
                    }
                }
            }
        }
    }
    order
}

/// The most rounds of moves [`improve`] makes.
const ROUNDS: usize = 8;

/// Local search from `start`: sharing moves and single switches, each
/// kept when it lowers the DAG's cost.
pub fn improve(
    egraph: &EGraph,
    roots: &[Id],
    start: Extraction,
    cost: &impl Fn(Id, &Node) -> Cost,
) -> Extraction {
    let mut current = start;
    // Per class: the nodes (in other classes) that read it.
    let mut readers: BTreeMap<Id, Vec<(Id, &Node)>> = BTreeMap::new();
    for class in egraph.classes() {
        for node in class.iter() {
            for c in &node.children {
                readers
                    .entry(egraph.find(*c))
                    .or_default()
                    .push((class.id, node));
            }
        }
    }
    let try_move = |current: &mut Extraction, moves: &[(Id, &Node)]| {
        let mut choice = current.choice.clone();
        for (class, node) in moves {
            choice.insert(*class, (*node).clone());
        }
        match dag_cost(egraph, roots, &choice, cost) {
            Some(total) if total < current.cost => {
                *current = Extraction {
                    choice,
                    cost: total,
                };
                true
            }
            _ => false,
        }
    };
    for _ in 0..ROUNDS {
        let mut improved = false;
        for (shared, users) in &readers {
            if !current.choice.contains_key(shared) {
                continue;
            }
            // One reading node per class: the cheapest.
            let mut by_class: BTreeMap<Id, &Node> = BTreeMap::new();
            for (class, node) in users {
                let keep = by_class
                    .get(class)
                    .is_some_and(|old| cost(*class, old) <= cost(*class, node));
                if !keep {
                    by_class.insert(*class, node);
                }
            }
            if by_class.len() < 2 {
                continue;
            }
            let moves: Vec<(Id, &Node)> = by_class.into_iter().collect();
            improved |= try_move(&mut current, &moves);
        }
        for class in egraph.classes() {
            if class.len() < 2 {
                continue;
            }
            for node in class.iter() {
                if current.choice.get(&class.id) != Some(node) {
                    improved |= try_move(&mut current, &[(class.id, node)]);
                }
            }
        }
        if !improved {
            break;
        }
    }
    current
}
