//! `textDocument/codeAction`: quick fixes for the diagnostics in the range.

use super::file_of;
use crate::analysis::code_actions::code_actions;
use crate::analysis::line_index::line_index;
use crate::server::Backend;
use crate::server::convert::{diagnostic, range, span};
use std::collections::HashMap;
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types as lsp;

pub async fn code_action(
    b: &Backend,
    p: lsp::CodeActionParams,
) -> jsonrpc::Result<Option<lsp::CodeActionResponse>> {
    b.query(move |a, st| {
        a.with(|db, ws| {
            let enc = st.encoding();
            let uri = p.text_document.uri;
            let file = file_of(a, &uri)?;
            let index = line_index(db, file);
            let actions: Vec<lsp::CodeActionOrCommand> =
                code_actions(db, ws, file, span(index, p.range, enc))
                    .into_iter()
                    .map(|c| {
                        let edits: Vec<lsp::TextEdit> = c
                            .edits
                            .into_iter()
                            .map(|(at, new_text)| lsp::TextEdit {
                                range: range(index, at, enc),
                                new_text,
                            })
                            .collect();
                        let changes: HashMap<lsp::Uri, Vec<lsp::TextEdit>> =
                            HashMap::from([(uri.clone(), edits)]);
                        lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                            title: c.title,
                            kind: Some(lsp::CodeActionKind::QUICKFIX),
                            diagnostics: Some(vec![diagnostic(a, file, &uri, &c.diagnostic, enc)]),
                            edit: Some(lsp::WorkspaceEdit {
                                changes: Some(changes),
                                ..lsp::WorkspaceEdit::default()
                            }),
                            is_preferred: Some(c.preferred),
                            ..lsp::CodeAction::default()
                        })
                    })
                    .collect();
            Ok((!actions.is_empty()).then_some(actions))
        })
    })
    .await
}
