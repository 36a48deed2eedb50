//! The one span-carrying tree that every front-end (TOML, JSON, YAML) produces.
//!
//! The tree is format-neutral: a table of keyed entries, arrays and scalars. Every
//! key and every value keeps its byte span in the source, so later stages can point
//! at the exact place of a problem whatever the format.

use crate::source::Span;

/// A value in the tree with its span in the source.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The bytes of the whole value (for a table: its header or braces and body).
    pub span: Span,
    /// What the value is.
    pub kind: NodeKind,
}

/// The kinds of value the formula formats share.
#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    /// A table / object / mapping, entries in source order.
    Table(Vec<Entry>),
    /// An array / sequence.
    Array(Vec<Node>),
    /// A string, decoded.
    String(Str),
    /// An integer.
    Integer(i64),
    /// A float.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// A TOML date-time, kept as written.
    Datetime(String),
    /// JSON `null` / YAML `~`.
    Null,
    /// A value that failed to parse (the syntax error is reported separately).
    Invalid,
}

/// A decoded string and where its characters sit in the source.
#[derive(Clone, Debug, PartialEq)]
pub struct Str {
    /// The decoded value.
    pub value: String,
    /// Byte offset in the source where the value appears verbatim (no escapes or
    /// folding between), so `value[i]` is at `verbatim_at + i`. `None` when the
    /// source spelling differs from the value; positions then fall back to the node span.
    pub verbatim_at: Option<u32>,
}

/// One `key = value` of a table.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The key, decoded.
    pub key: String,
    /// The key as written (for a dotted TOML key, the last segment).
    pub key_span: Span,
    /// The value.
    pub value: Node,
}

/// A syntax error found by a front-end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// Where.
    pub span: Span,
    /// What, as a sentence fragment ("expected `]`").
    pub message: String,
    /// An optional hint.
    pub help: Option<String>,
}

/// The result of parsing one file: the tree (as much as could be recovered) and the errors.
#[derive(Clone, Debug, PartialEq)]
pub struct SyntaxTree {
    /// The document root; a table unless the file is not a table at all.
    pub root: Node,
    /// Syntax errors, in source order.
    pub errors: Vec<SyntaxError>,
}

/// The deepest nesting the front-ends accept; deeper input is a syntax error, not a stack overflow.
pub const MAX_DEPTH: usize = 128;

impl Node {
    /// A node.
    pub fn new(span: Span, kind: NodeKind) -> Node {
        Node { span, kind }
    }

    /// The entries if this is a table.
    pub fn as_table(&self) -> Option<&[Entry]> {
        match &self.kind {
            NodeKind::Table(entries) => Some(entries),
            _ => None,
        }
    }

    /// The string if this is one.
    pub fn as_str(&self) -> Option<&Str> {
        match &self.kind {
            NodeKind::String(s) => Some(s),
            _ => None,
        }
    }

    /// The value of the first entry named `key`, if this is a table.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_table()?
            .iter()
            .find(|e| e.key == key)
            .map(|e| &e.value)
    }

    /// A copy without positions (every span empty at 0, no verbatim offsets), so two
    /// texts that differ only in layout give equal copies. (Recursion is bounded: the
    /// front-ends cap nesting at `MAX_DEPTH`.)
    pub fn without_positions(&self) -> Node {
        let none = Span::new(0, 0);
        let kind = match &self.kind {
            NodeKind::Table(entries) => NodeKind::Table(
                entries
                    .iter()
                    .map(|e| Entry {
                        key: e.key.clone(),
                        key_span: none,
                        value: e.value.without_positions(),
                    })
                    .collect(),
            ),
            NodeKind::Array(items) => {
                NodeKind::Array(items.iter().map(Node::without_positions).collect())
            }
            NodeKind::String(s) => NodeKind::String(Str::new(s.value.clone(), None)),
            other => other.clone(),
        };
        Node { span: none, kind }
    }

    /// Move every position in this subtree `delta` bytes later (a subtree parsed from a
    /// chunk of the file that starts at `delta`).
    pub fn shift(&mut self, delta: u32) {
        self.span = self.span.shifted(delta);
        match &mut self.kind {
            NodeKind::Table(entries) => {
                for e in entries {
                    e.key_span = e.key_span.shifted(delta);
                    e.value.shift(delta);
                }
            }
            NodeKind::Array(items) => {
                for item in items {
                    item.shift(delta);
                }
            }
            NodeKind::String(s) => {
                if let Some(at) = &mut s.verbatim_at {
                    *at = at.saturating_add(delta);
                }
            }
            _ => {}
        }
    }

    /// A human name for the kind of value ("a string", "a table", ...).
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            NodeKind::Table(_) => "a table",
            NodeKind::Array(_) => "an array",
            NodeKind::String(_) => "a string",
            NodeKind::Integer(_) => "an integer",
            NodeKind::Float(_) => "a float",
            NodeKind::Bool(_) => "a boolean",
            NodeKind::Datetime(_) => "a date-time",
            NodeKind::Null => "null",
            NodeKind::Invalid => "an invalid value",
        }
    }
}

impl Str {
    /// A string whose source spelling is known to equal its value from `verbatim_at`.
    pub fn new(value: String, verbatim_at: Option<u32>) -> Str {
        Str { value, verbatim_at }
    }

    /// A string whose verbatim position is found by looking for the value inside
    /// `raw` (the source text of the whole scalar, which starts at `raw_start`).
    pub fn locate(value: String, raw: &str, raw_start: usize) -> Str {
        let verbatim_at = if value.is_empty() {
            None
        } else {
            // The value nearly always starts the raw text, or follows the newline a
            // multi-line string trims: try those offsets (in order, so the result is
            // `find`'s) before a full substring search, which is costly for long values.
            (0..=2)
                .find(|&i| raw.get(i..).is_some_and(|r| r.starts_with(value.as_str())))
                .or_else(|| raw.find(value.as_str()))
                .map(|i| u32::try_from(raw_start + i).unwrap_or(u32::MAX))
        };
        Str { value, verbatim_at }
    }

    /// The source span of `value[rel_start..rel_end]`, or `whole` when the value
    /// is not spelled verbatim in the source.
    pub fn sub_span(&self, whole: Span, rel_start: usize, rel_end: usize) -> Span {
        match self.verbatim_at {
            Some(at) => Span::new(at as usize + rel_start, at as usize + rel_end),
            None => whole,
        }
    }
}
