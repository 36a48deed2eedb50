//! The mayor's commands over the town: `gt sling` (a fresh polecat with work pinned to
//! its hook), `gt peek` (one agent), `gt status` (the whole town).

use super::progress::{self, AgentLine, Counts};
use crate::error::{Error, Result};
use crate::ledger::Tx;
use crate::ledger::store::Filter;
use crate::town::agents::{self, Agent, Phase, Role};
use crate::town::config::AdapterKind;
use serde::Serialize;
use std::time::Duration;

/// Give `id` to a fresh polecat of `rig` (`rig/polecat-N`, N one past the highest
/// there is): pinned to its hook (status `hooked`), ready to be started by the rig's
/// witness. The new polecat.
pub fn sling(tx: &Tx, id: &str, rig: &str, adapter: AdapterKind) -> Result<Agent> {
    let issue = tx.require(id)?;
    if crate::ledger::record::NOT_WORK_TYPES.contains(&issue.issue_type.as_str())
        && issue.issue_type != "molecule"
    {
        return Err(Error::Refused(format!(
            "`{id}` is a {}, not work: sling an issue or a molecule",
            issue.issue_type
        )));
    }
    let mut highest = 0u64;
    for a in agents::list(tx, Some(Role::Polecat), Some(rig))? {
        if let Some(n) = a
            .name
            .rsplit_once("/polecat-")
            .and_then(|(_, n)| n.parse::<u64>().ok())
        {
            highest = highest.max(n);
        }
    }
    let name = agents::rig_agent(rig, &format!("polecat-{}", highest + 1));
    crate::work::pin::pin(tx, id, &name, false)?;
    let mut a = agents::ensure(tx, &name, Role::Polecat, Some(rig))?;
    a.state.hook = Some(id.to_owned());
    a.state.adapter = Some(adapter.name().to_owned());
    a.state.phase = Phase::Assigned;
    agents::save(tx, &mut a)?;
    Ok(a)
}

/// What `gt peek` shows of one agent.
#[derive(Debug, Serialize)]
pub struct Peek {
    #[serde(flatten)]
    pub agent: AgentLine,
    /// The title of the step it holds.
    pub step_title: Option<String>,
}

/// Peek at agent `name`.
pub fn peek(tx: &Tx, name: &str, stuck_after: Duration) -> Result<Peek> {
    let Some(a) = agents::get(tx, name)? else {
        let mut near: Vec<(f64, String)> = agents::list(tx, None, None)?
            .into_iter()
            .map(|a| (strsim::jaro_winkler(name, &a.name), a.name))
            .filter(|(s, _)| *s > 0.8)
            .collect();
        near.sort_by(|x, y| y.0.total_cmp(&x.0));
        let near: Vec<String> = near.into_iter().map(|(_, n)| n).take(3).collect();
        return Err(Error::Refused(if near.is_empty() {
            format!("no agent `{name}` in this town; `gt status` lists them")
        } else {
            format!(
                "no agent `{name}` in this town; did you mean {}?",
                near.join(", ")
            )
        }));
    };
    let line = progress::agent_line(&a, stuck_after);
    let step_title = match &line.holds {
        Some(s) => tx.get(s)?.map(|i| i.title),
        None => None,
    };
    Ok(Peek {
        agent: line,
        step_title,
    })
}

/// `gt peek`'s text.
pub fn peek_text(p: &Peek) -> String {
    let a = &p.agent;
    let mut t = format!(
        "{} ({}, generation {}): {}",
        a.name,
        a.role,
        a.generation,
        a.verdict.name()
    );
    match (&a.holds, &p.step_title) {
        (Some(s), Some(title)) => t.push_str(&format!("\n  step: {s} ({title})")),
        (Some(s), None) => t.push_str(&format!("\n  step: {s}")),
        (None, _) => t.push_str("\n  step: none"),
    }
    if let Some(h) = &a.hook {
        t.push_str(&format!("\n  hook: {h}"));
    }
    match (&a.heartbeat_at, a.heartbeat_age) {
        (Some(at), Some(age)) => t.push_str(&format!("\n  last heartbeat: {at} ({age:.1}s ago)")),
        _ => t.push_str("\n  last heartbeat: never"),
    }
    if let Some(pid) = a.pid {
        t.push_str(&format!("\n  pid: {pid}"));
    }
    t.push_str(&format!(
        "\n  steps done: {}, respawns: {}",
        a.steps_done, a.respawns
    ));
    if let Some(e) = &a.last_exit {
        t.push_str(&format!("\n  last exit: {e}"));
    }
    t
}

/// One run in `gt status`.
#[derive(Debug, Serialize)]
pub struct RunStatus {
    pub id: String,
    pub title: String,
    pub counts: Counts,
}

/// The whole town, as `gt status` shows it.
#[derive(Debug, Serialize)]
pub struct Status {
    /// Molecules started by `gt run`, unfinished first.
    pub runs: Vec<RunStatus>,
    pub agents: Vec<AgentLine>,
    /// Open gates (ids).
    pub gates: Vec<String>,
    /// Open merge requests.
    pub merge_queue: usize,
    /// Unread messages for the overseer.
    pub overseer_mail: usize,
}

/// Read the town's status.
pub fn status(tx: &Tx, stuck_after: Duration, overseer: &str) -> Result<Status> {
    let mut runs = Vec::new();
    for root in tx.list(&Filter {
        types: vec![String::from("molecule")],
        labels: vec![String::from("gt:run")],
        ephemeral: true,
        ..Filter::default()
    })? {
        runs.push(RunStatus {
            counts: progress::counts(tx, &root.id)?,
            id: root.id,
            title: root.title,
        });
    }
    runs.sort_by_key(|r| r.counts.complete);
    let gates = tx
        .list(&Filter {
            types: vec![String::from("gate")],
            statuses: vec![String::from("open")],
            ephemeral: true,
            ..Filter::default()
        })?
        .into_iter()
        .map(|g| g.id)
        .collect();
    let merge_queue = tx
        .list(&Filter {
            types: vec![String::from("merge-request")],
            statuses: vec![String::from("open"), String::from("in_progress")],
            ..Filter::default()
        })?
        .len();
    let overseer_mail = crate::work::mail::inbox(tx, overseer, false)?.len();
    Ok(Status {
        runs,
        agents: progress::agent_lines(tx, stuck_after)?,
        gates,
        merge_queue,
        overseer_mail,
    })
}

/// `gt status`'s text.
pub fn status_text(s: &Status) -> String {
    let mut t = String::new();
    if s.runs.is_empty() {
        t.push_str("no runs (gt run FORMULA starts one)\n");
    }
    for r in &s.runs {
        let state = if r.counts.complete {
            "complete"
        } else {
            "running"
        };
        t.push_str(&format!(
            "{}  {}  ({state})\n  {}\n",
            r.id,
            r.title,
            progress::bar(&r.counts, 20)
        ));
    }
    if s.agents.is_empty() {
        t.push_str("no agents\n");
    } else {
        t.push_str("agents:\n");
        for a in &s.agents {
            t.push_str(&format!("  {}\n", progress::line(a)));
        }
    }
    t.push_str(&format!(
        "gates open: {} · merge queue: {} · unread mail for the overseer: {}",
        s.gates.len(),
        s.merge_queue,
        s.overseer_mail
    ));
    t
}
