//! The town: the village's settings, where it keeps its files, and the identity and
//! liveness of its agents in the ledger.
//!
//! - [`config`]: `.beads/config.toml` (timings, adapters per role, rigs);
//! - [`layout`]: `.beads/village/` (worktrees, logs, prompts), never in git;
//! - [`agents`]: agent records, generations, heartbeats;
//! - [`lease`]: the step an agent holds, taken and returned against its generation;
//! - [`liveness`]: the verdict on an agent from evidence (heartbeat, process, progress);
//! - [`lifecycle`]: protocol mail naming agent and generation (stale news is ignored);
//! - [`process`]: pids with start times, signals, reaping.

pub mod agents;
pub mod config;
pub mod layout;
pub mod lease;
pub mod lifecycle;
pub mod liveness;
pub mod process;

#[cfg(test)]
pub(crate) mod lease_tests;
