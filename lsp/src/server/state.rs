//! The server's state: the analysis host (edited only under its lock, in arrival order),
//! the open documents, what was negotiated with the client, and what was last published.

use crate::analysis::line_index::Encoding;
use crate::analysis::{Analysis, AnalysisHost};
use std::collections::{BTreeMap, BTreeSet};
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
    /// Open documents (the editor's text wins over the disk's).
    pub open: Mutex<BTreeSet<PathBuf>>,
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
            open: Mutex::new(BTreeSet::new()),
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

    /// Whether `path` is open in the editor.
    pub fn is_open(&self, path: &std::path::Path) -> bool {
        self.open.lock().map(|o| o.contains(path)).unwrap_or(false)
    }
}

impl Default for State {
    fn default() -> Self {
        State::new()
    }
}
