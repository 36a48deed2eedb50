//! Edits of a formula file in its own format, for fixes that add or remove more than the
//! text a diagnostic points at: declare a var (a `[vars.NAME]` table, a JSON member, a
//! YAML mapping entry) and remove a var's declaration. Each returns the replacements to
//! make, or `None` where the file's shape makes the edit uncertain (an inline table, a
//! flow mapping): a fix is offered only when applying it is sure to leave a valid file,
//! with comments and the rest of the text untouched.

use super::{Entry, Format, Node, NodeKind};
use crate::source::Span;

/// A replacement: the bytes of `Span` become the string.
pub type Edit = (Span, String);

/// Declare the var `name` (not declared yet) with an empty description, as required.
pub fn declare_var(text: &str, format: Format, root: &Node, name: &str) -> Option<Vec<Edit>> {
    let entries = root.as_table()?;
    let vars = vars_entry(entries);
    let at_point = |at: usize, s: String| Some(vec![(Span::new(at, at), s)]);
    match format {
        Format::Toml => {
            let block = format!("[vars.{name}]\ndescription = \"\"\nrequired = true\n");
            let after = match vars {
                Some(v) if opens_with(text, &v.value, '{') || v.value.as_table().is_none() => {
                    return None;
                }
                Some(v) => extent_end(&v.value).max(v.key_span.end()),
                None => 0,
            };
            match toml_headers(root, text).into_iter().find(|&h| h >= after) {
                Some(h) => at_point(line_start(text, h), format!("{block}\n")),
                None if text.is_empty() => at_point(0, block),
                None if text.ends_with('\n') => at_point(text.len(), format!("\n{block}")),
                None => at_point(text.len(), format!("\n\n{block}")),
            }
        }
        Format::Json => {
            let member = format!("\"{name}\": {{\"description\": \"\", \"required\": true}}");
            if !opens_with(text, root, '{') {
                return None;
            }
            match vars {
                Some(v) => {
                    let vars_entries = v.value.as_table()?;
                    match vars_entries.last() {
                        None => at_point(v.value.span.start() + 1, member),
                        Some(last) => {
                            let sep = json_separator(text, last);
                            at_point(extent_end(&last.value), format!(",{sep}{member}"))
                        }
                    }
                }
                None => {
                    let Some(prev) = entries.last() else {
                        return at_point(root.span.start() + 1, format!("\"vars\": {{{member}}}"));
                    };
                    let prev = anchor(entries)
                        .and_then(|i| i.checked_sub(1))
                        .and_then(|i| entries.get(i))
                        .unwrap_or(prev);
                    let sep = json_separator(text, prev);
                    let inner = if sep == " " {
                        member
                    } else {
                        format!("{sep}  {member}{sep}")
                    };
                    at_point(
                        extent_end(&prev.value),
                        format!(",{sep}\"vars\": {{{inner}}}"),
                    )
                }
            }
        }
        Format::Yaml => {
            if opens_with(text, root, '{') {
                return None;
            }
            match vars {
                Some(v) => {
                    let last = v.value.as_table()?.last()?;
                    if opens_with(text, &v.value, '{')
                        || !first_on_line(text, last.key_span.start())
                    {
                        return None;
                    }
                    let indent = " ".repeat(column(text, last.key_span.start()));
                    at_point(
                        line_content_end(text, extent_end(&last.value)),
                        format!(
                            "\n{indent}{name}:\n{indent}  description: \"\"\n{indent}  required: true"
                        ),
                    )
                }
                None => {
                    let block =
                        format!("vars:\n  {name}:\n    description: \"\"\n    required: true\n");
                    match anchor(entries).and_then(|i| entries.get(i)) {
                        Some(a) if column(text, a.key_span.start()) == 0 => {
                            at_point(line_start(text, a.key_span.start()), block)
                        }
                        Some(_) => None,
                        None if text.is_empty() || text.ends_with('\n') => {
                            at_point(text.len(), block)
                        }
                        None => at_point(text.len(), format!("\n{block}")),
                    }
                }
            }
        }
    }
}

