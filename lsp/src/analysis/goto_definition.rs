//! Go to definition: a step reference to the step's `id` (in a parent formula when the
//! step is inherited), a `{{var}}` to its declaration, a formula name to its file; a key
//! passing a var its formula uses without declaring it, to that var's first use.

use super::NavTarget;
use super::navigation::{definition, occurrence_at, undeclared_use};
use gtc::db::{SourceFile, Workspace};

/// Where the name at `offset` is defined.
pub fn goto_definition(
    db: &dyn salsa::Database,
    ws: Workspace,
    file: SourceFile,
    offset: usize,
) -> Option<NavTarget> {
    let occ = occurrence_at(db, file, offset)?;
    let def = definition(db, ws, file, &occ).or_else(|| undeclared_use(db, ws, file, &occ)?.1)?;
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

    /// Keys passed to an expansion name the expansion formula's vars, in its file.
    #[test]
    fn passed_var_keys_to_the_expansion_formula() {
        let exp = "//- /w/exp-x.formula.toml\nformula = \"exp-x\"\ntype = \"expansion\"\n[vars.name]\ndefault = \"n\"\n[[template]]\nid = \"{target}.a\"\ntitle = \"A {{name}}\"\n";
        let step = goto(&format!(
            "{exp}//- /w/a.formula.toml\nformula = \"a\"\n[vars.name]\n[[steps]]\nid = \"s\"\nexpand = \"exp-x\"\nexpand_vars = {{ na$0me = \"v\" }}\n"
        ));
        assert_eq!(step, "/w/exp-x.formula.toml:43..47 \"name\"");
        let rule = goto(&format!(
            "{exp}//- /w/b.formula.yaml\nformula: b\nsteps:\n  - id: s\ncompose:\n  map:\n    - select: s\n      with: exp-x\n      vars:\n        \"name$0\": v\n"
        ));
        assert_eq!(rule, "/w/exp-x.formula.toml:43..47 \"name\"");
        let bonded = goto(&format!(
            "{exp}//- /w/d.formula.toml\n[[steps]]\nid = \"s\"\n[steps.on_complete]\nfor_each = \"output.items\"\nbond = \"exp-x\"\nvars = {{ n$0ame = \"{{item}}\" }}\n"
        ));
        assert_eq!(
            bonded, "/w/exp-x.formula.toml:43..47 \"name\"",
            "on_complete.vars"
        );
        // A var the formula uses without declaring it: its first use.
        let used = goto(
            &format!(
                "{exp}//- /w/e.formula.toml\n[[steps]]\nid = \"s\"\nexpand = \"exp-x\"\nexpand_vars = {{ nam$0 = \"v\" }}\n"
            )
            .replace("title = \"A {{name}}\"", "title = \"A {{name}} {{nam}}\""),
        );
        assert_eq!(used, "/w/exp-x.formula.toml:116..119 \"nam\"");
        // An inherited var of the expansion formula opens its parent.
        let inherited = goto(
            "//- /w/base.formula.json\n{\"formula\": \"base\", \"vars\": {\"who\": {}}}\n\
             //- /w/exp-y.formula.toml\nformula = \"exp-y\"\nextends = [\"base\"]\n\
             //- /w/c.formula.toml\n[[steps]]\nid = \"s\"\nexpand = \"exp-y\"\n[steps.expand_vars]\nwho$0 = \"x\"\n",
        );
        assert_eq!(inherited, "/w/base.formula.json:30..33 \"who\"");
        // No var of that name there, or no such formula: nowhere to go (not this file's var).
        assert_eq!(
            goto(&format!(
                "{exp}//- /w/a.formula.toml\n[vars.nam]\n[[steps]]\nid = \"s\"\nexpand = \"exp-x\"\nexpand_vars = {{ nam$0 = \"v\" }}\n"
            )),
            "none"
        );
        assert_eq!(
            goto(
                "//- /w/a.formula.toml\n[vars.v]\n[[steps]]\nid = \"s\"\nexpand = \"nowhere\"\nexpand_vars = { v$0 = \"v\" }\n"
            ),
            "none"
        );
    }
}
