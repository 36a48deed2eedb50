//! The `gt` command line. One file per group of commands; [`run`] parses and dispatches
//! so tests drive the CLI in-process as well as through the binary.

mod gate;
mod io;
mod issue;
mod mail;
mod mayor;
mod mol;
mod output;
mod pin;
mod ready;
mod run;
mod sync;

use crate::error::{Error, Result};
use crate::ledger::Ledger;
use clap::{Args, Parser, Subcommand};
use std::ffi::OsString;
use std::path::PathBuf;

/// `gt`: the beads ledger and molecules.
#[derive(Parser, Debug)]
#[command(
    name = "gt",
    version,
    about = "The runtime: the beads ledger (.beads/), molecules poured from formulas, and what is ready",
    long_about = "gt keeps the beads ledger of a git repository (.beads/): issues, molecules poured from \
formulas, claims, mail. Every command is one transaction: it happens whole or not at all, and many \
agents can run gt at once.\n\n\
Start:\n  gt init --prefix ab                 create .beads/ (ids look like ab-3k9f)\n  \
gt pour mol-review --var pr=42      a molecule: one issue per step\n  \
gt ready                            what can be worked on now\n  \
gt claim ab-mol-x1.build --as alice take it (fails if someone else has it)\n  \
gt close ab-mol-x1.build            done; dependents become ready\n  \
gt sync                             commit the ledger, merge with the remote, push\n\n\
Exit status: 0 done; 1 refused (the message says why) or not found; 2 usage, I/O or ledger problem."
)]
pub struct Cli {
    /// Print JSON (beads issue records) instead of text.
    #[arg(long, global = true)]
    json: bool,
    /// Who is acting (default: $GT_ACTOR, $BD_ACTOR, then $USER).
    #[arg(long, global = true, value_name = "NAME")]
    actor: Option<String>,
    /// Run as if started in DIR.
    #[arg(short = 'C', long = "dir", global = true, value_name = "DIR")]
    dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Create the ledger (.beads/) in this directory (and a git repository when there is none).
    Init(InitArgs),
    /// Create an issue.
    Create(issue::CreateArgs),
    /// Show issues.
    Show(issue::ShowArgs),
    /// List issues (filters combine).
    List(issue::ListArgs),
    /// Change fields of an issue.
    Update(issue::UpdateArgs),
    /// Close issues (refused while anything blocks them or children are open, unless --force).
    #[command(
        long_about = "Close issues. Refused, unless --force, while the issue has open children or \
anything blocks it: an open `blocks` / `conditional-blocks` target, a `waits-for` spawner with \
open children, or a blocked parent (the same blockers that keep it out of `gt ready`; \
`gt why ID` lists them). Closing the last open step of a molecule closes its root too."
    )]
    Close(issue::CloseArgs),
    /// Take an issue: status in_progress and assignee, atomically; fails if someone else holds it.
    #[command(
        long_about = "Take an issue: status in_progress and assignee, atomically (a compare-and-set \
inside the ledger's write lock, so exactly one of many agents wins). Refused exactly when \
`gt ready --for AGENT` would not list it, with the reasons (as `gt why` gives them); --force \
overrides readiness, never another agent's claim."
    )]
    Claim(issue::ClaimArgs),
    /// Give a claimed issue back: status open, no assignee.
    Release(issue::ReleaseArgs),
    /// Delete issues: a tombstone records the deletion, and sync carries it to every clone.
    Delete(issue::DeleteArgs),
    /// Add or remove a dependency edge.
    #[command(subcommand)]
    Dep(issue::DepCommand),
    /// Issues whose blockers are all closed, most urgent first.
    Ready(ready::ReadyArgs),
    /// Why an issue is not ready: its status, open blockers, gates and claims.
    Why(ready::WhyArgs),
    /// Pour a formula into a persistent molecule (a root issue plus one issue per step).
    Pour(mol::PourArgs),
    /// Pour a formula into a wisp: an ephemeral molecule that never reaches git.
    Wisp(mol::PourArgs),
    /// Join two molecules (issue ids or formulas): B after A (sequential), alongside (parallel) or conditional.
    Bond(mol::BondArgs),
    /// Condense a finished molecule or wisp into one closed digest issue (a wisp's steps are deleted).
    Squash(mol::SquashArgs),
    /// Delete wisps (root and descendants) without a record.
    Burn(mol::BurnArgs),
    /// Write a formula (TOML) back from a molecule.
    Distill(mol::DistillArgs),
    /// Show the molecule pinned to an agent's hook, and its ready steps.
    Hook(pin::HookArgs),
    /// Pin a molecule (or issue) to an agent's hook.
    Pin(pin::PinArgs),
    /// Take a molecule off an agent's hook.
    Unpin(pin::UnpinArgs),
    /// Messages between agents (issues of type message).
    #[command(subcommand)]
    Mail(mail::MailCommand),
    /// Give an issue or molecule to a fresh polecat of a rig (pinned to its hook).
    Sling(mayor::SlingArgs),
    /// One agent: idle / working / stuck / done, the step it holds, its last heartbeat.
    Peek(mayor::PeekArgs),
    /// The whole town: runs, agents, gates, the merge queue (--json; --watch redraws in place).
    Status(mayor::StatusArgs),
    /// Gates that hold steps: list them, or open one as a person (`approve`).
    #[command(subcommand)]
    Gate(gate::GateCommand),
    /// Read beads JSONL into the ledger (an upsert by id; newer updated_at wins).
    Import(io::ImportArgs),
    /// Write every issue (closed, ephemeral, template and deleted ones too) and every other line read as beads JSONL.
    Export(io::ExportArgs),
    /// Write .beads/issues.jsonl from the working database (what `gt sync` commits): everything but local wisps.
    Flush,
    /// Commit the ledger, merge the remote's (three-way, by issue id), push, read it back.
    #[command(
        long_about = "Sync the ledger through git: write .beads/issues.jsonl, commit it (only it), \
fetch the remote (origin, or the branch's upstream), merge the two ledgers issue by issue and field \
by field against their common base (a field both sides changed keeps the value with the later \
updated_at, and is reported), push (retrying when someone pushed first), and read the merged \
ledger back. Without a remote it only commits. Wisps never leave this machine."
    )]
    Sync(sync::SyncArgs),
    /// Execute a formula (or molecule) with the village: polecats work the steps, the
    /// refinery merges their work, the witness and deacon keep them going.
    #[command(long_about = RUN_HELP)]
    Run(run::RunArgs),
    /// One role of the village (started by `gt run`; not for direct use).
    #[command(hide = true)]
    Role(run::RoleArgs),
}

