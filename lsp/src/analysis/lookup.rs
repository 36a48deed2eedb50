//! Position -> syntax context: what the cursor is on (a key, a scalar value, or the gap
//! between entries of a table) and what that place means in a formula (which table,
//! which kind of value), so completion and hover know what to offer.

use gtc::model::schema::{self, Key, Role, Table, Type};
use gtc::syntax::{Entry, Format, Node, NodeKind, SyntaxTree};

/// One step of a path from the document root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    /// A table key.
    Key(String),
    /// An array index.
    Index(usize),
}

/// What the cursor is on.
#[derive(Clone, Debug)]
pub enum Cursor<'t> {
    /// On the key of `entry`, in the table at `table`.
    Key {
        /// The table's path.
        table: Vec<Seg>,
        /// The entry.
        entry: &'t Entry,
    },
    /// On a scalar value (string, number ...) at `path`.
    Value {
        /// The value's path (its last segment is its key or index).
        path: Vec<Seg>,
        /// The value.
        node: &'t Node,
    },
    /// Between the entries of the table at `table`, where a new key would be written.
    Gap {
        /// The table's path.
        table: Vec<Seg>,
    },
}

/// What a container at a path holds, while walking a path.
#[derive(Clone, Copy, Debug)]
enum Place {
    Table(&'static Table),
    /// An array whose items are tables of this kind.
    ListOf(&'static Table),
    /// A table whose values are tables of this kind (`vars`, `inputs`).
    MapOf(&'static Table),
    /// Anything else (a scalar, a free-form table such as `metadata`).
    Other,
}

fn child(place: Place, seg: &Seg) -> Place {
    match (place, seg) {
        (Place::ListOf(t), Seg::Index(_)) | (Place::MapOf(t), Seg::Key(_)) => Place::Table(t),
        (Place::Table(t), Seg::Key(k)) => match schema_key(t, k).map(|k| k.ty) {
            Some(Type::Table(c)) => Place::Table(c),
            Some(Type::Tables(c)) => Place::ListOf(c),
            Some(Type::MapOf(c) | Type::Vars(c)) => Place::MapOf(c),
            _ => Place::Other,
        },
        _ => Place::Other,
    }
}

/// The key of `t` that `written` means: its exact spelling, else another ASCII case (as
/// the engines read keys; TOML var tables aside, where a case variant is unknown anyway).
pub fn schema_key(t: &'static Table, written: &str) -> Option<&'static Key> {
    t.key(written)
        .or_else(|| t.keys.iter().find(|k| k.name.eq_ignore_ascii_case(written)))
}

/// The kind of table at `path`, if it is one the formula schema knows.
pub fn table_at(path: &[Seg]) -> Option<&'static Table> {
    match path.iter().fold(Place::Table(&schema::ROOT), child) {
        Place::Table(t) => Some(t),
        _ => None,
    }
}

/// The schema key of the value at `path` (the last segment is its key, or its index in a
/// list whose key is the segment before).
pub fn key_at(path: &[Seg]) -> Option<&'static Key> {
    let (key, parent) = match path {
        [.., Seg::Key(k)] => (k.as_str(), &path[..path.len() - 1]),
        [.., Seg::Key(k), Seg::Index(_)] => (k.as_str(), &path[..path.len() - 2]),
        _ => return None,
    };
    schema_key(table_at(parent)?, key)
}

/// What the value at `path` means.
pub fn role_at(path: &[Seg]) -> Role {
    key_at(path).map_or(Role::Text, |k| k.role)
}

/// What is at byte `offset` of `text` (whose tree is `tree`).
pub fn cursor_at<'t>(
    tree: &'t SyntaxTree,
    text: &str,
    format: Format,
    offset: usize,
) -> Cursor<'t> {
    let mut path = Vec::new();
    if let Some(found) = find(&tree.root, offset, &mut path) {
        return found;
    }
    Cursor::Gap {
        table: gap_table(tree, text, format, offset),
    }
}

fn contains(span: gtc::source::Span, offset: usize) -> bool {
    span.start() <= offset && offset <= span.end()
}

/// A path segment borrowed from the tree while searching (owned only once found).
#[derive(Clone, Copy)]
enum SegRef<'t> {
    Key(&'t str),
    Index(usize),
}

