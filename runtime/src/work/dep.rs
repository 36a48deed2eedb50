//! Dependency edges: adding one after the ledger's checks, removing one.

use crate::error::{Error, Result};
use crate::ledger::time::now;
use crate::ledger::{Dependency, Issue, Tx};

/// Add an edge of `kind` from `issue` to `target` (in the record; the caller stores
/// it), after the ledger's checks: no self edge, no second edge to the same target, no
/// missing or deleted target, no cycle of blocking or parent-child edges.
pub fn add_edge(tx: &Tx, issue: &mut Issue, target: &str, kind: &str) -> Result<()> {
    if kind.is_empty() || kind.len() > 50 {
        return Err(Error::Invalid(format!(
            "invalid edge type `{kind}`: 1-50 characters"
        )));
    }
    let mut dep = Dependency::new(&issue.id, target, kind);
    tx.check_new_edge(issue, &dep)?;
    dep.created_at = Some(now());
    dep.created_by = Some(tx.actor.to_owned());
    if kind == "waits-for" {
        dep.metadata = Some(String::from("{\"gate\":\"all-children\"}"));
    }
    issue.dependencies.push(dep);
    Ok(())
}

/// Add an edge from `id` to `target` and store it.
pub fn add(tx: &Tx, id: &str, target: &str, kind: &str) -> Result<Issue> {
    let mut issue = tx.require(id)?;
    add_edge(tx, &mut issue, target, kind)?;
    issue.updated_at = now();
    tx.put(&issue)?;
    Ok(issue)
}

/// Remove the edges from `id` to `target` and store it.
pub fn remove(tx: &Tx, id: &str, target: &str) -> Result<Issue> {
    let mut issue = tx.require(id)?;
    let before = issue.dependencies.len();
    issue.dependencies.retain(|d| d.depends_on_id != target);
    if issue.dependencies.len() == before {
        return Err(Error::Refused(format!("`{id}` has no edge to `{target}`")));
    }
    issue.updated_at = now();
    tx.put(&issue)?;
    Ok(issue)
}
