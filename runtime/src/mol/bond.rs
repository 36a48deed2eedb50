//! `gt bond A B`: join two molecules, polymorphically (spec §5.5). An operand is an issue
//! in the ledger (a molecule root, or a single issue) or a cooked formula, which is
//! instantiated first (so formula operands always work: spec §8.1 item 14 is fixed).
//!
//! | A | B | result |
//! |---|---|---|
//! | formula | formula | both instantiated under a new compound root (type `molecule`, title `Compound: <A> + <B>` or `--as`, `bonded_from` = both) |
//! | issue | formula | B instantiated; its root becomes a child of A's root |
//! | formula | issue | A instantiated; its root becomes a child of B's root |
//! | issue | issue | B's root becomes a child of A's root |
//!
//! The receiving root (the compound, or the existing molecule) is the *host*; the other
//! root joins it through `parent-child`, and the host's `bonded_from` records the bond.
//!
//! **Order** ("B runs after A") for `sequential` (`blocks` edges) and `conditional`
//! (`conditional-blocks` edges; readiness treats them like `blocks`): every *entry* of B
//! is blocked by every *final leaf* of A ([`Tree::entries`], [`Tree::finals`]):
//! * entries of B: the children of B's root, except those whose work already waits for
//!   another child (so a chain `one -> two` gets one edge, on `one`); B itself when it
//!   is a single issue. Blockage of an entry flows down to its own children.
//! * final leaves of A: A's members without children that no other leaf has to wait
//!   for (so a chain ending in `ship` gives just `ship`); A itself when it is a single
//!   issue. When they are closed, all of A's leaves are.
//!
//! Edges go between steps, never between the two roots, because one root already has
//! its `parent-child` edge to the other and the ledger keeps one edge per pair. When A
//! and B are both single issues there is no host: B is only blocked by A. `parallel`
//! adds no order, only the `parent-child` join.
//!
//! Refused: a molecule bonded to itself or into its own tree, a B that already has a
//! parent, closed operands, an edge that would close a cycle (through `blocks`, or
//! through the parent-child rules of readiness: a child waits for its parent's blockers
//! and a parent cannot close before its children), and a persistent issue depending on
//! a wisp (the wisp never reaches git). Everything happens in the caller's transaction.

use super::pour::instantiate;
use super::proto::Proto;
use super::tree::Tree;
use crate::error::{Error, Result};
use crate::ledger::blocked::BLOCKING;
use crate::ledger::record::{BondRef, DONE_STATUSES};
use crate::ledger::time::now;
use crate::ledger::{Dependency, Issue, Tx};
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

/// How B is joined to A.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BondType {
    /// B runs after A (`blocks`).
    Sequential,
    /// B runs alongside A (no order).
    Parallel,
    /// B runs after A (`conditional-blocks`; documented as "only if A fails", treated as
    /// `blocks` by readiness).
    Conditional,
}

impl BondType {
    /// Parse `sequential`, `parallel` or `conditional`.
    pub fn parse(s: &str) -> Result<BondType> {
        match s {
            "sequential" => Ok(BondType::Sequential),
            "parallel" => Ok(BondType::Parallel),
            "conditional" => Ok(BondType::Conditional),
            _ => Err(Error::Invalid(format!(
                "invalid bond type `{s}`: one of sequential, parallel, conditional"
            ))),
        }
    }

    /// Its name.
    pub fn as_str(self) -> &'static str {
        match self {
            BondType::Sequential => "sequential",
            BondType::Parallel => "parallel",
            BondType::Conditional => "conditional",
        }
    }

    /// The edge that orders B after A, if any.
    fn edge(self) -> Option<&'static str> {
        match self {
            BondType::Sequential => Some("blocks"),
            BondType::Parallel => None,
            BondType::Conditional => Some("conditional-blocks"),
        }
    }
}

/// One side of a bond.
#[derive(Debug)]
pub enum Operand {
    /// An issue in the ledger (a full id).
    Issue(String),
    /// A cooked formula and the var values to record.
    Formula {
        proto: Proto,
        vars: BTreeMap<String, String>,
    },
}

impl Operand {
    fn is_formula(&self) -> bool {
        matches!(self, Operand::Formula { .. })
    }

