//! Agent identity in the ledger: every agent (mayor, deacon, witness, refinery, polecat)
//! is a record of type `agent` (a wisp: local to this machine, never in git), its state
//! kept as the record's `metadata`. Each start of an agent's process registers a new
//! **generation**; whatever an agent writes is checked against its generation in the
//! same transaction ([`current`]), so nothing acts for an earlier incarnation.
//!
//! The state holds the agent's process (pid and start time), the adapter's process, its
//! heartbeat and last progress, its **lease** (the step it holds, with the generation
//! that took it), its hook (the molecule it works on) and its worktree.

use super::process::ProcId;
use crate::error::{Error, Result};
use crate::ledger::raw::RawJson;
use crate::ledger::store::Filter;
use crate::ledger::time::now;
use crate::ledger::{Issue, Tx};
use serde::{Deserialize, Serialize};

/// What an agent does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// `gt run`: pours, starts the village, watches the molecule.
    Mayor,
    /// Keeps witnesses and refineries alive; evaluates gates.
    Deacon,
    /// Watches a rig's polecats.
    Witness,
    /// A rig's merge queue.
    Refinery,
    /// Works steps.
    Polecat,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Mayor => "mayor",
            Role::Deacon => "deacon",
            Role::Witness => "witness",
            Role::Refinery => "refinery",
            Role::Polecat => "polecat",
        }
    }

    /// Parse a role name.
    pub fn parse(s: &str) -> Result<Role> {
        match s {
            "mayor" => Ok(Role::Mayor),
            "deacon" => Ok(Role::Deacon),
            "witness" => Ok(Role::Witness),
            "refinery" => Ok(Role::Refinery),
            "polecat" => Ok(Role::Polecat),
            _ => Err(Error::Invalid(format!(
                "unknown role `{s}`: one of mayor, deacon, witness, refinery, polecat"
            ))),
        }
    }
}

/// What an agent says it is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Has work (a hook) but no process yet.
    Assigned,
    /// Its process registered and is getting ready.
    Starting,
    /// Running, nothing to do right now.
    Idle,
    /// Running a step (its lease says which).
    Working,
    /// Stopped cleanly (asked to).
    Stopped,
    /// Its work is finished.
    Done,
    /// Found dead or killed by its supervisor.
    Dead,
}

impl Phase {
    pub fn name(self) -> &'static str {
        match self {
            Phase::Assigned => "assigned",
            Phase::Starting => "starting",
            Phase::Idle => "idle",
            Phase::Working => "working",
            Phase::Stopped => "stopped",
            Phase::Done => "done",
            Phase::Dead => "dead",
        }
    }
}

/// A step held by an agent: taken by generation `generation` at `since`. It ends when
/// the step is closed or submitted, given back, or when the agent's heartbeat is older
/// than the lease time (then the step returns to ready, see [`super::lease`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lease {
    pub step: String,
    pub generation: u64,
    pub since: String,
}

/// How an agent's last step ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExitNote {
    /// `completed`, `blocked`, `refactor`, `escalate`, `failed`.
    pub exit: String,
    pub step: String,
    pub at: String,
}

/// An agent's state (the record's metadata).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentState {
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rig: Option<String>,
    /// Incremented by each start of the agent's process.
    pub generation: u64,
    pub phase: Phase,
    /// The agent's process (this generation's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process: Option<ProcId>,
    /// The process its adapter runs for the current step (killed with the agent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub child: Option<ProcId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heartbeat_at: Option<String>,
    /// When it last moved work in the ledger (claimed, closed, submitted, merged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease: Option<Lease>,
    /// The molecule (or issue) it works on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hook: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worktree: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adapter: Option<String>,
    /// When its witness last nudged it (cleared by its next heartbeat).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nudged_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_exit: Option<ExitNote>,
    /// Steps it finished (every generation).
    #[serde(default)]
    pub steps_done: u64,
    /// Times it was found dead or killed and started again.
    #[serde(default)]
    pub respawns: u64,
}

