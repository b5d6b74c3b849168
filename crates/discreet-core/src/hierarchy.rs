//! A dimension's hierarchy: a tree of codes whose root is the dimension's
//! total, whose leaves are the finest codes found in the microdata, and whose
//! inner nodes are intermediate levels (quarter, year, immigration class...).
//! Each inner node is published as the margin of its children.

use std::collections::HashMap;
use std::fmt;

use crate::label::Bilingual;

/// Index of a node inside its hierarchy.
pub type NodeId = u32;

/// One code of a dimension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// The code written in releases (`AFG`, `2024-Q1`, `TOTAL`).
    pub code: String,
    /// The English and French label.
    pub label: Bilingual,
    /// The level name (`month`, `quarter`, `year`, `total`, `country`...).
    pub level: String,
    /// The node this one adds into; `None` only for the root (the total).
    pub parent: Option<NodeId>,
}

/// A hierarchy that cannot be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HierarchyError {
    /// The same code appears twice in one dimension.
    DuplicateCode {
        /// The dimension.
        dimension: String,
        /// The repeated code.
        code: String,
    },
    /// A node names a parent that was not declared before it.
    UnknownParent {
        /// The dimension.
        dimension: String,
        /// The node's code.
        code: String,
        /// The parent it names.
        parent: String,
    },
    /// A label lacks its English or French text.
    IncompleteLabel {
        /// The dimension.
        dimension: String,
        /// The code whose label is incomplete.
        code: String,
    },
}

impl fmt::Display for HierarchyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HierarchyError::DuplicateCode { dimension, code } => {
                write!(f, "dimension `{dimension}`: code `{code}` is declared twice; expected unique codes")
            }
            HierarchyError::UnknownParent { dimension, code, parent } => write!(
                f,
                "dimension `{dimension}`: code `{code}` names parent `{parent}`, which is not declared before it"
            ),
            HierarchyError::IncompleteLabel { dimension, code } => write!(
                f,
                "dimension `{dimension}`: code `{code}` needs both an English and a French label"
            ),
        }
    }
}

impl std::error::Error for HierarchyError {}

/// Builds a [`Hierarchy`] from its root down; parents come before children.
#[derive(Debug, Clone)]
pub struct HierarchyBuilder {
    name: String,
    nodes: Vec<Node>,
    index: HashMap<String, NodeId>,
}

impl HierarchyBuilder {
    /// Starts a hierarchy named `name` whose root (the dimension total) has
    /// the given code and label, at level `total`.
    pub fn new(
        name: impl Into<String>,
        root_code: impl Into<String>,
        root_label: Bilingual,
    ) -> Self {
        let root = Node {
            code: root_code.into(),
            label: root_label,
            level: "total".into(),
            parent: None,
        };
        let mut index = HashMap::new();
        index.insert(root.code.clone(), 0);
        HierarchyBuilder {
            name: name.into(),
            nodes: vec![root],
            index,
        }
    }

    /// The code of the root node.
    pub fn root_code(&self) -> &str {
        &self.nodes[0].code
    }

    /// Adds `code` under `parent` at `level`.
    pub fn add(
        &mut self,
        parent: &str,
        code: impl Into<String>,
        label: Bilingual,
        level: impl Into<String>,
    ) -> Result<NodeId, HierarchyError> {
        let code = code.into();
        let Some(&p) = self.index.get(parent) else {
            return Err(HierarchyError::UnknownParent {
                dimension: self.name.clone(),
                code,
                parent: parent.to_string(),
            });
        };
        if self.index.contains_key(&code) {
            return Err(HierarchyError::DuplicateCode {
                dimension: self.name.clone(),
                code,
            });
        }
        if label.is_incomplete() {
            return Err(HierarchyError::IncompleteLabel {
                dimension: self.name.clone(),
                code,
            });
        }
        let id = self.nodes.len() as NodeId;
        self.index.insert(code.clone(), id);
        self.nodes.push(Node {
            code,
            label,
            level: level.into(),
            parent: Some(p),
        });
        Ok(id)
    }

    /// Finishes the hierarchy.
    pub fn build(self) -> Result<Hierarchy, HierarchyError> {
        if self.nodes[0].label.is_incomplete() {
            return Err(HierarchyError::IncompleteLabel {
                dimension: self.name.clone(),
                code: self.nodes[0].code.clone(),
            });
        }
        let n = self.nodes.len();
        let mut children = vec![Vec::new(); n];
        for (i, node) in self.nodes.iter().enumerate() {
            if let Some(p) = node.parent {
                children[p as usize].push(i as NodeId);
            }
        }
        let leaves: Vec<NodeId> = (0..n as NodeId)
            .filter(|&i| children[i as usize].is_empty())
            .collect();
        // Publication order: children before their parent, siblings in
        // declaration order, so each total follows its parts as in IRCC tables.
        let mut order = Vec::with_capacity(n);
        post_order(0, &children, &mut order);
        let mut depth = vec![0u32; n];
        for i in 1..n {
            depth[i] = depth[self.nodes[i].parent.unwrap() as usize] + 1;
        }
        Ok(Hierarchy {
            name: self.name,
            nodes: self.nodes,
            children,
            leaves,
            order,
            index: self.index,
            depth,
        })
    }
}

