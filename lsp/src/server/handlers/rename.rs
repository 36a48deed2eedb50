//! `textDocument/prepareRename` and `textDocument/rename`. A formula renamed with its
//! file uses `documentChanges` with a file rename when the client supports it.

use super::at;
use crate::analysis::line_index::LineIndex;
use crate::analysis::rename::{prepare_rename as prepare, rename as do_rename};
use crate::server::Backend;
use crate::server::convert::{file_range, range, refused, uri_of};
use std::collections::HashMap;
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types as lsp;

pub async fn prepare_rename(
    b: &Backend,
    p: lsp::TextDocumentPositionParams,
) -> jsonrpc::Result<Option<lsp::PrepareRenameResponse>> {
    b.query(move |a, st| {
        a.with(|db, ws| {
            let enc = st.encoding();
            let (file, offset) = at(a, &p, enc)?;
            let (span, name) = prepare(db, ws, file, offset).map_err(refused)?;
            Ok(Some(lsp::PrepareRenameResponse::RangeWithPlaceholder {
                range: file_range(db, file, span, enc),
                placeholder: name,
            }))
        })
    })
    .await
}

pub async fn rename(
    b: &Backend,
    p: lsp::RenameParams,
) -> jsonrpc::Result<Option<lsp::WorkspaceEdit>> {
    b.query(move |a, st| {
        a.with(|db, ws| {
            let enc = st.encoding();
            let (file, offset) = at(a, &p.text_document_position, enc)?;
            let edits = do_rename(db, ws, file, offset, &p.new_name).map_err(refused)?;
            let mut by_uri: Vec<(lsp::Uri, Vec<lsp::TextEdit>)> = Vec::new();
            for (path, list) in &edits.edits {
                let (Some(f), Some(uri)) = (a.file_or_library(path), uri_of(path)) else {
                    continue;
                };
                let index: &LineIndex = crate::analysis::line_index::line_index(db, f);
                let text_edits = list
                    .iter()
                    .map(|(span, new)| lsp::TextEdit {
                        range: range(index, *span, enc),
                        new_text: new.clone(),
                    })
                    .collect();
                by_uri.push((uri, text_edits));
            }
            let rename_files = st.negotiated.get().is_some_and(|n| n.rename_files);
            let file_op = edits
                .file_rename
                .as_ref()
                .filter(|_| rename_files)
                .and_then(|(from, to)| {
                    Some(lsp::RenameFile {
                        old_uri: uri_of(from)?,
                        new_uri: uri_of(to)?,
                        options: None,
                        annotation_id: None,
                    })
                });
            let edit = if let Some(op) = file_op {
                let mut ops: Vec<lsp::DocumentChangeOperation> = by_uri
                    .into_iter()
                    .map(|(uri, edits)| {
                        lsp::DocumentChangeOperation::Edit(lsp::TextDocumentEdit {
                            text_document: lsp::OptionalVersionedTextDocumentIdentifier {
                                uri,
                                version: None,
                            },
                            edits: edits.into_iter().map(lsp::OneOf::Left).collect(),
                        })
                    })
                    .collect();
                ops.push(lsp::DocumentChangeOperation::Op(lsp::ResourceOp::Rename(
                    op,
                )));
                lsp::WorkspaceEdit {
                    document_changes: Some(lsp::DocumentChanges::Operations(ops)),
                    ..lsp::WorkspaceEdit::default()
                }
            } else {
                let changes: HashMap<lsp::Uri, Vec<lsp::TextEdit>> = by_uri.into_iter().collect();
                lsp::WorkspaceEdit {
                    changes: Some(changes),
                    ..lsp::WorkspaceEdit::default()
                }
            };
            Ok(Some(edit))
        })
    })
    .await
}
