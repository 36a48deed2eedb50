//! Delete: an issue that is in git leaves a tombstone (`status: "tombstone"`,
//! `deleted_at`, `deleted_by`, `delete_reason`, `original_type`; spec §6), which flush
//! writes and sync carries to every clone, so the deletion travels and the issue does not
//! come back. A wisp made here is removed without a trace (it never reached git).

use crate::error::{Error, Result};
use crate::ledger::{Issue, Tx};

/// What a delete did.
#[derive(Debug, Default)]
pub struct Deleted {
    /// The tombstones left (issues that were in git).
    pub tombstones: Vec<Issue>,
    /// Issues removed without a trace (wisps made here).
    pub removed: Vec<String>,
    /// Other issues whose edges to the deleted ones were taken out.
    pub detached: Vec<Issue>,
}

/// Delete the issues `ids` (full ids). An issue with children is refused unless
/// `force` (a molecule goes whole with `gt burn`).
pub fn delete(tx: &Tx, ids: &[String], reason: Option<&str>, force: bool) -> Result<Deleted> {
    for id in ids {
        tx.require(id)?;
        if !force {
            let kids: Vec<String> = tx
                .children(id)?
                .into_iter()
                .filter(|c| !ids.contains(c))
                .collect();
            if !kids.is_empty() {
                return Err(Error::Refused(format!(
                    "`{id}` has {} child issue(s) ({}); delete them too, burn the molecule with `gt burn --force {id}`, or use --force",
                    kids.len(),
                    super::preview(&kids)
                )));
            }
        }
    }
    remove(tx, ids, reason)
}

/// Delete `ids` (tombstones for what is in git, nothing left of the rest) and take the
/// edges of other issues that point at them out of those records, so nothing keeps a
/// dangling edge.
pub fn remove(tx: &Tx, ids: &[String], reason: Option<&str>) -> Result<Deleted> {
    use std::collections::{BTreeMap, HashSet};
    let gone: HashSet<&str> = ids.iter().map(String::as_str).collect();
    let mut touched: BTreeMap<String, Issue> = BTreeMap::new();
    for id in ids {
        for d in tx.dependents(id, None)? {
            if gone.contains(d.as_str()) || touched.contains_key(&d) {
                continue;
            }
            if let Some(issue) = tx.get(&d)? {
                touched.insert(d, issue);
            }
        }
    }
    let stamp = crate::ledger::time::now();
    let mut out = Deleted::default();
    for (_, mut issue) in touched {
        issue
            .dependencies
            .retain(|d| !gone.contains(d.depends_on_id.as_str()));
        issue.updated_at = stamp.clone();
        out.detached.push(issue);
    }
    for id in ids {
        let Some(issue) = tx.get(id)? else { continue };
        if issue.is_tombstone() {
            continue;
        }
        if tx.in_git(id)? {
            out.tombstones
                .push(issue.into_tombstone(tx.actor, reason, &stamp));
        } else {
            out.removed.push(id.clone());
        }
    }
    tx.delete(&out.removed)?;
    let mut writes = out.tombstones.clone();
    writes.extend(out.detached.iter().cloned());
    tx.put_many(&writes)?;
    Ok(out)
}
