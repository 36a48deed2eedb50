//! The YAML front-end: `saphyr-parser`'s event stream -> [`SyntaxTree`].
//!
//! Scalars resolve by the YAML 1.2 core schema; a file holds one document; aliases
//! are expanded by copying the anchored node, within a budget so alias bombs end fast.
//!
//! Notes on the library (0.3):
//! - A [`Marker`]'s index counts characters, not bytes; [`Positions`] maps it to bytes.
//! - Directive names and parameters (`%FOO é`) advance that index by bytes, so after a
//!   non-ASCII directive it runs ahead; the explicit document start recalibrates it.
//! - A quoted scalar's span runs on over trailing blanks and a comment, so the closing
//!   quote is found here; a block scalar's span starts at its first content line, so
//!   the `|` / `>` indicator is found here.
//! - Flow nesting stops at 255 levels with "recursion limit exceeded"; block nesting is
//!   unbounded but iterative, and the tree here is built without recursion.
//! - It stops at the first error, so an invalid file yields one error and a partial tree.

use super::tree::{Entry, MAX_DEPTH, Node, NodeKind, SyntaxError, SyntaxTree};
use crate::source::Span;
use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Tag};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

/// How many nodes anchors and alias expansions may copy in all, so a "billion
/// laughs" file costs a bounded amount of time and memory.
mod positions;
mod scalar;

use positions::Positions;
use scalar::scalar_kind;

const ALIAS_BUDGET: usize = 1_000_000;

/// Mappings with at least this many entries check duplicate keys with a hash set.
const KEY_SET_THRESHOLD: usize = 16;

/// Parse YAML text. Never panics; stops at the first syntax error.
pub(crate) fn parse(text: &str) -> SyntaxTree {
    let mut builder = Builder::new(text);
    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut parser = Parser::new_from_str(text);
        while let Some(item) = parser.next_event() {
            match item {
                Ok((event, span)) => {
                    if !builder.event(event, span) {
                        break;
                    }
                }
                Err(error) => {
                    builder.scan_error(&error);
                    break;
                }
            }
        }
    }));
    if run.is_err() {
        let at = builder.last_end;
        builder.error(
            Span::at(at),
            String::from("the YAML parser failed on this file (internal error)"),
            None,
        );
    }
    builder.finish()
}

/// What an anchor refers to.
enum Anchor {
    /// A copy of the anchored node, its node count and its nesting height.
    Node(Node, usize, usize),
    /// Inside a part skipped for nesting too deep (already reported).
    TooDeep,
    /// Too large to copy within the alias budget.
    TooLarge,
}

/// What a mapping expects next.
enum Pending {
    /// A key.
    Key,
    /// The value of this key.
    Value(String, Span),
    /// A value to drop (its key was a duplicate or not a scalar).
    Discard,
}

struct MapFrame {
    entries: Vec<Entry>,
    pending: Pending,
    /// The keys so far, once the mapping is large enough to need a set.
    seen: Option<HashSet<String>>,
}

enum FrameKind {
    Seq(Vec<Node>),
    Map(MapFrame),
}

/// An open sequence or mapping.
struct Frame {
    start: usize,
    /// The end of the furthest child so far.
    end: usize,
    anchor: usize,
    /// Nodes in this subtree, itself included.
    size: usize,
    /// Nesting height: 1 + the height of the highest child container.
    height: usize,
    kind: FrameKind,
}

/// A part being skipped because it nests too deep.
struct Skip {
    /// Open collections inside the skipped part, the skipped one included.
    depth: usize,
    start: usize,
}

struct Builder<'t> {
    text: &'t str,
    positions: Positions<'t>,
    errors: Vec<SyntaxError>,
    stack: Vec<Frame>,
    root: Option<Node>,
    documents: usize,
    anchors: HashMap<usize, Anchor>,
    /// Whether anchors need copies at all: no `*` in the text means no aliases.
    keep_anchors: bool,
    budget: usize,
    depth_reported: bool,
    bomb_reported: bool,
    skip: Option<Skip>,
    /// The end of the last event that consumed source text.
    last_end: usize,
}

