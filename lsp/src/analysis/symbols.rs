//! The symbol index: every definition and reference of a step id, var or formula name
//! in a file (a salsa query, so an edit re-indexes only the edited file), and which
//! files mention each name (a workspace query, for cross-file references and rename).

use gtc::check::{Seg, runtime_condition_texts, var_texts, walk_all, walk_list};
use gtc::db::{SourceFile, Workspace, lowered};
use gtc::expr::template::var_refs;
use gtc::expr::waits_for::{WaitsFor, parse_waits_for};
use gtc::model::{Formula, Spanned, StepList, Text};
use gtc::source::Span;
use std::collections::BTreeMap;

/// What a name names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SymbolKind {
    /// A step id.
    Step,
    /// A var.
    Var,
    /// A formula.
    Formula,
}

impl SymbolKind {
    /// `step`, `var` or `formula`.
    pub fn as_str(self) -> &'static str {
        match self {
            SymbolKind::Step => "step",
            SymbolKind::Var => "var",
            SymbolKind::Formula => "formula",
        }
    }
}

/// Where a step id lives: its list and its namespace (the enclosing loop bodies).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepScope {
    /// The list at the top.
    pub list: StepList,
    /// The namespace (see [`gtc::check::Namespace`]).
    pub ns: Vec<Seg>,
}

/// The formula whose var a key names: an `expand_vars` key of a step with `expand = "F"`,
/// a `vars` key of a `compose.expand` / `compose.map` rule with `with = "F"`, or an
/// `on_complete.vars` key beside `bond = "F"`. Vars are
/// scoped per formula, so such a key resolves in `F`, not in the file that holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VarOwner {
    /// The expansion formula's name, as written.
    pub formula: String,
    /// The span of the step, rule or `on_complete` holding the table (one table each).
    pub table: Span,
}

/// One mention of a name in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Occurrence {
    /// What it names.
    pub kind: SymbolKind,
    /// The name.
    pub name: String,
    /// The name's bytes when spelled verbatim, else the whole value holding it.
    pub span: Span,
    /// Whether `span` is exactly the name (only then can it be renamed in place).
    pub exact: bool,
    /// A definition (a step's `id`, a `[vars.NAME]` key, `formula = "..."`).
    pub is_def: bool,
    /// For step ids: where the id is defined or looked up.
    pub scope: Option<StepScope>,
    /// For a var named by a key passed to an expansion: the formula owning the var.
    pub owner: Option<VarOwner>,
}

/// Every occurrence in one file, sorted by position.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct FileSymbols {
    /// The occurrences.
    pub occurrences: Vec<Occurrence>,
}

impl FileSymbols {
    /// The innermost occurrence at `offset` (a cursor just after a name counts).
    pub fn at(&self, offset: usize) -> Option<&Occurrence> {
        self.occurrences
            .iter()
            .filter(|o| o.span.start() <= offset && offset <= o.span.end())
            .min_by_key(|o| o.span.end - o.span.start)
    }

    /// The definitions of `kind`.
    pub fn defs(&self, kind: SymbolKind) -> impl Iterator<Item = &Occurrence> {
        self.occurrences
            .iter()
            .filter(move |o| o.is_def && o.kind == kind)
    }
}

/// The occurrences of names in `file`.
#[salsa::tracked(returns(ref))]
pub fn file_symbols(db: &dyn salsa::Database, file: SourceFile) -> FileSymbols {
    let f = &lowered(db, file).formula;
    let text = file.text(db);
    let mut c = Collector {
        text,
        out: Vec::new(),
    };
    c.collect(f);
    let mut occurrences = c.out;
    occurrences.sort_by_key(|o| (o.span.start, o.span.end, o.kind, o.is_def));
    occurrences.dedup();
    FileSymbols { occurrences }
}

/// Which checked files mention each name (definitions or references).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct SymbolIndex {
    files: BTreeMap<(SymbolKind, String), Vec<SourceFile>>,
}

impl SymbolIndex {
    /// The files that mention `name` as a `kind`, in workspace order.
    pub fn files(&self, kind: SymbolKind, name: &str) -> &[SourceFile] {
        self.files
            .get(&(kind, name.to_owned()))
            .map_or(&[], Vec::as_slice)
    }

    /// Every indexed name of `kind`.
    pub fn names(&self, kind: SymbolKind) -> impl Iterator<Item = &str> {
        self.files
            .keys()
            .filter(move |(k, _)| *k == kind)
            .map(|(_, n)| n.as_str())
    }
}

