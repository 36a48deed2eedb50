//! Why: everything that keeps an issue from being ready, and, for a blocked parent,
//! what blocks it, up the chain.

use crate::error::Result;
use crate::ledger::blocked::{Blocker, blockers};
use crate::ledger::ready::{Reason, reasons};
use crate::ledger::{Issue, Tx};

/// The answer for one issue.
#[derive(Debug, serde::Serialize)]
pub struct Why {
    pub ready: bool,
    /// Its own reasons, then (for a blocked parent) the parent's blockers, up the chain.
    pub reasons: Vec<Reason>,
}

/// Why `issue` is (not) ready for `agent` (`None`: anyone).
pub fn why(tx: &Tx, issue: &Issue, agent: Option<&str>) -> Result<Why> {
    let mut out = reasons(tx, issue, agent)?;
    let mut parents: Vec<String> = out
        .iter()
        .filter_map(|r| match r {
            Reason::Blocked {
                blocker: Blocker::Parent { id },
            } => Some(id.clone()),
            _ => None,
        })
        .collect();
    let mut seen = std::collections::HashSet::new();
    while let Some(p) = parents.pop() {
        if !seen.insert(p.clone()) {
            continue;
        }
        let Some(parent) = tx.get(&p)? else { continue };
        for blocker in blockers(tx, &parent)? {
            if let Blocker::Parent { id } = &blocker {
                parents.push(id.clone());
            }
            out.push(Reason::Blocked { blocker });
        }
    }
    Ok(Why {
        ready: out.is_empty(),
        reasons: out,
    })
}
