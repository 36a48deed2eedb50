//! `textDocument/documentSymbol`: the outline, nested.

use super::file_of;
use crate::analysis::document_symbols::{DocSymbol, DocSymbolKind, document_symbols};
use crate::analysis::line_index::{Encoding, LineIndex, line_index};
use crate::server::Backend;
use crate::server::convert::range;
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types as lsp;

fn kind(k: DocSymbolKind) -> lsp::SymbolKind {
    match k {
        DocSymbolKind::Formula => lsp::SymbolKind::MODULE,
        DocSymbolKind::Var => lsp::SymbolKind::VARIABLE,
        DocSymbolKind::Step => lsp::SymbolKind::FUNCTION,
        DocSymbolKind::Group => lsp::SymbolKind::NAMESPACE,
    }
}

#[allow(deprecated)] // `deprecated` is a required field of the protocol type
fn convert(index: &LineIndex, s: DocSymbol, enc: Encoding) -> lsp::DocumentSymbol {
    lsp::DocumentSymbol {
        name: s.name,
        detail: s.detail,
        kind: kind(s.kind),
        tags: None,
        deprecated: None,
        range: range(index, s.span, enc),
        selection_range: range(index, s.selection, enc),
        children: Some(
            s.children
                .into_iter()
                .map(|c| convert(index, c, enc))
                .collect(),
        ),
    }
}

pub async fn document_symbol(
    b: &Backend,
    p: lsp::DocumentSymbolParams,
) -> jsonrpc::Result<Option<lsp::DocumentSymbolResponse>> {
    b.query(move |a, st| {
        a.with(|db, _| {
            let enc = st.encoding();
            let file = file_of(a, &p.text_document.uri)?;
            let index = line_index(db, file);
            let symbols = document_symbols(db, file)
                .into_iter()
                .map(|s| convert(index, s, enc))
                .collect();
            Ok(Some(lsp::DocumentSymbolResponse::Nested(symbols)))
        })
    })
    .await
}
