//! Readiness: the one definition, used by `gt ready`, `gt why`, `gt claim`, `gt close`
//! and every role.
//!
//! An issue is **ready** when its status is `open`, it is not pinned, not deferred into
//! the future, not an infrastructure type (molecule roots, gates, messages ...), and
//! [`blockers`] finds nothing in its way (it finds nothing for a done issue: closed,
//! pinned, tombstone):
//! 1. a `blocks` / `conditional-blocks` edge to an issue that is not `closed`/`pinned`;
//! 2. a `waits-for` edge to a spawner with children still open (all of them must close,
//!    or any one for `{"gate":"any-children"}`); a spawner without children does not block;
//! 3. a parent (its `parent-child` target) that is itself blocked: blockage flows down.
//!
//! The result of rules 1-3 is kept per issue as the `blocked` column, refreshed in the
//! same transaction as every write that can change it, so `gt ready` is one indexed query.

use super::record::{DONE_STATUSES, Issue, NOT_WORK_TYPES};
use super::store::Tx;
use crate::error::Result;
use std::collections::{HashSet, VecDeque};

/// Edge kinds that block until their target is done.
pub const BLOCKING: &[&str] = &["blocks", "conditional-blocks"];

/// One thing in an issue's way.
#[derive(Clone, Debug, PartialEq, Eq)]
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

fn done(status: &str) -> bool {
    DONE_STATUSES.contains(&status)
}

/// What stands in `issue`'s way through its edges (rules 1-3 above).
pub fn blockers(tx: &Tx, issue: &Issue) -> Result<Vec<Blocker>> {
    let mut out = Vec::new();
    // Only an issue that is neither closed nor pinned is blocked (spec §5.9), so a
    // frozen or (force-)closed parent does not hold its children back.
    if done(&issue.status) {
        return Ok(out);
    }
    for d in &issue.dependencies {
        match d.kind.as_str() {
            k if BLOCKING.contains(&k) => {
                // The status column first: most blockers are done, and decoding the
                // whole record is only needed to describe an open one.
                if tx.status(&d.depends_on_id)?.is_none_or(|s| done(&s)) {
                    continue;
                }
                if let Some(target) = tx.get(&d.depends_on_id)? {
                    out.push(Blocker::Issue {
                        gate: (target.issue_type == "gate").then(|| {
                            target
                                .await_type
                                .clone()
                                .unwrap_or_else(|| String::from("gate"))
                        }),
                        id: target.id,
                        status: target.status,
                    });
                }
            }
            "waits-for" => {
                let children = tx.children(&d.depends_on_id)?;
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
                let any = d.any_children();
                let blocked = if any {
                    open.len() == children.len()
                } else {
                    !open.is_empty()
                };
                if blocked {
                    out.push(Blocker::Children {
                        spawner: d.depends_on_id.clone(),
                        open,
                        any,
                    });
                }
            }
            "parent-child" if tx.is_blocked(&d.depends_on_id)? => {
                out.push(Blocker::Parent {
                    id: d.depends_on_id.clone(),
                });
            }
            _ => {}
        }
    }
    Ok(out)
}

/// Why `issue` is not ready, beyond its edges: status, pin, deferral, type.
pub fn own_reasons(issue: &Issue) -> Vec<String> {
    let mut out = Vec::new();
    if issue.status != "open" {
        match (&issue.status[..], issue.assignee.as_deref()) {
            ("in_progress" | "hooked", Some(a)) if !a.is_empty() => {
                out.push(format!("claimed by {a} (status {})", issue.status))
            }
            (s, _) => out.push(format!("status is {s}, not open")),
        }
    }
    if issue.is_pinned() {
        out.push(String::from("pinned (frozen)"));
    }
    if let Some(until) = &issue.defer_until
        && deferred(until)
    {
        out.push(format!("deferred until {until}"));
    }
    if NOT_WORK_TYPES.contains(&issue.issue_type.as_str()) {
        out.push(format!(
            "a {} is not work itself (it is never listed as ready)",
            issue.issue_type
        ));
    }
    out
}

