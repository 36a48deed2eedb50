//! GTC006 unknown-step: references to step ids that do not exist.
//!
//! Checked: `needs` / `depends_on`, `waits_for = "children-of(x)"`, bond point
//! `after_step` / `before_step`, `compose.branch`, `compose.gate.before` and
//! `compose.expand.target`. References holding a `{placeholder}` are resolved
//! only when cooking, so they are skipped here.

use super::fixes::respell;
use super::{CheckCx, Namespace, Seg, StepPath, walk_list};
use crate::diagnostic::{Code, Diagnostic};
use crate::expr::waits_for::{WaitsFor, parse_waits_for};
use crate::model::schema::closest;
use crate::model::{Step, StepList, Text};
use crate::source::Span;
use rustc_hash::FxHashSet;
use std::collections::BTreeMap;
use std::ops::Range;

/// The ids visible from each namespace of one step list.
pub(crate) struct Scope<'a> {
    /// Hash sets: a formula of 100k steps looks each reference up once, and a tree's
    /// log-depth of string compares would miss the cache at every level.
    by_ns: BTreeMap<Namespace, FxHashSet<&'a str>>,
    /// How many more unknown references get a did-you-mean: each one compares the name
    /// with every visible id, so garbage input (thousands of unknown names) must not
    /// make the check quadratic.
    suggestions_left: std::cell::Cell<usize>,
    /// A chunk of a long file's steps sees none of the other chunks' ids: its references
    /// are collected here and resolved by the file (see `partial`).
    deferred: Option<std::cell::RefCell<Vec<super::partial::DeferredRef>>>,
}

/// Did-you-mean suggestions computed per step list, at most.
pub(crate) const SUGGESTION_BUDGET: usize = 64;