impl<'t> Builder<'t> {
    fn new(text: &'t str) -> Builder<'t> {
        Builder {
            text,
            positions: Positions::new(text),
            errors: Vec::new(),
            stack: Vec::new(),
            root: None,
            documents: 0,
            anchors: HashMap::new(),
            keep_anchors: text.contains('*'),
            budget: ALIAS_BUDGET,
            depth_reported: false,
            bomb_reported: false,
            skip: None,
            last_end: 0,
        }
    }

    fn error(&mut self, span: Span, message: String, help: Option<String>) {
        self.errors.push(SyntaxError {
            span,
            message,
            help,
        });
    }

    /// The span of the character at byte `at` (empty at the end of the text).
    fn point(&self, at: usize) -> Span {
        let len = self
            .text
            .get(at..)
            .and_then(|rest| rest.chars().next())
            .map_or(0, char::len_utf8);
        Span::new(at, at + len)
    }

    fn too_deep(&mut self, span: Span) {
        if !self.depth_reported {
            self.depth_reported = true;
            self.error(
                span,
                format!("nesting deeper than {MAX_DEPTH} levels"),
                Some(String::from(
                    "flatten the value; formulas never need this depth",
                )),
            );
        }
    }

    fn alias_bomb(&mut self, span: Span) {
        if !self.bomb_reported {
            self.bomb_reported = true;
            self.error(
                span,
                String::from("alias expansion too large (possible alias bomb)"),
                Some(format!(
                    "aliases may copy at most {ALIAS_BUDGET} values in all; write the data out instead"
                )),
            );
        }
    }

    /// Handle one event; `false` stops parsing.
    fn event(&mut self, event: Event<'_>, span: saphyr_parser::Span) -> bool {
        if let Event::DocumentStart(explicit) = event {
            return self.document_start(explicit, span);
        }
        let start = self.positions.byte(span.start);
        let end = self.positions.byte(span.end).max(start);
        match event {
            Event::Scalar(value, style, anchor, tag) => {
                self.scalar(value, style, anchor, tag.as_deref(), start, end);
            }
            Event::SequenceStart(anchor, _) => {
                self.open(FrameKind::Seq(Vec::new()), anchor, start, end)
            }
            Event::MappingStart(anchor, _) => self.open(
                FrameKind::Map(MapFrame {
                    entries: Vec::new(),
                    pending: Pending::Key,
                    seen: None,
                }),
                anchor,
                start,
                end,
            ),
            Event::SequenceEnd | Event::MappingEnd => self.close(start, end),
            Event::Alias(id) => self.alias(id, start, end),
            Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart(_)
            | Event::DocumentEnd
            | Event::Nothing => {}
        }
        self.last_end = self.last_end.max(end);
        true
    }

    fn document_start(&mut self, explicit: bool, span: saphyr_parser::Span) -> bool {
        self.documents += 1;
        if explicit && self.documents == 1 {
            self.positions.calibrate(span.start);
        }
        let start = self.positions.byte(span.start);
        if self.documents > 1 {
            // An implicit start's span is the whole first token of the document.
            let span = if explicit {
                Span::new(start, self.positions.byte(span.end))
            } else {
                self.point(start)
            };
            self.error(
                span,
                String::from("a formula file holds one YAML document"),
                Some(String::from(
                    "remove this document or move it into a file of its own",
                )),
            );
            return false;
        }
        if explicit {
            self.last_end = self.last_end.max(self.positions.byte(span.end));
        }
        true
    }

    /// Whether the next node is a mapping key.
    fn expecting_key(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame {
                kind: FrameKind::Map(MapFrame {
                    pending: Pending::Key,
                    ..
                }),
                ..
            })
        )
    }

    fn scalar(
        &mut self,
        value: Cow<'_, str>,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<&Tag>,
        start: usize,
        end: usize,
    ) {
        if self.skip.is_some() {
            self.mark_anchor(anchor, Anchor::TooDeep);
            return;
        }
        if self.stack.is_empty()
            && value.is_empty()
            && style == ScalarStyle::Plain
            && tag.is_none()
            && anchor == 0
        {
            // `---` with nothing after it: an empty document.
            self.attach(Node::new(Span::at(0), NodeKind::Table(Vec::new())), 1, 0);
            return;
        }
        let (span, verbatim) = self.scalar_extent(&value, style, start, end);
        if self.expecting_key() {
            if anchor != 0 {
                let node = Node::new(span, scalar_kind(value.clone(), style, tag, verbatim));
                self.store_anchor(anchor, &node, 1, 0);
            }
            self.set_key(value.into_owned(), span);
        } else {
            let node = Node::new(span, scalar_kind(value, style, tag, verbatim));
            if anchor != 0 {
                self.store_anchor(anchor, &node, 1, 0);
            }
            self.attach(node, 1, 0);
        }
    }

    /// A scalar's span (its properties and the scalar proper, without what the library
    /// adds after it) and where its value appears verbatim.
    fn scalar_extent(
        &self,
        value: &str,
        style: ScalarStyle,
        start: usize,
        end: usize,
    ) -> (Span, Option<u32>) {
        let text = self.text;
        let bytes = text.as_bytes();
        let offset = |at: usize| u32::try_from(at).ok();
        match style {
            ScalarStyle::Plain => {
                // A plain scalar ends at its last character; folded lines differ from the value.
                let at = end.checked_sub(value.len()).filter(|&at| at >= start);
                let verbatim =
                    at.filter(|&at| !value.is_empty() && text.get(at..end) == Some(value));
                (Span::new(start, end), verbatim.and_then(offset))
            }
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                let quote = if style == ScalarStyle::SingleQuoted {
                    b'\''
                } else {
                    b'"'
                };
                // Properties (`&a`, `!t`) hold no blanks, so the scalar is the first quote
                // at the start or after a blank.
                let open = (start..end).find(|&i| {
                    bytes.get(i) == Some(&quote)
                        && (i == start
                            || matches!(
                                bytes.get(i.wrapping_sub(1)),
                                Some(b' ' | b'\t' | b'\n' | b'\r')
                            ))
                });
                let Some(open) = open else {
                    return (Span::new(start, end), None);
                };
                let Some(close) = closing_quote(bytes, open + 1, end, quote) else {
                    return (Span::new(start, end), None);
                };
                let verbatim = (text.get(open + 1..close) == Some(value))
                    .then(|| offset(open + 1))
                    .flatten();
                (Span::new(start, close + 1), verbatim)
            }
            ScalarStyle::Literal | ScalarStyle::Folded => {
                let from = self.last_end.min(start);
                let indicator = block_indicator(bytes, from, end);
                let span_start = indicator.map_or(start, |i| i.min(start));
                // Content starts on the line after the header.
                let content = match indicator {
                    Some(i) => bytes
                        .get(i..end)
                        .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
                        .map_or(end, |p| i + p + 1)
                        .max(start),
                    None => start,
                };
                let verbatim = text
                    .get(content..end)
                    .filter(|_| !value.is_empty())
                    .and_then(|raw| raw.find(value))
                    .and_then(|i| offset(content + i));
                // The library's span runs on over the trailing blank lines; trim them,
                // but keep the value's visible part inside the span.
                let floor = indicator
                    .map_or(start, |i| i + 1)
                    .max(verbatim.map_or(0, |at| at as usize + value.trim_end().len()));
                let mut span_end = end;
                while span_end > floor
                    && matches!(bytes.get(span_end - 1), Some(b' ' | b'\t' | b'\n' | b'\r'))
                {
                    span_end -= 1;
                }
                (Span::new(span_start, span_end), verbatim)
            }
        }
    }

    fn open(&mut self, kind: FrameKind, anchor: usize, start: usize, end: usize) {
        if let Some(skip) = &mut self.skip {
            skip.depth += 1;
            self.mark_anchor(anchor, Anchor::TooDeep);
            return;
        }
        if self.stack.len() >= MAX_DEPTH {
            let span = if end > start {
                Span::new(start, end)
            } else {
                self.point(start)
            };
            self.too_deep(span);
            self.skip = Some(Skip { depth: 1, start });
            self.mark_anchor(anchor, Anchor::TooDeep);
            return;
        }
        self.stack.push(Frame {
            start,
            end,
            anchor,
            size: 1,
            height: 1,
            kind,
        });
    }

    fn close(&mut self, start: usize, end: usize) {
        if let Some(skip) = &mut self.skip {
            skip.depth -= 1;
            if skip.depth == 0 {
                let from = skip.start;
                self.skip = None;
                self.attach(Node::new(Span::new(from, end), NodeKind::Invalid), 1, 0);
            }
            return;
        }
        // A flow collection's end event covers its `]` / `}`; a block collection ends
        // with its last child.
        let bracket =
            end == start + 1 && matches!(self.text.as_bytes().get(start), Some(b']' | b'}'));
        if let Some(frame) = self.stack.pop() {
            self.finish_frame(frame, bracket.then_some(end));
        }
    }

    fn finish_frame(&mut self, frame: Frame, closing: Option<usize>) {
        let end = closing.unwrap_or(frame.end).max(frame.end).max(frame.start);
        let kind = match frame.kind {
            FrameKind::Seq(items) => NodeKind::Array(items),
            FrameKind::Map(map) => NodeKind::Table(map.entries),
        };
        let node = Node::new(Span::new(frame.start, end), kind);
        if frame.anchor != 0 {
            self.store_anchor(frame.anchor, &node, frame.size, frame.height);
        }
        self.attach(node, frame.size, frame.height);
    }

    fn alias(&mut self, id: usize, start: usize, end: usize) {
        if self.skip.is_some() {
            return;
        }
        let span = Span::new(start, end);
        let depth = self.stack.len();
        let copy = match self.anchors.get(&id) {
            Some(Anchor::Node(node, size, height)) => {
                if depth + height > MAX_DEPTH {
                    Err(Some(false))
                } else if *size > self.budget {
                    Err(Some(true))
                } else {
                    Ok((node.clone(), *size, *height))
                }
            }
            Some(Anchor::TooDeep) => Err(None),
            Some(Anchor::TooLarge) => Err(Some(true)),
            None => {
                // The library checks names, so the anchor is on a node still open around us.
                let name = self.text.get(start..end).unwrap_or("*");
                self.error(
                    span,
                    format!("alias `{name}` refers to a node that contains it"),
                    Some(String::from("a value cannot contain itself")),
                );
                Err(None)
            }
        };
        let (node, size, height) = match copy {
            Ok((mut node, size, height)) => {
                self.budget -= size;
                node.span = span;
                if let NodeKind::String(s) = &mut node.kind {
                    s.verbatim_at = None;
                }
                (node, size, height)
            }
            Err(problem) => {
                match problem {
                    Some(true) => self.alias_bomb(span),
                    Some(false) => self.too_deep(span),
                    None => {}
                }
                (Node::new(span, NodeKind::Invalid), 1, 0)
            }
        };
        if self.expecting_key() {
            let key = match &node.kind {
                NodeKind::String(s) => Some(s.value.clone()),
                NodeKind::Integer(i) => Some(i.to_string()),
                NodeKind::Float(f) => Some(f.to_string()),
                NodeKind::Bool(b) => Some(b.to_string()),
                NodeKind::Null => Some(String::from("null")),
                NodeKind::Datetime(d) => Some(d.clone()),
                NodeKind::Table(_) | NodeKind::Array(_) | NodeKind::Invalid => None,
            };
            if let Some(key) = key {
                self.set_key(key, span);
                return;
            }
        }
        self.attach(node, size, height);
    }

    /// Remember a copy of an anchored node for its aliases.
    fn store_anchor(&mut self, id: usize, node: &Node, size: usize, height: usize) {
        if !self.keep_anchors {
            return;
        }
        let anchor = if size > self.budget {
            Anchor::TooLarge
        } else {
            self.budget -= size;
            Anchor::Node(node.clone(), size, height)
        };
        self.anchors.insert(id, anchor);
    }

    fn mark_anchor(&mut self, id: usize, anchor: Anchor) {
        if id != 0 && self.keep_anchors {
            self.anchors.insert(id, anchor);
        }
    }

    /// A scalar key for the mapping on top of the stack.
    fn set_key(&mut self, key: String, span: Span) {
        let Some(Frame {
            kind: FrameKind::Map(map),
            end,
            ..
        }) = self.stack.last_mut()
        else {
            return;
        };
        *end = (*end).max(span.end());
        let duplicate = match &map.seen {
            Some(seen) => seen.contains(&key),
            None => map.entries.iter().any(|e| e.key == key),
        };
        if duplicate {
            map.pending = Pending::Discard;
            self.error(
                span,
                format!("duplicate key `{key}`"),
                Some(String::from(
                    "a key may be defined only once per mapping; remove or rename one",
                )),
            );
            return;
        }
        if map.seen.is_none() && map.entries.len() + 1 >= KEY_SET_THRESHOLD {
            map.seen = Some(map.entries.iter().map(|e| e.key.clone()).collect());
        }
        if let Some(seen) = &mut map.seen {
            seen.insert(key.clone());
        }
        map.pending = Pending::Value(key, span);
    }

    /// Put a finished node where it belongs: the root, an array item, or a mapping value.
    fn attach(&mut self, node: Node, size: usize, height: usize) {
        let Some(frame) = self.stack.last_mut() else {
            if self.root.is_none() {
                self.root = Some(node);
            }
            return;
        };
        frame.size += size;
        frame.height = frame.height.max(height + 1);
        frame.end = frame.end.max(node.span.end());
        let mut bad_key = None;
        match &mut frame.kind {
            FrameKind::Seq(items) => items.push(node),
            FrameKind::Map(map) => match std::mem::replace(&mut map.pending, Pending::Key) {
                Pending::Value(key, key_span) => map.entries.push(Entry {
                    key,
                    key_span,
                    value: node,
                }),
                Pending::Discard => {}
                Pending::Key => {
                    // Only collections (or failed aliases) get here: scalars use `set_key`.
                    map.pending = Pending::Discard;
                    if node.kind != NodeKind::Invalid {
                        bad_key = Some(node.span);
                    }
                }
            },
        }
        if let Some(span) = bad_key {
            self.error(
                span,
                String::from("a mapping key must be a scalar"),
                Some(String::from(
                    "use a string key; sequences and mappings cannot be keys here",
                )),
            );
        }
    }

    fn scan_error(&mut self, error: &ScanError) {
        let at = self.positions.byte(*error.marker());
        let info = error.info();
        if info == "recursion limit exceeded" {
            let span = self.point(at);
            self.too_deep(span);
        } else if info.contains("unknown anchor") {
            let name: String = self
                .text
                .get(at..)
                .unwrap_or("")
                .chars()
                .skip(1)
                .take_while(|&c| !c.is_whitespace() && !matches!(c, ',' | '[' | ']' | '{' | '}'))
                .collect();
            let span = Span::new(at, at + 1 + name.len());
            self.error(
                span,
                format!("unknown alias `*{name}`"),
                Some(format!(
                    "an alias refers to an anchor `&{name}` defined before it"
                )),
            );
        } else {
            let span = self.point(at);
            let message = if info.is_empty() {
                String::from("invalid YAML")
            } else {
                info.to_owned()
            };
            self.error(span, message, None);
        }
    }

    /// Close whatever is still open (after an error) and return the tree.
    fn finish(mut self) -> SyntaxTree {
        if let Some(skip) = self.skip.take() {
            let end = self.last_end.max(skip.start);
            self.attach(
                Node::new(Span::new(skip.start, end), NodeKind::Invalid),
                1,
                0,
            );
        }
        while let Some(frame) = self.stack.pop() {
            self.finish_frame(frame, None);
        }
        let root = self
            .root
            .unwrap_or_else(|| Node::new(Span::at(0), NodeKind::Table(Vec::new())));
        let mut errors = self.errors;
        errors.sort_by_key(|e| (e.span.start, e.span.end));
        SyntaxTree { root, errors }
    }
}

/// The closing quote of a quoted scalar whose content starts at `from`, before `end`.
fn closing_quote(bytes: &[u8], from: usize, end: usize, quote: u8) -> Option<usize> {
    let mut i = from;
    while i < end {
        match bytes.get(i)? {
            b'\\' if quote == b'"' => i += 2,
            b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            &b if b == quote => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// The `|` or `>` of a block scalar header, the first one in `from..end` outside comments.
fn block_indicator(bytes: &[u8], from: usize, end: usize) -> Option<usize> {
    let mut i = from;
    while i < end {
        match bytes.get(i)? {
            b'|' | b'>' => return Some(i),
            b'#' if i == from || matches!(bytes.get(i - 1), Some(b' ' | b'\t' | b'\n' | b'\r')) => {
                while i < end && !matches!(bytes.get(i), Some(b'\n' | b'\r') | None) {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests;
