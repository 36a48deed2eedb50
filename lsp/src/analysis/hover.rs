//! Hover: a var's declaration (description, default, enum, pattern), a step's title with
//! its cooked dependencies and provenance, a formula's description and file, a key's
//! place in the schema, and the page of each diagnostic code under the cursor.

use super::completion::key_doc as schema_doc;
use super::cooked_view::{cooked, flatten};
use super::lookup::{Cursor, cursor_at, schema_key, table_at};
use super::navigation::{Located, definition, occurrence_at, undeclared_use};
use super::symbols::SymbolKind;
use gtc::db::{SourceFile, Workspace, all_diagnostics, lowered, parse};
use gtc::model::{Formula, Step, Text};
use gtc::source::Span;

/// A hover's range and Markdown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HoverResult {
    /// What the hover is about.
    pub span: Span,
    /// Markdown.
    pub markdown: String,
}

/// The hover at `offset`.
pub fn hover(
    db: &dyn salsa::Database,
    ws: Workspace,
    file: SourceFile,
    offset: usize,
) -> Option<HoverResult> {
    let mut parts: Vec<String> = Vec::new();
    let mut span = None;
    if let Some(occ) = occurrence_at(db, file, offset) {
        span = Some(occ.span);
        if let Some(def) = definition(db, ws, file, &occ) {
            parts.push(match occ.kind {
                SymbolKind::Var => var_doc(db, &def),
                SymbolKind::Step => step_doc(db, ws, file, &def),
                SymbolKind::Formula => formula_doc(db, &def),
            });
        } else if let Some(o) = &occ.owner {
            parts.push(match undeclared_use(db, ws, file, &occ) {
                Some((home, first)) => format!(
                    "**var** `{}`\n\nused by `{}` without a declaration (in `{}`); a value passed here fills its uses in",
                    occ.name,
                    o.formula,
                    first.map_or(home, |u| u.file).path(db).display()
                ),
                None => format!("var `{}`: not a var of `{}`", occ.name, o.formula),
            });
        } else {
            parts.push(format!("{} `{}`: not defined", occ.kind.as_str(), occ.name));
        }
    } else if let Some((key_span, doc)) = key_doc(db, file, offset) {
        span = Some(key_span);
        parts.push(doc);
    }
    for d in all_diagnostics(db, ws, file)
        .iter()
        .filter(|d| d.span.start() <= offset && offset <= d.span.end())
    {
        span.get_or_insert(d.span);
        parts.push(format!(
            "---\n**{}** `{}`: {}\n\n{}",
            d.code.as_str(),
            d.code.name(),
            d.code.summary(),
            body(d.code.doc())
        ));
    }
    let span = span?;
    Some(HoverResult {
        span,
        markdown: parts.join("\n\n"),
    })
}

/// A code's page without its heading line (the hover already names the code).
fn body(doc: &str) -> &str {
    doc.split_once('\n').map_or(doc, |(_, rest)| rest).trim()
}

fn key_doc(db: &dyn salsa::Database, file: SourceFile, offset: usize) -> Option<(Span, String)> {
    let tree = parse(db, file);
    let Cursor::Key { table, entry } = cursor_at(tree, file.text(db), file.format(db), offset)
    else {
        return None;
    };
    let t = table_at(&table)?;
    // In TOML var tables the engines match keys exactly (`Default` is unknown there).
    let exact = t.exact_in_toml && file.format(db) == gtc::syntax::Format::Toml;
    let key = if exact {
        t.key(&entry.key)
    } else {
        schema_key(t, &entry.key)
    };
    let doc = match key {
        Some(k) if k.name == entry.key => schema_doc(t, k),
        Some(k) => format!(
            "`{}` is read as `{}`\n\n{}",
            entry.key,
            k.name,
            schema_doc(t, k)
        ),
        None => format!(
            "`{}`: not a key of {}; no engine reads it",
            entry.key, t.what
        ),
    };
    Some((entry.key_span, doc))
}

fn first_line(t: &Option<Text>) -> Option<&str> {
    t.as_ref()
        .and_then(|t| t.value.lines().find(|l| !l.trim().is_empty()))
}

fn where_defined(db: &dyn salsa::Database, def: &Located) -> String {
    format!("defined in `{}`", def.file.path(db).display())
}

