//! Runtime mode: var values applied to a resolved formula.
//!
//! Values are the declared defaults, overlaid with the caller's. Every declared var
//! is validated before composition (a `required` var needs a value; a value must be in
//! the `enum`, match the `pattern` and parse as its `type`), so loop ranges read valid
//! values; after composition every var referenced needs a value, then `{{vars}}` are
//! substituted in the fields the reference substitutes (formula
//! description; step title, description, notes; gate type, id, await_id, timeout) and
//! steps whose `condition` is false are removed, with their children; dependencies
//! on removed steps are dropped.

use super::types::{RStep, RVar, Resolved};
use crate::diagnostic::{Code, Diagnostic};
use crate::expr::step_condition::{eval_step_condition, parse_step_condition};
use crate::expr::template::{substitute, var_refs};
use crate::model::Formula;
use crate::source::Span;
use std::collections::{BTreeMap, BTreeSet};

/// The values of a runtime cook: the declared defaults, overlaid with `given`, every
/// declared var validated (a `required` var needs a value; a value must be in the
/// `enum`, match the `pattern` and parse as its `type`). Diagnostics are located at the
/// var's declaration when this file declares it, else at the formula name.
pub(crate) fn values(
    vars: &BTreeMap<String, RVar>,
    f: &Formula,
    given: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, Vec<Diagnostic>> {
    let mut values: BTreeMap<String, String> = vars
        .iter()
        .filter_map(|(k, v)| v.default.clone().map(|d| (k.clone(), d)))
        .collect();
    values.extend(given.iter().map(|(k, v)| (k.clone(), v.clone())));
    let mut errors = Vec::new();
    for (name, var) in vars {
        let Some(value) = values.get(name) else {
            if var.required {
                errors.push(missing(f, name, "is required"));
            }
            continue;
        };
        if !var.allowed.is_empty() && !var.allowed.contains(value) {
            errors.push(
                Diagnostic::new(
                    Code::InvalidVarValue,
                    var_span(f, name),
                    format!("value `{value}` of var `{name}` is not in its enum"),
                )
                .with_help(
                    match crate::model::schema::closest(
                        value,
                        var.allowed.iter().map(String::as_str),
                    ) {
                        Some(c) => format!(
                            "did you mean `{c}`? allowed values: {}",
                            var.allowed.join(", ")
                        ),
                        None => format!("allowed values: {}", var.allowed.join(", ")),
                    },
                ),
            );
        }
        if let Some(p) = &var.pattern {
            match regex::Regex::new(p) {
                Ok(re) if !re.is_match(value) => errors.push(
                    Diagnostic::new(
                        Code::InvalidVarValue,
                        var_span(f, name),
                        format!("value `{value}` of var `{name}` does not match its pattern `{p}`"),
                    )
                    .with_help("pass a value that matches the pattern"),
                ),
                _ => {}
            }
        }
        let type_ok = match var.ty.as_deref() {
            Some("int" | "integer" | "number") => value.trim().parse::<i64>().is_ok(),
            Some("bool" | "boolean") => matches!(value.as_str(), "true" | "false"),
            _ => true,
        };
        if !type_ok {
            errors.push(
                Diagnostic::new(
                    Code::InvalidVarValue,
                    var_span(f, name),
                    format!(
                        "value `{value}` of var `{name}` is not a valid {}",
                        var.ty.as_deref().unwrap_or("value")
                    ),
                )
                .with_help("an int var takes digits (`42`), a bool var `true` or `false`"),
            );
        }
    }
    if errors.is_empty() {
        Ok(values)
    } else {
        Err(errors)
    }
}

/// Apply validated `values` to the resolved formula `r`, in the reference's pour order:
/// every `{{var}}` used needs a value; steps whose condition is false are dropped (with
/// their children and the dependencies on them); a standalone expansion materialises its
/// template (whose `{{vars}}` then need values too); `{{vars}}` are substituted.
pub(crate) fn apply(
    r: &mut Resolved,
    f: &Formula,
    values: &BTreeMap<String, String>,
) -> Result<(), Vec<Diagnostic>> {
    let name_span = f.name.as_ref().map(|n| n.span).unwrap_or_default();
    need_values(r, f, values)?;
    let lookup = |name: &str| values.get(name).cloned();
    let mut bad_conditions = Vec::new();
    let steps = filter(std::mem::take(&mut r.steps), &lookup, &mut bad_conditions);
    if !bad_conditions.is_empty() {
        return Err(bad_conditions
            .into_iter()
            .map(|m| Diagnostic::new(Code::InvalidCondition, name_span, m))
            .collect());
    }
    r.steps = steps;
    let mut kept = BTreeSet::new();
    collect_ids(&r.steps, &mut kept);
    drop_dangling(&mut r.steps, &kept);
    if super::expand::materialize(r, values).map_err(|m| {
        vec![
            Diagnostic::new(Code::CookFailed, name_span, m)
                .with_help("the expansion's template cannot be expanded against the target `main`"),
        ]
    })? {
        need_values(r, f, values)?;
    }
    r.description = r.description.as_deref().map(|d| substitute(d, &lookup));
    substitute_steps(&mut r.steps, &lookup);
    Ok(())
}

/// Every `{{var}}` `r` uses needs a value: declared ones (GTC032 at the declaration) and
/// undeclared ones too (the reference demands them).
fn need_values(
    r: &Resolved,
    f: &Formula,
    values: &BTreeMap<String, String>,
) -> Result<(), Vec<Diagnostic>> {
    let mut errors = Vec::new();
    for name in referenced_vars(r) {
        if values.contains_key(&name) {
            continue;
        }
        if r.vars.contains_key(&name) {
            errors.push(missing(f, &name, "is used and has no default"));
        } else {
            errors.push(
                Diagnostic::new(
                    Code::MissingVarValue,
                    f.name.as_ref().map(|n| n.span).unwrap_or_default(),
                    format!("`{{{{{name}}}}}` is used but has no value"),
                )
                .with_help(format!(
                    "declare it under [vars] with a default, or pass `--var {name}=<value>`"
                )),
            );
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Where a var is declared in this file, else the formula name.
fn var_span(f: &Formula, name: &str) -> Span {
    f.vars
        .iter()
        .find(|v| v.name.value == name)
        .map(|v| v.name.span)
        .or_else(|| f.name.as_ref().map(|n| n.span))
        .unwrap_or_default()
}

fn missing(f: &Formula, name: &str, why: &str) -> Diagnostic {
    Diagnostic::new(
        Code::MissingVarValue,
        var_span(f, name),
        format!("var `{name}` {why} but has no value"),
    )
    .with_help(format!(
        "pass it: `--var {name}=<value>` or put it in a --vars-file"
    ))
}

/// `{{names}}` used in the fields runtime mode substitutes or evaluates.
fn referenced_vars(r: &Resolved) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut add = |t: &Option<String>| {
        if let Some(t) = t {
            out.extend(var_refs(t).into_iter().map(|v| v.name));
        }
    };
    add(&r.description);
    fn walk(steps: &[RStep], add: &mut dyn FnMut(&Option<String>)) {
        for s in steps {
            add(&s.title);
            add(&s.description);
            add(&s.condition);
            if let Some(g) = &s.gate {
                add(&g.ty);
                add(&g.id);
                add(&g.await_id);
                add(&g.timeout);
            }
            walk(&s.children, add);
        }
    }
    walk(&r.steps, &mut add);
    out
}

fn filter(
    steps: Vec<RStep>,
    vars: &dyn Fn(&str) -> Option<String>,
    bad: &mut Vec<String>,
) -> Vec<RStep> {
    let mut out = Vec::with_capacity(steps.len());
    for mut s in steps {
        if let Some(c) = &s.condition {
            match parse_step_condition(c) {
                Ok(cond) if !eval_step_condition(&cond, vars) => continue,
                Ok(_) => {}
                Err(e) => {
                    bad.push(format!(
                        "step `{}`: invalid condition `{c}`: {}",
                        s.id, e.message
                    ));
                    continue;
                }
            }
        }
        s.children = filter(std::mem::take(&mut s.children), vars, bad);
        out.push(s);
    }
    out
}

fn collect_ids(steps: &[RStep], out: &mut BTreeSet<String>) {
    for s in steps {
        out.insert(s.id.clone());
        collect_ids(&s.children, out);
    }
}

fn drop_dangling(steps: &mut [RStep], kept: &BTreeSet<String>) {
    for s in steps {
        s.needs.retain(|n| kept.contains(n));
        drop_dangling(&mut s.children, kept);
    }
}

fn substitute_steps(steps: &mut [RStep], vars: &dyn Fn(&str) -> Option<String>) {
    for s in steps {
        for field in [&mut s.title, &mut s.description, &mut s.notes] {
            if let Some(t) = field.as_mut() {
                *t = substitute(t, vars);
            }
        }
        if let Some(g) = s.gate.as_mut() {
            for field in [&mut g.ty, &mut g.id, &mut g.await_id, &mut g.timeout] {
                if let Some(t) = field.as_mut() {
                    *t = substitute(t, vars);
                }
            }
        }
        substitute_steps(&mut s.children, vars);
    }
}
