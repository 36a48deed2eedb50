//! Agent adapters: what runs a step. A role hands its adapter a [`Task`] (the step, its
//! molecule, the attempt, a working directory, a prompt file) and gets an [`Outcome`]:
//! one of the four exits (COMPLETED, BLOCKED, REFACTOR, ESCALATE), or a failure.
//!
//! - [`script`]: built in and deterministic, for tests and demos (delay, failure, hang,
//!   crash and each exit, per step and attempt);
//! - [`exec`]: a configured command per step, the step in `GT_*` variables and a prompt
//!   file (values are data, never spliced into a shell string);
//! - [`claude`]: the Claude Code CLI in headless mode, with a role prompt plus the step.
//!
//! An adapter shows it is alive through [`Watch::beat`] (the role turns that into
//! heartbeats in the ledger), and stops when [`Watch::stopping`] says so.

pub mod child;
pub mod claude;
pub mod exec;
pub mod prompt;
pub mod result;
pub mod script;

use crate::error::Result;
use crate::ledger::Issue;
use crate::town::config::{AdapterKind, TownConfig};
use crate::town::process::ProcId;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// One step to run.
#[derive(Clone, Debug)]
pub struct Task {
    /// The agent's address (`app/polecat-1`).
    pub agent: String,
    /// Its role (`polecat`, or a patrol role running a step without a built-in action).
    pub role: String,
    /// The step.
    pub step: Issue,
    /// The molecule root, when the step belongs to one.
    pub molecule: Option<Issue>,
    /// Which attempt at this step (1 first).
    pub attempt: u32,
    /// Where to work (the agent's worktree, or a scratch directory).
    pub workdir: PathBuf,
    /// The prompt file (written before the agent starts).
    pub prompt_file: PathBuf,
    /// Where the agent may write its exit as JSON (see [`result`]).
    pub result_file: PathBuf,
    /// The town's root directory.
    pub town: PathBuf,
    /// The molecule's var values.
    pub vars: BTreeMap<String, String>,
}

/// How a step ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// COMPLETED: the work is done (`output` feeds conditions and `on_complete`).
    Completed {
        output: Option<Value>,
        summary: Option<String>,
    },
    /// BLOCKED: something outside the step stands in its way; filed as an issue.
    Blocked {
        blocker: String,
        detail: Option<String>,
    },
    /// REFACTOR: the remaining work split into new issues, done before the step.
    Refactor { parts: Vec<String> },
    /// ESCALATE: a person must decide; the overseer is mailed.
    Escalate { reason: String },
    /// The attempt failed (retried up to the village's `max_attempts`).
    Failed { reason: String },
    /// The role asked the agent to stop (not an attempt of its own).
    Stopped,
}

impl Outcome {
    /// The exit's name: completed, blocked, refactor, escalate, failed, stopped.
    pub fn exit(&self) -> &'static str {
        match self {
            Outcome::Completed { .. } => "completed",
            Outcome::Blocked { .. } => "blocked",
            Outcome::Refactor { .. } => "refactor",
            Outcome::Escalate { .. } => "escalate",
            Outcome::Failed { .. } => "failed",
            Outcome::Stopped => "stopped",
        }
    }
}

/// What an adapter and the role watching it share while a step runs.
#[derive(Debug, Default)]
pub struct Watch {
    activity: AtomicU64,
    nudged: AtomicBool,
    stop: AtomicBool,
    child: Mutex<Option<ProcId>>,
}

impl Watch {
    /// The agent shows a sign of life (output, a tick of work).
    pub fn beat(&self) {
        self.activity.fetch_add(1, Ordering::Relaxed);
    }

    /// How many signs of life so far.
    pub fn activity(&self) -> u64 {
        self.activity.load(Ordering::Relaxed)
    }

    /// The witness nudged the agent.
    pub fn nudge(&self) {
        self.nudged.store(true, Ordering::Relaxed);
    }

    /// Whether the agent was nudged (and forget it).
    pub fn take_nudge(&self) -> bool {
        self.nudged.swap(false, Ordering::Relaxed)
    }

    /// Ask the agent to stop.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    /// Whether the agent should stop.
    pub fn stopping(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// The adapter started a process for the step (recorded so it dies with the agent).
    pub fn set_child(&self, child: Option<ProcId>) {
        if let Ok(mut c) = self.child.lock() {
            *c = child;
        }
    }

    /// The adapter's process, if it runs one.
    pub fn child(&self) -> Option<ProcId> {
        self.child.lock().ok().and_then(|c| *c)
    }
}

/// Run a program (its own process group, output lines as signs of life, stopped when
/// `watch` says, killed at `timeout`).
pub fn run_child(
    cmd: std::process::Command,
    watch: &Watch,
    timeout: std::time::Duration,
) -> Result<child::Finished> {
    child::run(cmd, None, watch, timeout)
}

/// An adapter.
pub trait Agent: Send {
    /// Run `task` to an outcome. An `Err` is a problem of the adapter itself (its
    /// program missing, say); the role records it like a failed attempt.
    fn run(&mut self, task: &Task, watch: &Watch) -> Result<Outcome>;
}

/// The adapter of `kind`, configured from the town.
pub fn adapter(kind: AdapterKind, config: &TownConfig) -> Result<Box<dyn Agent>> {
    Ok(match kind {
        AdapterKind::Script => Box::new(script::Script::new(config.script.clone())),
        AdapterKind::Exec => {
            let exec = config.exec.clone().ok_or_else(|| {
                crate::error::Error::Invalid(String::from(
                    "the exec adapter needs a command: add [agents.exec] command = [\"./agent\", ...] to .beads/config.toml",
                ))
            })?;
            Box::new(exec::Exec::new(exec))
        }
        AdapterKind::Claude => Box::new(claude::Claude::new(config.claude.clone())),
    })
}

#[cfg(test)]
mod adapter_tests;
