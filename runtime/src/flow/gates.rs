//! Gates: issues (`<root>.gate-<step>`, type `gate`) that hold a step until they close.
//! The deacon evaluates the open ones each cycle ([`evaluate`], then [`settle`]):
//!
//! - `timer`: open for `timeout` after the gate was poured;
//! - `bead`: open once the issue named by `await_id` is closed;
//! - `mail`: open once a message whose subject is `await_id` was sent (to anyone) after
//!   the gate was poured (`gt mail send ANYONE "SUBJECT"`);
//! - `human`: only a person opens it: `gt gate approve GATE`;
//! - `gh:run` / `gh:pr`: the `gh` CLI is asked (`gh run view ID --json status,conclusion`,
//!   `gh pr view ID --json state`) at most every `[village] gh_poll`: a successful run or
//!   a merged pull request opens it;
//! - `condition` (from `compose.gate`): open when the condition ([`super::condition`]),
//!   evaluated with the gated step as the current one, is true.
//!
//! A gate of any other kind with a `timeout` that has not opened within it fails.
//! A gate that can never open (a failed run, a closed pull request, a timer without a
//! timeout, a condition that does not evaluate, `gh` missing) is **failed**: labelled
//! `gate-failed`, the reason noted on it, the overseer mailed; it stays open, so its step
//! waits until a person settles it (`gt gate approve`, which opens any gate).

use super::FlowCtx;
use crate::agent::Watch;
use crate::error::{Error, Result};
use crate::ledger::store::Filter;
use crate::ledger::time::{nanos, now, now_nanos};
use crate::ledger::{Issue, Tx};
use crate::work::close::{close_issue, complete_roots};
use crate::work::comment;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// The label of a gate that can never open by itself.
pub const FAILED: &str = "gate-failed";

/// Whether the village itself decides a gate of `kind` (a timer, an external check, a
/// condition over the ledger), as opposed to waiting for a person (`human`) or a
/// message someone must send (`mail`).
pub fn machine_checked(kind: &str) -> bool {
    matches!(kind, "timer" | "gh:run" | "gh:pr" | "bead" | "condition")
}

/// Whether `gate` failed (see the module docs): only a person can settle it.
pub fn is_failed(gate: &Issue) -> bool {
    gate.labels.iter().any(|l| l == FAILED)
}

/// What evaluating a gate found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Not yet.
    Wait,
    /// Its condition is met: the gate opens, with this reason.
    Open(String),
    /// It can never open by itself: why.
    Failed(String),
}

/// The open gates the village checks (failed ones left out).
pub fn pending(tx: &Tx) -> Result<Vec<Issue>> {
    let gates = tx.list(&Filter {
        types: vec![String::from("gate")],
        statuses: vec![String::from("open")],
        ephemeral: true,
        ..Filter::default()
    })?;
    Ok(gates.into_iter().filter(|g| !is_failed(g)).collect())
}

/// Evaluate the gates that need only the ledger (`timer`, `bead`, `mail`, `condition`);
/// `None` for the others (`human`, `gh:*`: see [`check_gh`]).
pub fn evaluate(tx: &Tx, gate: &Issue, town: &Path) -> Result<Option<Verdict>> {
    let kind = gate.await_type.as_deref().unwrap_or("");
    let target = gate.await_id.as_deref().filter(|t| !t.is_empty());
    if kind != "timer"
        && let Some(t) = gate.timeout
        && timed_out(gate, t)?
    {
        return Ok(Some(Verdict::Failed(format!(
            "it did not open within its timeout ({}s)",
            t / 1_000_000_000
        ))));
    }
    let v = match kind {
        "timer" => Some(match gate.timeout {
            Some(t) if t >= 0 => {
                if timed_out(gate, t)? {
                    Verdict::Open(String::from("its timer ran out"))
                } else {
                    Verdict::Wait
                }
            }
            _ => Verdict::Failed(String::from("a timer gate needs a `timeout`")),
        }),
        "bead" => Some(match target {
            None => Verdict::Failed(String::from("a bead gate needs the issue to wait for")),
            Some(t) => match tx.status(t)? {
                None => Verdict::Failed(format!("it waits for `{t}`, which does not exist")),
                Some(s) if s == "closed" => Verdict::Open(format!("`{t}` is closed")),
                Some(_) => Verdict::Wait,
            },
        }),
        "mail" => Some(match target {
            None => Verdict::Failed(String::from("a mail gate needs the subject to wait for")),
            Some(subject) => {
                let since = nanos(&gate.created_at);
                let got = tx
                    .list(&Filter {
                        types: vec![String::from("message")],
                        ephemeral: true,
                        ..Filter::default()
                    })?
                    .into_iter()
                    .find(|m| m.title == subject && nanos(&m.created_at) >= since);
                match got {
                    Some(m) => Verdict::Open(format!("message {} arrived", m.id)),
                    None => Verdict::Wait,
                }
            }
        }),
        "condition" => Some(match target {
            None => Verdict::Failed(String::from("a condition gate needs its condition")),
            Some(cond) => condition(tx, gate, cond, town)?,
        }),
        _ => None,
    };
    Ok(v)
}

