//! Expansions: a target step replaced by an expansion formula's template.
//!
//! `{target}`, `{target.id}`, `{target.title}`, `{target.description}` and the
//! expansion's vars (`{name}`: its defaults, overridden by the rule's or step's vars)
//! are filled in. The target's dependencies go to the expansion's root steps. For
//! `compose.expand` / `compose.map`, dependents of the target then depend on the
//! expansion's last step; for a step's own `expand` they are not rewired (reference
//! behaviour). Nesting is limited to 5 levels.

use super::types::RStep;
use crate::expr::placeholder::replace_placeholder;
use std::collections::BTreeMap;

/// The deepest expansion nesting.
pub(crate) const MAX_DEPTH: usize = 5;

/// An expansion formula ready to apply.
pub(crate) struct Expansion {
    /// Its name.
    pub name: String,
    /// Its template steps.
    pub template: Vec<RStep>,
    /// Its declared var defaults.
    pub defaults: BTreeMap<String, String>,
}

/// Expand `target` with `exp`, `overrides` on top of the expansion's defaults.
pub(crate) fn expand_step(
    target: &RStep,
    exp: &Expansion,
    overrides: &BTreeMap<String, String>,
    depth: usize,
    how: &str,
) -> Result<Vec<RStep>, String> {
    if depth > MAX_DEPTH {
        return Err(format!(
            "expansion depth limit exceeded: max {MAX_DEPTH} levels (currently at {depth}) - step `{}`",
            target.id
        ));
    }
    let mut vars = exp.defaults.clone();
    vars.extend(overrides.iter().map(|(k, v)| (k.clone(), v.clone())));
    let title = target.title.clone().unwrap_or_default();
    let description = target.description.clone().unwrap_or_default();
    let fill_target = |t: &str| {
        let t = replace_placeholder(t, "target.id", &target.id);
        let t = replace_placeholder(&t, "target.title", &title);
        let t = replace_placeholder(&t, "target.description", &description);
        replace_placeholder(&t, "target", &target.id)
    };
    // Unlike the reference, `{{name}}` is left for the pour-time substitution instead of
    // becoming `{value}` when `name` is also an expansion var.
    let fill_vars = |t: &str| {
        let mut t = t.to_owned();
        for (k, v) in &vars {
            t = replace_placeholder(&t, k, v);
        }
        t
    };
    let both = |t: &str| fill_vars(&fill_target(t));
    let mut out: Vec<RStep> = exp
        .template
        .iter()
        .map(|t| instantiate(t, &both, &fill_vars, depth, how, &exp.name, target))
        .collect::<Result<_, _>>()?;
    // Root steps (no dependency inside the expansion) inherit the target's dependencies.
    let ids: Vec<String> = out.iter().map(|s| s.id.clone()).collect();
    for s in &mut out {
        if !s.needs.iter().any(|n| ids.contains(n)) {
            let mut needs = target.needs.clone();
            for n in std::mem::take(&mut s.needs) {
                if !needs.contains(&n) {
                    needs.push(n);
                }
            }
            s.needs = needs;
        }
    }
    Ok(out)
}

fn instantiate(
    t: &RStep,
    both: &dyn Fn(&str) -> String,
    vars_only: &dyn Fn(&str) -> String,
    depth: usize,
    how: &str,
    exp_name: &str,
    target: &RStep,
) -> Result<RStep, String> {
    if depth + 1 > MAX_DEPTH + 1 {
        return Err(format!(
            "expansion depth limit exceeded: max {MAX_DEPTH} levels - step `{}`",
            t.id
        ));
    }
    let mut source = t.source.clone();
    source
        .history
        .push(format!("{how} `{}` by {exp_name}", target.id));
    Ok(RStep {
        id: both(&t.id),
        title: t.title.as_deref().map(both),
        description: t.description.as_deref().map(both),
        ty: t.ty.clone(),
        priority: t.priority,
        assignee: t.assignee.as_deref().map(vars_only),
        labels: t.labels.iter().map(|l| both(l)).collect(),
        // The reference drops notes and metadata here; they are data the author wants on
        // the issue. (What it drops that would change the molecule's shape, the check
        // reports: GTC037.)
        notes: t.notes.as_deref().map(both),
        metadata: t.metadata.clone(),
        needs: t.needs.iter().map(|n| both(n)).collect(),
        children: t
            .children
            .iter()
            .map(|c| instantiate(c, both, vars_only, depth + 1, how, exp_name, target))
            .collect::<Result<_, _>>()?,
        source,
        ..RStep::default()
    })
}

/// Replace every dependency on `old` by `new`, everywhere in the tree.
pub(crate) fn rewire(steps: &mut [RStep], old: &str, new: &str) {
    for s in steps {
        for n in &mut s.needs {
            if n == old {
                *n = new.to_owned();
            }
        }
        rewire(&mut s.children, old, new);
    }
}

/// Replace the step `id` (anywhere in the tree) by `with`; gives `with` back if
/// there is no such step.
pub(crate) fn replace(
    steps: &mut Vec<RStep>,
    id: &str,
    with: Vec<RStep>,
) -> Result<(), Vec<RStep>> {
    if let Some(i) = steps.iter().position(|s| s.id == id) {
        steps.splice(i..=i, with);
        return Ok(());
    }
    let mut with = with;
    for s in steps.iter_mut() {
        match replace(&mut s.children, id, with) {
            Ok(()) => return Ok(()),
            Err(back) => with = back,
        }
    }
    Err(with)
}

/// A standalone expansion (an expansion formula with no steps, poured on its own): its
/// template expanded against the target `main`, titled with the formula's name and
/// described with its description, with `values` for its vars (spec §3.1 step 9).
/// Nothing changes for other formulas. Whether it materialised.
pub(crate) fn materialize(
    r: &mut super::Resolved,
    values: &BTreeMap<String, String>,
) -> Result<bool, String> {
    if r.kind != "expansion" || !r.steps.is_empty() || r.template.is_empty() {
        return Ok(false);
    }
    let target = RStep {
        id: String::from("main"),
        title: Some(r.formula.clone()),
        description: r.description.clone(),
        ..RStep::default()
    };
    let exp = Expansion {
        name: r.formula.clone(),
        template: r.template.clone(),
        defaults: values.clone(),
    };
    r.steps = expand_step(
        &target,
        &exp,
        &BTreeMap::new(),
        0,
        "poured on its own: expanded for",
    )
    .map_err(|e| format!("standalone expansion `{}`: {e}", r.formula))?;
    Ok(true)
}
