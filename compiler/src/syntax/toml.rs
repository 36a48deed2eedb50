//! The TOML front-end: `toml_parser`'s error-recovering event stream -> [`SyntaxTree`].
//!
//! `toml_parser` lexes and parses with recovery but leaves TOML's table semantics
//! (headers, dotted keys, arrays of tables, duplicates) to its user; that logic is here.

use super::tree::{Entry, MAX_DEPTH, Node, NodeKind, Str, SyntaxError, SyntaxTree};
use crate::source::Span;
use std::collections::HashMap;
use toml_parser::decoder::{Encoding, ScalarKind};
use toml_parser::parser::EventReceiver;
use toml_parser::{ErrorSink, ParseError, Source};

/// Parse TOML text. Never panics; recovers after errors.
pub(crate) fn parse(text: &str) -> SyntaxTree {
    let source = Source::new(text);
    let tokens = source.lex().into_vec();
    let mut builder = Builder::new(source);
    let mut errors: Vec<ParseError> = Vec::new();
    toml_parser::parser::parse_document(&tokens, &mut builder, &mut errors);
    builder.finish(text, errors)
}

/// How a table came to exist; TOML forbids redefining some of them.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Origin {
    /// Created as the parent of a header or dotted key.
    Implicit,
    /// `[header]`.
    Header,
    /// `a.b = 1` created `a`.
    Dotted,
    /// `{ ... }`; closed to later additions.
    Inline,
}

#[derive(Debug)]
struct Table {
    span: Span,
    origin: Origin,
    entries: Vec<(String, Span, Value)>,
    /// Key -> entry, built once a table is big enough that a scan would cost more
    /// than hashing (most formula tables hold a handful of keys).
    index: Option<HashMap<String, usize>>,
}

/// Tables with more entries than this get a hash index.
const SCAN_LIMIT: usize = 12;

#[derive(Debug)]
enum Value {
    Table(Table),
    /// `of_tables`: built by `[[header]]`, so headers may append to it.
    Array {
        span: Span,
        items: Vec<Value>,
        of_tables: bool,
    },
    Scalar(Node),
}

impl Table {
    fn new(span: Span, origin: Origin) -> Table {
        Table {
            span,
            origin,
            entries: Vec::new(),
            index: None,
        }
    }

    fn position(&self, key: &str) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(key).copied(),
            None => self.entries.iter().position(|e| e.0 == key),
        }
    }

    fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        let i = self.position(key)?;
        self.entries.get_mut(i).map(|e| &mut e.2)
    }

    fn insert(&mut self, key: String, span: Span, value: Value) -> &mut Value {
        let i = self.entries.len();
        match &mut self.index {
            Some(index) => {
                index.insert(key.clone(), i);
            }
            None if i >= SCAN_LIMIT => {
                let mut index: HashMap<String, usize> = self
                    .entries
                    .iter()
                    .enumerate()
                    .map(|(j, e)| (e.0.clone(), j))
                    .collect();
                index.insert(key.clone(), i);
                self.index = Some(index);
            }
            None => {}
        }
        self.entries.push((key, span, value));
        &mut self.entries[i].2
    }

    /// The entry at `key`, created by `make` when missing; its index.
    fn entry(&mut self, key: &str, span: Span, make: impl FnOnce() -> Value) -> usize {
        match self.position(key) {
            Some(i) => i,
            None => {
                self.insert(key.to_owned(), span, make());
                self.entries.len() - 1
            }
        }
    }
}

/// A nested value being built inside a key-value: an array or an inline table.
#[derive(Debug)]
enum Frame {
    Array {
        span: Span,
        items: Vec<Value>,
    },
    Inline {
        table: Table,
        keys: Vec<(String, Span)>,
    },
}

struct Builder<'s> {
    source: Source<'s>,
    root: Table,
    /// Path of the table that key-values go into (headers reset it).
    current: Vec<(String, Span)>,
    /// Keys collected for the header or key-value being parsed.
    keys: Vec<(String, Span)>,
    header: Option<(bool, Span)>,
    frames: Vec<Frame>,
    /// Whether the nesting-depth error has been reported.
    skipped_depth: bool,
    /// After a key that nests too deep: ignore events up to the next table header.
    halted: bool,
    errors: Vec<SyntaxError>,
}