/// An agent record.
#[derive(Clone, Debug)]
pub struct Agent {
    /// Its issue id (`<prefix>-agent-<name with / as ->`).
    pub id: String,
    /// Its address: `deacon`, `mayor`, `<rig>/witness`, `<rig>/refinery`, `<rig>/polecat-N`.
    pub name: String,
    pub state: AgentState,
    issue: Issue,
}

/// Who is acting: an agent and the generation it registered as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Me {
    pub name: String,
    pub generation: u64,
}

/// The issue id of the agent `name`.
pub fn agent_id(prefix: &str, name: &str) -> String {
    format!("{prefix}-agent-{}", crate::ledger::ids::id_fragment(name))
}

/// Whether `name` can be an agent's address: letters, digits, `-`, `_`, at most one `/`.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name.matches('/').count() <= 1
        && !name.starts_with('/')
        && !name.ends_with('/')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/'))
}

/// The address of a rig's witness, refinery or polecat.
pub fn rig_agent(rig: &str, what: &str) -> String {
    format!("{rig}/{what}")
}

impl Agent {
    fn from_issue(issue: Issue) -> Result<Agent> {
        let raw = issue.metadata.as_ref().ok_or_else(|| {
            Error::Invalid(format!(
                "agent record `{}` has no state (metadata); it was not written by gt",
                issue.id
            ))
        })?;
        let state: AgentState = raw.decode().map_err(|e| {
            Error::Invalid(format!(
                "agent record `{}`: its state does not decode: {e}",
                issue.id
            ))
        })?;
        Ok(Agent {
            id: issue.id.clone(),
            name: issue.title.clone(),
            state,
            issue,
        })
    }

    /// The record as stored.
    pub fn issue(&self) -> &Issue {
        &self.issue
    }

    /// This agent acting as its current generation.
    pub fn me(&self) -> Me {
        Me {
            name: self.name.clone(),
            generation: self.state.generation,
        }
    }
}

/// The agent `name`, if there is one.
pub fn get(tx: &Tx, name: &str) -> Result<Option<Agent>> {
    match tx.get(&agent_id(tx.prefix, name))? {
        Some(issue) if !issue.is_tombstone() => Agent::from_issue(issue).map(Some),
        _ => Ok(None),
    }
}

/// The agent `name`, or an error naming it.
pub fn require(tx: &Tx, name: &str) -> Result<Agent> {
    get(tx, name)?.ok_or_else(|| Error::NotFound {
        id: name.to_owned(),
        near: Vec::new(),
    })
}

/// The agent `name`, created (phase assigned, generation 0) when missing.
pub fn ensure(tx: &Tx, name: &str, role: Role, rig: Option<&str>) -> Result<Agent> {
    if let Some(a) = get(tx, name)? {
        if a.state.role != role {
            return Err(Error::Refused(format!(
                "agent `{name}` is a {}, not a {}",
                a.state.role.name(),
                role.name()
            )));
        }
        return Ok(a);
    }
    if !valid_name(name) {
        return Err(Error::Invalid(format!(
            "`{name}` is not an agent address: letters, digits, `-`, `_`, and one `/` after a rig name"
        )));
    }
    let stamp = now();
    let state = AgentState {
        role,
        rig: rig.map(str::to_owned),
        generation: 0,
        phase: Phase::Assigned,
        process: None,
        child: None,
        heartbeat_at: None,
        progress_at: None,
        lease: None,
        hook: None,
        worktree: None,
        adapter: None,
        nudged_at: None,
        last_exit: None,
        steps_done: 0,
        respawns: 0,
    };
    let mut labels = vec![format!("role:{}", role.name())];
    if let Some(r) = rig {
        labels.push(format!("rig:{r}"));
    }
    let issue = Issue {
        id: agent_id(tx.prefix, name),
        title: name.to_owned(),
        status: String::from("open"),
        priority: 2,
        issue_type: String::from("agent"),
        created_at: stamp.clone(),
        created_by: Some(tx.actor.to_owned()),
        updated_at: stamp,
        labels,
        ephemeral: Some(true),
        metadata: Some(encode(&state, name)?),
        ..Issue::default()
    };
    tx.put(&issue)?;
    Agent::from_issue(issue)
}

