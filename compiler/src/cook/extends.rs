//! `extends`, as the reference resolves it: parents in order, each resolved first;
//! the first parent to declare a var wins, then the child's vars override; parents'
//! steps are concatenated and a child step with a parent's id replaces it in place
//! (the last one, if the parents repeat it), other child steps are appended.
//!
//! Reference behaviour kept on purpose (see the closing notes of the cook work): with
//! `extends`, `advice`, `pointcuts`, `template` and `phase` are dropped, and when both
//! sides have `compose`, only `bond_points`, `hooks`, `expand` and `map` survive.

use super::from_model;
use super::models::Models;
use super::types::{RStep, RVar};
use crate::db::SourceFile;
use crate::model::{Advice, Compose, Formula};
use crate::source::Span;
use std::collections::BTreeMap;

/// A formula with its `extends` applied, before any other composition.
pub(crate) struct Base {
    pub vars: BTreeMap<String, RVar>,
    pub steps: Vec<RStep>,
    pub template: Vec<RStep>,
    pub compose: Option<Compose>,
    pub advice: Vec<Advice>,
    pub description: Option<String>,
    pub phase: Option<String>,
    /// `compose` rules the merge lost, as (message, span in the resolved formula's file):
    /// its own rules at their place, its parents' at the `extends` entry.
    pub lost: Vec<(String, Span)>,
}

/// Deeper `extends` chains than this are refused (cycles are refused by the check).
const MAX_EXTENDS_DEPTH: usize = 64;

/// Resolve `file`'s extends chain. Errors are messages about a parent (the check
/// has already located unknown parents and cycles; this only guards).
pub(crate) fn resolve(
    models: &Models<'_>,
    file: SourceFile,
    chain: &mut Vec<String>,
) -> Result<Base, String> {
    let f: &Formula = models.formula(file);
    let name = f.name_str().to_owned();
    if chain.contains(&name) || chain.len() > MAX_EXTENDS_DEPTH {
        chain.push(name);
        return Err(format!(
            "circular or too deep extends: {}",
            chain.join(" -> ")
        ));
    }
    let origin = models.origin(file, &name);
    let own_steps = from_model::steps(&f.steps, "steps", &origin);
    let own_vars: Vec<(String, RVar)> = f
        .vars
        .iter()
        .map(|v| (v.name.value.clone(), from_model::var(v)))
        .collect();
    let description = f.description.as_ref().map(|d| d.value.clone());
    if f.extends.is_empty() {
        return Ok(Base {
            vars: own_vars.into_iter().collect(),
            steps: own_steps,
            template: from_model::steps(&f.template, "template", &origin),
            compose: f.compose.clone(),
            advice: f.advice.clone(),
            description,
            phase: f.phase.as_ref().map(|p| p.value.clone()),
            lost: Vec::new(),
        });
    }
    chain.push(name.clone());
    let mut vars: BTreeMap<String, RVar> = BTreeMap::new();
    let mut steps: Vec<RStep> = Vec::new();
    let mut compose: Option<Compose> = None;
    let mut parent_description = None;
    let mut lost: Vec<(String, Span)> = Vec::new();
    for parent in &f.extends {
        let pfile = models
            .get(&parent.value)
            .ok_or_else(|| format!("extends unknown formula `{}`", parent.value))?;
        let base = resolve(models, pfile, chain)?;
        for (k, v) in base.vars {
            vars.entry(k).or_insert(v);
        }
        for mut s in base.steps {
            s.source
                .history
                .push(format!("inherited by {name} from {}", parent.value));
            steps.push(s);
        }
        let (merged, gone) = merge_compose(compose, base.compose);
        compose = merged;
        lost.extend(
            gone.into_iter()
                .map(|(rule, _)| (lost_message(rule, "what it extends"), parent.span)),
        );
        if parent_description.is_none() {
            parent_description = base.description.filter(|d| !d.is_empty());
        }
    }
    chain.pop();
    vars.extend(own_vars);
    for s in own_steps {
        match steps.iter().rposition(|p| p.id == s.id) {
            Some(i) => {
                let mut s = s;
                s.source
                    .history
                    .push(format!("overrides the inherited step `{}`", s.id));
                steps[i] = s;
            }
            None => steps.push(s),
        }
    }
    let (compose, gone) = merge_compose(compose, f.compose.clone());
    let first_parent = f.extends.first().map_or(Span::new(0, 0), |p| p.span);
    for (rule, side) in gone {
        lost.push(match side {
            Side::Own(span) => (lost_message(rule, &format!("`{name}`")), span),
            Side::Inherited => (lost_message(rule, "what it extends"), first_parent),
        });
    }
    Ok(Base {
        vars,
        steps,
        template: Vec::new(),
        compose,
        advice: Vec::new(),
        description: description.filter(|d| !d.is_empty()).or(parent_description),
        phase: None,
        lost,
    })
}

/// Which side of a `compose` merge a lost rule was on.
enum Side {
    /// The formula's own (overlay) rule, at this span of its file.
    Own(Span),
    /// A rule inherited from the parents.
    Inherited,
}

fn lost_message(rule: &str, whose: &str) -> String {
    format!(
        "`{rule}` of {whose} has no effect: when a formula and what it extends both have `compose`, only bond_points, hooks, expand and map are merged (as the reference does)"
    )
}

/// The reference's compose merge: either side alone is kept whole; with both, bond
/// points merge by id (overlay wins), hooks / expand / map append, the rest is lost:
/// returned as (rule kind, side), one per lost rule.
fn merge_compose(
    base: Option<Compose>,
    overlay: Option<Compose>,
) -> (Option<Compose>, Vec<(&'static str, Side)>) {
    match (base, overlay) {
        (None, x) | (x, None) => (x, Vec::new()),
        (Some(b), Some(o)) => {
            let mut gone: Vec<(&'static str, Side)> = Vec::new();
            for (c, own) in [(&b, false), (&o, true)] {
                let spans = c
                    .branch
                    .iter()
                    .map(|r| ("compose.branch", r.span))
                    .chain(c.gate.iter().map(|r| ("compose.gate", r.span)))
                    .chain(c.aspects.iter().map(|a| ("compose.aspects", a.span)));
                for (rule, span) in spans {
                    gone.push((
                        rule,
                        if own {
                            Side::Own(span)
                        } else {
                            Side::Inherited
                        },
                    ));
                }
            }
            let mut bond_points = b.bond_points;
            for bp in o.bond_points {
                let id = bp.id.as_ref().map(|t| t.value.clone());
                match bond_points
                    .iter()
                    .position(|x| x.id.as_ref().map(|t| &t.value) == id.as_ref())
                {
                    Some(i) => bond_points[i] = bp,
                    None => bond_points.push(bp),
                }
            }
            let merged = Compose {
                bond_points,
                hooks: b.hooks.into_iter().chain(o.hooks).collect(),
                expand: b.expand.into_iter().chain(o.expand).collect(),
                map: b.map.into_iter().chain(o.map).collect(),
                branch: Vec::new(),
                gate: Vec::new(),
                aspects: Vec::new(),
                span: o.span,
            };
            (Some(merged), gone)
        }
    }
}