const RUN_HELP: &str = "Execute a formula or a molecule with the village of agents, to the end.

gt run cooks and pours the formula (or takes the molecule ID), then starts the village: the \
deacon, which keeps each rig's witness and refinery running; the witness, which starts the \
polecats and replaces any that die or get stuck; the polecats, each taking the most urgent \
ready step, working it in its own git worktree with the agent adapter, and submitting the \
commits to the merge queue; the refinery, which rebases each branch onto the rig's branch, \
runs the rig's tests and fast-forwards it, first in first out. Progress shows steps done, \
running, queued and ready, and one line per agent. At the end it prints the molecule's digest.

Everything is in the ledger: Ctrl-C stops the village cleanly, and running the same command \
again resumes the same molecule (a formula with the same vars finds its unfinished run; \
--new pours another).

Examples:
  gt run mol-feature --var feature=login              script agent, 4 polecats
  gt run mol-hanoi --var discs=6 --temp-town          a 63-move demo in a new temporary town
  gt run mol-bugfix --var bug=\"login fails\" --agent claude --polecats 2
                                                      Claude Code does the work
  gt run t-mol-x1y2                                   drive (or resume) an existing molecule

While it runs, from another terminal: gt status [--watch] (the town), gt peek AGENT (one \
agent), gt gate approve GATE (a human gate, or one that failed), gt sling ISSUE (more work for \
a fresh polecat).

Settings live in .beads/config.toml ([village] timings, [roles.polecat] agent, [agents.exec] \
command, [rigs.NAME] path, branch and test command).

Exit status: 0 the molecule is complete; 1 refused (a bad formula or var, a run already in \
progress); 2 usage, I/O or ledger problem; 3 stalled: only a person can move it on (a human \
gate, an escalated step, a blocker outside the molecule), it says what; 130 interrupted.";

#[derive(Args, Debug)]
struct InitArgs {
    /// The id prefix: issues are <prefix>-<hash>.
    #[arg(long)]
    prefix: String,
}

/// What every command gets: the parsed globals and the ledger opener.
pub(crate) struct Ctx {
    pub json: bool,
    pub actor: String,
    pub cwd: PathBuf,
}

impl Ctx {
    pub fn ledger(&self) -> Result<Ledger> {
        Ledger::discover(&self.cwd, &self.actor)
    }
}

