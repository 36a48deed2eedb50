//! The server's state: the analysis host (edited only under its lock, in arrival order),
//! the open documents, what was negotiated with the client, and what was last published.

use crate::analysis::line_index::Encoding;
use crate::analysis::{Analysis, AnalysisHost};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock};
use tower_lsp_server::ls_types as lsp;

/// What the client said it can do, fixed at `initialize`.
#[derive(Clone, Debug)]
pub struct Negotiated {
    /// Position encoding.
    pub encoding: Encoding,
    /// Workspace folders to scan.
    pub roots: Vec<PathBuf>,
    /// `WorkspaceEdit.documentChanges` with file renames.
    pub rename_files: bool,
    /// Dynamic registration of file watchers.
    pub watch_files: bool,
}

/// Everything the handlers share.
pub struct State {
    host: Mutex<AnalysisHost>,
    /// Open documents and their versions (the editor's text wins over the disk's).
    /// Changed only under the host's lock, with the text, so a snapshot and the versions
    /// read with it ([`State::snapshot_with_versions`]) agree.
    open: Mutex<BTreeMap<PathBuf, i32>>,
    /// The workspace folders, as `initialize` and later changes left them.
    folders: Mutex<Vec<PathBuf>>,
    /// Set by `initialize`.
    pub negotiated: OnceLock<Negotiated>,
    /// Bumped by every edit; a publication computed for an older generation is dropped.
    pub generation: AtomicU64,
    /// What was last published per file (serialises publications).
    pub published: tokio::sync::Mutex<BTreeMap<PathBuf, Vec<lsp::Diagnostic>>>,
    /// Test-only commands (`GTC_LSP_TEST_HOOKS=1`).
    pub test_hooks: bool,
}

impl State {
    /// A fresh state.
    pub fn new() -> State {
        State {
            host: Mutex::new(AnalysisHost::new()),
            open: Mutex::new(BTreeMap::new()),
            folders: Mutex::new(Vec::new()),
            negotiated: OnceLock::new(),
            generation: AtomicU64::new(0),
            published: tokio::sync::Mutex::new(BTreeMap::new()),
            test_hooks: std::env::var_os("GTC_LSP_TEST_HOOKS").is_some_and(|v| v == "1"),
        }
    }

    /// The host, for an edit. The lock is held by the edit only, so edits apply in the
    /// order the handlers run; an edit waits for running queries to be cancelled.
    pub fn host(&self) -> MutexGuard<'_, AnalysisHost> {
        // A panic while editing cannot leave the host half-edited (salsa inputs change
        // atomically), so a poisoned lock is still usable.
        self.host.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A snapshot for a query.
    pub fn snapshot(&self) -> Analysis {
        self.host().analysis()
    }

    /// The negotiated encoding (UTF-16 before `initialize`).
    pub fn encoding(&self) -> Encoding {
        self.negotiated
            .get()
            .map_or(Encoding::Utf16, |n| n.encoding)
    }

    /// Mark an edit; returns the new generation.
    pub fn bump(&self) -> u64 {
        self.generation.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// A snapshot and the versions of the open documents it holds.
    pub fn snapshot_with_versions(&self) -> (Analysis, BTreeMap<PathBuf, i32>) {
        let host = self.host();
        (host.analysis(), self.open().clone())
    }

    /// The open documents. (A panic elsewhere cannot leave the map half-changed.)
    fn open(&self) -> MutexGuard<'_, BTreeMap<PathBuf, i32>> {
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Record that `path` is open at `version` (call it holding the host's lock, as the
    /// text changes).
    pub fn set_open(&self, _host: &AnalysisHost, path: PathBuf, version: i32) {
        self.open().insert(path, version);
    }

    /// Record that `path` was closed (holding the host's lock).
    pub fn set_closed(&self, _host: &AnalysisHost, path: &std::path::Path) {
        self.open().remove(path);
    }

    /// Add and remove workspace folders; returns the folders now in the workspace.
    pub fn change_folders(&self, added: &[PathBuf], removed: &[PathBuf]) -> Vec<PathBuf> {
        let mut folders = self.folders.lock().unwrap_or_else(|e| e.into_inner());
        folders.retain(|f| !removed.contains(f));
        for f in added {
            if !folders.contains(f) {
                folders.push(f.clone());
            }
        }
        folders.clone()
    }

    /// Whether `path` is open in the editor.
    pub fn is_open(&self, path: &std::path::Path) -> bool {
        self.open().contains_key(path)
    }
}

impl Default for State {
    fn default() -> Self {
        State::new()
    }
}
