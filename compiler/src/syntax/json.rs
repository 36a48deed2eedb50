//! The JSON front-end: `jsonc-parser`'s AST, configured as strict JSON -> [`SyntaxTree`].
//!
//! Notes on the library:
//! - Its ranges are byte offsets, so they become spans directly.
//! - It recurses per nesting level and stops only at 512 levels, which overflows a 1 MiB
//!   stack in debug builds; a linear pre-scan refuses input nested deeper than
//!   [`MAX_DEPTH`] before the library sees it.
//! - Even in strict mode it takes vertical tab, form feed and Unicode spaces as
//!   whitespace and raw control characters inside strings; the pre-scan reports those.
//! - It stops at the first error, so an invalid file yields one error; the rest of the
//!   file is then recovered (`json/recover.rs`).

use super::tree::{Entry, MAX_DEPTH, Node, NodeKind, Str, SyntaxError, SyntaxTree};
use crate::source::Span;
use jsonc_parser::ast::{Array, Object, ObjectPropName, Value};
use jsonc_parser::errors::{ParseError, ParseErrorKind};
use jsonc_parser::{CollectOptions, ParseOptions, ParseStringErrorKind, parse_to_ast};
use std::collections::HashSet;

/// Objects with at least this many entries check duplicate keys with a hash set.
const KEY_SET_THRESHOLD: usize = 16;

/// Parse JSON text. Never panics; reports the first syntax error and recovers the rest.
pub(crate) fn parse(text: &str) -> SyntaxTree {
    // RFC 8259 lets a parser ignore a leading byte order mark.
    let (body, base) = match text.strip_prefix('\u{FEFF}') {
        Some(rest) => (rest, text.len() - rest.len()),
        None => (text, 0),
    };
    let whole = Span::new(0, text.len());
    let scan = prescan(body);
    let mut errors: Vec<SyntaxError> = scan
        .problems
        .into_iter()
        .map(|p| shifted(p, base))
        .collect();

    if let Some(at) = scan.too_deep {
        errors.push(depth_error(point(body, at, base)));
        return finish(Node::new(whole, NodeKind::Invalid), errors);
    }

    let parsed = std::panic::catch_unwind(|| {
        parse_to_ast(body, &CollectOptions::default(), &strict())
            .map(|result| {
                result.value.map(|value| {
                    let mut converter = Converter {
                        text: body,
                        base,
                        errors: Vec::new(),
                        depth_reported: false,
                    };
                    let node = converter.value(&value, 0);
                    (node, converter.errors)
                })
            })
            .map_err(|err| convert_error(&err, body, base))
    });
    let root = match parsed {
        Ok(Ok(Some((node, mut found)))) => {
            errors.append(&mut found);
            node
        }
        Ok(Ok(None)) => {
            errors.push(SyntaxError {
                span: Span::at(text.len()),
                message: String::from("expected a JSON value, found the end of the file"),
                help: Some(String::from("a formula file holds one JSON object")),
            });
            Node::new(whole, NodeKind::Invalid)
        }
        Ok(Err(error)) => {
            errors.push(error);
            // The rest of the file, so one typo mid-edit does not blank every feature.
            match std::panic::catch_unwind(|| recover::recover(body, base)) {
                Ok(Some((node, mut found))) => {
                    errors.append(&mut found);
                    node
                }
                _ => Node::new(whole, NodeKind::Invalid),
            }
        }
        Err(_) => {
            errors.push(SyntaxError {
                span: Span::at(0),
                message: String::from("the JSON parser failed on this file (internal error)"),
                help: None,
            });
            Node::new(whole, NodeKind::Invalid)
        }
    };
    finish(root, errors)
}

/// Sort the errors into source order and pair them with the root.
fn finish(root: Node, mut errors: Vec<SyntaxError>) -> SyntaxTree {
    errors.sort_by_key(|e| (e.span.start, e.span.end));
    SyntaxTree { root, errors }
}

/// Real JSON: every JSON5 / JSONC extension off.
pub(super) fn strict() -> ParseOptions {
    ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    }
}

/// Converts the library's AST into our tree.
struct Converter<'t> {
    text: &'t str,
    base: usize,
    errors: Vec<SyntaxError>,
    depth_reported: bool,
}

