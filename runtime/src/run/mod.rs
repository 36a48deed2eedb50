//! `gt run`: cook and pour a formula (or take an existing molecule), start the village,
//! drive the molecule to completion with live progress, then print its digest.
//!
//! The run is the town's **mayor**: it registers as the agent `mayor` (one run per town
//! at a time), slings the molecule to the rig's polecats (their records' hook), starts
//! the deacon (which starts each rig's witness and refinery; the witness starts the
//! polecats), and watches. Everything it knows comes from the ledger, so a run that is
//! stopped (Ctrl-C) or killed resumes where the ledger says when started again: the
//! same formula with the same vars finds its unfinished molecule.

pub mod mayor;
pub mod progress;

use crate::error::{Error, Result};
use crate::ledger::time::now;
use crate::ledger::{Ledger, Tx};
use crate::mol::pour::{cook, instantiate};
use crate::roles::spawn;
use crate::town::agents::{self, Me, Phase, Role};
use crate::town::config::{AdapterKind, TownConfig};
use crate::town::layout::Layout;
use crate::town::process::{ProcId, ProcState, become_subreaper, reap_any};
use progress::{Counts, agent_lines, bar, counts, line};
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The mayor's address.
pub const MAYOR: &str = "mayor";
/// The deacon's address.
pub const DEACON: &str = "deacon";
/// The label of molecules poured by `gt run`.
pub const RUN_LABEL: &str = "gt:run";

/// What to run.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// A formula (name or file) or a molecule id.
    pub target: String,
    pub vars: BTreeMap<String, String>,
    pub polecats: Option<u32>,
    pub agent: Option<AdapterKind>,
    pub rig: Option<String>,
    /// Pour anew even when an unfinished run of the formula exists.
    pub new: bool,
    pub search_path: Vec<PathBuf>,
    /// Keep waiting when only outside action (a person, a blocker) can move the
    /// molecule, instead of stopping with exit status 3.
    pub wait: bool,
    /// Print plain lines even on a terminal.
    pub plain: bool,
    /// How long the molecule must stand still before the run says it is stalled.
    pub stall_after: Duration,
}

/// How a run ended.
#[derive(Debug)]
pub enum Ended {
    /// The molecule is complete; its digest.
    Complete { mol: String, digest: String },
    /// Nothing can move without outside action; what it waits for.
    Stalled { mol: String, waiting: Vec<String> },
    /// Stopped by a signal (Ctrl-C); resumable.
    Interrupted { mol: String },
}

impl Ended {
    /// The exit status: 0 complete, 3 stalled, 130 interrupted.
    pub fn code(&self) -> i32 {
        match self {
            Ended::Complete { .. } => 0,
            Ended::Stalled { .. } => 3,
            Ended::Interrupted { .. } => 130,
        }
    }
}

