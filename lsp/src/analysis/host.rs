//! The state of the analysis: the database, the workspace's files by path, and
//! snapshots of it ([`Analysis`]) that answer queries on other threads while edits wait.

use gtc::db::LibraryFile;
use gtc::db::{Database, SourceFile, Workspace};
use gtc::source::{Layer, formula_files_in};
use gtc::syntax::Format;
use salsa::Setter;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A query was cancelled by an edit: the caller answers "content modified" and retries.
pub type Cancellable<T> = Result<T, salsa::Cancelled>;

/// Owns the database; the only place inputs change.
pub struct AnalysisHost {
    db: Database,
    ws: Workspace,
    files: Arc<BTreeMap<PathBuf, SourceFile>>,
    library: Vec<LibraryFile>,
}

impl Default for AnalysisHost {
    fn default() -> Self {
        AnalysisHost::new()
    }
}

impl AnalysisHost {
    /// An empty workspace whose library is the embedded stdlib.
    pub fn new() -> AnalysisHost {
        let db = Database::default();
        // Files are edited and re-checked: long TOML files are parsed in chunks.
        gtc::db::Editing::new(&db, true);
        let library = gtc::driver::stdlib_files(&db);
        let ws = Workspace::new(&db, Vec::new(), library.clone(), vec![Layer::Stdlib]);
        AnalysisHost {
            db,
            ws,
            files: Arc::default(),
            library,
        }
    }

    /// Use the formula files of the search path's `layers` (in priority order, as
    /// `gtc::source::search_dirs` finds them), then the stdlib, as the library that names
    /// resolve to when no workspace file claims them. Unreadable files are skipped.
    pub fn set_library_layers(&mut self, layers: &[Layer]) {
        let mut library: Vec<LibraryFile> = Vec::new();
        for layer in layers {
            for p in formula_files_in(layer.dir()) {
                let Ok(text) = gtc::driver::read_text(&p) else {
                    continue;
                };
                let file = SourceFile::new(&self.db, p.clone(), text, format_of(&p));
                library.push(LibraryFile {
                    file,
                    layer: layer.clone(),
                });
            }
        }
        library.extend(gtc::driver::stdlib_files(&self.db));
        let mut all = layers.to_vec();
        all.push(Layer::Stdlib);
        self.library = library.clone();
        self.ws.set_library(&mut self.db).to(library);
        self.ws.set_layers(&mut self.db).to(all);
    }

    /// Add a file to the workspace, or replace its text. Returns its handle.
    pub fn set_file(&mut self, path: &Path, text: Arc<str>) -> SourceFile {
        if let Some(&file) = self.files.get(path) {
            if *file.text(&self.db) != text {
                file.set_text(&mut self.db).to(text);
            }
            return file;
        }
        let file = SourceFile::new(&self.db, path.to_path_buf(), text, format_of(path));
        Arc::make_mut(&mut self.files).insert(path.to_path_buf(), file);
        self.sync_workspace();
        file
    }

    /// Remove a file from the workspace (deleted on disk).
    pub fn remove_file(&mut self, path: &Path) -> bool {
        let removed = Arc::make_mut(&mut self.files).remove(path).is_some();
        if removed {
            self.sync_workspace();
        }
        removed
    }

    /// The file at `path`, if it is in the workspace.
    pub fn file(&self, path: &Path) -> Option<SourceFile> {
        self.files.get(path).copied()
    }

    /// The paths of the workspace files, in order.
    pub fn paths(&self) -> Vec<PathBuf> {
        self.files.keys().cloned().collect()
    }

    /// The line index of the current text of the file at `path` (memoised: usually the
    /// one its diagnostics were last converted with).
    pub fn line_index(&self, path: &Path) -> Option<&super::line_index::LineIndex> {
        Some(super::line_index::line_index(&self.db, self.file(path)?))
    }

    /// The current text of the file at `path`.
    pub fn text(&self, path: &Path) -> Option<Arc<str>> {
        self.file(path).map(|f| f.text(&self.db).clone())
    }

    /// A snapshot for queries. An edit on the host waits until every snapshot is dropped,
    /// and cancels the queries still running on them.
    pub fn analysis(&self) -> Analysis {
        Analysis {
            db: self.db.clone(),
            ws: self.ws,
            files: self.files.clone(),
        }
    }

