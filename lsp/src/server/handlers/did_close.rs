//! `textDocument/didClose`: the disk's text is the truth again (or the file leaves the
//! workspace if it is not on disk).

use crate::server::Backend;
use crate::server::convert::path_of;
use tower_lsp_server::ls_types as lsp;

pub fn did_close(b: &Backend, p: lsp::DidCloseTextDocumentParams) {
    let Some(path) = path_of(&p.text_document.uri) else {
        return;
    };
    {
        let mut host = b.state.host();
        b.state.set_closed(&host, &path);
        match gtc::driver::read_text(&path) {
            Ok(text) => {
                host.set_file(&path, text);
            }
            Err(_) => {
                host.remove_file(&path);
            }
        }
    }
    b.republish(None);
}
