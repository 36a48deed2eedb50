//! Readiness: **the one definition**, used by `gt ready`, `gt why`, `gt claim`, `gt close`
//! and every role.
//!
//! An issue is **ready** (for an agent) when [`reasons`] finds nothing:
//! - its status is `open` (not claimed, closed, deleted ...);
//! - it is not pinned, not a template, and not an infrastructure type (molecule roots,
//!   gates, messages, agents ...: never work themselves);
//! - neither it nor an ancestor (through `parent-child`) is deferred into the future;
//! - it is not assigned to another agent (when an agent asks);
//! - nothing blocks it ([`super::blocked`]: open blockers, waits-for spawners, a blocked
//!   parent).
//!
//! The ready list walks a partial index of the issues whose stored flags already say
//! "open, unblocked, not pinned, not a template, work" in priority order
//! (`priority`, newest first, then id), and checks the rest per row, so `--limit N` reads
//! about N rows. [`reasons`] and the list agree by construction and by test.

use super::Issue;
use super::blocked::{Blocker, blockers};
use super::record::NOT_WORK_TYPES;
use super::store::Tx;
use crate::error::Result;
use std::collections::HashSet;

/// The stored-flag part of readiness, as SQL; the partial index `issues_ready` is
/// defined with exactly this condition, so the ready query walks it.
pub const READY_WHERE: &str = "status = 'open' AND blocked = 0 AND pinned = 0 AND template = 0 \
     AND issue_type NOT IN ('merge-request', 'gate', 'molecule', 'message', 'agent', 'role', 'rig')";

/// The walk of the ready index, most urgent first: priority, newest, id. The index
/// covers every column read, so the table itself is not visited.
fn ready_sql() -> String {
    format!(
        "SELECT id, record, defer_until, ephemeral, assignee FROM issues INDEXED BY issues_ready \
         WHERE {READY_WHERE} ORDER BY priority ASC, created_at DESC, id ASC"
    )
}

/// Why an issue is not ready.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Reason {
    /// Held by an agent (status in_progress or hooked, with an assignee).
    Claimed {
        by: String,
        status: String,
    },
    /// Any other status but open.
    Status {
        status: String,
    },
    Pinned,
    Template,
    /// An infrastructure issue (molecule root, gate, message ...).
    NotWork {
        issue_type: String,
    },
    Deferred {
        until: String,
    },
    DeferredAncestor {
        id: String,
        until: String,
    },
    /// Assigned to another agent than the one asking.
    AssignedTo {
        agent: String,
    },
    /// Something in its way (its edges).
    Blocked {
        blocker: Blocker,
    },
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reason::Claimed { by, status } => write!(f, "claimed by {by} (status {status})"),
            Reason::Status { status } => write!(f, "status is {status}, not open"),
            Reason::Pinned => f.write_str("pinned (frozen)"),
            Reason::Template => f.write_str("a template (a proto to pour, not work itself)"),
            Reason::NotWork { issue_type } => write!(
                f,
                "a {issue_type} is not work itself (it is never listed as ready)"
            ),
            Reason::Deferred { until } => write!(f, "deferred until {until}"),
            Reason::DeferredAncestor { id, until } => {
                write!(f, "its ancestor {id} is deferred until {until}")
            }
            Reason::AssignedTo { agent } => write!(f, "assigned to {agent}"),
            Reason::Blocked { blocker } => write!(f, "{blocker}"),
        }
    }
}

/// Everything that keeps `issue` from being ready for `agent` (`None`: for anyone who
/// asks without a name; then an assignee does not count). Empty: it is ready.
pub fn reasons(tx: &Tx, issue: &Issue, agent: Option<&str>) -> Result<Vec<Reason>> {
    let mut out = own_reasons(issue, agent);
    if let Some((id, until)) = deferred_ancestor(tx, &issue.id)? {
        out.push(Reason::DeferredAncestor { id, until });
    }
    for blocker in blockers(tx, issue)? {
        out.push(Reason::Blocked { blocker });
    }
    Ok(out)
}

/// Whether `issue` is ready for `agent`.
pub fn is_ready(tx: &Tx, issue: &Issue, agent: Option<&str>) -> Result<bool> {
    Ok(reasons(tx, issue, agent)?.is_empty())
}

