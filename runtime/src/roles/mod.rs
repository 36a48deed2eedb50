//! The roles, each a loop over ledger state in its own process, started and supervised
//! by another: `gt run` (the mayor) starts the deacon, the deacon keeps each rig's
//! witness and refinery alive, the witness keeps its polecats alive.
//!
//! - [`polecat`]: works steps from its hook, one attempt at a time, and ends each
//!   through an exit;
//! - [`witness`]: judges its polecats on evidence, nudges, kills and respawns;
//! - [`refinery`]: the merge queue, first in first out;
//! - [`deacon`]: keeps witnesses and refineries alive, runs patrol cycles, evaluates gates;
//! - [`patrol`]: the roles' patrol formulas, poured and squashed each cycle;
//! - [`spawn`]: starting a role's process and watching it.
//!
//! Every role registers a new generation when it starts, stops cleanly on SIGTERM or
//! SIGINT, and stops when the process that supervises the village (`--parent`) is gone.

pub mod deacon;
pub mod patrol;
pub mod polecat;
pub mod refinery;
pub mod spawn;
pub mod witness;

use crate::error::{Error, Result};
use crate::flow::FlowCtx;
use crate::ledger::{Durability, Ledger};
use crate::town::config::TownConfig;
use crate::town::layout::Layout;
use crate::town::process::{ProcId, ProcState};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// What every role process works with.
pub struct RoleEnv {
    pub ledger: Ledger,
    pub config: TownConfig,
    pub layout: Layout,
    /// The town's root.
    pub root: PathBuf,
    pub flow: FlowCtx,
    /// Set by SIGTERM / SIGINT.
    pub stop: Arc<AtomicBool>,
    /// The village's supervisor: when it is gone, the role stops.
    pub parent: Option<ProcId>,
    version: i64,
}

impl RoleEnv {
    /// Open the town at or above `dir` as `actor`; signals set the stop flag.
    pub fn open(dir: &Path, actor: &str, parent: Option<ProcId>) -> Result<RoleEnv> {
        let ledger = open_ledger(dir, actor)?;
        let root = ledger.root().to_path_buf();
        let config = TownConfig::load(&root, &ledger.dir)?;
        let layout = Layout::create(&ledger.dir)?;
        let stop = Arc::new(AtomicBool::new(false));
        for sig in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
            signal_hook::flag::register(sig, Arc::clone(&stop))
                .map_err(|e| Error::Invalid(format!("cannot handle signal {sig}: {e}")))?;
        }
        let flow = FlowCtx {
            root: root.clone(),
            load: load_options(&root),
            overseer: config.village.overseer.clone(),
            max_attempts: config.village.max_attempts,
        };
        let version = ledger.data_version()?;
        Ok(RoleEnv {
            ledger,
            config,
            layout,
            root,
            flow,
            stop,
            parent,
            version,
        })
    }

    /// Whether to stop: a signal arrived, or the supervisor is gone.
    pub fn should_stop(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
            || self.parent.is_some_and(|p| p.state() != ProcState::Alive)
    }

    /// Wait until `max` passes or the role should stop (for a role that has nothing
    /// to look for in the ledger meanwhile).
    pub fn rest(&self, max: Duration) {
        let end = Instant::now() + max;
        loop {
            let now = Instant::now();
            if now >= end || self.should_stop() {
                return;
            }
            std::thread::sleep((end - now).min(Duration::from_millis(25)));
        }
    }

    /// Wait until another process commits to the ledger, `max` passes, or the role
    /// should stop.
    pub fn wait_for_change(&mut self, max: Duration) -> Result<()> {
        let end = Instant::now() + max;
        let mut pause = Duration::from_millis(2);
        loop {
            let v = self.ledger.data_version()?;
            if v != self.version {
                self.version = v;
                return Ok(());
            }
            let now = Instant::now();
            if now >= end || self.should_stop() {
                return Ok(());
            }
            std::thread::sleep(pause.min(end - now));
            pause = (pause * 2).min(Duration::from_millis(25));
        }
    }
}

/// The ledger at or above `dir`, as a role uses it: its commits survive the role being
/// killed, not a power loss (see ARCHITECTURE.md, "The village", for why that loses no
/// work).
pub fn open_ledger(dir: &Path, actor: &str) -> Result<Ledger> {
    let ledger = Ledger::discover(dir, actor)?;
    ledger.set_durability(Durability::ProcessCrash)?;
    Ok(ledger)
}

