//! Rename a step id, var or formula name: the definition and every reference, in every
//! file; a formula whose file is named after it gets its file renamed too. Refused, with
//! the reason, when the new name is taken or malformed, or a mention is not spelled
//! verbatim (an escape sequence would have to be rewritten).

use super::navigation::{Located, definition, occurrence_at, references, undeclared_use};
use super::symbols::{Occurrence, SymbolKind, file_symbols, symbol_index};
use gtc::db::{SourceFile, Workspace, inheritance, name_index};
use gtc::source::{Span, formula_stem};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The edits of a rename.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct RenameEdits {
    /// Text edits by file: (span, new text), sorted by position.
    pub edits: BTreeMap<PathBuf, Vec<(Span, String)>>,
    /// A file to rename (old path, new path), after the text edits.
    pub file_rename: Option<(PathBuf, PathBuf)>,
}

/// The name at `offset` and its span, if it can be renamed.
pub fn prepare_rename(
    db: &dyn salsa::Database,
    ws: Workspace,
    file: SourceFile,
    offset: usize,
) -> Result<(Span, String), String> {
    let (occ, def) = target(db, ws, file, offset)?;
    if def.file.path(db).starts_with("<stdlib>") {
        return Err(format!(
            "`{}` is defined in the embedded standard library",
            occ.name
        ));
    }
    if !occ.exact {
        return Err(format!(
            "`{}` is written with escapes here; rename it by hand",
            occ.name
        ));
    }
    Ok((occ.span, occ.name))
}

/// Rename the name at `offset` to `new_name`.
pub fn rename(
    db: &dyn salsa::Database,
    ws: Workspace,
    file: SourceFile,
    offset: usize,
    new_name: &str,
) -> Result<RenameEdits, String> {
    let (occ, def) = target(db, ws, file, offset)?;
    prepare_rename(db, ws, file, offset)?;
    if new_name == occ.name {
        return Ok(RenameEdits::default());
    }
    valid(occ.kind, new_name)?;
    collision(db, ws, &def, new_name)?;
    let refs = references(db, ws, &def);
    passed_twice(db, &refs, new_name)?;
    let mut out = RenameEdits::default();
    for r in refs {
        if !r.occ.exact {
            return Err(format!(
                "`{}` is written with escapes in {}; rename it by hand",
                r.occ.name,
                r.file.path(db).display()
            ));
        }
        if r.occ.span.range().is_empty() {
            continue; // a formula known only by its file name
        }
        out.edits
            .entry(r.file.path(db).clone())
            .or_default()
            .push((r.occ.span, new_name.to_owned()));
    }
    for edits in out.edits.values_mut() {
        edits.sort_by_key(|(s, _)| s.start);
        edits.dedup();
    }
    if occ.kind == SymbolKind::Formula {
        let path = def.file.path(db);
        if formula_stem(path) == Some(occ.name.as_str())
            && let Some(name) = path.file_name().and_then(|n| n.to_str())
        {
            let renamed = path.with_file_name(name.replacen(&occ.name, new_name, 1));
            out.file_rename = Some((path.clone(), renamed));
        }
    }
    Ok(out)
}

fn target(
    db: &dyn salsa::Database,
    ws: Workspace,
    file: SourceFile,
    offset: usize,
) -> Result<(Occurrence, Located), String> {
    let occ = occurrence_at(db, file, offset).ok_or("no step id, var or formula name here")?;
    let def = definition(db, ws, file, &occ).ok_or_else(|| {
        match (&occ.owner, undeclared_use(db, ws, file, &occ)) {
            (Some(o), Some(_)) => format!(
                "`{0}` is used by `{1}` without a declaration: declare it (`[vars.{0}]`) to rename it",
                occ.name, o.formula
            ),
            _ => format!("`{}` is not defined anywhere", occ.name),
        }
    })?;
    Ok((occ, def))
}

fn valid(kind: SymbolKind, name: &str) -> Result<(), String> {
    let ok = match kind {
        SymbolKind::Var => gtc::model::is_var_name(name),
        SymbolKind::Step | SymbolKind::Formula => {
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_alphanumeric() || "-_.:".contains(c))
        }
    };
    if ok {
        Ok(())
    } else if kind == SymbolKind::Var {
        Err(format!(
            "`{name}` is not a var name: letters, digits and `_`, not starting with a digit"
        ))
    } else {
        Err(format!(
            "`{name}` is not a valid {} name: use letters, digits, `-`, `_`, `.` and `:`",
            kind.as_str()
        ))
    }
}