impl<'s> Builder<'s> {
    fn new(source: Source<'s>) -> Builder<'s> {
        let len = source.input().len();
        Builder {
            source,
            root: Table::new(Span::new(0, len), Origin::Header),
            current: Vec::new(),
            keys: Vec::new(),
            header: None,
            frames: Vec::new(),
            skipped_depth: false,
            halted: false,
            errors: Vec::new(),
        }
    }

    fn error(&mut self, span: Span, message: impl Into<String>, help: Option<String>) {
        self.errors.push(SyntaxError {
            span,
            message: message.into(),
            help,
        });
    }

    fn decode_key(&mut self, span: toml_parser::Span, encoding: Option<Encoding>) -> String {
        let raw = toml_parser::Raw::new_unchecked(
            self.source
                .input()
                .get(span.start()..span.end())
                .unwrap_or_default(),
            encoding,
            span,
        );
        let mut out = String::new();
        let mut errs: Vec<ParseError> = Vec::new();
        raw.decode_key(&mut out, &mut errs);
        self.convert_errors(errs);
        out
    }

    fn decode_scalar(&mut self, span: toml_parser::Span, encoding: Option<Encoding>) -> Node {
        let text = self
            .source
            .input()
            .get(span.start()..span.end())
            .unwrap_or_default();
        let raw = toml_parser::Raw::new_unchecked(text, encoding, span);
        let mut out = String::new();
        let mut errs: Vec<ParseError> = Vec::new();
        let kind = raw.decode_scalar(&mut out, &mut errs);
        let had_errors = !errs.is_empty();
        self.convert_errors(errs);
        let nspan = Span::new(span.start(), span.end());
        if had_errors {
            return Node::new(nspan, NodeKind::Invalid);
        }
        let kind = match kind {
            ScalarKind::String => {
                let quote = match encoding {
                    Some(Encoding::MlBasicString | Encoding::MlLiteralString) => 3,
                    _ => 1,
                };
                let body = text.get(quote..).unwrap_or_default();
                let escaped = matches!(
                    encoding,
                    Some(Encoding::BasicString | Encoding::MlBasicString)
                ) && body.contains('\\');
                if escaped {
                    NodeKind::String(Str::new(out, None))
                } else {
                    NodeKind::String(Str::locate(out, body, span.start() + quote))
                }
            }
            ScalarKind::Boolean(b) => NodeKind::Bool(b),
            ScalarKind::DateTime => NodeKind::Datetime(text.to_owned()),
            ScalarKind::Float => match out.parse::<f64>() {
                Ok(f) => NodeKind::Float(f),
                Err(_) => {
                    self.error(nspan, format!("invalid float `{text}`"), None);
                    NodeKind::Invalid
                }
            },
            ScalarKind::Integer(radix) => {
                match i64::from_str_radix(out.trim_start_matches('+'), radix.value()) {
                    Ok(i) => NodeKind::Integer(i),
                    Err(_) => {
                        self.error(
                            nspan,
                            format!("integer `{text}` does not fit in 64 bits"),
                            None,
                        );
                        NodeKind::Invalid
                    }
                }
            }
        };
        Node::new(nspan, kind)
    }

    fn convert_errors(&mut self, errs: Vec<ParseError>) {
        for e in errs {
            let span = e
                .unexpected()
                .or(e.context())
                .map(|s| Span::new(s.start(), s.end()))
                .unwrap_or_default();
            let mut message = e.description().to_owned();
            let help = e.expected().filter(|x| !x.is_empty()).map(|expected| {
                let list: Vec<String> = expected
                    .iter()
                    .map(|x| match x {
                        toml_parser::Expected::Literal(l) => format!("`{l}`"),
                        toml_parser::Expected::Description(d) => (*d).to_owned(),
                        _ => String::from("something else"),
                    })
                    .collect();
                format!("expected {}", list.join(", "))
            });
            if message.is_empty() {
                message = String::from("invalid TOML");
            }
            self.error(span, message, help);
        }
    }

    /// Walk from the root along `path`, creating implicit tables; the last element
    /// of an array of tables stands for the array. `None` when a value blocks the way
    /// (the error is reported).
    fn table_at(&mut self, path: &[(String, Span)], create: Origin) -> Option<&mut Table> {
        let mut table = &mut self.root;
        for (key, span) in path {
            let i = table.entry(key, *span, || Value::Table(Table::new(*span, create)));
            let next = match &mut table.entries[i].2 {
                Value::Table(t) if t.origin != Origin::Inline => Some(t),
                Value::Array {
                    items,
                    of_tables: true,
                    ..
                } => match items.last_mut() {
                    Some(Value::Table(t)) => Some(t),
                    _ => None,
                },
                _ => None,
            };
            match next {
                Some(t) => table = t,
                None => {
                    self.errors.push(SyntaxError {
                        span: *span,
                        message: format!("`{key}` is already a value and cannot hold keys"),
                        help: Some(String::from("a key can be defined only once")),
                    });
                    return None;
                }
            }
        }
        Some(table)
    }

    fn open_header(&mut self, array: bool, header_span: Span) {
        let keys = std::mem::take(&mut self.keys);
        let Some(((last, last_span), prefix)) = keys.split_last() else {
            self.current = keys;
            return;
        };
        let (last, last_span) = (last.clone(), *last_span);
        let dotted = || {
            keys.iter()
                .map(|k| k.0.as_str())
                .collect::<Vec<_>>()
                .join(".")
        };
        let mut problem = None;
        if let Some(parent) = self.table_at(prefix, Origin::Implicit) {
            match (parent.get_mut(&last), array) {
                (None, false) => {
                    parent.insert(
                        last,
                        last_span,
                        Value::Table(Table::new(header_span, Origin::Header)),
                    );
                }
                (None, true) => {
                    parent.insert(
                        last,
                        last_span,
                        Value::Array {
                            span: header_span,
                            items: vec![Value::Table(Table::new(header_span, Origin::Header))],
                            of_tables: true,
                        },
                    );
                }
                (Some(Value::Table(t)), false) if t.origin == Origin::Implicit => {
                    t.origin = Origin::Header;
                    t.span = header_span;
                }
                (Some(Value::Table(_)), false) => {
                    problem = Some(format!("table `[{}]` is defined more than once", dotted()));
                }
                (
                    Some(Value::Array {
                        items,
                        of_tables: true,
                        ..
                    }),
                    true,
                ) => {
                    items.push(Value::Table(Table::new(header_span, Origin::Header)));
                }
                (Some(_), true) => {
                    problem = Some(format!(
                        "`{}` is already a value, not an array of tables",
                        dotted()
                    ));
                }
                (Some(_), false) => {
                    problem = Some(format!("`{}` is already a value, not a table", dotted()));
                }
            }
        }
        if let Some(p) = problem {
            self.error(
                last_span,
                p,
                Some(String::from(
                    "each table header may appear once; use `[[...]]` for a list of tables",
                )),
            );
        }
        self.current = keys;
    }

    /// Put a finished value where the parser is: into the enclosing array or inline
    /// table, or at the collected key path of the current table.
    fn deliver(&mut self, value: Value) {
        match self.frames.last_mut() {
            Some(Frame::Array { items, .. }) => items.push(value),
            Some(Frame::Inline { table, keys }) => {
                let keys = std::mem::take(keys);
                let mut errors = Vec::new();
                insert_path(table, &keys, value, &mut errors);
                self.errors.extend(errors);
            }
            None => {
                let keys = std::mem::take(&mut self.keys);
                if keys.is_empty() {
                    return;
                }
                let current = std::mem::take(&mut self.current);
                let mut errors = Vec::new();
                if let Some(table) = self.table_at(&current, Origin::Implicit) {
                    insert_path(table, &keys, value, &mut errors);
                }
                self.current = current;
                self.keys = keys;
                self.keys.clear();
                self.errors.extend(errors);
            }
        }
    }

    fn finish(mut self, text: &str, parse_errors: Vec<ParseError>) -> SyntaxTree {
        // Close whatever an error left open.
        while let Some(frame) = self.frames.pop() {
            let value = frame_value(frame, text.len());
            self.deliver(value);
        }
        self.convert_errors(parse_errors);
        let mut errors = self.errors;
        errors.sort_by_key(|e| (e.span.start, e.span.end));
        errors.dedup();
        SyntaxTree {
            root: table_node(self.root),
            errors,
        }
    }
}

fn frame_value(frame: Frame, end: usize) -> Value {
    match frame {
        Frame::Array { span, items } => Value::Array {
            span: Span::new(span.start(), end.max(span.start())),
            items,
            of_tables: false,
        },
        Frame::Inline { table, .. } => Value::Table(table),
    }
}

/// Insert `value` at the dotted `keys` under `table`, creating dotted tables.
fn insert_path(
    table: &mut Table,
    keys: &[(String, Span)],
    value: Value,
    errors: &mut Vec<SyntaxError>,
) {
    let Some(((last, last_span), prefix)) = keys.split_last() else {
        return;
    };
    let mut table = table;
    for (key, span) in prefix {
        let i = table.entry(key, *span, || {
            Value::Table(Table::new(*span, Origin::Dotted))
        });
        match &mut table.entries[i].2 {
            Value::Table(t) if t.origin != Origin::Inline => table = t,
            _ => {
                errors.push(SyntaxError {
                    span: *span,
                    message: format!("`{key}` is already a value and cannot hold keys"),
                    help: None,
                });
                return;
            }
        }
    }
    if table.position(last).is_some() {
        errors.push(SyntaxError {
            span: *last_span,
            message: format!("duplicate key `{last}`"),
            help: Some(String::from(
                "a key may be defined only once per table; remove or rename one",
            )),
        });
        return;
    }
    table.insert(last.clone(), *last_span, value);
}

fn table_node(table: Table) -> Node {
    let entries = table
        .entries
        .into_iter()
        .map(|(key, key_span, value)| Entry {
            key,
            key_span,
            value: value_node(value),
        })
        .collect();
    Node::new(table.span, NodeKind::Table(entries))
}

fn value_node(value: Value) -> Node {
    match value {
        Value::Table(t) => table_node(t),
        Value::Array { span, items, .. } => Node::new(
            span,
            NodeKind::Array(items.into_iter().map(value_node).collect()),
        ),
        Value::Scalar(node) => node,
    }
}

fn span_of(s: toml_parser::Span) -> Span {
    Span::new(s.start(), s.end())
}

impl EventReceiver for Builder<'_> {
    fn std_table_open(&mut self, span: toml_parser::Span, _error: &mut dyn ErrorSink) {
        self.halted = false;
        self.abandon_value();
        self.keys.clear();
        self.header = Some((false, span_of(span)));
    }

