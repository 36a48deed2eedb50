//! Completion: the keys valid in the table at the cursor, step ids where a step is
//! referenced, var names after `{{`, formula names where a formula is referenced, and
//! the values of enumerated keys; each with what is known about it.

use super::hover::var_doc;
use super::lookup::{Cursor, Seg, cursor_at, key_at, table_at};
use super::navigation::formula_vars;
use super::symbols::{SymbolKind, file_symbols};
use gtc::db::{SourceFile, Workspace, inheritance, lowered, name_index, parse, referenced_info};
use gtc::model::is_var_name;
use gtc::model::schema::{Key, Role, Table};
use gtc::source::Span;
use gtc::syntax::{Format, Node, NodeKind};
use std::collections::{BTreeSet, HashMap, HashSet};

/// What a completion item is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompletionKind {
    /// A table key.
    Key,
    /// A step id.
    Step,
    /// A var name.
    Var,
    /// A formula name.
    Formula,
    /// A value of an enumerated key.
    Value,
}

/// One completion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompletionItem {
    /// What the list shows (and filters on).
    pub label: String,
    /// What it is.
    pub kind: CompletionKind,
    /// A short description.
    pub detail: Option<String>,
    /// Documentation (Markdown).
    pub doc: Option<String>,
    /// The text replaced.
    pub replace: Span,
    /// The text inserted.
    pub insert: String,
}

/// The completions at `offset`.
pub fn completion(
    db: &dyn salsa::Database,
    ws: Workspace,
    file: SourceFile,
    offset: usize,
) -> Completions {
    let text = file.text(db);
    let all = candidates(db, ws, file, offset);
    let mut items = Vec::new();
    let mut incomplete = false;
    for i in all {
        if !subsequence(typed(text, i.replace, offset), &i.label) {
            continue;
        }
        if items.len() == LIMIT {
            incomplete = true;
            break;
        }
        items.push(i);
    }
    Completions { items, incomplete }
}

/// The most items one answer holds; the answer says it is incomplete and the client asks
/// again as more is typed. 100 is clangd's default: more than a list shows, and a page of
/// step ids stays small to encode, send and decode (a page of 256 took twice as long over
/// stdio: 2.8 to 3.3 ms against 1.4 to 1.9 ms in interleaved runs).
pub const LIMIT: usize = 100;

/// A completion answer.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Completions {
    /// The items matching what is typed, at most [`LIMIT`].
    pub items: Vec<CompletionItem>,
    /// Whether more items match than were returned.
    pub incomplete: bool,
}

/// What is typed so far: from the start of the replaced text to the cursor.
fn typed(text: &str, replace: Span, offset: usize) -> &str {
    text.get(replace.start()..offset.min(replace.end()).max(replace.start()))
        .unwrap_or("")
}

/// Whether the characters of `typed` appear in `label` in order, ignoring case (the
/// editors' fuzzy match).
fn subsequence(typed: &str, label: &str) -> bool {
    let mut rest = label.chars().flat_map(char::to_lowercase);
    typed
        .chars()
        .flat_map(char::to_lowercase)
        .all(|c| rest.any(|l| l == c))
}

