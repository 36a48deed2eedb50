//! The checks: rules over the typed formula and what it inherits. Each rule is a
//! file with one job and its own stable code (see `docs/diagnostics.md`).

mod conditions;
mod cycles;
pub(crate) mod fixes;
mod formula_refs;
mod gates;
mod loops;
mod no_effect;
mod on_complete;
pub mod partial;
mod passed_vars;
mod placeholders;
mod required_fields;
mod scalars;
mod selectors;
mod step_ids;
mod step_refs;
mod vars;

use crate::diagnostic::{Code, Diagnostic};
use crate::model::{Formula, Step, StepList, Text};
use crate::resolve::{FormulaInfo, Inheritance};
use crate::syntax::{Format, Node, SyntaxError};
use std::collections::BTreeSet;

/// The file a formula was lowered from, for fixes that edit more than a diagnostic's
/// own span (declaring a var adds a table).
#[derive(Clone, Copy)]
pub struct Source<'a> {
    /// The text.
    pub text: &'a str,
    /// Its format.
    pub format: Format,
    /// Its tree.
    pub root: &'a Node,
}

/// Other formulas, as the formula being checked sees them.
pub struct Lookup<'a> {
    /// What checking needs to know of the formula a name resolves to.
    pub info: &'a dyn Fn(&str) -> Option<FormulaInfo>,
    /// The visible formula name closest to a misspelt one.
    pub closest: &'a dyn Fn(&str) -> Option<String>,
    /// Where the formula a name resolves to states its kind (its `type`, else its name),
    /// for a label.
    pub kind_at: &'a dyn Fn(&str) -> Option<Place>,
}

/// A place for a label: the file (`None` when it is the checked one) and the span.
pub type Place = (Option<std::path::PathBuf>, crate::source::Span);

/// What the rules see: the formula, its inheritance, and a way to look up others.
pub struct CheckCx<'a> {
    /// The formula being checked (when checking a chunk of a long file, only that
    /// chunk's steps: see [`partial`]).
    pub formula: &'a Formula,
    /// Where the formula's declarations (its vars, its type) are read from: `formula`
    /// itself, except when checking a chunk of steps.
    pub frame: &'a Formula,
    /// Which part of the formula is checked.
    pub(crate) part: partial::Part<'a>,
    /// A chunk's undeclared vars whose declaration fix needs the whole file: the index
    /// of the diagnostic in the chunk's output and the var's name.
    pub(crate) declares: std::cell::RefCell<Vec<(usize, String)>>,
    /// What it inherits through `extends`.
    pub inherited: &'a Inheritance,
    /// Look up another formula by name.
    pub lookup: &'a Lookup<'a>,
    /// The file, when the caller has it (fixes that add or remove declarations need it).
    pub source: Option<Source<'a>>,
    /// The ids visible in each step list, built once for the rules that resolve references.
    scopes: std::cell::OnceCell<Vec<(StepList, step_refs::Scope<'a>)>>,
}

impl<'a> CheckCx<'a> {
    /// A context checking `part` of `formula`, whose declarations are read from `frame`.
    pub(crate) fn new(
        formula: &'a Formula,
        frame: &'a Formula,
        part: partial::Part<'a>,
        inherited: &'a Inheritance,
        lookup: &'a Lookup<'a>,
        source: Option<Source<'a>>,
    ) -> Self {
        CheckCx {
            formula,
            frame,
            part,
            declares: Default::default(),
            inherited,
            lookup,
            source,
            scopes: std::cell::OnceCell::new(),
        }
    }

    /// The ids of step list `list` by namespace (inherited ids in the top one of `steps`).
    pub(crate) fn scope(&self, list: StepList) -> &step_refs::Scope<'a> {
        let all = self.scopes.get_or_init(|| {
            self.formula
                .step_lists()
                .into_iter()
                .map(|(l, steps)| {
                    let inherited = self
                        .inherited
                        .steps()
                        .filter(|_| l == StepList::Steps)
                        .map(|s| s.id);
                    let scope = match self.part {
                        // The other chunks' ids are not here: resolved by the file.
                        partial::Part::Chunk { .. } if l == StepList::Steps => {
                            step_refs::Scope::deferring()
                        }
                        _ => step_refs::Scope::new(steps, l, inherited),
                    };
                    (l, scope)
                })
                .collect()
        });
        let i = all.iter().position(|(l, _)| *l == list).unwrap_or(0);
        &all[i].1
    }
}

/// Run every rule over `formula` (lowered from `source`, when given), appending to `out`.
pub fn check_formula(
    formula: &Formula,
    inherited: &Inheritance,
    lookup: &Lookup<'_>,
    source: Option<Source<'_>>,
    out: &mut Vec<Diagnostic>,
) {
    let cx = CheckCx::new(
        formula,
        formula,
        partial::Part::Whole,
        inherited,
        lookup,
        source,
    );
    run_rules(&cx, out);
}

