//! `gt mail send|inbox|read` (see [`crate::work::mail`]).

use super::{Ctx, output};
use crate::error::Result;
use crate::work;
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
            let msg = ledger.write(|tx| work::mail::send(tx, &to, &subject, body.as_deref()))?;
            output::one(ctx.json, &msg, || format!("sent {} to {to}", msg.id))
        }
        MailCommand::Inbox { agent, all } => {
            let agent = agent.unwrap_or_else(|| ctx.actor.clone());
            let msgs = ledger.read(|tx| work::mail::inbox(tx, &agent, all))?;
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
                work::mail::read(tx, &id)
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
