//! Loops: a step with `loop` is replaced by its body, once per iteration.
//!
//! Iteration ids are `LOOP.iterN.ID` (N from 1); dependencies between body steps are
//! rewritten to the same iteration; the first step of iteration k+1 needs the last
//! step of iteration k. `until` loops expand once and carry a `loop:{...}` label for
//! the runtime. Like the reference, the container's own fields are discarded. Beyond
//! the reference, a body step's `notes` and `metadata` survive into its iterations (the
//! reference drops them), a range reads the var values of the cook (defaults, or a
//! runtime cook's values), and the loop's `var` is filled into the iterations'
//! `expand_vars` values and conditions as well as their titles and descriptions.

use super::error::{CookError, Located};
use super::labels::go_json;
use super::types::{RLoop, RStep};
use crate::diagnostic::Code;
use crate::expr::placeholder::replace_placeholder;
use crate::expr::range::{eval, parse_range, vars_in};
use crate::model::Text;
use std::collections::{BTreeMap, BTreeSet};

/// The var values loop ranges read: the defaults of a compile-mode cook, or the values of
/// a runtime cook (then a range they break is the values' fault: GTC032 / GTC033).
pub(crate) struct RangeVars<'a> {
    /// Values by var name.
    pub values: &'a BTreeMap<String, String>,
    /// Whether they are a runtime cook's.
    pub runtime: bool,
}