impl Converter<'_> {
    fn span(&self, range: jsonc_parser::common::Range) -> Span {
        Span::new(self.base + range.start, self.base + range.end)
    }

    /// `value`, which has `depth` enclosing arrays and objects.
    fn value(&mut self, value: &Value<'_>, depth: usize) -> Node {
        match value {
            Value::Object(object) => {
                self.container(object.range, depth, |c| c.object(object, depth))
            }
            Value::Array(array) => self.container(array.range, depth, |c| c.array(array, depth)),
            Value::StringLit(lit) => {
                let span = self.span(lit.range);
                // The value is verbatim when it equals the text between the quotes.
                let inner = (lit.range.start + 1)..lit.range.end.saturating_sub(1);
                let verbatim = (self.text.get(inner) == Some(lit.value.as_ref()))
                    .then(|| u32::try_from(span.start() + 1).ok())
                    .flatten();
                Node::new(
                    span,
                    NodeKind::String(Str::new(lit.value.to_string(), verbatim)),
                )
            }
            Value::NumberLit(lit) => Node::new(self.span(lit.range), number(lit.value)),
            Value::BooleanLit(lit) => Node::new(self.span(lit.range), NodeKind::Bool(lit.value)),
            Value::NullKeyword(lit) => Node::new(self.span(lit.range), NodeKind::Null),
        }
    }

    /// An array or object at `depth`, or an invalid node if it nests too deep (the
    /// pre-scan normally refuses such text before it gets here).
    fn container(
        &mut self,
        range: jsonc_parser::common::Range,
        depth: usize,
        build: impl FnOnce(&mut Self) -> NodeKind,
    ) -> Node {
        let span = self.span(range);
        if depth >= MAX_DEPTH {
            if !self.depth_reported {
                self.depth_reported = true;
                self.errors.push(depth_error(span.sub(0, 1)));
            }
            return Node::new(span, NodeKind::Invalid);
        }
        Node::new(span, build(self))
    }

    fn array(&mut self, array: &Array<'_>, depth: usize) -> NodeKind {
        let items = array
            .elements
            .iter()
            .map(|v| self.value(v, depth + 1))
            .collect();
        NodeKind::Array(items)
    }

    fn object(&mut self, object: &Object<'_>, depth: usize) -> NodeKind {
        let mut entries: Vec<Entry> = Vec::with_capacity(object.properties.len());
        let mut seen: Option<HashSet<&str>> = None;
        for (index, prop) in object.properties.iter().enumerate() {
            let (key, key_range) = match &prop.name {
                ObjectPropName::String(lit) => (lit.value.as_ref(), lit.range),
                ObjectPropName::Word(lit) => (lit.value, lit.range),
            };
            let key_span = self.span(key_range);
            let duplicate = match &mut seen {
                Some(set) => !set.insert(key),
                None => {
                    let found = entries.iter().any(|e| e.key == key);
                    if !found && entries.len() + 1 >= KEY_SET_THRESHOLD {
                        // The names so far are the keys so far (duplicates repeat them).
                        let mut set: HashSet<&str> = object
                            .properties
                            .iter()
                            .take(index)
                            .map(|p| p.name.as_str())
                            .collect();
                        set.insert(key);
                        seen = Some(set);
                    }
                    found
                }
            };
            if duplicate {
                self.errors.push(duplicate_key(key, key_span));
                continue;
            }
            let value = self.value(&prop.value, depth + 1);
            entries.push(Entry {
                key: key.to_owned(),
                key_span,
                value,
            });
        }
        NodeKind::Table(entries)
    }
}

/// A JSON number: an integer if it is written as one and fits `i64`, else a float.
fn number(text: &str) -> NodeKind {
    let integral = !text.bytes().any(|b| matches!(b, b'.' | b'e' | b'E'));
    if integral && let Ok(i) = text.parse::<i64>() {
        return NodeKind::Integer(i);
    }
    match text.parse::<f64>() {
        Ok(f) => NodeKind::Float(f),
        Err(_) => NodeKind::Invalid,
    }
}

fn duplicate_key(key: &str, span: Span) -> SyntaxError {
    SyntaxError {
        span,
        message: format!("duplicate key `{key}`"),
        help: Some(String::from(
            "a key may be defined only once per object; remove or rename one",
        )),
    }
}

fn depth_error(span: Span) -> SyntaxError {
    SyntaxError {
        span,
        message: format!("nesting deeper than {MAX_DEPTH} levels"),
        help: Some(String::from(
            "flatten the value; formulas never need this depth",
        )),
    }
}

fn shifted(mut error: SyntaxError, base: usize) -> SyntaxError {
    error.span = Span::new(error.span.start() + base, error.span.end() + base);
    error
}

