//! The four exits of an attempt, and failure, each one transaction that first checks
//! the agent's lease against its generation (a superseded agent changes nothing):
//!
//! - **COMPLETED**: work with commits is submitted to the merge queue (a merge request);
//!   work without commits (or on a rig without git) completes the step at once.
//! - **BLOCKED**: the blocker is filed as a new issue, the step gets a `blocks` edge to
//!   it and goes back to open: deferred until the blocker is closed.
//! - **REFACTOR**: the remaining work becomes new issues beside the step (one after the
//!   other), and the step waits for them; it is ready again when they are done.
//! - **ESCALATE**: the overseer is mailed and the step is deferred (status `deferred`)
//!   until a person reopens it.
//! - **failed**: noted on the step; it is ready again, or escalated once it failed
//!   `max_attempts` times.
//!
//! Every attempt that does not finish the step leaves a `[gt] attempt N ...` comment on it.

use super::FlowCtx;
use super::complete::{Completed, complete};
use super::queue::{self, Queued, Submission};
use crate::error::Result;
use crate::ledger::time::now;
use crate::ledger::{Dependency, Issue, Tx};
use crate::town::agents::Me;
use crate::town::lease::{self, failures, note_attempt};
use crate::work::comment;
use serde_json::Value;

/// What a COMPLETED exit did.
#[derive(Debug)]
pub enum Finished {
    /// The work went to the merge queue.
    Submitted(Queued),
    /// The step was completed at once.
    Completed(Completed),
}

/// COMPLETED: submit `submission` (work with commits) or complete the step.
pub fn completed(
    tx: &Tx,
    me: &Me,
    step: &str,
    output: Option<&Value>,
    submission: Option<&Submission>,
    ctx: &FlowCtx,
) -> Result<Finished> {
    let mut agent = lease::check(tx, me, step)?;
    let out = match submission {
        Some(sub) => {
            let mut issue = tx.require(step)?;
            if let Some(o) = output {
                super::complete::set_output(&mut issue, o)?;
            }
            let q = queue::submit(tx, me, &mut issue, sub)?;
            lease::end(tx, &mut agent, "completed", true)?;
            return Ok(Finished::Submitted(q));
        }
        None => complete(tx, step, &format!("completed by {}", me.name), output, ctx)?,
    };
    lease::end(tx, &mut agent, "completed", true)?;
    Ok(Finished::Completed(out))
}

/// BLOCKED: file `blocker` as a new issue that `step` waits for; the blocker's id.
pub fn blocked(
    tx: &Tx,
    me: &Me,
    step: &str,
    blocker: &str,
    detail: Option<&str>,
) -> Result<String> {
    let mut agent = lease::check(tx, me, step)?;
    let mut issue = tx.require(step)?;
    crate::work::update::check_title(blocker)?;
    let filed = Issue {
        labels: vec![String::from("blocker")],
        ..task_for(
            &issue,
            me,
            tx.fresh_id("", blocker)?,
            blocker,
            format!(
                "{}Filed by {} while working on `{step}` ({}), which waits for it.",
                detail.map(|d| format!("{d}\n\n")).unwrap_or_default(),
                me.name,
                issue.title
            ),
            &now(),
        )
    };
    tx.put(&filed)?;
    add_edge(tx, &mut issue, &filed.id, &me.name)?;
    note_attempt(
        &mut issue,
        &me.name,
        false,
        &format!("blocked by {} ({blocker})", filed.id),
    );
    reopen(&mut issue);
    tx.put(&issue)?;
    lease::end(tx, &mut agent, "blocked", false)?;
    Ok(filed.id)
}

fn add_edge(tx: &Tx, issue: &mut Issue, target: &str, who: &str) -> Result<()> {
    let mut dep = Dependency::new(&issue.id, target, "blocks");
    dep.created_at = Some(now());
    dep.created_by = Some(who.to_owned());
    tx.check_new_edge(issue, &dep)?;
    issue.dependencies.push(dep);
    Ok(())
}

/// A new open task that `me` files while working on `issue`, at its priority.
fn task_for(
    issue: &Issue,
    me: &Me,
    id: String,
    title: &str,
    description: String,
    stamp: &str,
) -> Issue {
    Issue {
        id,
        title: title.to_owned(),
        description: Some(description),
        status: String::from("open"),
        priority: issue.priority,
        issue_type: String::from("task"),
        created_at: stamp.to_owned(),
        created_by: Some(me.name.clone()),
        updated_at: stamp.to_owned(),
        ..Issue::default()
    }
}

fn reopen(issue: &mut Issue) {
    issue.status = String::from("open");
    issue.assignee = None;
    issue.updated_at = now();
}

