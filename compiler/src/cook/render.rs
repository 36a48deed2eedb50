//! Writers for a resolved formula: JSON (deterministic, for machines) and an
//! indented tree (for people).

use super::types::{RStep, Resolved};

/// Pretty JSON with a trailing newline.
pub fn to_json(r: &Resolved) -> String {
    let mut s = serde_json::to_string_pretty(r).unwrap_or_default();
    s.push('\n');
    s
}

/// An indented tree: one line per step with its dependencies.
pub fn to_tree(r: &Resolved) -> String {
    let total = super::loops::count_steps(&r.steps);
    let mut out = format!(
        "{} ({}, {} step{})\n",
        r.formula,
        r.kind,
        total,
        if total == 1 { "" } else { "s" }
    );
    tree(&r.steps, "", &mut out);
    out
}

fn tree(steps: &[RStep], indent: &str, out: &mut String) {
    for (i, s) in steps.iter().enumerate() {
        let last = i + 1 == steps.len();
        out.push_str(indent);
        out.push_str(if last { "└── " } else { "├── " });
        out.push_str(&s.id);
        if let Some(t) = &s.title {
            out.push_str(": ");
            out.push_str(t);
        }
        if !s.needs.is_empty() {
            out.push_str(&format!("  [needs: {}]", s.needs.join(", ")));
        }
        if let Some(c) = &s.condition {
            out.push_str(&format!("  [if: {c}]"));
        }
        out.push('\n');
        let child_indent = format!("{indent}{}", if last { "    " } else { "│   " });
        tree(&s.children, &child_indent, out);
    }
}
