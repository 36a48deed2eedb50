//! `gt run` (the village executes a molecule) and `gt role` (one role's process, started
//! by the village itself).

use super::{Ctx, output, parse_vars};
use crate::error::{Error, Result};
use crate::roles::{self, RoleEnv};
use crate::run::{self, Ended, Options};
use crate::town::agents::Role;
use crate::town::config::AdapterKind;
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct RunArgs {
    /// A formula (name on the search path, or a file) to pour, or the id of a molecule to drive.
    target: String,
    /// A var value (repeatable): --var component=auth.
    #[arg(long = "var", value_name = "NAME=VALUE")]
    vars: Vec<String>,
    /// How many polecats work the molecule (default: [village] polecats, 4).
    #[arg(long, value_name = "N")]
    polecats: Option<u32>,
    /// The polecats' agent adapter: script (built in), exec or claude (default: [roles.polecat] agent, script).
    #[arg(long, value_name = "ADAPTER")]
    agent: Option<String>,
    /// The rig to work on (needed when the town has several).
    #[arg(long)]
    rig: Option<String>,
    /// Pour a new molecule even when an unfinished run of this formula with these vars exists.
    #[arg(long)]
    new: bool,
    /// Keep waiting when only a person can move the molecule on (a human gate, an
    /// escalation, a blocker outside it), instead of stopping with status 3.
    #[arg(long)]
    wait: bool,
    /// Plain progress lines even on a terminal.
    #[arg(long)]
    plain: bool,
    /// Create a town in a new temporary directory and run there (it is kept, for a look afterwards).
    #[arg(long)]
    temp_town: bool,
    /// More directories to search for formulas (before the defaults).
    #[arg(long = "search-path", value_name = "DIR")]
    search_path: Vec<PathBuf>,
}

pub fn run_cmd(a: RunArgs, ctx: &Ctx) -> Result<i32> {
    let started = std::time::Instant::now();
    let mut cwd = ctx.cwd.clone();
    if a.temp_town {
        cwd = temp_town()?;
        println!("a new town in {}", cwd.display());
    }
    let opts = Options {
        target: a.target.clone(),
        vars: parse_vars(&a.vars)?,
        polecats: a.polecats,
        agent: a.agent.as_deref().map(AdapterKind::parse).transpose()?,
        rig: a.rig.clone(),
        new: a.new,
        search_path: a.search_path.clone(),
        wait: a.wait,
        plain: a.plain,
        stall_after: std::time::Duration::from_millis(1500),
    };
    let ended = run::run(&cwd, &opts)?;
    write_stats("mayor", started)?;
    let code = ended.code();
    if ctx.json {
        output::json(&match &ended {
            Ended::Complete { mol, digest } => {
                serde_json::json!({"molecule": mol, "status": "complete", "digest": digest})
            }
            Ended::Stalled { mol, waiting } => {
                serde_json::json!({"molecule": mol, "status": "stalled", "waiting": waiting})
            }
            Ended::Interrupted { mol } => {
                serde_json::json!({"molecule": mol, "status": "interrupted"})
            }
        })?;
        return Ok(code);
    }
    match ended {
        Ended::Complete { mol, digest } => {
            output::emit(&format!("{mol} is complete.\n\n{digest}"))?;
        }
        Ended::Stalled { mol, waiting } => {
            let mut t = format!("{mol} cannot move on without you; it waits for:\n");
            for w in &waiting {
                t.push_str(&format!("  - {w}\n"));
            }
            t.push_str(&format!(
                "then `gt run {mol}` (or the same command) resumes it; add --wait to keep waiting"
            ));
            output::emit(&t)?;
        }
        Ended::Interrupted { mol } => {
            output::emit(&format!(
                "stopped; {mol} is where the ledger says. `gt run {mol}` (or the same command) resumes it"
            ))?;
        }
    }
    Ok(code)
}

/// A temporary directory with a git repository and a ledger (prefix `demo`).
fn temp_town() -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!(
        "gt-town-{}-{}",
        std::process::id(),
        crate::ledger::time::now_nanos()
    ));
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let repo = crate::git::Repo::init_or_open(&dir).map_err(|e| Error::Refused(e.to_string()))?;
    let ledger = crate::ledger::Ledger::init(&dir, "demo", "mayor")?;
    super::commit_settings(&repo, &ledger)?;
    Ok(dir)
}

#[derive(Args, Debug)]
pub struct RoleArgs {
    /// deacon, witness, refinery or polecat.
    role: String,
    /// The agent's address (`deacon`, `app/witness`, `app/polecat-1`).
    #[arg(long)]
    name: String,
    /// The rig (witness, refinery, polecat).
    #[arg(long)]
    rig: Option<String>,
    /// The village's supervisor as PID:START: the role stops when it is gone.
    #[arg(long)]
    parent: Option<String>,
}

pub fn role_cmd(a: RoleArgs, ctx: &Ctx) -> Result<i32> {
    let started = std::time::Instant::now();
    let role = Role::parse(&a.role)?;
    let parent = a.parent.as_deref().map(roles::parse_proc).transpose()?;
    let env = RoleEnv::open(&ctx.cwd, &a.name, parent)?;
    let rig = || {
        a.rig
            .clone()
            .ok_or_else(|| Error::Invalid(format!("a {} needs --rig", role.name())))
    };
    let ended = match role {
        Role::Polecat => roles::polecat::run(env, &a.name, &rig()?)?,
        Role::Witness => roles::witness::run(env, &a.name, &rig()?)?,
        Role::Refinery => roles::refinery::run(env, &a.name, &rig()?)?,
        Role::Deacon => roles::deacon::run(env, &a.name)?,
        Role::Mayor => {
            return Err(Error::Invalid(String::from(
                "the mayor is `gt run`, not a role process",
            )));
        }
    };
    write_stats(role.name(), started)?;
    Ok(ended.code())
}

/// With `GT_LEDGER_STATS=DIR` (the village benchmark), a role leaves
/// `DIR/<role>-<pid>`: `<nanoseconds in ledger transactions> <nanoseconds alive>
/// <write transactions> <nanoseconds waiting for the write lock> <read transactions>
/// <nanoseconds in them>`.
pub(crate) fn write_stats(role: &str, started: std::time::Instant) -> Result<()> {
    let Some(dir) = std::env::var_os("GT_LEDGER_STATS") else {
        return Ok(());
    };
    let path = std::path::Path::new(&dir).join(format!("{role}-{}", std::process::id()));
    let [writes, lock_wait, reads, reading] = crate::ledger::transaction_counts();
    let text = format!(
        "{} {} {writes} {lock_wait} {reads} {reading}\n",
        crate::ledger::time_in_transactions().as_nanos(),
        started.elapsed().as_nanos()
    );
    std::fs::write(&path, text).map_err(|e| Error::io(&path, e))
}
