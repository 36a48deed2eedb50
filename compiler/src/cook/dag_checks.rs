//! Checks that only make sense on the resolved DAG, run by `gtc check` on every
//! formula without errors: composition failures (GTC031), cycles created by
//! composition (GTC007), ids duplicated by advice or expansion (GTC005), and
//! dependencies on steps that composition removed (GTC034).

use super::types::RStep;
use super::{CookOptions, cook, cook_reading};
use crate::db::{SourceFile, Workspace, lowered};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{Formula, Step, Text};
use crate::source::Span;
use petgraph::graph::DiGraph;
use std::collections::{BTreeSet, HashMap};

/// Whether cooking can change `f`'s steps: without extends, compose rules, advice,
/// loops, expansions, templates or convoy legs, the cooked DAG is the formula's own
/// steps, which the static checks have already covered (ids, references, cycles), and
/// nothing can fail; cooking it would only repeat them.
pub(crate) fn composes(f: &Formula) -> bool {
    if !f.extends.is_empty()
        || f.compose.is_some()
        || !f.advice.is_empty()
        || !f.pointcuts.is_empty()
        || !f.template.is_empty()
        || !f.legs.is_empty()
        || f.synthesis.is_some()
    {
        return true;
    }
    let mut found = false;
    crate::check::walk_steps(&f.steps, &mut |s, _| {
        found |= s.loop_spec.is_some() || s.expand.is_some();
    });
    found
}

/// The diagnostics of cooking `file`, located in `file` (the formula name when a
/// step came from elsewhere).
pub fn composition_diagnostics(
    db: &dyn salsa::Database,
    ws: Workspace,
    file: SourceFile,
) -> Vec<Diagnostic> {
    let f = &lowered(db, file).formula;
    let name_span = f.name.as_ref().map_or(Span::new(0, 0), |n| n.span);
    if !composes(f) {
        return if f.steps.is_empty() && poured(f.effective_kind(), f.template.is_empty()) {
            vec![pours_nothing(f, name_span)]
        } else {
            Vec::new()
        };
    }
    let checked = crate::db::file_diagnostics(db, ws, file).len();
    // Other formulas are read without positions (a firewall: see `models.rs`), unless a
    // failure located in one of them needs its line.
    let (mut cooked, missed) = cook_reading(db, ws, file, CookOptions::default(), false);
    if missed {
        cooked = cook(db, ws, file, CookOptions::default());
    }
    // Cooking's own diagnostics follow the check's: failures and what it dropped.
    let mut out: Vec<Diagnostic> = cooked
        .diagnostics
        .into_iter()
        .skip(checked)
        .filter(|d| matches!(d.code, Code::CookFailed | Code::NoEffect))
        .collect();
    let Some(r) = cooked.resolved else { return out };
    if r.steps.is_empty() && poured(&r.kind, r.template.is_empty()) {
        out.push(pours_nothing(f, name_span));
    }
    let mut all: Vec<&RStep> = Vec::new();
    flatten(&r.steps, &mut all);

    let mut seen = BTreeSet::new();
    for s in &all {
        if !seen.insert(s.id.as_str()) {
            out.push(
                Diagnostic::new(
                    Code::DuplicateStepId,
                    name_span,
                    format!("composition produces step id `{}` twice", s.id),
                )
                .with_help(format!(
                    "`{}` comes from {} ({}); rename the advice or template step",
                    s.id, s.source.path, s.source.formula
                )),
            );
        }
    }
    for s in &all {
        for n in &s.needs {
            if !seen.contains(n.as_str()) {
                let span = need_span(f, s, n).unwrap_or(name_span);
                let was_loop = find_model_step(&f.steps, n).is_some_and(|m| m.loop_spec.is_some());
                let help = if was_loop {
                    format!(
                        "`{n}` is a loop: its iterations replace it, so nothing can depend on it as a whole (the dependency is dropped when pouring); hold the step with a `[[compose.gate]]` condition such as `children({n}).all(status == 'complete')`"
                    )
                } else {
                    format!(
                        "`{n}` was replaced by its own `expand`; depend on the expansion's last step, or expand it with `[[compose.expand]] target = \"{n}\"`, which rewires dependents"
                    )
                };
                out.push(
                    Diagnostic::new(
                        Code::DanglingDependency,
                        span,
                        format!(
                            "after composition, `{}` needs `{n}`, which no longer exists",
                            s.id
                        ),
                    )
                    .with_help(help),
                );
            }
        }
    }
    // Cycles: the static check found none, so any cycle here came from composition.
    let mut graph: DiGraph<&str, ()> = DiGraph::new();
    let index: HashMap<&str, _> = all
        .iter()
        .map(|s| (s.id.as_str(), graph.add_node(s.id.as_str())))
        .collect();
    for s in &all {
        for n in &s.needs {
            if let (Some(&a), Some(&b)) = (index.get(s.id.as_str()), index.get(n.as_str())) {
                graph.add_edge(a, b, ());
            }
        }
    }
    for scc in petgraph::algo::kosaraju_scc(&graph) {
        let looped = scc.len() > 1 || scc.first().is_some_and(|&n| graph.contains_edge(n, n));
        if looped {
            let mut ids: Vec<&str> = scc.iter().map(|&n| graph[n]).collect();
            ids.sort_unstable();
            out.push(
                Diagnostic::new(Code::DependencyCycle, name_span, format!("composition creates a dependency cycle among: {}", ids.join(", ")))
                    .with_help("advice, branches or expansions added dependencies that loop; run `gtc cook --why STEP` on these steps"),
            );
        }
    }
    out
}

