//! Writers for a resolved formula: JSON (deterministic, for machines) and an
//! indented tree (for people).

use super::types::{RStep, Resolved};

/// Pretty JSON with a trailing newline.
///
/// A resolved formula holds only strings, numbers, lists and maps with string keys,
/// which `serde_json` always encodes: a failure is a bug and panics (exit 2) instead of
/// printing nothing.
pub fn to_json(r: &Resolved) -> String {
    let mut s = serde_json::to_string_pretty(r)
        .expect("a resolved formula (string keys only) encodes as JSON");
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

/// Every step, depth-first, with its parent's id.
fn flatten<'a>(
    steps: &'a [RStep],
    parent: Option<&'a str>,
    out: &mut Vec<(&'a RStep, Option<&'a str>)>,
) {
    for s in steps {
        out.push((s, parent));
        flatten(&s.children, Some(&s.id), out);
    }
}

fn label(s: &RStep) -> String {
    match &s.title {
        Some(t) => format!("{}\n{t}", s.id),
        None => s.id.clone(),
    }
}

/// Graphviz: an edge from each dependency to its dependent; children hang off their
/// parent with a dashed edge.
pub fn to_dot(r: &Resolved) -> String {
    let q = |s: &str| {
        format!(
            "\"{}\"",
            s.replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('\n', "\\n")
        )
    };
    let mut all = Vec::new();
    flatten(&r.steps, None, &mut all);
    let mut out = format!(
        "digraph {} {{\n  rankdir=LR;\n  node [shape=box];\n",
        q(&r.formula)
    );
    for (s, _) in &all {
        out.push_str(&format!("  {} [label={}];\n", q(&s.id), q(&label(s))));
    }
    for (s, parent) in &all {
        if let Some(p) = parent {
            out.push_str(&format!(
                "  {} -> {} [style=dashed, arrowhead=none];\n",
                q(p),
                q(&s.id)
            ));
        }
        for n in &s.needs {
            out.push_str(&format!("  {} -> {};\n", q(n), q(&s.id)));
        }
    }
    out.push_str("}\n");
    out
}

/// Mermaid flowchart: nodes numbered in step order, labels quoted.
pub fn to_mermaid(r: &Resolved) -> String {
    let mut all = Vec::new();
    flatten(&r.steps, None, &mut all);
    let ids: std::collections::HashMap<&str, usize> = all
        .iter()
        .enumerate()
        .map(|(i, (s, _))| (s.id.as_str(), i))
        .collect();
    let text = |s: &str| s.replace('"', "#quot;").replace('\n', "<br/>");
    let mut out = String::from("flowchart TD\n");
    for (i, (s, _)) in all.iter().enumerate() {
        out.push_str(&format!("  s{i}[\"{}\"]\n", text(&label(s))));
    }
    for (i, (s, parent)) in all.iter().enumerate() {
        if let Some(p) = parent.and_then(|p| ids.get(p)) {
            out.push_str(&format!("  s{p} -.- s{i}\n"));
        }
        for n in &s.needs {
            match ids.get(n.as_str()) {
                Some(j) => out.push_str(&format!("  s{j} --> s{i}\n")),
                None => out.push_str(&format!(
                    "  missing_{i}[\"{} (not a step)\"] --> s{i}\n",
                    text(n)
                )),
            }
        }
    }
    out
}

/// Why a step looks the way it does: where it was written and every rule that
/// produced or changed it, in order. `None` when there is no such step.
pub fn explain_step(r: &Resolved, id: &str) -> Option<String> {
    let mut all = Vec::new();
    flatten(&r.steps, None, &mut all);
    let (s, parent) = all.into_iter().find(|(s, _)| s.id == id)?;
    let src = &s.source;
    let mut out = format!("step `{}`", s.id);
    if let Some(t) = &s.title {
        out.push_str(&format!(" ({t})"));
    }
    out.push_str(&format!(
        "\n  written in {} at {}:{} ({})\n",
        src.formula, src.file, src.line, src.path
    ));
    for (i, h) in src.history.iter().enumerate() {
        out.push_str(&format!("  {}. {h}\n", i + 1));
    }
    if let Some(p) = parent {
        out.push_str(&format!("  child of `{p}`\n"));
    }
    if s.needs.is_empty() {
        out.push_str("  needs nothing\n");
    } else {
        out.push_str(&format!("  needs: {}\n", s.needs.join(", ")));
    }
    Some(out)
}

/// Ids of every step, for suggestions.
pub fn step_ids(r: &Resolved) -> Vec<String> {
    let mut all = Vec::new();
    flatten(&r.steps, None, &mut all);
    all.into_iter().map(|(s, _)| s.id.clone()).collect()
}
