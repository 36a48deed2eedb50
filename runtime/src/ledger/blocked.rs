//! Blockage: the edge rules of readiness, and the stored `blocked` flag they maintain.
//!
//! An issue that is not done (closed, pinned, tombstone) is **blocked** when [`blockers`]
//! finds any of:
//! 1. a `blocks` / `conditional-blocks` edge to an issue that is not done;
//! 2. a `waits-for` edge to a spawner with children still open (all of them must close,
//!    or any one for `{"gate":"any-children"}`); a spawner without children does not block;
//! 3. a parent (its `parent-child` target) that is itself blocked: blockage flows down.
//!
//! Edges that cannot mean anything are ignored, here and everywhere: an edge from an issue
//! to itself, and a `parent-child` edge on a cycle of them (the parent is its own
//! descendant). Only an import can bring them (`gt dep add` refuses them); it reports
//! them. Without them the parent-child graph is acyclic, so the flags have exactly one
//! consistent value and an incremental refresh ends where a recomputation would.
//!
//! The result is kept per issue as the `blocked` column, refreshed in the same
//! transaction as every write that can change it ([`refresh_written`]), or recomputed
//! for the whole ledger after a large import ([`recompute_all`]).

use super::record::{DONE_STATUSES, Issue};
use super::store::Tx;
use crate::error::{Error, Result};
use rusqlite::OptionalExtension;
use std::collections::{HashMap, HashSet, VecDeque};

/// Edge kinds that block until their target is done.
pub const BLOCKING: &[&str] = &["blocks", "conditional-blocks"];

/// One thing in an issue's way.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Blocker {
    /// A blocking edge to an issue that is still open; `gate` is its await type when the
    /// blocker is a gate issue.
    Issue {
        id: String,
        status: String,
        gate: Option<String>,
    },
    /// A `waits-for` edge whose spawner still has open children.
    Children {
        spawner: String,
        open: Vec<String>,
        any: bool,
    },
    /// The parent is blocked.
    Parent { id: String },
}

impl std::fmt::Display for Blocker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Blocker::Issue {
                id,
                status,
                gate: Some(kind),
            } => {
                write!(f, "waits for gate {id} ({kind}, {status})")
            }
            Blocker::Issue {
                id,
                status,
                gate: None,
            } => write!(f, "blocked by {id} ({status})"),
            Blocker::Children { spawner, open, any } => {
                let need = if *any { "one child" } else { "all children" };
                write!(
                    f,
                    "waits for {need} of {spawner}; open: {}",
                    open.join(", ")
                )
            }
            Blocker::Parent { id } => write!(f, "its parent {id} is blocked"),
        }
    }
}

/// Whether `status` is done: it never blocks and is never blocked.
pub fn done(status: &str) -> bool {
    DONE_STATUSES.contains(&status)
}

/// What stands in `issue`'s way through its edges (rules 1-3 above).
pub fn blockers(tx: &Tx, issue: &Issue) -> Result<Vec<Blocker>> {
    scan(tx, &issue.id, &issue.status, true, Edges::All)
}

/// Whether the stored issue `id` with status `status` is blocked: [`blockers`] up to
/// the first one, from the edge index and the status column (no record is decoded).
///
/// Rule 1 is one step of the `deps_open_blockers` index (the blocking edges whose
/// target is open, kept by every write: `deps.target_open`), so an issue with many
/// blockers (a join after a wide fan-out) costs the same as one with a single blocker:
/// closing n blockers one by one is O(n log n), not O(n²) (the village benchmark's
/// fan-in shape). The other edges are then scanned as [`blockers`] scans them.
pub fn is_blocked_now(tx: &Tx, id: &str, status: &str) -> Result<bool> {
    if done(status) {
        return Ok(false);
    }
    let mut open_blocker = tx.conn().prepare_cached(
        "SELECT 1 FROM deps INDEXED BY deps_open_blockers
         WHERE issue_id = ?1 AND depends_on_id != ?1 AND target_open = 1
           AND type IN ('blocks', 'conditional-blocks')
         LIMIT 1",
    )?;
    if open_blocker.exists([id])? {
        return Ok(true);
    }
    Ok(!scan(tx, id, status, false, Edges::NotBlocking)?.is_empty())
}