/// Every candidate at `offset`, before filtering.
fn candidates(
    db: &dyn salsa::Database,
    ws: Workspace,
    file: SourceFile,
    offset: usize,
) -> Vec<CompletionItem> {
    let text = file.text(db);
    let format = file.format(db);
    let tree = parse(db, file);
    match cursor_at(tree, text, format, offset) {
        Cursor::Key { table, entry } => {
            let replace = inner(text, entry.key_span);
            let current = Some(entry.key.as_str());
            let insert = |k: &str| k.to_owned();
            passed_vars(db, ws, file, &tree.root, &table, current, replace, insert)
                .unwrap_or_else(|| keys(&tree.root, &table, current, replace, insert))
        }
        Cursor::Gap { table } => {
            let start = word_start(text, offset);
            let replace = Span::new(start, offset);
            let insert = |k: &str| match format {
                Format::Toml => format!("{k} = "),
                Format::Json => format!("\"{k}\": "),
                Format::Yaml => format!("{k}: "),
            };
            passed_vars(db, ws, file, &tree.root, &table, None, replace, insert)
                .unwrap_or_else(|| keys(&tree.root, &table, None, replace, insert))
        }
        Cursor::Value { path, node } => {
            let content = content(text, node);
            if let Some(items) = var_names(db, ws, file, text, content, offset) {
                return items;
            }
            let replace = content;
            let Some(key) = key_at(&path) else {
                return Vec::new();
            };
            if let Some(c) = key.ty.choices() {
                return c
                    .values
                    .iter()
                    .map(|v| value(v.value, replace, v.doc))
                    .collect();
            }
            match key.role {
                Role::StepRef => steps(db, ws, file, &tree.root, &path, replace, offset, |id| {
                    id.to_owned()
                }),
                Role::WaitsFor => {
                    let mut out: Vec<CompletionItem> = ["all-children", "any-children"]
                        .iter()
                        .map(|v| value(v, replace, "wait for the spawner's children"))
                        .collect();
                    out.extend(steps(
                        db,
                        ws,
                        file,
                        &tree.root,
                        &path,
                        replace,
                        offset,
                        |id| format!("children-of({id})"),
                    ));
                    out
                }
                Role::FormulaRef => formulas(db, ws, file, replace),
                _ => Vec::new(),
            }
        }
    }
}

fn value(v: &str, replace: Span, detail: &str) -> CompletionItem {
    CompletionItem {
        label: v.to_owned(),
        kind: CompletionKind::Value,
        detail: Some(detail.to_owned()),
        doc: None,
        replace,
        insert: v.to_owned(),
    }
}

/// A key's span without the quotes around it, if any.
fn inner(text: &str, span: Span) -> Span {
    let raw = text.get(span.range()).unwrap_or("");
    if raw.len() >= 2 && (raw.starts_with('"') || raw.starts_with('\'')) && raw.ends_with(&raw[..1])
    {
        Span::new(span.start() + 1, span.end() - 1)
    } else {
        span
    }
}

/// The characters of a string value (inside its quotes), or the scalar's span.
fn content(text: &str, node: &Node) -> Span {
    if let NodeKind::String(s) = &node.kind
        && let Some(at) = s.verbatim_at
    {
        return Span::new(at as usize, at as usize + s.value.len());
    }
    let raw = text.get(node.span.range()).unwrap_or("");
    match raw.chars().next() {
        Some(q @ ('"' | '\'')) => {
            let end = if raw.len() > 1 && raw.ends_with(q) {
                node.span.end() - 1
            } else {
                node.span.end()
            };
            Span::new(node.span.start() + 1, end)
        }
        _ => node.span,
    }
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

fn word_start(text: &str, offset: usize) -> usize {
    let before = text.get(..offset).unwrap_or("");
    before.trim_end_matches(is_word).len()
}

/// The table node at `path`.
fn node_at<'n>(root: &'n Node, path: &[Seg]) -> Option<&'n Node> {
    path.iter().try_fold(root, |n, seg| match (seg, &n.kind) {
        (Seg::Key(k), NodeKind::Table(_)) => n.get(k),
        (Seg::Index(i), NodeKind::Array(items)) => items.get(*i),
        _ => None,
    })
}

/// The keys present in the table at `table`, but `current` (the one being written).
fn present<'n>(root: &'n Node, table: &[Seg], current: Option<&str>) -> BTreeSet<&'n str> {
    node_at(root, table)
        .and_then(Node::as_table)
        .map(|es| {
            es.iter()
                .map(|e| e.key.as_str())
                .filter(|k| Some(*k) != current)
                .collect()
        })
        .unwrap_or_default()
}