fn owned(path: &[SegRef<'_>]) -> Vec<Seg> {
    path.iter()
        .map(|s| match s {
            SegRef::Key(k) => Seg::Key((*k).to_owned()),
            SegRef::Index(i) => Seg::Index(*i),
        })
        .collect()
}

/// The deepest key or scalar containing `offset`. (Recursion is bounded: the front-ends
/// cap nesting at `MAX_DEPTH`.)
fn find<'t>(node: &'t Node, offset: usize, path: &mut Vec<SegRef<'t>>) -> Option<Cursor<'t>> {
    match &node.kind {
        NodeKind::Table(entries) => {
            for e in entries {
                path.push(SegRef::Key(&e.key));
                if let Some(found) = find(&e.value, offset, path) {
                    return Some(found);
                }
                path.pop();
                if contains(e.key_span, offset) && !e.key_span.range().is_empty() {
                    return Some(Cursor::Key {
                        table: owned(path),
                        entry: e,
                    });
                }
            }
            None
        }
        NodeKind::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(SegRef::Index(i));
                if let Some(found) = find(item, offset, path) {
                    return Some(found);
                }
                path.pop();
            }
            None
        }
        NodeKind::Invalid => None,
        _ if contains(node.span, offset) => Some(Cursor::Value {
            path: owned(path),
            node,
        }),
        _ => None,
    }
}

