//! GTC017 invalid-condition: step `condition`, loop `until` and `compose.gate`
//! conditions must parse; step ids inside runtime conditions must exist (GTC006).

use super::step_refs::{Scope, check_ref};
use super::{CheckCx, Seg, walk_list};
use crate::diagnostic::{Code, Diagnostic};
use crate::expr::condition::{parse_condition, step_refs};
use crate::expr::step_condition::parse_step_condition;
use crate::model::{StepList, Text};

pub(crate) fn run(cx: &CheckCx<'_>, out: &mut Vec<Diagnostic>) {
    let f = cx.formula;
    for (list, steps) in f.step_lists() {
        let scope = cx.scope(list);
        walk_list(steps, list, &mut |s, p| {
            if let Some(c) = &s.condition
                && let Err(e) = parse_step_condition(&c.value)
            {
                out.push(
                    Diagnostic::new(
                        Code::InvalidCondition,
                        c.sub_span(e.range.clone()),
                        format!("invalid step condition: {}", e.message),
                    )
                    .with_help(e.help.clone().unwrap_or_else(|| {
                        String::from(
                            "use `{{var}}`, `!{{var}}`, `{{var}} == value` or `{{var}} != value`",
                        )
                    })),
                );
            }
            if let Some(u) = s.loop_spec.as_ref().and_then(|l| l.until.as_ref()) {
                // A loop's condition may name its own body steps.
                runtime(scope, p.segs, "loop `until`", u, out);
            }
        });
        if list == StepList::Steps
            && let Some(c) = &f.compose
        {
            for g in &c.gate {
                if let Some(cond) = &g.condition {
                    runtime(scope, &[], "gate condition", cond, out);
                }
            }
        }
    }
}

fn runtime(scope: &Scope<'_>, ns: &[Seg], what: &str, t: &Text, out: &mut Vec<Diagnostic>) {
    match parse_condition(&t.value) {
        Err(e) => out.push(
            Diagnostic::new(Code::InvalidCondition, t.sub_span(e.range.clone()), format!("invalid {what}: {}", e.message))
                .with_help(e.help.clone().unwrap_or_else(|| {
                    String::from("forms: `step.status == 'complete'`, `<step>.output.x > 3`, `children(x).all(status == 'done')`, `steps.complete >= 3`, `file.exists('p')`, `env.X == y`")
                })),
        ),
        Ok(cond) => {
            for (id, range) in step_refs(&cond) {
                check_ref(scope, ns, &format!("{what} references"), &id, (t, range.clone()), t.sub_span(range), out);
            }
        }
    }
}