/// The workspace's name -> files index, over the checked files.
#[salsa::tracked(returns(ref))]
pub fn symbol_index(db: &dyn salsa::Database, ws: Workspace) -> SymbolIndex {
    let mut files: BTreeMap<(SymbolKind, String), Vec<SourceFile>> = BTreeMap::new();
    for &file in ws.files(db) {
        for o in &file_symbols(db, file).occurrences {
            let list = files.entry((o.kind, o.name.clone())).or_default();
            if list.last() != Some(&file) {
                list.push(file);
            }
        }
    }
    SymbolIndex { files }
}

struct Collector<'a> {
    text: &'a str,
    out: Vec<Occurrence>,
}

impl Collector<'_> {
    fn push(
        &mut self,
        kind: SymbolKind,
        name: &str,
        (span, exact): (Span, bool),
        is_def: bool,
        scope: Option<StepScope>,
    ) -> Option<&mut Occurrence> {
        if name.is_empty() {
            return None;
        }
        self.out.push(Occurrence {
            kind,
            name: name.to_owned(),
            span,
            exact,
            is_def,
            scope,
            owner: None,
        });
        self.out.last_mut()
    }

    /// A whole string value.
    fn text(&mut self, kind: SymbolKind, t: &Text, is_def: bool, scope: Option<StepScope>) {
        // References holding `{placeholders}` are filled in when cooking.
        if kind == SymbolKind::Step && !is_def && t.value.contains('{') {
            return;
        }
        let span = exact_span(t, 0..t.value.len());
        self.push(kind, &t.value, span, is_def, scope);
    }

    /// A key (var names): the key's span, narrowed to the name inside quotes. A
    /// definition without `owner`, else a reference to a var of the owning formula.
    fn key(&mut self, name: &Spanned<String>, owner: Option<VarOwner>) {
        let raw = self.text.get(name.span.range()).unwrap_or("");
        let span = if raw == name.value {
            (name.span, true)
        } else if raw.len() == name.value.len() + 2
            && raw.get(1..raw.len() - 1) == Some(name.value.as_str())
        {
            (Span::new(name.span.start() + 1, name.span.end() - 1), true)
        } else {
            (name.span, false)
        };
        let is_def = owner.is_none();
        if let Some(o) = self.push(SymbolKind::Var, &name.value, span, is_def, None) {
            o.owner = owner;
        }
    }

    /// The keys of a table of vars passed to the expansion formula `with`.
    fn passed_vars(&mut self, with: Option<&Text>, vars: &[(Spanned<String>, Text)], table: Span) {
        let Some(with) = with else {
            return;
        };
        for (k, _) in vars {
            let owner = VarOwner {
                formula: with.value.clone(),
                table,
            };
            self.key(k, Some(owner));
        }
    }

    fn collect(&mut self, f: &Formula) {
        if let Some(n) = &f.name {
            self.text(SymbolKind::Formula, n, true, None);
        }
        for e in &f.extends {
            self.text(SymbolKind::Formula, e, false, None);
        }
        for v in &f.vars {
            self.key(&v.name, None);
        }
        self.var_refs(f);
        self.steps(f);
        self.advice(f);
        if let Some(c) = &f.compose {
            for r in c.expand.iter().chain(c.map.iter()) {
                if let Some(w) = &r.with {
                    self.text(SymbolKind::Formula, w, false, None);
                }
                self.passed_vars(r.with.as_ref(), &r.vars, r.span);
            }
            for a in &c.aspects {
                self.text(SymbolKind::Formula, a, false, None);
            }
            let top = || {
                Some(StepScope {
                    list: StepList::Steps,
                    ns: Vec::new(),
                })
            };
            let refs = c
                .bond_points
                .iter()
                .flat_map(|b| [&b.after_step, &b.before_step])
                .flatten()
                .chain(
                    c.branch
                        .iter()
                        .flat_map(|b| b.from.iter().chain(b.steps.iter()).chain(b.join.iter())),
                )
                .chain(c.gate.iter().filter_map(|g| g.before.as_ref()))
                .chain(c.expand.iter().filter_map(|r| r.selector.as_ref()));
            for t in refs {
                self.text(SymbolKind::Step, t, false, top());
            }
            for g in c.gate.iter().filter_map(|g| g.condition.as_ref()) {
                self.condition_refs(g, top);
            }
        }
    }

    fn steps(&mut self, f: &Formula) {
        for (list, steps) in f.step_lists() {
            walk_list(steps, list, &mut |s, p| {
                let scope = || {
                    Some(StepScope {
                        list,
                        ns: p.namespace(),
                    })
                };
                if let Some(id) = &s.id {
                    self.text(SymbolKind::Step, id, true, scope());
                }
                for d in s.deps() {
                    self.text(SymbolKind::Step, d, false, scope());
                }
                // A loop's `until` may name the loop's own body steps.
                if let Some(u) = s.loop_spec.as_ref().and_then(|l| l.until.as_ref()) {
                    let ns = p.segs.to_vec();
                    self.condition_refs(u, || {
                        Some(StepScope {
                            list,
                            ns: ns.clone(),
                        })
                    });
                }
                if let Some(w) = &s.waits_for
                    && let Ok(WaitsFor::ChildrenOf { step, step_range }) = parse_waits_for(&w.value)
                    && !step.contains('{')
                {
                    let span = exact_span(w, step_range);
                    self.push(SymbolKind::Step, &step, span, false, scope());
                }
            });
        }
        if let Some(syn) = &f.synthesis {
            for d in syn.deps() {
                self.text(
                    SymbolKind::Step,
                    d,
                    false,
                    Some(StepScope {
                        list: StepList::Legs,
                        ns: Vec::new(),
                    }),
                );
            }
        }
        walk_all(f, &mut |s, _| {
            if let Some(e) = &s.expand {
                self.text(SymbolKind::Formula, e, false, None);
            }
            self.passed_vars(s.expand.as_ref(), &s.expand_vars, s.span);
            if let Some(o) = &s.on_complete {
                if let Some(b) = &o.bond {
                    self.text(SymbolKind::Formula, b, false, None);
                }
                self.passed_vars(o.bond.as_ref(), &o.vars, o.span);
            }
        });
    }

    /// Advice: the ids of the steps it inserts (definitions, beside the formula's own
    /// steps) and a target naming one step (a reference; a glob names none).
    fn advice(&mut self, f: &Formula) {
        let top = || {
            Some(StepScope {
                list: StepList::Steps,
                ns: Vec::new(),
            })
        };
        for a in &f.advice {
            if let Some(t) = &a.target
                && !t.value.contains(['*', '?', '[', '{'])
            {
                self.text(SymbolKind::Step, t, false, top());
            }
            // An id with `{step.id}` is a pattern filled in per target: no name of its own.
            for id in a.steps.iter().filter_map(|s| s.id.as_ref()) {
                if !id.value.contains('{') {
                    self.text(SymbolKind::Step, id, true, top());
                }
            }
        }
    }

    /// Step ids named inside a runtime condition (`build.status == 'complete'`).
    fn condition_refs(&mut self, t: &Text, scope: impl Fn() -> Option<StepScope>) {
        let Ok(cond) = gtc::expr::condition::parse_condition(&t.value) else {
            return;
        };
        for (id, range) in gtc::expr::condition::step_refs(&cond) {
            let span = exact_span(t, range);
            self.push(SymbolKind::Step, &id, span, false, scope());
        }
    }

    fn var_refs(&mut self, f: &Formula) {
        let mut texts: Vec<&Text> = var_texts(f);
        walk_all(f, &mut |s, _| texts.extend(s.condition.iter()));
        texts.extend(runtime_condition_texts(f));
        for t in texts {
            for r in var_refs(&t.value) {
                let inner = r.range.start + 2..r.range.end.saturating_sub(2);
                let span = exact_span(t, inner);
                self.push(SymbolKind::Var, &r.name, span, false, None);
            }
        }
        walk_all(f, &mut |s, _| {
            let Some(r) = s.loop_spec.as_ref().and_then(|l| l.range.as_ref()) else {
                return;
            };
            let Ok(expr) = gtc::expr::range::parse_range(&r.value) else {
                return;
            };
            for (name, range) in gtc::expr::range::vars_in(&expr) {
                let inner = range.start + 1..range.end.saturating_sub(1);
                let span = exact_span(r, inner);
                self.push(SymbolKind::Var, &name, span, false, None);
            }
        });
    }
}

