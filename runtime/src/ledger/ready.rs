//! The ready list: issues whose stored blocked flag is clear and that are ready by
//! [`super::blocked`]'s definition, most urgent first (priority, then newest, then id).

use super::Issue;
use super::blocked::{deferred, is_ready};
use super::record::NOT_WORK_TYPES;
use super::store::Tx;
use crate::error::Result;
use std::collections::HashSet;

/// What to list.
#[derive(Clone, Debug, Default)]
pub struct ReadyQuery {
    /// Only this molecule's issues (wisps included).
    pub mol: Option<String>,
    /// At most this many.
    pub limit: Option<usize>,
    /// Only issues assigned to this agent.
    pub assignee: Option<String>,
    /// Include ephemeral issues outside `mol` too.
    pub include_ephemeral: bool,
}

/// The ready issues.
pub fn ready(tx: &Tx, q: &ReadyQuery) -> Result<Vec<Issue>> {
    let mut out = Vec::new();
    for (id, text) in ready_records(tx, q)? {
        let issue = super::store::decode(&id, &text)?;
        debug_assert!(is_ready(tx, &issue).unwrap_or(true));
        out.push(issue);
    }
    Ok(out)
}

/// The ready issues as stored records (id, `--json` text), without decoding them.
pub fn ready_records(tx: &Tx, q: &ReadyQuery) -> Result<Vec<(String, String)>> {
    let scope: Option<HashSet<String>> = match &q.mol {
        Some(m) => Some(tx.subtree(m)?.into_iter().collect()),
        None => None,
    };
    let types: Vec<String> = NOT_WORK_TYPES.iter().map(|t| format!("'{t}'")).collect();
    let mut sql = format!(
        "SELECT id, record, defer_until FROM issues WHERE status = 'open' AND blocked = 0 \
         AND pinned = 0 AND template = 0 AND issue_type NOT IN ({})",
        types.join(", ")
    );
    if !(q.include_ephemeral || q.mol.is_some()) {
        sql.push_str(" AND ephemeral = 0");
    }
    if q.assignee.is_some() {
        sql.push_str(" AND assignee = ?1");
    }
    sql.push_str(" ORDER BY priority ASC, created_at DESC, id ASC");
    let mut stmt = tx.conn().prepare_cached(&sql)?;
    let mut rows = match &q.assignee {
        Some(a) => stmt.query([a])?,
        None => stmt.query([])?,
    };
    // A deferred issue hides its subtree: check ancestors only when something is deferred.
    let any_deferred = tx.any_deferred()?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        if q.limit.is_some_and(|n| out.len() >= n) {
            break;
        }
        let id: String = row.get(0)?;
        if let Some(s) = &scope
            && !s.contains(&id)
        {
            continue;
        }
        let until: Option<String> = row.get(2)?;
        if until.as_deref().is_some_and(deferred) {
            continue;
        }
        if any_deferred && super::blocked::deferred_ancestor(tx, &id)?.is_some() {
            continue;
        }
        out.push((id, row.get(1)?));
    }
    Ok(out)
}