/// Whether `timeout` nanoseconds have passed since `gate` was poured.
fn timed_out(gate: &Issue, timeout: i64) -> Result<bool> {
    let since = nanos(&gate.created_at).ok_or_else(|| {
        Error::Invalid(format!(
            "gate `{}`: created_at `{}` is not a time",
            gate.id, gate.created_at
        ))
    })?;
    Ok(now_nanos() >= since + i128::from(timeout))
}

/// A `compose.gate` condition, evaluated with the gated step as the current step.
fn condition(tx: &Tx, gate: &Issue, cond: &str, town: &Path) -> Result<Verdict> {
    let step = tx.dependents(&gate.id, Some("blocks"))?;
    let Some(step) = step.first() else {
        return Ok(Verdict::Failed(String::from("it holds no step")));
    };
    let Some(root) = super::complete::molecule_of(tx, &tx.require(step)?)? else {
        return Ok(Verdict::Failed(format!("`{step}` is in no molecule")));
    };
    let scope = super::condition::Scope {
        root: &root,
        current: step,
        town,
    };
    match super::condition::eval(tx, cond, &scope) {
        Ok(true) => Ok(Verdict::Open(format!("`{cond}` holds"))),
        Ok(false) => Ok(Verdict::Wait),
        Err(Error::Invalid(e)) => Ok(Verdict::Failed(e)),
        Err(e) => Err(e),
    }
}

/// How long `gh` may take to answer before the gate fails (a hung `gh` must not stall the
/// deacon, which evaluates every gate).
pub const GH_TIMEOUT: Duration = Duration::from_secs(30);

/// Ask the `gh` CLI (`gh` on `PATH`, run in `dir`) about a `gh:run` / `gh:pr` gate.
pub fn check_gh(gate: &Issue, dir: &Path) -> Verdict {
    check_gh_with(gate, dir, Path::new("gh"), GH_TIMEOUT)
}