fn post_order(id: NodeId, children: &[Vec<NodeId>], out: &mut Vec<NodeId>) {
    for &c in &children[id as usize] {
        post_order(c, children, out);
    }
    out.push(id);
}

/// A dimension: its codes as a tree rooted at the total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hierarchy {
    name: String,
    nodes: Vec<Node>,
    children: Vec<Vec<NodeId>>,
    leaves: Vec<NodeId>,
    order: Vec<NodeId>,
    index: HashMap<String, NodeId>,
    depth: Vec<u32>,
}

impl Hierarchy {
    /// The dimension's name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Number of nodes (codes at every level, total included).
    pub fn len(&self) -> usize {
        self.nodes.len()
    }
    /// Always false: a hierarchy has at least its total.
    pub fn is_empty(&self) -> bool {
        false
    }
    /// The root (the dimension total).
    pub fn root(&self) -> NodeId {
        0
    }
    /// One node.
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id as usize]
    }
    /// All nodes, by id.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }
    /// The children of a node (its parts), in declaration order.
    pub fn children(&self, id: NodeId) -> &[NodeId] {
        &self.children[id as usize]
    }
    /// The finest codes: nodes without children.
    pub fn leaves(&self) -> &[NodeId] {
        &self.leaves
    }
    /// Whether a node is a leaf.
    pub fn is_leaf(&self, id: NodeId) -> bool {
        self.children[id as usize].is_empty()
    }
    /// Distance from the root (the total has depth 0).
    pub fn depth(&self, id: NodeId) -> u32 {
        self.depth[id as usize]
    }
    /// The node with this code.
    pub fn find(&self, code: &str) -> Option<NodeId> {
        self.index.get(code).copied()
    }
    /// Nodes in publication order: parts before their total.
    pub fn publication_order(&self) -> &[NodeId] {
        &self.order
    }
    /// The node itself, then its parent, up to the root.
    pub fn ancestors(&self, id: NodeId) -> impl Iterator<Item = NodeId> + '_ {
        let mut next = Some(id);
        std::iter::from_fn(move || {
            let cur = next?;
            next = self.nodes[cur as usize].parent;
            Some(cur)
        })
    }
    /// The leaves below a node (the node itself if it is a leaf).
    pub fn leaves_under(&self, id: NodeId) -> Vec<NodeId> {
        let mut out = Vec::new();
        let mut stack = vec![id];
        while let Some(n) = stack.pop() {
            let ch = &self.children[n as usize];
            if ch.is_empty() {
                out.push(n);
            } else {
                stack.extend(ch.iter().rev());
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(s: &str) -> Bilingual {
        Bilingual::new(s, format!("{s}-fr"))
    }

    pub(crate) fn category_hierarchy() -> Hierarchy {
        let mut b = HierarchyBuilder::new("category", "TOTAL", l("All"));
        b.add("TOTAL", "ECO", l("Economic"), "class").unwrap();
        b.add("TOTAL", "FAM", l("Family"), "class").unwrap();
        b.add("ECO", "FSW", l("Skilled"), "category").unwrap();
        b.add("ECO", "PNP", l("Provincial"), "category").unwrap();
        b.add("FAM", "SPO", l("Spouse"), "category").unwrap();
        b.build().unwrap()
    }

    #[test]
    fn tree_navigation() {
        let h = category_hierarchy();
        assert_eq!(h.len(), 6);
        let codes = |ids: &[NodeId]| {
            ids.iter()
                .map(|&i| h.node(i).code.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(codes(h.leaves()), ["FSW", "PNP", "SPO"]);
        assert_eq!(
            codes(h.publication_order()),
            ["FSW", "PNP", "ECO", "SPO", "FAM", "TOTAL"]
        );
        let pnp = h.find("PNP").unwrap();
        assert_eq!(
            codes(&h.ancestors(pnp).collect::<Vec<_>>()),
            ["PNP", "ECO", "TOTAL"]
        );
        assert_eq!(codes(&h.leaves_under(h.root())), ["FSW", "PNP", "SPO"]);
        assert_eq!(h.depth(pnp), 2);
        assert!(h.is_leaf(pnp) && !h.is_leaf(h.root()));
    }

    #[test]
    fn errors_name_the_code() {
        let mut b = HierarchyBuilder::new("d", "TOTAL", l("All"));
        b.add("TOTAL", "A", l("a"), "x").unwrap();
        assert_eq!(
            b.add("TOTAL", "A", l("a"), "x"),
            Err(HierarchyError::DuplicateCode {
                dimension: "d".into(),
                code: "A".into()
            })
        );
        assert!(matches!(
            b.add("NOPE", "B", l("b"), "x"),
            Err(HierarchyError::UnknownParent { .. })
        ));
        assert!(matches!(
            b.add("TOTAL", "C", Bilingual::new("c", " "), "x"),
            Err(HierarchyError::IncompleteLabel { .. })
        ));
    }
}
