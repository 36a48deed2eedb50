//! GTC019 invalid-loop and GTC018 invalid-range.

use super::{CheckCx, walk_all};
use crate::diagnostic::{Code, Diagnostic};
use crate::expr::range::{eval, parse_range, vars_in};
use crate::model::{Loop, Step};

pub(crate) fn run(cx: &CheckCx<'_>, out: &mut Vec<Diagnostic>) {
    walk_all(cx.formula, &mut |s, _| {
        if let Some(l) = &s.loop_spec {
            check_loop(s, l, out);
        }
    });
}

fn check_loop(step: &Step, l: &Loop, out: &mut Vec<Diagnostic>) {
    let id = step.id_str();
    let bad =
        |msg: String, help: &str| Diagnostic::new(Code::InvalidLoop, l.span, msg).with_help(help);
    if !l.has_body || l.body.is_empty() {
        out.push(bad(
            format!("loop `{id}` has no body"),
            "add `[[steps.loop.body]]` steps to repeat",
        ));
    }
    let bounds = [l.count.is_some(), l.until.is_some(), l.range.is_some()]
        .iter()
        .filter(|b| **b)
        .count();
    if bounds == 0 {
        out.push(bad(
            format!("loop `{id}` has no bound"),
            "set one of `count`, `range` or `until` (with `max`)",
        ));
    } else if bounds > 1 {
        out.push(bad(
            format!("loop `{id}` sets more than one of `count`, `range` and `until`"),
            "keep exactly one of them",
        ));
    }
    if let Some(u) = &l.until
        && l.max.is_none()
    {
        out.push(
            Diagnostic::new(
                Code::InvalidLoop,
                u.span,
                format!("loop `{id}` has `until` but no `max`"),
            )
            .with_help("an `until` loop needs `max = N` so it cannot run forever"),
        );
    }
    for (name, v) in [("count", &l.count), ("max", &l.max)] {
        if let Some(v) = v
            && v.value < 1
        {
            out.push(
                Diagnostic::new(
                    Code::InvalidLoop,
                    v.span,
                    format!("loop `{name}` must be positive, found {}", v.value),
                )
                .with_help("use 1 or more"),
            );
        }
    }
    if let Some(r) = &l.range {
        match parse_range(&r.value) {
            Err(e) => out.push(
                Diagnostic::new(
                    Code::InvalidRange,
                    r.sub_span(e.range.clone()),
                    format!("invalid range: {}", e.message),
                )
                .with_help(e.help.clone().unwrap_or_else(|| {
                    String::from(
                        "write `start..end` with integers, `+ - * / ^`, parentheses and `{var}`",
                    )
                })),
            ),
            Ok(expr) => {
                // A range without placeholders is constant: evaluate it now.
                if vars_in(&expr).is_empty() {
                    let (start, end) = (eval(&expr.start, &|_| None), eval(&expr.end, &|_| None));
                    match (start, end) {
                        (Err(e), _) | (_, Err(e)) => out.push(
                            Diagnostic::new(
                                Code::InvalidRange,
                                r.sub_span(e.range.clone()),
                                format!("invalid range: {}", e.message),
                            )
                            .with_help_opt(e.help.clone()),
                        ),
                        (Ok(a), Ok(b)) if b < a => out.push(
                            Diagnostic::new(
                                Code::InvalidRange,
                                r.span,
                                format!("range end {b} is less than its start {a}"),
                            )
                            .with_help(
                                "ranges count upwards: write `start..end` with start <= end",
                            ),
                        ),
                        _ => {}
                    }
                }
            }
        }
    }
}