/// Remove the declaration of the var `name`.
pub fn remove_var(text: &str, format: Format, root: &Node, name: &str) -> Option<Vec<Edit>> {
    let vars = vars_entry(root.as_table()?)?;
    let entries = vars.value.as_table()?;
    let i = entries.iter().position(|e| e.key == name)?;
    let e = &entries[i];
    let span = match format {
        Format::Toml if opens_with(text, &e.value, '[') => {
            // `[vars.NAME]` and its keys, and the blank lines after them.
            Span::new(
                line_start(text, e.value.span.start()),
                skip_blank_lines(text, line_end(text, extent_end(&e.value))),
            )
        }
        Format::Toml => whole_lines(text, e, &['=', '{', ',', '['])?,
        Format::Json => {
            if let Some(next) = entries.get(i + 1) {
                Span::new(e.key_span.start(), next.key_span.start())
            } else if let Some(prev) = i.checked_sub(1).and_then(|p| entries.get(p)) {
                Span::new(extent_end(&prev.value), extent_end(&e.value))
            } else {
                // The only var: leave `{}`.
                Span::new(
                    vars.value.span.start() + 1,
                    vars.value.span.end().saturating_sub(1),
                )
            }
        }
        Format::Yaml if opens_with(text, &vars.value, '{') => return None,
        // The only var: `vars:` with nothing under it would be null, not a table.
        Format::Yaml if entries.len() == 1 => whole_lines(text, vars, &['{', ',', '[', '-'])?,
        Format::Yaml => whole_lines(text, e, &['{', ',', '[', '-'])?,
    };
    Some(vec![(span, String::new())])
}

/// The root's `vars` entry (keys match without regard to ASCII case, as lowering does).
fn vars_entry(entries: &[Entry]) -> Option<&Entry> {
    entries.iter().find(|e| e.key.eq_ignore_ascii_case("vars"))
}

/// The index of the first step list of the root (where new top-level tables go before).
fn anchor(entries: &[Entry]) -> Option<usize> {
    entries.iter().position(|e| {
        ["steps", "template", "legs", "compose", "advice", "aspects"]
            .iter()
            .any(|k| e.key.eq_ignore_ascii_case(k))
    })
}

/// The lines holding the entry `e`, when it starts and ends its lines: nothing but
/// whitespace (or a dotted-key prefix, a sequence dash) before its key, nothing but
/// whitespace or a comment after its value. `bad` are the characters that, before the
/// key on its line, show it shares the line with another entry.
fn whole_lines(text: &str, e: &Entry, bad: &[char]) -> Option<Span> {
    let start = line_start(text, e.key_span.start());
    let before = text.get(start..e.key_span.start())?;
    if before.contains(bad) {
        return None;
    }
    let end = extent_end(&e.value).max(e.key_span.end());
    let rest = text.get(end..line_content_end(text, end))?.trim_start();
    if !(rest.is_empty() || rest.starts_with('#')) {
        return None;
    }
    Some(Span::new(start, line_end(text, end)))
}

/// Where a JSON member after `prev` goes: a newline and `prev`'s indentation when `prev`
/// starts its line, else a space.
fn json_separator(text: &str, prev: &Entry) -> String {
    if first_on_line(text, prev.key_span.start()) {
        format!("\n{}", " ".repeat(column(text, prev.key_span.start())))
    } else {
        String::from(" ")
    }
}

/// The starts of the TOML table headers (`[x]`, `[[x]]`), in order.
fn toml_headers(root: &Node, text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        match &n.kind {
            NodeKind::Table(entries) => {
                if !std::ptr::eq(n, root) && opens_with(text, n, '[') {
                    out.push(n.span.start());
                }
                stack.extend(entries.iter().map(|e| &e.value));
            }
            NodeKind::Array(items) => stack.extend(items.iter()),
            _ => {}
        }
    }
    out.sort_unstable();
    out
}

/// The end of the last byte of `node` or anything inside it (a TOML header table's own
/// span is its header only).
fn extent_end(node: &Node) -> usize {
    let mut end = node.span.end();
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        end = end.max(n.span.end());
        match &n.kind {
            NodeKind::Table(entries) => {
                for e in entries {
                    end = end.max(e.key_span.end());
                    stack.push(&e.value);
                }
            }
            NodeKind::Array(items) => stack.extend(items.iter()),
            _ => {}
        }
    }
    end
}

fn opens_with(text: &str, node: &Node, c: char) -> bool {
    text.get(node.span.start()..)
        .is_some_and(|t| t.starts_with(c))
}

fn line_start(text: &str, at: usize) -> usize {
    text.get(..at)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1)
}

/// The end of the line holding `at`, before its line break.
fn line_content_end(text: &str, at: usize) -> usize {
    text.get(at..)
        .and_then(|t| t.find('\n'))
        .map_or(text.len(), |i| at + i)
}

/// The start of the line after the one holding `at` (or the end of the text).
fn line_end(text: &str, at: usize) -> usize {
    (line_content_end(text, at) + 1).min(text.len())
}

fn skip_blank_lines(text: &str, mut at: usize) -> usize {
    while at < text.len() {
        let next = line_end(text, at);
        if text.get(at..next).is_some_and(|l| l.trim().is_empty()) && next > at {
            at = next;
        } else {
            break;
        }
    }
    at
}

fn column(text: &str, at: usize) -> usize {
    at - line_start(text, at)
}

fn first_on_line(text: &str, at: usize) -> bool {
    text.get(line_start(text, at)..at)
        .is_some_and(|b| b.trim().is_empty())
}

#[cfg(test)]
mod tests;
