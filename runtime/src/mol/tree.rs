//! A molecule as a tree: the root, its descendants through `parent-child`, in a stable
//! reading order. Shared by bond (entry and final steps), squash (the digest's step list)
//! and distill (the formula's step order).
//!
//! Order: pre-order over the tree; siblings in dependency order (one after another when
//! something below it has a blocking edge into the other), ties by id. For a poured
//! formula that is the formula's own order wherever `needs` decides it.

use crate::error::Result;
use crate::ledger::blocked::BLOCKING;
use crate::ledger::{Issue, Tx};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// A loaded molecule.
#[derive(Debug, Clone)]
pub struct Tree {
    /// Every member, root first, in reading order.
    pub issues: Vec<Issue>,
    index: HashMap<String, usize>,
    children: BTreeMap<String, Vec<String>>,
}

impl Tree {
    /// Load the molecule rooted at `root`.
    pub fn load(tx: &Tx, root: &str) -> Result<Tree> {
        tx.require(root)?;
        let ids = tx.subtree(root)?;
        let mut by_id: HashMap<String, Issue> = HashMap::new();
        for id in &ids {
            if let Some(issue) = tx.get(id)? {
                by_id.insert(id.clone(), issue);
            }
        }
        let members: HashSet<&str> = by_id.keys().map(String::as_str).collect();
        let mut children: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for id in ids.iter().skip(1) {
            if let Some(issue) = by_id.get(id)
                && let Some(p) = issue
                    .dependencies
                    .iter()
                    .filter(|d| d.kind == "parent-child")
                    .map(|d| d.depends_on_id.as_str())
                    .find(|p| members.contains(p))
            {
                children.entry(p.to_owned()).or_default().push(id.clone());
            }
        }
        let parents: Vec<String> = children.keys().cloned().collect();
        for p in parents {
            let sorted = order_siblings(&children, &by_id, &children[&p]);
            children.insert(p, sorted);
        }
        let mut order = Vec::with_capacity(ids.len());
        let mut seen = HashSet::new();
        let mut stack = vec![root.to_owned()];
        while let Some(id) = stack.pop() {
            if !seen.insert(id.clone()) {
                continue;
            }
            if let Some(kids) = children.get(&id) {
                stack.extend(kids.iter().rev().cloned());
            }
            order.push(id);
        }
        let mut issues = Vec::with_capacity(order.len());
        let mut index = HashMap::new();
        for id in order {
            if let Some(issue) = by_id.remove(&id) {
                index.insert(id, issues.len());
                issues.push(issue);
            }
        }
        Ok(Tree {
            issues,
            index,
            children,
        })
    }

    /// The root.
    pub fn root(&self) -> &Issue {
        &self.issues[0]
    }

    /// The members below the root, in reading order.
    pub fn steps(&self) -> &[Issue] {
        &self.issues[1..]
    }

    /// The member `id`.
    pub fn get(&self, id: &str) -> Option<&Issue> {
        self.index.get(id).map(|&i| &self.issues[i])
    }

    /// Whether `id` is a member.
    pub fn contains(&self, id: &str) -> bool {
        self.index.contains_key(id)
    }

