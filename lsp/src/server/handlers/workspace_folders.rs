//! `workspace/didChangeWorkspaceFolders`: a folder added to the workspace is scanned for
//! formula files; the files of a folder removed leave it (unless open in the editor or
//! inside another folder still in the workspace). Every file's diagnostics are then
//! republished, since formulas in one folder may extend formulas in another.

use crate::server::Backend;
use crate::server::convert::path_of;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tower_lsp_server::ls_types as lsp;

/// The formula files under `roots` with their text, and the problems met reading them
/// (as messages for the client's log).
pub fn scan(roots: &[PathBuf]) -> (Vec<(PathBuf, Arc<str>)>, Vec<String>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for root in roots {
        let (found, errors) = gtc::source::discover_formula_files(root);
        problems.extend(
            errors
                .into_iter()
                .map(|(p, m)| format!("{}: {m}", p.display())),
        );
        for path in found {
            match gtc::driver::read_text(&path) {
                Ok(text) => files.push((path, text)),
                Err(e) => problems.push(format!("{}: {}", e.path.display(), e.message)),
            }
        }
    }
    (files, problems)
}

pub async fn did_change_workspace_folders(b: &Backend, p: lsp::DidChangeWorkspaceFoldersParams) {
    let added: Vec<PathBuf> = p
        .event
        .added
        .iter()
        .filter_map(|f| path_of(&f.uri))
        .collect();
    let removed: Vec<PathBuf> = p
        .event
        .removed
        .iter()
        .filter_map(|f| path_of(&f.uri))
        .collect();
    let (files, problems) = scan(&added);
    {
        let mut host = b.state.host();
        let folders = b.state.change_folders(&added, &removed);
        let inside = |path: &Path, dirs: &[PathBuf]| dirs.iter().any(|d| path.starts_with(d));
        for path in host.paths() {
            if inside(&path, &removed) && !inside(&path, &folders) && !b.state.is_open(&path) {
                host.remove_file(&path);
            }
        }
        for (path, text) in files {
            if !b.state.is_open(&path) {
                host.set_file(&path, text);
            }
        }
    }
    b.republish(None);
    for p in problems {
        b.client.log_message(lsp::MessageType::WARNING, p).await;
    }
}
