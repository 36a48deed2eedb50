//! Hooks and pins: an agent's hook holds the one molecule (or issue) it works on.
//! Pinning sets the issue's status to `hooked` and its assignee to the agent.

use super::{Ctx, output};
use crate::error::{Error, Result};
use crate::ledger::ready::{ReadyQuery, ready};
use crate::ledger::store::Filter;
use crate::ledger::time::now;
use clap::Args;

#[derive(Args, Debug)]
pub struct HookArgs {
    /// The agent.
    agent: String,
}

#[derive(Args, Debug)]
pub struct PinArgs {
    /// The molecule root (or issue) to pin.
    id: String,
    /// The agent whose hook receives it.
    #[arg(long = "to", value_name = "AGENT")]
    agent: String,
    /// Replace what is on the agent's hook (it goes back to open).
    #[arg(long)]
    replace: bool,
}

#[derive(Args, Debug)]
pub struct UnpinArgs {
    /// The pinned issue.
    id: String,
}

fn hooked(tx: &crate::ledger::Tx, agent: &str) -> Result<Vec<crate::ledger::Issue>> {
    tx.list(&Filter {
        statuses: vec![String::from("hooked")],
        assignee: Some(agent.to_owned()),
        ephemeral: true,
        ..Filter::default()
    })
}

pub fn hook(a: HookArgs, ctx: &Ctx) -> Result<()> {
    let mut ledger = ctx.ledger()?;
    let (on_hook, steps) = ledger.read(|tx| {
        let on_hook = hooked(tx, &a.agent)?;
        let mut steps = Vec::new();
        for h in &on_hook {
            steps.extend(ready(
                tx,
                &ReadyQuery {
                    mol: Some(h.id.clone()),
                    ..ReadyQuery::default()
                },
            )?);
        }
        Ok((on_hook, steps))
    })?;
    if ctx.json {
        return output::issues_json(&on_hook);
    }
    let Some(first) = on_hook.first() else {
        return output::emit(&format!(
            "{}'s hook is empty (pin work with `gt pin ID --to {}`)",
            a.agent, a.agent
        ));
    };
    let mut text = format!("{} has {} on the hook", a.agent, output::line(first));
    if steps.is_empty() {
        text.push_str("\nno step is ready");
    } else {
        text.push_str("\nready steps:");
        for s in &steps {
            text.push_str(&format!("\n  {}", output::line(s)));
        }
    }
    output::emit(&text)
}

pub fn pin(a: PinArgs, ctx: &Ctx) -> Result<()> {
    let mut ledger = ctx.ledger()?;
    let issue = ledger.write(|tx| {
        let id = tx.resolve(&a.id)?;
        let mut issue = tx.require(&id)?;
        if issue.status == "closed" {
            return Err(Error::Refused(format!("`{id}` is closed; pin open work")));
        }
        if let Some(holder) = issue
            .assignee
            .as_deref()
            .filter(|h| !h.is_empty() && *h != a.agent)
            && issue.status == "hooked"
        {
            return Err(Error::Refused(format!(
                "`{id}` is on {holder}'s hook; `gt unpin {id}` first"
            )));
        }
        for other in hooked(tx, &a.agent)? {
            if other.id == id {
                continue;
            }
            if !a.replace {
                return Err(Error::Refused(format!(
                    "{}'s hook already holds `{}`; use --replace to swap it",
                    a.agent, other.id
                )));
            }
            let mut other = other;
            other.status = String::from("open");
            other.assignee = None;
            other.updated_at = now();
            tx.put(&other)?;
        }
        issue.status = String::from("hooked");
        issue.assignee = Some(a.agent.clone());
        issue.updated_at = now();
        tx.put(&issue)?;
        Ok(issue)
    })?;
    output::one(ctx.json, &issue, || {
        format!("pinned {} to {}'s hook", issue.id, a.agent)
    })
}

pub fn unpin(a: UnpinArgs, ctx: &Ctx) -> Result<()> {
    let mut ledger = ctx.ledger()?;
    let issue = ledger.write(|tx| {
        let id = tx.resolve(&a.id)?;
        let mut issue = tx.require(&id)?;
        if issue.status != "hooked" {
            return Err(Error::Refused(format!(
                "`{id}` is not pinned to a hook (status {})",
                issue.status
            )));
        }
        issue.status = String::from("open");
        issue.assignee = None;
        issue.updated_at = now();
        tx.put(&issue)?;
        Ok(issue)
    })?;
    output::one(ctx.json, &issue, || format!("unpinned {}", issue.id))
}
