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
    {
        let mut host = b.state.host();
        host.set_file(&path, Arc::from(p.text_document.text));
        b.state
            .set_open(&host, path.clone(), p.text_document.version);
    }
    b.republish(Some(path));
}