/// Every rule, in order.
fn run_rules(cx: &CheckCx<'_>, out: &mut Vec<Diagnostic>) {
    if !matches!(cx.part, partial::Part::Chunk { .. }) {
        out.extend(cx.inherited.diagnostics.iter().cloned());
    }
    required_fields::run(cx, out);
    scalars::run(cx, out);
    // Duplicates and cycles span the whole list: a chunked check finds them over the
    // chunks' ids and edges (see `partial`).
    if matches!(cx.part, partial::Part::Whole) {
        step_ids::run(cx, out);
        cycles::run(cx, out);
    }
    step_refs::run(cx, out);
    formula_refs::run(cx, out);
    selectors::run(cx, out);
    vars::run(cx, out);
    conditions::run(cx, out);
    loops::run(cx, out);
    gates::run(cx, out);
    on_complete::run(cx, out);
    passed_vars::run(cx, out);
    placeholders::run(cx, out);
    no_effect::run(cx, out);
}

/// A front-end syntax error as a diagnostic.
pub fn syntax_error(e: &SyntaxError) -> Diagnostic {
    Diagnostic::new(Code::Syntax, e.span, e.message.clone()).with_help_opt(e.help.clone())
}

/// One step of a path: the index in the top list, among children, or in a loop body.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Seg {
    /// `steps[i]` (or `template[i]`, `legs[i]` ...).
    Top(u32),
    /// `.children[i]`.
    Child(u32),
    /// `.loop.body[i]`.
    LoopBody(u32),
    /// A convoy's `synthesis`.
    Synthesis,
}

/// The namespace of step ids: the path of the innermost enclosing loop step (empty at
/// the top level). Ids are unique within a namespace and visible from nested ones.
pub type Namespace = Vec<Seg>;

/// Where a step sits: its list, and the path to it (`steps[2].children[0]`), borrowed
/// from the walk (the text is built only when a diagnostic needs it).
#[derive(Clone, Copy, Debug)]
pub struct StepPath<'p> {
    /// The list at the top.
    pub list: StepList,
    /// Whether the step is inside a loop body (its id is local to the loop).
    pub in_loop: bool,
    /// The path, outermost first.
    pub segs: &'p [Seg],
}

impl StepPath<'_> {
    /// The path as people read it: `steps[2].children[0]`, `steps[1].loop.body[0]`.
    pub fn path(&self) -> String {
        self.path_from(0)
    }

    /// [`Self::path`] of a step in a list that starts at index `first` of the file's
    /// (a chunk of a long file).
    pub fn path_from(&self, first: u32) -> String {
        let root = match self.list {
            StepList::Steps => "steps",
            StepList::Template => "template",
            StepList::Legs => "legs",
            StepList::Aspects => "aspects",
        };
        let mut out = String::new();
        for seg in self.segs {
            match seg {
                Seg::Top(i) => out.push_str(&format!("{root}[{}]", first.saturating_add(*i))),
                Seg::Child(i) => out.push_str(&format!(".children[{i}]")),
                Seg::LoopBody(i) => out.push_str(&format!(".loop.body[{i}]")),
                Seg::Synthesis => out.push_str("synthesis"),
            }
        }
        out
    }

    /// Whether this is a convoy's `synthesis` step.
    pub fn is_synthesis(&self) -> bool {
        self.segs == [Seg::Synthesis]
    }

    /// The namespace the step's id lives in (see [`Namespace`]).
    pub fn namespace(&self) -> Namespace {
        match self
            .segs
            .iter()
            .rposition(|s| matches!(s, Seg::LoopBody(_)))
        {
            Some(i) => self.segs[..i].to_vec(),
            None => Vec::new(),
        }
    }
}

/// Visit every step of `steps` depth-first (children and loop bodies included).
pub fn walk_steps<'a>(steps: &'a [Step], f: &mut dyn FnMut(&'a Step, &StepPath<'_>)) {
    walk_list(steps, StepList::Steps, &mut |s, p| f(s, p));
}

