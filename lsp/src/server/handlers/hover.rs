//! `textDocument/hover`.

use super::at;
use crate::analysis::hover::hover as hover_at;
use crate::server::Backend;
use crate::server::convert::file_range;
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types as lsp;

pub async fn hover(b: &Backend, p: lsp::HoverParams) -> jsonrpc::Result<Option<lsp::Hover>> {
    b.query(move |a, st| {
        a.with(|db, ws| {
            let enc = st.encoding();
            let (file, offset) = at(a, &p.text_document_position_params, enc)?;
            Ok(hover_at(db, ws, file, offset).map(|h| lsp::Hover {
                contents: lsp::HoverContents::Markup(lsp::MarkupContent {
                    kind: lsp::MarkupKind::Markdown,
                    value: h.markdown,
                }),
                range: Some(file_range(db, file, h.span, enc)),
            }))
        })
    })
    .await
}