/// The span of `t.value[range]` and whether it is exact (the value is spelled verbatim).
pub fn exact_span(t: &Text, range: std::ops::Range<usize>) -> (Span, bool) {
    match t.verbatim_at {
        Some(_) => (t.sub_span(range), true),
        None => (t.span, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::fixture::host;

    fn show(fixture: &str) -> String {
        let (h, _) = host(fixture);
        let a = h.analysis();
        let file = a.files().first().copied();
        let Some(file) = file else {
            return String::new();
        };
        let text = file.text(a.db()).clone();
        file_symbols(a.db(), file)
            .occurrences
            .iter()
            .map(|o| {
                format!(
                    "{} {} {:?} {}{}{}\n",
                    if o.is_def { "def" } else { "ref" },
                    o.kind.as_str(),
                    text.get(o.span.range()).unwrap_or(""),
                    o.name,
                    if o.exact { "" } else { " (inexact)" },
                    o.scope
                        .as_ref()
                        .map_or(String::new(), |s| format!(" {:?}{:?}", s.list, s.ns)),
                ) + &o.owner.as_ref().map_or(String::new(), |w| {
                    format!("  of {} (table {:?})\n", w.formula, w.table)
                })
            })
            .collect()
    }

    #[test]
    fn definitions_and_references_of_a_toml_formula() {
        insta::assert_snapshot!(show(
            r#"//- /w/a.formula.toml
formula = "a"
extends = ["base"]

[vars.who]
description = "d"

[vars."quoted"]
default = "q"

[[steps]]
id = "build"
title = "Build {{who}} and {{quoted}}"
condition = "{{who}} == 'x'"

[[steps]]
id = "test"
needs = ["build", "{target}"]
waits_for = "children-of(build)"
expand = "exp"

[[steps]]
id = "loop"
[steps.loop]
range = "1..{n}"
until = "inner.status == 'complete'"
[[steps.loop.body]]
id = "inner"
needs = ["loop"]

[compose]
aspects = ["asp"]
[[compose.gate]]
before = "test"
condition = "build.output.ok == true"
[[compose.expand]]
target = "test"
with = "exp"
"#
        ));
    }

    #[test]
    fn escaped_strings_are_inexact() {
        let out = show(
            "//- /w/a.formula.json\n{\"formula\": \"a\\u0062\", \"steps\": [{\"id\": \"x\"}]}",
        );
        assert!(
            out.contains("def formula \"\\\"a\\\\u0062\\\"\" ab (inexact)"),
            "{out}"
        );
        assert!(out.contains("def step \"x\" x Steps[]"), "{out}");
    }

    #[test]
    fn advice_ids_are_definitions_and_an_exact_target_a_reference() {
        let out = show(
            "//- /w/a.formula.toml\nformula = \"a\"\n[[steps]]\nid = \"build\"\ntitle = \"B\"\n[[steps]]\nid = \"ship\"\ntitle = \"S\"\nneeds = [\"lint\"]\n[[advice]]\ntarget = \"build\"\n[advice.around]\n[[advice.around.before]]\nid = \"lint\"\ntitle = \"L\"\n[[advice.around.after]]\nid = \"{step.id}.log\"\ntitle = \"Log\"\n[[advice]]\ntarget = \"b*\"\n",
        );
        assert!(out.contains("def step \"lint\" lint Steps[]"), "{out}");
        assert!(out.contains("ref step \"build\" build Steps[]"), "{out}");
        assert!(
            !out.contains("{step.id}.log"),
            "a pattern is no name: {out}"
        );
        assert!(
            !out.contains("ref step \"b*\""),
            "a glob is no reference: {out}"
        );
    }

    /// Keys passed to an expansion are references to the expansion formula's vars;
    /// without `expand` / `with` they name nothing.
    #[test]
    fn keys_passed_to_an_expansion() {
        let out = show(
            "//- /w/a.formula.toml\n[[steps]]\nid = \"s\"\nexpand = \"exp\"\nexpand_vars = { who = \"{{me}}\", \"q\" = \"1\" }\n[[steps]]\nid = \"t\"\nexpand_vars = { lost = \"x\" }\n[[compose.expand]]\ntarget = \"s\"\nwith = \"exp2\"\nvars = { who = \"y\" }\n",
        );
        assert_eq!(
            out,
            "def step \"s\" s Steps[]\n\
             ref formula \"exp\" exp\n\
             ref var \"who\" who\n  of exp (table 0..9)\n\
             ref var \"me\" me\n\
             ref var \"q\" q\n  of exp (table 0..9)\n\
             def step \"t\" t Steps[]\n\
             ref step \"s\" s Steps[]\n\
             ref formula \"exp2\" exp2\n\
             ref var \"who\" who\n  of exp2 (table 126..144)\n"
        );
    }

    /// `on_complete.vars` are the vars of the formula bonded for each item.
    #[test]
    fn keys_passed_to_a_bonded_formula() {
        let out = show(
            "//- /w/a.formula.toml\n[[steps]]\nid = \"s\"\n[steps.on_complete]\nfor_each = \"output.items\"\nbond = \"per-item\"\nvars = { who = \"{item.name}\" }\n",
        );
        assert_eq!(
            out,
            "def step \"s\" s Steps[]\n\
             ref formula \"per-item\" per-item\n\
             ref var \"who\" who\n  of per-item (table 19..38)\n"
        );
    }
}
