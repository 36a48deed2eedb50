//! Comments: notes appended to an issue's record (who, when, what). The runtime records
//! each attempt's outcome this way, on the issue it concerns.

use crate::error::Result;
use crate::ledger::record::Comment;
use crate::ledger::time::now;
use crate::ledger::{Issue, Tx};

/// Append a comment by `author` to `id`; the updated issue.
pub fn add(tx: &Tx, id: &str, author: &str, text: &str) -> Result<Issue> {
    let mut issue = tx.require(id)?;
    add_to(&mut issue, author, text);
    tx.put(&issue)?;
    Ok(issue)
}

/// Append a comment to `issue` in memory (the caller writes it).
pub fn add_to(issue: &mut Issue, author: &str, text: &str) {
    let stamp = now();
    let n = issue.comments.len() + 1;
    issue.comments.push(Comment {
        id: serde_json::Value::from(format!("{}-c{n}", issue.id)),
        issue_id: issue.id.clone(),
        author: author.to_owned(),
        text: text.to_owned(),
        created_at: stamp.clone(),
        ..Comment::default()
    });
    issue.updated_at = stamp;
}