/// A var's declaration: description, facts, file (Markdown).
pub fn var_doc(db: &dyn salsa::Database, def: &Located) -> String {
    let f = &lowered(db, def.file).formula;
    let mut out = format!("**var** `{}`", def.occ.name);
    if let Some(v) = f.vars.iter().find(|v| v.name.value == def.occ.name) {
        if let Some(d) = &v.description {
            out.push_str(&format!("\n\n{}", d.value.trim()));
        }
        let mut facts = Vec::new();
        if v.required.as_ref().is_some_and(|r| r.value) {
            facts.push(String::from("required"));
        }
        if let Some(d) = &v.default {
            facts.push(format!("default `{}`", d.value));
        }
        if !v.allowed.is_empty() {
            let list: Vec<String> = v.allowed.iter().map(|a| format!("`{}`", a.value)).collect();
            facts.push(format!("one of {}", list.join(", ")));
        }
        if let Some(p) = &v.pattern {
            facts.push(format!("pattern `{}`", p.value));
        }
        if let Some(t) = &v.ty {
            facts.push(format!("type `{}`", t.value));
        }
        if !facts.is_empty() {
            out.push_str(&format!("\n\n{}", facts.join(" · ")));
        }
    }
    out.push_str(&format!("\n\n{}", where_defined(db, def)));
    out
}

fn find_step(f: &Formula, span: Span) -> Option<&Step> {
    let mut found = None;
    gtc::check::walk_all(f, &mut |s, _| {
        if found.is_none()
            && s.id
                .as_ref()
                .is_some_and(|id| id.span.start <= span.start && span.end <= id.span.end)
        {
            found = Some(s);
        }
    });
    found
}

