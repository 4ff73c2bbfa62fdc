//! The rewrite rules, as data: a table of named rules grouped by topic
//! ([`all`]); `README.md` beside this file states each rule's invariant.
//!
//! A rule is a search over the e-graph that returns rewrites: "class c
//! also equals this term". Terms are built from existing classes and new
//! nodes ([`Build`]); [`crate::saturate`] adds them only when the term's
//! type is the class's type, so a rule cannot join values of different
//! types. Every rule is integer-exact: the right side computes the same
//! bits as the left on every input.

use crate::graph::EGraph;
use crate::lang::{Node, Op};
use egg::Id;

mod clamp;
mod layout;
mod pad;
mod siblings;
mod slices;

/// A term to add: an existing class or a new node over terms.
#[derive(Debug, Clone, PartialEq)]
pub enum Build {
    Class(Id),
    Node(Op, Vec<Build>),
}

/// "`class` also equals `term`".
#[derive(Debug, Clone, PartialEq)]
pub struct Rewrite {
    pub class: Id,
    pub term: Build,
}

/// What a rule is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Group {
    /// Transpose and reshape cancellation.
    Layout,
    /// Explicit pads folded into the ops that pad themselves.
    Pad,
    /// Clamp fusion.
    Clamp,
    /// Convolutions that read the same input, merged along output channels.
    Siblings,
    /// Slices and concatenations that undo each other.
    Slices,
}

impl Group {
    pub fn as_str(self) -> &'static str {
        match self {
            Group::Layout => "layout",
            Group::Pad => "pad",
            Group::Clamp => "clamp",
            Group::Siblings => "siblings",
            Group::Slices => "slices",
        }
    }
}

/// One rule.
pub struct Rule {
    pub name: &'static str,
    pub group: Group,
    /// Its invariant, one line (the README gives the argument).
    pub summary: &'static str,
    pub search: fn(&EGraph) -> Vec<Rewrite>,
}

/// Every rule.
pub fn all() -> &'static [Rule] {
    static ALL: [Rule; 10] = [
        layout::TRANSPOSE_TRANSPOSE,
        layout::TRANSPOSE_IDENTITY,
        layout::RESHAPE_RESHAPE,
        layout::RESHAPE_IDENTITY,
        pad::PAD_INTO_CONV2D,
        clamp::CLAMP_CLAMP,
        clamp::CLAMP_FULL_RANGE,
        siblings::MERGE_SIBLING_CONV2D,
        slices::CONCAT_OF_SLICES,
        slices::SLICE_FULL,
    ];
    &ALL
}

/// Every (class, node) of `egraph` whose op `want` accepts.
pub(crate) fn nodes<'a>(
    egraph: &'a EGraph,
    want: impl Fn(&Op) -> bool + 'a,
) -> impl Iterator<Item = (Id, &'a Node)> + 'a {
    egraph
        .classes()
        .flat_map(|class| class.iter().map(move |node| (class.id, node)))
        .filter(move |(_, node)| want(&node.op))
}

/// The nodes of class `id`.
pub(crate) fn class_nodes(egraph: &EGraph, id: Id) -> impl Iterator<Item = &Node> {
    egraph[id].iter()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every rule has a unique name and is described in the README, under
    /// the heading of its group.
    #[test]
    fn every_rule_is_in_the_readme_under_its_group() {
        let readme = include_str!("README.md");
        let mut names: Vec<&str> = all().iter().map(|r| r.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all().len(), "rule names are unique");
        for rule in all() {
            let heading = format!("\n## {}\n", rule.group.as_str());
            let start = readme
                .find(&heading)
                .unwrap_or_else(|| panic!("README has no section {heading:?}"));
            let section = &readme[start + heading.len()..];
            let section = &section[..section.find("\n## ").unwrap_or(section.len())];
            assert!(
                section.contains(&format!("`{}`", rule.name)),
                "README's {} section describes {}",
                rule.group.as_str(),
                rule.name
            );
        }
    }
}
