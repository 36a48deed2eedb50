//! Claim and release: taking an issue (status `in_progress`, assignee, atomically inside
//! the ledger's write lock) and giving it back.

use super::holder;
use crate::error::{Error, Result};
use crate::ledger::ready::reasons;
use crate::ledger::time::now;
use crate::ledger::{Issue, Tx};

/// Claim `id` for `agent`: refused exactly when `gt ready` would not list it for
/// `agent` (the reasons are in the message), unless `force`. Even with `force`, an
/// issue another agent holds, a closed one, and a second claim by the same agent are
/// refused: exactly one claim succeeds.
pub fn claim(tx: &Tx, id: &str, agent: &str, force: bool) -> Result<Issue> {
    let mut issue = tx.require(id)?;
    if issue.status == "in_progress" && holder(&issue) == Some(agent) {
        return Err(Error::Refused(format!(
            "`{id}` is already claimed by {agent}; nothing changed"
        )));
    }
    if let Some(h) = holder(&issue).filter(|h| *h != agent) {
        return Err(Error::Refused(format!(
            "`{id}` is held by {h} (status {}); it was not claimed",
            issue.status
        )));
    }
    if issue.status == "closed" {
        return Err(Error::Refused(format!(
            "`{id}` is closed, not open; reopen it with `gt update {id} --status open` to claim it"
        )));
    }
    if !force {
        let why = reasons(tx, &issue, Some(agent))?;
        if !why.is_empty() {
            let list: Vec<String> = why.iter().map(ToString::to_string).collect();
            return Err(Error::Refused(format!(
                "`{id}` is not ready: {}; see `gt why {id}` (or claim with --force)",
                list.join("; ")
            )));
        }
    }
    let stamp = now();
    issue.status = String::from("in_progress");
    issue.assignee = Some(agent.to_owned());
    issue.started_at.get_or_insert_with(|| stamp.clone());
    issue.updated_at = stamp;
    tx.put(&issue)?;
    Ok(issue)
}

/// Give `id` back: status `open`, no assignee. Only its holder may, unless `force`.
pub fn release(tx: &Tx, id: &str, agent: &str, force: bool) -> Result<Issue> {
    let mut issue = tx.require(id)?;
    match holder(&issue) {
        None => {
            return Err(Error::Refused(format!(
                "`{id}` is not claimed (status {}); nothing to release",
                issue.status
            )));
        }
        Some(h) if h != agent && !force => {
            return Err(Error::Refused(format!(
                "`{id}` is held by {h}, not {agent}; release it with --force to take it from them"
            )));
        }
        Some(_) => {}
    }
    issue.status = String::from("open");
    issue.assignee = None;
    issue.updated_at = now();
    tx.put(&issue)?;
    Ok(issue)
}