    fn std_table_close(&mut self, span: toml_parser::Span, _error: &mut dyn ErrorSink) {
        if self.halted {
            return;
        }
        if let Some((array, open)) = self.header.take() {
            self.open_header(array, open.cover(span_of(span)));
        }
    }

    fn array_table_open(&mut self, span: toml_parser::Span, _error: &mut dyn ErrorSink) {
        self.halted = false;
        self.abandon_value();
        self.keys.clear();
        self.header = Some((true, span_of(span)));
    }

    fn array_table_close(&mut self, span: toml_parser::Span, _error: &mut dyn ErrorSink) {
        if self.halted {
            return;
        }
        if let Some((array, open)) = self.header.take() {
            self.open_header(array, open.cover(span_of(span)));
        }
    }

    fn inline_table_open(&mut self, span: toml_parser::Span, _error: &mut dyn ErrorSink) -> bool {
        if self.halted {
            return false;
        }
        if self.depth() >= MAX_DEPTH {
            self.too_deep(span);
            return false;
        }
        self.frames.push(Frame::Inline {
            table: Table::new(span_of(span), Origin::Inline),
            keys: Vec::new(),
        });
        true
    }

    fn inline_table_close(&mut self, span: toml_parser::Span, _error: &mut dyn ErrorSink) {
        if self.halted {
            return;
        }
        if let Some(Frame::Inline { mut table, .. }) = self.frames.pop() {
            table.span = table.span.cover(span_of(span));
            self.deliver(Value::Table(table));
        }
    }

