//! Code actions: the fixes the compiler attaches to the diagnostics in range (did-you-mean
//! respellings, canonical key case, declaring a var, removing an unused one), one action
//! per fix, the first of each diagnostic preferred.

use gtc::db::{SourceFile, Workspace, all_diagnostics};
use gtc::diagnostic::Diagnostic;
use gtc::source::Span;

/// A quick fix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeAction {
    /// What it does (the fix's message, capitalised).
    pub title: String,
    /// The diagnostic it fixes.
    pub diagnostic: Diagnostic,
    /// The edits: (span, new text), never overlapping.
    pub edits: Vec<(Span, String)>,
    /// Whether it is the likeliest fix of its diagnostic.
    pub preferred: bool,
}

/// The fixes for the diagnostics overlapping `range`.
pub fn code_actions(
    db: &dyn salsa::Database,
    ws: Workspace,
    file: SourceFile,
    range: Span,
) -> Vec<CodeAction> {
    all_diagnostics(db, ws, file)
        .iter()
        .filter(|d| d.span.start <= range.end && range.start <= d.span.end)
        .flat_map(|d| {
            d.fixes.iter().enumerate().map(|(i, fix)| CodeAction {
                title: capitalised(&fix.message),
                diagnostic: d.clone(),
                edits: fix.edits.clone(),
                preferred: i == 0,
            })
        })
        .collect()
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

#[cfg(test)]
mod tests {
    use crate::analysis::fixture::host;

    fn fixes(fixture: &str) -> Vec<String> {
        let (h, _) = host(fixture);
        let a = h.analysis();
        let f = a.files()[a.files().len() - 1];
        let text = f.text(a.db()).to_string();
        let all = gtc::source::Span::new(0, text.len());
        a.with(|db, ws| super::code_actions(db, ws, f, all))
            .unwrap_or_default()
            .into_iter()
            .map(|c| {
                let mut t = text.clone();
                let mut edits = c.edits.clone();
                edits.sort_by_key(|(s, _)| std::cmp::Reverse(s.start));
                for (span, new) in &edits {
                    t.replace_range(span.range(), new);
                }
                let first = edits.last().map_or(0, |(s, _)| s.start());
                let line = t.get(..first).map_or(0, |b| b.matches('\n').count());
                format!(
                    "{}{} [{}] => {}",
                    if c.preferred { "* " } else { "" },
                    c.title,
                    c.diagnostic.code,
                    t.lines().nth(line).unwrap_or("")
                )
            })
            .collect()
    }

    #[test]
    fn the_compilers_fixes() {
        let got = fixes(
            "//- /w/a.formula.toml\nformula = \"a\"\n[vars.name]\ndefault = \"x\"\nenum = [\"x\", \"yes\"]\n[vars.old]\n[[steps]]\nid = \"build\"\ntitel = \"B\"\ndescription = \"{{nme}}\"\n[[steps]]\nid = \"t\"\ntitle = \"T {{name}}\"\nneeds = [\"biuld\"]\n",
        );
        assert_eq!(
            got,
            [
                "* Remove the declaration of `old` [GTC012] => [[steps]]",
                "* Rename `titel` to `title` [GTC002] => title = \"B\"",
                "* Change `nme` to `name` [GTC011] => description = \"{{name}}\"",
                "Declare `nme` in `vars` [GTC011] => [vars.nme]",
                "* Change `biuld` to `build` [GTC006] => needs = [\"build\"]",
            ]
        );
        let formula = fixes(
            "//- /w/base.formula.toml\nformula = \"base\"\n//- /w/c.formula.toml\nformula = \"c\"\nextends = [\"bsae\"]\n",
        );
        assert_eq!(
            formula,
            ["* Change `bsae` to `base` [GTC008] => extends = [\"base\"]"]
        );
        assert!(fixes("//- /w/a.formula.toml\nformula = \"a\"\n[[steps]]\nid = \"t\"\ntitle = \"T\"\nneeds = [\"zzzzzz\"]\n").is_empty());
    }
}
