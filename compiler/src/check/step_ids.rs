//! GTC005 duplicate-step-id: ids must be unique within their namespace.
//!
//! Namespaces: top-level steps and their children share one; each loop body is
//! its own (its ids become `loop.iterN.id`); `template`, `legs` and `aspects`
//! each have their own. A step that reuses an id inherited through `extends`
//! overrides the parent's step, so it is not a duplicate.

use super::{CheckCx, StepPath, walk_list};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{Step, Text};
use rustc_hash::FxHashMap as HashMap;

pub(crate) fn run(cx: &CheckCx<'_>, out: &mut Vec<Diagnostic>) {
    for (list, steps) in cx.formula.step_lists() {
        let mut namespaces: HashMap<super::Namespace, HashMap<&str, &Text>> = HashMap::default();
        walk_list(steps, list, &mut |s: &Step, p: &StepPath| {
            let Some(id) = &s.id else { return };
            let ns = p.namespace();
            let seen = namespaces.entry(ns).or_default();
            match seen.get(id.as_str()) {
                Some(first) => out.push(
                    Diagnostic::new(
                        Code::DuplicateStepId,
                        id.span,
                        format!("duplicate step id `{}`", id.value),
                    )
                    .with_label(first.span, "first defined here")
                    .with_help("step ids must be unique; rename one of them"),
                ),
                None => {
                    seen.insert(id.as_str(), id);
                }
            }
        });
    }
}
