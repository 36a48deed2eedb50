//! Reading a value as the schema types its key: [`Cx::read`] checks the value against the
//! key's [`Type`] (GTC003 when it does not fit) and returns it in typed form, so which
//! type a key has is said once, in `model/schema/tables.rs`.

use super::Cx;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::schema::{Key, Table, Type};
use crate::model::types::{Spanned, Text};
use crate::syntax::{Entry, Node, NodeKind};

/// A value read as its key's type.
pub(super) enum Value<'a> {
    /// `String`, `Choice`.
    Text(Text),
    /// `Int`.
    Int(Spanned<i64>),
    /// `Bool`.
    Bool(Spanned<bool>),
    /// `Strings` (items of another type are reported and left out).
    Texts(Vec<Text>),
    /// `StringMap` (values of another type are reported and left out).
    Map(Vec<(Spanned<String>, Text)>),
    /// `Table`, `MapOf`, `Vars`, `AnyTable`: the table, for the caller to walk.
    Table(&'a Node),
    /// `Tables` (items of another type are reported and left out).
    Tables(Vec<&'a Node>),
    /// `Json`: free-form data.
    Json(Spanned<serde_json::Map<String, serde_json::Value>>),
}

impl Cx {
    /// `node` read as `key`'s type, or `None` (reported) when it is of another type.
    pub(super) fn read<'a>(&mut self, key: &Key, node: &'a Node) -> Option<Value<'a>> {
        Some(match key.ty {
            Type::String | Type::Choice(_) => Value::Text(self.text(node)?),
            Type::Int => Value::Int(self.int(node)?),
            Type::Bool => Value::Bool(self.bool(node)?),
            Type::Strings => Value::Texts(self.text_list(node)),
            Type::StringMap => Value::Map(self.string_map(node)),
            Type::Table(_) | Type::MapOf(_) | Type::Vars(_) | Type::AnyTable => {
                self.table(node)?;
                Value::Table(node)
            }
            Type::Tables(_) => Value::Tables(self.each_table(node)),
            Type::Json => Value::Json(self.metadata(node)?),
        })
    }

    /// Each field of the table `node` (see [`Cx::fields`]) whose value fits its key's
    /// declared type, handed to `set` with that value; the others are reported.
    pub(super) fn read_fields<'a>(
        &mut self,
        node: &'a Node,
        table: &'static Table,
        mut set: impl FnMut(&mut Cx, &'static Key, &'a Entry, Value<'a>),
    ) {
        for (key, e) in self.fields(node, table) {
            if let Some(v) = self.read(key, &e.value) {
                set(self, key, e, v);
            }
        }
    }

    /// A key whose value the lowering has no place for: the schema and the lowering
    /// disagree (a test lowers every key of the schema and asserts this never happens).
    pub(super) fn unread(&mut self, key: &'static Key) {
        self.unread.push(key.name);
    }

    pub(super) fn wrong_type(&mut self, node: &Node, expected: &str) {
        if matches!(node.kind, NodeKind::Invalid) {
            return; // already a syntax error
        }
        self.diags.push(
            Diagnostic::new(
                Code::WrongType,
                node.span,
                format!("expected {expected}, found {}", node.kind_name()),
            )
            .with_help(format!("write {expected} here")),
        );
    }

    pub(super) fn text(&mut self, node: &Node) -> Option<Text> {
        match &node.kind {
            NodeKind::String(s) => Some(Text::from_str(s, node.span)),
            _ => {
                self.wrong_type(node, Type::String.expected());
                None
            }
        }
    }

    fn int(&mut self, node: &Node) -> Option<Spanned<i64>> {
        match node.kind {
            NodeKind::Integer(i) => Some(Spanned {
                value: i,
                span: node.span,
            }),
            NodeKind::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(Spanned {
                value: f as i64,
                span: node.span,
            }),
            _ => {
                self.wrong_type(node, Type::Int.expected());
                None
            }
        }
    }

    fn bool(&mut self, node: &Node) -> Option<Spanned<bool>> {
        match node.kind {
            NodeKind::Bool(b) => Some(Spanned {
                value: b,
                span: node.span,
            }),
            _ => {
                self.wrong_type(node, Type::Bool.expected());
                None
            }
        }
    }

    fn text_list(&mut self, node: &Node) -> Vec<Text> {
        match &node.kind {
            NodeKind::Array(items) => items.iter().filter_map(|i| self.text(i)).collect(),
            _ => {
                self.wrong_type(node, Type::Strings.expected());
                Vec::new()
            }
        }
    }

    pub(super) fn table<'a>(&mut self, node: &'a Node) -> Option<&'a [Entry]> {
        match &node.kind {
            NodeKind::Table(entries) => Some(entries),
            _ => {
                self.wrong_type(node, "a table");
                None
            }
        }
    }

    /// An array of tables (a single table is accepted as a one-element array
    /// nowhere: both engines need the array).
    pub(super) fn each_table<'a>(&mut self, node: &'a Node) -> Vec<&'a Node> {
        match &node.kind {
            NodeKind::Array(items) => items
                .iter()
                .filter(|i| {
                    let ok = matches!(i.kind, NodeKind::Table(_));
                    if !ok {
                        self.wrong_type(i, "a table");
                    }
                    ok
                })
                .collect(),
            _ => {
                self.wrong_type(node, Type::Tables(&crate::model::schema::STEP).expected());
                Vec::new()
            }
        }
    }

    fn string_map(&mut self, node: &Node) -> Vec<(Spanned<String>, Text)> {
        let Some(entries) = self.table(node) else {
            return Vec::new();
        };
        entries
            .iter()
            .filter_map(|e| {
                let v = self.text(&e.value)?;
                Some((
                    Spanned {
                        value: e.key.clone(),
                        span: e.key_span,
                    },
                    v,
                ))
            })
            .collect()
    }

    /// A table as JSON; values JSON cannot hold are reported and left out.
    fn metadata(
        &mut self,
        node: &Node,
    ) -> Option<Spanned<serde_json::Map<String, serde_json::Value>>> {
        self.table(node)?;
        let mut bad = Vec::new();
        let value = crate::model::json_value::to_json(node, &mut bad);
        for n in bad {
            self.wrong_type(n, "a value JSON can hold (a finite number)");
        }
        match value {
            serde_json::Value::Object(map) => Some(Spanned {
                value: map,
                span: node.span,
            }),
            _ => None,
        }
    }
}
