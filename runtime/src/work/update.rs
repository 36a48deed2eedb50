//! Update: change fields of an issue. What an agent holds (claimed or hooked) stays
//! theirs: another actor cannot change its assignee or put it in progress, unless
//! `force`.

use super::holder;
use crate::error::{Error, Result};
use crate::ledger::record::{STATUSES, TOMBSTONE};
use crate::ledger::time::now;
use crate::ledger::{Issue, Tx};

/// The fields to change (`None`: leave as it is).
#[derive(Clone, Debug, Default)]
pub struct Change {
    pub title: Option<String>,
    pub description: Option<String>,
    pub notes: Option<String>,
    pub status: Option<String>,
    pub priority: Option<i64>,
    /// `Some("")` clears the assignee.
    pub assignee: Option<String>,
    pub add_labels: Vec<String>,
    pub remove_labels: Vec<String>,
}

/// Apply `change` to `id` as the transaction's actor.
pub fn update(tx: &Tx, id: &str, change: &Change, force: bool) -> Result<Issue> {
    if let Some(t) = &change.title {
        check_title(t)?;
    }
    if let Some(p) = change.priority {
        check_priority(p)?;
    }
    if let Some(s) = &change.status {
        check_status(s)?;
    }
    let mut issue = tx.require(id)?;
    if let Some(h) = holder(&issue).filter(|h| *h != tx.actor)
        && !force
    {
        let takes_assignee = change
            .assignee
            .as_deref()
            .is_some_and(|a| Some(a) != issue.assignee.as_deref());
        let takes_status = change.status.as_deref() == Some("in_progress");
        if takes_assignee || takes_status {
            return Err(Error::Refused(format!(
                "`{id}` is held by {h} (status {}); changing its assignee or putting it in progress would take it from them; ask them to release it, or use --force",
                issue.status
            )));
        }
    }
    if let Some(t) = &change.title {
        issue.title = t.clone();
    }
    if let Some(d) = &change.description {
        issue.description = Some(d.clone());
    }
    if let Some(n) = &change.notes {
        issue.notes = Some(n.clone());
    }
    if let Some(s) = &change.status {
        if s == "in_progress" && issue.started_at.is_none() {
            issue.started_at = Some(now());
        }
        if issue.status == "closed" {
            issue.closed_at = None;
            issue.close_reason = None;
        }
        issue.status = s.clone();
    }
    if let Some(p) = change.priority {
        issue.priority = p;
    }
    if let Some(who) = &change.assignee {
        issue.assignee = (!who.is_empty()).then(|| who.clone());
    }
    issue.labels.extend(change.add_labels.iter().cloned());
    issue.labels.retain(|l| !change.remove_labels.contains(l));
    issue.labels = sorted(std::mem::take(&mut issue.labels));
    issue.updated_at = now();
    tx.put(&issue)?;
    Ok(issue)
}

/// Labels sorted and without repeats (as beads writes them).
pub fn sorted(mut labels: Vec<String>) -> Vec<String> {
    labels.sort();
    labels.dedup();
    labels
}

/// A title: 1-500 characters, not blank.
pub fn check_title(t: &str) -> Result<()> {
    let n = t.chars().count();
    if t.trim().is_empty() {
        return Err(Error::Invalid(String::from("the title is empty")));
    }
    if n > 500 {
        return Err(Error::Invalid(format!(
            "the title has {n} characters; at most 500"
        )));
    }
    Ok(())
}

/// A priority: 0 (critical) to 4 (backlog).
pub fn check_priority(p: i64) -> Result<()> {
    if !(0..=4).contains(&p) {
        return Err(Error::Invalid(format!(
            "priority {p} is out of range: 0 (critical) to 4 (backlog)"
        )));
    }
    Ok(())
}

fn check_status(s: &str) -> Result<()> {
    if s == "closed" {
        return Err(Error::Invalid(String::from(
            "close issues with `gt close ID [--reason R]` (it checks blockers and completes molecules)",
        )));
    }
    if s == TOMBSTONE {
        return Err(Error::Invalid(String::from(
            "delete issues with `gt delete ID [--reason R]` (it leaves a tombstone that sync carries)",
        )));
    }
    let custom = s.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if STATUSES.contains(&s) || custom {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "invalid status `{s}`: one of {} (or a custom name like `review`)",
            STATUSES.join(", ")
        )))
    }
}
