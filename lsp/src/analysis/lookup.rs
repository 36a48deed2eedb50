//! Position -> syntax context: what the cursor is on (a key, a scalar value, or the gap
//! between entries of a table) and what that place means in a formula (which table,
//! which kind of value), so completion and hover know what to offer.

use gtc::model::schema::{self, Schema};
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

/// Kinds of table in a formula, each with its key schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Table {
    /// The document root.
    Root,
    /// `[vars.NAME]`.
    Var,
    /// A step, template step, loop body step or leg.
    Step,
    /// A step `gate`.
    Gate,
    /// A step `loop`.
    Loop,
    /// A step `on_complete`.
    OnComplete,
    /// `compose`.
    Compose,
    /// A bond point.
    BondPoint,
    /// A hook.
    Hook,
    /// A `compose.expand` rule.
    Expand,
    /// A `compose.map` rule.
    Map,
    /// A `compose.branch` rule.
    Branch,
    /// A `compose.gate` rule.
    GateRule,
    /// An advice rule.
    Advice,
    /// An advice `around`.
    Around,
    /// A step inserted by advice.
    AdviceStep,
    /// A pointcut.
    Pointcut,
    /// A Gas Town `[[aspects]]` entry.
    AspectItem,
    /// A convoy `[inputs.NAME]`.
    Input,
    /// A convoy `[output]`.
    Output,
    /// A convoy `[synthesis]`.
    Synthesis,
}

impl Table {
    /// The keys this table may hold.
    pub fn schema(self) -> Schema {
        match self {
            Table::Root => schema::ROOT,
            Table::Var => schema::VAR,
            Table::Step => schema::STEP,
            Table::Gate => schema::GATE,
            Table::Loop => schema::LOOP,
            Table::OnComplete => schema::ON_COMPLETE,
            Table::Compose => schema::COMPOSE,
            Table::BondPoint => schema::BOND_POINT,
            Table::Hook => schema::HOOK,
            Table::Expand => schema::EXPAND,
            Table::Map => schema::MAP,
            Table::Branch => schema::BRANCH,
            Table::GateRule => schema::GATE_RULE,
            Table::Advice => schema::ADVICE,
            Table::Around => schema::AROUND,
            Table::AdviceStep => schema::ADVICE_STEP,
            Table::Pointcut => schema::POINTCUT,
            Table::AspectItem => schema::ASPECT_ITEM,
            Table::Input => schema::INPUT,
            Table::Output => schema::OUTPUT,
            Table::Synthesis => schema::SYNTHESIS,
        }
    }
}

/// What a container at a path holds, while walking a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    Table(Table),
    /// An array whose items are tables of this kind.
    ListOf(Table),
    /// A table whose values are tables of this kind (`vars`, `inputs`).
    MapOf(Table),
    /// Anything else (a scalar, a free-form table such as `metadata`).
    Other,
}

fn child(place: Place, seg: &Seg) -> Place {
    match (place, seg) {
        (Place::ListOf(t), Seg::Index(_)) | (Place::MapOf(t), Seg::Key(_)) => Place::Table(t),
        (Place::Table(t), Seg::Key(k)) => key_place(t, k),
        _ => Place::Other,
    }
}

fn key_place(t: Table, key: &str) -> Place {
    use Table as T;
    match (t, key) {
        (T::Root, "vars") => Place::MapOf(T::Var),
        (T::Root, "inputs") => Place::MapOf(T::Input),
        (T::Root, "steps" | "template" | "legs") => Place::ListOf(T::Step),
        (T::Root, "aspects") => Place::ListOf(T::AspectItem),
        (T::Root, "synthesis") => Place::Table(T::Synthesis),
        (T::Root, "compose") => Place::Table(T::Compose),
        (T::Root, "advice") => Place::ListOf(T::Advice),
        (T::Root, "pointcuts") => Place::ListOf(T::Pointcut),
        (T::Root, "output") => Place::Table(T::Output),
        (T::Step, "children") | (T::Loop, "body") => Place::ListOf(T::Step),
        (T::Step, "gate") => Place::Table(T::Gate),
        (T::Step, "loop") => Place::Table(T::Loop),
        (T::Step, "on_complete") => Place::Table(T::OnComplete),
        (T::Compose, "bond_points") => Place::ListOf(T::BondPoint),
        (T::Compose, "hooks") => Place::ListOf(T::Hook),
        (T::Compose, "expand") => Place::ListOf(T::Expand),
        (T::Compose, "map") => Place::ListOf(T::Map),
        (T::Compose, "branch") => Place::ListOf(T::Branch),
        (T::Compose, "gate") => Place::ListOf(T::GateRule),
        (T::Advice, "before" | "after") => Place::Table(T::AdviceStep),
        (T::Advice, "around") => Place::Table(T::Around),
        (T::Around, "before" | "after") => Place::ListOf(T::AdviceStep),
        _ => Place::Other,
    }
}

/// The kind of table at `path`, if it is one the formula schema knows.
pub fn table_at(path: &[Seg]) -> Option<Table> {
    match path.iter().fold(Place::Table(Table::Root), child) {
        Place::Table(t) => Some(t),
        _ => None,
    }
}

