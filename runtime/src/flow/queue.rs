//! The merge queue in the ledger. A polecat whose step produced commits submits a
//! **merge request**: an issue of type `merge-request` (local to this machine, like
//! Gas Town's), its facts in `metadata` ([`MergeRequest`]), numbered in submission order
//! inside the submitting transaction, so the queue is strictly first-in first-out. The
//! step stays in progress, held by the rig's refinery, until its work lands on the
//! target branch (then it is completed) or is rejected (then it is ready again, the
//! failure noted on it, or escalated after `max_attempts` failures).

use super::FlowCtx;
use super::complete::{Completed, complete};
use crate::error::{Error, Result};
use crate::ledger::raw::RawJson;
use crate::ledger::store::Filter;
use crate::ledger::time::now;
use crate::ledger::{Issue, Tx};
use crate::town::agents::Me;
use crate::work::comment;
use serde::{Deserialize, Serialize};

/// What a merge request records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeRequest {
    /// The step whose work it is.
    pub step: String,
    pub rig: String,
    /// The branch holding the work.
    pub branch: String,
    /// The target's commit the work was made on.
    pub base: String,
    /// The branch's commit when submitted.
    pub head: String,
    /// Who submitted it (agent and generation).
    pub agent: String,
    pub generation: u64,
    /// Its place in the queue (1 first, per ledger).
    pub seq: u64,
    /// The commit that landed on the target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_at: Option<String>,
    /// Why it was rejected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejected: Option<String>,
    /// When its branch was deleted (only ever after `merged` is on the target).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch_deleted_at: Option<String>,
}

/// A merge request with its issue.
#[derive(Clone, Debug)]
pub struct Queued {
    pub issue: Issue,
    pub mr: MergeRequest,
}

/// The work a polecat submits.
#[derive(Clone, Debug)]
pub struct Submission {
    pub rig: String,
    pub branch: String,
    pub base: String,
    pub head: String,
}

/// The refinery's address on `rig`.
pub fn refinery_of(rig: &str) -> String {
    crate::town::agents::rig_agent(rig, "refinery")
}

fn decode(issue: Issue) -> Result<Queued> {
    let raw = issue
        .metadata
        .as_ref()
        .ok_or_else(|| Error::Invalid(format!("merge request `{}` has no metadata", issue.id)))?;
    let mr: MergeRequest = raw.decode().map_err(|e| {
        Error::Invalid(format!(
            "merge request `{}`: its metadata does not decode: {e}",
            issue.id
        ))
    })?;
    Ok(Queued { issue, mr })
}

fn save(tx: &Tx, q: &mut Queued) -> Result<()> {
    let value = serde_json::to_value(&q.mr)
        .map_err(|e| Error::Invalid(format!("merge request `{}`: {e}", q.issue.id)))?;
    q.issue.metadata = Some(
        RawJson::from_value(&value)
            .map_err(|e| Error::Invalid(format!("merge request `{}`: {e}", q.issue.id)))?,
    );
    q.issue.updated_at = now();
    tx.put(&q.issue)
}

/// The merge request `id`.
pub fn get(tx: &Tx, id: &str) -> Result<Queued> {
    let issue = tx.require(id)?;
    if issue.issue_type != "merge-request" {
        return Err(Error::Refused(format!(
            "`{id}` is a {}, not a merge request",
            issue.issue_type
        )));
    }
    decode(issue)
}

/// Submit `step`'s work (in this transaction, by `me`): a merge request at the end of
/// the queue; the step is held by the rig's refinery until it lands or is rejected.
pub fn submit(tx: &Tx, me: &Me, step: &mut Issue, sub: &Submission) -> Result<Queued> {
    let seq = tx
        .meta("merge_seq")?
        .map(|s| {
            s.parse::<u64>()
                .map_err(|e| Error::Invalid(format!("ledger setting merge_seq `{s}`: {e}")))
        })
        .transpose()?
        .unwrap_or(0)
        + 1;
    tx.set_meta("merge_seq", &seq.to_string())?;
    let stamp = now();
    let mr = MergeRequest {
        step: step.id.clone(),
        rig: sub.rig.clone(),
        branch: sub.branch.clone(),
        base: sub.base.clone(),
        head: sub.head.clone(),
        agent: me.name.clone(),
        generation: me.generation,
        seq,
        merged: None,
        merged_at: None,
        rejected: None,
        branch_deleted_at: None,
    };
    let mut q = Queued {
        issue: Issue {
            id: tx.fresh_id("mr", &step.id)?,
            title: format!("Merge: {}", step.id),
            description: Some(format!(
                "branch: {}\nbase: {}\nhead: {}\nworker: {} (generation {})",
                sub.branch, sub.base, sub.head, me.name, me.generation
            )),
            status: String::from("open"),
            priority: step.priority,
            issue_type: String::from("merge-request"),
            created_at: stamp.clone(),
            created_by: Some(me.name.clone()),
            updated_at: stamp.clone(),
            labels: vec![format!("rig:{}", sub.rig)],
            ephemeral: Some(true),
            ..Issue::default()
        },
        mr,
    };
    save(tx, &mut q)?;
    step.assignee = Some(refinery_of(&sub.rig));
    step.updated_at = stamp;
    comment::add_to(
        step,
        &me.name,
        &format!(
            "[gt] submitted {} ({}) to the merge queue as {}",
            sub.branch,
            short(&sub.head),
            q.issue.id
        ),
    );
    tx.put(step)?;
    Ok(q)
}

