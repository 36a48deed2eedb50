//! GTC004 missing-field: the fields without which a formula, step or rule means nothing.

use super::{CheckCx, walk_all};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{StepList, Text};
use crate::source::Span;

pub(crate) fn run(cx: &CheckCx<'_>, out: &mut Vec<Diagnostic>) {
    let f = cx.formula;
    let first = match cx.part {
        super::partial::Part::Chunk { first_top } => first_top,
        _ => 0,
    };
    let whole_formula = !matches!(cx.part, super::partial::Part::Chunk { .. });
    if whole_formula && f.name.as_ref().is_none_or(|n| n.value.trim().is_empty()) {
        let span = f.name.as_ref().map_or(Span::new(0, 0), |n| n.span);
        out.push(
            Diagnostic::new(Code::MissingField, span, "formula has no name")
                .with_help("add `formula = \"my-formula\"` at the top; other formulas refer to it by this name"),
        );
    }
    walk_all(f, &mut |s, p| {
        if s.id.as_ref().is_none_or(|t| t.value.is_empty()) {
            let what = match p.list {
                StepList::Legs => "leg",
                StepList::Aspects => "aspect",
                _ => "step",
            };
            if !p.is_synthesis() {
                out.push(
                    Diagnostic::new(
                        Code::MissingField,
                        id_span(&s.id, s.span),
                        format!("{what} at {} has no `id`", p.path_from(first)),
                    )
                    .with_help(
                        "give it a unique `id`; dependencies and generated issue ids use it",
                    ),
                );
            }
        }
        let needs_title =
            matches!(p.list, StepList::Steps | StepList::Template) && s.expand.is_none();
        if needs_title && s.title.as_ref().is_none_or(|t| t.value.is_empty()) {
            out.push(
                Diagnostic::new(
                    Code::MissingField,
                    id_span(&s.id, s.span),
                    format!("step `{}` has no `title`", s.id_str()),
                )
                .with_help("add `title = \"...\"` (only steps that `expand` an expansion formula may omit it)"),
            );
        }
    });
    for a in &f.advice {
        if a.target.is_none() {
            out.push(missing(
                a.span,
                "advice rule has no `target`",
                "add `target = \"glob\"` naming the steps it applies to",
            ));
        }
        for s in &a.steps {
            if s.id.is_none() {
                out.push(missing(
                    s.span,
                    &format!("advice `{}` step has no `id`", s.slot),
                    "add `id = \"...\"`; `{step.id}` may be used in it",
                ));
            }
        }
    }
    let Some(c) = &f.compose else { return };
    for r in &c.expand {
        if r.selector.is_none() {
            out.push(missing(
                r.span,
                "expand rule has no `target`",
                "add `target = \"step-id\"`",
            ));
        }
        if r.with.is_none() {
            out.push(missing(
                r.span,
                "expand rule has no `with`",
                "add `with = \"expansion-formula\"`",
            ));
        }
    }
    for r in &c.map {
        if r.selector.is_none() {
            out.push(missing(
                r.span,
                "map rule has no `select`",
                "add `select = \"glob\"`",
            ));
        }
        if r.with.is_none() {
            out.push(missing(
                r.span,
                "map rule has no `with`",
                "add `with = \"expansion-formula\"`",
            ));
        }
    }
    for b in &c.branch {
        for (field, present) in [
            ("from", b.from.is_some()),
            ("steps", !b.steps.is_empty()),
            ("join", b.join.is_some()),
        ] {
            if !present {
                out.push(missing(
                    b.span,
                    &format!("branch rule has no `{field}`"),
                    "a branch needs `from`, `steps` and `join`",
                ));
            }
        }
    }
    for g in &c.gate {
        if g.before.is_none() {
            out.push(missing(
                g.span,
                "gate rule has no `before`",
                "add `before = \"step-id\"`",
            ));
        }
        if g.condition.is_none() {
            out.push(missing(
                g.span,
                "gate rule has no `condition`",
                "add `condition = \"...\"`",
            ));
        }
    }
    for b in &c.bond_points {
        if b.id.is_none() {
            out.push(missing(
                b.span,
                "bond point has no `id`",
                "add `id = \"...\"`",
            ));
        }
    }
    for h in &c.hooks {
        if h.trigger.is_none() {
            out.push(missing(
                h.span,
                "hook has no `trigger`",
                "add `trigger = \"label:x\"`",
            ));
        }
        if h.attach.is_none() {
            out.push(missing(
                h.span,
                "hook has no `attach`",
                "add `attach = \"formula\"`",
            ));
        }
    }
}

fn id_span(id: &Option<Text>, fallback: Span) -> Span {
    id.as_ref().map_or(fallback, |t| t.span)
}

fn missing(span: Span, message: &str, help: &str) -> Diagnostic {
    Diagnostic::new(Code::MissingField, span, message).with_help(help)
}
