//! The ready list: issues whose stored blocked flag is clear and that are ready by
//! [`super::blocked`]'s definition, most urgent first (priority, then newest, then id).

use super::Issue;
use super::blocked::{deferred, is_ready};
use super::record::NOT_WORK_TYPES;
use super::store::Tx;
use crate::error::{Error, Result};
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
    let scope: Option<HashSet<String>> = match &q.mol {
        Some(m) => Some(tx.subtree(m)?.into_iter().collect()),
        None => None,
    };
    let types: Vec<String> = NOT_WORK_TYPES.iter().map(|t| format!("'{t}'")).collect();
    let mut sql = format!(
        "SELECT id, record FROM issues WHERE status = 'open' AND blocked = 0 AND pinned = 0 \
         AND template = 0 AND issue_type NOT IN ({})",
        types.join(", ")
    );
    if !(q.include_ephemeral || q.mol.is_some()) {
        sql.push_str(" AND ephemeral = 0");
    }
    sql.push_str(" ORDER BY priority ASC, created_at DESC, id ASC");
    let mut stmt = tx.conn().prepare_cached(&sql)?;
    let mut rows = stmt.query([])?;
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
        let text: String = row.get(1)?;
        let issue: Issue = serde_json::from_str(&text)
            .map_err(|e| Error::Invalid(format!("ledger database: record `{id}`: {e}")))?;
        if let Some(a) = &q.assignee
            && issue.assignee.as_deref() != Some(a.as_str())
        {
            continue;
        }
        if issue.defer_until.as_deref().is_some_and(deferred) {
            continue;
        }
        debug_assert!(is_ready(tx, &issue).unwrap_or(true));
        out.push(issue);
    }
    Ok(out)
}
