//! TOML in canonical form. `toml_edit` keeps every key, value and comment as written
//! and in order; this module rewrites only the "decor", the whitespace around them:
//!
//! - `key = value`: one space each side of `=`, none around the dots of a dotted key,
//!   no indentation; a comment after a value or a header is kept, two spaces before `#`.
//! - Exactly one blank line before each `[table]` / `[[array]]` header and none right
//!   after it; elsewhere runs of blank lines become one; none at the start of the file;
//!   one newline at its end.
//! - Comment lines keep their text and position, unindented (items of a multi-line
//!   array: indented like the items).
//! - An array without comments that fits in [`MAX_WIDTH`] columns is written on one line,
//!   `[a, b]`; otherwise one item per line, indented two spaces, with a trailing comma.
//! - An inline table is written `{ k = v, k2 = v2 }` (kept as written when it spans
//!   lines or holds comments, which TOML 1.1 allows).
//! - Strings (basic, literal, multi-line), numbers and dates are kept exactly as written.

use super::MAX_WIDTH;
use toml_edit::{Array, DocumentMut, InlineTable, Item, RawString, Table, Value};

/// Two spaces per level of a multi-line array.
const INDENT: &str = "  ";

/// Format TOML text (which must parse).
pub(super) fn format(text: &str) -> Result<String, String> {
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| format!("toml_edit cannot read the file: {e}"))?;
    let prefix = raw(doc.decor().prefix());
    let suffix = raw(doc.decor().suffix());
    doc.decor_mut().set_prefix(leading(&prefix, Lead::Keep));
    doc.decor_mut().set_suffix(leading(&suffix, Lead::Keep));
    table_body(doc.as_table_mut(), 0, &mut true);
    let trailing = raw(Some(doc.trailing()));
    doc.set_trailing(leading(&trailing, Lead::Keep));
    let out = doc.to_string();
    // The file's ends are never inside a string: trim them.
    let out = out.trim_start_matches(['\n', ' ', '\t', '\r']).trim_end();
    Ok(if out.is_empty() {
        String::new()
    } else {
        format!("{out}\n")
    })
}

/// The comments of TOML text, in order, trailing whitespace trimmed.
pub(super) fn comments(text: &str) -> Vec<String> {
    toml_parser::Source::new(text)
        .lex()
        .filter(|t| t.kind() == toml_parser::lexer::TokenKind::Comment)
        .filter_map(|t| text.get(t.span().start()..t.span().end()))
        .map(|c| c.trim_end().to_string())
        .collect()
}

fn raw(s: Option<&RawString>) -> String {
    s.and_then(RawString::as_str).unwrap_or("").to_string()
}

/// What to do with blank lines before an item.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Lead {
    /// Exactly one blank line first (table headers).
    One,
    /// At most one, if the author wrote any.
    Keep,
    /// None (the first item of a multi-line array).
    None,
}

/// A line of decor: blank, or a comment.
enum Line<'a> {
    Blank,
    Comment(&'a str),
}

/// The lines of decor text that stand before an item on its own line: each full line
/// (blank or comment); the last segment (the item's indentation) is dropped.
fn lines(raw: &str) -> Vec<Line<'_>> {
    let mut segments: Vec<&str> = raw.split('\n').collect();
    let last = segments.pop().unwrap_or("");
    let mut out: Vec<Line<'_>> = segments
        .into_iter()
        .map(|s| match s.trim() {
            "" => Line::Blank,
            c => Line::Comment(c),
        })
        .collect();
    // Never expected (a comment runs to the end of its line), but never lose text.
    if !last.trim().is_empty() {
        out.push(Line::Comment(last.trim()));
    }
    out
}

