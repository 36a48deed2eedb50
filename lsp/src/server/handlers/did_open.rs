//! `textDocument/didOpen`: the editor's text replaces the disk's; a formula opened from
//! outside the workspace folders joins the workspace.

use crate::server::Backend;
use crate::server::convert::path_of;
use std::sync::Arc;
use tower_lsp_server::ls_types as lsp;

pub fn did_open(b: &Backend, p: lsp::DidOpenTextDocumentParams) {
    let Some(path) = path_of(&p.text_document.uri) else {
        return;
    };
    if let Ok(mut open) = b.state.open.lock() {
        open.insert(path.clone());
    }
    b.state
        .host()
        .set_file(&path, Arc::from(p.text_document.text));
    b.republish(Some(path));
}
