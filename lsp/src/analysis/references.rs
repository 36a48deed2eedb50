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

    /// The references at the fixture's cursor: `path:span text` each.
    fn refs(fixture: &str, include_declaration: bool) -> Vec<String> {
        let (h, cursor) = host(fixture);
        let Some((file, offset)) = cursor else {
            panic!("no cursor")
        };
        let a = h.analysis();
        let got = a
            .with(|db, ws| super::references(db, ws, file, offset, include_declaration))
            .unwrap_or_default();
        got.iter()
            .map(|t| {
                let text = a.file(&t.path).map(|f| f.text(a.db()).clone());
                let s = text
                    .as_deref()
                    .and_then(|s| s.get(t.span.range()))
                    .unwrap_or("");
                format!("{}:{:?} {s}", t.path.display(), t.span)
            })
            .collect()
    }

    #[test]
    fn across_files_through_extends() {
        let fixture = "//- /w/base.formula.toml\nformula = \"base\"\n[[steps]]\nid = \"set$0up\"\n[[steps]]\nid = \"b\"\nneeds = [\"setup\"]\n\
             //- /w/child.formula.toml\nformula = \"child\"\nextends = [\"base\"]\n[[steps]]\nid = \"t\"\nneeds = [\"setup\"]\n\
             //- /w/other.formula.toml\nformula = \"other\"\n[[steps]]\nid = \"setup\"\n[[steps]]\nid = \"u\"\nneeds = [\"setup\"]\n";
        assert_eq!(
            refs(fixture, true),
            [
                "/w/base.formula.toml:33..38 setup",
                "/w/base.formula.toml:69..74 setup",
                "/w/child.formula.toml:66..71 setup"
            ]
        );
        assert_eq!(refs(fixture, false).len(), 2);
    }

    /// A var of an expansion formula: its `{{uses}}` and the keys passing it, in every
    /// file; a formula's own var of the same name is another var.
    #[test]
    fn a_var_and_the_keys_passing_it() {
        let fixture = "//- /w/exp-x.formula.toml\nformula = \"exp-x\"\n[vars.na$0me]\n[[template]]\nid = \"{target}.a\"\ntitle = \"{{name}}\"\n\
             //- /w/a.formula.toml\n[vars.name]\n[[steps]]\nid = \"s\"\ntitle = \"{{name}}\"\nexpand = \"exp-x\"\nexpand_vars = { name = \"v\" }\n\
             //- /w/b.formula.json\n{\"compose\": {\"map\": [{\"select\": \"s\", \"with\": \"exp-x\", \"vars\": {\"name\": \"v\"}}]}}\n";
        let expected = [
            "/w/a.formula.toml:83..87 name",
            "/w/b.formula.json:64..68 name",
            "/w/exp-x.formula.toml:72..76 name",
        ];
        assert_eq!(refs(fixture, false), expected);
        // The same list from a key passing it.
        let from_key = fixture
            .replace("[vars.na$0me]", "[vars.name]")
            .replace("{\"name\": \"v\"}", "{\"n$0ame\": \"v\"}");
        assert_eq!(refs(&from_key, false), expected);
    }
}
