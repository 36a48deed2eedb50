//! Go to definition: a step reference to the step's `id` (in a parent formula when the
//! step is inherited), a `{{var}}` to its declaration, a formula name to its file.

use super::NavTarget;
use super::navigation::{definition, occurrence_at};
use gtc::db::{SourceFile, Workspace};

/// Where the name at `offset` is defined.
pub fn goto_definition(
    db: &dyn salsa::Database,
    ws: Workspace,
    file: SourceFile,
    offset: usize,
) -> Option<NavTarget> {
    let occ = occurrence_at(db, file, offset)?;
    let def = definition(db, ws, file, &occ)?;
    Some(NavTarget::of(db, &def))
}

#[cfg(test)]
mod tests {
    use crate::analysis::fixture::host;

    fn goto(fixture: &str) -> String {
        let (h, cursor) = host(fixture);
        let Some((file, offset)) = cursor else {
            return String::from("no cursor");
        };
        let a = h.analysis();
        match a
            .with(|db, ws| super::goto_definition(db, ws, file, offset))
            .ok()
            .flatten()
        {
            Some(t) => {
                let text = a.file(&t.path).map(|f| f.text(a.db()).clone());
                let shown = text
                    .as_deref()
                    .and_then(|s| s.get(t.span.range()))
                    .unwrap_or("")
                    .to_owned();
                format!("{}:{:?} {shown:?}", t.path.display(), t.span)
            }
            None => String::from("none"),
        }
    }

    #[test]
    fn step_reference_to_its_id() {
        let got = goto(
            "//- /w/a.formula.toml\nformula = \"a\"\n[[steps]]\nid = \"build\"\n[[steps]]\nid = \"t\"\nneeds = [\"bu$0ild\"]\n",
        );
        assert_eq!(got, "/w/a.formula.toml:30..35 \"build\"");
    }

    #[test]
    fn inherited_step_opens_the_parent() {
        let got = goto(
            "//- /w/base.formula.toml\nformula = \"base\"\n[[steps]]\nid = \"setup\"\n\
             //- /w/child.formula.toml\nformula = \"child\"\nextends = [\"base\"]\n[[steps]]\nid = \"t\"\nneeds = [\"set$0up\"]\n",
        );
        assert_eq!(got, "/w/base.formula.toml:33..38 \"setup\"");
    }

    #[test]
    fn var_and_formula_names() {
        let var = goto(
            "//- /w/a.formula.json\n{\"formula\": \"a\", \"vars\": {\"who\": {\"default\": \"x\"}}, \"steps\": [{\"id\": \"s\", \"title\": \"hi {{w$0ho}}\"}]}",
        );
        assert_eq!(var, "/w/a.formula.json:27..30 \"who\"");
        let formula = goto(
            "//- /w/p.formula.yaml\nformula: p\n//- /w/c.formula.yaml\nformula: c\nextends: [$0p]\n",
        );
        assert_eq!(formula, "/w/p.formula.yaml:9..10 \"p\"");
        let loop_local = goto(
            "//- /w/l.formula.toml\n[[steps]]\nid = \"x\"\n[steps.loop]\ncount = 2\n[[steps.loop.body]]\nid = \"x\"\n[[steps.loop.body]]\nid = \"y\"\nneeds = [\"$0x\"]\n",
        );
        assert_eq!(loop_local, "/w/l.formula.toml:68..69 \"x\"");
        assert_eq!(
            goto("//- /w/n.formula.toml\nneeds = [\"nowhere$0\"]\n"),
            "none"
        );
    }
}