/// Cook every patrol the town's roles will run (the deacon's; each rig's witness's and
/// refinery's), so that one with a step its role cannot carry out is refused before the
/// village starts.
pub fn check_patrols(config: &TownConfig, load: &gtc::driver::LoadOptions) -> Result<()> {
    patrol::Patrol::<deacon::Step>::load(std::collections::BTreeMap::new(), load)?;
    for (name, rig) in &config.rigs {
        patrol::Patrol::<witness::Step>::load(witness::patrol_vars(name), load)?;
        if rig.git {
            let vars = refinery::patrol_vars(name, rig.branch.as_deref());
            patrol::Patrol::<refinery::Step>::load(vars, load)?;
        }
    }
    Ok(())
}

/// Where the village finds formulas (on-complete bonds, the deacon's patrol): the
/// town's search path.
pub fn load_options(root: &Path) -> gtc::driver::LoadOptions {
    gtc::driver::LoadOptions {
        search_path: Vec::new(),
        cwd: root.to_path_buf(),
        home: std::env::var_os("HOME").map(PathBuf::from),
    }
}

/// A line of a role's log (its standard error): time, agent, generation, message.
pub fn log(name: &str, generation: u64, msg: &str) {
    eprintln!("{} {name} g{generation}: {msg}", crate::ledger::time::now());
}

/// Parse `PID:START` (a process identity given on the command line).
pub fn parse_proc(s: &str) -> Result<ProcId> {
    let bad = || Error::Invalid(format!("`{s}` is not PID:START"));
    let (p, t) = s.split_once(':').ok_or_else(bad)?;
    Ok(ProcId {
        pid: p.parse().map_err(|_| bad())?,
        start: t.parse().map_err(|_| bad())?,
    })
}

/// The error a role stops on, as its supervisor should read it. When a newer generation
/// of the role registered meanwhile, what failed was news about an earlier incarnation
/// (the successor burns the patrol cycle this one was still working on, so this one's
/// next step on it fails): the role was superseded (exit code 3), not broken. Otherwise,
/// and when the ledger cannot tell, the error itself.
pub fn superseded_or(ledger: &mut Ledger, me: &crate::town::agents::Me, e: Error) -> Error {
    if matches!(e, Error::Superseded { .. }) {
        return e;
    }
    match ledger.read(|tx| crate::town::agents::current(tx, me)) {
        Err(superseded @ Error::Superseded { .. }) => superseded,
        _ => e,
    }
}

/// How a role process ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Ended {
    /// Asked to stop, or its supervisor is gone.
    Stopped,
    /// Its work is finished.
    Done,
    /// A newer generation of it registered: it left everything to that one.
    Superseded,
}

impl Ended {
    /// The process exit code: 0 stopped or done, 3 superseded.
    pub fn code(&self) -> i32 {
        match self {
            Ended::Stopped | Ended::Done => 0,
            Ended::Superseded => 3,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_role_commits_without_fsync_while_gt_commands_keep_it() {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let cmd = Ledger::init(tmp.path(), "t", "me").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cmd.durability().ok(), Some(Durability::PowerLoss));
        let role = open_ledger(tmp.path(), "role").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(role.durability().ok(), Some(Durability::ProcessCrash));
        // The setting is the connection's: another command still syncs.
        let again = Ledger::discover(tmp.path(), "me").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(again.durability().ok(), Some(Durability::PowerLoss));
    }

    /// An error met after a newer generation registered reads as superseded; before,
    /// or for the newest generation, it stays the error it is.
    #[test]
    fn an_error_after_a_successor_registered_is_a_supersession() {
        use crate::town::agents::{self, Role};
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let mut ledger = Ledger::init(tmp.path(), "t", "role").unwrap_or_else(|e| panic!("{e}"));
        let proc_id = ProcId::current().unwrap_or_else(|e| panic!("{e}"));
        let register = |l: &mut Ledger| {
            l.write(|tx| agents::register(tx, "w", Role::Witness, Some("r"), proc_id))
                .unwrap_or_else(|e| panic!("{e}"))
                .me
        };
        let old = register(&mut ledger);
        let failed = || Error::Invalid(String::from("the cycle is gone"));
        assert!(matches!(
            superseded_or(&mut ledger, &old, failed()),
            Error::Invalid(_)
        ));
        let new = register(&mut ledger);
        assert!(matches!(
            superseded_or(&mut ledger, &old, failed()),
            Error::Superseded { current, .. } if current == new.generation
        ));
        assert!(matches!(
            superseded_or(&mut ledger, &new, failed()),
            Error::Invalid(_)
        ));
    }
}
