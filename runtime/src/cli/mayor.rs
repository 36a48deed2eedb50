//! The mayor's commands: `gt sling`, `gt peek`, `gt status` (see [`crate::run::mayor`]).

use super::{Ctx, output};
use crate::error::{Error, Result};
use crate::run::mayor;
use crate::town::config::{AdapterKind, TownConfig};
use clap::Args;
use std::io::Write;

#[derive(Args, Debug)]
pub struct SlingArgs {
    /// The issue or molecule to give.
    id: String,
    /// The rig whose new polecat takes it (needed when the town has several).
    #[arg(long)]
    rig: Option<String>,
    /// The polecat's agent adapter (default: [roles.polecat] agent).
    #[arg(long, value_name = "ADAPTER")]
    agent: Option<String>,
}

#[derive(Args, Debug)]
pub struct PeekArgs {
    /// The agent: `deacon`, `RIG/witness`, `RIG/refinery`, `RIG/polecat-N`.
    agent: String,
}

#[derive(Args, Debug)]
pub struct StatusArgs {
    /// Redraw in place until interrupted.
    #[arg(long)]
    watch: bool,
    /// How often --watch redraws.
    #[arg(long, default_value = "1s", value_name = "DURATION")]
    interval: String,
    /// Stop --watch after this many frames (for scripts and tests).
    #[arg(long, hide = true)]
    frames: Option<u64>,
}

fn config(ctx: &Ctx) -> Result<(crate::ledger::Ledger, TownConfig)> {
    let ledger = ctx.ledger()?;
    let config = TownConfig::load(ledger.root(), &ledger.dir)?;
    Ok((ledger, config))
}

pub fn sling(a: SlingArgs, ctx: &Ctx) -> Result<()> {
    let (mut ledger, config) = config(ctx)?;
    let rig = config.rig(a.rig.as_deref())?.name.clone();
    let adapter = match &a.agent {
        Some(name) => AdapterKind::parse(name)?,
        None => config.adapter("polecat"),
    };
    let agent = ledger.write(|tx| {
        let id = tx.resolve(&a.id)?;
        mayor::sling(tx, &id, &rig, adapter)
    })?;
    if ctx.json {
        return output::json(&serde_json::json!({
            "agent": agent.name,
            "hook": agent.state.hook,
            "rig": rig,
        }));
    }
    output::emit(&format!(
        "slung {} to {} (a fresh polecat; the rig's witness starts it while the village runs: `gt run {}`)",
        agent.state.hook.as_deref().unwrap_or(&a.id),
        agent.name,
        agent.state.hook.as_deref().unwrap_or(&a.id),
    ))
}

pub fn peek(a: PeekArgs, ctx: &Ctx) -> Result<()> {
    let (mut ledger, config) = config(ctx)?;
    let stuck = config.village.stuck_after;
    let p = ledger.read(|tx| mayor::peek(tx, &a.agent, stuck))?;
    if ctx.json {
        return output::json(&p);
    }
    output::emit(&mayor::peek_text(&p))
}

pub fn status(a: StatusArgs, ctx: &Ctx) -> Result<()> {
    let (mut ledger, config) = config(ctx)?;
    let interval = crate::town::config::duration(&a.interval)
        .map_err(|e| Error::Invalid(format!("--interval: {e}")))?;
    let stuck = config.village.stuck_after;
    let overseer = config.village.overseer.clone();
    let mut frame = 0u64;
    loop {
        let s = ledger.read(|tx| mayor::status(tx, stuck, &overseer))?;
        if !a.watch {
            if ctx.json {
                return output::json(&s);
            }
            return output::emit(&mayor::status_text(&s));
        }
        // Home, clear to the end, then the frame: redrawn in place.
        let text = if ctx.json {
            serde_json::to_string(&s).map_err(|e| Error::Invalid(e.to_string()))?
        } else {
            mayor::status_text(&s)
        };
        let mut out = std::io::stdout().lock();
        writeln!(out, "\x1b[H\x1b[J{text}")
            .and_then(|()| out.flush())
            .map_err(|e| Error::io("stdout", e))?;
        frame += 1;
        if a.frames.is_some_and(|n| frame >= n) {
            return Ok(());
        }
        std::thread::sleep(interval);
    }
}