/// The edge rows whose `target_open` or `issue_open` mark disagrees with the issues
/// (`issue_id`, `depends_on_id`, `type`): empty unless a write path forgot to keep
/// them (the tests ask after every write path).
pub fn stale_edge_marks(tx: &Tx) -> Result<Vec<(String, String, String)>> {
    let mut stmt = tx.conn().prepare(&format!(
        "SELECT issue_id, depends_on_id, type FROM deps
         WHERE target_open != {} OR issue_open != {}",
        super::schema::TARGET_OPEN_SQL,
        super::schema::ISSUE_OPEN_SQL
    ))?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Which of an issue's edges [`scan`] reads.
#[derive(Clone, Copy)]
enum Edges {
    All,
    /// All but `blocks` / `conditional-blocks` (rule 1 was asked in SQL).
    NotBlocking,
}

/// The blockers of `id` (status `status`) through `edges`: all of them, described
/// (`all`), or the first one found, described only as far as the index says.
fn scan(tx: &Tx, id: &str, status: &str, all: bool, which: Edges) -> Result<Vec<Blocker>> {
    let mut out = Vec::new();
    // Only an issue that is neither closed nor pinned is blocked (spec §5.9), so a
    // frozen or (force-)closed parent does not hold its children back.
    if done(status) {
        return Ok(out);
    }
    let edges: Vec<(String, String, bool)> = {
        let mut stmt = tx.conn().prepare_cached(match which {
            Edges::All => {
                "SELECT depends_on_id, type, any_children FROM deps WHERE issue_id = ?1 AND depends_on_id != ?1"
            }
            Edges::NotBlocking => {
                "SELECT depends_on_id, type, any_children FROM deps WHERE issue_id = ?1 AND depends_on_id != ?1
                   AND type NOT IN ('blocks', 'conditional-blocks')"
            }
        })?;
        stmt.query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?
    };
    let mut target_row = tx
        .conn()
        .prepare_cached("SELECT status, issue_type FROM issues WHERE id = ?1")?;
    for (target, kind, any) in edges {
        if !all && !out.is_empty() {
            break;
        }
        match kind.as_str() {
            k if BLOCKING.contains(&k) => {
                let Some((st, ty)) = target_row
                    .query_row([&target], |r| {
                        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                    })
                    .optional()?
                else {
                    continue;
                };
                if done(&st) {
                    continue;
                }
                let gate = if ty != "gate" {
                    None
                } else if all {
                    // The gate's kind is in its record.
                    Some(
                        tx.get(&target)?
                            .and_then(|t| t.await_type)
                            .unwrap_or_else(|| String::from("gate")),
                    )
                } else {
                    Some(String::from("gate"))
                };
                out.push(Blocker::Issue {
                    id: target,
                    status: st,
                    gate,
                });
            }
            "waits-for" => {
                let children = tx.children(&target)?;
                if children.is_empty() {
                    continue;
                }
                let mut open = Vec::new();
                for c in &children {
                    if let Some(s) = tx.status(c)?
                        && !done(&s)
                    {
                        open.push(c.clone());
                    }
                }
                let blocked = if any {
                    open.len() == children.len()
                } else {
                    !open.is_empty()
                };
                if blocked {
                    out.push(Blocker::Children {
                        spawner: target,
                        open,
                        any,
                    });
                }
            }
            "parent-child" if tx.is_blocked(&target)? && !ancestors(tx, &target)?.contains(id) => {
                out.push(Blocker::Parent { id: target });
            }
            _ => {}
        }
    }
    Ok(out)
}

/// Every ancestor of `id` through `parent-child` edges (not `id` itself, unless it is
/// its own ancestor: a cycle).
pub fn ancestors(tx: &Tx, id: &str) -> Result<HashSet<String>> {
    let mut seen = HashSet::new();
    let mut stack = tx.parents(id)?;
    while let Some(p) = stack.pop() {
        if seen.insert(p.clone()) {
            stack.extend(tx.parents(&p)?);
        }
    }
    Ok(seen)
}

/// The issues on a parent-child cycle through `id` (empty when there is none): its
/// ancestors, when it is one of them. Only an issue with children can be on a cycle.
pub fn cycle_through(tx: &Tx, id: &str) -> Result<Vec<String>> {
    if tx.children(id)?.is_empty() {
        return Ok(Vec::new());
    }
    let up = ancestors(tx, id)?;
    Ok(if up.contains(id) {
        up.into_iter().collect()
    } else {
        Vec::new()
    })
}

/// Run `write` (which changes the issues `ids`), then bring every flag it can affect up
/// to date (see [`Pending`] and [`after_write`]).
pub fn refresh_written(tx: &Tx, ids: &[String], write: impl FnOnce() -> Result<()>) -> Result<()> {
    let mut pending = Pending::default();
    for id in ids {
        pending.note(tx, id)?;
    }
    write()?;
    after_write(tx, ids, pending)
}

/// The issues whose flags a write can change that can only be found before it: the
/// waiters on the parents an issue had (a child leaving a spawner changes them), the
/// members of a parent-child cycle it was on (their edges count again once it is gone),
/// and, for an issue deleted outright, its children (its flag goes with it).
#[derive(Debug, Default)]
pub struct Pending(Vec<String>);

impl Pending {
    /// Note what a write of `id` affects, before the write.
    pub fn note(&mut self, tx: &Tx, id: &str) -> Result<()> {
        self.0.extend(parent_waiters(tx, &[id])?);
        self.0.extend(cycle_through(tx, id)?);
        Ok(())
    }

    /// Note what deleting `id` outright affects, before the delete.
    pub fn note_delete(&mut self, tx: &Tx, id: &str) -> Result<()> {
        self.note(tx, id)?;
        self.0.extend(tx.children(id)?);
        Ok(())
    }
}

/// After the issues `ids` were written (or deleted), refresh the flags of the issues
/// themselves, their blocking and waiting dependents, the waiters on their parents, the
/// members of a cycle they are on, what `pending` noted before the write, and (when a
/// flag flips) children, down the tree.
pub fn after_write(tx: &Tx, ids: &[String], pending: Pending) -> Result<()> {
    let mut queue: VecDeque<String> = pending.0.into();
    let mut dependents = tx.conn().prepare_cached(
        "SELECT issue_id FROM deps WHERE depends_on_id = ?1 AND type IN ('blocks', 'conditional-blocks', 'waits-for')",
    )?;
    for id in ids {
        queue.push_back(id.clone());
        for d in dependents.query_map([id], |r| r.get::<_, String>(0))? {
            queue.push_back(d?);
        }
        queue.extend(cycle_through(tx, id)?);
    }
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    queue.extend(parent_waiters(tx, &ids)?);
    // One look per issue is enough: nothing a flag depends on changes during the
    // refresh but other flags, and an issue whose parent's flag flips is queued again
    // then. (A pour of many steps ahead of one join would ask the join once per step.)
    let mut seen = HashSet::new();
    queue.retain(|id| seen.insert(id.clone()));
    propagate(tx, queue, FLIP_LIMIT)
}

/// The `waits-for` dependents of the parents of `ids` as they are stored now (each
/// parent asked once).
pub fn parent_waiters(tx: &Tx, ids: &[&str]) -> Result<Vec<String>> {
    let mut parents = std::collections::BTreeSet::new();
    for id in ids {
        parents.extend(tx.parents(id)?);
    }
    let mut out = Vec::new();
    for p in parents {
        out.extend(tx.dependents(&p, Some("waits-for"))?);
    }
    Ok(out)
}

/// How often one issue's flag may change in one refresh before it counts as a runaway.
/// Over an acyclic parent-child graph a flag changes at most once per ancestor level.
const FLIP_LIMIT: usize = 10_000;

/// Recompute `queue`'s flags; whenever a flag changes, its children follow. A flag that
/// keeps changing is an error naming the issue (the transaction is rolled back), never a
/// quiet stop that leaves stale flags.
fn propagate(tx: &Tx, mut queue: VecDeque<String>, limit: usize) -> Result<()> {
    let mut flips: HashMap<String, usize> = HashMap::new();
    let mut row = tx
        .conn()
        .prepare_cached("SELECT status, blocked FROM issues WHERE id = ?1")?;
    while let Some(id) = queue.pop_front() {
        let Some((status, stored)) = row
            .query_row([&id], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, bool>(1)?))
            })
            .optional()?
        else {
            continue;
        };
        let now = is_blocked_now(tx, &id, &status)?;
        if now != stored {
            let n = flips.entry(id.clone()).or_default();
            *n += 1;
            if *n > limit {
                return Err(Error::Invalid(format!(
                    "readiness did not settle: the blocked flag of `{id}` changed {limit} times in one write; nothing was written (report this with `gt why {id}`)"
                )));
            }
            tx.set_blocked(&id, now)?;
            queue.extend(tx.children(&id)?);
        }
    }
    Ok(())
}

