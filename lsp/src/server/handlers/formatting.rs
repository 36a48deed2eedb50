//! `textDocument/formatting`: `gtc fmt`, as one edit of the whole document.

use super::file_of;
use crate::analysis::formatting::formatting as format_file;
use crate::analysis::line_index::line_index;
use crate::server::Backend;
use crate::server::convert::{position, refused};
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types as lsp;

pub async fn formatting(
    b: &Backend,
    p: lsp::DocumentFormattingParams,
) -> jsonrpc::Result<Option<Vec<lsp::TextEdit>>> {
    b.query(move |a, st| {
        a.with(|db, _| {
            let enc = st.encoding();
            let file = file_of(a, &p.text_document.uri)?;
            let Some(new_text) = format_file(db, file).map_err(refused)? else {
                return Ok(None);
            };
            let index = line_index(db, file);
            let end = position(index, index.text().len(), enc);
            Ok(Some(vec![lsp::TextEdit {
                range: lsp::Range::new(lsp::Position::new(0, 0), end),
                new_text,
            }]))
        })
    })
    .await
}