    /// How the operand is named in `bonded_from`: the issue id or the formula name.
    fn source(&self) -> &str {
        match self {
            Operand::Issue(id) => id,
            Operand::Formula { proto, .. } => &proto.formula,
        }
    }
}

/// How to bond.
#[derive(Debug, Clone, Copy)]
pub struct BondOptions<'a> {
    pub kind: BondType,
    /// Title of the compound root (formula + formula only).
    pub title: Option<&'a str>,
    /// `Some(true)` for `--ephemeral`, `Some(false)` for `--pour`; by default new issues
    /// follow the existing molecule (persistent for formula + formula).
    pub ephemeral: Option<bool>,
}

/// What a bond did.
#[derive(Debug)]
pub struct Bonded {
    /// The host root (the compound, or the molecule that received the other), or A when
    /// two single issues were only ordered.
    pub result_id: String,
    /// Roots of the molecules instantiated from formulas.
    pub spawned: Vec<String>,
    /// The edges added: (issue, depends on, type).
    pub edges: Vec<(String, String, &'static str)>,
    /// Created issues (in creation order), then changed ones, as they are now.
    pub issues: Vec<Issue>,
    /// How many of `issues` were created.
    pub created: usize,
}

/// Bond `a` and `b` (see the module docs).
pub fn bond(tx: &Tx, a: &Operand, b: &Operand, opts: &BondOptions) -> Result<Bonded> {
    let a_issue = existing(tx, a)?;
    let b_issue = existing(tx, b)?;
    if let (Some(x), Some(y)) = (&a_issue, &b_issue) {
        if x.id == y.id {
            return Err(Error::Refused(format!("cannot bond `{}` to itself", x.id)));
        }
        if opts.ephemeral.is_some() {
            return Err(Error::Invalid(String::from(
                "--ephemeral / --pour only apply when a formula is instantiated; both operands are already in the ledger",
            )));
        }
    }
    if opts.title.is_some() && !(a.is_formula() && b.is_formula()) {
        return Err(Error::Invalid(String::from(
            "--as names the compound root made when bonding two formulas; here one operand is already a molecule",
        )));
    }
    let ephemeral = opts.ephemeral.unwrap_or_else(|| {
        a_issue
            .as_ref()
            .or(b_issue.as_ref())
            .is_some_and(Issue::is_ephemeral)
    });

    let mut created: Vec<String> = Vec::new();
    let mut spawned: Vec<String> = Vec::new();
    let a_root = match a {
        Operand::Issue(id) => id.clone(),
        Operand::Formula { proto, vars } => spawn(tx, proto, vars, ephemeral, &mut created)?,
    };
    let b_root = match b {
        Operand::Issue(id) => id.clone(),
        Operand::Formula { proto, vars } => spawn(tx, proto, vars, ephemeral, &mut created)?,
    };
    spawned.extend(
        [&a_root, &b_root]
            .into_iter()
            .filter(|r| created.contains(r))
            .cloned(),
    );
    let a_tree = Tree::load(tx, &a_root)?;
    let b_tree = Tree::load(tx, &b_root)?;
    if a_tree.contains(&b_root) {
        return Err(Error::Refused(format!(
            "cannot bond `{b_root}` into `{a_root}`: it is already part of that molecule"
        )));
    }
    if b_tree.contains(&a_root) {
        return Err(Error::Refused(format!(
            "cannot bond `{b_root}` into `{a_root}`: `{a_root}` is part of `{b_root}`, so the molecule would contain itself"
        )));
    }

    let mut edges: Vec<(String, String, &'static str)> = Vec::new();
    let order = opts.kind.edge();
    let (host, recipient): (Option<String>, String) = match (a, b) {
        (Operand::Formula { .. }, Operand::Formula { .. }) => {
            let compound = compound_root(tx, &a_tree, &b_tree, a, b, opts, ephemeral)?;
            created.insert(0, compound.clone());
            edges.push((a_root.clone(), compound.clone(), "parent-child"));
            edges.push((b_root.clone(), compound.clone(), "parent-child"));
            (Some(compound.clone()), compound)
        }
        (Operand::Formula { .. }, Operand::Issue(_)) => {
            edges.push((a_root.clone(), b_root.clone(), "parent-child"));
            (Some(b_root.clone()), b_root.clone())
        }
        (Operand::Issue(_), _) => {
            let single = !a_tree.is_molecule() && !b_tree.is_molecule();
            if single && order.is_some() {
                (None, a_root.clone())
            } else {
                if let Some(b_issue) = &b_issue
                    && let Some(p) = b_issue.parent()
                {
                    return Err(Error::Refused(format!(
                        "cannot bond `{}` into `{a_root}`: it is already a child of `{p}`; bond the root of its molecule instead",
                        b_issue.id
                    )));
                }
                edges.push((b_root.clone(), a_root.clone(), "parent-child"));
                (Some(a_root.clone()), a_root.clone())
            }
        }
    };
    if let Some(kind) = order {
        for entry in b_tree.entries() {
            for last in a_tree.finals() {
                edges.push((entry.clone(), last, kind));
            }
        }
    }

    let mut changed: Vec<String> = Vec::new();
    let stamp = now();
    let mut added = Vec::new();
    for (from, to, kind) in edges {
        if add_edge(tx, &from, &to, kind, &stamp)? {
            changed.push(from.clone());
            added.push((from, to, kind));
        }
    }
    for (from, to, kind) in &added {
        deadlock(tx, from, to, kind)?;
    }
    // The compound got its `bonded_from` when it was made; an existing host records here.
    if !created.contains(&recipient) {
        let other = if recipient == b_root { a } else { b };
        let mut r = tx.require(&recipient)?;
        r.bonded_from.push(BondRef {
            source_id: other.source().to_owned(),
            bond_type: opts.kind.as_str().to_owned(),
            ..BondRef::default()
        });
        r.updated_at = stamp.clone();
        tx.put(&r)?;
        changed.push(r.id.clone());
    }

    let mut issues = Vec::new();
    let mut seen = HashSet::new();
    for id in created.iter().chain(changed.iter()) {
        if seen.insert(id.clone()) {
            issues.push(tx.require(id)?);
        }
    }
    Ok(Bonded {
        result_id: host.unwrap_or(a_root),
        spawned,
        edges: added,
        issues,
        created: created.len(),
    })
}

/// The issue an operand names, checked: present and not closed.
fn existing(tx: &Tx, op: &Operand) -> Result<Option<Issue>> {
    let Operand::Issue(id) = op else {
        return Ok(None);
    };
    let issue = tx.require(id)?;
    if DONE_STATUSES.contains(&issue.status.as_str()) {
        return Err(Error::Refused(format!(
            "cannot bond `{id}`: it is {} (a finished molecule takes no new work; reopen it with `gt update {id} --status open` first)",
            issue.status
        )));
    }
    Ok(Some(issue))
}

/// Instantiate a formula; returns its root and records the created ids.
fn spawn(
    tx: &Tx,
    proto: &Proto,
    vars: &BTreeMap<String, String>,
    ephemeral: bool,
    created: &mut Vec<String>,
) -> Result<String> {
    let poured = instantiate(tx, proto, vars, ephemeral, None)?;
    created.extend(poured.issues.iter().map(|i| i.id.clone()));
    Ok(poured.new_epic_id)
}

/// The compound root of two instantiated formulas.
fn compound_root(
    tx: &Tx,
    a_tree: &Tree,
    b_tree: &Tree,
    a: &Operand,
    b: &Operand,
    opts: &BondOptions,
    ephemeral: bool,
) -> Result<String> {
    let (ra, rb) = (a_tree.root(), b_tree.root());
    let title = opts
        .title
        .map(str::to_owned)
        .unwrap_or_else(|| format!("Compound: {} + {}", ra.title, rb.title));
    let id = tx.fresh_id(if ephemeral { "wisp" } else { "mol" }, &title)?;
    let stamp = now();
    let root = Issue {
        id: id.clone(),
        title,
        description: Some(format!(
            "Compound of {} and {} ({} bond)",
            a.source(),
            b.source(),
            opts.kind.as_str()
        )),
        status: String::from("open"),
        priority: ra.priority.min(rb.priority),
        issue_type: String::from("molecule"),
        created_at: stamp.clone(),
        created_by: Some(tx.actor.to_owned()),
        updated_at: stamp,
        ephemeral: ephemeral.then_some(true),
        bonded_from: [a, b]
            .iter()
            .map(|o| BondRef {
                source_id: o.source().to_owned(),
                bond_type: opts.kind.as_str().to_owned(),
                ..BondRef::default()
            })
            .collect(),
        ..Issue::default()
    };
    tx.put(&root)?;
    Ok(id)
}

/// Add the edge `from` -> `to` of `kind` (false when it is already there).
fn add_edge(tx: &Tx, from: &str, to: &str, kind: &str, stamp: &str) -> Result<bool> {
    let mut issue = tx.require(from)?;
    if issue
        .dependencies
        .iter()
        .any(|d| d.depends_on_id == to && d.kind == kind)
    {
        return Ok(false);
    }
    let target = tx.require(to)?;
    if !issue.is_ephemeral() && target.is_ephemeral() {
        return Err(Error::Refused(format!(
            "cannot bond: persistent `{from}` would depend on `{to}`, a wisp that never reaches git; bond a wisp (--ephemeral) instead, or squash the wisp first"
        )));
    }
    let mut dep = Dependency::new(from, to, kind);
    tx.check_new_edge(&issue, &dep)?;
    dep.created_at = Some(stamp.to_owned());
    dep.created_by = Some(tx.actor.to_owned());
    issue.dependencies.push(dep);
    issue.updated_at = stamp.to_owned();
    tx.put(&issue)?;
    Ok(true)
}

/// Refuse an edge that makes some issue wait for itself, counting what readiness and
/// closing imply: an issue becomes ready only when the blockers of it and of all its
/// ancestors are closed, and closes only after its children. Walks from what the edge
/// makes `from` wait for, through everything that must close first; reaching `from` or
/// one of its descendants is a cycle.
fn deadlock(tx: &Tx, from: &str, to: &str, kind: &str) -> Result<()> {
    let inside: HashSet<String> = tx.subtree(from)?.into_iter().collect();
    let starts: Vec<String> = if kind == "parent-child" {
        let mut out = Vec::new();
        for a in ancestors(tx, to)? {
            out.extend(blockers(&a));
        }
        out
    } else {
        vec![to.to_owned()]
    };
    let mut pred: HashMap<String, Option<String>> = HashMap::new();
    let mut queue: VecDeque<String> = VecDeque::new();
    for s in starts {
        if pred.insert(s.clone(), None).is_none() {
            queue.push_back(s);
        }
    }
    while let Some(n) = queue.pop_front() {
        let Some(issue) = tx.get(&n)? else { continue };
        if DONE_STATUSES.contains(&issue.status.as_str()) {
            continue;
        }
        if inside.contains(&n) {
            let mut path = vec![n.clone()];
            let mut at = n.clone();
            while let Some(Some(p)) = pred.get(&at) {
                path.push(p.clone());
                at = p.clone();
            }
            path.reverse();
            let tail = if n == from {
                String::new()
            } else {
                format!(" (`{n}` is part of `{from}`)")
            };
            return Err(Error::Refused(format!(
                "cannot bond: `{from}` -> `{to}` ({kind}) would create a dependency cycle: `{from}` waits for {}{tail}",
                path.iter()
                    .map(|p| format!("`{p}`"))
                    .collect::<Vec<_>>()
                    .join(", which waits for ")
            )));
        }
        let mut next = tx.children(&n)?;
        for a in ancestors(tx, &n)? {
            next.extend(blockers(&a));
        }
        for m in next {
            if !pred.contains_key(&m) {
                pred.insert(m.clone(), Some(n.clone()));
                queue.push_back(m);
            }
        }
    }
    Ok(())
}

/// `id` and its ancestors through `parent-child`.
fn ancestors(tx: &Tx, id: &str) -> Result<Vec<Issue>> {
    let mut out: Vec<Issue> = Vec::new();
    let mut at = tx.get(id)?;
    while let Some(issue) = at {
        if out.len() > 100 || out.iter().any(|o| o.id == issue.id) {
            break;
        }
        at = match issue.parent() {
            Some(p) => tx.get(p)?,
            None => None,
        };
        out.push(issue);
    }
    Ok(out)
}

/// The targets of `issue`'s blocking edges.
fn blockers(issue: &Issue) -> Vec<String> {
    issue
        .dependencies
        .iter()
        .filter(|d| BLOCKING.contains(&d.kind.as_str()))
        .map(|d| d.depends_on_id.clone())
        .collect()
}
