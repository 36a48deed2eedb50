//! Leases: the step an agent holds, taken and given back inside ledger transactions and
//! always checked against the holder's generation.
//!
//! A polecat takes the most urgent ready step of its hook ([`acquire_next`], a claim:
//! status `in_progress`, the polecat as assignee, exactly one taker) and records the lease
//! on its own record in the same transaction. The lease ends when the step is finished or
//! submitted to the merge queue ([`end`]), given back ([`give_back`]), or when it expires:
//! the holder's process is gone or its heartbeat is older than the lease time, and then
//! [`expire`] returns the step to ready in one transaction, provided the agent is still
//! the generation that was judged (news about an earlier incarnation changes nothing).

use super::agents::{self, Agent, Lease, Me, Phase};
use crate::error::{Error, Result};
use crate::ledger::ready::{ReadyQuery, Reason, for_each_ready, reasons};
use crate::ledger::time::now;
use crate::ledger::{Issue, Tx};
use crate::work::{claim, comment, holder};

/// The prefix of the notes the runtime writes on a step, one per attempt that did not
/// finish it.
pub const ATTEMPT: &str = "[gt] attempt ";

/// Which attempt at `step` comes next (1 for a step never tried).
pub fn next_attempt(step: &Issue) -> u32 {
    let ended = step
        .comments
        .iter()
        .filter(|c| c.text.starts_with(ATTEMPT))
        .count();
    u32::try_from(ended).unwrap_or(u32::MAX).saturating_add(1)
}

