//! `gt burn WISP...`: delete wisps without a record (spec §5.7): each root and all its
//! descendants, in one transaction. A molecule with persistent members (its history is
//! in git) is refused unless `force`, pointing at `gt squash`, which keeps a digest.
//! Edges of other issues that pointed into a burned molecule are removed from them. A
//! burned issue that was in git (a forced burn of a persistent molecule, or a wisp read
//! from the ledger file) leaves a tombstone, so the deletion travels; a wisp made here
//! leaves nothing.

use crate::error::{Error, Result};
use crate::ledger::{Issue, Tx};
use std::collections::HashSet;

/// One burned molecule.
#[derive(Debug, serde::Serialize)]
pub struct Burned {
    pub molecule_id: String,
    pub deleted_ids: Vec<String>,
}

/// What a burn did.
#[derive(Debug, serde::Serialize)]
pub struct BurnReport {
    pub results: Vec<Burned>,
    pub total_deleted: usize,
    /// The burned issues that were in git: tombstones record them (sync carries them).
    pub tombstones: Vec<String>,
    /// Issues that lost edges into the burned molecules.
    pub detached_ids: Vec<String>,
    #[serde(skip)]
    pub detached: Vec<Issue>,
}

/// Burn the molecules rooted at `ids` (full ids).
pub fn burn(tx: &Tx, ids: &[String], force: bool) -> Result<BurnReport> {
    let mut all: Vec<String> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut results = Vec::new();
    for id in ids {
        if seen.contains(id) {
            continue;
        }
        let root = tx.require(id)?;
        let members = tx.subtree(id)?;
        if !force {
            let mut persistent: Vec<&String> = Vec::new();
            for m in &members {
                if tx.get(m)?.is_some_and(|i| !i.is_ephemeral()) {
                    persistent.push(m);
                }
            }
            if !root.is_ephemeral() {
                return Err(Error::Refused(format!(
                    "`{id}` is not a wisp: it is persistent and its history is in git; use `gt squash {id}` to condense it into a digest, or `gt burn --force {id}` to delete it without a record"
                )));
            }
            if let Some(first) = persistent.first() {
                return Err(Error::Refused(format!(
                    "wisp `{id}` holds {} persistent issue(s) (`{first}`...); use `gt squash {id}` to keep a digest, or `gt burn --force {id}` to delete them too",
                    persistent.len()
                )));
            }
        }
        let deleted: Vec<String> = members
            .into_iter()
            .filter(|m| seen.insert(m.clone()))
            .collect();
        all.extend(deleted.iter().cloned());
        results.push(Burned {
            molecule_id: id.clone(),
            deleted_ids: deleted,
        });
    }
    let done = crate::work::delete::remove(tx, &all, Some("burned"))?;
    Ok(BurnReport {
        total_deleted: all.len(),
        results,
        tombstones: done.tombstones.iter().map(|i| i.id.clone()).collect(),
        detached_ids: done.detached.iter().map(|i| i.id.clone()).collect(),
        detached: done.detached,
    })
}
