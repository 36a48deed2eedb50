//! YAML in canonical form, limited to whitespace that cannot change meaning: trailing
//! spaces and tabs go, runs of blank lines become one, blank lines at the start and end
//! of the file go, and the file ends with one newline. Lines inside a multi-line scalar
//! are left exactly as written, and so are indentation, quoting, flow style and
//! comments: re-indenting YAML safely needs a comment-keeping YAML writer, which the
//! maintained parsers do not offer.
//!
//! Whitespace can still carry meaning (a `|+` block scalar keeps its trailing blank
//! lines, a `|` one the trailing spaces of its last line): the caller checks that the
//! result means the same and keeps the file as it is otherwise.

use crate::syntax::{Node, NodeKind};

/// The whitespace-normalised text; `root` is the text's parsed tree.
pub(super) fn format(text: &str, root: &Node) -> String {
    let kept = scalar_lines(text, root);
    let mut out = String::with_capacity(text.len());
    let mut blanks = false;
    let mut offset = 0usize;
    for line in text.split('\n') {
        let start = offset;
        offset += line.len() + 1;
        if kept.iter().any(|r| r.contains(&start)) {
            if blanks {
                out.push('\n');
                blanks = false;
            }
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let (body, cr) = match line.strip_suffix('\r') {
            Some(body) => (body, "\r"),
            None => (line, ""),
        };
        let body = body.trim_end_matches([' ', '\t']);
        if body.is_empty() {
            blanks = !out.is_empty();
            continue;
        }
        if blanks {
            out.push_str(cr);
            out.push('\n');
            blanks = false;
        }
        out.push_str(body);
        out.push_str(cr);
        out.push('\n');
    }
    out
}

/// Byte ranges of the lines (from their starts) that a multi-line string spans.
fn scalar_lines(text: &str, root: &Node) -> Vec<std::ops::Range<usize>> {
    let mut ranges = Vec::new();
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        match &node.kind {
            NodeKind::Table(entries) => stack.extend(entries.iter().map(|e| &e.value)),
            NodeKind::Array(items) => stack.extend(items.iter()),
            NodeKind::String(_) => {
                let (start, end) = (node.span.start(), node.span.end());
                if text.get(start..end).is_some_and(|s| s.contains('\n')) {
                    let line_start = text
                        .get(..start)
                        .and_then(|s| s.rfind('\n'))
                        .map_or(0, |i| i + 1);
                    ranges.push(line_start..end.max(line_start + 1));
                }
            }
            _ => {}
        }
    }
    ranges
}