/// REFACTOR: `parts` become issues beside `step` (children of its parent, each after
/// the one before), and `step` waits for all of them; their ids.
pub fn refactor(tx: &Tx, me: &Me, step: &str, parts: &[String]) -> Result<Vec<String>> {
    let mut agent = lease::check(tx, me, step)?;
    let mut issue = tx.require(step)?;
    let stamp = now();
    let mut ids: Vec<String> = Vec::new();
    let mut k = 1;
    for title in parts {
        crate::work::update::check_title(title)?;
        let mut id = format!("{step}.part{k}");
        while tx.exists(&id)? {
            k += 1;
            id = format!("{step}.part{k}");
        }
        k += 1;
        let mut part = Issue {
            labels: vec![format!("refactor-of:{step}")],
            ephemeral: issue.ephemeral,
            ..task_for(
                &issue,
                me,
                id.clone(),
                title,
                format!(
                    "Part of `{step}` ({}), split off by {}.",
                    issue.title, me.name
                ),
                &stamp,
            )
        };
        if let Some(parent) = issue.parent() {
            part.dependencies
                .push(Dependency::new(&id, parent, "parent-child"));
        }
        if let Some(prev) = ids.last() {
            part.dependencies.push(Dependency::new(&id, prev, "blocks"));
        }
        tx.put(&part)?;
        ids.push(id);
    }
    for id in &ids {
        add_edge(tx, &mut issue, id, &me.name)?;
    }
    note_attempt(
        &mut issue,
        &me.name,
        false,
        &format!("refactored into {}", ids.join(", ")),
    );
    reopen(&mut issue);
    tx.put(&issue)?;
    lease::end(tx, &mut agent, "refactor", false)?;
    Ok(ids)
}

/// ESCALATE: mail the overseer and defer `step` until a person reopens it; the message id.
pub fn escalate(tx: &Tx, me: &Me, step: &str, reason: &str, ctx: &FlowCtx) -> Result<String> {
    let mut agent = lease::check(tx, me, step)?;
    let mut issue = tx.require(step)?;
    note_attempt(&mut issue, &me.name, false, &format!("escalated: {reason}"));
    let msg = escalate_step(tx, &mut issue, reason, ctx)?;
    lease::end(tx, &mut agent, "escalate", false)?;
    Ok(msg)
}

/// Defer `issue` and mail the overseer about it; the message id.
pub fn escalate_step(tx: &Tx, issue: &mut Issue, reason: &str, ctx: &FlowCtx) -> Result<String> {
    issue.status = String::from("deferred");
    issue.assignee = None;
    issue.updated_at = now();
    tx.put(issue)?;
    let subject = format!("ESCALATE {}: {}", issue.id, queue::first_line(reason));
    let subject: String = subject.chars().take(200).collect();
    let body = format!(
        "{reason}\n\nStep `{}` ({}) is deferred until someone reopens it:\n  gt update {} --status open",
        issue.id, issue.title, issue.id
    );
    let msg = crate::work::mail::send(tx, &ctx.overseer, &subject, Some(&body))?;
    Ok(msg.id)
}

/// The attempt failed: noted on `step`; ready again, or escalated after
/// `max_attempts` failures. Whether it was escalated.
pub fn failed(tx: &Tx, me: &Me, step: &str, reason: &str, ctx: &FlowCtx) -> Result<bool> {
    let mut agent = lease::check(tx, me, step)?;
    let escalated = fail_step(tx, step, &me.name, reason, ctx)?;
    lease::end(tx, &mut agent, "failed", false)?;
    Ok(escalated)
}

/// Note a failed attempt on `step` (by `by`): it is ready again, or escalated once it
/// failed `max_attempts` times. Whether it was escalated.
pub fn fail_step(tx: &Tx, step: &str, by: &str, reason: &str, ctx: &FlowCtx) -> Result<bool> {
    let mut issue = tx.require(step)?;
    note_attempt(&mut issue, by, true, reason);
    let failed = failures(&issue);
    if failed >= ctx.max_attempts {
        escalate_step(
            tx,
            &mut issue,
            &format!(
                "`{step}` failed {failed} times (the village's max_attempts); the last failure: {reason}"
            ),
            ctx,
        )?;
        return Ok(true);
    }
    reopen(&mut issue);
    tx.put(&issue)?;
    Ok(false)
}

/// The agent was asked to stop: `step` is ready again (not an attempt of its own).
pub fn stopped(tx: &Tx, me: &Me, step: &str) -> Result<()> {
    let mut agent = lease::check(tx, me, step)?;
    let mut issue = tx.require(step)?;
    comment::add_to(
        &mut issue,
        &me.name,
        "[gt] stopped before it finished; ready again",
    );
    reopen(&mut issue);
    tx.put(&issue)?;
    lease::end(tx, &mut agent, "stopped", false)
}
