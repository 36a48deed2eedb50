//! `textDocument/inlayHint`: each step's dependency count after composition.

use super::file_of;
use crate::analysis::inlay_hints::inlay_hints;
use crate::analysis::line_index::line_index;
use crate::server::Backend;
use crate::server::convert::{position, span};
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types as lsp;

pub async fn inlay_hint(
    b: &Backend,
    p: lsp::InlayHintParams,
) -> jsonrpc::Result<Option<Vec<lsp::InlayHint>>> {
    b.query(move |a, st| {
        a.with(|db, ws| {
            let enc = st.encoding();
            let file = file_of(a, &p.text_document.uri)?;
            let index = line_index(db, file);
            let wanted = span(index, p.range, enc);
            let hints = inlay_hints(db, ws, file)
                .into_iter()
                .filter(|h| wanted.start() <= h.offset && h.offset <= wanted.end())
                .map(|h| lsp::InlayHint {
                    position: position(index, h.offset, enc),
                    label: lsp::InlayHintLabel::String(h.label),
                    kind: None,
                    text_edits: None,
                    tooltip: Some(lsp::InlayHintTooltip::String(String::from(
                        "dependencies after composition (gtc cook)",
                    ))),
                    padding_left: Some(true),
                    padding_right: None,
                    data: None,
                })
                .collect();
            Ok(Some(hints))
        })
    })
    .await
}
