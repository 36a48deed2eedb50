//! `compose.branch` (fork-join) and `compose.gate` (a condition label before a step).

use super::labels::go_json;
use super::types::RStep;
use crate::model::Compose;
use std::collections::BTreeMap;

/// Find a step by id anywhere in the tree.
pub(crate) fn find_mut<'a>(steps: &'a mut [RStep], id: &str) -> Option<&'a mut RStep> {
    for s in steps {
        if s.id == id {
            return Some(s);
        }
        if let Some(found) = find_mut(&mut s.children, id) {
            return Some(found);
        }
    }
    None
}

/// Apply the branch and gate rules of `compose`.
pub(crate) fn apply(steps: &mut [RStep], compose: Option<&Compose>) -> Result<(), String> {
    let Some(c) = compose else { return Ok(()) };
    for b in &c.branch {
        let from = b
            .from
            .as_ref()
            .map(|t| t.value.as_str())
            .ok_or("branch: from is required")?;
        let join = b
            .join
            .as_ref()
            .map(|t| t.value.as_str())
            .ok_or("branch: join is required")?;
        if b.steps.is_empty() {
            return Err(String::from("branch: steps is required"));
        }
        if find_mut(steps, from).is_none() {
            return Err(format!("branch: from step `{from}` not found"));
        }
        for p in &b.steps {
            let s = find_mut(steps, &p.value)
                .ok_or_else(|| format!("branch: parallel step `{}` not found", p.value))?;
            s.add_need(from);
            s.source
                .history
                .push(format!("branch: runs after `{from}`"));
        }
        let j =
            find_mut(steps, join).ok_or_else(|| format!("branch: join step `{join}` not found"))?;
        for p in &b.steps {
            j.add_need(&p.value);
        }
        j.source
            .history
            .push(String::from("branch: joins the parallel steps"));
    }
    for g in &c.gate {
        let before = g
            .before
            .as_ref()
            .map(|t| t.value.as_str())
            .ok_or("gate: before is required")?;
        let cond = g
            .condition
            .as_ref()
            .map(|t| t.value.as_str())
            .ok_or("gate: condition is required")?;
        let s = find_mut(steps, before)
            .ok_or_else(|| format!("gate: target step `{before}` not found"))?;
        let mut meta = BTreeMap::new();
        meta.insert("condition", cond);
        s.labels.push(format!("gate:{}", go_json(&meta)));
        s.source
            .history
            .push(format!("gate rule: waits for `{cond}`"));
    }
    Ok(())
}