/// Expand every loop in `steps` (children and nested loops included). `budget` caps
/// the steps produced.
pub(crate) fn apply(
    steps: Vec<RStep>,
    vars: &RangeVars<'_>,
    budget: &mut usize,
) -> Result<Vec<RStep>, CookError> {
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
    vars: &RangeVars<'_>,
    budget: &mut usize,
) -> Result<Vec<RStep>, CookError> {
    let id = &container.id;
    // Nested loops first, so iterations copy concrete bodies.
    let body = apply(l.body, vars, budget)?;
    if body.is_empty() {
        return Err(format!("loop `{id}` has no body").into());
    }
    let (iterations, loop_var): (Vec<Option<i64>>, Option<&str>) = if let Some(count) = l.count {
        ((1..=count.max(0)).map(|_| None).collect(), None)
    } else if let Some(range) = &l.range {
        let (start, end) = eval_range(container, range, vars, count_steps(&body), *budget)?;
        ((start..=end).map(Some).collect(), l.var.as_deref())
    } else if l.until.is_some() {
        (vec![None], None)
    } else {
        return Err(format!("loop `{id}` has no count, range or until").into());
    };
    let produced = iterations.len().saturating_mul(count_steps(&body));
    if produced > *budget {
        return Err(
            format!("loop `{id}` would produce {produced} steps, more than the limit").into(),
        );
    }
    *budget -= produced;
    let mut out: Vec<RStep> = Vec::new();
    let mut previous_last: Option<String> = None;
    for (k, value) in iterations.iter().enumerate() {
        let prefix = format!("{id}.iter{}", k + 1);
        let mut local = BTreeSet::new();
        collect_ids(&body, &mut local);
        let bound = loop_var.zip(*value).map(|(var, v)| (var, v.to_string()));
        let subst = |t: &str| match &bound {
            Some((var, v)) => replace_placeholder(t, var, v),
            None => t.to_owned(),
        };
        let mut iteration: Vec<RStep> = body
            .iter()
            .map(|b| {
                let mut s = instantiate(b, &prefix, &local, &subst, k + 1);
                // The loop var is passed to an expansion (as the reference does), and
                // filled into the step's expand_vars values and condition.
                if let Some((var, v)) = &bound {
                    if let Some((_, expand_vars)) = s.expand.as_mut() {
                        for value in expand_vars.values_mut() {
                            *value = subst(value);
                        }
                        expand_vars.insert((*var).to_owned(), v.clone());
                    }
                    s.condition = s.condition.as_deref().map(&subst);
                }
                s
            })
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

/// The bounds of a range loop. A range over vars reads their values; when a value is
/// missing, not a number, or makes the range empty, backwards or too large, the error
/// points at the range (GTC032 / GTC033 in a runtime cook, GTC031 for defaults).
fn eval_range(
    container: &RStep,
    range: &Text,
    vars: &RangeVars<'_>,
    per_iteration: usize,
    budget: usize,
) -> Result<(i64, i64), CookError> {
    let id = &container.id;
    let text = &range.value;
    let expr = parse_range(text)
        .map_err(|e| format!("loop `{id}`: invalid range `{text}`: {}", e.message))?;
    let used = vars_in(&expr);
    let at = |span| Located {
        file: container.source.file.clone(),
        line: container.source.line,
        span,
    };
    let whole = range.sub_span(0..text.len());
    let (code, whose, change) = if vars.runtime {
        (Code::InvalidVarValue, "value", "pass values")
    } else {
        (
            Code::CookFailed,
            "default",
            "change the defaults (or cook with --var)",
        )
    };
    let mut numbers: BTreeMap<&str, f64> = BTreeMap::new();
    for (name, r) in &used {
        let Some(value) = vars.values.get(name) else {
            let (code, help) = if vars.runtime {
                (
                    Code::MissingVarValue,
                    format!("pass it: `--var {name}=<number>`"),
                )
            } else {
                (
                    Code::CookFailed,
                    format!(
                        "give `{name}` a default, or cook with `--var {name}=<number>` (checks cook with the defaults)"
                    ),
                )
            };
            return Err(CookError::at(
                code,
                format!("the range `{text}` of loop `{id}` needs a value for var `{name}`"),
                help,
                at(range.sub_span(r.clone())),
            ));
        };
        match value.trim().parse::<f64>() {
            Ok(x) if x.is_finite() => {
                numbers.insert(name.as_str(), x);
            }
            _ => {
                return Err(CookError::at(
                    code,
                    format!(
                        "{whose} `{value}` of var `{name}` is not a number, but the range `{text}` of loop `{id}` needs one"
                    ),
                    format!("give `{name}` a number, e.g. `{name}=3`"),
                    at(range.sub_span(r.clone())),
                ));
            }
        }
    }
    let lookup = |name: &str| numbers.get(name).copied();
    let bounds = eval(&expr.start, &lookup).and_then(|s| Ok((s, eval(&expr.end, &lookup)?)));
    if used.is_empty() {
        // A constant range: the check has already validated it; this only guards.
        let (start, end) =
            bounds.map_err(|e| format!("loop `{id}`: range `{text}`: {}", e.message))?;
        if end < start {
            return Err(
                format!("loop `{id}`: range end ({end}) is less than start ({start})").into(),
            );
        }
        let n = usize::try_from(end - start + 1).unwrap_or(usize::MAX);
        over_budget(id, n.saturating_mul(per_iteration), budget)?;
        return Ok((start, end));
    }
    let mut seen = BTreeSet::new();
    let with = used
        .iter()
        .filter(|(name, _)| seen.insert(name.as_str()))
        .map(|(name, _)| {
            format!(
                "{name} = {}",
                vars.values.get(name).map_or("", |v| v.as_str())
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let (start, end) = bounds.map_err(|e| {
        CookError::at(
            code,
            format!(
                "with {with}, the range `{text}` of loop `{id}` fails: {}",
                e.message
            ),
            format!("{change} so that the range has integer bounds"),
            at(range.sub_span(e.range.clone())),
        )
    })?;
    if end < start {
        return Err(CookError::at(
            code,
            format!(
                "with {with}, the range `{text}` of loop `{id}` ends ({end}) before it starts ({start})"
            ),
            format!("ranges count upwards: {change} so that start <= end"),
            at(whole),
        ));
    }
    let n = usize::try_from(end - start + 1).unwrap_or(usize::MAX);
    let produced = n.saturating_mul(per_iteration);
    if produced > budget {
        return Err(CookError::at(
            code,
            format!(
                "with {with}, loop `{id}` would produce {produced} steps, more than the {budget} left under the step limit"
            ),
            format!("{change} for fewer iterations, or raise the limit with --step-limit"),
            at(whole),
        ));
    }
    Ok((start, end))
}

fn over_budget(id: &str, produced: usize, budget: usize) -> Result<(), CookError> {
    if produced > budget {
        return Err(CookError::from(format!(
            "loop `{id}` would produce {produced} steps, but only {budget} more fit under the step limit (--step-limit)"
        )));
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
