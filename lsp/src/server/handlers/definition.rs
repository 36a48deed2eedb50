//! `textDocument/definition`.

use super::at;
use crate::analysis::goto_definition::goto_definition as goto;
use crate::server::Backend;
use crate::server::convert::location;
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types as lsp;

pub async fn goto_definition(
    b: &Backend,
    p: lsp::GotoDefinitionParams,
) -> jsonrpc::Result<Option<lsp::GotoDefinitionResponse>> {
    b.query(move |a, st| {
        a.with(|db, ws| {
            let enc = st.encoding();
            let (file, offset) = at(a, &p.text_document_position_params, enc)?;
            Ok(goto(db, ws, file, offset)
                .and_then(|t| location(a, &t, enc))
                .map(lsp::GotoDefinitionResponse::Scalar))
        })
    })
    .await
}
