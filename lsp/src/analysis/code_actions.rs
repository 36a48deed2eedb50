//! Code actions: for each diagnostic whose help names a did-you-mean replacement, an edit
//! that writes it. (When diagnostics carry machine-applicable fixes, this file reads those
//! instead of the help text.)

use gtc::db::{SourceFile, Workspace, all_diagnostics};
use gtc::diagnostic::Diagnostic;
use gtc::source::Span;

/// A quick fix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeAction {
    /// What it does.
    pub title: String,
    /// The diagnostic it fixes.
    pub diagnostic: Diagnostic,
    /// The edit: (span, new text).
    pub edit: (Span, String),
}

/// The fixes for the diagnostics overlapping `range`.
pub fn code_actions(
    db: &dyn salsa::Database,
    ws: Workspace,
    file: SourceFile,
    range: Span,
) -> Vec<CodeAction> {
    let text = file.text(db);
    all_diagnostics(db, ws, file)
        .iter()
        .filter(|d| d.span.start <= range.end && range.start <= d.span.end)
        .filter_map(|d| did_you_mean(text, d))
        .collect()
}

/// The text between the first pair of backticks of `s`.
fn backticked(s: &str) -> Option<&str> {
    let (_, rest) = s.split_once('`')?;
    rest.split_once('`').map(|(inside, _)| inside)
}

/// Replace the misspelt name (the message's first backticked word, found inside the
/// diagnostic's span) with the suggestion of a `did you mean `x`?` help.
fn did_you_mean(text: &str, d: &Diagnostic) -> Option<CodeAction> {
    let help = d.help.as_deref()?;
    let suggestion = help.strip_prefix("did you mean ").and_then(backticked)?;
    let wrong = backticked(&d.message)?;
    // `{{name}}` in the message: the name is what is replaced.
    let wrong = wrong
        .strip_prefix("{{")
        .and_then(|w| w.strip_suffix("}}"))
        .unwrap_or(wrong);
    if wrong.is_empty() || wrong == suggestion {
        return None;
    }
    let inside = text.get(d.span.range())?;
    let at = inside.find(wrong)?;
    let start = d.span.start() + at;
    Some(CodeAction {
        title: format!("Change `{wrong}` to `{suggestion}`"),
        diagnostic: d.clone(),
        edit: (Span::new(start, start + wrong.len()), suggestion.to_owned()),
    })
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
                t.replace_range(c.edit.0.range(), &c.edit.1);
                let line = t
                    .get(..c.edit.0.start())
                    .map_or(0, |b| b.matches('\n').count());
                format!(
                    "{} [{}] => {}",
                    c.title,
                    c.diagnostic.code,
                    t.lines().nth(line).unwrap_or("")
                )
            })
            .collect()
    }

    #[test]
    fn did_you_mean_fixes() {
        let got = fixes(
            "//- /w/a.formula.toml\nformula = \"a\"\n[vars.name]\ndefault = \"x\"\nenum = [\"x\", \"yes\"]\n[[steps]]\nid = \"build\"\ntitel = \"B\"\ndescription = \"{{nme}}\"\n[[steps]]\nid = \"t\"\ntitle = \"T {{name}}\"\nneeds = [\"biuld\"]\n",
        );
        assert_eq!(
            got,
            [
                "Change `titel` to `title` [GTC002] => title = \"B\"",
                "Change `nme` to `name` [GTC011] => description = \"{{name}}\"",
                "Change `biuld` to `build` [GTC006] => needs = [\"build\"]",
            ]
        );
        let formula = fixes(
            "//- /w/base.formula.toml\nformula = \"base\"\n//- /w/c.formula.toml\nformula = \"c\"\nextends = [\"bsae\"]\n",
        );
        assert_eq!(
            formula,
            ["Change `bsae` to `base` [GTC008] => extends = [\"base\"]"]
        );
        assert!(fixes("//- /w/a.formula.toml\nformula = \"a\"\n[[steps]]\nid = \"t\"\ntitle = \"T\"\nneeds = [\"zzzzzz\"]\n").is_empty());
    }
}
