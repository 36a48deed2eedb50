//! Loading files into the database and collecting every file's diagnostics into a
//! [`Report`]: what `gtc check` does, reusable by tests and benchmarks.

use crate::db::{Database, SourceFile, Workspace, all_diagnostics};
use crate::diagnostic::{FileDiagnostic, Report, ReportFile};
use crate::source::{LineIndex, STDLIB, discover_formula_files, library_files, search_dirs};
use crate::syntax::Format;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A problem reading input: reported on stderr, exit status 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    /// The path.
    pub path: PathBuf,
    /// What went wrong.
    pub message: String,
}

/// Where to look for formulas.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// `--search-path` directories.
    pub search_path: Vec<PathBuf>,
    /// Working directory (for the project's `.beads/formulas`).
    pub cwd: PathBuf,
    /// Home directory (for `~/.beads/formulas`).
    pub home: Option<PathBuf>,
}

/// The files of `paths` (files, or directories searched recursively), sorted and deduplicated.
pub fn collect_paths(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<LoadError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        if p.is_dir() {
            let (found, errs) = discover_formula_files(p);
            files.extend(found);
            errors.extend(
                errs.into_iter()
                    .map(|(path, message)| LoadError { path, message }),
            );
        } else if p.exists() {
            files.push(p.clone());
        } else {
            errors.push(LoadError {
                path: p.clone(),
                message: String::from("no such file or directory"),
            });
        }
    }
    let mut seen = std::collections::HashSet::new();
    files.retain(|f| seen.insert(f.clone()));
    (files, errors)
}

/// Read one file into the database.
pub fn read_source(db: &Database, path: &Path) -> Result<SourceFile, LoadError> {
    let text = read_text(path)?;
    let format = Format::from_path(path).unwrap_or_else(|| Format::guess(path));
    Ok(SourceFile::new(db, path.to_path_buf(), text, format))
}

/// Read a file's text, refusing non-UTF-8 with the offset of the first bad byte.
pub fn read_text(path: &Path) -> Result<Arc<str>, LoadError> {
    let bytes = std::fs::read(path).map_err(|e| LoadError {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let text = String::from_utf8(bytes).map_err(|e| LoadError {
        path: path.to_path_buf(),
        message: format!("not valid UTF-8 (byte {})", e.utf8_error().valid_up_to()),
    })?;
    Ok(Arc::from(text))
}

/// Build the workspace: the checked `files` plus the search-path library.
/// Library files that cannot be read are skipped (they may never be referenced).
pub fn load(db: &Database, files: &[PathBuf], opts: &LoadOptions) -> (Workspace, Vec<LoadError>) {
    let mut errors = Vec::new();
    let read: Vec<Result<Arc<str>, LoadError>> = files.par_iter().map(|p| read_text(p)).collect();
    let mut sources = Vec::new();
    for (path, r) in files.iter().zip(read) {
        match r {
            Ok(text) => {
                let format = Format::from_path(path).unwrap_or_else(|| Format::guess(path));
                sources.push(SourceFile::new(db, path.clone(), text, format));
            }
            Err(e) => errors.push(e),
        }
    }
    let dirs = search_dirs(&opts.search_path, &opts.cwd, opts.home.as_deref());
    let mut library: Vec<SourceFile> = library_files(&dirs)
        .iter()
        .filter_map(|p| read_source(db, p).ok())
        .collect();
    for (name, text) in STDLIB {
        library.push(SourceFile::new(
            db,
            PathBuf::from(format!("<stdlib>/{name}")),
            Arc::from(*text),
            Format::Toml,
        ));
    }
    (Workspace::new(db, sources, library), errors)
}

/// Check every file of the workspace (in parallel) and collect a deterministic report.
///
/// A salsa database handle is `Send` but not `Sync`, so each worker thread gets its
/// own clone (sharing the storage); files are dealt round-robin and put back in order.
pub fn report(db: &Database, ws: Workspace) -> Report {
    let files = ws.files(db).clone();
    // Build the shared name index once before fanning out.
    let _ = crate::db::name_index(db, ws);
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(files.len().max(1));
    let mut slots: Vec<Option<ReportFile>> = vec![None; files.len()];
    if workers <= 1 {
        for (i, &file) in files.iter().enumerate() {
            slots[i] = Some(report_file(db, ws, file));
        }
    } else {
        let handles: Vec<Database> = (0..workers).map(|_| db.clone()).collect();
        let files = &files;
        let results: Vec<Vec<(usize, ReportFile)>> = std::thread::scope(|scope| {
            let joins: Vec<_> = handles
                .into_iter()
                .enumerate()
                .map(|(w, db)| {
                    scope.spawn(move || {
                        (w..files.len())
                            .step_by(workers)
                            .map(|i| (i, report_file(&db, ws, files[i])))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            joins
                .into_iter()
                .map(|j| j.join().unwrap_or_default())
                .collect()
        });
        for (i, rf) in results.into_iter().flatten() {
            slots[i] = Some(rf);
        }
    }
    Report {
        files: slots.into_iter().flatten().collect(),
    }
}

fn report_file(db: &Database, ws: Workspace, file: SourceFile) -> ReportFile {
    let text = file.text(db).clone();
    let index = LineIndex::new(&text);
    let diagnostics = all_diagnostics(db, ws, file)
        .iter()
        .map(|d| FileDiagnostic {
            path: file.path(db).clone(),
            start: index.line_col(&text, d.span.start()),
            end: index.line_col(&text, d.span.end()),
            diagnostic: d.clone(),
        })
        .collect();
    ReportFile {
        path: file.path(db).clone(),
        text,
        diagnostics,
    }
}

/// Check in-memory files (path, text) against the embedded stdlib only: for tests,
/// tools and benchmarks that have no files on disk.
pub fn check_sources(sources: &[(&str, &str)]) -> Report {
    let db = Database::default();
    let files: Vec<SourceFile> = sources
        .iter()
        .map(|(path, text)| {
            let path = PathBuf::from(path);
            let format = Format::from_path(&path).unwrap_or_else(|| Format::guess(&path));
            SourceFile::new(&db, path, Arc::from(*text), format)
        })
        .collect();
    let library = stdlib_files(&db);
    let ws = Workspace::new(&db, files, library);
    report(&db, ws)
}

/// The embedded stdlib as source files named `<stdlib>/NAME.formula.toml`.
fn stdlib_files(db: &Database) -> Vec<SourceFile> {
    STDLIB
        .iter()
        .map(|(name, text)| {
            SourceFile::new(
                db,
                PathBuf::from(format!("<stdlib>/{name}")),
                Arc::from(*text),
                Format::Toml,
            )
        })
        .collect()
}