    /// The children of `id`, in reading order.
    pub fn children(&self, id: &str) -> &[String] {
        self.children.get(id).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Whether the root is a molecule (type `molecule`, or it has children) rather than a
    /// single issue.
    pub fn is_molecule(&self) -> bool {
        self.root().issue_type == "molecule" || !self.children(&self.root().id).is_empty()
    }

    /// Where work on this molecule starts: the root's children, except those whose work
    /// already waits for another child (every leaf below it, or it itself when it is a
    /// leaf, has to wait, through `blocks` edges and the readiness rules, for something
    /// inside another child of the root); the root itself when it is a single issue. A
    /// molecule without steps has none.
    pub fn entries(&self) -> Vec<String> {
        let root = self.root();
        let kids = self.children(&root.id);
        if kids.is_empty() {
            return if self.is_molecule() {
                Vec::new()
            } else {
                vec![root.id.clone()]
            };
        }
        let mut top_of: HashMap<&str, &str> = HashMap::new();
        for k in kids {
            for n in self.below(k) {
                top_of.entry(n).or_insert(k);
            }
        }
        let kept: Vec<String> = kids
            .iter()
            .filter(|k| {
                let waits = |leaf: &str| {
                    self.ready_needs(leaf)
                        .iter()
                        .any(|n| top_of.get(n.as_str()).is_some_and(|t| t != k))
                };
                !self
                    .below(k)
                    .into_iter()
                    .filter(|n| self.children(n).is_empty())
                    .all(waits)
            })
            .cloned()
            .collect();
        if kept.is_empty() { kids.to_vec() } else { kept }
    }

    /// `id` and its descendants.
    fn below<'s>(&'s self, id: &'s str) -> Vec<&'s str> {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let mut stack = vec![id];
        while let Some(n) = stack.pop() {
            if seen.insert(n) {
                out.push(n);
                stack.extend(self.children(n).iter().map(String::as_str));
            }
        }
        out
    }

    /// Where work on this molecule ends: its final leaves, the members without children
    /// that no other leaf has to wait for (directly or through the readiness rules: a
    /// blocked ancestor blocks, a parent closes after its children). Once they are
    /// closed, every leaf is (nothing closes before its blockers without `--force`). A
    /// single issue is its own final leaf; a molecule without steps has none.
    pub fn finals(&self) -> Vec<String> {
        if !self.is_molecule() {
            return vec![self.root().id.clone()];
        }
        let leaves: Vec<&str> = self
            .steps()
            .iter()
            .filter(|i| self.children(&i.id).is_empty())
            .map(|i| i.id.as_str())
            .collect();
        let mut implied: HashSet<String> = HashSet::new();
        for l in &leaves {
            implied.extend(self.ready_needs(l));
        }
        let finals: Vec<String> = leaves
            .iter()
            .filter(|l| !implied.contains(**l))
            .map(|l| (*l).to_owned())
            .collect();
        if finals.is_empty() {
            leaves.iter().map(|l| (*l).to_owned()).collect()
        } else {
            finals
        }
    }

    /// The members that must be closed before `id` can be ready: the blocking targets of
    /// `id` and of its ancestors, and (since an issue closes only when ready and after
    /// its children) what those need in turn, and their descendants.
    fn ready_needs(&self, id: &str) -> HashSet<String> {
        let mut out: HashSet<String> = HashSet::new();
        let mut queue: Vec<String> = self.blockers_up(id);
        while let Some(n) = queue.pop() {
            if !out.insert(n.clone()) {
                continue;
            }
            queue.extend(self.children(&n).iter().cloned());
            queue.extend(self.blockers_up(&n));
        }
        out
    }

    /// Blocking targets inside the tree of `id` and of its ancestors.
    fn blockers_up(&self, id: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut at = self.get(id);
        let mut hops = 0;
        while let Some(issue) = at {
            out.extend(
                issue
                    .dependencies
                    .iter()
                    .filter(|d| {
                        BLOCKING.contains(&d.kind.as_str()) && self.contains(&d.depends_on_id)
                    })
                    .map(|d| d.depends_on_id.clone()),
            );
            hops += 1;
            if hops > self.issues.len() {
                break;
            }
            at = issue.parent().and_then(|p| self.get(p));
        }
        out
    }
}

/// Siblings in dependency order: `b` after `a` when something in `b`'s subtree has a
/// blocking edge into `a`'s subtree; ties (and cycles) by id.
fn order_siblings(
    children: &BTreeMap<String, Vec<String>>,
    by_id: &HashMap<String, Issue>,
    siblings: &[String],
) -> Vec<String> {
    let mut owner: HashMap<&str, usize> = HashMap::new();
    for (k, sib) in siblings.iter().enumerate() {
        let mut stack = vec![sib.as_str()];
        while let Some(n) = stack.pop() {
            if owner.insert(n, k).is_none()
                && let Some(kids) = children.get(n)
            {
                stack.extend(kids.iter().map(String::as_str));
            }
        }
    }
    let mut after: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); siblings.len()];
    let mut waits: Vec<usize> = vec![0; siblings.len()];
    for (m, &k) in &owner {
        let Some(issue) = by_id.get(*m) else { continue };
        for d in &issue.dependencies {
            if !BLOCKING.contains(&d.kind.as_str()) {
                continue;
            }
            if let Some(&j) = owner.get(d.depends_on_id.as_str())
                && j != k
                && after[j].insert(k)
            {
                waits[k] += 1;
            }
        }
    }
    let mut ready: BTreeSet<(&str, usize)> = (0..siblings.len())
        .filter(|&k| waits[k] == 0)
        .map(|k| (siblings[k].as_str(), k))
        .collect();
    let mut out: Vec<String> = Vec::with_capacity(siblings.len());
    let mut done = vec![false; siblings.len()];
    while let Some(first) = ready.iter().next().copied() {
        ready.remove(&first);
        let (_, k) = first;
        done[k] = true;
        out.push(siblings[k].clone());
        for &n in &after[k] {
            waits[n] -= 1;
            if waits[n] == 0 {
                ready.insert((siblings[n].as_str(), n));
            }
        }
    }
    let mut rest: Vec<&String> = (0..siblings.len())
        .filter(|&k| !done[k])
        .map(|k| &siblings[k])
        .collect();
    rest.sort();
    out.extend(rest.into_iter().cloned());
    out
}
