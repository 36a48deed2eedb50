//! Pushing diagnostics: after every edit, every workspace file whose diagnostics changed
//! is republished (a change in one formula can change the diagnostics of every formula
//! that extends or references it). Unchanged files are answered from salsa's memo. An
//! open document's diagnostics carry the version of the text they were computed from.
//! The edited file is published on its own first, so its diagnostics do not wait for the
//! re-check of the formulas that depend on it.

use super::Backend;
use super::convert::{diagnostic, uri_of};
use crate::analysis::Analysis;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use tower_lsp_server::ls_types as lsp;

/// Diagnostics by file, in the protocol's terms.
type Computed = Vec<(PathBuf, Vec<lsp::Diagnostic>)>;

/// Compute and publish the diagnostics of the workspace for generation `generation`,
/// `first` before the others. Dropped when a newer edit arrives first.
pub async fn publish(backend: &Backend, generation: u64, first: Option<PathBuf>) {
    // Each phase takes its own snapshot (with the versions of its texts) and drops it
    // before delivering, so an edit never waits on a publication.
    if let Some(p) = first {
        let (snapshot, versions) = backend.state.snapshot_with_versions();
        let Some(computed) = compute(backend, snapshot, Some(p)).await else {
            return; // cancelled by a newer edit, which publishes its own
        };
        if !deliver(backend, generation, computed, &versions, false).await {
            return;
        }
    }
    let (snapshot, versions) = backend.state.snapshot_with_versions();
    let Some(computed) = compute(backend, snapshot, None).await else {
        return;
    };
    deliver(backend, generation, computed, &versions, true).await;
}

/// The diagnostics of the file at `only`, or of every workspace file; `None` when a newer
/// edit cancelled the computation.
async fn compute(backend: &Backend, snapshot: Analysis, only: Option<PathBuf>) -> Option<Computed> {
    let enc = backend.state.encoding();
    let computed = tokio::task::spawn_blocking(move || {
        snapshot.with(|db, ws| {
            let files = match &only {
                Some(p) => snapshot.file(p).into_iter().collect(),
                None => snapshot.files(),
            };
            let mut out: Computed = Vec::new();
            for file in files {
                let path = file.path(db).clone();
                let Some(uri) = uri_of(&path) else { continue };
                let found = crate::analysis::diagnostics::diagnostics(db, ws, file);
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
    match computed {
        Ok(Ok(out)) => Some(out),
        Ok(Err(_cancelled)) => None,
        Err(e) => {
            // A panic while checking: say so (the server lives on; the next edit retries).
            backend
                .client
                .log_message(
                    lsp::MessageType::ERROR,
                    format!("gtc-lsp failed computing diagnostics: {e}"),
                )
                .await;
            None
        }
    }
}

/// Publish what changed in `computed`, unless a newer edit came since `generation`;
/// with `all`, `computed` is the whole workspace and files that left it are cleared.
/// Returns whether it was still current.
async fn deliver(
    backend: &Backend,
    generation: u64,
    computed: Computed,
    versions: &BTreeMap<PathBuf, i32>,
    all: bool,
) -> bool {
    let mut published = backend.state.published.lock().await;
    if backend.state.generation.load(Ordering::SeqCst) != generation {
        return false;
    }
    if all {
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
    true
}