impl<'a> Scope<'a> {
    /// Collect the ids of `steps`, adding `inherited` to the top namespace.
    pub(crate) fn new(
        steps: &'a [Step],
        list: StepList,
        inherited: impl IntoIterator<Item = &'a str>,
    ) -> Scope<'a> {
        let mut by_ns: BTreeMap<Namespace, FxHashSet<&'a str>> = BTreeMap::new();
        by_ns.entry(Vec::new()).or_default().extend(inherited);
        walk_list(steps, list, &mut |s, p| {
            if let Some(id) = &s.id {
                by_ns
                    .entry(p.namespace())
                    .or_default()
                    .insert(id.value.as_str());
            }
        });
        Scope {
            by_ns,
            suggestions_left: std::cell::Cell::new(SUGGESTION_BUDGET),
            deferred: None,
        }
    }

    /// A scope that resolves nothing and collects every reference.
    pub(crate) fn deferring() -> Scope<'a> {
        Scope {
            by_ns: BTreeMap::new(),
            suggestions_left: std::cell::Cell::new(0),
            deferred: Some(Default::default()),
        }
    }

    /// The references a deferring scope collected.
    pub(crate) fn take_deferred(&self) -> Vec<super::partial::DeferredRef> {
        self.deferred.as_ref().map(|d| d.take()).unwrap_or_default()
    }

    /// Whether `id` is visible from namespace `ns` (its own and every enclosing one).
    pub(crate) fn contains(&self, ns: &[Seg], id: &str) -> bool {
        self.by_ns
            .iter()
            .any(|(k, ids)| ns.starts_with(k) && ids.contains(id))
    }

    /// The visible ids, sorted (for suggestions, which must not depend on hashing).
    fn visible(&self, ns: &[Seg]) -> Vec<&str> {
        let mut ids: Vec<&str> = self
            .by_ns
            .iter()
            .filter(|(k, _)| ns.starts_with(k))
            .flat_map(|(_, ids)| ids.iter().copied())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

/// Report the reference `name` (at `span`; written as `t.value[range]`, which a fix
/// respells) unless it names a visible step.
pub(crate) fn check_ref(
    scope: &Scope<'_>,
    ns: &[Seg],
    what: &str,
    name: &str,
    (t, range): (&Text, Range<usize>),
    span: Span,
    out: &mut Vec<Diagnostic>,
) {
    if name.contains('{') {
        return;
    }
    if let Some(d) = &scope.deferred {
        d.borrow_mut().push(super::partial::DeferredRef {
            what: what.to_owned(),
            name: name.to_owned(),
            text: t.clone(),
            range,
            span,
        });
        return;
    }
    if scope.contains(ns, name) {
        return;
    }
    let left = scope.suggestions_left.get();
    let suggestion = if left > 0 {
        scope.suggestions_left.set(left - 1);
        closest(name, scope.visible(ns).iter().copied())
    } else {
        None
    };
    out.push(unknown_step(what, name, (t, range), span, suggestion));
}

/// GTC006 for the reference `name` (see [`check_ref`]), with `suggestion` as its
/// did-you-mean.
pub(crate) fn unknown_step(
    what: &str,
    name: &str,
    (t, range): (&Text, Range<usize>),
    span: Span,
    suggestion: Option<&str>,
) -> Diagnostic {
    Diagnostic::new(
        Code::UnknownStep,
        span,
        format!("{what} unknown step `{name}`"),
    )
    .with_help(suggestion.map_or_else(
        || String::from("reference the `id` of a step of this formula"),
        |s| format!("did you mean `{s}`?"),
    ))
    .with_fix_opt(
        suggestion
            .filter(|_| t.value.get(range.clone()) == Some(name))
            .and_then(|s| respell(t, range, s)),
    )
}

fn check_text(scope: &Scope<'_>, ns: &[Seg], what: &str, t: &Text, out: &mut Vec<Diagnostic>) {
    check_ref(
        scope,
        ns,
        what,
        &t.value,
        (t, 0..t.value.len()),
        t.span,
        out,
    );
}

pub(crate) fn run(cx: &CheckCx<'_>, out: &mut Vec<Diagnostic>) {
    let f = cx.formula;
    let mut steps_scope = None;
    for (list, steps) in f.step_lists() {
        let scope = cx.scope(list);
        walk_list(steps, list, &mut |s: &Step, p: &StepPath| {
            let ns = p.namespace();
            for d in &s.depends_on {
                check_text(scope, &ns, "depends_on references", d, out);
            }
            for d in &s.needs {
                check_text(scope, &ns, "needs references", d, out);
            }
            if let Some(w) = &s.waits_for
                && let Ok(WaitsFor::ChildrenOf { step, step_range }) = parse_waits_for(&w.value)
            {
                check_ref(
                    scope,
                    &ns,
                    "waits_for references",
                    &step,
                    (w, step_range.clone()),
                    w.sub_span(step_range),
                    out,
                );
            }
        });
        if list == StepList::Steps {
            steps_scope = Some(scope);
        }
    }
    if let Some(syn) = &f.synthesis {
        let legs = Scope::new(&f.legs, StepList::Legs, std::iter::empty());
        for d in syn.deps() {
            check_text(&legs, &[], "synthesis depends on", d, out);
        }
    }
    let (Some(scope), Some(c)) = (steps_scope, &f.compose) else {
        return;
    };
    for b in &c.bond_points {
        for (what, t) in [
            ("after_step references", &b.after_step),
            ("before_step references", &b.before_step),
        ] {
            if let Some(t) = t {
                check_text(scope, &[], what, t, out);
            }
        }
    }
    for b in &c.branch {
        for t in b.from.iter().chain(b.steps.iter()).chain(b.join.iter()) {
            check_text(scope, &[], "branch references", t, out);
        }
    }
    for g in &c.gate {
        if let Some(t) = &g.before {
            check_text(scope, &[], "gate rule references", t, out);
        }
    }
    for r in &c.expand {
        if let Some(t) = &r.selector {
            check_text(scope, &[], "expand targets", t, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::driver::check_sources;

    /// Garbage input can hold thousands of unknown references; each did-you-mean
    /// compares the name with every id, so only the first ones get one.
    #[test]
    fn did_you_mean_is_budgeted() {
        let mut text = String::from("formula = \"many\"\n");
        for i in 0..100 {
            text.push_str(&format!(
                "\n[[steps]]\nid = \"step-{i}\"\ntitle = \"S\"\nneeds = [\"stepp-{i}\"]\n"
            ));
        }
        let report = check_sources(&[("many.formula.toml", &text)]);
        let helps: Vec<String> = report
            .diagnostics()
            .filter(|d| d.diagnostic.code == crate::diagnostic::Code::UnknownStep)
            .map(|d| d.diagnostic.help.clone().unwrap_or_default())
            .collect();
        assert_eq!(helps.len(), 100);
        let suggested = helps.iter().filter(|h| h.contains("did you mean")).count();
        assert_eq!(suggested, super::SUGGESTION_BUDGET);
        assert!(helps[0].contains("did you mean `step-0`?"), "{}", helps[0]);
    }
}
