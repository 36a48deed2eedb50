//! Loading files into the database and collecting every file's diagnostics into a
//! [`Report`]: what `gtc check` does, reusable by tests and benchmarks.

use crate::db::{Database, SourceFile, Workspace, all_diagnostics};
use crate::diagnostic::{FileDiagnostic, Report, ReportFile};
use crate::source::{LineIndex, STDLIB, discover_formula_files, library_files, search_dirs};
use crate::syntax::Format;
use fan_out::fan_out;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Arc;

mod fan_out;

pub use fan_out::WorkerPanic;

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
/// Files are parsed and lowered in parallel first (the name index then only reads
/// the results), then checked in parallel; the report keeps the workspace's order.
/// A panic while checking a file is re-raised here, on the caller's thread, with a
/// [`WorkerPanic`] payload naming the file: a run never ends without every file checked.
pub fn report(db: &Database, ws: Workspace) -> Report {
    let files = ws.files(db).clone();
    fan_out(db, &files, |db, file| {
        let _ = crate::db::lowered(db, file);
    });
    let _ = crate::db::name_index(db, ws);
    Report {
        files: fan_out(db, &files, |db, file| report_file(db, ws, file)),
    }
}

fn report_file(db: &Database, ws: Workspace, file: SourceFile) -> ReportFile {
    #[cfg(debug_assertions)]
    fan_out::debug_panic_hook(file.path(db));
    let text = file.text(db).clone();
    let found = all_diagnostics(db, ws, file);
    // Most files have no diagnostics: index their lines only when needed.
    let index = if found.is_empty() {
        LineIndex::new("")
    } else {
        LineIndex::new(&text)
    };
    let diagnostics = found
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
    let ws = memory_workspace(&db, sources);
    report(&db, ws)
}

/// A workspace of in-memory files (path, text; the format follows the path) with
/// the embedded stdlib as its library: for tests, tools and benchmarks.
pub fn memory_workspace(db: &Database, sources: &[(&str, &str)]) -> Workspace {
    let files: Vec<SourceFile> = sources
        .iter()
        .map(|(path, text)| {
            let path = PathBuf::from(path);
            let format = Format::from_path(&path).unwrap_or_else(|| Format::guess(&path));
            SourceFile::new(db, path, Arc::from(*text), format)
        })
        .collect();
    Workspace::new(db, files, stdlib_files(db))
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

/// Find `formula`: a file path, else a formula name on the search path. Returns the
/// workspace (the file, if a path, plus the search-path library) and the file; the
/// error is a message for the user.
pub fn find_formula(
    db: &Database,
    formula: &str,
    opts: &LoadOptions,
) -> Result<(Workspace, SourceFile), String> {
    let as_path = PathBuf::from(formula);
    let files = if as_path.is_file() {
        vec![as_path]
    } else {
        Vec::new()
    };
    let (ws, problems) = load(db, &files, opts);
    if let Some(p) = problems.first() {
        return Err(format!("{}: {}", p.path.display(), p.message));
    }
    if let Some(f) = ws.files(db).first() {
        return Ok((ws, *f));
    }
    match crate::db::name_index(db, ws).get(formula) {
        Some(f) => Ok((ws, f)),
        None => Err(format!(
            "`{formula}` is neither a file nor a formula name on the search path\nhelp: the search path is --search-path dirs, .beads/formulas/, ~/.beads/formulas/ and the stdlib"
        )),
    }
}

/// The errors among `diagnostics` of `file`, located, as a one-file report.
pub fn error_report(
    db: &Database,
    file: SourceFile,
    diagnostics: &[crate::diagnostic::Diagnostic],
) -> Report {
    let text = file.text(db).clone();
    let index = LineIndex::new(&text);
    Report {
        files: vec![ReportFile {
            path: file.path(db).clone(),
            diagnostics: diagnostics
                .iter()
                .filter(|d| d.severity == crate::diagnostic::Severity::Error)
                .map(|d| FileDiagnostic {
                    path: file.path(db).clone(),
                    start: index.line_col(&text, d.span.start()),
                    end: index.line_col(&text, d.span.end()),
                    diagnostic: d.clone(),
                })
                .collect(),
            text,
        }],
    }
}

/// Cook `formula` (a path or a name on the search path) for a runtime: with `vars`
/// (runtime mode: values validated and substituted, false conditions dropped) or
/// without (compile mode). The error is the rendered diagnostics, ready to print.
pub fn cook_formula(
    formula: &str,
    vars: Option<std::collections::BTreeMap<String, String>>,
    opts: &LoadOptions,
) -> Result<crate::cook::Resolved, String> {
    let db = Database::default();
    let (ws, file) = find_formula(&db, formula, opts)?;
    let cooked = crate::cook::cook(
        &db,
        ws,
        file,
        crate::cook::CookOptions {
            vars,
            ..crate::cook::CookOptions::default()
        },
    );
    match cooked.resolved {
        Some(r) => Ok(r),
        None => {
            let report = error_report(&db, file, &cooked.diagnostics);
            let mut out = Vec::new();
            let _ = crate::diagnostic::render_human(&report, false, &mut out);
            let mut text = String::from_utf8_lossy(&out).into_owned();
            text.push_str(&format!(
                "error: `{formula}` was not cooked: fix the errors above"
            ));
            Err(text)
        }
    }
}