/// Visit every step of a list with its path. No allocation per step: the path is one
/// buffer, truncated and extended as the depth-first walk moves.
pub fn walk_list<'a>(
    steps: &'a [Step],
    list: StepList,
    f: &mut dyn FnMut(&'a Step, &StepPath<'_>),
) {
    let mut segs: Vec<Seg> = Vec::new();
    // (step, depth of its parent path, its own segment, inside a loop body)
    let mut stack: Vec<(&'a Step, usize, Seg, bool)> = Vec::new();
    for (i, s) in steps.iter().enumerate() {
        stack.push((s, 0, Seg::Top(index(i)), false));
        while let Some((step, depth, seg, in_loop)) = stack.pop() {
            segs.truncate(depth);
            segs.push(seg);
            f(
                step,
                &StepPath {
                    list,
                    in_loop,
                    segs: &segs,
                },
            );
            let here = segs.len();
            if let Some(l) = &step.loop_spec {
                for (i, s) in l.body.iter().enumerate().rev() {
                    stack.push((s, here, Seg::LoopBody(index(i)), true));
                }
            }
            for (i, s) in step.children.iter().enumerate().rev() {
                stack.push((s, here, Seg::Child(index(i)), in_loop));
            }
        }
    }
}

fn index(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// Visit every step of every list of a formula.
pub fn walk_all<'a>(f: &'a Formula, visit: &mut dyn FnMut(&'a Step, &StepPath<'_>)) {
    for (list, steps) in f.step_lists() {
        walk_list(steps, list, visit);
    }
    if let Some(s) = &f.synthesis {
        visit(
            s,
            &StepPath {
                list: StepList::Legs,
                in_loop: false,
                segs: &[Seg::Synthesis],
            },
        );
    }
}

/// Every text of a formula that `{{vars}}` are substituted into, with a label.
pub fn var_texts(f: &Formula) -> Vec<&Text> {
    let mut out: Vec<&Text> = Vec::new();
    out.extend(f.description.iter());
    out.extend(f.extra_text.iter());
    walk_all(f, &mut |s, _| {
        out.extend(
            [&s.title, &s.description, &s.notes, &s.assignee]
                .into_iter()
                .flatten(),
        );
        out.extend(s.extra_text.iter());
        out.extend(s.expand_vars.iter().map(|(_, v)| v));
        if let Some(g) = &s.gate {
            out.extend(
                [&g.ty, &g.id, &g.await_id, &g.timeout]
                    .into_iter()
                    .flatten(),
            );
        }
        if let Some(o) = &s.on_complete {
            out.extend(o.vars.iter().map(|(_, v)| v));
        }
    });
    for a in &f.advice {
        for s in &a.steps {
            out.extend([&s.title, &s.description].into_iter().flatten());
        }
    }
    if let Some(c) = &f.compose {
        for r in c.expand.iter().chain(c.map.iter()) {
            out.extend(r.vars.iter().map(|(_, v)| v));
        }
    }
    out
}

/// Texts of runtime conditions (loop `until`, `compose.gate` conditions), where
/// `{{vars}}` may appear inside `file.exists('...')`.
pub fn runtime_condition_texts(f: &Formula) -> Vec<&Text> {
    let mut out: Vec<&Text> = Vec::new();
    walk_all(f, &mut |s, _| {
        out.extend(s.loop_spec.as_ref().and_then(|l| l.until.as_ref()));
    });
    if let Some(c) = &f.compose {
        out.extend(c.gate.iter().filter_map(|g| g.condition.as_ref()));
    }
    out
}

/// The names of every var a formula uses: `{{name}}` in texts (item fields of
/// `{{#each}}` blocks included, since formulas declare those as computed vars)
/// and conditions, `{name}` in loop ranges and in expansion templates.
pub fn used_var_names(f: &Formula) -> BTreeSet<String> {
    let mut used: BTreeSet<String> = BTreeSet::new();
    for t in var_texts(f) {
        used.extend(
            crate::expr::template::all_refs(&t.value)
                .into_iter()
                .map(|r| r.name),
        );
    }
    walk_all(f, &mut |s, _| {
        if let Some(c) = &s.condition {
            used.extend(
                crate::expr::template::var_refs(&c.value)
                    .into_iter()
                    .map(|r| r.name),
            );
        }
        if let Some(l) = &s.loop_spec {
            if let Some(r) = &l.range
                && let Ok(expr) = crate::expr::range::parse_range(&r.value)
            {
                used.extend(
                    crate::expr::range::vars_in(&expr)
                        .into_iter()
                        .map(|(n, _)| n),
                );
            }
            if let Some(u) = &l.until {
                used.extend(
                    crate::expr::template::var_refs(&u.value)
                        .into_iter()
                        .map(|r| r.name),
                );
            }
        }
    });
    for t in runtime_condition_texts(f) {
        used.extend(
            crate::expr::template::var_refs(&t.value)
                .into_iter()
                .map(|r| r.name),
        );
    }
    // An expansion's template uses its own vars as `{name}` placeholders.
    walk_list(&f.template, StepList::Template, &mut |s, _| {
        let texts = [&s.id, &s.title, &s.description, &s.assignee]
            .into_iter()
            .flatten()
            .chain(s.labels.iter())
            .chain(s.deps());
        for t in texts {
            used.extend(
                crate::expr::placeholder::placeholders(&t.value)
                    .into_iter()
                    .map(|p| p.name),
            );
        }
    });
    used
}

/// Whether a `{placeholder}` of an expansion's template is one the expansion fills in
/// itself (`{target}`, `{target.id}` ...), before any var passed to it: passing a var of
/// that name reaches nothing unless the formula declares it.
pub fn filled_by_expansion(name: &str) -> bool {
    name == "target" || name.starts_with("target.")
}

pub use fixes::respell_value;

/// "did you mean `x`?" over candidates, or nothing.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    crate::model::schema::closest(word, candidates).map(|c| format!("did you mean `{c}`?"))
}
