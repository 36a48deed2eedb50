//! Cooking: a checked formula with its composition resolved into concrete steps.
//!
//! The order is the reference's (`bd cook`): extends, then control flow (loops,
//! branches, gates), the formula's advice, inline expansions (`step.expand`),
//! `compose.expand` then `compose.map`, then aspects. Each stage is a file here.
//! Only formulas without check errors are cooked.

mod advice;
mod control;
mod convoy;
mod dag_checks;
mod error;
mod expand;
mod extends;
mod from_model;
mod labels;
mod loops;
mod models;
mod render;
mod runtime;
mod types;

pub use dag_checks::composition_diagnostics;
pub use labels::go_json;
pub use render::{explain_step, step_ids, to_dot, to_json, to_mermaid, to_tree};
pub use types::{RGate, ROnComplete, RStep, RVar, Resolved, SourceRecord};

use crate::db::{SourceFile, Workspace, file_diagnostics, lowered, name_index};
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::expr::glob::parse_glob;
use crate::model::ExpandRule;
use crate::source::Span;
use error::CookError;
use expand::Expansion;
use from_model::Origin;
use models::Models;
use std::collections::{BTreeMap, BTreeSet};

/// How to cook.
#[derive(Clone, Debug)]
pub struct CookOptions {
    /// The most steps loops may produce.
    pub step_limit: usize,
    /// Runtime mode: var values to validate and substitute (`None`: compile mode,
    /// placeholders kept).
    pub vars: Option<BTreeMap<String, String>>,
}

impl Default for CookOptions {
    fn default() -> Self {
        CookOptions {
            step_limit: 100_000,
            vars: None,
        }
    }
}

/// The result of cooking one file: the resolved formula, or the diagnostics that
/// prevented it (check errors first).
#[derive(Clone, Debug)]
pub struct Cooked {
    /// The resolved formula, when cooking succeeded.
    pub resolved: Option<Resolved>,
    /// Every diagnostic (the check's, then cooking's).
    pub diagnostics: Vec<Diagnostic>,
}

/// Cook `file` in the workspace `ws`.
pub fn cook(
    db: &dyn salsa::Database,
    ws: Workspace,
    file: SourceFile,
    opts: CookOptions,
) -> Cooked {
    cook_reading(db, ws, file, opts, true).0
}

/// Cook `file`, reading the other formulas with or without their positions (see
/// `models.rs`). Also says whether a diagnostic wanted a position it did not read.
fn cook_reading(
    db: &dyn salsa::Database,
    ws: Workspace,
    file: SourceFile,
    opts: CookOptions,
    positions: bool,
) -> (Cooked, bool) {
    let mut diagnostics = file_diagnostics(db, ws, file).clone();
    if diagnostics.iter().any(|d| d.severity == Severity::Error) {
        let cooked = Cooked {
            resolved: None,
            diagnostics,
        };
        return (cooked, false);
    }
    let index = name_index(db, ws).scope(db, file);
    let models = Models::new(db, &index, file, positions);
    let cooked = match run(&models, file, &opts) {
        Ok((r, mut warnings)) => {
            diagnostics.append(&mut warnings);
            Cooked {
                resolved: Some(r),
                diagnostics,
            }
        }
        Err(mut errors) => {
            diagnostics.append(&mut errors);
            Cooked {
                resolved: None,
                diagnostics,
            }
        }
    };
    (cooked, models.missed())
}