/// In a table of vars passed to another formula (`expand_vars` beside a step's `expand`,
/// a compose rule's `vars` beside its `with`, `on_complete.vars` beside its `bond`): that
/// formula's vars not set yet,
/// with their docs. `None` in any other table.
#[allow(clippy::too_many_arguments)] // the cursor's context, as the other candidates take it
fn passed_vars(
    db: &dyn salsa::Database,
    ws: Workspace,
    file: SourceFile,
    root: &Node,
    table: &[Seg],
    current: Option<&str>,
    replace: Span,
    insert: impl Fn(&str) -> String,
) -> Option<Vec<CompletionItem>> {
    let (Seg::Key(last), parent) = table.split_last()? else {
        return None;
    };
    let siblings: &[&str] = match last.as_str() {
        "expand_vars" => &["expand"],
        "vars" => &["with", "bond"],
        _ => return None,
    };
    let schema = table_at(parent)?;
    let holder = node_at(root, parent)?;
    let formula = siblings
        .iter()
        .filter(|s| schema.key(s).is_some())
        .find_map(|s| holder.get(s)?.as_str())?
        .value
        .as_str();
    let present = present(root, table, current);
    let declared = formula_vars(db, ws, file, formula);
    let mut items: Vec<CompletionItem> = declared
        .iter()
        .filter(|v| !present.contains(v.occ.name.as_str()))
        .map(|v| CompletionItem {
            label: v.occ.name.clone(),
            kind: CompletionKind::Var,
            detail: Some(format!("a var of {formula}")),
            doc: Some(var_doc(db, v)),
            replace,
            insert: insert(&v.occ.name),
        })
        .collect();
    // Then the names it uses without declaring them, which a passed value fills in too
    // (what GTC038 accepts).
    let target = name_index(db, ws).scope(db, file).get(formula);
    let used = target.and_then(|t| referenced_info(db, ws, t).vars);
    for name in used.iter().flatten().filter(|n| is_var_name(n)) {
        if present.contains(name.as_str()) || declared.iter().any(|v| v.occ.name == *name) {
            continue;
        }
        items.push(CompletionItem {
            label: name.clone(),
            kind: CompletionKind::Var,
            detail: Some(format!("used by {formula}, not declared")),
            doc: Some(format!(
                "**var** `{name}`\n\nused by `{formula}` (`{{{{{name}}}}}` or `{{{name}}}`) without a `[vars.{name}]` declaration: a value passed here fills those uses in"
            )),
            replace,
            insert: insert(name),
        });
    }
    Some(items)
}

fn keys(
    root: &Node,
    table: &[Seg],
    current: Option<&str>,
    replace: Span,
    insert: impl Fn(&str) -> String,
) -> Vec<CompletionItem> {
    let Some(t) = table_at(table) else {
        return Vec::new();
    };
    let present = present(root, table, current);
    t.keys
        .iter()
        .filter(|k| !present.contains(k.name))
        .map(|k| CompletionItem {
            label: k.name.to_owned(),
            kind: CompletionKind::Key,
            detail: Some(k.ty.describe()),
            doc: Some(key_doc(t, k)),
            replace,
            insert: insert(k.name),
        })
        .collect()
}

/// A key's documentation (Markdown): what it does, where it goes, and its usual values.
pub fn key_doc(t: &Table, k: &Key) -> String {
    let mut out = format!(
        "{}\n\n`{}`: {}, a key of {}",
        k.doc,
        k.name,
        k.ty.describe(),
        t.what
    );
    if let Some(c) = k.ty.choices() {
        for v in c.values {
            out.push_str(&format!("\n- `{}`: {}", v.value, v.doc));
        }
    }
    out
}

