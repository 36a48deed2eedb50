//! `textDocument/didChange`: full and incremental changes, applied in order to the text
//! under the host's lock (ranges are in the negotiated encoding, each relative to the
//! text the previous change left).

use crate::analysis::line_index::{Encoding, LineIndex};
use crate::server::Backend;
use crate::server::convert::{path_of, span};
use std::sync::Arc;
use tower_lsp_server::ls_types as lsp;

/// The text of `index` with `changes` applied in order.
pub fn apply(
    index: &LineIndex,
    changes: Vec<lsp::TextDocumentContentChangeEvent>,
    enc: Encoding,
) -> String {
    let mut text = index.text().to_owned();
    // The first change's positions are in the indexed text (usually the only change:
    // the index is the one the last diagnostics were converted with).
    let mut changed = false;
    for c in changes {
        match c.range {
            None => text = c.text,
            Some(range) => {
                let s = if changed {
                    span(&LineIndex::new(Arc::from(text.as_str())), range, enc)
                } else {
                    span(index, range, enc)
                };
                text.replace_range(s.start()..s.end().max(s.start()), &c.text);
            }
        }
        changed = true;
    }
    text
}

pub fn did_change(b: &Backend, p: lsp::DidChangeTextDocumentParams) {
    let Some(path) = path_of(&p.text_document.uri) else {
        return;
    };
    let enc = b.state.encoding();
    {
        let mut host = b.state.host();
        let next = match host.line_index(&path) {
            Some(current) => apply(current, p.content_changes, enc),
            None => apply(&LineIndex::new(Arc::from("")), p.content_changes, enc),
        };
        host.set_file(&path, Arc::from(next));
        b.state
            .set_open(&host, path.clone(), p.text_document.version);
    }
    b.republish(Some(path));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(
        range: Option<((u32, u32), (u32, u32))>,
        text: &str,
    ) -> lsp::TextDocumentContentChangeEvent {
        lsp::TextDocumentContentChangeEvent {
            range: range.map(|((l1, c1), (l2, c2))| {
                lsp::Range::new(lsp::Position::new(l1, c1), lsp::Position::new(l2, c2))
            }),
            range_length: None,
            text: text.to_owned(),
        }
    }

    #[test]
    fn incremental_changes_apply_in_order_in_either_encoding() {
        let text = "title = \"𝄞é\"\nid = \"x\"\n";
        // UTF-16: `𝄞` is two units, so `é` starts at column 11.
        let got = apply(
            &LineIndex::new(Arc::from(text)),
            vec![
                change(Some(((0, 11), (0, 12))), "e"),
                change(Some(((1, 6), (1, 7))), "yz"),
            ],
            Encoding::Utf16,
        );
        assert_eq!(got, "title = \"𝄞e\"\nid = \"yz\"\n");
        // UTF-8: `é` starts at byte 13.
        let got = apply(
            &LineIndex::new(Arc::from(text)),
            vec![change(Some(((0, 13), (0, 15))), "e")],
            Encoding::Utf8,
        );
        assert_eq!(got, "title = \"𝄞e\"\nid = \"x\"\n");
        // A full change, then an insertion relative to the new text.
        let got = apply(
            &LineIndex::new(Arc::from(text)),
            vec![change(None, "a\n"), change(Some(((1, 0), (1, 0))), "b")],
            Encoding::Utf16,
        );
        assert_eq!(got, "a\nb");
        // Out-of-range positions are clamped, never a panic.
        let got = apply(
            &LineIndex::new(Arc::from("ab")),
            vec![change(Some(((5, 9), (0, 1))), "X")],
            Encoding::Utf16,
        );
        assert_eq!(got, "abX");
    }
}