/// The first 10 characters of a commit id.
pub fn short(sha: &str) -> &str {
    sha.get(..10).unwrap_or(sha)
}

/// Every merge request of `rig` (all statuses when `all`, else the ones not closed),
/// in queue order.
pub fn list(tx: &Tx, rig: &str, all: bool) -> Result<Vec<Queued>> {
    let issues = tx.list(&Filter {
        types: vec![String::from("merge-request")],
        labels: vec![format!("rig:{rig}")],
        statuses: if all {
            Vec::new()
        } else {
            vec![String::from("open"), String::from("in_progress")]
        },
        ephemeral: true,
        ..Filter::default()
    })?;
    let mut out = issues.into_iter().map(decode).collect::<Result<Vec<_>>>()?;
    out.sort_by_key(|q| (q.mr.seq, q.issue.id.clone()));
    Ok(out)
}

/// The head of `rig`'s queue: the oldest merge request not closed.
pub fn head(tx: &Tx, rig: &str) -> Result<Option<Queued>> {
    Ok(list(tx, rig, false)?.into_iter().next())
}

/// Land merge request `id`: its work is on the target as `merged`; the request is
/// closed and its step completed (with what its formula says happens then).
pub fn land(tx: &Tx, id: &str, merged: &str, by: &str, ctx: &FlowCtx) -> Result<Completed> {
    let mut q = get(tx, id)?;
    if q.issue.status == "closed" {
        return Err(Error::Refused(format!(
            "merge request `{id}` is already closed"
        )));
    }
    let stamp = now();
    q.mr.merged = Some(merged.to_owned());
    q.mr.merged_at = Some(stamp.clone());
    q.issue.status = String::from("closed");
    q.issue.closed_at = Some(stamp);
    q.issue.close_reason = Some(format!("merged as {}", short(merged)));
    save(tx, &mut q)?;
    let mut step = tx.require(&q.mr.step)?;
    // The work is the polecat's: the step ends assigned to it, not to the refinery.
    step.assignee = Some(q.mr.agent.clone());
    comment::add_to(
        &mut step,
        by,
        &format!("[gt] merged as {} ({})", short(merged), q.mr.branch),
    );
    tx.put(&step)?;
    complete(
        tx,
        &q.mr.step,
        &format!("merged as {}", short(merged)),
        None,
        ctx,
    )
}

/// Reject merge request `id` with `why`: the request is closed, and its step is ready
/// again with the failure noted, or escalated once it failed `max_attempts` times.
pub fn reject(tx: &Tx, id: &str, why: &str, by: &str, ctx: &FlowCtx) -> Result<bool> {
    let mut q = get(tx, id)?;
    let stamp = now();
    q.mr.rejected = Some(why.to_owned());
    q.issue.status = String::from("closed");
    q.issue.closed_at = Some(stamp);
    q.issue.close_reason = Some(format!("rejected: {}", first_line(why)));
    save(tx, &mut q)?;
    super::exits::fail_step(
        tx,
        &q.mr.step,
        by,
        &format!("rejected by the refinery: {why}"),
        ctx,
    )
}

/// The first line of `text`.
pub fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

/// Record that merge request `id`'s branch was deleted.
pub fn branch_deleted(tx: &Tx, id: &str) -> Result<()> {
    let mut q = get(tx, id)?;
    q.mr.branch_deleted_at = Some(now());
    save(tx, &mut q)
}