/// How many attempts at `step` failed (the agent failed or died, the work was rejected).
pub fn failures(step: &Issue) -> u32 {
    let n = step
        .comments
        .iter()
        .filter(|c| c.text.starts_with(ATTEMPT) && c.text.contains(" failed: "))
        .count();
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Note on `step` how an attempt ended: `[gt] attempt N failed: why` (`failed`) or
/// `[gt] attempt N: what`.
pub fn note_attempt(step: &mut Issue, author: &str, failed: bool, text: &str) {
    let n = next_attempt(step);
    let line = if failed {
        format!("{ATTEMPT}{n} failed: {text}")
    } else {
        format!("{ATTEMPT}{n}: {text}")
    };
    comment::add_to(step, author, &line);
}

/// Take the most urgent ready step of `hook` for `me` and record the lease; `None` when
/// nothing there is ready. A hook that is a single issue pinned to `me` is itself the
/// step once nothing else keeps it from being ready.
pub fn acquire_next(tx: &Tx, me: &Me, hook: &str) -> Result<Option<Issue>> {
    let mut agent = agents::current(tx, me)?;
    if let Some(l) = &agent.state.lease {
        return Err(Error::Refused(format!(
            "{} already holds `{}`; finish or give it back first",
            me.name, l.step
        )));
    }
    let Some(id) = next_ready(tx, &me.name, hook)? else {
        return Ok(None);
    };
    let step = take(tx, &me.name, &id)?;
    let stamp = now();
    agent.state.lease = Some(Lease {
        step: step.id.clone(),
        generation: me.generation,
        since: stamp.clone(),
    });
    agent.state.phase = Phase::Working;
    agent.state.heartbeat_at = Some(stamp.clone());
    agent.state.progress_at = Some(stamp);
    agent.state.nudged_at = None;
    agents::save(tx, &mut agent)?;
    Ok(Some(step))
}

/// Hold `id` (open, not work that `gt ready` lists: a merge request, say) for `me`:
/// status `in_progress`, `me` as assignee, the lease recorded.
pub fn hold(tx: &Tx, me: &Me, id: &str) -> Result<Issue> {
    let mut agent = agents::current(tx, me)?;
    if let Some(l) = &agent.state.lease {
        return Err(Error::Refused(format!(
            "{} already holds `{}`; finish or give it back first",
            me.name, l.step
        )));
    }
    let mut issue = tx.require(id)?;
    if issue.status != "open" {
        return Err(Error::Refused(format!(
            "`{id}` is {}, not open; it was not taken",
            issue.status
        )));
    }
    let stamp = now();
    issue.status = String::from("in_progress");
    issue.assignee = Some(me.name.clone());
    issue.started_at.get_or_insert_with(|| stamp.clone());
    issue.updated_at = stamp.clone();
    tx.put(&issue)?;
    agent.state.lease = Some(Lease {
        step: id.to_owned(),
        generation: me.generation,
        since: stamp.clone(),
    });
    agent.state.phase = Phase::Working;
    agent.state.heartbeat_at = Some(stamp.clone());
    agent.state.progress_at = Some(stamp);
    agents::save(tx, &mut agent)?;
    Ok(issue)
}

/// The id of the most urgent step of `hook` that `name` may take now.
pub fn next_ready(tx: &Tx, name: &str, hook: &str) -> Result<Option<String>> {
    let root = tx.require(hook)?;
    if root.status == "hooked" && holder(&root) == Some(name) && tx.children(hook)?.is_empty() {
        // A single issue on the hook: ready when nothing but the hook itself is in its way.
        let why = reasons(tx, &root, Some(name))?;
        let only_hook = why
            .iter()
            .all(|r| matches!(r, Reason::Claimed { by, .. } if by == name));
        return Ok(only_hook.then(|| root.id.clone()));
    }
    let mut found = None;
    let q = ReadyQuery {
        mol: Some(hook.to_owned()),
        claimable_by: Some(name.to_owned()),
        limit: Some(1),
        leaves_only: true,
        ..ReadyQuery::default()
    };
    for_each_ready(tx, &q, |id, _| {
        found = Some(id.to_owned());
        Ok(())
    })?;
    Ok(found)
}

/// Claim `id` for `name` (a hooked single issue goes from `hooked` to `in_progress`).
fn take(tx: &Tx, name: &str, id: &str) -> Result<Issue> {
    let issue = tx.require(id)?;
    if issue.status == "hooked" && holder(&issue) == Some(name) {
        let mut issue = issue;
        let stamp = now();
        issue.status = String::from("in_progress");
        issue.started_at.get_or_insert_with(|| stamp.clone());
        issue.updated_at = stamp;
        tx.put(&issue)?;
        return Ok(issue);
    }
    claim::claim(tx, id, name, false)
}

/// `me`'s record, refused unless it is current and holds the lease on `step`.
pub fn check(tx: &Tx, me: &Me, step: &str) -> Result<Agent> {
    let agent = agents::current(tx, me)?;
    match &agent.state.lease {
        Some(l) if l.step == step && l.generation == me.generation => Ok(agent),
        Some(l) => Err(Error::Refused(format!(
            "{} generation {} does not hold `{step}` (its lease is on `{}`, generation {})",
            me.name, me.generation, l.step, l.generation
        ))),
        None => Err(Error::Refused(format!(
            "{} generation {} holds no lease (on `{step}` or anything); its work on it is not recorded",
            me.name, me.generation
        ))),
    }
}

/// End `agent`'s lease after its step was finished or handed on (the caller changed the
/// step in the same transaction); counts a finished step when `done`.
pub fn end(tx: &Tx, agent: &mut Agent, exit: &str, done: bool) -> Result<()> {
    let stamp = now();
    if let Some(l) = agent.state.lease.take() {
        agent.state.last_exit = Some(agents::ExitNote {
            exit: exit.to_owned(),
            step: l.step,
            at: stamp.clone(),
        });
    }
    if done {
        agent.state.steps_done += 1;
    }
    agent.state.phase = Phase::Idle;
    agent.state.child = None;
    agent.state.heartbeat_at = Some(stamp.clone());
    agent.state.progress_at = Some(stamp);
    agents::save(tx, agent)
}

/// `me` gives its step back to ready (noted on the step as a failed attempt when
/// `failed`) and its lease ends.
pub fn give_back(
    tx: &Tx,
    me: &Me,
    step: &str,
    exit: &str,
    failed: bool,
    why: &str,
) -> Result<Issue> {
    let mut agent = check(tx, me, step)?;
    let mut issue = tx.require(step)?;
    note_attempt(&mut issue, &me.name, failed, why);
    reopen(&mut issue);
    tx.put(&issue)?;
    end(tx, &mut agent, exit, false)?;
    Ok(issue)
}

/// Status open, no assignee.
fn reopen(issue: &mut Issue) {
    issue.status = String::from("open");
    issue.assignee = None;
    issue.updated_at = now();
}

/// Return `lease`'s step to ready when `agent` still holds it (status in progress, the
/// agent as assignee); noted on the step as a failed attempt. The step's id when it was
/// returned (a step already finished or handed on is left alone).
pub fn return_to_ready(tx: &Tx, agent: &Agent, lease: &Lease, why: &str) -> Result<Option<String>> {
    let Some(mut issue) = tx.get(&lease.step)? else {
        return Ok(None);
    };
    if issue.is_tombstone()
        || issue.status != "in_progress"
        || holder(&issue) != Some(agent.name.as_str())
    {
        return Ok(None);
    }
    note_attempt(&mut issue, &agent.name, true, why);
    reopen(&mut issue);
    tx.put(&issue)?;
    Ok(Some(issue.id))
}

/// The lease of agent `name` expired (its process is gone, or it is stuck past the
/// lease time): if the agent is still generation `observed` (the one judged), its step
/// returns to ready, its lease ends and it is marked dead, all in this transaction. The
/// step returned, if any. A newer generation (it was restarted meanwhile) is left alone:
/// the judgement was about an earlier incarnation.
pub fn expire(tx: &Tx, name: &str, observed: u64, why: &str) -> Result<Expired> {
    let Some(mut agent) = agents::get(tx, name)? else {
        return Ok(Expired::Unknown);
    };
    if agent.state.generation != observed {
        return Ok(Expired::Stale {
            current: agent.state.generation,
        });
    }
    let released = match agent.state.lease.take() {
        Some(lease) => return_to_ready(tx, &agent, &lease, why)?,
        None => None,
    };
    agent.state.phase = Phase::Dead;
    agent.state.child = None;
    agents::save(tx, &mut agent)?;
    Ok(Expired::Released { step: released })
}

/// What [`expire`] did.
#[derive(Debug, PartialEq, Eq)]
pub enum Expired {
    /// The agent was marked dead; its step (if it held one) is ready again.
    Released { step: Option<String> },
    /// The agent registered a newer generation: nothing was changed.
    Stale { current: u64 },
    /// No such agent.
    Unknown,
}
