//! `workspace/didChangeWatchedFiles`: formula files created, changed or deleted on disk
//! (by git, another tool, another editor). Open documents keep the editor's text.

use crate::server::Backend;
use crate::server::convert::path_of;
use gtc::syntax::Format;
use tower_lsp_server::ls_types as lsp;

pub fn did_change_watched_files(b: &Backend, p: lsp::DidChangeWatchedFilesParams) {
    let mut changed = false;
    {
        let mut host = b.state.host();
        for c in p.changes {
            let Some(path) = path_of(&c.uri) else {
                continue;
            };
            if Format::from_path(&path).is_none() || b.state.is_open(&path) {
                continue;
            }
            if c.typ == lsp::FileChangeType::DELETED {
                changed |= host.remove_file(&path);
            } else if let Ok(text) = gtc::driver::read_text(&path) {
                host.set_file(&path, text);
                changed = true;
            }
        }
    }
    if changed {
        b.republish(None);
    }
}
