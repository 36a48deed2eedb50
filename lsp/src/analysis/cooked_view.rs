//! The cooked view: what a formula becomes after composition (the steps `gtc cook`
//! prints, and the vars a pour would ask for), for a command and a code lens.

use gtc::cook::{CookOptions, RStep, Resolved, cook, to_tree};
use gtc::db::{SourceFile, Workspace, lowered};
use gtc::source::Span;

/// A memoised cook of one file in compile mode (`None` when it has errors or fails).
#[salsa::tracked(returns(ref))]
pub fn cooked(db: &dyn salsa::Database, ws: Workspace, file: SourceFile) -> Option<Resolved> {
    cook(db, ws, file, CookOptions::default()).resolved
}

/// Every cooked step, depth-first.
pub fn flatten(steps: &[RStep]) -> Vec<&RStep> {
    let mut out = Vec::new();
    let mut stack: Vec<&RStep> = steps.iter().rev().collect();
    while let Some(s) = stack.pop() {
        out.push(s);
        stack.extend(s.children.iter().rev());
    }
    out
}

/// The vars a pour must be given: required, or without a default.
pub fn vars_to_set(r: &Resolved) -> Vec<String> {
    r.vars
        .iter()
        .filter(|(_, v)| v.required || v.default.is_none())
        .map(|(k, v)| {
            if v.required {
                format!("{k} (required)")
            } else {
                format!("{k} (no default)")
            }
        })
        .collect()
}

/// The cooked view of `file` as text: the step tree, then the vars to set.
pub fn cooked_view(db: &dyn salsa::Database, ws: Workspace, file: SourceFile) -> String {
    match cooked(db, ws, file) {
        Some(r) => {
            let mut out = to_tree(r);
            let vars = vars_to_set(r);
            if !vars.is_empty() {
                out.push_str(&format!("\nvars to set: {}\n", vars.join(", ")));
            }
            out
        }
        None => String::from("not cooked: the formula has errors (see the problems list)\n"),
    }
}

/// A code lens: where it sits and its title.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lens {
    /// Where (the formula's name, or the file's start).
    pub span: Span,
    /// What it says.
    pub title: String,
}

/// The code lens that opens the cooked view.
pub fn code_lens(db: &dyn salsa::Database, ws: Workspace, file: SourceFile) -> Option<Lens> {
    let f = &lowered(db, file).formula;
    let span = f.name.as_ref().map_or(Span::at(0), |n| n.span);
    let r = cooked(db, ws, file).as_ref()?;
    let steps = flatten(&r.steps).len();
    let vars = vars_to_set(r).len();
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    Some(Lens {
        span,
        title: format!(
            "Cooked view: {}, {} to set",
            plural(steps, "step"),
            plural(vars, "var")
        ),
    })
}

#[cfg(test)]
mod tests {
    use crate::analysis::fixture::host;

    #[test]
    fn view_and_lens() {
        let (h, _) = host(
            "//- /w/base.formula.toml\nformula = \"base\"\n[vars.env]\nrequired = true\n[[steps]]\nid = \"setup\"\ntitle = \"Setup {{env}}\"\n\
             //- /w/child.formula.toml\nformula = \"child\"\nextends = [\"base\"]\n[[steps]]\nid = \"t\"\ntitle = \"T\"\nneeds = [\"setup\"]\n",
        );
        let a = h.analysis();
        let child = a.files()[1];
        let (view, lens) = a
            .with(|db, ws| {
                (
                    super::cooked_view(db, ws, child),
                    super::code_lens(db, ws, child),
                )
            })
            .unwrap_or_default();
        insta::assert_snapshot!(view);
        assert_eq!(
            lens.map(|l| l.title).as_deref(),
            Some("Cooked view: 2 steps, 1 var to set")
        );
        let (h, _) = host("//- /w/bad.formula.toml\n[[steps]]\nid = \"a\"\nneeds = [\"zz\"]\n");
        let a = h.analysis();
        let f = a.files()[0];
        let (view, lens) = a
            .with(|db, ws| (super::cooked_view(db, ws, f), super::code_lens(db, ws, f)))
            .unwrap_or_default();
        assert!(view.starts_with("not cooked"), "{view}");
        assert_eq!(lens, None);
    }
}
