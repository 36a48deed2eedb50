//! Inlay hints: after each step id, how many dependencies the step has once the formula
//! is cooked (extends, advice, expansions and aspects applied).

use super::cooked_view::{cooked, flatten};
use super::symbols::{SymbolKind, file_symbols};
use gtc::db::{SourceFile, Workspace};
use gtc::model::StepList;
use std::collections::HashMap;

/// A hint: the byte offset it follows and its label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InlayHint {
    /// Shown after this byte.
    pub offset: usize,
    /// The text.
    pub label: String,
}

/// The hints of `file` (none when it does not cook).
pub fn inlay_hints(db: &dyn salsa::Database, ws: Workspace, file: SourceFile) -> Vec<InlayHint> {
    let Some(r) = cooked(db, ws, file) else {
        return Vec::new();
    };
    let needs: HashMap<&str, usize> = flatten(&r.steps)
        .into_iter()
        .map(|s| (s.id.as_str(), s.needs.len()))
        .collect();
    let text = file.text(db);
    file_symbols(db, file)
        .defs(SymbolKind::Step)
        .filter(|d| {
            d.scope
                .as_ref()
                .is_some_and(|s| s.list == StepList::Steps && s.ns.is_empty())
        })
        .filter_map(|d| {
            let n = *needs.get(d.name.as_str())?;
            // After the closing quote when the id is quoted.
            let end = d.span.end();
            let offset = match text.get(end..end + 1) {
                Some("\"" | "'") if d.exact => end + 1,
                _ => end,
            };
            Some(InlayHint {
                offset,
                label: format!("{n} dep{}", if n == 1 { "" } else { "s" }),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::analysis::fixture::host;

    #[test]
    fn counts_after_composition() {
        let (h, _) = host(
            "//- /w/base.formula.toml\nformula = \"base\"\n[[steps]]\nid = \"setup\"\ntitle = \"S\"\n\
             //- /w/c.formula.toml\nformula = \"c\"\nextends = [\"base\"]\n[[steps]]\nid = \"a\"\ntitle = \"A\"\nneeds = [\"setup\"]\n[[steps]]\nid = \"b\"\ntitle = \"B\"\nneeds = [\"a\", \"setup\"]\n",
        );
        let a = h.analysis();
        let c = a.files()[1];
        let text = c.text(a.db()).clone();
        let got = a
            .with(|db, ws| super::inlay_hints(db, ws, c))
            .unwrap_or_default();
        let shown: Vec<String> = got
            .iter()
            .map(|h| {
                format!(
                    "{}|{}",
                    text.get(..h.offset)
                        .and_then(|t| t.lines().last())
                        .unwrap_or(""),
                    h.label
                )
            })
            .collect();
        assert_eq!(shown, ["id = \"a\"|1 dep", "id = \"b\"|2 deps"]);
    }
}
