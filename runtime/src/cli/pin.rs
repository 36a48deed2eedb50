//! `gt hook`, `gt pin`, `gt unpin` (see [`crate::work::pin`]).

use super::{Ctx, output};
use crate::error::Result;
use crate::work;
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

pub fn hook(a: HookArgs, ctx: &Ctx) -> Result<()> {
    let mut ledger = ctx.ledger()?;
    let hook = ledger.read(|tx| work::pin::hook(tx, &a.agent))?;
    if ctx.json {
        return output::issues_json(&hook.on_hook);
    }
    let Some(first) = hook.on_hook.first() else {
        return output::emit(&format!(
            "{}'s hook is empty (pin work with `gt pin ID --to {}`)",
            a.agent, a.agent
        ));
    };
    let mut text = format!("{} has {} on the hook", a.agent, output::line(first));
    if hook.ready_steps.is_empty() {
        text.push_str("\nno step is ready");
    } else {
        text.push_str("\nready steps:");
        for s in &hook.ready_steps {
            text.push_str(&format!("\n  {}", output::line(s)));
        }
    }
    output::emit(&text)
}

pub fn pin(a: PinArgs, ctx: &Ctx) -> Result<()> {
    let mut ledger = ctx.ledger()?;
    let issue = ledger.write(|tx| {
        let id = tx.resolve(&a.id)?;
        work::pin::pin(tx, &id, &a.agent, a.replace)
    })?;
    output::one(ctx.json, &issue, || {
        format!("pinned {} to {}'s hook", issue.id, a.agent)
    })
}

pub fn unpin(a: UnpinArgs, ctx: &Ctx) -> Result<()> {
    let mut ledger = ctx.ledger()?;
    let issue = ledger.write(|tx| {
        let id = tx.resolve(&a.id)?;
        work::pin::unpin(tx, &id)
    })?;
    output::one(ctx.json, &issue, || format!("unpinned {}", issue.id))
}
