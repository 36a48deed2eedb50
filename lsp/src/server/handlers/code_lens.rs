//! `textDocument/codeLens`: "Cooked view" above the formula's name.

use super::file_of;
use super::initialize::COOKED_VIEW;
use crate::analysis::cooked_view::code_lens as lens;
use crate::server::Backend;
use crate::server::convert::file_range;
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types as lsp;

pub async fn code_lens(
    b: &Backend,
    p: lsp::CodeLensParams,
) -> jsonrpc::Result<Option<Vec<lsp::CodeLens>>> {
    b.query(move |a, st| {
        a.with(|db, ws| {
            let enc = st.encoding();
            let uri = p.text_document.uri;
            let file = file_of(a, &uri)?;
            Ok(lens(db, ws, file).map(|l| {
                vec![lsp::CodeLens {
                    range: file_range(db, file, l.span, enc),
                    command: Some(lsp::Command {
                        title: l.title,
                        command: COOKED_VIEW.to_owned(),
                        arguments: Some(vec![serde_json::Value::String(uri.as_str().to_owned())]),
                    }),
                    data: None,
                }]
            }))
        })
    })
    .await
}
