//! Pushing diagnostics: after every edit, every workspace file whose diagnostics changed
//! is republished (a change in one formula can change the diagnostics of every formula
//! that extends or references it). Unchanged files are answered from salsa's memo. An
//! open document's diagnostics carry the version of the text they were computed from.

use super::Backend;
use super::convert::{diagnostic, uri_of};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use tower_lsp_server::ls_types as lsp;

/// Compute and publish the diagnostics of the workspace for generation `generation`,
/// `first` before the others. Dropped when a newer edit arrives first.
pub async fn publish(backend: &Backend, generation: u64, first: Option<PathBuf>) {
    let state = backend.state.clone();
    let (snapshot, versions) = state.snapshot_with_versions();
    let enc = state.encoding();
    let computed = tokio::task::spawn_blocking(move || {
        snapshot.with(|db, _| {
            let mut files = snapshot.files();
            if let Some(p) = &first {
                files.sort_by_key(|f| f.path(db) != p);
            }
            let mut out: Vec<(PathBuf, Vec<lsp::Diagnostic>)> = Vec::new();
            for file in files {
                let path = file.path(db).clone();
                let Some(uri) = uri_of(&path) else { continue };
                let found = crate::analysis::diagnostics::diagnostics(db, snapshot.ws(), file);
                out.push((
                    path,
                    found
                        .iter()
                        .map(|d| diagnostic(&snapshot, file, &uri, d, enc))
                        .collect(),
                ));
            }
            out
        })
    })
    .await;
    let Ok(Ok(computed)) = computed else {
        return; // cancelled by a newer edit, which publishes its own
    };
    let mut published = state.published.lock().await;
    if state.generation.load(Ordering::SeqCst) != generation {
        return;
    }
    // Files that left the workspace: clear what they showed.
    let gone: Vec<PathBuf> = published
        .keys()
        .filter(|p| !computed.iter().any(|(q, _)| q == *p))
        .cloned()
        .collect();
    for path in gone {
        published.remove(&path);
        if let Some(uri) = uri_of(&path) {
            backend
                .client
                .publish_diagnostics(uri, Vec::new(), None)
                .await;
        }
    }
    for (path, diags) in computed {
        let before = published.get(&path);
        if before == Some(&diags) || (before.is_none() && diags.is_empty()) {
            continue;
        }
        if let Some(uri) = uri_of(&path) {
            let version = versions.get(&path).copied();
            backend
                .client
                .publish_diagnostics(uri, diags.clone(), version)
                .await;
        }
        published.insert(path, diags);
    }
}
