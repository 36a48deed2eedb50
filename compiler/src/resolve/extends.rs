//! `extends`: the vars and step ids a formula inherits from its parents, with
//! unknown parents and cycles reported at the `extends` entry that leads to them.

use super::Names;
use crate::check::Place;
use crate::db::{SourceFile, bequest, lowered};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::schema;
use std::collections::BTreeSet;
use std::sync::Arc;

/// A step id inherited from a parent formula.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InheritedStep<'a> {
    /// The id.
    pub id: &'a str,
    /// The parent formula that defines it.
    pub from: &'a str,
}

/// What a formula passes on to the formulas that extend it (see `db::bequest`).
#[derive(Debug, PartialEq, Eq, Default)]
pub struct Bequest {
    /// The names its `extends` lists.
    pub extends: Vec<String>,
    /// The vars it declares.
    pub vars: Vec<String>,
    /// The ids of its steps (every list, children included), in walk order.
    pub step_ids: Vec<String>,
    /// The `{{var}}` names it uses.
    pub used_vars: BTreeSet<String>,
}

impl Bequest {
    /// What `f` passes on.
    pub fn of(f: &crate::model::Formula) -> Bequest {
        let mut step_ids = Vec::new();
        for (_, list) in f.step_lists() {
            crate::check::walk_steps(list, &mut |s, _| {
                if let Some(id) = &s.id {
                    step_ids.push(id.value.clone());
                }
            });
        }
        Bequest {
            extends: f.extends.iter().map(|t| t.value.clone()).collect(),
            vars: f.vars.iter().map(|v| v.name.value.clone()).collect(),
            step_ids,
            used_vars: crate::check::used_var_names(f),
        }
    }
}

/// What one formula inherits through its `extends` chain.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Inheritance {
    /// Var names declared by ancestors.
    pub vars: BTreeSet<String>,
    /// The ancestors whose steps it inherits, in merge order, each with what it passes
    /// on (shared with every other formula that inherits from it).
    ancestors: Vec<(String, Arc<Bequest>)>,
    /// `{{var}}` names ancestors use (so a child's override of a var used only
    /// by the parent is not "unused").
    pub used_vars: BTreeSet<String>,
    /// Unknown parents (GTC008) and cycles (GTC009), located in this file.
    pub diagnostics: Vec<Diagnostic>,
}

impl Inheritance {
    /// The step ids of the ancestors (all levels, children included), in merge order.
    pub fn steps(&self) -> impl Iterator<Item = InheritedStep<'_>> + '_ {
        self.ancestors
            .iter()
            .flat_map(|(from, b)| b.step_ids.iter().map(move |id| InheritedStep { id, from }))
    }
}

/// Resolve what `file` inherits. Walks the graph of `extends` iteratively with a
/// path stack, so a cycle of any length is found without recursion.
pub fn inheritance(db: &dyn salsa::Database, index: &Names<'_>, file: SourceFile) -> Inheritance {
    let mut out = Inheritance::default();
    let root = &lowered(db, file).formula;
    let root_name = root.name_str().to_owned();
    // Which direct parent first brought each step id, to catch two parents defining one id.
    let mut owner: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
    for parent in &root.extends {
        let first_new = out.ancestors.len();
        // Depth-first over this parent's ancestry; `path` is the chain from `file`.
        let mut path: Vec<String> = vec![root_name.clone()];
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut reported_cycle = false;
        visit(
            db,
            index,
            &parent.value,
            &mut path,
            &mut seen,
            &mut out,
            &mut |out, kind, detail, referrer| {
                // Where the link that leads to the problem is written, when that is in
                // an ancestor (the root's own link is the diagnostic's place).
                let link = referrer.and_then(|(name, i)| extends_entry(db, index, file, &name, i));
                let d = match kind {
                    Problem::Unknown(name) => {
                        let mut d = Diagnostic::new(
                            Code::UnknownFormula,
                            parent.span,
                            if name == parent.value {
                                format!("extends unknown formula `{name}`")
                            } else {
                                format!("`{}` extends unknown formula `{name}`", parent.value)
                            },
                        );
                        let hint = schema::closest(&name, index.names());
                        d = d.with_help(match hint {
                            Some(h) => {
                                format!("did you mean `{h}`? {}", super::WHERE_NAMES_RESOLVE)
                            }
                            None => String::from(super::WHERE_NAMES_RESOLVE),
                        });
                        // A misspelt direct parent (not an unknown grandparent) is respelt here.
                        if name == parent.value
                            && let Some(h) = hint
                        {
                            d = d.with_fix_opt(crate::check::respell_value(parent, h));
                        }
                        if let Some((path, span)) = link {
                            d = d.with_label_in(path, span, format!("`{name}` is named here"));
                        }
                        d
                    }
                    Problem::Cycle => {
                        if reported_cycle {
                            return;
                        }
                        reported_cycle = true;
                        let d = Diagnostic::new(
                            Code::ExtendsCycle,
                            parent.span,
                            format!("circular extends: {detail}"),
                        )
                        .with_help(
                            "a formula cannot inherit from itself; remove one link of the chain",
                        );
                        match link {
                            Some((path, span)) => {
                                d.with_label_in(path, span, "this link closes the cycle")
                            }
                            None => d,
                        }
                    }
                };
                out.diagnostics.push(d);
            },
        );
        if root.extends.len() < 2 {
            continue; // one parent brings each id once (a diamond is merged once)
        }
        let brought: BTreeSet<&str> = out.ancestors[first_new..]
            .iter()
            .flat_map(|(_, b)| b.step_ids.iter().map(String::as_str))
            .collect();
        for id in brought {
            match owner.get(id) {
                Some(first) if *first != parent.value => {
                    let mut d = Diagnostic::new(
                        Code::DuplicateStepId,
                        parent.span,
                        format!("step `{id}` is inherited from both `{first}` and `{}`", parent.value),
                    )
                    .with_help("parents' steps are concatenated, so the id would exist twice; rename it in one of the parents");
                    // Where each definition is (the formulas that wrote the step).
                    let mut places: Vec<&str> = out
                        .ancestors
                        .iter()
                        .filter(|(_, b)| b.step_ids.iter().any(|s| s == id))
                        .map(|(from, _)| from.as_str())
                        .collect();
                    places.dedup();
                    for from in places {
                        if let Some((path, span)) = step_definition(db, index, file, from, id) {
                            d = d.with_label_in(
                                path,
                                span,
                                format!("`{id}` is defined in `{from}`"),
                            );
                        }
                    }
                    out.diagnostics.push(d);
                }
                Some(_) => {}
                None => {
                    owner.insert(id.to_owned(), parent.value.clone());
                }
            }
        }
    }
    out
}