/// The span of the character at byte `at` of `text` (empty at the end), shifted by `base`.
fn point(text: &str, at: usize, base: usize) -> Span {
    let len = text
        .get(at..)
        .and_then(|rest| rest.chars().next())
        .map_or(0, char::len_utf8);
    Span::new(base + at, base + at + len)
}

/// What the pre-scan found.
struct Prescan {
    /// The byte offset of the first `[` or `{` nested deeper than [`MAX_DEPTH`].
    too_deep: Option<usize>,
    /// Problems the library accepts but JSON does not (offsets relative to the scanned text).
    problems: Vec<SyntaxError>,
}

/// One linear pass over the text that tracks bracket depth outside strings and
/// finds what `jsonc-parser` lets through: unescaped control characters in strings
/// and whitespace JSON does not allow. Mirrors the library's tokenizer closely enough
/// for valid JSON; on invalid text the library reports its own error anyway.
fn prescan(text: &str) -> Prescan {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut too_deep = None;
    let mut problems = Vec::new();
    let mut control_reported = false;
    let mut space_reported = false;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'"' => {
                i += 1;
                while let Some(&c) = bytes.get(i) {
                    match c {
                        b'"' => break,
                        b'\\' => i += 1,
                        c if c < 0x20 && !control_reported => {
                            control_reported = true;
                            problems.push(SyntaxError {
                                span: Span::new(i, i + 1),
                                message: format!(
                                    "unescaped control character U+{c:04X} in a string"
                                ),
                                help: Some(String::from(
                                    "write it as an escape such as `\\n` or `\\t`",
                                )),
                            });
                        }
                        _ => {}
                    }
                    i += 1;
                }
            }
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    too_deep = Some(i);
                    break;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            0x0B | 0x0C | 0x80.. => {
                let c = text.get(i..).and_then(|rest| rest.chars().next());
                if let Some(c) = c {
                    if c.is_whitespace() && !space_reported {
                        space_reported = true;
                        problems.push(SyntaxError {
                            span: Span::new(i, i + c.len_utf8()),
                            message: format!(
                                "unexpected whitespace character U+{:04X}",
                                u32::from(c)
                            ),
                            help: Some(String::from(
                                "JSON allows only spaces, tabs and line breaks between values",
                            )),
                        });
                    }
                    i += c.len_utf8();
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    Prescan { too_deep, problems }
}

/// The library's error as ours, with a message in our style.
fn convert_error(error: &ParseError, text: &str, base: usize) -> SyntaxError {
    let range = error.range();
    let start = range.start.min(text.len());
    let end = range.end.clamp(start, text.len());
    let span = Span::new(base + start, base + end);
    let first = point(text, start, base);
    let snippet = text.get(start..end).unwrap_or("");
    let err = |span: Span, message: &str, help: Option<&str>| SyntaxError {
        span,
        message: message.to_owned(),
        help: help.map(str::to_owned),
    };
    match error.kind() {
        ParseErrorKind::CommentsNotAllowed => err(span, "comments are not allowed in JSON", None),
        ParseErrorKind::UnterminatedCommentBlock => err(
            first,
            "unterminated comment",
            Some("comments are not allowed in JSON"),
        ),
        ParseErrorKind::ExpectedColonAfterObjectKey => {
            err(span, "expected `:` after the object key", None)
        }
        ParseErrorKind::ExpectedObjectValue => err(span, "expected a value after `:`", None),
        ParseErrorKind::ExpectedStringObjectProperty => err(
            span,
            "expected a double-quoted string as the object key",
            Some("JSON keys are written in double quotes: `\"key\": value`"),
        ),
        ParseErrorKind::UnexpectedTokenInObject => {
            err(span, "expected a double-quoted key or `}`", None)
        }
        ParseErrorKind::ExpectedComma => err(span, "expected `,`", None),
        ParseErrorKind::MultipleRootJsonValues => err(
            span,
            "unexpected content after the JSON value",
            Some("a JSON file holds exactly one value"),
        ),
        ParseErrorKind::TrailingCommasNotAllowed => err(
            span,
            "trailing comma",
            Some("JSON does not allow a comma before `]` or `}`"),
        ),
        ParseErrorKind::UnexpectedCloseBrace => err(span, "unexpected `}`", None),
        ParseErrorKind::UnexpectedCloseBracket => err(span, "unexpected `]`", None),
        ParseErrorKind::UnexpectedColon => err(span, "unexpected `:`", None),
        ParseErrorKind::UnexpectedComma => err(span, "unexpected `,`", None),
        // A word (`tru`, `NaN`) ended by whitespace is an "unexpected word"; ended by
        // anything else, the library calls the whole word an "unexpected token".
        ParseErrorKind::UnexpectedWord | ParseErrorKind::UnexpectedToken
            if snippet.chars().nth(1).is_some() =>
        {
            let help = match snippet {
                "True" | "TRUE" | "False" | "FALSE" => {
                    "JSON booleans are written `true` and `false`"
                }
                "None" | "Null" | "NULL" | "nil" | "undefined" => "JSON's null is written `null`",
                "NaN" | "Infinity" => "JSON numbers cannot be NaN or infinite",
                _ => "JSON strings are written in double quotes",
            };
            SyntaxError {
                span,
                message: format!("unexpected `{}`", abbreviate(snippet)),
                help: Some(help.to_owned()),
            }
        }
        ParseErrorKind::UnexpectedWord | ParseErrorKind::UnexpectedToken => {
            match snippet.chars().next() {
                Some(c) if c.is_control() || c.is_whitespace() => SyntaxError {
                    span: first,
                    message: format!("unexpected character U+{:04X}", u32::from(c)),
                    help: None,
                },
                Some(c) => SyntaxError {
                    span: first,
                    message: format!("unexpected character `{c}`"),
                    help: None,
                },
                None => err(first, "unexpected end of the file", None),
            }
        }
        ParseErrorKind::SingleQuotedStringsNotAllowed => err(
            first,
            "single-quoted strings are not allowed in JSON",
            Some("use double quotes"),
        ),
        ParseErrorKind::HexadecimalNumbersNotAllowed => {
            err(span, "hexadecimal numbers are not allowed in JSON", None)
        }
        ParseErrorKind::UnaryPlusNumbersNotAllowed => {
            err(span, "a leading `+` is not allowed on a JSON number", None)
        }
        ParseErrorKind::BareDecimalPointNumbersNotAllowed => err(
            span,
            "a decimal point needs digits on both sides in JSON",
            Some("write `0.5` rather than `.5`, `5.0` rather than `5.`"),
        ),
        ParseErrorKind::NonFiniteNumbersNotAllowed => {
            err(span, "`Infinity` and `NaN` are not JSON numbers", None)
        }
        ParseErrorKind::ExpectedDigitFollowingNegativeSign => {
            err(span, "expected a digit after `-`", None)
        }
        ParseErrorKind::UnterminatedArray => err(
            first,
            "unclosed `[`",
            Some("expected `]` before the end of the file"),
        ),
        ParseErrorKind::UnterminatedObject => err(
            first,
            "unclosed `{`",
            Some("expected `}` before the end of the file"),
        ),
        ParseErrorKind::NestingDepthExceeded => depth_error(first),
        ParseErrorKind::String(kind) => match kind {
            ParseStringErrorKind::UnterminatedStringLiteral => err(
                first,
                "unclosed string",
                Some("expected a closing `\"` before the end of the file"),
            ),
            ParseStringErrorKind::InvalidEscape
            | ParseStringErrorKind::InvalidEscapeInDoubleQuoteString => err(
                span,
                "invalid escape sequence",
                Some(
                    "JSON escapes are `\\\"`, `\\\\`, `\\/`, `\\b`, `\\f`, `\\n`, `\\r`, `\\t` and `\\uXXXX`",
                ),
            ),
            ParseStringErrorKind::ExpectedFourHexDigits => {
                err(span, "expected four hex digits after `\\u`", None)
            }
            ParseStringErrorKind::InvalidUnicodeEscapeSequence(detail) => SyntaxError {
                span,
                message: format!("invalid unicode escape \\u{detail}"),
                help: None,
            },
            other => SyntaxError {
                span,
                message: lower_first(&other.to_string()),
                help: None,
            },
        },
        other => SyntaxError {
            span,
            message: lower_first(&other.to_string()),
            help: None,
        },
    }
}

/// `text` with its first letter in lower case ("Expected digit" -> "expected digit").
fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// At most 40 characters of `text`, marked with `…` when cut.
fn abbreviate(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((i, _)) => format!("{}…", text.get(..i).unwrap_or(text)),
        None => text.to_owned(),
    }
}

mod recover;
#[cfg(test)]
mod tests;
