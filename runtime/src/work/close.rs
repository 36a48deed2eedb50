//! Close: refused while anything blocks the issue or children are open (unless
//! `force`), then every molecule root the close completes is closed too.

use super::preview;
use crate::error::{Error, Result};
use crate::ledger::blocked::blockers;
use crate::ledger::time::now;
use crate::ledger::{Issue, Tx};

/// The close reason of a molecule root closed because its last step closed.
pub const AUTO_CLOSE: &str = "all steps complete";

/// Close `id`, then the molecule roots it completes (innermost first). Returns what
/// was closed. Refused, unless `force`, while it has open children or anything blocks
/// it: an open `blocks` / `conditional-blocks` target, a `waits-for` spawner with open
/// children, a blocked parent (the same blockers that keep it out of `gt ready`).
pub fn close(tx: &Tx, id: &str, reason: Option<&str>, force: bool) -> Result<Vec<Issue>> {
    let issue = close_issue(tx, id, reason, force)?;
    let mut closed = vec![issue.clone()];
    closed.extend(complete_roots(tx, &issue)?);
    Ok(closed)
}

/// Close `id` alone (refused as [`close`] says), without completing its molecule: for
/// callers that add work below the molecule in the same transaction before
/// [`complete_roots`] decides whether it is finished.
pub fn close_issue(tx: &Tx, id: &str, reason: Option<&str>, force: bool) -> Result<Issue> {
    let mut issue = tx.require(id)?;
    if issue.status == "closed" {
        return Err(Error::Refused(format!("`{id}` is already closed")));
    }
    if !force {
        let open_children = tx.open_children(id, usize::MAX)?;
        if !open_children.is_empty() {
            return Err(Error::Refused(format!(
                "cannot close `{id}`: {} open child issue(s) ({}); close them first or use --force",
                open_children.len(),
                preview(&open_children)
            )));
        }
        let open: Vec<String> = blockers(tx, &issue)?
            .iter()
            .map(ToString::to_string)
            .collect();
        if !open.is_empty() {
            return Err(Error::Refused(format!(
                "cannot close `{id}`: {}; close them first or use --force",
                open.join("; ")
            )));
        }
    }
    let stamp = now();
    issue.status = String::from("closed");
    issue.closed_at = Some(stamp.clone());
    issue.close_reason = reason.map(str::to_owned);
    issue.updated_at = stamp;
    tx.put(&issue)?;
    Ok(issue)
}

/// Close the molecule roots above the closed `issue` that are now complete (innermost
/// first); what was closed.
pub fn complete_roots(tx: &Tx, issue: &Issue) -> Result<Vec<Issue>> {
    let stamp = now();
    let mut closed = Vec::new();
    for mut root in completed_roots(tx, issue)? {
        root.status = String::from("closed");
        root.closed_at = Some(stamp.clone());
        root.close_reason = Some(String::from(AUTO_CLOSE));
        root.updated_at = stamp.clone();
        tx.put(&root)?;
        closed.push(root);
    }
    Ok(closed)
}

/// The molecule roots above `issue` that closing it completed, innermost first: each
/// ancestor that is a molecule (type molecule, or a wisp, or a template epic), not
/// closed, with every descendant closed. A molecule bonded into another one completes
/// first, then (if that was all) the one it was bonded into. The walk stops at the
/// first ancestor that is not complete.
fn completed_roots(tx: &Tx, issue: &Issue) -> Result<Vec<Issue>> {
    let mut out: Vec<Issue> = Vec::new();
    let mut at = issue.clone();
    for _ in 0..50 {
        let Some(p) = at.parent() else { break };
        let Some(parent) = tx.get(p)? else { break };
        if parent.is_tombstone() {
            break;
        }
        let is_mol = parent.issue_type == "molecule"
            || parent.is_ephemeral()
            || (parent.issue_type == "epic" && parent.labels.iter().any(|l| l == "template"));
        if parent.status != "closed" {
            let counted: Vec<&str> = out.iter().map(|o| o.id.as_str()).collect();
            if has_open_descendant(tx, &parent.id, &counted)? {
                break;
            }
            if is_mol {
                out.push(parent.clone());
            }
        }
        at = parent;
    }
    Ok(out)
}

/// Whether any descendant of `id` (through `parent-child`) is not done, the issues in
/// `closing` counted as done. Each level asks for its first open children only (an
/// index walk that stops there), so a molecule with open steps answers at once whatever
/// its size; only children that have children of their own are descended into.
fn has_open_descendant(tx: &Tx, id: &str, closing: &[&str]) -> Result<bool> {
    let mut parents = tx.conn().prepare_cached(
        "SELECT d.issue_id FROM deps d
         WHERE d.depends_on_id = ?1 AND d.type = 'parent-child' AND d.issue_id != ?1
           AND EXISTS (SELECT 1 FROM deps c WHERE c.depends_on_id = d.issue_id AND c.type = 'parent-child')",
    )?;
    let mut stack = vec![id.to_owned()];
    let mut seen = std::collections::HashSet::new();
    while let Some(at) = stack.pop() {
        if !seen.insert(at.clone()) {
            continue;
        }
        let open = tx.open_children(&at, closing.len() + 1)?;
        if open.iter().any(|c| !closing.contains(&c.as_str())) {
            return Ok(true);
        }
        for c in parents.query_map([&at], |r| r.get::<_, String>(0))? {
            stack.push(c?);
        }
    }
    Ok(false)
}