/// Whether a `defer_until` value is in the future.
pub fn deferred(until: &str) -> bool {
    match (
        super::time::nanos(until),
        super::time::nanos(&super::time::now()),
    ) {
        (Some(u), Some(now)) => u > now,
        _ => false,
    }
}

/// The nearest ancestor of `id` (through `parent-child`, at most 50 levels) deferred into
/// the future, with its `defer_until`: a deferred parent hides its whole subtree.
pub fn deferred_ancestor(tx: &Tx, id: &str) -> Result<Option<(String, String)>> {
    let mut at = id.to_owned();
    let mut seen = HashSet::new();
    for _ in 0..50 {
        let parents = tx.parents(&at)?;
        let Some(parent) = parents.into_iter().next() else {
            return Ok(None);
        };
        if !seen.insert(parent.clone()) {
            return Ok(None);
        }
        if let Some(until) = tx.defer_until(&parent)?
            && deferred(&until)
        {
            return Ok(Some((parent, until)));
        }
        at = parent;
    }
    Ok(None)
}

/// Whether `issue` is ready.
pub fn is_ready(tx: &Tx, issue: &Issue) -> Result<bool> {
    Ok(own_reasons(issue).is_empty()
        && blockers(tx, issue)?.is_empty()
        && deferred_ancestor(tx, &issue.id)?.is_none())
}

/// Recompute the flags of `ids` and of every issue their change can affect: their
/// blocking dependents, the waiters on their parents, and (when a flag flips) children.
pub fn refresh_many(tx: &Tx, ids: &[String]) -> Result<()> {
    let mut queue: VecDeque<String> = VecDeque::new();
    for id in ids {
        queue.push_back(id.clone());
        for k in BLOCKING {
            queue.extend(tx.dependents(id, Some(k))?);
        }
        queue.extend(tx.dependents(id, Some("waits-for"))?);
        queue.extend(parent_waiters(tx, id)?);
    }
    propagate(tx, queue)
}

/// The `waits-for` dependents of `id`'s parents as they are stored now. A write that
/// replaces or deletes `id` collects them first: when `id` leaves a spawner (its edge
/// removed, the issue deleted), that spawner's waiters must be refreshed too, and
/// afterwards the edge is no longer there to find them.
pub fn parent_waiters(tx: &Tx, id: &str) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut stmt = tx.conn().prepare_cached(
        "SELECT depends_on_id FROM deps WHERE issue_id = ?1 AND type = 'parent-child'",
    )?;
    let parents: Vec<String> = stmt
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for p in parents {
        out.extend(tx.dependents(&p, Some("waits-for"))?);
    }
    Ok(out)
}

/// Recompute `queue`'s flags; whenever a flag changes, its children follow.
fn propagate(tx: &Tx, mut queue: VecDeque<String>) -> Result<()> {
    let mut budget = 1_000_000usize;
    while let Some(id) = queue.pop_front() {
        budget = budget.saturating_sub(1);
        if budget == 0 {
            break;
        }
        let Some(issue) = tx.get(&id)? else { continue };
        let now = !blockers(tx, &issue)?.is_empty();
        if now != tx.is_blocked(&id)? {
            tx.set_blocked(&id, now)?;
            queue.extend(tx.children(&id)?);
        }
    }
    Ok(())
}

/// Recompute every flag: direct blockage first, then down the parent-child trees.
pub fn refresh_all(tx: &Tx) -> Result<()> {
    tx.conn().execute("UPDATE issues SET blocked = 0", [])?;
    let ids: Vec<String> = {
        let mut stmt = tx.conn().prepare(
            "SELECT DISTINCT issue_id FROM deps WHERE type IN ('blocks', 'conditional-blocks', 'waits-for')",
        )?;
        stmt.query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?
    };
    let mut seen = HashSet::new();
    let queue: VecDeque<String> = ids.into_iter().filter(|i| seen.insert(i.clone())).collect();
    propagate(tx, queue)
}
