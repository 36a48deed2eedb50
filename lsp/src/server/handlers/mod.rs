//! One file per request or notification: each converts the protocol's types to the
//! analysis layer's and back.

pub mod code_action;
pub mod code_lens;
pub mod completion;
pub mod definition;
pub mod diagnostic;
pub mod did_change;
pub mod did_close;
pub mod did_open;
pub mod document_symbol;
pub mod execute_command;
pub mod folding_range;
pub mod formatting;
pub mod hover;
pub mod initialize;
pub mod inlay_hint;
pub mod references;
pub mod rename;
pub mod semantic_tokens;
pub mod watched_files;
pub mod workspace_folders;
pub mod workspace_symbol;

use super::convert::{offset, path_of, unknown_file};
use crate::analysis::line_index::line_index;
use crate::analysis::{Analysis, SourceFile};
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types as lsp;

/// The workspace file a URI names.
pub fn file_of(a: &Analysis, uri: &lsp::Uri) -> jsonrpc::Result<SourceFile> {
    path_of(uri)
        .and_then(|p| a.file(&p))
        .ok_or_else(|| unknown_file(uri))
}

/// The file and byte offset of a text document position.
pub fn at(
    a: &Analysis,
    p: &lsp::TextDocumentPositionParams,
    enc: crate::analysis::line_index::Encoding,
) -> jsonrpc::Result<(SourceFile, usize)> {
    let file = file_of(a, &p.text_document.uri)?;
    Ok((file, offset(line_index(a.db(), file), p.position, enc)))
}