fn collision(
    db: &dyn salsa::Database,
    ws: Workspace,
    def: &Located,
    new_name: &str,
) -> Result<(), String> {
    let taken = match def.occ.kind {
        SymbolKind::Formula => name_index(db, ws)
            .scope(db, def.file)
            .get(new_name)
            .is_some(),
        SymbolKind::Var => {
            file_symbols(db, def.file)
                .defs(SymbolKind::Var)
                .any(|d| d.name == new_name)
                || inheritance(db, ws, def.file).vars.contains(new_name)
        }
        SymbolKind::Step => {
            let scope = def.occ.scope.as_ref();
            let local = file_symbols(db, def.file).defs(SymbolKind::Step).any(|d| {
                d.name == new_name
                    && match (scope, d.scope.as_ref()) {
                        (Some(a), Some(b)) => {
                            a.list == b.list && (a.ns.starts_with(&b.ns) || b.ns.starts_with(&a.ns))
                        }
                        _ => true,
                    }
            });
            // Files that inherit this step would see both ids.
            let heirs = symbol_index(db, ws)
                .files(SymbolKind::Step, &def.occ.name)
                .iter()
                .any(|&f| {
                    f != def.file
                        && file_symbols(db, f)
                            .defs(SymbolKind::Step)
                            .any(|d| d.name == new_name)
                });
            local
                || heirs
                || inheritance(db, ws, def.file)
                    .steps()
                    .any(|s| s.id == new_name)
        }
    };
    if taken {
        Err(format!(
            "a {} named `{new_name}` already exists",
            def.occ.kind.as_str()
        ))
    } else {
        Ok(())
    }
}