fn encode(state: &AgentState, name: &str) -> Result<RawJson> {
    let value = serde_json::to_value(state)
        .map_err(|e| Error::Invalid(format!("agent `{name}`: state cannot be written: {e}")))?;
    RawJson::from_value(&value)
        .map_err(|e| Error::Invalid(format!("agent `{name}`: state cannot be written: {e}")))
}

/// Write `agent`'s state back.
pub fn save(tx: &Tx, agent: &mut Agent) -> Result<()> {
    agent.issue.metadata = Some(encode(&agent.state, &agent.name)?);
    agent.issue.updated_at = now();
    tx.put(&agent.issue)
}

/// The record of `me`, refused with [`Error::Superseded`] when a newer generation of it
/// registered since (or it was declared dead): what it was about to do is news about an
/// earlier incarnation.
pub fn current(tx: &Tx, me: &Me) -> Result<Agent> {
    let a = require(tx, &me.name)?;
    if a.state.generation != me.generation || a.state.phase == Phase::Dead {
        return Err(Error::Superseded {
            agent: me.name.clone(),
            generation: me.generation,
            current: a.state.generation,
        });
    }
    Ok(a)
}

/// Every agent (optionally of one role and rig), in name order.
pub fn list(tx: &Tx, role: Option<Role>, rig: Option<&str>) -> Result<Vec<Agent>> {
    let mut labels = Vec::new();
    if let Some(r) = role {
        labels.push(format!("role:{}", r.name()));
    }
    if let Some(r) = rig {
        labels.push(format!("rig:{r}"));
    }
    let issues = tx.list(&Filter {
        types: vec![String::from("agent")],
        labels,
        ephemeral: true,
        ..Filter::default()
    })?;
    let mut out = Vec::with_capacity(issues.len());
    for issue in issues {
        // Agent records written by other tools (Gas Town's) have no state of ours.
        if issue.metadata.is_some() && issue.labels.iter().any(|l| l.starts_with("role:")) {
            out.push(Agent::from_issue(issue)?);
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// What registering a new generation did.
#[derive(Debug)]
pub struct Registered {
    pub me: Me,
    pub agent: Agent,
    /// The step an earlier generation held, now back to ready.
    pub released: Option<String>,
}

/// Register a new generation of `name` running as `process`: the generation is
/// incremented, a lease of an earlier generation returns its step to ready (noted on
/// the step), and the agent starts with a fresh heartbeat. An earlier incarnation still
/// running is refused from now on ([`current`]).
pub fn register(
    tx: &Tx,
    name: &str,
    role: Role,
    rig: Option<&str>,
    process: ProcId,
) -> Result<Registered> {
    let mut agent = ensure(tx, name, role, rig)?;
    let released = match agent.state.lease.clone() {
        Some(lease) => super::lease::return_to_ready(
            tx,
            &agent,
            &lease,
            &format!(
                "{name} generation {} ended without finishing it (its process is gone)",
                lease.generation
            ),
        )?,
        None => None,
    };
    let stamp = now();
    if agent.state.generation > 0 && agent.state.phase != Phase::Stopped {
        agent.state.respawns += 1;
    }
    agent.state.generation += 1;
    agent.state.phase = Phase::Starting;
    agent.state.process = Some(process);
    agent.state.child = None;
    agent.state.lease = None;
    agent.state.heartbeat_at = Some(stamp.clone());
    agent.state.progress_at = Some(stamp);
    agent.state.nudged_at = None;
    save(tx, &mut agent)?;
    Ok(Registered {
        me: agent.me(),
        agent,
        released,
    })
}

/// A heartbeat of `me`: now, and (when given) its phase. Clears a nudge.
pub fn heartbeat(tx: &Tx, me: &Me, phase: Option<Phase>) -> Result<Agent> {
    let mut a = current(tx, me)?;
    a.state.heartbeat_at = Some(now());
    a.state.nudged_at = None;
    if let Some(p) = phase {
        a.state.phase = p;
    }
    save(tx, &mut a)?;
    Ok(a)
}
