//! Tree -> TOML. Key-values of a table come first, then its sub-tables (`[a.b]`) and
//! arrays of tables (`[[a.b]]`), each in source order; values inside arrays are
//! written inline. Multi-line strings become `"""` strings.

use super::json::float;
use super::{EmitError, quoted};
use crate::syntax::{Entry, Node, NodeKind};

pub(super) fn emit(root: &Node) -> Result<String, EmitError> {
    let NodeKind::Table(entries) = &root.kind else {
        return Err(EmitError {
            span: root.span,
            message: format!("a TOML document is a table, not {}", root.kind_name()),
        });
    };
    let mut out = String::new();
    table(entries, &mut Vec::new(), &mut out)?;
    Ok(out)
}

fn key(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        k.to_owned()
    } else {
        quoted(k)
    }
}

/// Whether a value is written as a section (`[t]` / `[[t]]`) rather than inline.
fn is_section(v: &Node) -> bool {
    match &v.kind {
        NodeKind::Table(_) => true,
        NodeKind::Array(items) => {
            !items.is_empty() && items.iter().all(|i| matches!(i.kind, NodeKind::Table(_)))
        }
        _ => false,
    }
}

fn table(entries: &[Entry], path: &mut Vec<String>, out: &mut String) -> Result<(), EmitError> {
    for e in entries.iter().filter(|e| !is_section(&e.value)) {
        out.push_str(&key(&e.key));
        out.push_str(" = ");
        out.push_str(&inline(&e.value, true)?);
        out.push('\n');
    }
    for e in entries.iter().filter(|e| is_section(&e.value)) {
        path.push(key(&e.key));
        match &e.value.kind {
            NodeKind::Table(sub) => {
                // A table holding only sections needs no header of its own.
                if sub.is_empty() || sub.iter().any(|s| !is_section(&s.value)) {
                    header(out, &format!("[{}]", path.join(".")));
                }
                table(sub, path, out)?;
            }
            NodeKind::Array(items) => {
                for item in items {
                    header(out, &format!("[[{}]]", path.join(".")));
                    if let NodeKind::Table(sub) = &item.kind {
                        table(sub, path, out)?;
                    }
                }
            }
            _ => {}
        }
        path.pop();
    }
    Ok(())
}

fn header(out: &mut String, h: &str) {
    if !out.is_empty() {
        out.push('\n');
    }
    out.push_str(h);
    out.push('\n');
}

fn inline(v: &Node, top: bool) -> Result<String, EmitError> {
    Ok(match &v.kind {
        NodeKind::Table(entries) => {
            let parts: Result<Vec<String>, EmitError> = entries
                .iter()
                .map(|e| Ok(format!("{} = {}", key(&e.key), inline(&e.value, false)?)))
                .collect();
            let parts = parts?;
            if parts.is_empty() {
                String::from("{}")
            } else {
                format!("{{ {} }}", parts.join(", "))
            }
        }
        NodeKind::Array(items) => {
            let parts: Result<Vec<String>, EmitError> =
                items.iter().map(|i| inline(i, false)).collect();
            format!("[{}]", parts?.join(", "))
        }
        NodeKind::String(s) if top && s.value.contains('\n') => multiline(&s.value),
        NodeKind::String(s) => quoted(&s.value),
        NodeKind::Integer(i) => i.to_string(),
        NodeKind::Float(f) if f.is_nan() => String::from("nan"),
        NodeKind::Float(f) if f.is_infinite() => {
            String::from(if *f > 0.0 { "inf" } else { "-inf" })
        }
        NodeKind::Float(f) => float(*f),
        NodeKind::Bool(b) => b.to_string(),
        NodeKind::Datetime(d) => d.clone(),
        NodeKind::Null | NodeKind::Invalid => {
            return Err(EmitError {
                span: v.span,
                message: String::from("TOML has no null; remove the value or give it one"),
            });
        }
    })
}

/// A `"""` string: the newline right after the opening quotes is dropped by TOML, so
/// the text starts on the next line exactly as it is.
fn multiline(s: &str) -> String {
    let mut out = String::from("\"\"\"\n");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push('\n'),
            '\t' => out.push('\t'),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push_str("\"\"\"");
    out
}
