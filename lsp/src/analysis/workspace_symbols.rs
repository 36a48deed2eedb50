//! Workspace symbols: formulas and step ids of every workspace file whose name contains
//! the query (case-insensitively; an empty query lists them all).

use super::NavTarget;
use super::symbols::{SymbolKind, file_symbols};
use gtc::db::{Workspace, lowered};

/// A symbol found in the workspace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkspaceSymbol {
    /// The name.
    pub name: String,
    /// What it is.
    pub kind: SymbolKind,
    /// The formula it belongs to.
    pub container: Option<String>,
    /// Where.
    pub target: NavTarget,
}

/// The most symbols one query returns.
pub const LIMIT: usize = 512;

/// Every formula and step definition matching `query`.
pub fn workspace_symbols(
    db: &dyn salsa::Database,
    ws: Workspace,
    query: &str,
) -> Vec<WorkspaceSymbol> {
    let q = query.to_lowercase();
    let mut out = Vec::new();
    for &file in ws.files(db) {
        let container = lowered(db, file)
            .formula
            .name
            .as_ref()
            .map(|n| n.value.clone());
        for d in file_symbols(db, file)
            .occurrences
            .iter()
            .filter(|o| o.is_def && o.kind != SymbolKind::Var)
        {
            if !d.name.to_lowercase().contains(&q) {
                continue;
            }
            out.push(WorkspaceSymbol {
                name: d.name.clone(),
                kind: d.kind,
                container: container.clone().filter(|_| d.kind == SymbolKind::Step),
                target: NavTarget {
                    path: file.path(db).clone(),
                    span: d.span,
                },
            });
            if out.len() >= LIMIT {
                return out;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::analysis::fixture::host;

    #[test]
    fn matches_across_files() {
        let (h, _) = host(
            "//- /w/a.formula.toml\nformula = \"alpha\"\n[[steps]]\nid = \"build\"\n//- /w/b.formula.toml\nformula = \"beta\"\n[[steps]]\nid = \"rebuild\"\n[vars.build]\n",
        );
        let a = h.analysis();
        let got = a
            .with(|db, ws| super::workspace_symbols(db, ws, "BUILD"))
            .unwrap_or_default();
        let shown: Vec<String> = got
            .iter()
            .map(|s| format!("{} {:?} {}", s.name, s.container, s.target.path.display()))
            .collect();
        assert_eq!(
            shown,
            [
                "build Some(\"alpha\") /w/a.formula.toml",
                "rebuild Some(\"beta\") /w/b.formula.toml"
            ]
        );
        assert_eq!(
            a.with(|db, ws| super::workspace_symbols(db, ws, ""))
                .unwrap_or_default()
                .len(),
            4
        );
    }
}
