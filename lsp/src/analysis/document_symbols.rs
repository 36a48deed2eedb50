//! Document symbols: the formula, its vars, and its steps as a tree (children and loop
//! bodies nested), for the outline and breadcrumbs.

use gtc::db::{SourceFile, lowered};
use gtc::model::{Step, StepList};
use gtc::source::Span;

/// What a symbol is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocSymbolKind {
    /// The formula.
    Formula,
    /// A var.
    Var,
    /// A step (or template step, leg, aspect).
    Step,
    /// A group (`vars`, `template` ...).
    Group,
}

/// One symbol of the outline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocSymbol {
    /// Its name.
    pub name: String,
    /// A short description (a step's title).
    pub detail: Option<String>,
    /// What it is.
    pub kind: DocSymbolKind,
    /// All of it.
    pub span: Span,
    /// Its name (inside `span`).
    pub selection: Span,
    /// Nested symbols.
    pub children: Vec<DocSymbol>,
}

/// The outline of `file`.
pub fn document_symbols(db: &dyn salsa::Database, file: SourceFile) -> Vec<DocSymbol> {
    let f = &lowered(db, file).formula;
    let mut out = Vec::new();
    if let Some(n) = &f.name {
        out.push(leaf(
            n.value.clone(),
            f.description.as_ref().map(|d| first_line(&d.value)),
            DocSymbolKind::Formula,
            n.span,
            n.span,
        ));
    }
    if !f.vars.is_empty() {
        let vars: Vec<DocSymbol> = f
            .vars
            .iter()
            .map(|v| {
                let detail = v.description.as_ref().map(|d| first_line(&d.value));
                leaf(
                    v.name.value.clone(),
                    detail,
                    DocSymbolKind::Var,
                    v.span.cover(v.name.span),
                    v.name.span,
                )
            })
            .collect();
        out.push(group("vars", vars));
    }
    for (list, steps) in f.step_lists() {
        let symbols = steps_symbols(steps);
        match list {
            StepList::Steps => out.extend(symbols),
            _ if symbols.is_empty() => {}
            StepList::Template => out.push(group("template", symbols)),
            StepList::Legs => out.push(group("legs", symbols)),
            StepList::Aspects => out.push(group("aspects", symbols)),
        }
    }
    out
}

fn first_line(s: &str) -> String {
    s.lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
        .to_owned()
}

fn leaf(
    name: String,
    detail: Option<String>,
    kind: DocSymbolKind,
    span: Span,
    selection: Span,
) -> DocSymbol {
    DocSymbol {
        name,
        detail,
        kind,
        span: span.cover(selection),
        selection,
        children: Vec::new(),
    }
}

fn group(name: &str, children: Vec<DocSymbol>) -> DocSymbol {
    let span = children
        .iter()
        .map(|c| c.span)
        .reduce(Span::cover)
        .unwrap_or_default();
    DocSymbol {
        name: name.to_owned(),
        detail: None,
        kind: DocSymbolKind::Group,
        span,
        selection: Span::at(span.start()),
        children,
    }
}

/// Steps nest through children and loop bodies; an explicit stack keeps deep input safe.
fn steps_symbols(steps: &[Step]) -> Vec<DocSymbol> {
    // Build bottom-up: frames of (step, its built children), post-order.
    let mut out = Vec::new();
    let mut stack: Vec<(&Step, Vec<DocSymbol>, usize)> = Vec::new();
    for s in steps {
        stack.push((s, Vec::new(), 0));
        while let Some((step, _, next)) = stack.last_mut() {
            let kids: Vec<&Step> = step
                .children
                .iter()
                .chain(step.loop_spec.iter().flat_map(|l| l.body.iter()))
                .collect();
            if let Some(k) = kids.get(*next) {
                *next += 1;
                let k = *k;
                stack.push((k, Vec::new(), 0));
                continue;
            }
            let Some((step, children, _)) = stack.pop() else {
                break;
            };
            let selection = step.id.as_ref().map_or(step.span, |i| i.span);
            let sym = DocSymbol {
                name: step
                    .id
                    .as_ref()
                    .map_or_else(|| String::from("(no id)"), |i| i.value.clone()),
                detail: step.title.as_ref().map(|t| first_line(&t.value)),
                kind: DocSymbolKind::Step,
                span: children
                    .iter()
                    .map(|c| c.span)
                    .fold(step.span.cover(selection), Span::cover),
                selection,
                children,
            };
            match stack.last_mut() {
                Some((_, siblings, _)) => siblings.push(sym),
                None => out.push(sym),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::analysis::fixture::host;

    fn outline(syms: &[super::DocSymbol], depth: usize, out: &mut String) {
        for s in syms {
            out.push_str(&format!(
                "{}{:?} {} {:?} [{:?} / {:?}]\n",
                "  ".repeat(depth),
                s.kind,
                s.name,
                s.detail.as_deref().unwrap_or(""),
                s.span,
                s.selection
            ));
            outline(&s.children, depth + 1, out);
        }
    }

    /// The outline of `f`, one line per symbol.
    fn outline_of(a: &crate::analysis::Analysis, f: gtc::db::SourceFile) -> String {
        let syms = a
            .with(|db, _| super::document_symbols(db, f))
            .expect("not cancelled");
        let mut out = String::new();
        outline(&syms, 0, &mut out);
        out
    }

    #[test]
    fn nested_outline() {
        let (h, _) = host(
            "//- /w/a.formula.toml\nformula = \"a\"\ndescription = \"About a.\"\n[vars.x]\ndefault = \"1\"\n[[steps]]\nid = \"p\"\ntitle = \"Parent\"\n[[steps.children]]\nid = \"c\"\n[[steps]]\nid = \"l\"\n[steps.loop]\ncount = 2\n[[steps.loop.body]]\nid = \"b\"\n[[template]]\nid = \"t\"\n",
        );
        let a = h.analysis();
        let f = a.files()[0];
        let out = outline_of(&a, f);
        insta::assert_snapshot!(out);
    }

    /// A JSON formula with a syntax error mid-edit keeps its outline and its diagnostics
    /// beyond the error (the rest of the file is recovered).
    #[test]
    fn a_json_syntax_error_keeps_the_rest() {
        let (h, _) = host(
            "//- /w/a.formula.json\n{\n  \"formula\": \"a\",\n  \"description\": \"half typed,\n  \"steps\": [\n    {\"id\": \"x\", \"title\": \"X\"},\n    {\"id\": \"y\", \"title\": \"Y\"},\n    {\"id\": \"x\", \"title\": \"X again\"}\n  ]\n}\n",
        );
        let a = h.analysis();
        let f = a.files()[0];
        let out = outline_of(&a, f);
        assert!(out.contains("x") && out.contains("y"), "{out}");
        let codes: Vec<&str> = a
            .with(|db, ws| {
                gtc::db::all_diagnostics(db, ws, f)
                    .iter()
                    .map(|d| d.code.as_str())
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(
            codes,
            ["GTC001", "GTC001", "GTC005"],
            "the syntax errors, then the duplicated id"
        );
    }
}