/// The pipeline, in the reference's order. In runtime mode the var values are validated
/// first, so that loop ranges read them; conditions and `{{var}}` substitution come last.
/// Gives the warnings of composition too (GTC037: `compose` rules `extends` loses).
fn run(
    models: &Models<'_>,
    file: SourceFile,
    opts: &CookOptions,
) -> Result<(Resolved, Vec<Diagnostic>), Vec<Diagnostic>> {
    let db = models.db();
    let f = &lowered(db, file).formula;
    let name = f.name_str().to_owned();
    let origin = Origin::of(db, file, &name);
    let name_span = f.name.as_ref().map_or(Span::new(0, 0), |n| n.span);
    let located = |e: CookError| {
        if e.at.as_ref().is_some_and(|at| *at.file != *origin.file) {
            models.miss(); // the message names a line of another file
        }
        vec![e.into_diagnostic(&origin.file, name_span)]
    };

    let mut base =
        extends::resolve(models, file, &mut Vec::new()).map_err(|e| located(e.into()))?;
    let warnings: Vec<Diagnostic> = std::mem::take(&mut base.lost)
        .into_iter()
        .map(|(message, span)| {
            Diagnostic::new(Code::NoEffect, span, message).with_help(
                "move the rule into the formula whose `compose` is kept, or drop one of the two `compose` tables",
            )
        })
        .collect();
    let values = match &opts.vars {
        Some(given) => runtime::values(&base.vars, f, given)?,
        None => base
            .vars
            .iter()
            .filter_map(|(k, v)| v.default.clone().map(|d| (k.clone(), d)))
            .collect(),
    };
    let range_vars = loops::RangeVars {
        values: &values,
        runtime: opts.vars.is_some(),
    };
    let mut steps = std::mem::take(&mut base.steps);
    steps.extend(convoy::steps(f, &origin));
    let steps = compose(models, &base, steps, &range_vars, &origin, opts).map_err(located)?;
    let mut r = Resolved {
        formula: name,
        description: base.description,
        version: f.version.as_ref().map_or(1, |v| v.value),
        kind: f.effective_kind().to_owned(),
        vars: base.vars,
        steps,
        template: base.template,
        phase: base.phase,
        // Gas Town reads `pour` from the formula itself, also under `extends`.
        pour: f.pour.as_ref().map(|p| p.value),
        source: origin.file.to_string(),
    };
    if opts.vars.is_some() {
        runtime::apply(&mut r, f, &values)?;
    }
    Ok((r, warnings))
}

/// Control flow, advice, expansions and aspects over `steps` (extends already applied).
fn compose(
    models: &Models<'_>,
    base: &extends::Base,
    steps: Vec<RStep>,
    range_vars: &loops::RangeVars<'_>,
    origin: &Origin,
    opts: &CookOptions,
) -> Result<Vec<RStep>, CookError> {
    let mut budget = opts.step_limit;
    let mut steps = loops::apply(steps, range_vars, &mut budget)?;
    control::apply(&mut steps, base.compose.as_ref())?;
    steps = advice::apply(steps, &base.advice, origin)?;
    steps = inline_expansions(models, steps, 0)?;
    let mut expanded: BTreeSet<String> = BTreeSet::new();
    if let Some(c) = &base.compose {
        for rule in &c.expand {
            let target = rule
                .selector
                .as_ref()
                .map(|t| t.value.clone())
                .unwrap_or_default();
            if expanded.contains(&target) {
                continue;
            }
            apply_rule(models, &mut steps, &target, rule, "expanded", &mut expanded)?;
        }
        for rule in &c.map {
            let select = rule
                .selector
                .as_ref()
                .map(|t| t.value.clone())
                .unwrap_or_default();
            let glob =
                parse_glob(&select).map_err(|e| format!("map select `{select}`: {}", e.message))?;
            let mut targets = Vec::new();
            collect_matching(&steps, &|id| glob.matches(id), &mut targets);
            for target in targets {
                if !expanded.contains(&target) {
                    apply_rule(models, &mut steps, &target, rule, "mapped", &mut expanded)?;
                }
            }
        }
        let mut seen = BTreeSet::new();
        let mut dups = BTreeSet::new();
        collect_dups(&steps, &mut seen, &mut dups);
        if !dups.is_empty() {
            return Err(format!(
                "duplicate step ids after expansion: {}",
                dups.into_iter().collect::<Vec<_>>().join(", ")
            )
            .into());
        }
        for aspect in &c.aspects {
            let afile = models
                .get(&aspect.value)
                .ok_or_else(|| format!("aspect `{}` not found", aspect.value))?;
            let af = models.formula(afile);
            if af.effective_kind() != "aspect" {
                return Err(format!("`{}` is not an aspect formula", aspect.value).into());
            }
            let aorigin = models.origin(afile, &aspect.value);
            steps = advice::apply(steps, &af.advice, &aorigin)?;
        }
    }
    Ok(steps)
}

