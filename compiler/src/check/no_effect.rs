//! GTC037 no-effect: keys the model accepts whose value composition drops, where the
//! author clearly meant something: an expansion template step's `condition`, `gate`,
//! `waits_for`, `on_complete`, `expand` or `loop` (expansion copies only a step's text,
//! type, priority, assignee, labels, dependencies, notes, metadata and children); the keys
//! of a step that an expansion replaces (its own `expand`, or a `compose.expand` /
//! `compose.map` target) other than its id, title, description and dependencies; and the
//! keys of a loop step other than its id, title and description (its iterations replace
//! it); the `advice`, `pointcuts`, `template` and `phase` of a formula that `extends` others
//! (`extends` keeps only vars, steps, compose and the description). Both engines drop
//! them without a word. (Keys dropped while lowering, advice `args` / `output` and the
//! root `source`, are reported while lowering, `model/lower/`; `compose` rules lost when parent and
//! child both have `compose`, in `cook/extends.rs`.)

use super::{CheckCx, walk_list};
use crate::diagnostic::{Code, Diagnostic};
use crate::expr::glob::parse_glob;
use crate::model::{Step, StepList};
use crate::source::Span;

pub(crate) fn run(cx: &CheckCx<'_>, out: &mut Vec<Diagnostic>) {
    let f = cx.formula;
    walk_list(&f.template, StepList::Template, &mut |s, _| {
        let dropped = [
            ("condition", s.condition.as_ref().map(|t| t.span)),
            ("gate", s.gate.as_ref().map(|g| g.span)),
            ("waits_for", s.waits_for.as_ref().map(|t| t.span)),
            ("on_complete", s.on_complete.as_ref().map(|o| o.span)),
            ("expand", s.expand.as_ref().map(|t| t.span)),
            ("loop", s.loop_spec.as_ref().map(|l| l.span)),
        ];
        report(
            &dropped,
            |key| {
                format!(
                    "`{key}` of template step `{}` has no effect: expansion drops it",
                    s.id_str()
                )
            },
            |key| {
                format!(
                    "an expanded step keeps only its id, title, description, notes, type, priority, assignee, labels, dependencies, metadata and children: remove the `{key}`, or write the step in the formula that uses the expansion"
                )
            },
            out,
        );
    });
    expanded_targets(cx, out);
    loop_containers(cx, out);
    if f.extends.is_empty() {
        return;
    }
    let dropped = [
        ("advice", f.advice.first().map(|a| a.span)),
        ("pointcuts", f.pointcuts.first().map(|p| p.span)),
        ("template", f.template.first().map(|t| t.span)),
        ("phase", f.phase.as_ref().map(|p| p.span)),
    ];
    report(
        &dropped,
        |key| format!("`{key}` has no effect in a formula that `extends` others: extends drops it"),
        |_| {
            String::from(
                "a formula with `extends` keeps only its vars, steps, compose and description (as the reference does); move this to a parent, or apply advice through an aspect formula listed in `compose.aspects`",
            )
        },
        out,
    );
}

/// One GTC037 for each key of `keys` that is written (has a span).
fn report(
    keys: &[(&str, Option<Span>)],
    message: impl Fn(&str) -> String,
    help: impl Fn(&str) -> String,
    out: &mut Vec<Diagnostic>,
) {
    for &(key, span) in keys {
        if let Some(span) = span {
            out.push(Diagnostic::new(Code::NoEffect, span, message(key)).with_help(help(key)));
        }
    }
}

/// The keys of a step that an expansion replaces, other than those it reads (id, title,
/// description for `{target...}`, dependencies for the expansion's first steps).
fn expanded_targets(cx: &CheckCx<'_>, out: &mut Vec<Diagnostic>) {
    let f = cx.formula;
    let mut rules: Vec<(Glob, &str)> = Vec::new();
    if let Some(c) = &f.compose {
        for r in &c.expand {
            if let Some(t) = &r.selector {
                rules.push((Glob::Exact(t.value.clone()), "a `compose.expand` rule"));
            }
        }
        for r in &c.map {
            // A selector that is not a glob is GTC026; it replaces nothing.
            if let Some(g) = r.selector.as_ref().and_then(|t| parse_glob(&t.value).ok()) {
                rules.push((Glob::Pattern(g), "a `compose.map` rule"));
            }
        }
    }
    super::walk_steps(&f.steps, &mut |s, p| {
        let by = if s.expand.is_some() {
            Some("its `expand`")
        } else if p.in_loop {
            None // loop iterations get new ids: rules match those, not the body's
        } else {
            rules
                .iter()
                .find(|(g, _)| g.matches(s.id_str()))
                .map(|(_, what)| *what)
        };
        let Some(by) = by else { return };
        report(
            &issue_fields(s),
            |key| {
                format!(
                    "`{key}` of step `{}` has no effect: {by} replaces the step with the expansion's steps",
                    s.id_str()
                )
            },
            |key| {
                format!(
                    "an expansion reads only the replaced step's id, title, description and dependencies: move the `{key}` to the expansion's template"
                )
            },
            out,
        );
    });
}

/// The keys of a step with a `loop`, other than its id, title and description: the
/// loop's iterations replace the step, so its dependencies, children and the rest go
/// with it (the reference drops them without a word).
fn loop_containers(cx: &CheckCx<'_>, out: &mut Vec<Diagnostic>) {
    super::walk_steps(&cx.formula.steps, &mut |s, _| {
        if s.loop_spec.is_none() {
            return;
        }
        let mut dropped = vec![
            ("depends_on", s.depends_on.first().map(|t| t.span)),
            ("needs", s.needs.first().map(|t| t.span)),
        ];
        dropped.extend(issue_fields(s));
        dropped.push(("children", s.children.first().map(|c| c.span)));
        report(
            &dropped,
            |key| {
                format!(
                    "`{key}` of loop step `{}` has no effect: the loop's iterations replace the step",
                    s.id_str()
                )
            },
            |key| {
                if matches!(key, "needs" | "depends_on") {
                    String::from(
                        "write the dependency on the loop body's first step: a body step may name steps outside the loop, and every iteration keeps that dependency",
                    )
                } else {
                    format!(
                        "a loop step keeps only its id, title and description: move the `{key}` into the loop's body steps"
                    )
                }
            },
            out,
        );
    });
}

/// The keys of a step that shape the issue it becomes, other than its text and
/// dependencies, with where each is written.
fn issue_fields(s: &Step) -> [(&'static str, Option<Span>); 10] {
    [
        ("type", s.ty.as_ref().map(|t| t.span)),
        ("priority", s.priority.as_ref().map(|t| t.span)),
        ("labels", s.labels.first().map(|t| t.span)),
        ("metadata", s.metadata.as_ref().map(|m| m.span)),
        ("notes", s.notes.as_ref().map(|t| t.span)),
        ("assignee", s.assignee.as_ref().map(|t| t.span)),
        ("condition", s.condition.as_ref().map(|t| t.span)),
        ("waits_for", s.waits_for.as_ref().map(|t| t.span)),
        ("gate", s.gate.as_ref().map(|g| g.span)),
        ("on_complete", s.on_complete.as_ref().map(|o| o.span)),
    ]
}

/// A `compose.expand` target (an id) or a `compose.map` selector (a glob).
enum Glob {
    Exact(String),
    Pattern(crate::expr::glob::Glob),
}

impl Glob {
    fn matches(&self, id: &str) -> bool {
        match self {
            Glob::Exact(t) => t == id,
            Glob::Pattern(g) => g.matches(id),
        }
    }
}
