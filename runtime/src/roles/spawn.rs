//! Starting a role's process (`gt role ROLE --name NAME ...`, the same program), its
//! standard error appended to its log, and keeping track of the ones a supervisor
//! started itself.

use crate::error::{Error, Result};
use crate::town::agents::Role;
use crate::town::layout::Layout;
use crate::town::process::ProcId;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};

/// Start `name` (a `role`, on `rig`) in `root`; `parent` is the village's supervisor.
pub fn start(
    root: &Path,
    layout: &Layout,
    role: Role,
    name: &str,
    rig: Option<&str>,
    parent: Option<ProcId>,
) -> Result<ProcId> {
    let exe = std::env::current_exe().map_err(|e| Error::io("the gt program", e))?;
    let log_path = layout.log(name);
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log_path)
        .map_err(|e| Error::io(&log_path, e))?;
    let err = log.try_clone().map_err(|e| Error::io(&log_path, e))?;
    let mut cmd = Command::new(exe);
    cmd.arg("role").arg(role.name()).arg("--name").arg(name);
    if let Some(r) = rig {
        cmd.arg("--rig").arg(r);
    }
    if let Some(p) = parent {
        cmd.arg("--parent").arg(format!("{}:{}", p.pid, p.start));
    }
    cmd.current_dir(root)
        .env("GT_ACTOR", name)
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(err);
    let child = cmd
        .spawn()
        .map_err(|e| Error::Invalid(format!("cannot start {name}: {e}")))?;
    // The child is watched by pid and start time (and reaped with `waitpid`), not
    // through `Child`; dropping it neither waits nor kills.
    let pid = child.id();
    drop(child);
    ProcId::of(pid)
        .map_err(|e| Error::io("/proc", e))?
        .ok_or_else(|| {
            Error::Invalid(format!(
                "{name} (pid {pid}) exited at once; see {}",
                log_path.display()
            ))
        })
}

/// How a child ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChildExit {
    /// Exit code.
    Code(i32),
    /// Killed by a signal.
    Signal,
}

/// The children a supervisor started, by name.
#[derive(Debug, Default)]
pub struct Children {
    running: BTreeMap<String, ProcId>,
}

impl Children {
    pub fn add(&mut self, name: &str, p: ProcId) {
        self.running.insert(name.to_owned(), p);
    }

    /// Whether `name` is a child of ours, still running as `p`.
    pub fn is(&self, name: &str, p: ProcId) -> bool {
        self.running.get(name) == Some(&p)
    }

    /// Whether `name` is a child of ours that has not registered yet (its record still
    /// names `registered`, another process or none).
    pub fn starting(&self, name: &str, registered: Option<ProcId>) -> bool {
        self.running
            .get(name)
            .is_some_and(|p| Some(*p) != registered)
    }

    /// Reap the children that exited; (name, how) for each.
    pub fn reap(&mut self) -> Vec<(String, ChildExit)> {
        let mut out = Vec::new();
        self.running.retain(|name, p| match wait(p.pid) {
            Some(how) => {
                out.push((name.clone(), how));
                false
            }
            None => true,
        });
        out
    }

    /// Ask every child to stop (SIGTERM); their identities.
    pub fn terminate_all(&self) -> Vec<ProcId> {
        for p in self.running.values() {
            // A child that is already gone needs no signal.
            let _ = p.terminate();
        }
        self.running.values().copied().collect()
    }
}

/// Reap `pid` if it exited.
fn wait(pid: u32) -> Option<ChildExit> {
    let p = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)?;
    match rustix::process::waitpid(Some(p), rustix::process::WaitOptions::NOHANG) {
        Ok(Some((_, status))) => Some(match status.exit_status() {
            Some(code) => ChildExit::Code(code),
            None => ChildExit::Signal,
        }),
        Ok(None) => None,
        // Not our child (any more): treat as gone.
        Err(_) => Some(ChildExit::Signal),
    }
}

/// Wait up to `within` for the processes `ps` to end (reaping children among them);
/// those still running are killed.
pub fn wait_or_kill(ps: &[ProcId], within: std::time::Duration) {
    let end = std::time::Instant::now() + within;
    loop {
        crate::town::process::reap_any();
        let alive: Vec<&ProcId> = ps
            .iter()
            .filter(|p| p.state() == crate::town::process::ProcState::Alive)
            .collect();
        if alive.is_empty() {
            return;
        }
        if std::time::Instant::now() >= end {
            for p in alive {
                let _ = p.kill();
            }
            crate::town::process::reap_any();
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}