enum Problem {
    Unknown(String),
    Cycle,
}

/// Where a link of `extends` is: the formula that names the parent and which entry of its
/// `extends` does (`None` for the root's own entries).
type Referrer = Option<(String, usize)>;

type Report<'a> = dyn FnMut(&mut Inheritance, Problem, String, Referrer) + 'a;

fn place(
    db: &dyn salsa::Database,
    root: SourceFile,
    file: SourceFile,
    span: crate::source::Span,
) -> Place {
    ((file != root).then(|| file.path(db).clone()), span)
}

/// The `i`th entry of the `extends` of the formula called `name`.
fn extends_entry(
    db: &dyn salsa::Database,
    index: &Names<'_>,
    root: SourceFile,
    name: &str,
    i: usize,
) -> Option<Place> {
    let file = index.get(name)?;
    let entry = lowered(db, file).formula.extends.get(i)?;
    Some(place(db, root, file, entry.span))
}

/// The `id` of the step `id` in the formula called `name`.
fn step_definition(
    db: &dyn salsa::Database,
    index: &Names<'_>,
    root: SourceFile,
    name: &str,
    id: &str,
) -> Option<Place> {
    let file = index.get(name)?;
    let mut found = None;
    crate::check::walk_all(&lowered(db, file).formula, &mut |s, _| {
        if found.is_none() && s.id_str() == id {
            found = s.id.as_ref().map(|t| t.span);
        }
    });
    Some(place(db, root, file, found?))
}

fn visit(
    db: &dyn salsa::Database,
    index: &Names<'_>,
    start: &str,
    path: &mut Vec<String>,
    seen: &mut BTreeSet<String>,
    out: &mut Inheritance,
    report: &mut Report<'_>,
) {
    // Explicit stack of (name, next parent index) frames instead of recursion.
    let mut stack: Vec<(String, usize)> = Vec::new();
    let mut enter = |name: &str,
                     path: &mut Vec<String>,
                     stack: &mut Vec<(String, usize)>,
                     out: &mut Inheritance,
                     report: &mut Report<'_>| {
        // The formula whose `extends` names `name`, and which entry does.
        let referrer: Referrer = stack
            .last()
            .map(|(by, next)| (by.clone(), next.saturating_sub(1)));
        if path.iter().any(|p| p == name) {
            let mut chain = path.clone();
            chain.push(name.to_owned());
            let from = chain.iter().position(|p| p == name).unwrap_or(0);
            report(out, Problem::Cycle, chain[from..].join(" -> "), referrer);
            return;
        }
        if !seen.insert(name.to_owned()) {
            return; // diamond: already merged
        }
        match index.get(name) {
            None => report(
                out,
                Problem::Unknown(name.to_owned()),
                String::new(),
                referrer,
            ),
            Some(file) => {
                path.push(name.to_owned());
                stack.push((name.to_owned(), 0));
                let b = bequest(db, file);
                out.vars.extend(b.vars.iter().cloned());
                out.used_vars.extend(b.used_vars.iter().cloned());
                out.ancestors.push((name.to_owned(), b.clone()));
            }
        }
    };
    enter(start, path, &mut stack, out, report);
    while let Some((name, next)) = stack.last().cloned() {
        let parents: Vec<String> = index
            .get(&name)
            .map(|f| bequest(db, f).extends.clone())
            .unwrap_or_default();
        match parents.get(next) {
            Some(p) => {
                if let Some(top) = stack.last_mut() {
                    top.1 += 1;
                }
                enter(p, path, &mut stack, out, report);
            }
            None => {
                stack.pop();
                path.pop();
            }
        }
    }
}
