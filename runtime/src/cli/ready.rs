//! `gt ready` and `gt why`: both ask the ledger's one readiness definition
//! (`ledger::blocked`).

use super::{Ctx, output};
use crate::error::Result;
use crate::ledger::blocked::{Blocker, blockers, deferred_ancestor, own_reasons};
use crate::ledger::ready::{ReadyQuery, ready, ready_records};
use clap::Args;

#[derive(Args, Debug)]
pub struct ReadyArgs {
    /// Only this molecule's steps (wisps included).
    #[arg(long, value_name = "ID")]
    mol: Option<String>,
    /// At most this many (default: all).
    #[arg(long)]
    limit: Option<usize>,
    /// Only issues assigned to this agent.
    #[arg(long)]
    assignee: Option<String>,
    /// Include the steps of wisps (ephemeral molecules).
    #[arg(long)]
    include_wisps: bool,
}

#[derive(Args, Debug)]
pub struct WhyArgs {
    id: String,
}

pub fn ready_cmd(a: ReadyArgs, ctx: &Ctx) -> Result<()> {
    let mut ledger = ctx.ledger()?;
    let json = ctx.json;
    let (records, issues) = ledger.read(|tx| {
        let mol = a.mol.as_deref().map(|m| tx.resolve(m)).transpose()?;
        let q = ReadyQuery {
            mol,
            limit: a.limit,
            assignee: a.assignee.clone(),
            include_ephemeral: a.include_wisps,
        };
        // JSON prints the stored records as they are; text needs the fields.
        if json {
            Ok((ready_records(tx, &q)?, Vec::new()))
        } else {
            Ok((Vec::new(), ready(tx, &q)?))
        }
    })?;
    if json {
        let texts: Vec<String> = records.into_iter().map(|(_, r)| r).collect();
        return output::records_json(&texts);
    }
    output::issues_text(&issues, "nothing is ready")
}

pub fn why(a: WhyArgs, ctx: &Ctx) -> Result<()> {
    let mut ledger = ctx.ledger()?;
    let (issue, reasons) = ledger.read(|tx| {
        let id = tx.resolve(&a.id)?;
        let issue = tx.require(&id)?;
        let mut reasons = own_reasons(&issue);
        if let Some((parent, until)) = deferred_ancestor(tx, &issue.id)? {
            reasons.push(format!("its ancestor {parent} is deferred until {until}"));
        }
        let mut queue = blockers(tx, &issue)?;
        // A blocked parent: say what blocks it, up the chain.
        let mut depth = 0;
        while let Some(b) = queue.first().cloned() {
            queue.remove(0);
            reasons.push(b.to_string());
            if let Blocker::Parent { id } = &b
                && depth < 50
                && let Some(parent) = tx.get(id)?
            {
                depth += 1;
                queue.extend(blockers(tx, &parent)?);
            }
        }
        Ok((issue, reasons))
    })?;
    if ctx.json {
        let mut value = serde_json::to_value(&issue)
            .map_err(|e| crate::error::Error::Invalid(e.to_string()))?;
        if let Some(map) = value.as_object_mut() {
            map.insert("ready".into(), reasons.is_empty().into());
            map.insert("not_ready_because".into(), reasons.clone().into());
        }
        return output::json(&value);
    }
    if reasons.is_empty() {
        output::emit(&format!("{} is ready", issue.id))
    } else {
        let mut text = format!("{} is not ready:", issue.id);
        for r in &reasons {
            text.push_str(&format!("\n  - {r}"));
        }
        output::emit(&text)
    }
}
