//! GTC026 invalid-glob and GTC010 unmatched-selector: advice targets, map
//! selectors and pointcut globs must parse, and (outside aspect formulas,
//! whose advice targets other formulas) should match one of the formula's steps.

use super::{CheckCx, walk_list};
use crate::diagnostic::{Code, Diagnostic};
use crate::expr::glob::{Glob, parse_glob};
use crate::model::{StepList, Text};

pub(crate) fn run(cx: &CheckCx<'_>, out: &mut Vec<Diagnostic>) {
    let f = cx.formula;
    let mut ids: Vec<&str> = cx.inherited.steps().map(|s| s.id).collect();
    walk_list(&f.steps, StepList::Steps, &mut |s, _| {
        if let Some(id) = &s.id {
            ids.push(id.as_str());
        }
    });
    let is_aspect = f.effective_kind() == "aspect";
    let mut selectors: Vec<(&Text, &str)> = f
        .advice
        .iter()
        .filter_map(|a| a.target.as_ref())
        .map(|t| (t, "advice target"))
        .collect();
    if let Some(c) = &f.compose {
        selectors.extend(
            c.map
                .iter()
                .filter_map(|r| r.selector.as_ref())
                .map(|t| (t, "map selector")),
        );
    }
    for (t, what) in selectors {
        let Some(glob) = parse(t, out) else { continue };
        let applies_here = what == "map selector" || !is_aspect;
        if applies_here && !ids.iter().any(|id| glob.matches(id)) {
            out.push(
                Diagnostic::new(Code::UnmatchedSelector, t.span, format!("{what} `{}` matches no step of this formula", t.value))
                    .with_help("check the step ids; `*` matches within one id, `*.x` matches ids ending in `.x`"),
            );
        }
    }
    for p in &f.pointcuts {
        if let Some(g) = &p.glob {
            parse(g, out);
        }
    }
}

fn parse(t: &Text, out: &mut Vec<Diagnostic>) -> Option<Glob> {
    match parse_glob(&t.value) {
        Ok(g) => Some(g),
        Err(e) => {
            out.push(
                Diagnostic::new(
                    Code::InvalidGlob,
                    t.sub_span(e.range.clone()),
                    e.message.clone(),
                )
                .with_help_opt(e.help.clone()),
            );
            None
        }
    }
}