    fn array_open(&mut self, span: toml_parser::Span, _error: &mut dyn ErrorSink) -> bool {
        if self.halted {
            return false;
        }
        if self.depth() >= MAX_DEPTH {
            self.too_deep(span);
            return false;
        }
        self.frames.push(Frame::Array {
            span: span_of(span),
            items: Vec::new(),
        });
        true
    }

    fn array_close(&mut self, span: toml_parser::Span, _error: &mut dyn ErrorSink) {
        if self.halted {
            return;
        }
        if let Some(Frame::Array { span: open, items }) = self.frames.pop() {
            self.deliver(Value::Array {
                span: open.cover(span_of(span)),
                items,
                of_tables: false,
            });
        }
    }

    fn simple_key(
        &mut self,
        span: toml_parser::Span,
        kind: Option<Encoding>,
        _error: &mut dyn ErrorSink,
    ) {
        if self.halted {
            return;
        }
        if self.depth() >= MAX_DEPTH {
            // Dotted keys and header paths nest tables too: without this bound,
            // `a.a.a...` 100 000 times deep overflows the stack when the tree is built.
            self.too_deep(span);
            self.halt();
            return;
        }
        let key = self.decode_key(span, kind);
        let entry = (key, span_of(span));
        match self.frames.last_mut() {
            Some(Frame::Inline { keys, .. }) => keys.push(entry),
            _ => self.keys.push(entry),
        }
    }

