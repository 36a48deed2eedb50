//! `textDocument/completion`.

use super::at;
use crate::analysis::completion::{CompletionKind, completion as complete};
use crate::server::Backend;
use crate::server::convert::file_range;
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types as lsp;

fn kind(k: CompletionKind) -> lsp::CompletionItemKind {
    match k {
        CompletionKind::Key => lsp::CompletionItemKind::PROPERTY,
        CompletionKind::Step => lsp::CompletionItemKind::REFERENCE,
        CompletionKind::Var => lsp::CompletionItemKind::VARIABLE,
        CompletionKind::Formula => lsp::CompletionItemKind::MODULE,
        CompletionKind::Value => lsp::CompletionItemKind::ENUM_MEMBER,
    }
}

pub async fn completion(
    b: &Backend,
    p: lsp::CompletionParams,
) -> jsonrpc::Result<Option<lsp::CompletionResponse>> {
    b.query(move |a, st| {
        a.with(|db, ws| {
            let enc = st.encoding();
            let (file, offset) = at(a, &p.text_document_position, enc)?;
            let found = complete(db, ws, file, offset);
            let items: Vec<lsp::CompletionItem> = found
                .items
                .into_iter()
                .map(|i| lsp::CompletionItem {
                    label: i.label,
                    kind: Some(kind(i.kind)),
                    detail: i.detail,
                    documentation: i.doc.map(|d| {
                        lsp::Documentation::MarkupContent(lsp::MarkupContent {
                            kind: lsp::MarkupKind::Markdown,
                            value: d,
                        })
                    }),
                    text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit {
                        range: file_range(db, file, i.replace, enc),
                        new_text: i.insert,
                    })),
                    ..lsp::CompletionItem::default()
                })
                .collect();
            Ok(
                (!items.is_empty()).then_some(lsp::CompletionResponse::List(lsp::CompletionList {
                    is_incomplete: found.incomplete,
                    items,
                })),
            )
        })
    })
    .await
}