/// Whether a formula of `kind` pours its steps: an aspect is applied by other formulas,
/// an expansion with a template pours that template (the steps of a standalone pour).
fn poured(kind: &str, no_template: bool) -> bool {
    match kind {
        "aspect" => false,
        "expansion" => no_template,
        _ => true,
    }
}

/// GTC036: `f` cooks to no steps.
fn pours_nothing(f: &Formula, at: Span) -> Diagnostic {
    let why = if !f.extends.is_empty() {
        "its parents have no steps and it adds none"
    } else {
        "it has no steps"
    };
    Diagnostic::new(
        Code::PoursNothing,
        at,
        format!(
            "`{}` cooks to no steps: pouring it makes an empty molecule",
            f.name_str()
        ),
    )
    .with_help(format!(
        "{why}; add `[[steps]]`, or give it `type = \"aspect\"` (with `advice`) or `type = \"expansion\"` (with `[[template]]`) if other formulas apply it"
    ))
}

fn flatten<'a>(steps: &'a [RStep], out: &mut Vec<&'a RStep>) {
    for s in steps {
        out.push(s);
        flatten(&s.children, out);
    }
}

/// The span of the dependency `need` as written in this formula, if the step came
/// from this formula's own `steps`.
fn need_span(f: &Formula, s: &RStep, need: &str) -> Option<Span> {
    if *s.source.formula != *f.name_str() {
        return None;
    }
    let step = step_at(&f.steps, &s.source.path)?;
    step.deps().find(|d| d.value == need).map(|d: &Text| d.span)
}

/// A step of the model by id (children and loop bodies included).
fn find_model_step<'a>(steps: &'a [Step], id: &str) -> Option<&'a Step> {
    let mut found = None;
    crate::check::walk_steps(steps, &mut |s, _| {
        if found.is_none() && s.id_str() == id {
            found = Some(s);
        }
    });
    found
}

/// The model step at a source path such as `steps[2].children[0]` or
/// `steps[1].loop.body[0]@iter3`.
fn step_at<'a>(steps: &'a [Step], path: &str) -> Option<&'a Step> {
    let path = path.split('@').next()?;
    let mut rest = path.strip_prefix("steps[")?;
    let (i, tail) = rest.split_once(']')?;
    let mut step = steps.get(i.parse::<usize>().ok()?)?;
    rest = tail;
    while !rest.is_empty() {
        if let Some(t) = rest.strip_prefix(".children[") {
            let (i, tail) = t.split_once(']')?;
            step = step.children.get(i.parse::<usize>().ok()?)?;
            rest = tail;
        } else if let Some(t) = rest.strip_prefix(".loop.body[") {
            let (i, tail) = t.split_once(']')?;
            step = step
                .loop_spec
                .as_ref()?
                .body
                .get(i.parse::<usize>().ok()?)?;
            rest = tail;
        } else {
            return None;
        }
    }
    Some(step)
}