/// The reasons that need nothing but the issue itself.
fn own_reasons(issue: &Issue, agent: Option<&str>) -> Vec<Reason> {
    let mut out = Vec::new();
    let holder = issue.assignee.as_deref().filter(|a| !a.is_empty());
    if issue.status != "open" {
        match (issue.status.as_str(), holder) {
            ("in_progress" | "hooked", Some(a)) => out.push(Reason::Claimed {
                by: a.to_owned(),
                status: issue.status.clone(),
            }),
            (s, _) => out.push(Reason::Status {
                status: s.to_owned(),
            }),
        }
    } else if let (Some(h), Some(a)) = (holder, agent)
        && h != a
    {
        out.push(Reason::AssignedTo {
            agent: h.to_owned(),
        });
    }
    if issue.is_pinned() {
        out.push(Reason::Pinned);
    }
    if issue.is_template() {
        out.push(Reason::Template);
    }
    if let Some(until) = &issue.defer_until
        && deferred(until)
    {
        out.push(Reason::Deferred {
            until: until.clone(),
        });
    }
    if NOT_WORK_TYPES.contains(&issue.issue_type.as_str()) {
        out.push(Reason::NotWork {
            issue_type: issue.issue_type.clone(),
        });
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

/// The nearest ancestor of `id` (through `parent-child`) deferred into the future, with
/// its `defer_until`: a deferred parent hides its whole subtree.
pub fn deferred_ancestor(tx: &Tx, id: &str) -> Result<Option<(String, String)>> {
    let mut seen = HashSet::new();
    let mut level = tx.parents(id)?;
    while !level.is_empty() {
        let mut next = Vec::new();
        for parent in level {
            if !seen.insert(parent.clone()) {
                continue;
            }
            if let Some(until) = tx.defer_until(&parent)?
                && deferred(&until)
            {
                return Ok(Some((parent, until)));
            }
            next.extend(tx.parents(&parent)?);
        }
        level = next;
    }
    Ok(None)
}

/// What to list.
#[derive(Clone, Debug, Default)]
pub struct ReadyQuery {
    /// Only this molecule's issues (wisps included).
    pub mol: Option<String>,
    /// At most this many.
    pub limit: Option<usize>,
    /// Only issues assigned to this agent.
    pub assignee: Option<String>,
    /// Only issues this agent may claim (unassigned, or assigned to it).
    pub claimable_by: Option<String>,
    /// Include ephemeral issues outside `mol` too.
    pub include_ephemeral: bool,
    /// Only issues without children: what an agent works. A step with children is
    /// finished by its children (`flow::complete`), never worked itself.
    pub leaves_only: bool,
}

/// The ready issues.
pub fn ready(tx: &Tx, q: &ReadyQuery) -> Result<Vec<Issue>> {
    let mut out = Vec::new();
    for_each_ready(tx, q, |id, text| {
        out.push(super::store::decode(id, text)?);
        Ok(())
    })?;
    Ok(out)
}

/// The ready issues as stored records (id, `--json` text), without decoding them.
pub fn ready_records(tx: &Tx, q: &ReadyQuery) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for_each_ready(tx, q, |id, text| {
        out.push((id.to_owned(), text.to_owned()));
        Ok(())
    })?;
    Ok(out)
}

/// Call `f` with each ready issue (id, stored `--json` record), most urgent first: a
/// walk of the ready index that stops after `limit` issues.
pub fn for_each_ready(
    tx: &Tx,
    q: &ReadyQuery,
    mut f: impl FnMut(&str, &str) -> Result<()>,
) -> Result<()> {
    // A molecule's members: for a short list (a polecat asking for its next step),
    // each candidate's ancestry is checked; for a long one, the subtree is read once.
    let mut scope = match &q.mol {
        None => Scope::All,
        Some(m) if q.limit.is_some_and(|l| l <= 16) => Scope::Below(m.clone()),
        Some(m) => Scope::Members(tx.subtree(m)?.into_iter().collect()),
    };
    let mut stmt = tx.conn().prepare_cached(&ready_sql())?;
    let mut rows = stmt.query([])?;
    let wisps = q.include_ephemeral || q.mol.is_some();
    // A deferred issue hides its subtree: check ancestors only when something is deferred.
    let any_deferred = tx.any_deferred()?;
    let mut n = 0usize;
    while let Some(row) = rows.next()? {
        if q.limit.is_some_and(|limit| n >= limit) {
            break;
        }
        let id: String = row.get(0)?;
        if !wisps && row.get::<_, bool>(3)? {
            continue;
        }
        if !scope.contains(tx, &id)? {
            continue;
        }
        let assignee: Option<String> = row.get(4)?;
        if let Some(a) = &q.assignee
            && assignee.as_deref() != Some(a.as_str())
        {
            continue;
        }
        if let Some(a) = &q.claimable_by
            && assignee.as_deref().is_some_and(|h| h != a)
        {
            continue;
        }
        let until: Option<String> = row.get(2)?;
        if until.as_deref().is_some_and(deferred) {
            continue;
        }
        if any_deferred && deferred_ancestor(tx, &id)?.is_some() {
            continue;
        }
        if q.leaves_only && !tx.children(&id)?.is_empty() {
            continue;
        }
        let record: String = row.get(1)?;
        f(&id, &record)?;
        n += 1;
    }
    Ok(())
}

/// Which issues a ready list covers.
enum Scope {
    All,
    /// The members of a molecule, read at once.
    Members(HashSet<String>),
    /// The descendants of this root (and itself), asked per candidate.
    Below(String),
}

impl Scope {
    fn contains(&mut self, tx: &Tx, id: &str) -> Result<bool> {
        match self {
            Scope::All => Ok(true),
            Scope::Members(m) => Ok(m.contains(id)),
            Scope::Below(root) => {
                if id == root.as_str() {
                    return Ok(true);
                }
                let mut seen = HashSet::new();
                let mut level = tx.parents(id)?;
                while !level.is_empty() {
                    let mut next = Vec::new();
                    for p in level {
                        if p == *root {
                            return Ok(true);
                        }
                        if seen.insert(p.clone()) {
                            next.extend(tx.parents(&p)?);
                        }
                    }
                    level = next;
                }
                Ok(false)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `gt ready --limit N` walks the ready index in order: no scan of the table, no
    /// sort of the ready set.
    #[test]
    fn the_ready_query_walks_the_partial_index_without_sorting() {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let mut ledger =
            super::super::Ledger::init(tmp.path(), "t", "test").unwrap_or_else(|e| panic!("{e}"));
        let plan = ledger
            .read(|tx| {
                let mut stmt = tx
                    .conn()
                    .prepare(&format!("EXPLAIN QUERY PLAN {}", ready_sql()))?;
                let rows = stmt.query_map([], |r| r.get::<_, String>(3))?;
                Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?.join("\n"))
            })
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(plan.contains("issues_ready"), "{plan}");
        assert!(
            !plan.contains("TEMP B-TREE"),
            "the ready set is sorted: {plan}"
        );
    }
}
