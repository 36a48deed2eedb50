//! GTC030 invalid-placeholder: single-brace placeholders that nothing fills.
//!
//! In expansion templates, `{target}`, `{target.id|title|description}` and the
//! expansion's own vars are filled; in advice steps `{step.id}` and `{step.title}`;
//! in loop bodies the loop's `var`. Only ids, titles and dependencies are checked:
//! descriptions are prose, where braces are often meant literally.

use super::{CheckCx, walk_list};
use crate::diagnostic::{Code, Diagnostic};
use crate::expr::placeholder::placeholders;
use crate::model::{StepList, Text};

pub(crate) fn run(cx: &CheckCx<'_>, out: &mut Vec<Diagnostic>) {
    let f = cx.formula;
    let own_vars: Vec<&str> = f.vars.iter().map(|v| v.name.value.as_str()).collect();
    walk_list(&f.template, StepList::Template, &mut |s, _| {
        let allowed = |name: &str| {
            matches!(
                name,
                "target" | "target.id" | "target.title" | "target.description"
            ) || own_vars.contains(&name)
        };
        let texts = s.id.iter().chain(s.title.iter()).chain(s.deps());
        for t in texts {
            check(
                t,
                &allowed,
                "an expansion template fills `{target}`, `{target.id}`, `{target.title}`, `{target.description}` and the expansion's vars",
                out,
            );
        }
    });
    for a in &f.advice {
        for s in &a.steps {
            let allowed = |name: &str| matches!(name, "step.id" | "step.title");
            for t in s.id.iter().chain(s.title.iter()) {
                check(
                    t,
                    &allowed,
                    "advice fills `{step.id}` and `{step.title}`",
                    out,
                );
            }
        }
    }
    walk_list(&f.steps, StepList::Steps, &mut |s, _| {
        let Some(l) = &s.loop_spec else { return };
        let var = l.var.as_ref().map(|v| v.value.clone());
        let allowed = |name: &str| var.as_deref() == Some(name) || own_vars.contains(&name);
        for b in &l.body {
            for t in b.id.iter().chain(b.title.iter()) {
                check(t, &allowed, "a loop body fills its loop's `var`", out);
            }
        }
    });
}

fn check(t: &Text, allowed: &dyn Fn(&str) -> bool, help: &str, out: &mut Vec<Diagnostic>) {
    for p in placeholders(&t.value) {
        if !allowed(&p.name) {
            out.push(
                Diagnostic::new(
                    Code::InvalidPlaceholder,
                    t.sub_span(p.range.clone()),
                    format!("nothing fills `{{{}}}` here", p.name),
                )
                .with_help(help),
            );
        }
    }
}
