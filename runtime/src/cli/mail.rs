//! Mail: messages are issues of type `message`, assigned to the recipient, sent by the
//! actor (`sender`). Open means unread; reading closes it.

use super::{Ctx, output};
use crate::error::{Error, Result};
use crate::ledger::Issue;
use crate::ledger::store::Filter;
use crate::ledger::time::now;
use clap::Subcommand;

#[derive(Subcommand, Debug)]
pub enum MailCommand {
    /// Send a message.
    Send {
        /// The recipient agent.
        to: String,
        #[arg(short, long)]
        subject: String,
        #[arg(short, long)]
        body: Option<String>,
    },
    /// Messages for an agent (default: the actor); unread only unless --all.
    Inbox {
        agent: Option<String>,
        #[arg(long)]
        all: bool,
    },
    /// Print a message and mark it read.
    Read { id: String },
}

pub fn mail(c: MailCommand, ctx: &Ctx) -> Result<()> {
    let mut ledger = ctx.ledger()?;
    match c {
        MailCommand::Send { to, subject, body } => {
            super::issue::check_title(&subject)?;
            let msg = ledger.write(|tx| {
                let stamp = now();
                let msg = Issue {
                    id: tx.fresh_id("", &subject)?,
                    title: subject.clone(),
                    description: body.clone(),
                    status: String::from("open"),
                    priority: 2,
                    issue_type: String::from("message"),
                    assignee: Some(to.clone()),
                    created_at: stamp.clone(),
                    created_by: Some(tx.actor.to_owned()),
                    updated_at: stamp,
                    sender: Some(tx.actor.to_owned()),
                    ..Issue::default()
                };
                tx.put(&msg)?;
                Ok(msg)
            })?;
            output::one(ctx.json, &msg, || format!("sent {} to {to}", msg.id))
        }
        MailCommand::Inbox { agent, all } => {
            let agent = agent.unwrap_or_else(|| ctx.actor.clone());
            let mut msgs = ledger.read(|tx| {
                tx.list(&Filter {
                    types: vec![String::from("message")],
                    assignee: Some(agent.clone()),
                    statuses: if all {
                        vec![]
                    } else {
                        vec![String::from("open")]
                    },
                    ephemeral: true,
                    ..Filter::default()
                })
            })?;
            msgs.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
            if ctx.json {
                return output::issues_json(&msgs);
            }
            let lines: Vec<String> = msgs
                .iter()
                .map(|m| {
                    let from = m.sender.as_deref().unwrap_or("?");
                    let unread = if m.status == "open" { "*" } else { " " };
                    format!("{unread} {}  from {from}: {}", m.id, m.title)
                })
                .collect();
            if lines.is_empty() {
                output::emit(&format!("no messages for {agent}"))
            } else {
                output::emit(&lines.join("\n"))
            }
        }
        MailCommand::Read { id } => {
            let msg = ledger.write(|tx| {
                let id = tx.resolve(&id)?;
                let mut msg = tx.require(&id)?;
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
            })?;
            if ctx.json {
                return output::issues_json(std::slice::from_ref(&msg));
            }
            output::emit(&format!(
                "from: {}\nto: {}\nsubject: {}\n\n{}",
                msg.sender.as_deref().unwrap_or("?"),
                msg.assignee.as_deref().unwrap_or("?"),
                msg.title,
                msg.description.as_deref().unwrap_or("")
            ))
        }
    }
}
