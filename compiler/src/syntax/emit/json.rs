//! Tree -> JSON, two-space indented, keys in source order.

use super::quoted;
use crate::syntax::{Node, NodeKind};

pub(super) fn emit(root: &Node) -> String {
    let mut out = String::new();
    value(root, 0, &mut out);
    out.push('\n');
    out
}

fn value(node: &Node, depth: usize, out: &mut String) {
    let pad = |d: usize| "  ".repeat(d);
    match &node.kind {
        NodeKind::Table(entries) if entries.is_empty() => out.push_str("{}"),
        NodeKind::Table(entries) => {
            out.push_str("{\n");
            for (i, e) in entries.iter().enumerate() {
                out.push_str(&pad(depth + 1));
                out.push_str(&quoted(&e.key));
                out.push_str(": ");
                value(&e.value, depth + 1, out);
                out.push_str(if i + 1 < entries.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(depth));
            out.push('}');
        }
        NodeKind::Array(items) if items.is_empty() => out.push_str("[]"),
        NodeKind::Array(items) => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                out.push_str(&pad(depth + 1));
                value(item, depth + 1, out);
                out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(depth));
            out.push(']');
        }
        NodeKind::String(s) => out.push_str(&quoted(&s.value)),
        NodeKind::Integer(i) => out.push_str(&i.to_string()),
        NodeKind::Float(f) if f.is_finite() => out.push_str(&float(*f)),
        // JSON has no infinities or NaN: keep the value as a string rather than lose it.
        NodeKind::Float(f) => out.push_str(&quoted(&f.to_string())),
        NodeKind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        NodeKind::Datetime(d) => out.push_str(&quoted(d)),
        NodeKind::Null | NodeKind::Invalid => out.push_str("null"),
    }
}

/// A float that reads back as a float (`1.0`, not `1`).
pub(crate) fn float(f: f64) -> String {
    let s = format!("{f:?}");
    if s.contains(['.', 'e', 'E']) {
        s
    } else {
        format!("{s}.0")
    }
}