/// Load an expansion formula by name.
fn load_expansion(models: &Models<'_>, name: &str) -> Result<Expansion, String> {
    let file = models
        .get(name)
        .ok_or_else(|| format!("expansion formula `{name}` not found"))?;
    let f = models.formula(file);
    if f.effective_kind() != "expansion" {
        return Err(format!(
            "`{name}` is not an expansion formula (type={})",
            f.effective_kind()
        ));
    }
    if f.template.is_empty() {
        return Err(format!("`{name}` has no template steps"));
    }
    let origin = models.origin(file, name);
    Ok(Expansion {
        name: name.to_owned(),
        template: from_model::steps(&f.template, "template", &origin),
        defaults: f
            .vars
            .iter()
            .filter_map(|v| {
                v.default
                    .as_ref()
                    .map(|d| (v.name.value.clone(), d.value.clone()))
            })
            .collect(),
    })
}

/// Replace every step with an `expand` by its expansion (depth-limited).
fn inline_expansions(
    models: &Models<'_>,
    steps: Vec<RStep>,
    depth: usize,
) -> Result<Vec<RStep>, String> {
    let mut out = Vec::with_capacity(steps.len());
    for mut s in steps {
        if let Some((name, vars)) = s.expand.take() {
            if depth >= expand::MAX_DEPTH {
                return Err(format!(
                    "inline expand on step `{}`: expansion depth limit exceeded: max {} levels",
                    s.id,
                    expand::MAX_DEPTH
                ));
            }
            let exp = load_expansion(models, &name)
                .map_err(|e| format!("inline expand on step `{}`: {e}", s.id))?;
            let expanded = expand::expand_step(&s, &exp, &vars, 0, "expanded in place of")?;
            out.extend(inline_expansions(models, expanded, depth + 1)?);
        } else {
            s.children = inline_expansions(models, std::mem::take(&mut s.children), depth)?;
            out.push(s);
        }
    }
    Ok(out)
}

/// Expand `target` with a `compose.expand` / `compose.map` rule, rewiring dependents
/// of the target to the expansion's last step.
fn apply_rule(
    models: &Models<'_>,
    steps: &mut Vec<RStep>,
    target: &str,
    rule: &ExpandRule,
    how: &str,
    expanded: &mut BTreeSet<String>,
) -> Result<(), String> {
    let with = rule.with.as_ref().map_or("", |t| t.value.as_str());
    let vars: BTreeMap<String, String> = rule
        .vars
        .iter()
        .map(|(k, v)| (k.value.clone(), v.value.clone()))
        .collect();
    let t = control::find_mut(steps, target)
        .map(|s| s.clone())
        .ok_or_else(|| format!("expand: target step `{target}` not found"))?;
    let exp = load_expansion(models, with).map_err(|e| format!("expand `{target}`: {e}"))?;
    let new = expand::expand_step(&t, &exp, &vars, 0, how)?;
    let last = new.last().map(|s| s.id.clone());
    if expand::replace(steps, target, new).is_err() {
        return Err(format!("expand: target step `{target}` not found"));
    }
    if let Some(last) = last {
        expand::rewire(steps, target, &last);
    }
    expanded.insert(target.to_owned());
    Ok(())
}

fn collect_matching(steps: &[RStep], pred: &dyn Fn(&str) -> bool, out: &mut Vec<String>) {
    for s in steps {
        if pred(&s.id) {
            out.push(s.id.clone());
        }
        collect_matching(&s.children, pred, out);
    }
}

fn collect_dups(steps: &[RStep], seen: &mut BTreeSet<String>, dups: &mut BTreeSet<String>) {
    for s in steps {
        if !seen.insert(s.id.clone()) {
            dups.insert(s.id.clone());
        }
        collect_dups(&s.children, seen, dups);
    }
}