    /// Workspace files are checked in path order, like `gtc check` over a directory.
    fn sync_workspace(&mut self) {
        let files: Vec<SourceFile> = self.files.values().copied().collect();
        self.ws.set_files(&mut self.db).to(files);
    }
}

/// A read-only view of the database at one revision.
#[derive(Clone)]
pub struct Analysis {
    db: Database,
    ws: Workspace,
    files: Arc<BTreeMap<PathBuf, SourceFile>>,
}

impl Analysis {
    /// The database.
    pub fn db(&self) -> &Database {
        &self.db
    }

    /// The workspace.
    pub fn ws(&self) -> Workspace {
        self.ws
    }

    /// The file at `path`, if it is in the workspace.
    pub fn file(&self, path: &Path) -> Option<SourceFile> {
        self.files.get(path).copied()
    }

    /// The workspace or library file at `path`.
    pub fn file_or_library(&self, path: &Path) -> Option<SourceFile> {
        self.file(path).or_else(|| {
            self.ws
                .library(&self.db)
                .iter()
                .map(|l| l.file)
                .find(|f| f.path(&self.db) == path)
        })
    }

    /// Every workspace file, in path order.
    pub fn files(&self) -> Vec<SourceFile> {
        self.files.values().copied().collect()
    }

    /// Run `f` on the database, catching cancellation by a concurrent edit.
    pub fn with<T>(&self, f: impl FnOnce(&Database, Workspace) -> T) -> Cancellable<T> {
        salsa::Cancelled::catch(std::panic::AssertUnwindSafe(|| f(&self.db, self.ws)))
    }
}

fn format_of(path: &Path) -> Format {
    Format::from_path(path).unwrap_or_else(|| Format::guess(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An edit cancels the queries running on snapshots (they answer `Err(Cancelled)`),
    /// then applies; a snapshot taken afterwards sees the new text.
    #[test]
    fn an_edit_cancels_running_queries_then_applies() {
        let mut host = AnalysisHost::new();
        let path = Path::new("/w/a.formula.toml");
        let file = host.set_file(
            path,
            Arc::from("formula = \"a\"\n[[steps]]\nid = \"x\"\ntitle = \"X\"\n"),
        );
        let snapshot = host.analysis();
        let (started_tx, started_rx) = std::sync::mpsc::channel();
        let worker = std::thread::spawn(move || {
            let mut queries = 0u64;
            loop {
                let r = snapshot.with(|db, ws| gtc::db::all_diagnostics(db, ws, file).len());
                queries += 1;
                if queries == 1 {
                    let _ = started_tx.send(());
                }
                if r.is_err() {
                    return queries;
                }
            }
        });
        started_rx.recv().unwrap_or_default();
        host.set_file(
            path,
            Arc::from(
                "formula = \"a\"\n[[steps]]\nid = \"x\"\ntitle = \"X\"\nneeds = [\"nope\"]\n",
            ),
        );
        let queries = worker.join().unwrap_or(0);
        assert!(queries >= 1, "the worker ran until cancelled");
        let after = host
            .analysis()
            .with(|db, ws| gtc::db::all_diagnostics(db, ws, file).len());
        assert_eq!(after.ok(), Some(1));
    }

    #[test]
    fn files_join_and_leave_the_workspace() {
        let mut host = AnalysisHost::new();
        let a = Path::new("/w/a.formula.toml");
        let b = Path::new("/w/b.formula.yaml");
        host.set_file(b, Arc::from("formula: b\nextends: [a]\n"));
        let has_unknown = |host: &AnalysisHost| {
            let an = host.analysis();
            let f = an.file(b);
            f.map(|f| {
                an.with(|db, ws| {
                    gtc::db::all_diagnostics(db, ws, f)
                        .iter()
                        .filter(|d| d.code.as_str() == "GTC008")
                        .count()
                })
                .unwrap_or(0)
            })
        };
        assert_eq!(has_unknown(&host), Some(1), "`a` is unknown");
        host.set_file(a, Arc::from("formula = \"a\"\n"));
        assert_eq!(has_unknown(&host), Some(0));
        assert_eq!(host.analysis().files().len(), 2);
        assert!(host.remove_file(a));
        assert!(!host.remove_file(a), "removing twice is a no-op");
        assert_eq!(has_unknown(&host), Some(1));
        assert_eq!(host.text(a), None);
        assert!(
            host.analysis()
                .file_or_library(Path::new("<stdlib>/nothing"))
                .is_none()
        );
    }
}
