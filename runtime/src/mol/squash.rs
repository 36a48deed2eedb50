//! `gt squash MOL`: condense a finished molecule or wisp into one digest issue (spec §5.6).
//!
//! The digest is a `task` labelled `digest`, status `closed`, title `Digest: <root title>`,
//! a child (`parent-child`) of the root, priority the root's. Its description is the
//! spec's markdown (`## Molecule Execution Summary` ...), each step also listing its id,
//! assignee, start and close times and duration; its `metadata` holds the same facts as
//! JSON: `{"molecule", "outcome", "steps":[{id,title,status,assignee,duration_s}],
//! "total_duration_s"[, "summary"]}`. A step's duration is `closed_at - started_at`
//! (null when either is missing); the total is from the root's `created_at` to the last
//! step's `closed_at`.
//!
//! Then, as the spec does: the molecule's **ephemeral** members below the root (the
//! steps of a wisp) are deleted, unless `keep` (kept ones stay ephemeral); persistent
//! members are never deleted (their history is in git). The root is kept as the digest's
//! anchor: it is closed (if open) with reason `Squashed: N steps -> digest <id>` and made
//! persistent, so the digest of a wisp reaches git (unless the root itself hangs below
//! another wisp; then root and digest stay ephemeral with it).
//!
//! Refused: a root without steps, a molecule squashed before (it has a digest child), and
//! steps that are not closed, unless `force` (the outcome is then `incomplete`).

use super::tree::Tree;
use crate::error::{Error, Result};
use crate::ledger::raw::RawJson;
use crate::ledger::record::DONE_STATUSES;
use crate::ledger::time::{nanos, now};
use crate::ledger::{Dependency, Issue, Tx};
use serde_json::{Value, json};

/// The label of digest issues.
pub const DIGEST_LABEL: &str = "digest";

/// What a squash did.
#[derive(Debug, serde::Serialize)]
pub struct Squashed {
    pub molecule_id: String,
    pub digest_id: String,
    /// The steps the digest records.
    pub squashed_ids: Vec<String>,
    /// The ephemeral steps deleted.
    pub deleted_ids: Vec<String>,
    /// Whether the steps were kept (`--keep`).
    pub kept_children: bool,
    #[serde(skip)]
    pub digest: Issue,
    #[serde(skip)]
    pub root: Issue,
    /// Issues outside the molecule whose edges to deleted steps were removed.
    #[serde(skip)]
    pub detached: Vec<Issue>,
}

/// Squash the molecule rooted at `id`.
pub fn squash(
    tx: &Tx,
    id: &str,
    summary: Option<&str>,
    keep: bool,
    force: bool,
) -> Result<Squashed> {
    let tree = Tree::load(tx, id)?;
    let root = tree.root().clone();
    if let Some(d) = tree
        .children(&root.id)
        .iter()
        .filter_map(|c| tree.get(c))
        .find(|c| c.labels.iter().any(|l| l == DIGEST_LABEL))
    {
        return Err(Error::Refused(format!(
            "`{id}` was already squashed into digest `{}`",
            d.id
        )));
    }
    let steps: Vec<&Issue> = tree.steps().iter().collect();
    if steps.is_empty() {
        return Err(Error::Refused(format!(
            "`{id}` has no steps: squash condenses a molecule (a root with child steps)"
        )));
    }
    let open: Vec<&str> = steps
        .iter()
        .filter(|s| !DONE_STATUSES.contains(&s.status.as_str()))
        .map(|s| s.id.as_str())
        .collect();
    if !open.is_empty() && !force {
        let mut list: Vec<String> = open.iter().take(5).map(|s| format!("`{s}`")).collect();
        if open.len() > 5 {
            list.push(format!("and {} more", open.len() - 5));
        }
        return Err(Error::Refused(format!(
            "cannot squash `{id}`: {} of {} steps are not closed ({}); close them first, or squash anyway with --force",
            open.len(),
            steps.len(),
            list.join(", ")
        )));
    }

    let stamp = now();
    let mut nested_in_wisp = false;
    for d in &root.dependencies {
        nested_in_wisp |= tx.get(&d.depends_on_id)?.is_some_and(|t| t.is_ephemeral());
    }
    let digest_id = tx.fresh_id("", &format!("Digest: {}", root.title))?;
    let mut dep = Dependency::new(&digest_id, &root.id, "parent-child");
    dep.created_at = Some(stamp.clone());
    dep.created_by = Some(tx.actor.to_owned());
    let digest = Issue {
        id: digest_id.clone(),
        title: format!("Digest: {}", root.title),
        description: Some(digest_text(&root, &steps, summary)),
        status: String::from("closed"),
        priority: root.priority,
        issue_type: String::from("task"),
        created_at: stamp.clone(),
        created_by: Some(tx.actor.to_owned()),
        updated_at: stamp.clone(),
        closed_at: Some(stamp.clone()),
        close_reason: Some(format!("Squashed from {} steps", steps.len())),
        metadata: Some(
            RawJson::from_value(&digest_metadata(&root, &steps, summary, open.is_empty()))
                .map_err(|e| Error::Invalid(format!("the digest cannot be written: {e}")))?,
        ),
        labels: vec![String::from(DIGEST_LABEL)],
        dependencies: vec![dep],
        ephemeral: nested_in_wisp.then_some(true),
        ..Issue::default()
    };
    let squashed_ids: Vec<String> = steps.iter().map(|s| s.id.clone()).collect();
    let deleted_ids: Vec<String> = if keep {
        Vec::new()
    } else {
        steps
            .iter()
            .filter(|s| s.is_ephemeral())
            .map(|s| s.id.clone())
            .collect()
    };
    let detached = crate::work::delete::remove(tx, &deleted_ids, Some("squashed"))?.detached;
    let mut root = tx.require(&root.id)?;
    if !DONE_STATUSES.contains(&root.status.as_str()) {
        root.status = String::from("closed");
        root.closed_at = Some(stamp.clone());
        root.close_reason = Some(format!(
            "Squashed: {} steps -> digest {digest_id}",
            steps.len()
        ));
    }
    if !nested_in_wisp {
        root.ephemeral = None;
    }
    root.updated_at = stamp;
    tx.put(&root)?;
    tx.put(&digest)?;
    Ok(Squashed {
        molecule_id: root.id.clone(),
        digest_id,
        squashed_ids,
        deleted_ids,
        kept_children: keep,
        digest,
        root,
        detached,
    })
}

