//! Printing: JSON (beads records) or one line per issue.

use crate::error::{Error, Result};
use crate::ledger::Issue;
use crate::ledger::record::json_record;
use serde::Serialize;
use std::io::Write;

/// Print `value` as JSON (pretty when it is small, so people can read it too).
pub fn json<T: Serialize>(value: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Error::Invalid(format!("cannot encode output: {e}")))?;
    emit(&text)
}

/// Print issues as a JSON array of records.
pub fn issues_json(issues: &[Issue]) -> Result<()> {
    let mut text = String::from("[");
    for (i, issue) in issues.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        text.push('\n');
        text.push_str(&json_record(issue));
    }
    text.push_str(if issues.is_empty() { "]" } else { "\n]" });
    emit(&text)
}

/// Print one issue: its record with `--json`, else `message()`.
pub fn one(json: bool, issue: &Issue, message: impl FnOnce() -> String) -> Result<()> {
    if json {
        issues_json(std::slice::from_ref(issue))
    } else {
        emit(&message())
    }
}

/// Print stored records (already in `--json` form) as a JSON array, without decoding.
pub fn records_json(records: &[String]) -> Result<()> {
    let mut text = String::with_capacity(records.iter().map(|r| r.len() + 2).sum::<usize>() + 4);
    text.push('[');
    for (i, r) in records.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        text.push('\n');
        text.push_str(r);
    }
    text.push_str(if records.is_empty() { "]" } else { "\n]" });
    emit(&text)
}

/// One line for an issue: `id  P2  open         task     title`.
pub fn line(issue: &Issue) -> String {
    let who = issue
        .assignee
        .as_deref()
        .filter(|a| !a.is_empty())
        .map(|a| format!("  @{a}"))
        .unwrap_or_default();
    format!(
        "{}  P{}  {:<11} {:<8} {}{who}",
        issue.id, issue.priority, issue.status, issue.issue_type, issue.title
    )
}

/// Print issues one per line (or `none` when empty).
pub fn issues_text(issues: &[Issue], empty: &str) -> Result<()> {
    let mut text = String::new();
    for i in issues {
        text.push_str(&line(i));
        text.push('\n');
    }
    if issues.is_empty() {
        text.push_str(empty);
        text.push('\n');
    }
    emit(text.trim_end_matches('\n'))
}

/// Write `text` and a newline to stdout; a closed pipe is not an error.
pub fn emit(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    let r = writeln!(out, "{text}").and_then(|_| out.flush());
    match r {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::io("<stdout>", e)),
        _ => Ok(()),
    }
}
