//! Tree -> YAML in block style. Strings are double-quoted (JSON escapes are valid
//! YAML), except multi-line text, which becomes a literal block scalar when that
//! reads back exactly.

use super::json::float;
use super::quoted;
use crate::syntax::{Node, NodeKind};

pub(super) fn emit(root: &Node) -> String {
    let mut out = String::new();
    match &root.kind {
        NodeKind::Table(entries) if !entries.is_empty() => mapping(entries, 0, &mut out),
        _ => {
            out.push_str(&inline(root, 0));
            out.push('\n');
        }
    }
    out
}

fn key(k: &str) -> String {
    let plain = !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !matches!(
            k.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n" | "~"
        )
        && k.parse::<f64>().is_err()
        && !k.starts_with('-');
    if plain { k.to_owned() } else { quoted(k) }
}

fn mapping(entries: &[crate::syntax::Entry], indent: usize, out: &mut String) {
    for e in entries {
        out.push_str(&" ".repeat(indent));
        out.push_str(&key(&e.key));
        out.push(':');
        block_value(&e.value, indent, out);
    }
}

/// Write a value after `key:` or `-`: on the same line if scalar, else nested below.
fn block_value(v: &Node, indent: usize, out: &mut String) {
    match &v.kind {
        NodeKind::Table(entries) if !entries.is_empty() => {
            out.push('\n');
            mapping(entries, indent + 2, out);
        }
        NodeKind::Array(items) if !items.is_empty() => {
            out.push('\n');
            sequence(items, indent + 2, out);
        }
        NodeKind::String(s) if literal_ok(&s.value) => {
            let chomp = if s.value.ends_with("\n\n") {
                "+"
            } else if s.value.ends_with('\n') {
                ""
            } else {
                "-"
            };
            let body_indent = indent + 2;
            // Content indented by 2 past the parent; say so when the text itself starts
            // with spaces, which would otherwise be read as the indentation.
            let indicator = if s.value.starts_with(' ') { "2" } else { "" };
            out.push_str(&format!(" |{indicator}{chomp}\n"));
            let text = s.value.strip_suffix('\n').unwrap_or(&s.value);
            for line in text.split('\n') {
                if !line.is_empty() {
                    out.push_str(&" ".repeat(body_indent));
                    out.push_str(line);
                }
                out.push('\n');
            }
        }
        _ => {
            out.push(' ');
            out.push_str(&inline(v, indent));
            out.push('\n');
        }
    }
}

fn sequence(items: &[Node], indent: usize, out: &mut String) {
    for item in items {
        out.push_str(&" ".repeat(indent));
        out.push('-');
        match &item.kind {
            NodeKind::Table(entries) if !entries.is_empty() => {
                // First entry on the dash line, the rest aligned under it.
                let mut first = true;
                for e in entries {
                    if first {
                        out.push(' ');
                        first = false;
                    } else {
                        out.push_str(&" ".repeat(indent + 2));
                    }
                    out.push_str(&key(&e.key));
                    out.push(':');
                    block_value(&e.value, indent + 2, out);
                }
            }
            _ => block_value(item, indent, out),
        }
    }
}

/// Flow form for scalars and empty collections.
fn inline(v: &Node, _indent: usize) -> String {
    match &v.kind {
        NodeKind::Table(_) => String::from("{}"),
        NodeKind::Array(_) => String::from("[]"),
        NodeKind::String(s) if plain_ok(&s.value) => s.value.clone(),
        NodeKind::String(s) => quoted(&s.value),
        NodeKind::Integer(i) => i.to_string(),
        NodeKind::Float(f) if f.is_nan() => String::from(".nan"),
        NodeKind::Float(f) if f.is_infinite() => {
            String::from(if *f > 0.0 { ".inf" } else { "-.inf" })
        }
        NodeKind::Float(f) => float(*f),
        NodeKind::Bool(b) => b.to_string(),
        NodeKind::Datetime(d) => quoted(d),
        NodeKind::Null | NodeKind::Invalid => String::from("null"),
    }
}

/// Whether a multi-line string reads back exactly from a literal block scalar.
fn literal_ok(s: &str) -> bool {
    s.contains('\n')
        && !s.chars().any(|c| {
            (c.is_control() && c != '\n')
                || c == '\u{feff}'
                || c == '\u{85}'
                || c == '\u{2028}'
                || c == '\u{2029}'
        })
        && !s.split('\n').any(|l| l.ends_with(' ') || l.ends_with('\t'))
        && !s.starts_with('\n')
        && !s
            .split('\n')
            .any(|l| l.starts_with(' ') && l.trim().is_empty())
}

/// Whether a string can be written unquoted and read back as the same string: plain
/// words and sentences without YAML indicators, never a keyword or a number.
fn plain_ok(s: &str) -> bool {
    let mut chars = s.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_alphabetic());
    first_ok
        && s.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '_' | '-' | '.' | '/' | '(' | ')'))
        && !s.ends_with(' ')
        && !s.contains("  ")
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n" | "inf" | "nan"
        )
        && s.parse::<f64>().is_err()
}
