//! Folding ranges: every table and array (a TOML `[header]` table from its header to its
//! last entry) and every string that spans lines.

use gtc::db::{SourceFile, parse};
use gtc::source::Span;
use gtc::syntax::{Node, NodeKind};

/// The foldable regions of `file` (the server keeps those that span lines), sorted.
pub fn folding(db: &dyn salsa::Database, file: SourceFile) -> Vec<Span> {
    let root = &parse(db, file).root;
    let text = file.text(db);
    let mut out = Vec::new();
    // Post-order with an explicit stack, so each container's extent covers its contents.
    let mut stack: Vec<(&Node, bool)> = vec![(root, false)];
    let mut extents: Vec<Span> = Vec::new();
    while let Some((node, visited)) = stack.pop() {
        let children: Vec<&Node> = match &node.kind {
            NodeKind::Table(es) => es.iter().map(|e| &e.value).collect(),
            NodeKind::Array(items) => items.iter().collect(),
            _ => Vec::new(),
        };
        if !visited {
            stack.push((node, true));
            stack.extend(children.iter().rev().map(|c| (*c, false)));
            continue;
        }
        let n = children.len();
        let inner: Vec<Span> = extents.split_off(extents.len().saturating_sub(n));
        let mut extent = node.span;
        if let NodeKind::Table(es) = &node.kind {
            for e in es {
                extent = extent.cover(e.key_span);
            }
        }
        extent = inner.into_iter().fold(extent, Span::cover);
        let multiline = text
            .get(extent.range())
            .is_some_and(|t| t.trim_end().contains('\n'));
        if multiline && !std::ptr::eq(node, root) {
            out.push(extent);
        }
        extents.push(extent);
    }
    out.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use crate::analysis::fixture::host;

    #[test]
    fn tables_arrays_and_long_strings() {
        let (h, _) = host(
            "//- /w/a.formula.toml\nformula = \"a\"\n[vars.x]\ndefault = \"1\"\n\n[[steps]]\nid = \"s\"\nneeds = [\n  \"a\",\n]\ndescription = \"\"\"\nlong\n\"\"\"\n\n[[steps]]\nid = \"t\"\n",
        );
        let a = h.analysis();
        let f = a.files()[0];
        let text = f.text(a.db()).clone();
        let got = a.with(|db, _| super::folding(db, f)).unwrap_or_default();
        let shown: Vec<String> = got
            .iter()
            .map(|s| text.get(s.range()).unwrap_or("").replace('\n', "⏎"))
            .collect();
        insta::assert_debug_snapshot!(shown);
    }
}
