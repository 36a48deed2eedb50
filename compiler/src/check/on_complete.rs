//! GTC024 invalid-on-complete and GTC029 conflicting-fields.

use super::{CheckCx, walk_all};
use crate::diagnostic::{Code, Diagnostic};

pub(crate) fn run(cx: &CheckCx<'_>, out: &mut Vec<Diagnostic>) {
    let f = cx.formula;
    walk_all(f, &mut |s, _| {
        if let Some(o) = &s.on_complete {
            let bad = |span, msg: &str, help: &str| {
                Diagnostic::new(Code::InvalidOnComplete, span, msg).with_help(help)
            };
            match (&o.for_each, &o.bond) {
                (Some(fe), None) => out.push(bad(
                    fe.span,
                    "`on_complete.for_each` without `bond`",
                    "add `bond = \"formula\"` to pour for each item",
                )),
                (None, Some(b)) => out.push(bad(
                    b.span,
                    "`on_complete.bond` without `for_each`",
                    "add `for_each = \"output.items\"` naming the list to iterate",
                )),
                _ => {}
            }
            if let Some(fe) = &o.for_each
                && !fe.value.starts_with("output.")
            {
                out.push(bad(
                    fe.span,
                    &format!("`for_each` must start with `output.`, found `{}`", fe.value),
                    "iterate over a list in the step's output, e.g. `output.findings`",
                ));
            }
            if let (Some(p), Some(q)) = (&o.parallel, &o.sequential)
                && p.value
                && q.value
            {
                out.push(bad(
                    q.span,
                    "`on_complete` cannot be both `parallel` and `sequential`",
                    "keep one of them",
                ));
            }
        }
        if let Some(e) = &s.expand
            && (!s.children.is_empty() || s.loop_spec.is_some())
        {
            out.push(
                    Diagnostic::new(Code::ConflictingFields, e.span, format!("step `{}` has `expand` and also `children` or `loop`", s.id_str()))
                        .with_help("an expanded step is replaced by the expansion's steps; move the children or loop elsewhere"),
                );
        }
    });
    if let Some(c) = &f.compose {
        for b in &c.bond_points {
            if let (Some(_), Some(before)) = (&b.after_step, &b.before_step) {
                out.push(
                    Diagnostic::new(
                        Code::ConflictingFields,
                        before.span,
                        "bond point has both `after_step` and `before_step`",
                    )
                    .with_help("a bond point attaches at one place: keep one of them"),
                );
            }
        }
    }
}
