//! Hooks and pins: an agent's hook holds the one molecule (or issue) it works on.
//! Pinning sets the issue's status to `hooked` and its assignee to the agent.

use crate::error::{Error, Result};
use crate::ledger::ready::{ReadyQuery, ready};
use crate::ledger::store::Filter;
use crate::ledger::time::now;
use crate::ledger::{Issue, Tx};

/// What is on `agent`'s hook.
pub fn hooked(tx: &Tx, agent: &str) -> Result<Vec<Issue>> {
    tx.list(&Filter {
        statuses: vec![String::from("hooked")],
        assignee: Some(agent.to_owned()),
        ephemeral: true,
        ..Filter::default()
    })
}

/// An agent's hook: what is on it, and the ready steps of each.
#[derive(Debug, Default)]
pub struct Hook {
    pub on_hook: Vec<Issue>,
    pub ready_steps: Vec<Issue>,
}

/// Read `agent`'s hook.
pub fn hook(tx: &Tx, agent: &str) -> Result<Hook> {
    let on_hook = hooked(tx, agent)?;
    let mut ready_steps = Vec::new();
    for h in &on_hook {
        ready_steps.extend(ready(
            tx,
            &ReadyQuery {
                mol: Some(h.id.clone()),
                ..ReadyQuery::default()
            },
        )?);
    }
    Ok(Hook {
        on_hook,
        ready_steps,
    })
}

/// Pin `id` to `agent`'s hook. Refused when it is closed or on another agent's hook,
/// or when the agent's hook holds something else (unless `replace`: that goes back to
/// open).
pub fn pin(tx: &Tx, id: &str, agent: &str, replace: bool) -> Result<Issue> {
    let mut issue = tx.require(id)?;
    if issue.status == "closed" {
        return Err(Error::Refused(format!("`{id}` is closed; pin open work")));
    }
    if let Some(holder) = issue
        .assignee
        .as_deref()
        .filter(|h| !h.is_empty() && *h != agent)
        && issue.status == "hooked"
    {
        return Err(Error::Refused(format!(
            "`{id}` is on {holder}'s hook; `gt unpin {id}` first"
        )));
    }
    for mut other in hooked(tx, agent)? {
        if other.id == id {
            continue;
        }
        if !replace {
            return Err(Error::Refused(format!(
                "{agent}'s hook already holds `{}`; use --replace to swap it",
                other.id
            )));
        }
        other.status = String::from("open");
        other.assignee = None;
        other.updated_at = now();
        tx.put(&other)?;
    }
    issue.status = String::from("hooked");
    issue.assignee = Some(agent.to_owned());
    issue.updated_at = now();
    tx.put(&issue)?;
    Ok(issue)
}

/// Take `id` off its hook (status open, no assignee).
pub fn unpin(tx: &Tx, id: &str) -> Result<Issue> {
    let mut issue = tx.require(id)?;
    if issue.status != "hooked" {
        return Err(Error::Refused(format!(
            "`{id}` is not pinned to a hook (status {})",
            issue.status
        )));
    }
    issue.status = String::from("open");
    issue.assignee = None;
    issue.updated_at = now();
    tx.put(&issue)?;
    Ok(issue)
}
