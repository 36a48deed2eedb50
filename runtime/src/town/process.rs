//! Processes as the town sees them: a pid together with the process's start time (so a
//! reused pid is never mistaken for the agent that had it), read from `/proc`, and
//! signals sent by that identity.

use serde::{Deserialize, Serialize};

/// A process: its pid and its start time (clock ticks since boot, `/proc/PID/stat` field
/// 22). Two processes never share both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcId {
    pub pid: u32,
    pub start: u64,
}

/// What `/proc` says about a process.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProcState {
    /// Running (or sleeping, or stopped): the same process that was recorded.
    Alive,
    /// Exited but not yet reaped by its parent: it does nothing any more.
    Zombie,
    /// No such process, or the pid now belongs to another process.
    Gone,
}

impl ProcId {
    /// This process.
    pub fn current() -> std::io::Result<ProcId> {
        let pid = std::process::id();
        let (_, start) = stat(pid)?.ok_or_else(|| {
            std::io::Error::other(format!("/proc/{pid}/stat does not describe this process"))
        })?;
        Ok(ProcId { pid, start })
    }

    /// The process with `pid`, as it is now (`None`: there is none).
    pub fn of(pid: u32) -> std::io::Result<Option<ProcId>> {
        Ok(stat(pid)?.map(|(_, start)| ProcId { pid, start }))
    }

    /// Whether this process still runs.
    pub fn state(&self) -> ProcState {
        match stat(self.pid) {
            Ok(Some((state, start))) if start == self.start => {
                if matches!(state, 'Z' | 'X' | 'x') {
                    ProcState::Zombie
                } else {
                    ProcState::Alive
                }
            }
            // Unreadable /proc or another process with this pid: not the recorded one.
            _ => ProcState::Gone,
        }
    }

    /// Send `SIGKILL`, if the process is still this one (a reused pid is left alone).
    pub fn kill(&self) -> std::io::Result<()> {
        self.signal(rustix::process::Signal::KILL)
    }

    /// Send `SIGTERM` (a request to stop cleanly), if the process is still this one.
    pub fn terminate(&self) -> std::io::Result<()> {
        self.signal(rustix::process::Signal::TERM)
    }

    fn signal(&self, sig: rustix::process::Signal) -> std::io::Result<()> {
        if self.state() != ProcState::Alive {
            return Ok(());
        }
        let Some(pid) = self.rustix_pid() else {
            return Ok(());
        };
        gone_is_done(rustix::process::kill_process(pid, sig))
    }

    /// The pid as rustix takes it (`None` for one no process can have).
    fn rustix_pid(&self) -> Option<rustix::process::Pid> {
        i32::try_from(self.pid)
            .ok()
            .and_then(rustix::process::Pid::from_raw)
    }

    /// Signal the process group this process leads (an adapter's command and whatever it
    /// started), if the leader is still this process.
    pub fn kill_group(&self) -> std::io::Result<()> {
        if self.state() == ProcState::Gone {
            return Ok(());
        }
        let Some(pid) = self.rustix_pid() else {
            return Ok(());
        };
        gone_is_done(rustix::process::kill_process_group(
            pid,
            rustix::process::Signal::KILL,
        ))
    }
}

/// A signal's result: a process (or group) that is gone already needed no signal.
fn gone_is_done(sent: rustix::io::Result<()>) -> std::io::Result<()> {
    match sent {
        Ok(()) => Ok(()),
        Err(e) if e == rustix::io::Errno::SRCH => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// `(state letter, start time)` of `pid` from `/proc/PID/stat`; `None` when there is no
/// such process.
fn stat(pid: u32) -> std::io::Result<Option<(char, u64)>> {
    let text = match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) if e.raw_os_error() == Some(3) => return Ok(None), // ESRCH: exited meanwhile
        Err(e) => return Err(e),
    };
    // `pid (comm) state ppid ...`: comm may hold spaces and parentheses, so read after
    // the last `)`.
    let rest = text
        .rsplit_once(')')
        .map(|(_, r)| r)
        .ok_or_else(|| std::io::Error::other(format!("/proc/{pid}/stat: no `)`: {text}")))?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After comm: field 3 (state) is fields[0], field 22 (starttime) is fields[19].
    let state = fields.first().and_then(|s| s.chars().next());
    let start = fields.get(19).and_then(|s| s.parse::<u64>().ok());
    match (state, start) {
        (Some(s), Some(t)) => Ok(Some((s, t))),
        _ => Err(std::io::Error::other(format!(
            "/proc/{pid}/stat is not in the expected form: {text}"
        ))),
    }
}

/// Make this process the reaper of its orphaned descendants (Linux `PR_SET_CHILD_SUBREAPER`):
/// a role whose supervisor died is re-parented here, not to init, and is reaped by
/// [`reap_any`].
pub fn become_subreaper() -> std::io::Result<()> {
    rustix::process::set_child_subreaper(Some(rustix::process::getpid())).map_err(Into::into)
}

/// Reap every exited child (own or adopted) without waiting; their pids.
pub fn reap_any() -> Vec<u32> {
    let mut out = Vec::new();
    while let Ok(Some((pid, _))) =
        rustix::process::waitpid(None, rustix::process::WaitOptions::NOHANG)
    {
        out.push(pid.as_raw_nonzero().get().unsigned_abs());
    }
    out
}

/// Reap `pid` if it has exited (a direct child); whether it had.
pub fn reap(pid: u32) -> bool {
    let Some(p) = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    else {
        return false;
    };
    matches!(
        rustix::process::waitpid(Some(p), rustix::process::WaitOptions::NOHANG),
        Ok(Some(_))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_made_up_start_time_is_not() {
        let me = ProcId::current().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(me.state(), ProcState::Alive);
        let other = ProcId {
            pid: me.pid,
            start: me.start + 1,
        };
        assert_eq!(
            other.state(),
            ProcState::Gone,
            "a reused pid is another process"
        );
    }

    #[test]
    fn a_killed_child_is_a_zombie_until_reaped_then_gone() {
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap_or_else(|e| panic!("{e}"));
        let id = ProcId::of(child.id())
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("no /proc entry for the child"));
        assert_eq!(id.state(), ProcState::Alive);
        id.kill().unwrap_or_else(|e| panic!("{e}"));
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while id.state() == ProcState::Alive && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        assert_eq!(id.state(), ProcState::Zombie);
        child.wait().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(id.state(), ProcState::Gone);
    }
}