/// Run `opts` in the town at or above `cwd`.
pub fn run(cwd: &std::path::Path, opts: &Options) -> Result<Ended> {
    let mut ledger = Ledger::discover(cwd, MAYOR)?;
    let root = ledger.root().to_path_buf();
    let config = TownConfig::load(&root, &ledger.dir)?;
    let layout = Layout::create(&ledger.dir)?;
    let rig = config.rig(opts.rig.as_deref())?.clone();
    // The roles' patrols must be ones they can carry out: refused here, not in a loop
    // of roles that cannot start.
    crate::roles::check_patrols(&config, &crate::roles::load_options(&root))?;
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        signal_hook::flag::register(sig, Arc::clone(&stop))
            .map_err(|e| Error::Invalid(format!("cannot handle signal {sig}: {e}")))?;
    }
    let me_proc = ProcId::current().map_err(|e| Error::io("/proc/self", e))?;
    if let Some(m) = ledger.read(|tx| agents::get(tx, MAYOR))?
        && let Some(p) = m.state.process
        && p != me_proc
        && p.state() == ProcState::Alive
    {
        return Err(Error::Refused(format!(
            "a run is already in progress in this town (gt run, pid {}); `gt status` shows it",
            p.pid
        )));
    }
    let (mol, resumed) = molecule(&mut ledger, &root, opts)?;
    let me = ledger
        .write(|tx| agents::register(tx, MAYOR, Role::Mayor, None, me_proc))?
        .me;
    let polecats = opts.polecats.unwrap_or(config.village.polecats);
    if polecats == 0 {
        return Err(Error::Invalid(String::from(
            "--polecats must be at least 1",
        )));
    }
    let adapter = opts.agent.unwrap_or_else(|| config.adapter("polecat"));
    ledger.write(|tx| sling_polecats(tx, &me, &rig.name, &mol, polecats, adapter))?;
    let mut out = Screen::new(opts.plain);
    out.say(&format!(
        "{} {mol} on rig {} with {polecats} polecats ({} agent); village files in {}",
        if resumed { "resuming" } else { "running" },
        rig.name,
        adapter.name(),
        layout.root.display()
    ));
    become_subreaper().map_err(|e| Error::io("prctl", e))?;
    let mut deacon = spawn::start(&root, &layout, Role::Deacon, DEACON, None, Some(me_proc))?;
    let mut still_since: Option<(Counts, Instant)> = None;
    let ended = loop {
        reap_any();
        if stop.load(Ordering::Relaxed) {
            break Ended::Interrupted { mol: mol.clone() };
        }
        if deacon.state() != ProcState::Alive {
            // The deacon keeps the others; the run keeps the deacon.
            deacon = spawn::start(&root, &layout, Role::Deacon, DEACON, None, Some(me_proc))?;
        }
        let (c, lines) = ledger.read(|tx| {
            Ok((
                counts(tx, &mol)?,
                agent_lines(tx, config.village.stuck_after)?,
            ))
        })?;
        out.draw(&c, &lines);
        if c.complete {
            break Ended::Complete {
                mol: mol.clone(),
                digest: String::new(),
            };
        }
        let moving = c.running > 0 || c.queued > 0 || c.ready > 0;
        if moving || opts.wait {
            still_since = None;
        } else {
            match &still_since {
                Some((before, since)) if *before == c => {
                    if since.elapsed() >= opts.stall_after {
                        let waiting = ledger.read(|tx| waiting_on(tx, &mol))?;
                        if waiting.iter().all(|w| !w.machine) {
                            break Ended::Stalled {
                                mol: mol.clone(),
                                waiting: waiting.into_iter().map(|w| w.text).collect(),
                            };
                        }
                    }
                }
                _ => still_since = Some((c.clone(), Instant::now())),
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    stop_village(&mut ledger, &me, deacon)?;
    out.finish();
    match ended {
        Ended::Complete { mol, .. } => {
            let digest = ledger.write(|tx| {
                let s = crate::mol::squash::squash(tx, &mol, None, true, false)?;
                Ok(s.digest.description.unwrap_or_default())
            })?;
            ledger.write(|tx| agents::heartbeat(tx, &me, Some(Phase::Done)).map(|_| ()))?;
            Ok(Ended::Complete { mol, digest })
        }
        other => {
            ledger.write(|tx| agents::heartbeat(tx, &me, Some(Phase::Stopped)).map(|_| ()))?;
            Ok(other)
        }
    }
}

/// The molecule to run: an existing one (by id), the unfinished run of the same formula
/// and vars, or a fresh pour. (id, whether it was resumed)
fn molecule(ledger: &mut Ledger, root: &std::path::Path, opts: &Options) -> Result<(String, bool)> {
    if let Some(id) = ledger.read(|tx| match tx.resolve(&opts.target) {
        Ok(id) => Ok(Some(id)),
        Err(Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    })? {
        let issue = ledger.read(|tx| tx.require(&id))?;
        if issue.status == "closed" {
            return Err(Error::Refused(format!(
                "`{id}` is already closed: nothing to run"
            )));
        }
        return Ok((id, true));
    }
    let load = gtc::driver::LoadOptions {
        search_path: opts.search_path.clone(),
        cwd: root.to_path_buf(),
        home: std::env::var_os("HOME").map(PathBuf::from),
    };
    let (proto, values) = cook(&opts.target, &opts.vars, &load)?;
    if !opts.new
        && let Some(id) = ledger.read(|tx| unfinished_run(tx, &proto.formula, &values))?
    {
        return Ok((id, true));
    }
    let poured = ledger.write(|tx| {
        let p = instantiate(tx, &proto, &values, false, None)?;
        let mut root = tx.require(&p.new_epic_id)?;
        root.labels.push(String::from(RUN_LABEL));
        root.updated_at = now();
        tx.put(&root)?;
        Ok(p)
    })?;
    Ok((poured.new_epic_id, false))
}

/// The open molecule a previous `gt run` poured from `formula` with `vars`.
fn unfinished_run(
    tx: &Tx,
    formula: &str,
    vars: &BTreeMap<String, String>,
) -> Result<Option<String>> {
    let roots = tx.list(&crate::ledger::store::Filter {
        types: vec![String::from("molecule")],
        labels: vec![String::from(RUN_LABEL)],
        statuses: vec![
            String::from("open"),
            String::from("in_progress"),
            String::from("hooked"),
        ],
        ..Default::default()
    })?;
    let want = serde_json::json!({ "formula": formula, "vars": vars });
    for r in roots {
        let meta = r
            .metadata_value()
            .map_err(|e| Error::Invalid(format!("`{}`: metadata is not JSON: {e}", r.id)))?;
        if meta.as_ref() == Some(&want) {
            return Ok(Some(r.id));
        }
    }
    Ok(None)
}

/// Give the molecule to `n` polecats of `rig` (`rig/polecat-1` ...): their hook, the
/// adapter, ready to be started by the witness. Polecats of an earlier run of the same
/// molecule beyond `n` are let go.
pub fn sling_polecats(
    tx: &Tx,
    me: &Me,
    rig: &str,
    mol: &str,
    n: u32,
    adapter: AdapterKind,
) -> Result<()> {
    agents::current(tx, me)?;
    let names: Vec<String> = (1..=n)
        .map(|i| agents::rig_agent(rig, &format!("polecat-{i}")))
        .collect();
    for name in &names {
        let mut a = agents::ensure(tx, name, Role::Polecat, Some(rig))?;
        a.state.hook = Some(mol.to_owned());
        a.state.adapter = Some(adapter.name().to_owned());
        if a.state.phase != Phase::Dead || a.state.process.is_none() {
            a.state.phase = Phase::Assigned;
        }
        a.state.nudged_at = None;
        agents::save(tx, &mut a)?;
    }
    for mut a in agents::list(tx, Some(Role::Polecat), Some(rig))? {
        if a.state.hook.as_deref() == Some(mol) && !names.contains(&a.name) {
            a.state.hook = None;
            agents::save(tx, &mut a)?;
        }
    }
    Ok(())
}

/// Something the molecule waits for; `machine`: the village itself will get past it
/// (a timer, an external check), so the run keeps waiting.
pub struct Waiting {
    pub text: String,
    pub machine: bool,
}

/// What the open steps of `mol` wait for.
fn waiting_on(tx: &Tx, mol: &str) -> Result<Vec<Waiting>> {
    let mut out = Vec::new();
    let members = tx.subtree(mol)?;
    let inside: std::collections::HashSet<&str> = members.iter().map(String::as_str).collect();
    for id in members.iter().skip(1) {
        let Some(issue) = tx.get(id)? else { continue };
        if crate::ledger::blocked::done(&issue.status) {
            continue;
        }
        if issue.issue_type == "gate" {
            let kind = issue.await_type.clone().unwrap_or_default();
            let machine = crate::flow::gates::machine_checked(&kind)
                && !crate::flow::gates::is_failed(&issue);
            let mut text = format!(
                "gate {} ({kind}{})",
                issue.id,
                issue
                    .await_id
                    .as_ref()
                    .map(|a| format!(" {a}"))
                    .unwrap_or_default()
            );
            if !machine {
                // Only a person opens it: say how.
                text.push_str(&format!(": open it with `gt gate approve {}`", issue.id));
            }
            out.push(Waiting { text, machine });
            continue;
        }
        if crate::ledger::record::NOT_WORK_TYPES.contains(&issue.issue_type.as_str()) {
            continue;
        }
        if issue.status == "deferred" {
            out.push(Waiting {
                text: format!(
                    "{} is deferred (escalated): `gt update {} --status open` when settled",
                    issue.id, issue.id
                ),
                machine: false,
            });
            continue;
        }
        for b in crate::ledger::blocked::blockers(tx, &issue)? {
            if let crate::ledger::blocked::Blocker::Issue {
                id: b,
                status,
                gate: None,
            } = &b
                && !inside.contains(b.as_str())
            {
                out.push(Waiting {
                    text: format!(
                        "{} is blocked by {b} ({status}), outside the molecule",
                        issue.id
                    ),
                    machine: false,
                });
            }
        }
    }
    Ok(out)
}

/// Stop every process of the village (SIGTERM, then SIGKILL after a while).
fn stop_village(ledger: &mut Ledger, me: &Me, deacon: ProcId) -> Result<()> {
    let mut procs = vec![deacon];
    for a in ledger.read(|tx| agents::list(tx, None, None))? {
        if a.name == me.name {
            continue;
        }
        if let Some(p) = a.state.process
            && p.state() == ProcState::Alive
        {
            procs.push(p);
        }
    }
    for p in &procs {
        let _ = p.terminate();
    }
    spawn::wait_or_kill(&procs, Duration::from_secs(20));
    Ok(())
}

/// Progress output: redrawn in place on a terminal, plain lines (when something
/// changed) otherwise.
struct Screen {
    tty: bool,
    drawn: usize,
    last: Option<(Counts, Vec<String>)>,
    last_plain: Option<Instant>,
}

impl Screen {
    fn new(plain: bool) -> Screen {
        Screen {
            tty: !plain && std::io::stdout().is_terminal(),
            drawn: 0,
            last: None,
            last_plain: None,
        }
    }

    fn say(&mut self, text: &str) {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{text}");
        let _ = out.flush();
    }

    fn draw(&mut self, c: &Counts, agents: &[progress::AgentLine]) {
        let lines: Vec<String> = agents
            .iter()
            .filter(|a| a.role != "mayor")
            .map(line)
            .collect();
        let mut out = std::io::stdout().lock();
        if self.tty {
            if self.drawn > 0 {
                let _ = write!(out, "\x1b[{}F", self.drawn);
            }
            let _ = writeln!(out, "\x1b[2K{}", bar(c, 30));
            for l in &lines {
                let _ = writeln!(out, "\x1b[2K  {l}");
            }
            self.drawn = lines.len() + 1;
        } else {
            let changed = self.last.as_ref().is_none_or(|(lc, _)| lc != c);
            let due = self
                .last_plain
                .is_none_or(|t| t.elapsed() >= Duration::from_millis(500));
            if changed && due {
                let _ = writeln!(out, "{}", bar(c, 20));
                self.last_plain = Some(Instant::now());
                self.last = Some((c.clone(), lines));
            }
        }
        let _ = out.flush();
    }

    fn finish(&mut self) {
        self.drawn = 0;
    }
}
