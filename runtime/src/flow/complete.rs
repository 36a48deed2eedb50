//! Completing a step: what happens, in one transaction, when a step's work is done
//! (closed by its polecat, or by the refinery once its work is merged).
//!
//! 1. The agent's output (if any) is kept in the step's `metadata.output`, where
//!    conditions and `on_complete` read it.
//! 2. The step is closed (refused while anything blocks it, as `gt close` is).
//! 3. The step's `until` loop, if it ends an iteration, is evaluated: the next iteration
//!    is poured, or the loop is done, or its `max` is reached ([`super::loops`]).
//! 4. Its `on_complete` bonds what it asks for into the molecule ([`super::on_complete`]).
//! 5. A parent step whose last open child this was is closed too ([`close_parents`]).
//! 6. Then the molecule roots it completes are closed.

use super::loops::{self, Decision};
use super::on_complete::Spawned;
use crate::error::{Error, Result};
use crate::ledger::{Issue, Tx};
use crate::work::close::{close_issue, complete_roots};
use serde_json::Value;

/// What completing a step did.
#[derive(Debug, Default)]
pub struct Completed {
    /// The step, closed.
    pub step: Option<Issue>,
    /// Molecule roots closed because this was their last open step.
    pub roots: Vec<Issue>,
    /// Issues created by the step's loop or `on_complete` (their ids).
    pub spawned: Vec<String>,
    /// What the step's control flow decided, in words (for the log).
    pub notes: Vec<String>,
}

/// Complete `id` with close reason `reason` and the agent's `output`.
pub fn complete(
    tx: &Tx,
    id: &str,
    reason: &str,
    output: Option<&Value>,
    ctx: &super::FlowCtx,
) -> Result<Completed> {
    if let Some(out) = output {
        let mut step = tx.require(id)?;
        set_output(&mut step, out)?;
        tx.put(&step)?;
    }
    let step = close_issue(tx, id, Some(reason), false)?;
    let mut done = Completed::default();
    let Some(root) = molecule_of(tx, &step)? else {
        done.roots = complete_roots(tx, &step)?;
        done.step = Some(step);
        return Ok(done);
    };
    match loops::decide(tx, &root, &step, &ctx.root)? {
        Decision::NotLoop => {}
        Decision::Done { iterations } => done.notes.push(format!(
            "{}: its loop is done after {iterations} iteration(s)",
            step.id
        )),
        Decision::Again { next } => {
            done.spawned = loops::pour_next(tx, &root, &step, next)?;
            done.notes.push(format!(
                "{}: the loop's condition is false: iteration {next} poured",
                step.id
            ));
        }
        Decision::MaxReached { max, until } => {
            // A bound hit is an error: the step is not done; a person decides.
            let why = format!(
                "the loop's condition `{until}` is still false after its max of {max} iteration(s)"
            );
            return escalate(tx, id, &why, ctx, done);
        }
    }
    match super::on_complete::run(tx, &root, &step, ctx)? {
        Spawned::None => {}
        Spawned::Roots(roots) => {
            done.notes.push(format!(
                "{}: on_complete bonded {} molecule(s)",
                step.id,
                roots.len()
            ));
            done.spawned.extend(roots);
        }
        Spawned::Failed(why) => return escalate(tx, id, &why, ctx, done),
    }
    // A step with children is finished by its last child (see [`close_parents`]).
    let mut last = step.clone();
    for parent in close_parents(tx, &step)? {
        done.notes
            .push(format!("{}: all its children are complete", parent.id));
        last = parent;
    }
    done.roots = complete_roots(tx, &last)?;
    done.step = Some(step);
    Ok(done)
}

/// Undo the close of `id` and escalate it with `why` (deferred, the overseer mailed).
fn escalate(
    tx: &Tx,
    id: &str,
    why: &str,
    ctx: &super::FlowCtx,
    mut done: Completed,
) -> Result<Completed> {
    let mut open = tx.require(id)?;
    open.status = String::from("open");
    open.closed_at = None;
    open.close_reason = None;
    super::exits::escalate_step(tx, &mut open, why, ctx)?;
    done.notes.push(format!("{id}: {why}: escalated"));
    done.step = Some(open);
    Ok(done)
}

/// The molecule root above `step` (the nearest `molecule` ancestor or wisp root).
pub fn molecule_of(tx: &Tx, step: &Issue) -> Result<Option<String>> {
    let mut at = step.clone();
    for _ in 0..64 {
        let Some(p) = at.parent() else {
            return Ok(None);
        };
        let Some(parent) = tx.get(p)? else {
            return Ok(None);
        };
        if parent.issue_type == "molecule" || (parent.is_ephemeral() && parent.parent().is_none()) {
            return Ok(Some(parent.id));
        }
        at = parent;
    }
    Err(Error::Invalid(format!(
        "`{}`: more than 64 ancestors; the parent chain is broken",
        step.id
    )))
}

/// The rule for a step with children (an epic step inside a molecule): it is never
/// worked by an agent (the polecats ask for leaves only); it closes, in the transaction
/// that closes its last open child, once nothing else blocks it. Closed ancestors, from
/// the nearest up; the walk stops at the molecule root or at the first one still open.
fn close_parents(tx: &Tx, step: &Issue) -> Result<Vec<Issue>> {
    let mut out = Vec::new();
    let mut at = step.clone();
    for _ in 0..64 {
        let Some(p) = at.parent() else { break };
        let Some(parent) = tx.get(p)? else { break };
        if parent.issue_type == "molecule" || parent.is_ephemeral() || parent.status != "open" {
            break;
        }
        let open_child = !tx.open_children(&parent.id, 1)?.is_empty();
        if open_child || !crate::ledger::blocked::blockers(tx, &parent)?.is_empty() {
            break;
        }
        let closed = close_issue(tx, &parent.id, Some("all children complete"), false)?;
        out.push(closed.clone());
        at = closed;
    }
    Ok(out)
}

/// Keep `output` as `metadata.output` of `step` (the rest of its metadata kept).
pub fn set_output(step: &mut Issue, output: &Value) -> Result<()> {
    let mut meta = step
        .metadata_value()
        .map_err(|e| Error::Invalid(format!("`{}`: its metadata is not JSON: {e}", step.id)))?
        .unwrap_or_else(|| Value::Object(serde_json::Map::new()));
    let obj = meta.as_object_mut().ok_or_else(|| {
        Error::Refused(format!(
            "`{}`: its metadata is not an object, so the agent's output cannot be kept in it",
            step.id
        ))
    })?;
    obj.insert(String::from("output"), output.clone());
    step.set_metadata(&meta)
        .map_err(|e| Error::Invalid(format!("`{}`: output cannot be written: {e}", step.id)))
}

/// The output kept on `step`, if any.
pub fn output(step: &Issue) -> Result<Option<Value>> {
    let meta = step
        .metadata_value()
        .map_err(|e| Error::Invalid(format!("`{}`: its metadata is not JSON: {e}", step.id)))?;
    Ok(meta.and_then(|m| m.get("output").cloned()))
}
