//! Find references: every occurrence that resolves to the same definition, in every file.

use super::NavTarget;
use super::navigation::{definition, occurrence_at, references as all_refs};
use gtc::db::{SourceFile, Workspace};

/// The references of the name at `offset`; the definition too when `include_declaration`.
pub fn references(
    db: &dyn salsa::Database,
    ws: Workspace,
    file: SourceFile,
    offset: usize,
    include_declaration: bool,
) -> Vec<NavTarget> {
    let Some(occ) = occurrence_at(db, file, offset) else {
        return Vec::new();
    };
    let Some(def) = definition(db, ws, file, &occ) else {
        return Vec::new();
    };
    all_refs(db, ws, &def)
        .iter()
        .filter(|l| include_declaration || !l.occ.is_def)
        .map(|l| NavTarget::of(db, l))
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::analysis::fixture::host;

    #[test]
    fn across_files_through_extends() {
        let (h, cursor) = host(
            "//- /w/base.formula.toml\nformula = \"base\"\n[[steps]]\nid = \"set$0up\"\n[[steps]]\nid = \"b\"\nneeds = [\"setup\"]\n\
             //- /w/child.formula.toml\nformula = \"child\"\nextends = [\"base\"]\n[[steps]]\nid = \"t\"\nneeds = [\"setup\"]\n\
             //- /w/other.formula.toml\nformula = \"other\"\n[[steps]]\nid = \"setup\"\n[[steps]]\nid = \"u\"\nneeds = [\"setup\"]\n",
        );
        let Some((file, offset)) = cursor else {
            panic!("no cursor")
        };
        let a = h.analysis();
        let got = a
            .with(|db, ws| super::references(db, ws, file, offset, true))
            .unwrap_or_default();
        let shown: Vec<String> = got
            .iter()
            .map(|t| format!("{}:{:?}", t.path.display(), t.span))
            .collect();
        assert_eq!(
            shown,
            [
                "/w/base.formula.toml:33..38",
                "/w/base.formula.toml:69..74",
                "/w/child.formula.toml:66..71"
            ]
        );
        let without = a
            .with(|db, ws| super::references(db, ws, file, offset, false))
            .unwrap_or_default();
        assert_eq!(without.len(), 2);
    }
}