/// Step ids visible where the cursor is: the file's own (but the step being written) and
/// inherited ones. Only the ids matching what is typed are made into items, one more than
/// [`LIMIT`] at most (a formula may have thousands of steps).
#[allow(clippy::too_many_arguments)] // the cursor's context, as the other candidates take it
fn steps(
    db: &dyn salsa::Database,
    ws: Workspace,
    file: SourceFile,
    root: &Node,
    path: &[Seg],
    replace: Span,
    offset: usize,
    insert: impl Fn(&str) -> String,
) -> Vec<CompletionItem> {
    // The innermost step around the cursor: the path up to its last index.
    let own = (0..path.len())
        .rev()
        .find(|&i| matches!(path[i], Seg::Index(_)) && table_at(&path[..=i]).is_some())
        .and_then(|i| node_at(root, &path[..=i]))
        .and_then(|n| n.get("id"))
        .and_then(Node::as_str)
        .map(|s| s.value.as_str());
    let typed = typed(file.text(db), replace, offset);
    let mut seen: HashSet<&str> = HashSet::new();
    let mut ids: Vec<(&str, Option<String>)> = Vec::new();
    let own_ids = file_symbols(db, file)
        .defs(SymbolKind::Step)
        .map(|d| (d.name.as_str(), None));
    let inherited = inheritance(db, ws, file)
        .steps()
        .map(|s| (s.id, Some(s.from)));
    for (id, from) in own_ids.chain(inherited) {
        if seen.len() > LIMIT {
            break;
        }
        if Some(id) != own && subsequence(typed, id) && seen.insert(id) {
            ids.push((id, from.map(|f| format!("inherited from {f}"))));
        }
    }
    // The titles of the kept ids, in one walk (the first step of an id wins).
    let mut titles: HashMap<&str, &str> = HashMap::new();
    gtc::check::walk_all(&lowered(db, file).formula, &mut |s, _| {
        if let Some(t) = &s.title
            && seen.contains(s.id_str())
        {
            titles.entry(s.id_str()).or_insert(t.value.as_str());
        }
    });
    ids.into_iter()
        .map(|(id, inherited)| CompletionItem {
            label: id.to_owned(),
            kind: CompletionKind::Step,
            detail: inherited.or_else(|| titles.get(id).map(|t| (*t).to_owned())),
            doc: None,
            replace,
            insert: insert(id),
        })
        .collect()
}

fn formulas(
    db: &dyn salsa::Database,
    ws: Workspace,
    file: SourceFile,
    replace: Span,
) -> Vec<CompletionItem> {
    let all = name_index(db, ws);
    let index = all.scope(db, file);
    let own = lowered(db, file).formula.name_str().to_owned();
    index
        .names()
        .filter(|n| *n != own && index.get(n) != Some(file))
        .map(|n| {
            let target = index.get(n);
            let f = target.map(|t| &lowered(db, t).formula);
            CompletionItem {
                label: n.to_owned(),
                kind: CompletionKind::Formula,
                detail: f.map(|f| f.effective_kind().to_owned()),
                doc: f
                    .and_then(|f| f.description.as_ref())
                    .map(|d| d.value.trim().to_owned()),
                replace,
                insert: n.to_owned(),
            }
        })
        .collect()
}