/// Run `gt` with `args` (the first is the program name); returns the exit status.
pub fn run<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    let cwd = match &cli.dir {
        Some(d) => d.clone(),
        None => std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
    };
    let actor = cli
        .actor
        .clone()
        .or_else(|| std::env::var("GT_ACTOR").ok())
        .or_else(|| std::env::var("BD_ACTOR").ok())
        .or_else(|| std::env::var("USER").ok())
        .filter(|a| !a.is_empty())
        .unwrap_or_else(|| String::from("gt"));
    let ctx = Ctx {
        json: cli.json,
        actor,
        cwd,
    };
    let result = match cli.command {
        Command::Run(a) => run::run_cmd(a, &ctx),
        Command::Role(a) => run::role_cmd(a, &ctx),
        other => dispatch(other, &ctx).map(|()| 0),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    }
}

fn dispatch(command: Command, ctx: &Ctx) -> Result<()> {
    match command {
        Command::Init(a) => init(a, ctx),
        Command::Create(a) => issue::create(a, ctx),
        Command::Show(a) => issue::show(a, ctx),
        Command::List(a) => issue::list(a, ctx),
        Command::Update(a) => issue::update(a, ctx),
        Command::Close(a) => issue::close(a, ctx),
        Command::Claim(a) => issue::claim(a, ctx),
        Command::Release(a) => issue::release(a, ctx),
        Command::Delete(a) => issue::delete(a, ctx),
        Command::Dep(c) => issue::dep(c, ctx),
        Command::Ready(a) => ready::ready_cmd(a, ctx),
        Command::Why(a) => ready::why(a, ctx),
        Command::Pour(a) => mol::pour(a, ctx, false),
        Command::Wisp(a) => mol::pour(a, ctx, true),
        Command::Bond(a) => mol::bond_cmd(a, ctx),
        Command::Squash(a) => mol::squash_cmd(a, ctx),
        Command::Burn(a) => mol::burn_cmd(a, ctx),
        Command::Distill(a) => mol::distill_cmd(a, ctx),
        Command::Hook(a) => pin::hook(a, ctx),
        Command::Pin(a) => pin::pin(a, ctx),
        Command::Unpin(a) => pin::unpin(a, ctx),
        Command::Mail(c) => mail::mail(c, ctx),
        Command::Gate(c) => gate::gate(c, ctx),
        Command::Sling(a) => mayor::sling(a, ctx),
        Command::Peek(a) => mayor::peek(a, ctx),
        Command::Status(a) => mayor::status(a, ctx),
        Command::Import(a) => io::import_cmd(a, ctx),
        Command::Export(a) => io::export(a, ctx),
        Command::Flush => io::flush(ctx),
        Command::Sync(a) => sync::run(a, ctx),
        Command::Run(_) | Command::Role(_) => Err(Error::Invalid(String::from(
            "run and role are dispatched before this point",
        ))),
    }
}

/// A new ledger's settings travel with it: commit them (and the empty JSONL) now.
pub(crate) fn commit_settings(repo: &crate::git::Repo, ledger: &Ledger) -> Result<()> {
    let mut files = Vec::new();
    for name in [".gitignore", "config.toml", crate::ledger::JSONL] {
        let path = ledger.dir.join(name);
        let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
        files.push((sync::in_worktree(repo, &path)?, bytes));
    }
    let refs: Vec<(&std::path::Path, crate::git::repo::Content)> = files
        .iter()
        .map(|(p, b)| (p.as_path(), crate::git::repo::Content::Bytes(b.as_slice())))
        .collect();
    repo.commit_files(&refs, "gt init: the ledger")
        .map_err(|e| Error::Refused(e.to_string()))?;
    Ok(())
}

fn init(args: InitArgs, ctx: &Ctx) -> Result<()> {
    let repo =
        crate::git::Repo::init_or_open(&ctx.cwd).map_err(|e| Error::Refused(e.to_string()))?;
    let ledger = Ledger::init(&ctx.cwd, &args.prefix, &ctx.actor)?;
    commit_settings(&repo, &ledger)?;
    if ctx.json {
        output::json(&serde_json::json!({
            "path": ledger.dir.display().to_string(),
            "prefix": ledger.prefix,
        }))
    } else {
        println!(
            "initialised {} (ids: {}-<hash>)",
            ledger.dir.display(),
            ledger.prefix
        );
        Ok(())
    }
}

/// Parse `k=v` var arguments.
pub(crate) fn parse_vars(vars: &[String]) -> Result<std::collections::BTreeMap<String, String>> {
    let mut out = std::collections::BTreeMap::new();
    for v in vars {
        let Some((k, val)) = v.split_once('=') else {
            return Err(Error::Invalid(format!(
                "invalid --var `{v}`: expected NAME=VALUE"
            )));
        };
        if k.trim().is_empty() {
            return Err(Error::Invalid(format!(
                "invalid --var `{v}`: the name is empty"
            )));
        }
        out.insert(k.trim().to_owned(), val.to_owned());
    }
    Ok(out)
}