/// Every table of the tree with its path, in document order.
fn tables<'t>(node: &'t Node, path: &mut Vec<Seg>, out: &mut Vec<(Vec<Seg>, &'t Node)>) {
    match &node.kind {
        NodeKind::Table(entries) => {
            out.push((path.clone(), node));
            for e in entries {
                path.push(Seg::Key(e.key.clone()));
                tables(&e.value, path, out);
                path.pop();
            }
        }
        NodeKind::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(Seg::Index(i));
                tables(item, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

/// The table a new key at `offset` would belong to.
fn gap_table(tree: &SyntaxTree, text: &str, format: Format, offset: usize) -> Vec<Seg> {
    let mut all = Vec::new();
    tables(&tree.root, &mut Vec::new(), &mut all);
    let opens_with =
        |n: &Node, c: char| text.get(n.span.start()..).is_some_and(|t| t.starts_with(c));
    let inside = |n: &Node| n.span.start() < offset && offset < n.span.end();
    // Braced tables (JSON objects, TOML inline tables) contain the cursor by their span.
    let braced = all
        .iter()
        .filter(|(_, n)| opens_with(n, '{') && inside(n))
        .max_by_key(|(p, n)| (p.len(), n.span.start));
    if let Some((p, _)) = braced {
        return p.clone();
    }
    match format {
        Format::Json => Vec::new(),
        // TOML: the last `[header]` before the cursor.
        Format::Toml => all
            .iter()
            .filter(|(_, n)| opens_with(n, '[') && n.span.start() <= offset)
            .max_by_key(|(_, n)| n.span.start)
            .map(|(p, _)| p.clone())
            .unwrap_or_default(),
        // YAML: the latest mapping started above whose keys sit at the cursor's indentation.
        Format::Yaml => {
            let line_start = text
                .get(..offset)
                .and_then(|t| t.rfind('\n'))
                .map_or(0, |i| i + 1);
            let prefix = text.get(line_start..offset).unwrap_or("");
            let indent = prefix.len() - prefix.trim_start_matches([' ', '-']).len();
            let column = |at: usize| {
                let ls = text
                    .get(..at)
                    .and_then(|t| t.rfind('\n'))
                    .map_or(0, |i| i + 1);
                at - ls
            };
            all.iter()
                .filter_map(|(p, n)| {
                    let first = n.as_table()?.first()?;
                    (first.key_span.start() <= offset && column(first.key_span.start()) == indent)
                        .then_some((p, first.key_span.start))
                })
                .max_by_key(|(_, start)| *start)
                .map(|(p, _)| p.clone())
                .unwrap_or_default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::fixture::Fixture;

    fn name(t: Option<&Table>) -> &str {
        t.map_or("nothing", |t| t.name)
    }

    fn describe(fixture: &str, format: Format) -> String {
        let f = Fixture::parse(fixture);
        let tree = gtc::syntax::parse(&f.text, format);
        match cursor_at(&tree, &f.text, format, f.cursor) {
            Cursor::Key { table, entry } => {
                format!("key {} in {}", entry.key, name(table_at(&table)))
            }
            Cursor::Value { path, .. } => match key_at(&path).and_then(|k| k.ty.choices()) {
                Some(c) => format!("value one of {:?}", c.names().collect::<Vec<_>>()),
                None => format!("value {:?}", role_at(&path)),
            },
            Cursor::Gap { table } => format!("gap in {}", name(table_at(&table))),
        }
    }

    #[test]
    fn toml_places() {
        let t = Format::Toml;
        assert_eq!(
            describe("formula = \"a\"\n$0\n[[steps]]\nid = \"x\"\n", t),
            "gap in formula"
        );
        assert_eq!(
            describe("formula = \"a\"\n[[steps]]\nid = \"x\"\n$0\n", t),
            "gap in step"
        );
        assert_eq!(
            describe("[[steps]]\nid = \"x\"\nne$0eds = [\"y\"]\n", t),
            "key needs in step"
        );
        assert_eq!(
            describe("[[steps]]\nid = \"x\"\nneeds = [\"y$0\"]\n", t),
            "value StepRef"
        );
        assert_eq!(describe("extends = [\"ba$0\"]\n", t), "value FormulaRef");
        assert_eq!(
            describe("[[steps]]\nid = \"x\"\n[steps.gate]\n$0\n", t),
            "gap in gate"
        );
        assert_eq!(
            describe("[[steps]]\nid = \"x\"\n[steps.gate]\ntype = \"h$0\"\n", t),
            "value one of [\"human\", \"timer\", \"gh:run\", \"gh:pr\", \"mail\", \"bead\"]"
        );
        assert_eq!(describe("[vars.x]\n$0\n", t), "gap in var");
        assert_eq!(
            describe("[[steps]]\nid = \"x\"\ngate = { $0 }\n", t),
            "gap in gate"
        );
        assert_eq!(
            describe("[compose]\n[[compose.expand]]\nwith = \"e$0\"\n", t),
            "value FormulaRef"
        );
    }

    #[test]
    fn json_and_yaml_places() {
        assert_eq!(
            describe(
                "{\"formula\": \"a\", \"steps\": [{ $0 \"id\": \"x\"}]}",
                Format::Json
            ),
            "gap in step"
        );
        assert_eq!(
            describe(
                "{\"steps\": [{\"id\": \"x\", \"needs\": [\"$0\"]}]}",
                Format::Json
            ),
            "value StepRef"
        );
        assert_eq!(
            describe(
                "formula: a\nsteps:\n  - id: x\n    title: X\n    $0\n",
                Format::Yaml
            ),
            "gap in step"
        );
        assert_eq!(
            describe("formula: a\nsteps:\n  - id: x\n$0\n", Format::Yaml),
            "gap in formula"
        );
        assert_eq!(
            describe("steps:\n  - id: x\n    needs: [y$0]\n", Format::Yaml),
            "value StepRef"
        );
    }

    #[test]
    fn tables_and_roles_by_path() {
        let k = |s: &str| Seg::Key(s.into());
        assert_eq!(
            table_at(&[
                k("steps"),
                Seg::Index(0),
                k("loop"),
                k("body"),
                Seg::Index(1)
            ])
            .map(|t| t.name),
            Some("step")
        );
        assert_eq!(
            table_at(&[k("Steps"), Seg::Index(0), k("Gate")]).map(|t| t.name),
            Some("gate"),
            "keys in another case lead where the engines read them"
        );
        assert!(table_at(&[k("steps"), Seg::Index(0), k("metadata")]).is_none());
        assert_eq!(
            table_at(&[
                k("advice"),
                Seg::Index(0),
                k("around"),
                k("after"),
                Seg::Index(0)
            ])
            .map(|t| t.name),
            Some("advice_step")
        );
        assert_eq!(
            role_at(&[k("compose"), k("aspects"), Seg::Index(0)]),
            Role::FormulaRef
        );
        assert_eq!(
            role_at(&[
                k("compose"),
                k("branch"),
                Seg::Index(0),
                k("steps"),
                Seg::Index(2)
            ]),
            Role::StepRef
        );
        assert_eq!(role_at(&[Seg::Index(0)]), Role::Text);
        assert_eq!(role_at(&[k("nonsense"), k("needs")]), Role::Text);
    }
}