/// Var names when the cursor follows `{{` (and a partial name) inside a string.
fn var_names(
    db: &dyn salsa::Database,
    ws: Workspace,
    file: SourceFile,
    text: &str,
    content: Span,
    offset: usize,
) -> Option<Vec<CompletionItem>> {
    let before = text.get(content.start()..offset)?;
    let open = before.rfind("{{")?;
    let partial = &before[open + 2..];
    if !partial
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return None;
    }
    let start = content.start() + open + 2;
    let after = text.get(offset..content.end()).unwrap_or("");
    let rest = after.trim_start_matches(|c: char| c.is_ascii_alphanumeric() || c == '_');
    let end = offset + (after.len() - rest.len());
    let close = if rest.starts_with("}}") { "" } else { "}}" };
    let replace = Span::new(start, end);
    let f = &lowered(db, file).formula;
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for v in &f.vars {
        if seen.insert(v.name.value.clone()) {
            out.push(CompletionItem {
                label: v.name.value.clone(),
                kind: CompletionKind::Var,
                detail: v.default.as_ref().map(|d| format!("default `{}`", d.value)),
                doc: v.description.as_ref().map(|d| d.value.trim().to_owned()),
                replace,
                insert: format!("{}{close}", v.name.value),
            });
        }
    }
    for name in &inheritance(db, ws, file).vars {
        if seen.insert(name.clone()) {
            out.push(CompletionItem {
                label: name.clone(),
                kind: CompletionKind::Var,
                detail: Some(String::from("inherited")),
                doc: None,
                replace,
                insert: format!("{name}{close}"),
            });
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use crate::analysis::fixture::host;

    /// The items at the fixture's cursor.
    fn items(fixture: &str) -> Vec<super::CompletionItem> {
        let (h, cursor) = host(fixture);
        let Some((file, offset)) = cursor else {
            panic!("no cursor")
        };
        h.analysis()
            .with(|db, ws| super::completion(db, ws, file, offset).items)
            .unwrap_or_default()
    }

    fn complete(fixture: &str) -> String {
        items(fixture)
            .iter()
            .map(|i| {
                format!(
                    "{:?} {} {:?} -> {:?} {:?}\n",
                    i.kind,
                    i.label,
                    i.replace,
                    i.insert,
                    i.detail.as_deref().unwrap_or("")
                )
            })
            .collect()
    }

    #[test]
    fn keys_of_a_step_in_toml() {
        let got = complete(
            "//- /w/a.formula.toml\nformula = \"a\"\n[[steps]]\nid = \"x\"\ntitle = \"X\"\n$0\n",
        );
        assert!(
            got.starts_with("Key description 45..45 -> \"description = \" \"string\"\n"),
            "{got}"
        );
        assert!(
            !got.contains(" title "),
            "present keys are not offered: {got}"
        );
        let partial = complete("//- /w/a.formula.toml\n[[steps]]\nid = \"x\"\nnee$0\n");
        assert!(
            partial.contains("Key needs 19..22 -> \"needs = \""),
            "{partial}"
        );
        // YAML: a key half typed on its own line (no `:` yet) in a step, top and last.
        for (text, span) in [
            ("steps:\n  - id: x\n    nee$0\n    title: T\n", "21..24"),
            ("steps:\n  - id: x\n    nee$0\n", "21..24"),
            ("steps:\n  - id: x\n    nee$0", "21..24"),
        ] {
            let yaml = complete(&format!("//- /w/a.formula.yaml\n{text}"));
            assert!(
                yaml.contains(&format!("Key needs {span} -> \"needs: \"")),
                "{text:?}: {yaml}"
            );
        }
        let top = complete("//- /w/a.formula.yaml\nformula: f\nver$0\n");
        assert!(top.contains("Key version 11..14 -> \"version: \""), "{top}");
    }

    /// Keys and values carry the schema's docs.
    #[test]
    fn keys_and_values_with_their_docs() {
        let items = items("//- /w/a.formula.yaml\nsteps:\n  - id: x\n    $0\n");
        let gate = items.iter().find(|i| i.label == "gate");
        assert_eq!(
            gate.and_then(|i| i.doc.as_deref()),
            Some(
                "A gate issue that blocks this step until it opens\n\n`gate`: table (a gate), a key of a step"
            )
        );
        assert_eq!(gate.map(|i| i.insert.as_str()), Some("gate: "));
        let ty = items
            .iter()
            .find(|i| i.label == "type")
            .and_then(|i| i.doc.clone());
        assert!(
            ty.as_deref()
                .is_some_and(|d| d.contains("\n- `epic`: a container of steps")),
            "{ty:?}"
        );
        let values = complete("//- /w/a.formula.toml\n[vars.n]\ntype = \"$0\"\n");
        assert_eq!(
            values,
            "Value string 17..17 -> \"string\" \"any text (the default)\"\n\
             Value int 17..17 -> \"int\" \"digits, such as `42`\"\n\
             Value bool 17..17 -> \"bool\" \"`true` or `false`\"\n"
        );
    }

    #[test]
    fn step_ids_var_names_formulas_and_values() {
        insta::assert_snapshot!(complete(
            "//- /w/base.formula.toml\nformula = \"base\"\n[vars.env]\ndefault = \"dev\"\n[[steps]]\nid = \"setup\"\ntitle = \"S {{env}}\"\n\
             //- /w/c.formula.toml\nformula = \"c\"\nextends = [\"base\"]\n[vars.who]\ndescription = \"Who.\"\n[[steps]]\nid = \"build\"\ntitle = \"Build\"\n[[steps]]\nid = \"t\"\nneeds = [\"$0\"]\n"
        ));
        let vars = complete(
            "//- /w/a.formula.toml\n[vars.who]\n[[steps]]\nid = \"t\"\ntitle = \"Hi {{w$0\"\n",
        );
        assert_eq!(vars, "Var who 44..45 -> \"who}}\" \"\"\n");
        let closed = complete(
            "//- /w/a.formula.yaml\nvars:\n  who: {}\nsteps:\n  - id: t\n    title: \"Hi {{$0}} there\"\n",
        );
        assert_eq!(closed, "Var who 50..50 -> \"who\" \"\"\n");
        let formulas = complete(
            "//- /w/p.formula.toml\nformula = \"p\"\ndescription = \"Parent.\"\n//- /w/c.formula.toml\nformula = \"c\"\nextends = [\"$0\"]\n",
        );
        assert!(
            formulas.contains("Formula p 26..26 -> \"p\" \"workflow\""),
            "{formulas}"
        );
        assert!(!formulas.contains("Formula c "), "{formulas}");
        let gate = complete(
            "//- /w/a.formula.json\n{\"steps\": [{\"id\": \"x\", \"gate\": {\"type\": \"h$0\"}}]}",
        );
        assert!(
            gate.starts_with("Value human 41..42 -> \"human\""),
            "{gate}"
        );
        let waits = complete(
            "//- /w/a.formula.toml\n[[steps]]\nid = \"a\"\n[[steps]]\nid = \"b\"\nwaits_for = \"$0\"\n",
        );
        assert!(
            waits.contains("Step a 51..51 -> \"children-of(a)\""),
            "{waits}"
        );
        assert_eq!(
            complete("//- /w/a.formula.toml\ndescription = \"plain $0\"\n"),
            ""
        );
    }

    #[test]
    fn filtered_by_what_is_typed_and_capped() {
        let mut text = String::from("//- /w/a.formula.toml\n");
        for i in 0..600 {
            text.push_str(&format!("[[steps]]\nid = \"s{i}\"\n"));
        }
        text.push_str("[[steps]]\nid = \"t\"\nneeds = [\"s59$0\"]\n");
        let (h, cursor) = host(&text);
        let Some((file, offset)) = cursor else {
            panic!("no cursor")
        };
        let a = h.analysis();
        let got = a
            .with(|db, ws| super::completion(db, ws, file, offset))
            .unwrap_or_default();
        let labels: Vec<&str> = got.items.iter().map(|i| i.label.as_str()).collect();
        // A subsequence match, as editors filter: `s5_9` and `s_5_9` match too.
        assert_eq!(labels.len(), 24);
        assert_eq!(labels[..6], ["s59", "s159", "s259", "s359", "s459", "s509"]);
        assert!(
            labels.iter().all(|l| super::subsequence("s59", l)),
            "{labels:?}"
        );
        assert!(!got.incomplete);
        let text = text.replace("s59$0", "$0");
        let (h, cursor) = host(&text);
        let Some((file, offset)) = cursor else {
            panic!("no cursor")
        };
        let a = h.analysis();
        let got = a
            .with(|db, ws| super::completion(db, ws, file, offset))
            .unwrap_or_default();
        assert_eq!(got.items.len(), super::LIMIT);
        assert!(got.incomplete);
    }

    /// In a table of vars passed to an expansion: the expansion formula's vars (its own
    /// and inherited), those not set yet, with their docs.
    #[test]
    fn vars_passed_to_an_expansion() {
        let exp = "//- /w/base.formula.toml\nformula = \"base\"\n[vars.env]\n\
                   //- /w/exp-x.formula.toml\nformula = \"exp-x\"\nextends = [\"base\"]\n[vars.name]\ndescription = \"Who is greeted.\"\ndefault = \"n\"\n[vars.mood]\n";
        let inline_fixture = |exp: &str| {
            format!(
                "{exp}//- /w/a.formula.toml\n[vars.own]\n[[steps]]\nid = \"s\"\nexpand = \"exp-x\"\nexpand_vars = {{ mood = \"x\", $0 }}\n"
            )
        };
        // `name` then `env` (inherited), `mood` being set already.
        let both = |span: &str, insert: &dyn Fn(&str) -> String| {
            format!(
                "Var name {span} -> {:?} \"a var of exp-x\"\nVar env {span} -> {:?} \"a var of exp-x\"\n",
                insert("name"),
                insert("env")
            )
        };
        let toml = |k: &str| format!("{k} = ");
        let inline = complete(&inline_fixture(exp));
        assert_eq!(inline, both("75..75", &toml));
        let sub = complete(&format!(
            "{exp}//- /w/a.formula.toml\n[[steps]]\nid = \"s\"\nexpand = \"exp-x\"\n[steps.expand_vars]\nmood = \"x\"\n$0\n"
        ));
        assert_eq!(sub, both("67..67", &toml));
        let yaml = complete(&format!(
            "{exp}//- /w/b.formula.yaml\nsteps:\n  - id: s\ncompose:\n  map:\n    - select: s\n      with: exp-x\n      vars:\n        mood: x\n        $0\n"
        ));
        assert_eq!(yaml, both("103..103", &|k| format!("{k}: ")));
        let unknown = format!(
            "{exp}//- /w/a.formula.toml\n[vars.own]\n[[steps]]\nid = \"s\"\nexpand = \"nowhere\"\nexpand_vars = {{ $0 }}\n"
        );
        assert_eq!(
            complete(&unknown),
            "",
            "no formula, no vars (not this file's)"
        );
        assert_eq!(
            items(&inline_fixture(exp))
                .first()
                .and_then(|i| i.doc.as_deref()),
            Some(
                "**var** `name`\n\nWho is greeted.\n\ndefault `n`\n\ndefined in `/w/exp-x.formula.toml`"
            )
        );
        let json = complete(&format!(
            "{exp}//- /w/c.formula.json\n{{\"steps\": [{{\"id\": \"s\", \"expand\": \"exp-x\", \"expand_vars\": {{\"e$0\": \"v\"}}}}]}}"
        ));
        assert_eq!(json, both("59..60", &|k| k.to_owned()));
        let bonded = complete(&format!(
            "{exp}//- /w/a.formula.toml\n[[steps]]\nid = \"s\"\n[steps.on_complete]\nfor_each = \"output.items\"\nbond = \"exp-x\"\nvars = {{ mood = \"{{item}}\", $0 }}\n"
        ));
        assert_eq!(
            bonded,
            both("106..106", &toml),
            "on_complete.vars beside bond"
        );
        // A var the formula uses without declaring it is passable too (GTC038 accepts
        // it): offered after the declared ones, saying so.
        let used = "//- /w/exp-u.formula.toml\nformula = \"exp-u\"\ntype = \"expansion\"\n[vars.name]\n[[template]]\nid = \"{target}.a\"\ntitle = \"{{name}} {{extra}}\"\n";
        let got = items(&format!(
            "{used}//- /w/a.formula.toml\n[[steps]]\nid = \"s\"\nexpand = \"exp-u\"\nexpand_vars = {{ $0 }}\n"
        ));
        let labels: Vec<(&str, Option<&str>)> = got
            .iter()
            .map(|i| (i.label.as_str(), i.detail.as_deref()))
            .collect();
        assert_eq!(
            labels,
            [
                ("name", Some("a var of exp-u")),
                ("extra", Some("used by exp-u, not declared")),
            ],
            "`{{target}}` is the expansion's own"
        );
    }
}
