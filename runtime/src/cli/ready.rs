//! `gt ready` and `gt why`: both ask the ledger's one readiness definition
//! (`ledger::ready`).

use super::{Ctx, output};
use crate::error::Result;
use crate::ledger::ready::{ReadyQuery, for_each_ready};
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
    /// Only what AGENT can claim: unassigned, or assigned to AGENT (`gt claim --as AGENT`
    /// succeeds for exactly these).
    #[arg(long = "for", value_name = "AGENT")]
    claimable_by: Option<String>,
    /// Include the steps of wisps (ephemeral molecules).
    #[arg(long)]
    include_wisps: bool,
}

#[derive(Args, Debug)]
pub struct WhyArgs {
    id: String,
    /// Ask for this agent (an issue assigned to another is not ready for it).
    #[arg(long = "for", value_name = "AGENT")]
    agent: Option<String>,
}

pub fn ready_cmd(a: ReadyArgs, ctx: &Ctx) -> Result<()> {
    let mut ledger = ctx.ledger()?;
    let json = ctx.json;
    ledger.read(|tx| {
        let mol = a.mol.as_deref().map(|m| tx.resolve(m)).transpose()?;
        let q = ReadyQuery {
            mol,
            limit: a.limit,
            assignee: a.assignee.clone(),
            claimable_by: a.claimable_by.clone(),
            include_ephemeral: a.include_wisps,
            leaves_only: false,
        };
        // JSON prints the stored records as they are, streamed; text needs the fields.
        if json {
            let mut out = output::RecordsJson::start()?;
            for_each_ready(tx, &q, |_, record| out.push(record))?;
            out.finish()
        } else {
            let mut out = output::IssueLines::start("nothing is ready");
            for_each_ready(tx, &q, |id, record| {
                out.push(&crate::ledger::store::decode(id, record)?)
            })?;
            out.finish()
        }
    })
}

pub fn why(a: WhyArgs, ctx: &Ctx) -> Result<()> {
    let mut ledger = ctx.ledger()?;
    let (issue, why) = ledger.read(|tx| {
        let id = tx.resolve(&a.id)?;
        let issue = tx.require(&id)?;
        let why = crate::work::why::why(tx, &issue, a.agent.as_deref())?;
        Ok((issue, why))
    })?;
    let reasons: Vec<String> = why.reasons.iter().map(ToString::to_string).collect();
    if ctx.json {
        let mut value = serde_json::to_value(&issue)
            .map_err(|e| crate::error::Error::Invalid(e.to_string()))?;
        if let Some(map) = value.as_object_mut() {
            map.insert("ready".into(), why.ready.into());
            map.insert("not_ready_because".into(), reasons.clone().into());
            map.insert(
                "reasons".into(),
                serde_json::to_value(&why.reasons)
                    .map_err(|e| crate::error::Error::Invalid(e.to_string()))?,
            );
        }
        return output::json(&value);
    }
    if why.ready {
        output::emit(&format!("{} is ready", issue.id))
    } else {
        let mut text = format!("{} is not ready:", issue.id);
        for r in &reasons {
            text.push_str(&format!("\n  - {r}"));
        }
        output::emit(&text)
    }
}