/// Seconds from `from` to `to`, when both parse.
fn seconds(from: Option<&str>, to: Option<&str>) -> Option<i64> {
    let (a, b) = (nanos(from?)?, nanos(to?)?);
    i64::try_from((b - a).max(0) / 1_000_000_000).ok()
}

fn step_seconds(s: &Issue) -> Option<i64> {
    seconds(s.started_at.as_deref(), s.closed_at.as_deref())
}

fn total_seconds(root: &Issue, steps: &[&Issue]) -> Option<i64> {
    let last = steps
        .iter()
        .filter_map(|s| s.closed_at.as_deref())
        .max_by_key(|c| nanos(c).unwrap_or(i128::MIN))?;
    seconds(Some(&root.created_at), Some(last))
}

/// `1h 2m 3s`, `4m 0s`, `5s`.
pub fn human_duration(total: i64) -> String {
    let (h, m, s) = (total / 3600, (total % 3600) / 60, total % 60);
    if h > 0 {
        format!("{h}h {m}m {s}s")
    } else if m > 0 {
        format!("{m}m {s}s")
    } else {
        format!("{s}s")
    }
}

/// The digest's markdown (spec §5.6, with each step's id, assignee, times and duration).
pub fn digest_text(root: &Issue, steps: &[&Issue], summary: Option<&str>) -> String {
    let n = steps.len();
    let done = steps.iter().filter(|s| s.status == "closed").count();
    let active = steps.iter().filter(|s| s.status == "in_progress").count();
    let mut t = format!(
        "## Molecule Execution Summary\n\n**Molecule**: {}\n**Steps**: {n}\n\n**Completed**: {done}/{n}\n",
        root.title
    );
    if active > 0 {
        t.push_str(&format!("**In Progress**: {active}\n"));
    }
    if let Some(total) = total_seconds(root, steps) {
        t.push_str(&format!("**Duration**: {}\n", human_duration(total)));
    }
    if let Some(s) = summary.filter(|s| !s.trim().is_empty()) {
        t.push_str(&format!("\n### Summary\n\n{}\n", s.trim()));
    }
    t.push_str("\n---\n\n### Steps\n\n");
    for (i, s) in steps.iter().enumerate() {
        t.push_str(&format!("{}. **[{}]** {}\n", i + 1, s.status, s.title));
        let mut facts = vec![format!("`{}`", s.id)];
        if let Some(a) = s.assignee.as_deref().filter(|a| !a.is_empty()) {
            facts.push(format!("assignee: {a}"));
        }
        if let Some(at) = &s.started_at {
            facts.push(format!("started: {at}"));
        }
        if let Some(at) = &s.closed_at {
            facts.push(format!("closed: {at}"));
        }
        if let Some(d) = step_seconds(s) {
            facts.push(format!("duration: {}", human_duration(d)));
        }
        t.push_str(&format!("   {}\n", facts.join(" · ")));
        if let Some(d) = s.description.as_deref().filter(|d| !d.trim().is_empty()) {
            t.push_str(&format!("   {}\n", excerpt(d, 200)));
        }
        if let Some(r) = s.close_reason.as_deref().filter(|r| !r.is_empty()) {
            t.push_str(&format!("   *Outcome: {r}*\n"));
        }
        t.push('\n');
    }
    t.truncate(t.trim_end().len());
    t.push('\n');
    t
}

/// The first `max` bytes of `text` on one line (cut at a character boundary), with `…`
/// when cut.
fn excerpt(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.len() <= max {
        return flat;
    }
    let mut end = max;
    while !flat.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &flat[..end])
}

/// The digest's metadata.
fn digest_metadata(root: &Issue, steps: &[&Issue], summary: Option<&str>, complete: bool) -> Value {
    let mut m = json!({
        "molecule": root.id,
        "outcome": if complete { "completed" } else { "incomplete" },
        "steps": steps.iter().map(|s| json!({
            "id": s.id,
            "title": s.title,
            "status": s.status,
            "assignee": s.assignee,
            "duration_s": step_seconds(s),
        })).collect::<Vec<_>>(),
        "total_duration_s": total_seconds(root, steps),
    });
    if let (Some(s), Some(obj)) = (summary, m.as_object_mut()) {
        obj.insert(String::from("summary"), Value::from(s));
    }
    m
}
