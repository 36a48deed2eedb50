//! Liveness judged on evidence: the age of an agent's heartbeat, the state of its
//! process, and its progress in the ledger, taken together; never one signal alone.
//!
//! | process | heartbeat | progress | verdict |
//! | --- | --- | --- | --- |
//! | gone or zombie | any | any | dead (unless it stopped or finished cleanly) |
//! | alive | fresh | any | idle or working (as it says) |
//! | alive | stale | fresh | working: slow to beat, but it moves work |
//! | alive | stale | stale | stuck |
//! | none recorded | any | any | not started |
//!
//! "Stale" is older than `stuck_after`; a process is the recorded pid with its recorded
//! start time, so a reused pid is not mistaken for the agent.

use super::agents::{AgentState, Phase};
use super::process::ProcState;
use crate::ledger::time::nanos;
use std::time::Duration;

/// What is known about an agent.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Evidence {
    /// Seconds since its last heartbeat (`None`: never).
    pub heartbeat_age: Option<f64>,
    /// Seconds since it last moved work in the ledger.
    pub progress_age: Option<f64>,
    /// Its process (`None`: none recorded).
    pub process: Option<ProcState>,
    /// What it says it does.
    pub phase: Phase,
}

/// The judgement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Never started (has work but no process).
    NotStarted,
    Idle,
    Working,
    /// Alive, but neither heartbeat nor progress within the timeout.
    Stuck,
    /// Its process is gone while it should run.
    Dead,
    /// Stopped cleanly.
    Stopped,
    /// Its work is finished.
    Done,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::NotStarted => "not started",
            Verdict::Idle => "idle",
            Verdict::Working => "working",
            Verdict::Stuck => "stuck",
            Verdict::Dead => "dead",
            Verdict::Stopped => "stopped",
            Verdict::Done => "done",
        }
    }
}

/// Seconds from `ts` to `now_nanos` (`None` when `ts` does not parse).
pub fn age(ts: Option<&str>, now_nanos: i128) -> Option<f64> {
    let t = nanos(ts?)?;
    Some(((now_nanos - t).max(0) as f64) / 1e9)
}

impl Evidence {
    /// Gather the evidence about an agent in `state`, now.
    pub fn of(state: &AgentState, now_nanos: i128) -> Evidence {
        Evidence {
            heartbeat_age: age(state.heartbeat_at.as_deref(), now_nanos),
            progress_age: age(state.progress_at.as_deref(), now_nanos),
            process: state.process.map(|p| p.state()),
            phase: state.phase,
        }
    }

    /// The verdict, with `stuck_after` as the timeout.
    pub fn verdict(&self, stuck_after: Duration) -> Verdict {
        let limit = stuck_after.as_secs_f64();
        let fresh = |a: Option<f64>| a.is_some_and(|a| a <= limit);
        match (self.process, self.phase) {
            (_, Phase::Stopped) if self.process != Some(ProcState::Alive) => Verdict::Stopped,
            (_, Phase::Done) if self.process != Some(ProcState::Alive) => Verdict::Done,
            (_, Phase::Dead) => Verdict::Dead,
            (None, Phase::Assigned) => Verdict::NotStarted,
            (None, _) => Verdict::Dead,
            (Some(ProcState::Gone | ProcState::Zombie), _) => Verdict::Dead,
            (Some(ProcState::Alive), phase) => {
                if fresh(self.heartbeat_age) {
                    match phase {
                        Phase::Working => Verdict::Working,
                        Phase::Done => Verdict::Done,
                        _ => Verdict::Idle,
                    }
                } else if fresh(self.progress_age) {
                    Verdict::Working
                } else {
                    Verdict::Stuck
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(
        process: Option<ProcState>,
        hb: Option<f64>,
        progress: Option<f64>,
        phase: Phase,
    ) -> Verdict {
        Evidence {
            heartbeat_age: hb,
            progress_age: progress,
            process,
            phase,
        }
        .verdict(Duration::from_secs(10))
    }

    #[test]
    fn every_row_of_the_table() {
        use ProcState::*;
        assert_eq!(
            ev(Some(Gone), Some(0.1), Some(0.1), Phase::Working),
            Verdict::Dead
        );
        assert_eq!(
            ev(Some(Zombie), Some(0.1), None, Phase::Idle),
            Verdict::Dead
        );
        assert_eq!(
            ev(Some(Alive), Some(1.0), None, Phase::Working),
            Verdict::Working
        );
        assert_eq!(ev(Some(Alive), Some(1.0), None, Phase::Idle), Verdict::Idle);
        assert_eq!(
            ev(Some(Alive), Some(60.0), Some(2.0), Phase::Working),
            Verdict::Working
        );
        assert_eq!(
            ev(Some(Alive), Some(60.0), Some(60.0), Phase::Working),
            Verdict::Stuck
        );
        assert_eq!(ev(Some(Alive), None, None, Phase::Starting), Verdict::Stuck);
        assert_eq!(ev(None, None, None, Phase::Assigned), Verdict::NotStarted);
        assert_eq!(
            ev(Some(Gone), Some(100.0), None, Phase::Stopped),
            Verdict::Stopped
        );
        assert_eq!(
            ev(Some(Gone), Some(100.0), None, Phase::Done),
            Verdict::Done
        );
        assert_eq!(
            ev(Some(Alive), Some(100.0), None, Phase::Dead),
            Verdict::Dead
        );
    }

    #[test]
    fn one_stale_signal_is_not_enough() {
        // A stale heartbeat alone (the process runs and moves work) is not stuck.
        assert_ne!(
            ev(
                Some(ProcState::Alive),
                Some(600.0),
                Some(1.0),
                Phase::Working
            ),
            Verdict::Stuck
        );
        // A fresh heartbeat from a pid that now belongs to someone else is not alive.
        assert_eq!(
            ev(Some(ProcState::Gone), Some(0.0), Some(0.0), Phase::Working),
            Verdict::Dead
        );
    }
}
