//! `textDocument/semanticTokens/full`: tokens as the protocol's relative encoding, with
//! lengths in the negotiated encoding.

use super::file_of;
use super::initialize::{token_type, token_types};
use crate::analysis::line_index::line_index;
use crate::analysis::semantic_tokens::{TokenKind, semantic_tokens};
use crate::server::Backend;
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types as lsp;

pub async fn semantic_tokens_full(
    b: &Backend,
    p: lsp::SemanticTokensParams,
) -> jsonrpc::Result<Option<lsp::SemanticTokensResult>> {
    b.query(move |a, st| {
        a.with(|db, _| {
            let enc = st.encoding();
            let file = file_of(a, &p.text_document.uri)?;
            let index = line_index(db, file);
            let types = token_types();
            let mut data = Vec::new();
            let (mut line, mut col) = (0u32, 0u32);
            for t in semantic_tokens(db, file) {
                let start = index.line_col(t.span.start(), enc);
                let end = index.line_col(t.span.end(), enc);
                let ty = types
                    .iter()
                    .position(|x| *x == token_type(t.kind))
                    .unwrap_or(0);
                let delta_line = start.line.saturating_sub(line);
                let delta_start = if delta_line == 0 {
                    start.col.saturating_sub(col)
                } else {
                    start.col
                };
                data.push(lsp::SemanticToken {
                    delta_line,
                    delta_start,
                    length: end.col.saturating_sub(start.col),
                    token_type: u32::try_from(ty).unwrap_or(0),
                    token_modifiers_bitset: u32::from(t.kind == TokenKind::StepId),
                });
                (line, col) = (start.line, start.col);
            }
            Ok(Some(lsp::SemanticTokensResult::Tokens(
                lsp::SemanticTokens {
                    result_id: None,
                    data,
                },
            )))
        })
    })
    .await
}
