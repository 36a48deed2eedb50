//! `until` loops at run time. The compiler pours one iteration (`LOOP.iter1.*`) whose
//! first step carries `loop:{"max":N,"until":"..."}`. When the last open step of an
//! iteration completes, the condition is evaluated ([`super::condition`]): true ends the
//! loop; false pours iteration k+1 (the same steps, open, chained after iteration k, and
//! everything that waited for iteration k waits for it too); false at iteration `max`
//! is an error: the step is not closed but escalated (deferred, the overseer mailed).
//! A `gate` on a body step is poured again with each iteration (a timer starts again).

use crate::error::{Error, Result};
use crate::ledger::time::now;
use crate::ledger::{Dependency, Issue, Tx};
use std::collections::{BTreeMap, HashSet};

/// What the end of an iteration decided.
#[derive(Debug, PartialEq)]
pub enum Decision {
    /// The step is not the last open step of an `until` loop's iteration.
    NotLoop,
    /// The condition holds: the loop is done after `iterations`.
    Done { iterations: u64 },
    /// The condition is false: iteration `next` is to be poured.
    Again { next: u64 },
    /// The condition is false and `max` iterations ran: an error.
    MaxReached { max: u64, until: String },
}

/// `root.LOOP.iterK.` for an id inside an iteration (the innermost one), else `None`.
pub fn iteration_of(id: &str) -> Option<String> {
    let mut search = id.len();
    while let Some(at) = id[..search].rfind(".iter") {
        let rest = &id[at + 5..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && rest.as_bytes().get(digits) == Some(&b'.') {
            return Some(id[..at + 5 + digits + 1].to_owned());
        }
        search = at;
    }
    None
}

/// The iteration number of a prefix from [`iteration_of`].
pub fn number(prefix: &str) -> Option<u64> {
    let digits = prefix.trim_end_matches('.').rsplit(".iter").next()?;
    digits.parse().ok()
}

/// The members of iteration `prefix` in molecule `root`.
fn members(tx: &Tx, root: &str, prefix: &str) -> Result<Vec<Issue>> {
    let mut out = Vec::new();
    for id in tx.subtree(root)? {
        if id.starts_with(prefix)
            && let Some(i) = tx.get(&id)?
        {
            out.push(i);
        }
    }
    Ok(out)
}

/// The `loop:` label of an iteration: (max, until).
fn spec(members: &[Issue]) -> Result<Option<(u64, String)>> {
    for m in members {
        for l in &m.labels {
            let Some(json) = l.strip_prefix("loop:") else {
                continue;
            };
            let v: serde_json::Value = serde_json::from_str(json).map_err(|e| {
                Error::Invalid(format!("`{}`: its label `{l}` is not JSON: {e}", m.id))
            })?;
            let until = v.get("until").and_then(|u| u.as_str()).ok_or_else(|| {
                Error::Invalid(format!("`{}`: its label `{l}` has no `until`", m.id))
            })?;
            let max = v
                .get("max")
                .and_then(serde_json::Value::as_u64)
                .filter(|m| *m > 0)
                .ok_or_else(|| {
                    Error::Invalid(format!(
                        "`{}`: the loop of label `{l}` has no positive `max`",
                        m.id
                    ))
                })?;
            return Ok(Some((max, until.to_owned())));
        }
    }
    Ok(None)
}

/// Decide what ending `step` (already closed in this transaction) means for its loop.
pub fn decide(tx: &Tx, root: &str, step: &Issue, town: &std::path::Path) -> Result<Decision> {
    let Some(prefix) = iteration_of(&step.id) else {
        return Ok(Decision::NotLoop);
    };
    let all = members(tx, root, &prefix)?;
    let Some((max, until)) = spec(&all)? else {
        return Ok(Decision::NotLoop);
    };
    if all
        .iter()
        .any(|m| m.id != step.id && !crate::ledger::blocked::done(&m.status))
    {
        return Ok(Decision::NotLoop);
    }
    let k = number(&prefix)
        .ok_or_else(|| Error::Invalid(format!("`{}`: no iteration number", step.id)))?;
    let scope = super::condition::Scope {
        root,
        current: &step.id,
        town,
    };
    if super::condition::eval(tx, &until, &scope)? {
        return Ok(Decision::Done { iterations: k });
    }
    if k >= max {
        return Ok(Decision::MaxReached { max, until });
    }
    Ok(Decision::Again { next: k + 1 })
}

/// Pour iteration `next` after the iteration of `step`; the new ids.
pub fn pour_next(tx: &Tx, root: &str, step: &Issue, next: u64) -> Result<Vec<String>> {
    let prefix = iteration_of(&step.id)
        .ok_or_else(|| Error::Invalid(format!("`{}` is not in a loop iteration", step.id)))?;
    let k = next - 1;
    let base = prefix
        .strip_suffix(&format!("iter{k}."))
        .ok_or_else(|| Error::Invalid(format!("`{prefix}` is not iteration {k}")))?;
    let new_prefix = format!("{base}iter{next}.");
    let prev_prefix = (k > 1).then(|| format!("{base}iter{}.", k - 1));
    let mut old = members(tx, root, &prefix)?;
    let steps = old.len();
    // The gates that hold the iteration's steps (siblings, `<parent>.gate-<step>`): each
    // iteration gets its own, poured fresh (a timer starts again).
    let segment = format!(".iter{k}.");
    let mut gates: Vec<Issue> = Vec::new();
    for m in &old {
        for d in &m.dependencies {
            if d.kind == "blocks"
                && !d.depends_on_id.starts_with(&prefix)
                && d.depends_on_id.contains(&segment)
                && !gates.iter().any(|g| g.id == d.depends_on_id)
                && let Some(g) = tx.get(&d.depends_on_id)?
                && g.issue_type == "gate"
            {
                gates.push(g);
            }
        }
    }
    old.extend(gates);
    let inside: HashSet<&str> = old.iter().map(|m| m.id.as_str()).collect();
    let next_segment = format!(".iter{next}.");
    let renamed = |id: &str| -> String {
        match id.strip_prefix(&prefix) {
            Some(rest) => format!("{new_prefix}{rest}"),
            None if inside.contains(id) => match id.rfind(&segment) {
                Some(at) => format!("{}{next_segment}{}", &id[..at], &id[at + segment.len()..]),
                None => id.to_owned(),
            },
            None => id.to_owned(),
        }
    };
    let stamp = now();
    let mut fresh = Vec::with_capacity(old.len());
    // Issues outside the iteration that wait for its members: they wait for the new ones.
    let mut waiting: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for m in &old {
        for kind in ["blocks", "waits-for", "conditional-blocks"] {
            for d in tx.dependents(&m.id, Some(kind))? {
                if !inside.contains(d.as_str()) {
                    waiting
                        .entry(d)
                        .or_default()
                        .push((renamed(&m.id), kind.to_owned()));
                }
            }
        }
        let id = renamed(&m.id);
        let mut deps = Vec::new();
        for d in &m.dependencies {
            let to = if inside.contains(d.depends_on_id.as_str()) {
                renamed(&d.depends_on_id)
            } else if let Some(prev) = &prev_prefix
                && let Some(rest) = d.depends_on_id.strip_prefix(prev.as_str())
            {
                // The chain from iteration k-1 becomes the chain from iteration k.
                format!("{prefix}{rest}")
            } else {
                d.depends_on_id.clone()
            };
            let mut nd = Dependency::new(&id, &to, &d.kind);
            nd.created_at = Some(stamp.clone());
            nd.created_by = Some(tx.actor.to_owned());
            nd.metadata = d.metadata.clone();
            deps.push(nd);
        }
        // The first step of iteration k (chained to nothing inside it) follows k's last.
        fresh.push(Issue {
            id,
            title: m.title.clone(),
            description: m.description.clone(),
            notes: m.notes.clone(),
            status: String::from("open"),
            priority: m.priority,
            issue_type: m.issue_type.clone(),
            labels: m.labels.clone(),
            metadata: without_output(m)?,
            ephemeral: m.ephemeral,
            source_formula: m.source_formula.clone(),
            source_location: m.source_location.clone(),
            await_type: m.await_type.clone(),
            await_id: m.await_id.clone(),
            timeout: m.timeout,
            created_at: stamp.clone(),
            created_by: Some(tx.actor.to_owned()),
            updated_at: stamp.clone(),
            dependencies: deps,
            ..Issue::default()
        });
    }
    if k == 1 {
        // Iteration 1 has no chain to copy: its entries follow its sinks.
        chain_first(&old[..steps], &mut fresh[..steps], &stamp, tx.actor);
    }
    tx.put_many(&fresh)?;
    for (id, targets) in waiting {
        if fresh.iter().any(|f| f.id == id) {
            continue;
        }
        let mut issue = tx.require(&id)?;
        for (to, kind) in targets {
            if !issue
                .dependencies
                .iter()
                .any(|d| d.depends_on_id == to && d.kind == kind)
            {
                let mut nd = Dependency::new(&id, &to, &kind);
                nd.created_at = Some(stamp.clone());
                nd.created_by = Some(tx.actor.to_owned());
                issue.dependencies.push(nd);
            }
        }
        issue.updated_at = stamp.clone();
        tx.put(&issue)?;
    }
    Ok(fresh.into_iter().map(|f| f.id).collect())
}

/// Iteration 2's entries (members waiting for no other member) follow iteration 1's
/// sinks (members no other member waits for).
fn chain_first(old: &[Issue], fresh: &mut [Issue], stamp: &str, actor: &str) {
    let inside: HashSet<&str> = old.iter().map(|m| m.id.as_str()).collect();
    let ordered = |m: &Issue| {
        m.dependencies
            .iter()
            .any(|d| d.kind != "parent-child" && inside.contains(d.depends_on_id.as_str()))
    };
    let waited_for: HashSet<&str> = old
        .iter()
        .flat_map(|m| m.dependencies.iter())
        .filter(|d| d.kind != "parent-child" && inside.contains(d.depends_on_id.as_str()))
        .map(|d| d.depends_on_id.as_str())
        .collect();
    let leaf = |m: &Issue| !old.iter().any(|o| o.parent() == Some(m.id.as_str()));
    let sinks: Vec<&str> = old
        .iter()
        .filter(|m| leaf(m) && !waited_for.contains(m.id.as_str()))
        .map(|m| m.id.as_str())
        .collect();
    for (m, f) in old.iter().zip(fresh.iter_mut()) {
        let top = m.parent().is_none_or(|p| !inside.contains(p));
        if top && !ordered(m) {
            for s in &sinks {
                let mut nd = Dependency::new(&f.id, s, "blocks");
                nd.created_at = Some(stamp.to_owned());
                nd.created_by = Some(actor.to_owned());
                f.dependencies.push(nd);
            }
        }
    }
}

fn without_output(m: &Issue) -> Result<Option<crate::ledger::raw::RawJson>> {
    let Some(mut meta) = m
        .metadata_value()
        .map_err(|e| Error::Invalid(format!("`{}`: its metadata is not JSON: {e}", m.id)))?
    else {
        return Ok(None);
    };
    if let Some(o) = meta.as_object_mut() {
        o.remove("output");
    }
    crate::ledger::raw::RawJson::from_value(&meta)
        .map(Some)
        .map_err(|e| Error::Invalid(format!("`{}`: metadata: {e}", m.id)))
}