fn step_doc(db: &dyn salsa::Database, ws: Workspace, file: SourceFile, def: &Located) -> String {
    let f = &lowered(db, def.file).formula;
    let mut out = format!("**step** `{}`", def.occ.name);
    if let Some(s) = find_step(f, def.occ.span) {
        if let Some(t) = first_line(&s.title) {
            out.push_str(&format!(": {t}"));
        }
        if let Some(d) = first_line(&s.description) {
            out.push_str(&format!("\n\n{d}"));
        }
    }
    let cooked_step = cooked(db, ws, file)
        .as_ref()
        .map(|r| flatten(&r.steps).into_iter().find(|s| s.id == def.occ.name));
    if let Some(None) = cooked_step {
        out.push_str(
            "\n\nnot in the cooked formula: composition replaced it (an expansion) or dropped it",
        );
    }
    if let Some(Some(s)) = cooked_step {
        let needs = if s.needs.is_empty() {
            String::from("none")
        } else {
            s.needs
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        out.push_str(&format!("\n\nneeds after composition: {needs}"));
        out.push_str(&format!(
            "\n\nfrom `{}` ({}:{}, `{}`)",
            s.source.formula, s.source.file, s.source.line, s.source.path
        ));
        for h in &s.source.history {
            out.push_str(&format!("\n- {h}"));
        }
    }
    out.push_str(&format!("\n\n{}", where_defined(db, def)));
    out
}

fn formula_doc(db: &dyn salsa::Database, def: &Located) -> String {
    let f = &lowered(db, def.file).formula;
    let mut out = format!("**formula** `{}` ({})", def.occ.name, f.effective_kind());
    if let Some(d) = &f.description {
        out.push_str(&format!("\n\n{}", d.value.trim()));
    }
    out.push_str(&format!("\n\nfile `{}`", def.file.path(db).display()));
    out
}

#[cfg(test)]
mod tests {
    use crate::analysis::fixture::host;

    fn hover(fixture: &str) -> String {
        let (h, cursor) = host(fixture);
        let Some((file, offset)) = cursor else {
            return String::from("no cursor");
        };
        let a = h.analysis();
        a.with(|db, ws| super::hover(db, ws, file, offset))
            .ok()
            .flatten()
            .map_or_else(
                || String::from("none"),
                |h| format!("{:?}\n{}", h.span, h.markdown),
            )
    }

    #[test]
    fn var_step_formula_key_and_code() {
        let base = "//- /w/base.formula.toml\nformula = \"base\"\ndescription = \"The base.\"\n[vars.env]\ndescription = \"Where to deploy.\"\ndefault = \"dev\"\nenum = [\"dev\", \"prod\"]\n[[steps]]\nid = \"setup\"\ntitle = \"Set up {{env}}\"\n";
        insta::assert_snapshot!(
            "hover_var",
            hover(&format!(
                "{base}//- /w/c.formula.toml\nformula = \"c\"\nextends = [\"base\"]\n[[steps]]\nid = \"t\"\ntitle = \"T {{{{e$0nv}}}}\"\n"
            ))
        );
        insta::assert_snapshot!(
            "hover_step",
            hover(&format!(
                "{base}//- /w/c.formula.toml\nformula = \"c\"\nextends = [\"base\"]\n[[steps]]\nid = \"t\"\ntitle = \"T\"\nneeds = [\"se$0tup\"]\n"
            ))
        );
        insta::assert_snapshot!(
            "hover_formula",
            hover(&format!(
                "{base}//- /w/c.formula.toml\nformula = \"c\"\nextends = [\"ba$0se\"]\n"
            ))
        );
        insta::assert_snapshot!(
            "hover_key",
            hover(
                "//- /w/a.formula.toml\nformula = \"a\"\n[[steps]]\nid = \"x\"\nti$0tle = \"X\"\n"
            )
        );
        insta::assert_snapshot!(
            "hover_code",
            hover(
                "//- /w/a.formula.toml\nformula = \"a\"\n[[steps]]\nid = \"x\"\ntitle = \"X\"\nneeds = [\"nop$0e\"]\n"
            )
        );
        assert_eq!(
            hover("//- /w/a.formula.toml\nformula = \"a\"\n$0\n"),
            "none"
        );
        let variant =
            hover("//- /w/a.formula.json\n{\"formula\": \"a\", \"Ty$0pe\": \"workflow\"}");
        assert!(
            variant.starts_with("17..23\n`Type` is read as `type`\n\nThe kind of formula"),
            "{variant}"
        );
        let unknown = hover("//- /w/a.formula.toml\n[vars.x]\nDefa$0ult = \"1\"\n");
        assert!(
            unknown.contains("`Default`: not a key of a var; no engine reads it"),
            "{unknown}"
        );
    }

    /// A key passed to an expansion shows the expansion formula's var.
    #[test]
    fn a_passed_var_key() {
        let exp = "//- /w/exp-x.formula.toml\nformula = \"exp-x\"\n[vars.name]\ndescription = \"Who is greeted.\"\ndefault = \"n\"\n";
        assert_eq!(
            hover(&format!(
                "{exp}//- /w/a.formula.toml\n[vars.name]\ndescription = \"Not this one.\"\n[[steps]]\nid = \"s\"\nexpand = \"exp-x\"\nexpand_vars = {{ na$0me = \"v\" }}\n"
            )),
            "94..98\n**var** `name`\n\nWho is greeted.\n\ndefault `n`\n\ndefined in `/w/exp-x.formula.toml`"
        );
        // With the page of the warning the checker reports there.
        let unknown = hover(&format!(
            "{exp}//- /w/a.formula.toml\n[[steps]]\nid = \"s\"\nexpand = \"exp-x\"\nexpand_vars = {{ nom$0 = \"v\" }}\n"
        ));
        assert!(
            unknown.starts_with(
                "52..55\nvar `nom`: not a var of `exp-x`\n\n---\n**GTC038** `unknown-expansion-var`"
            ),
            "{unknown}"
        );
        // A var the formula uses without declaring it is passable (GTC038 is silent):
        // not reported as "not a var".
        let used = "//- /w/exp-u.formula.toml\nformula = \"exp-u\"\n[[steps]]\nid = \"a\"\ntitle = \"{{extra}}\"\n";
        assert_eq!(
            hover(&format!(
                "{used}//- /w/a.formula.toml\n[[steps]]\nid = \"s\"\nexpand = \"exp-u\"\nexpand_vars = {{ ext$0ra = \"v\" }}\n"
            )),
            "52..57\n**var** `extra`\n\nused by `exp-u` without a declaration (in `/w/exp-u.formula.toml`); a value passed here fills its uses in"
        );
    }
}
