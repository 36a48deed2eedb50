//! Field values outside their domain: GTC020 priority, GTC021 formula type,
//! GTC022 waits_for, GTC027 version.

use super::fixes::respell_value;
use super::{CheckCx, suggest, walk_all};
use crate::diagnostic::{Code, Diagnostic};
use crate::expr::waits_for::parse_waits_for;
use crate::model::schema::{FORMULA_TYPES, closest};

pub(crate) fn run(cx: &CheckCx<'_>, out: &mut Vec<Diagnostic>) {
    let f = cx.formula;
    if let Some(v) = &f.version
        && v.value < 1
    {
        out.push(
            Diagnostic::new(
                Code::InvalidVersion,
                v.span,
                format!("version must be at least 1, found {}", v.value),
            )
            .with_help("formula versions start at 1"),
        );
    }
    if let Some(k) = &f.kind
        && !FORMULA_TYPES.contains(k.as_str())
    {
        out.push(
            Diagnostic::new(
                Code::InvalidFormulaType,
                k.span,
                format!("unknown formula type `{}`", k.value),
            )
            .with_help(
                suggest(&k.value, FORMULA_TYPES.names()).unwrap_or_else(|| {
                    String::from("use one of: workflow, expansion, aspect, convoy")
                }),
            )
            .with_fix_opt(
                closest(&k.value, FORMULA_TYPES.names()).and_then(|c| respell_value(k, c)),
            ),
        );
    }
    walk_all(f, &mut |s, _| {
        if let Some(p) = &s.priority
            && !(0..=4).contains(&p.value)
        {
            out.push(
                Diagnostic::new(
                    Code::PriorityOutOfRange,
                    p.span,
                    format!("priority {} is outside 0-4", p.value),
                )
                .with_help("0 is the most urgent, 4 the least; 2 is the default"),
            );
        }
        if let Some(w) = &s.waits_for
            && let Err(e) = parse_waits_for(&w.value)
        {
            out.push(
                Diagnostic::new(
                    Code::InvalidWaitsFor,
                    w.sub_span(e.range.clone()),
                    e.message.clone(),
                )
                .with_help(e.help.clone().unwrap_or_else(|| {
                    String::from("use `all-children`, `any-children` or `children-of(step-id)`")
                })),
            );
        }
    });
}