/// [`check_gh`] with the program to run and its time limit.
pub fn check_gh_with(gate: &Issue, dir: &Path, gh: &Path, timeout: Duration) -> Verdict {
    let kind = gate.await_type.as_deref().unwrap_or("");
    let Some(target) = gate.await_id.as_deref().filter(|t| !t.is_empty()) else {
        return Verdict::Failed(format!("a {kind} gate needs the run or pull request"));
    };
    let (args, field): (&[&str], &str) = match kind {
        "gh:run" => (&["run", "view", target, "--json", "status,conclusion"], ""),
        "gh:pr" => (&["pr", "view", target, "--json", "state"], "state"),
        other => return Verdict::Failed(format!("`{other}` is not a gh gate")),
    };
    let mut cmd = Command::new(gh);
    cmd.args(args).current_dir(dir);
    let out = match crate::agent::child::run(cmd, None, &Watch::default(), timeout) {
        Ok(o) => o,
        // "cannot start `gh`: ... (is it installed and on PATH?)"
        Err(e) => return Verdict::Failed(e.to_string()),
    };
    if let Some(why) = &out.ended {
        return Verdict::Failed(format!("`gh {}` {why}", args.join(" ")));
    }
    if out.code != Some(0) {
        return Verdict::Failed(format!(
            "`gh {}` failed ({}): {}",
            args.join(" "),
            out.code.map_or_else(
                || String::from("killed by a signal"),
                |c| format!("exit status {c}")
            ),
            out.stderr_tail.join("\n").trim()
        ));
    }
    let stdout = out.stdout.join("\n");
    let v: serde_json::Value = match serde_json::from_str(&stdout) {
        Ok(v) => v,
        Err(e) => return Verdict::Failed(format!("`gh` answered something not JSON: {e}")),
    };
    let text = |k: &str| {
        v.get(k)
            .and_then(|s| s.as_str())
            .map(str::to_ascii_lowercase)
    };
    if field == "state" {
        return match text("state").as_deref() {
            Some("merged") => Verdict::Open(format!("pull request {target} is merged")),
            Some("open") => Verdict::Wait,
            Some(s) => Verdict::Failed(format!("pull request {target} is {s}, not merged")),
            None => Verdict::Failed(String::from("`gh pr view` gave no state")),
        };
    }
    match (text("status").as_deref(), text("conclusion").as_deref()) {
        (Some("completed"), Some("success")) => Verdict::Open(format!("run {target} succeeded")),
        (Some("completed"), c) => Verdict::Failed(format!(
            "run {target} concluded {}",
            c.unwrap_or("without a conclusion")
        )),
        (Some(_), _) => Verdict::Wait,
        (None, _) => Verdict::Failed(String::from("`gh run view` gave no status")),
    }
}

/// Act on `verdict` for gate `id` (if it is still open): open it (closed, with what it
/// completes), or mark it failed and mail the overseer. What was done, for the log.
pub fn settle(tx: &Tx, id: &str, verdict: &Verdict, ctx: &FlowCtx) -> Result<Option<String>> {
    let mut gate = tx.require(id)?;
    if gate.status != "open" || is_failed(&gate) {
        return Ok(None);
    }
    match verdict {
        Verdict::Wait => Ok(None),
        Verdict::Open(why) => {
            let closed = close_issue(tx, id, Some(why), true)?;
            complete_roots(tx, &closed)?;
            Ok(Some(format!("gate {id} opened: {why}")))
        }
        Verdict::Failed(why) => {
            gate.labels.push(String::from(FAILED));
            comment::add_to(&mut gate, tx.actor, &format!("[gt] gate failed: {why}"));
            gate.updated_at = now();
            tx.put(&gate)?;
            let subject: String = format!("GATE FAILED {id}: {}", super::queue::first_line(why))
                .chars()
                .take(200)
                .collect();
            let body = format!(
                "{why}\n\nThe step it holds waits until a person settles it:\n  gt gate approve {id}"
            );
            crate::work::mail::send(tx, &ctx.overseer, &subject, Some(&body))?;
            Ok(Some(format!("gate {id} failed: {why}")))
        }
    }
}

/// `gt gate approve`: a person opens gate `id` (any kind; a failed one too).
pub fn approve(tx: &Tx, id: &str, reason: Option<&str>) -> Result<Issue> {
    let gate = tx.require(id)?;
    if gate.issue_type != "gate" {
        return Err(Error::Refused(format!(
            "`{id}` is a {}, not a gate\nhelp: `gt why STEP` names the gates that hold a step",
            gate.issue_type
        )));
    }
    if gate.status == "closed" {
        return Err(Error::Refused(format!("gate `{id}` is already open")));
    }
    let why = match reason {
        Some(r) => format!("approved by {}: {r}", tx.actor),
        None => format!("approved by {}", tx.actor),
    };
    let closed = close_issue(tx, id, Some(&why), true)?;
    complete_roots(tx, &closed)?;
    Ok(closed)
}

#[cfg(test)]
#[path = "gates_tests.rs"]
mod tests;
