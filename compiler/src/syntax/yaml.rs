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

use super::tree::{Entry, MAX_DEPTH, Node, NodeKind, Str, SyntaxError, SyntaxTree};
use crate::source::Span;
use saphyr_parser::{Event, Marker, Parser, ScalarStyle, ScanError, Tag};
use std::borrow::Cow;
use std::cell::Cell;
use std::collections::{HashMap, HashSet};

/// How many nodes anchors and alias expansions may copy in all, so a "billion
/// laughs" file costs a bounded amount of time and memory.
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

/// Maps the library's character-counting markers to byte offsets.
struct Positions<'t> {
    text: &'t str,
    /// Pure ASCII: character index = byte offset.
    ascii: bool,
    /// The byte offset of every `STRIDE`-th character.
    checkpoints: Vec<usize>,
    /// The last position found (character index, byte offset): markers mostly come in
    /// source order, so the next one is usually a short walk from here.
    cursor: Cell<(usize, usize)>,
    /// How far the library's index runs ahead of the true character index.
    drift: usize,
}

const STRIDE: usize = 64;

impl<'t> Positions<'t> {
    fn new(text: &'t str) -> Positions<'t> {
        let ascii = text.is_ascii();
        let checkpoints = if ascii {
            Vec::new()
        } else {
            text.char_indices()
                .step_by(STRIDE)
                .map(|(i, _)| i)
                .collect()
        };
        Positions {
            text,
            ascii,
            checkpoints,
            cursor: Cell::new((0, 0)),
            drift: 0,
        }
    }

    /// The byte offset of `marker`.
    fn byte(&self, marker: Marker) -> usize {
        self.char_to_byte(marker.index().saturating_sub(self.drift))
    }

    fn char_to_byte(&self, index: usize) -> usize {
        let len = self.text.len();
        if self.ascii {
            return index.min(len);
        }
        let Some(&checkpoint) = self.checkpoints.get(index / STRIDE) else {
            return len;
        };
        // Walk from the checkpoint or from the cursor, whichever is closer before `index`.
        let (mut from_char, mut from_byte) = (index - index % STRIDE, checkpoint);
        let (cursor_char, cursor_byte) = self.cursor.get();
        if cursor_char <= index && cursor_char > from_char {
            (from_char, from_byte) = (cursor_char, cursor_byte);
        }
        let byte = self
            .text
            .get(from_byte..)
            .and_then(|rest| rest.char_indices().nth(index - from_char))
            .map_or(len, |(i, _)| from_byte + i);
        self.cursor.set((index, byte));
        byte
    }

    /// Recompute the drift from `marker`'s line and column, which stay right where the
    /// index does not (the column restarts on every line).
    fn calibrate(&mut self, marker: Marker) {
        let bytes = self.text.as_bytes();
        let mut line = 1;
        let mut i = 0;
        while line < marker.line() {
            match bytes.get(i) {
                None => break,
                Some(b'\n') => line += 1,
                Some(b'\r') if bytes.get(i + 1) != Some(&b'\n') => line += 1,
                Some(_) => {}
            }
            i += 1;
        }
        if i == 0 && self.text.starts_with('\u{FEFF}') {
            // The library does not count a leading byte order mark in the column.
            i = '\u{FEFF}'.len_utf8();
        }
        let at = self
            .text
            .get(i..)
            .and_then(|rest| rest.char_indices().nth(marker.col()))
            .map_or(self.text.len(), |(j, _)| i + j);
        let chars = self.text.get(..at).map_or(0, |s| s.chars().count());
        self.drift = marker.index().saturating_sub(chars);
    }
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

/// The node kind of a scalar: quoted and block scalars and `!!str` / `!` are strings;
/// plain scalars resolve by the YAML 1.2 core schema. Other tags are ignored.
fn scalar_kind(
    value: Cow<'_, str>,
    style: ScalarStyle,
    tag: Option<&Tag>,
    verbatim: Option<u32>,
) -> NodeKind {
    let forced_string = tag.is_some_and(|t| {
        (t.is_yaml_core_schema() && t.suffix == "str") || (t.handle.is_empty() && t.suffix == "!")
    });
    if style == ScalarStyle::Plain
        && !forced_string
        && let Some(kind) = core_schema(&value)
    {
        return kind;
    }
    NodeKind::String(Str::new(value.into_owned(), verbatim))
}

/// A plain scalar by the YAML 1.2 core schema, or `None` for a string.
fn core_schema(value: &str) -> Option<NodeKind> {
    Some(match value {
        "" | "~" | "null" | "Null" | "NULL" => NodeKind::Null,
        "true" | "True" | "TRUE" => NodeKind::Bool(true),
        "false" | "False" | "FALSE" => NodeKind::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => NodeKind::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => NodeKind::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => NodeKind::Float(f64::NAN),
        _ => return number(value),
    })
}

/// `[-+]?[0-9]+`, `0o[0-7]+`, `0x[0-9a-fA-F]+` as integers (floats when beyond `i64`),
/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?` as floats.
fn number(value: &str) -> Option<NodeKind> {
    let radix = |digits: &str, radix: u32| -> Option<NodeKind> {
        if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
            return None;
        }
        match i64::from_str_radix(digits, radix) {
            Ok(i) => Some(NodeKind::Integer(i)),
            Err(_) => u128::from_str_radix(digits, radix)
                .ok()
                .map(|u| NodeKind::Float(u as f64)),
        }
    };
    if let Some(hex) = value.strip_prefix("0x") {
        return radix(hex, 16);
    }
    if let Some(oct) = value.strip_prefix("0o") {
        return radix(oct, 8);
    }
    let unsigned = value.strip_prefix(['-', '+']).unwrap_or(value);
    let bytes = unsigned.as_bytes();
    let digits = |from: usize| {
        bytes
            .iter()
            .skip(from)
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    let whole = digits(0);
    if whole == bytes.len() && whole > 0 {
        return Some(match value.parse::<i64>() {
            Ok(i) => NodeKind::Integer(i),
            Err(_) => NodeKind::Float(value.parse::<f64>().ok()?),
        });
    }
    // Float: mantissa, then an optional exponent.
    let mut i = whole;
    let mut fraction = 0;
    if bytes.get(i) == Some(&b'.') {
        fraction = digits(i + 1);
        i += 1 + fraction;
    }
    if whole == 0 && fraction == 0 {
        return None;
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(bytes.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        let exponent = digits(i);
        if exponent == 0 {
            return None;
        }
        i += exponent;
    }
    if i != bytes.len() {
        return None;
    }
    value.parse::<f64>().ok().map(NodeKind::Float)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slice(text: &str, span: Span) -> &str {
        text.get(span.range()).unwrap_or("<bad span>")
    }

    fn entries(tree: &SyntaxTree) -> &[Entry] {
        tree.root.as_table().unwrap_or(&[])
    }

    fn kind(tree: &SyntaxTree, key: &str) -> NodeKind {
        tree.root
            .get(key)
            .map_or(NodeKind::Invalid, |n| n.kind.clone())
    }

    fn string(node: Option<&Node>) -> Str {
        node.and_then(Node::as_str)
            .cloned()
            .unwrap_or(Str::new(String::from("<not a string>"), None))
    }

    fn messages(tree: &SyntaxTree) -> Vec<&str> {
        tree.errors.iter().map(|e| e.message.as_str()).collect()
    }

    #[test]
    fn spans_of_keys_values_and_strings_are_bytes() {
        let text = "# cömment é\nnäme: héllo wörld  \n\"quöted ü\": 'it''s'\nk3: &anc !!str \"a\\tb\"  # ü\nlist:\n  - 1\n  - {ä: [x, y], b: ~}\nlast: *anc\n";
        let tree = parse(text);
        assert_eq!(tree.errors, vec![]);
        let e = entries(&tree);
        let keys: Vec<&str> = e.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, vec!["näme", "quöted ü", "k3", "list", "last"]);
        let spans: Vec<&str> = e.iter().map(|e| slice(text, e.key_span)).collect();
        assert_eq!(spans, vec!["näme", "\"quöted ü\"", "k3", "list", "last"]);
        let values: Vec<&str> = e.iter().map(|e| slice(text, e.value.span)).collect();
        assert_eq!(
            values,
            vec![
                "héllo wörld",
                "'it''s'",
                "&anc !!str \"a\\tb\"",
                "- 1\n  - {ä: [x, y], b: ~}",
                "*anc"
            ]
        );
        let s = string(tree.root.get("näme"));
        assert_eq!(s.value, "héllo wörld");
        assert_eq!(slice(text, s.sub_span(Span::default(), 7, 13)), "wörld");
        assert_eq!(string(tree.root.get("quöted ü")).verbatim_at, None);
        assert_eq!(string(tree.root.get("k3")).value, "a\tb");
        assert_eq!(string(tree.root.get("last")).value, "a\tb");
        assert_eq!(
            slice(text, tree.root.span),
            &text[text.find("näme").unwrap_or(0)..text.len() - 1]
        );
        let list = tree.root.get("list").map(|n| n.kind.clone());
        let Some(NodeKind::Array(items)) = list else {
            panic!("not an array: {list:?}");
        };
        assert_eq!(slice(text, items[1].span), "{ä: [x, y], b: ~}");
        let inner = items[1].as_table().unwrap_or(&[]);
        assert_eq!(slice(text, inner[0].key_span), "ä");
        assert_eq!(slice(text, inner[0].value.span), "[x, y]");
        assert_eq!(inner[1].value.kind, NodeKind::Null);
    }

    #[test]
    fn quoted_strings_locate_their_value() {
        let text = "a: \"wörld\"  # trailing\nb: 'x y'\nc: \"é\\u00e9\"\nd: \"\"\ne: !!str 'ü'\n";
        let tree = parse(text);
        assert_eq!(tree.errors, vec![]);
        for key in ["a", "b", "e"] {
            let node = tree.root.get(key);
            let s = string(node);
            let at = s.verbatim_at.map_or(0, |v| v as usize);
            assert_eq!(
                text.get(at..at + s.value.len()),
                Some(s.value.as_str()),
                "{key}"
            );
        }
        assert_eq!(
            slice(text, tree.root.get("a").map_or(Span::default(), |n| n.span)),
            "\"wörld\""
        );
        assert_eq!(string(tree.root.get("c")).value, "éé");
        assert_eq!(string(tree.root.get("c")).verbatim_at, None);
        assert_eq!(string(tree.root.get("d")).value, "");
    }

    #[test]
    fn multi_line_plain_and_quoted_scalars_are_folded() {
        let text = "a: one\n  twö  # c\nb: \"x\n  y\"\n";
        let tree = parse(text);
        assert_eq!(tree.errors, vec![]);
        let a = string(tree.root.get("a"));
        assert_eq!((a.value.as_str(), a.verbatim_at), ("one twö", None));
        assert_eq!(
            slice(text, tree.root.get("a").map_or(Span::default(), |n| n.span)),
            "one\n  twö"
        );
        let b = string(tree.root.get("b"));
        assert_eq!((b.value.as_str(), b.verbatim_at), ("x y", None));
        assert_eq!(
            slice(text, tree.root.get("b").map_or(Span::default(), |n| n.span)),
            "\"x\n  y\""
        );
    }

    #[test]
    fn block_scalars() {
        let text = "lit: |\n  line1\n  line2\n\nfold: >-\n  a\n  b\none: |  # cömment | >\n  ünique\nkeep: |+\n  k\n\nlast: 1\n";
        let tree = parse(text);
        assert_eq!(tree.errors, vec![]);
        let span = |k: &str| tree.root.get(k).map_or(Span::default(), |n| n.span);
        assert_eq!(string(tree.root.get("lit")).value, "line1\nline2\n");
        assert_eq!(slice(text, span("lit")), "|\n  line1\n  line2");
        assert_eq!(string(tree.root.get("lit")).verbatim_at, None);
        assert_eq!(string(tree.root.get("fold")).value, "a b");
        assert_eq!(slice(text, span("fold")), ">-\n  a\n  b");
        let one = string(tree.root.get("one"));
        assert_eq!(one.value, "ünique\n");
        let at = one.verbatim_at.map_or(0, |v| v as usize);
        assert_eq!(text.get(at..at + one.value.len()), Some("ünique\n"));
        assert_eq!(slice(text, span("one")), "|  # cömment | >\n  ünique");
        assert_eq!(string(tree.root.get("keep")).value, "k\n\n");
        assert_eq!(kind(&tree, "last"), NodeKind::Integer(1));
        // A top-level literal at indentation 0 is verbatim.
        let text = "--- |\nab\ncd\n";
        let tree = parse(text);
        let s = string(Some(&tree.root));
        assert_eq!((s.value.as_str(), s.verbatim_at), ("ab\ncd\n", Some(6)));
    }

    #[test]
    fn core_schema_scalars() {
        let text = "\
a: true\nb: False\nc: TRUE\nd: null\ne: ~\nf:\ng: 42\nh: -7\ni: 0x1F\nj: 0o17\nk: 1.5\nl: .5\n\
m: -1e3\nn: .inf\no: -.Inf\np: .nan\nq: 9223372036854775808\nr: '42'\ns: \"true\"\nt: yes\nu: 1_000\n\
v: 0x\nw: 1.2.3\nx: !!str 12\ny: ! 12\nz: !custom 12\naa: +12\nab: 1.\nac: 0xFFFFFFFFFFFFFFFF\nad: e5\n";
        let tree = parse(text);
        assert_eq!(tree.errors, vec![]);
        let s = |v: &str| NodeKind::String(Str::new(v.to_owned(), None));
        let expect = [
            ("a", NodeKind::Bool(true)),
            ("b", NodeKind::Bool(false)),
            ("c", NodeKind::Bool(true)),
            ("d", NodeKind::Null),
            ("e", NodeKind::Null),
            ("f", NodeKind::Null),
            ("g", NodeKind::Integer(42)),
            ("h", NodeKind::Integer(-7)),
            ("i", NodeKind::Integer(31)),
            ("j", NodeKind::Integer(15)),
            ("k", NodeKind::Float(1.5)),
            ("l", NodeKind::Float(0.5)),
            ("m", NodeKind::Float(-1000.0)),
            ("n", NodeKind::Float(f64::INFINITY)),
            ("o", NodeKind::Float(f64::NEG_INFINITY)),
            ("q", NodeKind::Float(9_223_372_036_854_775_808.0)),
            ("aa", NodeKind::Integer(12)),
            ("ab", NodeKind::Float(1.0)),
            ("ac", NodeKind::Float(18_446_744_073_709_551_615.0)),
        ];
        for (key, want) in expect {
            assert_eq!(kind(&tree, key), want, "{key}");
        }
        assert!(matches!(kind(&tree, "p"), NodeKind::Float(f) if f.is_nan()));
        for (key, want) in [
            ("r", "42"),
            ("s", "true"),
            ("t", "yes"),
            ("u", "1_000"),
            ("v", "0x"),
            ("w", "1.2.3"),
            ("x", "12"),
            ("y", "12"),
            ("ad", "e5"),
        ] {
            let got = tree
                .root
                .get(key)
                .and_then(Node::as_str)
                .map(|s| s.value.clone());
            assert_eq!(got.as_deref(), Some(want), "{key}");
        }
        assert_eq!(kind(&tree, "z"), NodeKind::Integer(12));
        let _ = s;
    }

    #[test]
    fn non_string_keys_take_their_written_form() {
        let tree = parse("1: a\ntrue: b\n~: c\n1.50: d\n\"q\": e\n");
        assert_eq!(tree.errors, vec![]);
        let keys: Vec<&str> = entries(&tree).iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, vec!["1", "true", "~", "1.50", "q"]);
    }

    #[test]
    fn complex_keys_are_errors() {
        let text = "? [a, b]\n: 1\n{x: y}: 2\nok: 3\n";
        let tree = parse(text);
        assert_eq!(messages(&tree), vec!["a mapping key must be a scalar"; 2]);
        assert_eq!(slice(text, tree.errors[0].span), "[a, b]");
        assert_eq!(slice(text, tree.errors[1].span), "{x: y}");
        let keys: Vec<&str> = entries(&tree).iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, vec!["ok"]);
    }

    #[test]
    fn duplicate_keys_keep_the_first() {
        let text = "id: 1\nx: {id: 1, id: 2}\nid: 3\n";
        let tree = parse(text);
        assert_eq!(messages(&tree), vec!["duplicate key `id`"; 2]);
        assert_eq!(tree.errors[0].span, Span::new(17, 19));
        assert_eq!(tree.errors[1].span, Span::new(24, 26));
        assert_eq!(kind(&tree, "id"), NodeKind::Integer(1));
        assert_eq!(entries(&tree).len(), 2);
        let mut big = String::new();
        for i in 0..100 {
            big.push_str(&format!("k{i}: {i}\n"));
        }
        big.push_str("k7: 0\nk99: 0\n");
        let tree = parse(&big);
        assert_eq!(
            messages(&tree),
            vec!["duplicate key `k7`", "duplicate key `k99`"]
        );
        assert_eq!(entries(&tree).len(), 100);
        let mut text = String::from("a: 1\na: 2\nb: 3\nb: 4\n");
        for i in 0..40 {
            text.push_str(&format!("k{i}: {i}\n"));
        }
        text.push_str("b: 5\nk39: 6\n");
        let tree = parse(&text);
        assert_eq!(tree.errors.len(), 4);
        assert_eq!(entries(&tree).len(), 42);
    }

    #[test]
    fn nesting_depth_is_limited_without_stack_overflow() {
        let deep_flow = "[".repeat(100_000);
        let deep_flow_closed = format!("a: {}{}\nb: 1\n", "[".repeat(200), "]".repeat(200));
        let mut deep_block = String::new();
        for i in 0..1_000 {
            deep_block.push_str(&" ".repeat(i));
            deep_block.push_str("k:\n");
        }
        let mut deep_seq = String::new();
        for i in 0..1000 {
            deep_seq.push_str(&" ".repeat(2 * i));
            deep_seq.push_str("-\n");
        }
        for text in [
            deep_flow.as_str(),
            &deep_flow_closed,
            &deep_block,
            &deep_seq,
        ] {
            let started = std::time::Instant::now();
            let tree = parse(text);
            assert_eq!(
                messages(&tree).first(),
                Some(&"nesting deeper than 128 levels")
            );
            assert_eq!(
                tree.errors
                    .iter()
                    .filter(|e| e.message.starts_with("nesting"))
                    .count(),
                1
            );
            assert!(started.elapsed().as_secs() < 10);
        }
        // The skipped part becomes an invalid node and parsing goes on.
        let tree = parse(&deep_flow_closed);
        assert_eq!(tree.errors.len(), 1);
        // The root mapping is level 1, so the 128th `[` is the first too deep.
        assert_eq!(tree.errors[0].span, Span::new(2 + MAX_DEPTH, 3 + MAX_DEPTH));
        assert_eq!(kind(&tree, "b"), NodeKind::Integer(1));
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert_eq!(parse(&ok).errors, vec![]);
    }

    #[test]
    fn aliases_copy_the_anchored_node() {
        let text = "base: &b {x: 1, y: [2, 3]}\nother: *b\nname: &n hi\n*n : again\n<<: *b\n";
        let tree = parse(text);
        assert_eq!(tree.errors, vec![]);
        let base = tree.root.get("base").map(|n| n.kind.clone());
        assert_eq!(tree.root.get("other").map(|n| n.kind.clone()), base);
        assert_eq!(
            slice(
                text,
                tree.root.get("other").map_or(Span::default(), |n| n.span)
            ),
            "*b"
        );
        assert_eq!(string(tree.root.get("hi")).value, "again");
        assert!(tree.root.get("<<").is_some());
    }

    #[test]
    fn alias_bomb_stops_fast() {
        let mut text = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
        for pair in names.windows(2) {
            let (prev, name) = (pair[0], pair[1]);
            let items = vec![format!("*{prev}"); 9].join(",");
            text.push_str(&format!("{name}: &{name} [{items}]\n"));
        }
        let started = std::time::Instant::now();
        let tree = parse(&text);
        assert!(started.elapsed().as_secs() < 5);
        assert_eq!(
            messages(&tree),
            vec!["alias expansion too large (possible alias bomb)"]
        );
        assert_eq!(slice(&text, tree.errors[0].span).chars().next(), Some('*'));
    }

    #[test]
    fn alias_problems() {
        let tree = parse("a: *nope\n");
        assert_eq!(messages(&tree), vec!["unknown alias `*nope`"]);
        assert_eq!(tree.errors[0].span, Span::new(3, 8));
        let tree = parse("a: &x [1, *x]\n");
        assert_eq!(
            messages(&tree),
            vec!["alias `*x` refers to a node that contains it"]
        );
        let tree = parse("a: &x [{k: v}]\n*x : 1\n");
        assert_eq!(messages(&tree), vec!["a mapping key must be a scalar"]);
    }

    #[test]
    fn one_document_per_file() {
        let tree = parse("a: 1\n---\nb: 2\n");
        assert_eq!(
            messages(&tree),
            vec!["a formula file holds one YAML document"]
        );
        assert_eq!(tree.errors[0].span, Span::new(5, 8));
        assert_eq!(kind(&tree, "a"), NodeKind::Integer(1));
        let tree = parse("---\na: 1\n...\n---\nb: 2\n");
        assert_eq!(
            messages(&tree),
            vec!["a formula file holds one YAML document"]
        );
        let tree = parse("---\na: 1\n...\n");
        assert_eq!(tree.errors, vec![]);
    }

    #[test]
    fn empty_documents_are_empty_tables() {
        for text in ["", "\n\n", "# only a comment\n", "---\n", "--- # c\n...\n"] {
            let tree = parse(text);
            assert_eq!(tree.errors, vec![], "{text:?}");
            assert_eq!(
                tree.root,
                Node::new(Span::at(0), NodeKind::Table(Vec::new())),
                "{text:?}"
            );
        }
        assert_eq!(parse("~").root.kind, NodeKind::Null);
    }

    #[test]
    fn garbage_is_an_error_with_a_partial_tree() {
        let text = "a: 1\nb: [1, 2\nc: 3\n";
        let tree = parse(text);
        assert_eq!(tree.errors.len(), 1);
        assert_eq!(kind(&tree, "a"), NodeKind::Integer(1));
        for text in [
            "a: b: c",
            "key: \"unterminated",
            "- a\nb: c",
            "a: 'x' y",
            "{]",
            "@foo",
            "%YAML 1.2\n%YAML 1.2\n---\na: 1",
            "a: !!x!y z",
            "[a, b]: c: d",
            "\u{0}\u{1}",
            "a:\n  - b\n c: d",
        ] {
            let tree = parse(text);
            assert!(!tree.errors.is_empty(), "{text:?}");
            for e in &tree.errors {
                assert!(e.span.end() <= text.len(), "{text:?}");
                assert!(text.is_char_boundary(e.span.start()), "{text:?}");
            }
        }
    }

    #[test]
    fn error_positions_are_bytes() {
        let text = "é: ü\nö: [1, 2\n";
        let tree = parse(text);
        assert_eq!(tree.errors.len(), 1);
        assert!(tree.errors[0].span.start() >= text.find('[').unwrap_or(0));
    }

    #[test]
    fn byte_order_mark_and_directives() {
        let text = "\u{FEFF}a: é\n";
        let tree = parse(text);
        assert_eq!(tree.errors, vec![]);
        assert_eq!(slice(text, entries(&tree)[0].key_span), "a");
        assert_eq!(slice(text, entries(&tree)[0].value.span), "é");
        // A non-ASCII directive throws the library's index off; recalibrated at `---`.
        let text = "%FOOé bär\n---\nkey: wört\n";
        let tree = parse(text);
        assert_eq!(tree.errors, vec![]);
        assert_eq!(slice(text, entries(&tree)[0].key_span), "key");
        assert_eq!(slice(text, entries(&tree)[0].value.span), "wört");
        let text = "\u{FEFF}--- \nkey: wört\n";
        let tree = parse(text);
        assert_eq!(slice(text, entries(&tree)[0].value.span), "wört");
    }

    #[test]
    fn crlf_line_ends() {
        let text = "a: é\r\nb: |\r\n  x\r\n  y\r\nc: \"q\"\r\n";
        let tree = parse(text);
        assert_eq!(tree.errors, vec![]);
        assert_eq!(
            slice(text, tree.root.get("c").map_or(Span::default(), |n| n.span)),
            "\"q\""
        );
        assert_eq!(string(tree.root.get("b")).value, "x\ny\n");
    }

    #[test]
    fn never_panics_on_prefixes() {
        let text = "k: &a [1, {b: \"é\\n\"}, 'x''y']\nl: |-\n  ü\nm: *a\n? [c]\n: d\n- e\n";
        for end in 0..=text.len() {
            if let Some(prefix) = text.get(..end) {
                let tree = parse(prefix);
                for e in &tree.errors {
                    assert!(e.span.end() <= prefix.len());
                }
            }
        }
    }

    #[test]
    fn large_input_is_linear() {
        let mut text = String::from("items:\n");
        for i in 0..100_000 {
            text.push_str(&format!(
                "  - id: {i}\n    name: \"näme {i}\"\n    tags: [a, b]\n"
            ));
        }
        let started = std::time::Instant::now();
        let tree = parse(&text);
        assert_eq!(tree.errors, vec![]);
        assert!(started.elapsed().as_secs() < 30);
    }
}
