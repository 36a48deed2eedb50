//! What `gt run` and `gt status` show: a molecule's steps by state, and one line per
//! agent (its verdict, what it holds, its last heartbeat).

use crate::error::Result;
use crate::ledger::Tx;
use crate::ledger::time::now_nanos;
use crate::town::agents::{self, Agent};
use crate::town::liveness::{Evidence, Verdict, age};
use serde::Serialize;
use std::time::Duration;

/// A molecule's steps by state (the root and its digest not counted; gate issues
/// counted apart).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub total: usize,
    pub done: usize,
    /// In progress, held by a polecat.
    pub running: usize,
    /// Done by a polecat, waiting in the merge queue.
    pub queued: usize,
    pub ready: usize,
    /// Open, but something is in the way.
    pub waiting: usize,
    /// Deferred (escalated, waiting for a person).
    pub deferred: usize,
    /// Gate issues still open.
    pub gates: usize,
    /// Whether the molecule root is closed.
    pub complete: bool,
}

/// Count the steps of molecule `mol`: one query over the index columns, no record read.
pub fn counts(tx: &Tx, mol: &str) -> Result<Counts> {
    let mut stmt = tx.conn().prepare_cached(
        "WITH RECURSIVE sub(id) AS (
           SELECT ?1
           UNION
           SELECT d.issue_id FROM deps d JOIN sub ON d.depends_on_id = sub.id AND d.type = 'parent-child'
         )
         SELECT i.id, i.status, i.issue_type, i.assignee, i.blocked,
                CASE WHEN i.status = 'closed'
                     THEN EXISTS (SELECT 1 FROM json_each(i.record, '$.labels') WHERE value = 'digest')
                     ELSE 0 END
         FROM issues i JOIN sub ON i.id = sub.id",
    )?;
    let rows = stmt.query_map([mol], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Option<String>>(3)?,
            r.get::<_, bool>(4)?,
            r.get::<_, bool>(5)?,
        ))
    })?;
    let mut c = Counts::default();
    for row in rows {
        let (id, status, ty, assignee, blocked, digest) = row?;
        if id == mol {
            c.complete = status == "closed";
            continue;
        }
        if status == "tombstone" || digest {
            continue;
        }
        if ty == "gate" {
            if status != "closed" {
                c.gates += 1;
            }
            continue;
        }
        if crate::ledger::record::NOT_WORK_TYPES.contains(&ty.as_str()) {
            continue;
        }
        c.total += 1;
        match status.as_str() {
            "closed" => c.done += 1,
            "in_progress" | "hooked" => {
                if assignee
                    .as_deref()
                    .is_some_and(|a| a.ends_with("/refinery"))
                {
                    c.queued += 1;
                } else {
                    c.running += 1;
                }
            }
            "deferred" => c.deferred += 1,
            "open" if !blocked => c.ready += 1,
            _ => c.waiting += 1,
        }
    }
    Ok(c)
}

/// One agent, as shown.
#[derive(Clone, Debug, Serialize)]
pub struct AgentLine {
    pub name: String,
    pub role: &'static str,
    pub generation: u64,
    pub verdict: Verdict,
    pub pid: Option<u32>,
    /// The step (or merge request) it holds.
    pub holds: Option<String>,
    pub hook: Option<String>,
    /// Seconds since its last heartbeat.
    pub heartbeat_age: Option<f64>,
    pub heartbeat_at: Option<String>,
    pub steps_done: u64,
    pub respawns: u64,
    pub last_exit: Option<String>,
}

/// The line of agent `a`.
pub fn agent_line(a: &Agent, stuck_after: Duration) -> AgentLine {
    let now = now_nanos();
    let ev = Evidence::of(&a.state, now);
    AgentLine {
        name: a.name.clone(),
        role: a.state.role.name(),
        generation: a.state.generation,
        verdict: ev.verdict(stuck_after),
        pid: a.state.process.map(|p| p.pid),
        holds: a.state.lease.as_ref().map(|l| l.step.clone()),
        hook: a.state.hook.clone(),
        heartbeat_age: age(a.state.heartbeat_at.as_deref(), now),
        heartbeat_at: a.state.heartbeat_at.clone(),
        steps_done: a.state.steps_done,
        respawns: a.state.respawns,
        last_exit: a
            .state
            .last_exit
            .as_ref()
            .map(|e| format!("{} {}", e.exit, e.step)),
    }
}

/// Every agent's line.
pub fn agent_lines(tx: &Tx, stuck_after: Duration) -> Result<Vec<AgentLine>> {
    Ok(agents::list(tx, None, None)?
        .iter()
        .map(|a| agent_line(a, stuck_after))
        .collect())
}

/// `[#####-----] 12/40 done · 3 running · ...`
pub fn bar(c: &Counts, width: usize) -> String {
    let filled = (c.done * width).checked_div(c.total).unwrap_or(width);
    let mut t = format!(
        "[{}{}] {}/{} done",
        "#".repeat(filled),
        "-".repeat(width - filled.min(width)),
        c.done,
        c.total
    );
    for (n, what) in [
        (c.running, "running"),
        (c.queued, "in the merge queue"),
        (c.ready, "ready"),
        (c.waiting, "waiting"),
        (c.deferred, "deferred"),
        (c.gates, "gates open"),
    ] {
        if n > 0 {
            t.push_str(&format!(" · {n} {what}"));
        }
    }
    t
}

/// `app/polecat-1  g2  working  holds t-mol-x.build  heartbeat 0.4s ago`
pub fn line(a: &AgentLine) -> String {
    let mut t = format!(
        "{:<20} g{:<3} {:<8}",
        a.name,
        a.generation,
        a.verdict.name()
    );
    if let Some(h) = &a.holds {
        t.push_str(&format!(" holds {h}"));
    }
    if let Some(age) = a.heartbeat_age {
        t.push_str(&format!("  heartbeat {age:.1}s ago"));
    }
    t
}
