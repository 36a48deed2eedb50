//! Mail: messages are issues of type `message`, assigned to the recipient, sent by the
//! actor (`sender`). Open means unread; reading closes it.

use crate::error::{Error, Result};
use crate::ledger::store::Filter;
use crate::ledger::time::now;
use crate::ledger::{Issue, Tx};

/// Send a message from the actor to `to`.
pub fn send(tx: &Tx, to: &str, subject: &str, body: Option<&str>) -> Result<Issue> {
    super::update::check_title(subject)?;
    let stamp = now();
    let msg = Issue {
        id: tx.fresh_id("", subject)?,
        title: subject.to_owned(),
        description: body.map(str::to_owned),
        status: String::from("open"),
        priority: 2,
        issue_type: String::from("message"),
        assignee: Some(to.to_owned()),
        created_at: stamp.clone(),
        created_by: Some(tx.actor.to_owned()),
        updated_at: stamp,
        sender: Some(tx.actor.to_owned()),
        ..Issue::default()
    };
    tx.put(&msg)?;
    Ok(msg)
}

/// `agent`'s messages, oldest first; unread only unless `all`.
pub fn inbox(tx: &Tx, agent: &str, all: bool) -> Result<Vec<Issue>> {
    let mut msgs = tx.list(&Filter {
        types: vec![String::from("message")],
        assignee: Some(agent.to_owned()),
        statuses: if all {
            vec![]
        } else {
            vec![String::from("open")]
        },
        ephemeral: true,
        ..Filter::default()
    })?;
    msgs.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
    Ok(msgs)
}

/// Read message `id` (it is marked read: closed, reason `read`).
pub fn read(tx: &Tx, id: &str) -> Result<Issue> {
    let mut msg = tx.require(id)?;
    if msg.issue_type != "message" {
        return Err(Error::Refused(format!(
            "`{id}` is a {}, not a message",
            msg.issue_type
        )));
    }
    if msg.status == "open" {
        let stamp = now();
        msg.status = String::from("closed");
        msg.closed_at = Some(stamp.clone());
        msg.close_reason = Some(String::from("read"));
        msg.updated_at = stamp;
        tx.put(&msg)?;
    }
    Ok(msg)
}
