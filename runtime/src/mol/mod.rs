//! Molecule operations over the ledger: pour and wisp (instantiate a cooked formula),
//! bond, squash, burn, distill.

pub mod bond;
pub mod burn;
pub mod distill;
pub mod pour;
pub mod proto;
pub mod squash;
pub mod tree;

use crate::error::Result;
use crate::ledger::time::now;
use crate::ledger::{Issue, Tx};
use std::collections::{BTreeMap, HashSet};

/// Delete `ids` and take the edges of other issues that point at them out of those
/// records (so nothing keeps a dangling edge). Returns the issues that lost edges.
pub(crate) fn remove(tx: &Tx, ids: &[String]) -> Result<Vec<Issue>> {
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
    let stamp = now();
    let mut changed = Vec::new();
    for (_, mut issue) in touched {
        issue
            .dependencies
            .retain(|d| !gone.contains(d.depends_on_id.as_str()));
        issue.updated_at = stamp.clone();
        changed.push(issue);
    }
    tx.delete(ids)?;
    tx.put_many(&changed)?;
    Ok(changed)
}