const DONE_SQL: &str = "('closed', 'pinned', 'tombstone')";

/// Recompute every flag from scratch, in bulk: the issues blocked by their own edges
/// (rules 1 and 2, in SQL), then down the parent-child trees (rule 3), skipping the
/// edges [`blockers`] ignores. Only flags that differ are written. Equal to asking
/// [`blockers`] of every issue (a test holds them together). Issues are handled by
/// rowid, so memory stays a few integers per issue.
pub fn recompute_all(tx: &Tx) -> Result<()> {
    let graph = ParentGraph::load(tx)?;
    let cyclic = graph.cycle_edges();
    let mut blocked: HashSet<i64> = HashSet::new();
    let mut queue: VecDeque<i64> = VecDeque::new();
    for id in direct_blocked(tx)? {
        if blocked.insert(id) {
            queue.push_back(id);
        }
    }
    {
        let mut kids = tx.conn().prepare_cached(&format!(
            "SELECT c.rowid FROM deps d JOIN issues c ON c.id = d.issue_id
             WHERE d.depends_on_id = (SELECT id FROM issues WHERE rowid = ?1)
               AND d.type = 'parent-child' AND c.rowid != ?1 AND c.status NOT IN {DONE_SQL}"
        ))?;
        while let Some(p) = queue.pop_front() {
            let children: Vec<i64> = kids
                .query_map([p], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            for c in children {
                if cyclic.contains(&(c, p)) {
                    continue;
                }
                if blocked.insert(c) {
                    queue.push_back(c);
                }
            }
        }
    }
    // Write only what changed.
    let stored: Vec<i64> = {
        let mut stmt = tx
            .conn()
            .prepare("SELECT rowid FROM issues WHERE blocked = 1")?;
        stmt.query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?
    };
    let mut set = tx
        .conn()
        .prepare_cached("UPDATE issues SET blocked = ?2 WHERE rowid = ?1")?;
    for id in &stored {
        if !blocked.remove(id) {
            set.execute(rusqlite::params![id, false])?;
        }
    }
    for id in blocked {
        set.execute(rusqlite::params![id, true])?;
    }
    Ok(())
}

/// The rowids of the issues blocked by their own edges (rules 1 and 2), as SQL over the
/// edge index.
fn direct_blocked(tx: &Tx) -> Result<Vec<i64>> {
    let sql = format!(
        "SELECT s.rowid FROM deps d
           JOIN issues s ON s.id = d.issue_id
           JOIN issues t ON t.id = d.depends_on_id
         WHERE d.type IN ('blocks', 'conditional-blocks') AND d.issue_id != d.depends_on_id
           AND s.status NOT IN {DONE_SQL} AND t.status NOT IN {DONE_SQL}
         UNION
         SELECT s.rowid FROM deps w JOIN issues s ON s.id = w.issue_id
         WHERE w.type = 'waits-for' AND w.issue_id != w.depends_on_id
           AND s.status NOT IN {DONE_SQL}
           AND EXISTS (SELECT 1 FROM deps c WHERE c.depends_on_id = w.depends_on_id AND c.type = 'parent-child')
           AND CASE WHEN w.any_children
             THEN NOT EXISTS (SELECT 1 FROM deps c JOIN issues k ON k.id = c.issue_id
                              WHERE c.depends_on_id = w.depends_on_id AND c.type = 'parent-child'
                                AND k.status IN {DONE_SQL})
             ELSE EXISTS (SELECT 1 FROM deps c JOIN issues k ON k.id = c.issue_id
                          WHERE c.depends_on_id = w.depends_on_id AND c.type = 'parent-child'
                            AND k.status NOT IN {DONE_SQL})
           END"
    );
    let mut stmt = tx.conn().prepare(&sql)?;
    let ids = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(ids)
}

/// The issues of a parent-child cycle (each is an ancestor of the others), sorted. A
/// self edge is a cycle of one.
pub type Cycle = Vec<String>;

/// The parent-child edges between stored issues, by rowid, as compact adjacency lists
/// (child -> parents): a few integers per edge, not the records or their ids.
struct ParentGraph {
    /// Node index -> rowid, sorted.
    rowids: Vec<i64>,
    /// Node index -> range of `targets`.
    starts: Vec<u32>,
    targets: Vec<u32>,
}

impl ParentGraph {
    fn load(tx: &Tx) -> Result<ParentGraph> {
        let mut edges: Vec<(i64, i64)> = {
            let mut stmt = tx.conn().prepare(
                "SELECT c.rowid, p.rowid FROM deps d
                   JOIN issues c ON c.id = d.issue_id JOIN issues p ON p.id = d.depends_on_id
                 WHERE d.type = 'parent-child'",
            )?;
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?
        };
        edges.sort_unstable();
        let mut rowids: Vec<i64> = edges.iter().flat_map(|&(c, p)| [c, p]).collect();
        rowids.sort_unstable();
        rowids.dedup();
        let at = |r: i64, rowids: &[i64]| rowids.binary_search(&r).map_or(0, |i| i as u32);
        let mut starts = vec![0u32; rowids.len() + 1];
        let mut targets = Vec::with_capacity(edges.len());
        for &(c, p) in &edges {
            starts[at(c, &rowids) as usize + 1] += 1;
            targets.push(at(p, &rowids));
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        Ok(ParentGraph {
            rowids,
            starts,
            targets,
        })
    }

    fn parents(&self, node: u32) -> &[u32] {
        let (a, b) = (self.starts[node as usize], self.starts[node as usize + 1]);
        &self.targets[a as usize..b as usize]
    }

    /// The strongly connected groups that hold a cycle (a group of several, or one
    /// issue that is its own parent).
    fn cyclic_groups(&self) -> Vec<Vec<u32>> {
        strongly_connected(self.rowids.len(), |n| self.parents(n))
            .into_iter()
            .filter(|g| g.len() > 1 || self.parents(g[0]).contains(&g[0]))
            .collect()
    }

    /// The edges `(child, parent)` (rowids) that lie on a cycle.
    fn cycle_edges(&self) -> HashSet<(i64, i64)> {
        let mut out = HashSet::new();
        for group in self.cyclic_groups() {
            let members: HashSet<u32> = group.iter().copied().collect();
            for &c in &group {
                for &p in self.parents(c) {
                    if members.contains(&p) {
                        out.insert((self.rowids[c as usize], self.rowids[p as usize]));
                    }
                }
            }
        }
        out
    }
}

/// Every parent-child cycle in the ledger (its issues' ids, for reporting).
pub fn parent_cycles(tx: &Tx) -> Result<Vec<Cycle>> {
    let graph = ParentGraph::load(tx)?;
    let mut name = tx
        .conn()
        .prepare_cached("SELECT id FROM issues WHERE rowid = ?1")?;
    let mut cycles = Vec::new();
    for group in graph.cyclic_groups() {
        let mut cycle: Cycle = Vec::with_capacity(group.len());
        for n in group {
            cycle.push(name.query_row([graph.rowids[n as usize]], |r| r.get(0))?);
        }
        cycle.sort();
        cycles.push(cycle);
    }
    cycles.sort();
    Ok(cycles)
}

/// Tarjan's strongly connected components of the graph of `n` nodes with edges
/// `adj(node)`, iteratively (no recursion on input depth).
fn strongly_connected<'a>(n: usize, adj: impl Fn(u32) -> &'a [u32]) -> Vec<Vec<u32>> {
    const NONE: u32 = u32::MAX;
    let mut index = vec![NONE; n];
    let mut low = vec![0u32; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<u32> = Vec::new();
    let mut out = Vec::new();
    let mut next = 0u32;
    for root in 0..n as u32 {
        if index[root as usize] != NONE {
            continue;
        }
        // (node, position in its adjacency list)
        let mut work: Vec<(u32, usize)> = vec![(root, 0)];
        index[root as usize] = next;
        low[root as usize] = next;
        next += 1;
        stack.push(root);
        on_stack[root as usize] = true;
        while let Some(&mut (v, ref mut at)) = work.last_mut() {
            if let Some(&w) = adj(v).get(*at) {
                *at += 1;
                if index[w as usize] == NONE {
                    index[w as usize] = next;
                    low[w as usize] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w as usize] = true;
                    work.push((w, 0));
                } else if on_stack[w as usize] {
                    low[v as usize] = low[v as usize].min(index[w as usize]);
                }
                continue;
            }
            work.pop();
            if let Some(&(u, _)) = work.last() {
                low[u as usize] = low[u as usize].min(low[v as usize]);
            }
            if low[v as usize] == index[v as usize] {
                let mut group = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w as usize] = false;
                    group.push(w);
                    if w == v {
                        break;
                    }
                }
                out.push(group);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tarjan_finds_cycles_and_self_loops() {
        // 0 -> 1 -> 2 -> 0, 3 -> 3, 4 -> 0
        let adj: Vec<Vec<u32>> = vec![vec![1], vec![2], vec![0], vec![3], vec![0]];
        let mut groups: Vec<Vec<u32>> = strongly_connected(adj.len(), |n| &adj[n as usize])
            .into_iter()
            .map(|mut g| {
                g.sort();
                g
            })
            .collect();
        groups.sort();
        assert_eq!(groups, vec![vec![0, 1, 2], vec![3], vec![4]]);
    }

    #[test]
    fn a_runaway_is_an_error_naming_the_issue() {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let mut ledger =
            super::super::Ledger::init(tmp.path(), "t", "test").unwrap_or_else(|e| panic!("{e}"));
        let r = ledger.write(|tx| {
            let a = Issue {
                id: String::from("t-a"),
                title: String::from("a"),
                status: String::from("open"),
                dependencies: vec![super::super::Dependency::new("t-a", "t-b", "blocks")],
                ..Issue::default()
            };
            let b = Issue {
                id: String::from("t-b"),
                title: String::from("b"),
                status: String::from("open"),
                ..Issue::default()
            };
            tx.put_many(&[a, b])?;
            // Flip the stored flag behind its back; a refresh with no room to settle
            // must fail, not stop quietly.
            tx.set_blocked("t-a", false)?;
            propagate(tx, VecDeque::from([String::from("t-a")]), 0)
        });
        let err = r.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(
            err.contains("readiness did not settle") && err.contains("t-a"),
            "{err}"
        );
    }
}
