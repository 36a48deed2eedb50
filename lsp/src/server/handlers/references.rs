//! `textDocument/references`.

use super::at;
use crate::analysis::references::references as refs;
use crate::server::Backend;
use crate::server::convert::location;
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types as lsp;

pub async fn references(
    b: &Backend,
    p: lsp::ReferenceParams,
) -> jsonrpc::Result<Option<Vec<lsp::Location>>> {
    b.query(move |a, st| {
        a.with(|db, ws| {
            let enc = st.encoding();
            let (file, offset) = at(a, &p.text_document_position, enc)?;
            let found: Vec<lsp::Location> =
                refs(db, ws, file, offset, p.context.include_declaration)
                    .iter()
                    .filter_map(|t| location(a, t, enc))
                    .collect();
            Ok((!found.is_empty()).then_some(found))
        })
    })
    .await
}
