//! Loops: a step with `loop` is replaced by its body, once per iteration.
//!
//! Iteration ids are `LOOP.iterN.ID` (N from 1); dependencies between body steps are
//! rewritten to the same iteration; the first step of iteration k+1 needs the last
//! step of iteration k. `until` loops expand once and carry a `loop:{...}` label for
//! the runtime. Like the reference, the container's own fields are discarded and
//! `notes` do not survive into iterations.

use super::labels::go_json;
use super::types::{RLoop, RStep};
use crate::expr::range::{eval, parse_range};
use std::collections::{BTreeMap, BTreeSet};

/// Expand every loop in `steps` (children and nested loops included). `vars` gives
/// values for `{name}` in range expressions; `budget` caps the steps produced.
pub(crate) fn apply(
    steps: Vec<RStep>,
    vars: &BTreeMap<String, String>,
    budget: &mut usize,
) -> Result<Vec<RStep>, String> {
    let mut out = Vec::with_capacity(steps.len());
    for mut s in steps {
        if let Some(l) = s.loop_spec.take() {
            out.extend(expand_loop(&s, l, vars, budget)?);
        } else {
            s.children = apply(std::mem::take(&mut s.children), vars, budget)?;
            out.push(s);
        }
    }
    Ok(out)
}

fn expand_loop(
    container: &RStep,
    l: RLoop,
    vars: &BTreeMap<String, String>,
    budget: &mut usize,
) -> Result<Vec<RStep>, String> {
    let id = &container.id;
    // Nested loops first, so iterations copy concrete bodies.
    let body = apply(l.body, vars, budget)?;
    if body.is_empty() {
        return Err(format!("loop `{id}` has no body"));
    }
    let (iterations, loop_var): (Vec<Option<i64>>, Option<&str>) = if let Some(count) = l.count {
        ((1..=count.max(0)).map(|_| None).collect(), None)
    } else if let Some(range) = &l.range {
        let expr = parse_range(range)
            .map_err(|e| format!("loop `{id}`: invalid range `{range}`: {}", e.message))?;
        let lookup = |name: &str| vars.get(name).and_then(|v| v.trim().parse::<f64>().ok());
        let start = eval(&expr.start, &lookup)
            .map_err(|e| format!("loop `{id}`: range start: {}", e.message))?;
        let end = eval(&expr.end, &lookup)
            .map_err(|e| format!("loop `{id}`: range end: {}", e.message))?;
        if end < start {
            return Err(format!(
                "loop `{id}`: range end ({end}) is less than start ({start})"
            ));
        }
        // Refuse before allocating one entry per iteration.
        let n = usize::try_from(end - start + 1).unwrap_or(usize::MAX);
        over_budget(id, n.saturating_mul(count_steps(&body)), *budget)?;
        ((start..=end).map(Some).collect(), l.var.as_deref())
    } else if l.until.is_some() {
        (vec![None], None)
    } else {
        return Err(format!("loop `{id}` has no count, range or until"));
    };
    let produced = iterations.len().saturating_mul(count_steps(&body));
    if produced > *budget {
        return Err(format!(
            "loop `{id}` would produce {produced} steps, more than the limit"
        ));
    }
    *budget -= produced;
    let mut out: Vec<RStep> = Vec::new();
    let mut previous_last: Option<String> = None;
    for (k, value) in iterations.iter().enumerate() {
        let prefix = format!("{id}.iter{}", k + 1);
        let mut local = BTreeSet::new();
        collect_ids(&body, &mut local);
        let subst = |t: &str| match (loop_var, value) {
            (Some(var), Some(v)) => t.replace(&format!("{{{var}}}"), &v.to_string()),
            _ => t.to_owned(),
        };
        let mut iteration: Vec<RStep> = body
            .iter()
            .map(|b| instantiate(b, &prefix, &local, &subst, k + 1))
            .collect();
        if let (Some(prev), Some(first)) = (&previous_last, iteration.first_mut()) {
            first.add_need(prev);
        }
        previous_last = iteration.last().map(|s| s.id.clone());
        out.append(&mut iteration);
    }
    if let (Some(until), Some(first)) = (&l.until, out.first_mut()) {
        let mut meta = BTreeMap::new();
        meta.insert("max", serde_json::Value::from(l.max.unwrap_or(0)));
        meta.insert("until", serde_json::Value::from(until.as_str()));
        first.labels.push(format!("loop:{}", go_json(&meta)));
    }
    Ok(out)
}

fn over_budget(id: &str, produced: usize, budget: usize) -> Result<(), String> {
    if produced > budget {
        return Err(format!(
            "loop `{id}` would produce {produced} steps, but only {budget} more fit under the step limit (--step-limit)"
        ));
    }
    Ok(())
}

fn instantiate(
    b: &RStep,
    prefix: &str,
    local: &BTreeSet<String>,
    subst: &dyn Fn(&str) -> String,
    n: usize,
) -> RStep {
    let mut s = b.clone();
    s.id = format!("{prefix}.{}", b.id);
    s.title = b.title.as_deref().map(subst);
    s.description = b.description.as_deref().map(subst);
    s.notes = None;
    s.needs = b
        .needs
        .iter()
        .map(|d| {
            if local.contains(d) {
                format!("{prefix}.{d}")
            } else {
                d.clone()
            }
        })
        .collect();
    s.children = b
        .children
        .iter()
        .map(|c| instantiate(c, prefix, local, subst, n))
        .collect();
    s.source.path = format!("{}@iter{n}", b.source.path);
    s.source.history.push(format!(
        "iteration {n} of loop `{}`",
        prefix.rsplit_once(".iter").map_or(prefix, |(l, _)| l)
    ));
    s
}

fn collect_ids(steps: &[RStep], out: &mut BTreeSet<String>) {
    for s in steps {
        out.insert(s.id.clone());
        collect_ids(&s.children, out);
    }
}

/// Steps in a tree, children included.
pub fn count_steps(steps: &[RStep]) -> usize {
    steps.iter().map(|s| 1 + count_steps(&s.children)).sum()
}