    fn scalar(
        &mut self,
        span: toml_parser::Span,
        kind: Option<Encoding>,
        _error: &mut dyn ErrorSink,
    ) {
        if self.halted {
            return;
        }
        let node = self.decode_scalar(span, kind);
        self.deliver(Value::Scalar(node));
    }

    fn newline(&mut self, _span: toml_parser::Span, _error: &mut dyn ErrorSink) {
        // A key-value ends at the line end; if its value never came, forget its keys
        // so the next line starts clean.
        if self.frames.is_empty() && self.header.is_none() && !self.halted {
            self.keys.clear();
        }
    }
}

impl Builder<'_> {
    fn abandon_value(&mut self) {
        while let Some(frame) = self.frames.pop() {
            let end = match &frame {
                Frame::Array { span, .. } => span.end(),
                Frame::Inline { table, .. } => table.span.end(),
            };
            let value = frame_value(frame, end);
            self.deliver(value);
        }
    }

    /// How deep the next key or value would sit below the root: the header path and the
    /// dotted keys of the key-value, plus each open array or inline table and its keys.
    fn depth(&self) -> usize {
        let frames: usize = self
            .frames
            .iter()
            .map(|f| match f {
                Frame::Array { .. } => 1,
                Frame::Inline { keys, .. } => 1 + keys.len(),
            })
            .sum();
        if self.header.is_some() {
            self.keys.len()
        } else {
            self.current.len() + self.keys.len() + frames
        }
    }

    /// Drop the key-value or header being parsed and ignore events up to the next header.
    fn halt(&mut self) {
        self.halted = true;
        self.frames.clear();
        self.keys.clear();
        self.header = None;
    }

    fn too_deep(&mut self, span: toml_parser::Span) {
        if !self.skipped_depth {
            self.skipped_depth = true;
            self.error(
                span_of(span),
                format!("nesting deeper than {MAX_DEPTH} levels"),
                Some(String::from(
                    "flatten the value; formulas never need this depth",
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests;