/// Blank-line runs collapsed to one, leading blanks per `lead`, then each line
/// written with `indent` (blank lines stay empty).
fn render_lines(lines: &[Line<'_>], lead: Lead, indent: &str, out: &mut String) {
    let starts_blank = matches!(lines.first(), Some(Line::Blank));
    match lead {
        Lead::One => out.push('\n'),
        Lead::Keep if starts_blank => out.push('\n'),
        _ => {}
    }
    let mut blank = true;
    for line in lines {
        match line {
            Line::Blank => {
                if !blank {
                    out.push('\n');
                }
                blank = true;
            }
            Line::Comment(c) => {
                out.push_str(indent);
                out.push_str(c);
                out.push('\n');
                blank = false;
            }
        }
    }
}

/// The decor before a key or header: its comment lines, blank lines per `lead`.
fn leading(raw: &str, lead: Lead) -> String {
    let mut out = String::new();
    render_lines(&lines(raw), lead, "", &mut out);
    out
}

/// The decor after a value or header on its line: a comment, two spaces before it.
fn same_line(raw: &str) -> String {
    match raw.find('#') {
        Some(at) => format!("  {}", raw[at..].trim_end()),
        None => String::new(),
    }
}

/// The key/value pairs and sub-tables of `table`; `col` is the width of the dotted key
/// prefix in front of its keys (`a.b.` for the pairs of dotted table `a.b`).
fn table_body(table: &mut Table, col: usize, first: &mut bool) {
    for (mut key, item) in table.iter_mut() {
        let width = col + key.display_repr().chars().count();
        match item {
            Item::None => {}
            Item::Value(value) => {
                let prefix = raw(key.leaf_decor().prefix());
                // No blank line right after a header.
                let lead = if std::mem::take(first) {
                    Lead::None
                } else {
                    Lead::Keep
                };
                key.leaf_decor_mut().set_prefix(leading(&prefix, lead));
                key.leaf_decor_mut().set_suffix(" ");
                key.dotted_decor_mut().set_prefix("");
                key.dotted_decor_mut().set_suffix("");
                top_value(value, width + 3);
            }
            Item::Table(sub) if sub.is_dotted() => {
                key.dotted_decor_mut().set_prefix("");
                key.dotted_decor_mut().set_suffix("");
                table_body(sub, width + 1, first);
            }
            Item::Table(sub) => {
                header_key(&mut key);
                header(sub);
                table_body(sub, 0, &mut true);
            }
            Item::ArrayOfTables(tables) => {
                header_key(&mut key);
                for sub in tables.iter_mut() {
                    header(sub);
                    table_body(sub, 0, &mut true);
                }
            }
        }
    }
}

/// A key as part of a `[header]` path: no spaces inside the brackets.
fn header_key(key: &mut toml_edit::KeyMut<'_>) {
    let prefix = raw(key.leaf_decor().prefix());
    // Text before `[` that spans lines (not produced by parsing) keeps its comments.
    key.leaf_decor_mut().set_prefix(if prefix.contains('\n') {
        leading(&prefix, Lead::Keep)
    } else {
        String::new()
    });
    key.leaf_decor_mut().set_suffix("");
    key.dotted_decor_mut().set_prefix("");
    key.dotted_decor_mut().set_suffix("");
}

/// A table's header line: one blank line and its comments before, a comment after.
fn header(table: &mut Table) {
    let prefix = raw(table.decor().prefix());
    let suffix = raw(table.decor().suffix());
    table.decor_mut().set_prefix(leading(&prefix, Lead::One));
    table.decor_mut().set_suffix(same_line(&suffix));
}

/// The value of a `key = value` line, which starts at column `col`.
fn top_value(value: &mut Value, col: usize) {
    match value {
        Value::Array(array) => array_value(array, col, ""),
        Value::InlineTable(table) => inline_table(table),
        _ => {}
    }
    let suffix = raw(value.decor().suffix());
    value.decor_mut().set_prefix(" ");
    value.decor_mut().set_suffix(same_line(&suffix));
}

/// An array at column `col` whose closing bracket goes at `indent` if it is multi-line.
fn array_value(array: &mut Array, col: usize, indent: &str) {
    if array.iter().all(inlinable) {
        let mut probe = array.clone();
        inline_array(&mut probe);
        probe.decor_mut().set_prefix("");
        probe.decor_mut().set_suffix("");
        if !array_has_comment(array) && col + probe.to_string().chars().count() <= MAX_WIDTH {
            // The array's own decor is its caller's business.
            let decor = array.decor().clone();
            *array = probe;
            *array.decor_mut() = decor;
            return;
        }
    }
    multi_line_array(array, indent);
}

/// Whether a value may be written on one line (no comments, no line breaks inside).
fn inlinable(value: &Value) -> bool {
    match value {
        Value::String(s) => !s.display_repr().contains('\n'),
        Value::Array(a) => !array_has_comment(a) && a.iter().all(inlinable),
        Value::InlineTable(t) => !inline_table_kept(t) && t.iter().all(|(_, v)| inlinable(v)),
        _ => true,
    }
}

fn has_comment(raw: Option<&RawString>) -> bool {
    raw.and_then(RawString::as_str)
        .is_some_and(|s| s.contains('#'))
}

/// Whether the decor inside `array` (not nested values) holds a comment.
fn array_has_comment(array: &Array) -> bool {
    has_comment(Some(array.trailing()))
        || array
            .iter()
            .any(|v| has_comment(v.decor().prefix()) || has_comment(v.decor().suffix()))
}

/// Everything on one line: `[a, b, [c, d], { e = 1 }]`.
fn inline_array(array: &mut Array) {
    for (i, item) in array.iter_mut().enumerate() {
        match item {
            Value::Array(a) => inline_array(a),
            Value::InlineTable(t) => inline_table(t),
            _ => {}
        }
        item.decor_mut().set_prefix(if i == 0 { "" } else { " " });
        item.decor_mut().set_suffix("");
    }
    array.set_trailing_comma(false);
    array.set_trailing("");
}

/// One item per line at `indent` + two spaces, each followed by a comma; comments kept
/// where they were (a comment written after an item stays on that item's line).
fn multi_line_array(array: &mut Array, indent: &str) {
    let inner = format!("{indent}{INDENT}");
    // Comments written between an item and its comma, carried to after the comma.
    let mut carried = Carried::default();
    for (i, item) in array.iter_mut().enumerate() {
        match item {
            Value::Array(a) => array_value(a, inner.len(), &inner),
            Value::InlineTable(t) => inline_table(t),
            _ => {}
        }
        let prefix = raw(item.decor().prefix());
        let suffix = raw(item.decor().suffix());
        let lead = if i == 0 { Lead::None } else { Lead::Keep };
        let mut decor = String::new();
        item_lead(
            &prefix,
            std::mem::take(&mut carried),
            lead,
            &inner,
            &mut decor,
        );
        decor.push_str(&inner);
        item.decor_mut().set_prefix(decor);
        item.decor_mut().set_suffix("");
        carried = Carried::from_suffix(&suffix);
    }
    let trailing = raw(Some(array.trailing()));
    let mut decor = String::new();
    if !array.is_empty() || trailing.contains('#') {
        item_lead(&trailing, carried, Lead::None, &inner, &mut decor);
        // No blank line before the closing bracket.
        while decor.ends_with("\n\n") {
            decor.pop();
        }
    }
    decor.push_str(indent);
    array.set_trailing(decor);
    array.set_trailing_comma(!array.is_empty());
}

/// Comments found between an array item and its comma.
#[derive(Default)]
struct Carried {
    /// On the item's line.
    same_line: Option<String>,
    /// On lines of their own.
    own_lines: Vec<String>,
}

impl Carried {
    fn from_suffix(suffix: &str) -> Carried {
        let mut carried = Carried::default();
        for (i, segment) in suffix.split('\n').enumerate() {
            if let Some(at) = segment.find('#') {
                let c = segment[at..].trim_end().to_string();
                if i == 0 {
                    carried.same_line = Some(c);
                } else {
                    carried.own_lines.push(c);
                }
            }
        }
        carried
    }
}

/// The decor before an array item (or the closing bracket): the comment that belongs on
/// the previous line after its comma, a line break, then comment lines at `indent`.
fn item_lead(raw: &str, carried: Carried, lead: Lead, indent: &str, out: &mut String) {
    let (first, rest) = match raw.split_once('\n') {
        Some((first, rest)) => (first, Some(rest)),
        None => (raw, None),
    };
    let Carried {
        mut same_line,
        mut own_lines,
    } = carried;
    if let Some(at) = first.find('#') {
        let c = first[at..].trim_end().to_string();
        if same_line.is_none() && own_lines.is_empty() {
            same_line = Some(c);
        } else {
            own_lines.push(c);
        }
    }
    if let Some(c) = same_line {
        out.push_str("  ");
        out.push_str(&c);
    }
    out.push('\n');
    for c in own_lines {
        out.push_str(indent);
        out.push_str(&c);
        out.push('\n');
    }
    if let Some(rest) = rest {
        // `rest` ends with the item's indentation, like a key's prefix.
        render_lines(&lines(rest), lead, indent, out);
    }
}

/// Whether an inline table is kept as written: it spans lines or holds comments.
fn inline_table_kept(table: &InlineTable) -> bool {
    let odd = |r: Option<&RawString>| {
        r.and_then(RawString::as_str)
            .is_some_and(|s| s.contains(['#', '\n']))
    };
    // A dotted key inside (`{ a.b = 1 }`) is written flattened: keep those as they are.
    table
        .iter()
        .any(|(_, v)| matches!(v, Value::InlineTable(t) if t.is_dotted()))
        || odd(Some(table.trailing()))
        || table.iter().any(|(k, v)| {
            table.key(k).is_some_and(|key| {
                odd(key.leaf_decor().prefix())
                    || odd(key.leaf_decor().suffix())
                    || odd(key.dotted_decor().prefix())
                    || odd(key.dotted_decor().suffix())
            }) || odd(v.decor().prefix())
                || odd(v.decor().suffix())
        })
}

/// `{ k = v, k2 = v2 }` (or `{}`), nested values on one line too.
fn inline_table(table: &mut InlineTable) {
    if inline_table_kept(table) {
        return;
    }
    table.set_trailing("");
    table.set_trailing_comma(false);
    let last = table.len().saturating_sub(1);
    for (i, (mut key, value)) in table.iter_mut().enumerate() {
        key.leaf_decor_mut().set_prefix(" ");
        key.leaf_decor_mut().set_suffix(" ");
        key.dotted_decor_mut().set_prefix("");
        key.dotted_decor_mut().set_suffix("");
        match value {
            Value::Array(a) if inlinable_array(a) => inline_array(a),
            Value::InlineTable(t) => inline_table(t),
            _ => {}
        }
        value.decor_mut().set_prefix(" ");
        value
            .decor_mut()
            .set_suffix(if i == last { " " } else { "" });
    }
}

fn inlinable_array(array: &Array) -> bool {
    !array_has_comment(array) && array.iter().all(inlinable)
}
