//! Completing a step: what happens, in one transaction, when a step's work is done
//! (closed by its polecat, or by the refinery once its work is merged).
//!
//! 1. The agent's output (if any) is kept in the step's `metadata.output`, where
//!    conditions and `on_complete` read it.
//! 2. The step is closed (refused while anything blocks it, as `gt close` is).
//! 3. The step's `until` loop, if it ends an iteration, is evaluated: the next iteration
//!    is poured, or the loop is done, or its `max` is reached ([`super::loops`]).
//! 4. Its `on_complete` bonds what it asks for below the step ([`super::on_complete`]).
//! 5. Then the molecule roots it completes are closed.

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
    let _ = ctx;
    done.roots = complete_roots(tx, &step)?;
    done.step = Some(step);
    Ok(done)
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