/// What a scalar value means, by where it is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The formula's own name (`formula = "..."`).
    FormulaName,
    /// A step id definition.
    StepId,
    /// A reference to a step id.
    StepRef,
    /// `waits_for`: a keyword or `children-of(step)`.
    WaitsFor,
    /// A reference to a formula by name.
    FormulaRef,
    /// One of a fixed set of values.
    Enum(&'static [&'static str]),
    /// A condition.
    Condition,
    /// Other text (may hold `{{vars}}`).
    Text,
}

/// Var `type` values the runtime parses.
pub const VAR_TYPES: &[&str] = &["string", "int", "bool"];

/// The role of the value at `path` (the last segment is its key, or its index in a list
/// whose key is the segment before).
pub fn role_at(path: &[Seg]) -> Role {
    let (key, parent) = match path {
        [.., Seg::Key(k)] => (k.as_str(), &path[..path.len() - 1]),
        [.., Seg::Key(k), Seg::Index(_)] => (k.as_str(), &path[..path.len() - 2]),
        _ => return Role::Text,
    };
    let Some(table) = table_at(parent) else {
        return Role::Text;
    };
    use Table as T;
    match (table, key) {
        (T::Root, "formula") => Role::FormulaName,
        (T::Root, "type") => Role::Enum(schema::FORMULA_TYPES),
        (T::Root, "extends") => Role::FormulaRef,
        (T::Step | T::AspectItem | T::AdviceStep, "id") => Role::StepId,
        (T::Step | T::Synthesis, "needs" | "depends_on") => Role::StepRef,
        (T::Step, "waits_for") => Role::WaitsFor,
        (T::Step, "expand") | (T::OnComplete, "bond") => Role::FormulaRef,
        (T::Step, "condition") | (T::Loop, "until") | (T::GateRule, "condition") => Role::Condition,
        (T::Gate, "type") => Role::Enum(schema::GATE_TYPES),
        (T::Var, "type") => Role::Enum(VAR_TYPES),
        (T::BondPoint, "after_step" | "before_step")
        | (T::Branch, "from" | "steps" | "join")
        | (T::GateRule, "before")
        | (T::Expand, "target") => Role::StepRef,
        (T::Expand | T::Map, "with") | (T::Compose, "aspects") => Role::FormulaRef,
        _ => Role::Text,
    }
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

    fn describe(fixture: &str, format: Format) -> String {
        let f = Fixture::parse(fixture);
        let tree = gtc::syntax::parse(&f.text, format);
        match cursor_at(&tree, &f.text, format, f.cursor) {
            Cursor::Key { table, entry } => {
                format!("key {} in {:?}", entry.key, table_at(&table))
            }
            Cursor::Value { path, .. } => format!("value {:?}", role_at(&path)),
            Cursor::Gap { table } => format!("gap in {:?}", table_at(&table)),
        }
    }

    #[test]
    fn toml_places() {
        let t = Format::Toml;
        assert_eq!(
            describe("formula = \"a\"\n$0\n[[steps]]\nid = \"x\"\n", t),
            "gap in Some(Root)"
        );
        assert_eq!(
            describe("formula = \"a\"\n[[steps]]\nid = \"x\"\n$0\n", t),
            "gap in Some(Step)"
        );
        assert_eq!(
            describe("[[steps]]\nid = \"x\"\nne$0eds = [\"y\"]\n", t),
            "key needs in Some(Step)"
        );
        assert_eq!(
            describe("[[steps]]\nid = \"x\"\nneeds = [\"y$0\"]\n", t),
            "value StepRef"
        );
        assert_eq!(describe("extends = [\"ba$0\"]\n", t), "value FormulaRef");
        assert_eq!(
            describe("[[steps]]\nid = \"x\"\n[steps.gate]\n$0\n", t),
            "gap in Some(Gate)"
        );
        assert_eq!(
            describe("[[steps]]\nid = \"x\"\n[steps.gate]\ntype = \"h$0\"\n", t),
            "value Enum([\"human\", \"timer\", \"gh:run\", \"gh:pr\", \"mail\", \"bead\"])"
        );
        assert_eq!(describe("[vars.x]\n$0\n", t), "gap in Some(Var)");
        assert_eq!(
            describe("[[steps]]\nid = \"x\"\ngate = { $0 }\n", t),
            "gap in Some(Gate)"
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
            "gap in Some(Step)"
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
            "gap in Some(Step)"
        );
        assert_eq!(
            describe("formula: a\nsteps:\n  - id: x\n$0\n", Format::Yaml),
            "gap in Some(Root)"
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
            ]),
            Some(Table::Step)
        );
        assert_eq!(table_at(&[k("steps"), Seg::Index(0), k("metadata")]), None);
        assert_eq!(
            table_at(&[
                k("advice"),
                Seg::Index(0),
                k("around"),
                k("after"),
                Seg::Index(0)
            ]),
            Some(Table::AdviceStep)
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
