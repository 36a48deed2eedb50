//! The operations every caller shares, as typed library calls over one transaction:
//! claim and release, close (with molecule auto-close), update, delete, dependency
//! edges, pin / unpin / hook, mail, why. The `gt` command line and the runtime roles call the same functions;
//! a refusal is [`crate::error::Error::Refused`] with the reason, a missing or deleted
//! issue its own error, and a database failure is passed up, never turned into a default.
//!
//! Readiness is asked of [`crate::ledger::ready`], the one definition.

pub mod claim;
pub mod close;
pub mod comment;
pub mod delete;
pub mod dep;
pub mod mail;
pub mod pin;
pub mod update;
pub mod why;

#[cfg(test)]
mod flag_tests;

/// The first few of `ids`, for messages: `a, b, c and 4 more`.
pub(crate) fn preview(ids: &[String]) -> String {
    let mut s = ids.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
    if ids.len() > 5 {
        s.push_str(&format!(" and {} more", ids.len() - 5));
    }
    s
}

/// The agent holding `issue`: its assignee while it is claimed (in progress) or on a
/// hook.
pub fn holder(issue: &crate::ledger::Issue) -> Option<&str> {
    issue
        .assignee
        .as_deref()
        .filter(|a| !a.is_empty())
        .filter(|_| matches!(issue.status.as_str(), "in_progress" | "hooked"))
}
