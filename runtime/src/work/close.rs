//! Close: refused while anything blocks the issue or children are open (unless
//! `force`), then every molecule root the close completes is closed too.

use super::preview;
use crate::error::{Error, Result};
use crate::ledger::blocked::{blockers, done};
use crate::ledger::time::now;
use crate::ledger::{Issue, Tx};

/// The close reason of a molecule root closed because its last step closed.
pub const AUTO_CLOSE: &str = "all steps complete";

/// Close `id`, then the molecule roots it completes (innermost first). Returns what
/// was closed. Refused, unless `force`, while it has open children or anything blocks
/// it: an open `blocks` / `conditional-blocks` target, a `waits-for` spawner with open
/// children, a blocked parent (the same blockers that keep it out of `gt ready`).
pub fn close(tx: &Tx, id: &str, reason: Option<&str>, force: bool) -> Result<Vec<Issue>> {
    let mut issue = tx.require(id)?;
    if issue.status == "closed" {
        return Err(Error::Refused(format!("`{id}` is already closed")));
    }
    if !force {
        let mut open_children = Vec::new();
        for c in tx.children(id)? {
            if tx.status(&c)?.is_some_and(|s| !done(&s)) {
                open_children.push(c);
            }
        }
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
    issue.updated_at = stamp.clone();
    tx.put(&issue)?;
    let mut closed = vec![issue.clone()];
    for mut root in completed_roots(tx, &issue)? {
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
    let mut out = Vec::new();
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
            let mut complete = true;
            for d in tx.subtree(&parent.id)?.iter().skip(1) {
                if out.iter().any(|o: &Issue| o.id == *d) {
                    continue;
                }
                if tx.status(d)?.is_some_and(|s| !done(&s)) {
                    complete = false;
                    break;
                }
            }
            if !complete {
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