/// Refused when a table of vars passed to the expansion already sets `new_name` beside
/// a renamed key (the table would set one var twice).
fn passed_twice(db: &dyn salsa::Database, refs: &[Located], new_name: &str) -> Result<(), String> {
    for r in refs {
        let Some(owner) = &r.occ.owner else {
            continue;
        };
        let taken = file_symbols(db, r.file).occurrences.iter().any(|o| {
            o.kind == SymbolKind::Var
                && o.name == new_name
                && o.owner.as_ref().is_some_and(|w| w.table == owner.table)
        });
        if taken {
            return Err(format!(
                "`{new_name}` is already passed to `{}` beside `{}` in {}",
                owner.formula,
                r.occ.name,
                r.file.path(db).display()
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::analysis::fixture::host;

    fn run(fixture: &str, new_name: &str) -> String {
        let (h, cursor) = host(fixture);
        let Some((file, offset)) = cursor else {
            return String::from("no cursor");
        };
        let a = h.analysis();
        match a.with(|db, ws| super::rename(db, ws, file, offset, new_name)) {
            Ok(Ok(r)) => {
                let mut out = String::new();
                for (path, edits) in &r.edits {
                    let text = a
                        .file(path)
                        .map(|f| f.text(a.db()).to_string())
                        .unwrap_or_default();
                    let mut t = text.clone();
                    for (span, new) in edits.iter().rev() {
                        t.replace_range(span.range(), new);
                    }
                    out.push_str(&format!("//- {}\n{t}", path.display()));
                }
                if let Some((from, to)) = r.file_rename {
                    out.push_str(&format!("rename {} -> {}\n", from.display(), to.display()));
                }
                out
            }
            Ok(Err(e)) => format!("refused: {e}"),
            Err(_) => String::from("cancelled"),
        }
    }

    #[test]
    fn a_step_id_everywhere() {
        insta::assert_snapshot!(run(
            "//- /w/base.formula.toml\nformula = \"base\"\n[[steps]]\nid = \"set$0up\"\n[[steps]]\nid = \"b\"\nneeds = [\"setup\"]\nwaits_for = \"children-of(setup)\"\n\
             //- /w/child.formula.toml\nformula = \"child\"\nextends = [\"base\"]\n[[steps]]\nid = \"t\"\nneeds = [\"setup\"]\n",
            "prepare"
        ));
    }

    #[test]
    fn inside_runtime_conditions() {
        insta::assert_snapshot!(run(
            "//- /w/a.formula.toml\nformula = \"a\"\n[[steps]]\nid = \"bu$0ild\"\n[[steps]]\nid = \"l\"\n[steps.loop]\nmax = 3\nuntil = \"build.status == 'complete'\"\n[[steps.loop.body]]\nid = \"x\"\n[compose]\n[[compose.gate]]\nbefore = \"l\"\ncondition = \"build.output.ok == true\"\n",
            "make"
        ));
    }

    #[test]
    fn a_formula_and_its_file() {
        insta::assert_snapshot!(run(
            "//- /w/base.formula.toml\nformula = \"ba$0se\"\n//- /w/child.formula.yaml\nformula: child\nextends: [base]\n",
            "root"
        ));
    }

    #[test]
    fn a_var_from_a_use() {
        insta::assert_snapshot!(run(
            "//- /w/a.formula.toml\nformula = \"a\"\n[vars.who]\ndefault = \"x\"\n[[steps]]\nid = \"s\"\ntitle = \"{{who}} and {{w$0ho}}\"\n",
            "whom"
        ));
    }

    #[test]
    fn refusals() {
        let two = "//- /w/a.formula.toml\nformula = \"a\"\n[[steps]]\nid = \"x$0\"\n[[steps]]\nid = \"y\"\n";
        assert_eq!(run(two, "y"), "refused: a step named `y` already exists");
        assert_eq!(
            run(two, "has space"),
            "refused: `has space` is not a valid step name: use letters, digits, `-`, `_`, `.` and `:`"
        );
        let var =
            "//- /w/a.formula.toml\n[vars.a]\n[vars.b]\n[[steps]]\ntitle = \"{{a$0}} {{b}}\"\n";
        assert_eq!(run(var, "b"), "refused: a var named `b` already exists");
        assert_eq!(
            run(var, "1x"),
            "refused: `1x` is not a var name: letters, digits and `_`, not starting with a digit"
        );
        let escaped = "//- /w/a.formula.json\n{\"steps\": [{\"id\": \"a\\u0062\"}, {\"id\": \"c\", \"needs\": [\"a$0b\"]}]}";
        assert_eq!(
            run(escaped, "z"),
            "refused: `ab` is written with escapes in /w/a.formula.json; rename it by hand"
        );
        assert_eq!(
            run("//- /w/a.formula.toml\nformula = \"a\"$0\n", "b"),
            "refused: no step id, var or formula name here"
        );
        let stdlib_name = gtc::source::STDLIB
            .first()
            .map(|(n, _)| n.trim_end_matches(".formula.toml"))
            .unwrap_or("");
        if !stdlib_name.is_empty() {
            let got = run(
                &format!("//- /w/a.formula.toml\nextends = [\"{stdlib_name}$0\"]\n"),
                "z",
            );
            assert!(got.contains("embedded standard library"), "{got}");
        }
    }

    const EXP: &str = "//- /w/exp-x.formula.toml\nformula = \"exp-x\"\ntype = \"expansion\"\n[vars.name]\ndefault = \"n\"\n[vars.other]\n[[template]]\nid = \"{target}.a\"\ntitle = \"A {{name}}\"\n";

    /// The keys passed to an expansion follow its var, in every file; the formula's own
    /// var of the same name does not.
    #[test]
    fn a_var_passed_to_an_expansion() {
        let users = "//- /w/a.formula.toml\nformula = \"a\"\n[vars.name]\n[[steps]]\nid = \"s\"\ntitle = \"{{name}}\"\nexpand = \"exp-x\"\nexpand_vars = { name = \"{{name}}\" }\n\
             //- /w/b.formula.yaml\nformula: b\nsteps:\n  - id: s\ncompose:\n  expand:\n    - target: s\n      with: exp-x\n      vars:\n        \"name\": v\n";
        let from_def = EXP.replace("[vars.name]", "[vars.na$0me]");
        insta::assert_snapshot!(run(&format!("{from_def}{users}"), "label"));
        let from_key = users.replace("\"name\": v", "\"na$0me\": v");
        assert_eq!(
            run(&format!("{EXP}{from_key}"), "label"),
            run(&format!("{from_def}{users}"), "label")
        );
    }

    #[test]
    fn a_passed_var_refused() {
        let twice = format!(
            "{EXP}//- /w/a.formula.toml\n[[steps]]\nid = \"s\"\nexpand = \"exp-x\"\nexpand_vars = {{ na$0me = \"v\", label = \"w\" }}\n"
        );
        assert_eq!(
            run(&twice, "label"),
            "refused: `label` is already passed to `exp-x` beside `name` in /w/a.formula.toml"
        );
        assert_eq!(
            run(&twice, "other"),
            "refused: a var named `other` already exists"
        );
        assert_eq!(
            run(&twice, "9"),
            "refused: `9` is not a var name: letters, digits and `_`, not starting with a digit"
        );
        let unknown = format!(
            "{EXP}//- /w/a.formula.toml\n[[steps]]\nid = \"s\"\nexpand = \"exp-x\"\nexpand_vars = {{ nope$0 = \"v\" }}\n"
        );
        assert_eq!(
            run(&unknown, "z"),
            "refused: `nope` is not defined anywhere"
        );
        // Used by the formula without a declaration: the uses cannot be told apart from
        // another var's, so the rename asks for the declaration first.
        let used = format!(
            "{}//- /w/a.formula.toml\n[[steps]]\nid = \"s\"\nexpand = \"exp-x\"\nexpand_vars = {{ ext$0ra = \"v\" }}\n",
            EXP.replace("[[template]]", "[[template]]\ndescription = \"{{extra}}\"")
        );
        assert_eq!(
            run(&used, "z"),
            "refused: `extra` is used by `exp-x` without a declaration: declare it (`[vars.extra]`) to rename it"
        );
    }
}
